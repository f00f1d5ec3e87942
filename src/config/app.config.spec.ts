import { redisConnectionOptions } from './redis-connection';
import { AppConfig, ConfigError, parseConfig } from './app.config';

function configError(env: Record<string, string>): ConfigError {
  try {
    parseConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('parseConfig', () => {
  it('gives defaults that work on a developer machine', () => {
    const config = parseConfig({});
    expect(config).toBeInstanceOf(AppConfig);
    expect(config).toMatchObject({
      databaseUrl: 'postgres://postgres@127.0.0.1:5432/concord',
      redisUrl: 'redis://127.0.0.1:6379',
      port: 3000,
      adminKey: null,
      queuePrefix: 'concord',
      uploadLimitBytes: 2 * 1024 * 1024 * 1024,
      uploadHeapGrowthPercent: 20,
      logLevel: 'info',
      workerConcurrency: 2,
      jobLockMs: 30_000,
      publicUrl: 'http://localhost:3000',
    });
    expect(config.databaseName).toBe('concord');
  });

  it('reads every variable', () => {
    const config = parseConfig({
      DATABASE_URL: 'postgresql://u:p@db:5433/concord_x',
      REDIS_URL: 'rediss://cache:6380/2',
      PORT: '8080',
      CONCORD_ADMIN_KEY: 'cnc_0123456789abcdefghijklmnop',
      CONCORD_QUEUE_PREFIX: 'concord-test-7',
      UPLOAD_LIMIT_BYTES: '1048576',
      UPLOAD_HEAP_GROWTH_PERCENT: '0',
      LOG_LEVEL: 'silent',
      WORKER_CONCURRENCY: '4',
      JOB_LOCK_MS: '2000',
      PUBLIC_URL: 'https://concord.example.org/',
    });
    expect(config).toMatchObject({
      databaseUrl: 'postgresql://u:p@db:5433/concord_x',
      redisUrl: 'rediss://cache:6380/2',
      port: 8080,
      adminKey: 'cnc_0123456789abcdefghijklmnop',
      queuePrefix: 'concord-test-7',
      uploadLimitBytes: 1_048_576,
      uploadHeapGrowthPercent: 0,
      logLevel: 'silent',
      workerConcurrency: 4,
      jobLockMs: 2000,
      publicUrl: 'https://concord.example.org',
    });
    expect(config.databaseName).toBe('concord_x');
  });

  it('derives PUBLIC_URL from PORT when unset', () => {
    expect(parseConfig({ PORT: '4000' }).publicUrl).toBe('http://localhost:4000');
  });

  it('treats empty strings as unset', () => {
    expect(parseConfig({ PORT: '', LOG_LEVEL: '' })).toMatchObject({ port: 3000, logLevel: 'info' });
  });

  it('ignores unrelated variables', () => {
    expect(parseConfig({ HOME: '/root', PATH: '/bin' }).port).toBe(3000);
  });

  it('names every bad variable in one error', () => {
    const error = configError({
      DATABASE_URL: 'mysql://localhost/concord',
      REDIS_URL: 'not a url',
      PORT: '3000x',
      LOG_LEVEL: 'loud',
      WORKER_CONCURRENCY: '0',
      JOB_LOCK_MS: '1.5',
      CONCORD_QUEUE_PREFIX: 'has:colon',
      CONCORD_ADMIN_KEY: 'short',
      PUBLIC_URL: 'ftp://x',
      UPLOAD_LIMIT_BYTES: '-1',
    });
    expect(error.issues.map((issue) => issue.variable).sort()).toEqual([
      'CONCORD_ADMIN_KEY',
      'CONCORD_QUEUE_PREFIX',
      'DATABASE_URL',
      'JOB_LOCK_MS',
      'LOG_LEVEL',
      'PORT',
      'PUBLIC_URL',
      'REDIS_URL',
      'UPLOAD_LIMIT_BYTES',
      'WORKER_CONCURRENCY',
    ]);
    expect(error.message).toContain('Invalid configuration (10 problems)');
    expect(error.message).toContain('PORT: must be a whole number');
    expect(error.message).toContain('WORKER_CONCURRENCY: must be at least 1');
    expect(error.message).toContain('DATABASE_URL: must be a URL starting with postgres:// or postgresql://');
  });

  it.each([
    ['PORT', '65536', 'must be at most 65535'],
    ['PORT', ' 80 ', null],
    ['WORKER_CONCURRENCY', '65', 'must be at most 64'],
    ['JOB_LOCK_MS', '999', 'must be at least 1000'],
    ['UPLOAD_HEAP_GROWTH_PERCENT', '1001', 'must be at most 1000'],
    ['UPLOAD_HEAP_GROWTH_PERCENT', '-5', 'must be a whole number'],
  ])('checks the range of %s=%j', (variable, value, message) => {
    if (message === null) {
      expect(() => parseConfig({ [variable]: value })).not.toThrow();
    } else {
      expect(configError({ [variable]: value }).issues).toEqual([{ variable, message }]);
    }
  });
});

describe('webhook settings', () => {
  it('default to hours of retries, no allowlist and no secret key', () => {
    expect(parseConfig({})).toMatchObject({
      secretKey: null,
      webhookAllowlist: [],
      webhookTimeoutMs: 10_000,
      webhookMaxAttempts: 15,
      webhookBackoffBaseMs: 10_000,
      webhookBackoffMaxMs: 6 * 3_600_000,
      webhookConcurrency: 16,
      webhookMaxInFlight: 2,
    });
  });

  it('reads every variable; the allowlist is trimmed, lower-cased and may mix hosts, IPs and CIDRs', () => {
    const config = parseConfig({
      CONCORD_SECRET_KEY: 'k'.repeat(32),
      CONCORD_WEBHOOK_ALLOWLIST: ' 127.0.0.1/32, ::1/128 ,Receiver.Internal,10.0.0.5,,',
      WEBHOOK_TIMEOUT_MS: '500',
      WEBHOOK_MAX_ATTEMPTS: '4',
      WEBHOOK_BACKOFF_BASE_MS: '50',
      WEBHOOK_BACKOFF_MAX_MS: '200',
      WEBHOOK_CONCURRENCY: '4',
      WEBHOOK_MAX_IN_FLIGHT: '1',
    });
    expect(config).toMatchObject({
      secretKey: 'k'.repeat(32),
      webhookAllowlist: ['127.0.0.1/32', '::1/128', 'receiver.internal', '10.0.0.5'],
      webhookTimeoutMs: 500,
      webhookMaxAttempts: 4,
      webhookBackoffBaseMs: 50,
      webhookBackoffMaxMs: 200,
      webhookConcurrency: 4,
      webhookMaxInFlight: 1,
    });
  });

  it('names each bad webhook variable', () => {
    const error = configError({
      CONCORD_SECRET_KEY: 'short',
      CONCORD_WEBHOOK_ALLOWLIST: '127.0.0.1/33',
      WEBHOOK_TIMEOUT_MS: '5',
      WEBHOOK_MAX_ATTEMPTS: '0',
      WEBHOOK_MAX_IN_FLIGHT: 'x',
    });
    expect(error.issues.map((issue) => issue.variable).sort()).toEqual([
      'CONCORD_SECRET_KEY',
      'CONCORD_WEBHOOK_ALLOWLIST',
      'WEBHOOK_MAX_ATTEMPTS',
      'WEBHOOK_MAX_IN_FLIGHT',
      'WEBHOOK_TIMEOUT_MS',
    ]);
    expect(error.message).toContain('CONCORD_WEBHOOK_ALLOWLIST: must list host names, IP addresses or CIDRs');
  });

  it.each(['10.0.0.0/8', '::1/128', 'fd00::/8', 'hooks.example.org', 'localhost', '192.168.1.1'])('accepts the allowlist entry %s', (entry) => {
    expect(parseConfig({ CONCORD_WEBHOOK_ALLOWLIST: entry }).webhookAllowlist).toEqual([entry]);
  });

  it.each(['10.0.0.0/', '10.0.0.0/x', '::1/129', 'http://x', 'a b', '300.1.1.1/8'])('refuses the allowlist entry %s', (entry) => {
    expect(configError({ CONCORD_WEBHOOK_ALLOWLIST: entry }).issues.map((issue) => issue.variable)).toEqual(['CONCORD_WEBHOOK_ALLOWLIST']);
  });
});

describe('redisConnectionOptions', () => {
  it.each([
    ['redis://127.0.0.1:6379', { host: '127.0.0.1', port: 6379 }],
    ['redis://redis', { host: 'redis', port: 6379 }],
    ['redis://:s%40cret@cache:6380/3', { host: 'cache', port: 6380, password: 's@cret', db: 3 }],
    ['rediss://user:pw@[::1]:7000', { host: '::1', port: 7000, username: 'user', password: 'pw', tls: {} }],
  ])('reads %s', (url, expected) => {
    expect(redisConnectionOptions(url)).toEqual({ ...expected, maxRetriesPerRequest: null });
  });
});
