import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'test/artifacts/', 'bench/results/', 'bench/data/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // The dashboards: plain ES modules that run in the browser (chart.js is the global Chart).
    files: ['dashboards/**/*.js'],
    languageOptions: { sourceType: 'module', globals: { ...globals.browser } },
  },
  {
    // The statistics core is pure: no framework, no storage, no queue, no I/O.
    files: ['src/agreement/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['@nestjs/*', 'typeorm', 'pg', 'pg-*', 'ioredis', 'bullmq', 'fs', 'node:*', 'fs/*', 'http', 'https', 'net', 'child_process', 'path'], message: 'src/agreement is pure: no Nest, storage, queues or I/O.' },
          { group: ['../*'], message: 'src/agreement must not depend on the rest of the application.' },
        ],
      }],
    },
  },
);
