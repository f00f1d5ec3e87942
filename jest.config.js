/** One jest config; projects keep unit, end-to-end and browser tests apart but `npm test` runs all. */
const swc = ['@swc/jest', {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    target: 'es2023',
  },
  module: { type: 'commonjs' },
}];

/**
 * Nest 12 packages are ESM-only. Node 20.19 loads them from CommonJS natively (require(esm)), but
 * jest's module system does not until Node 24.9, so the e2e project compiles them to CommonJS too.
 */
const swcEsmPackages = ['@swc/jest', {
  jsc: { parser: { syntax: 'ecmascript' }, target: 'es2023' },
  module: { type: 'commonjs' },
}];

module.exports = {
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      roots: ['<rootDir>/src'],
      testMatch: ['**/*.spec.ts'],
      transform: { '^.+\\.ts$': swc },
    },
    {
      // End-to-end: the real API and worker on the local PostgreSQL and Redis, one fresh database
      // and one Redis key prefix per run (see test/e2e/global-setup.ts).
      displayName: 'e2e',
      testEnvironment: 'node',
      roots: ['<rootDir>/test'],
      testMatch: ['<rootDir>/test/e2e/**/*.e2e-spec.ts'],
      transform: { '^.+\\.ts$': swc, '^.+\\.js$': swcEsmPackages },
      transformIgnorePatterns: ['/node_modules/(?!@nestjs/)'],
      globalSetup: '<rootDir>/test/e2e/global-setup.ts',
      globalTeardown: '<rootDir>/test/e2e/global-teardown.ts',
      setupFilesAfterEnv: ['<rootDir>/test/e2e/setup-timeout.ts'],
    },
    {
      // The dashboards in headless Chromium (playwright-core, Debian's /usr/bin/chromium) against the
      // real API and worker, on the e2e run's database and Redis prefix (its own run when e2e does not
      // run). Serial: one spec file whose tests share one app and one browser, in order.
      displayName: 'browser',
      testEnvironment: 'node',
      roots: ['<rootDir>/test'],
      testMatch: ['<rootDir>/test/browser/**/*.browser-spec.ts'],
      transform: { '^.+\\.ts$': swc, '^.+\\.js$': swcEsmPackages },
      transformIgnorePatterns: ['/node_modules/(?!@nestjs/)'],
      globalSetup: '<rootDir>/test/browser/global-setup.ts',
      globalTeardown: '<rootDir>/test/browser/global-teardown.ts',
      setupFilesAfterEnv: ['<rootDir>/test/browser/setup-timeout.ts'],
    },
  ],
};
