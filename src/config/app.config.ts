import { isIP } from 'node:net';
import { z } from 'zod';

/** Log levels accepted by pino (plus `silent`). */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const GIB = 1024 ** 3;

function urlWithProtocols(protocols: readonly string[]) {
  return z.string().refine(
    (value) => {
      try {
        return protocols.includes(new URL(value).protocol);
      } catch {
        return false;
      }
    },
    { message: `must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}` },
  );
}

/** A host name, an IP address or a CIDR (`10.0.0.0/8`, `::1/128`) of CONCORD_WEBHOOK_ALLOWLIST. */
function isAllowlistEntry(entry: string): boolean {
  const slash = entry.indexOf('/');
  if (slash === -1) return isIP(entry) !== 0 || /^(?=.{1,253}$)[a-z0-9_]([a-z0-9_-]{0,62})(\.[a-z0-9_]([a-z0-9_-]{0,62}))*\.?$/.test(entry);
  const family = isIP(entry.slice(0, slash));
  const prefix = entry.slice(slash + 1);
  return family !== 0 && /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

function integer(min: number, max: number) {
  return z
    .string()
    .trim()
    .regex(/^\d+$/, { message: 'must be a whole number' })
    .transform(Number)
    .pipe(z.number().int().min(min, { message: `must be at least ${min}` }).max(max, { message: `must be at most ${max}` }));
}

/**
 * The environment, as read once at start. Every variable has a default that works on a developer
 * machine with PostgreSQL and Redis on localhost, except CONCORD_ADMIN_KEY (optional by design).
 */
const envSchema = z.object({
  DATABASE_URL: urlWithProtocols(['postgres:', 'postgresql:']).default('postgres://postgres@127.0.0.1:5432/concord'),
  REDIS_URL: urlWithProtocols(['redis:', 'rediss:']).default('redis://127.0.0.1:6379'),
  PORT: integer(0, 65535).default(3000),
  CONCORD_ADMIN_KEY: z
    .string()
    .min(24, { message: 'must be at least 24 characters (use a generated key, e.g. cnc_ + 32 random bytes)' })
    .optional(),
  CONCORD_QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, { message: 'must be 1-64 letters, digits, "-" or "_" (no ":")' })
    .default('concord'),
  UPLOAD_LIMIT_BYTES: integer(1, Number.MAX_SAFE_INTEGER).default(2 * GIB),
  UPLOAD_HEAP_GROWTH_PERCENT: integer(0, 1000).default(20),
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  WORKER_CONCURRENCY: integer(1, 64).default(2),
  JOB_LOCK_MS: integer(1000, 3_600_000).default(30_000),
  PUBLIC_URL: urlWithProtocols(['http:', 'https:']).optional(),
  CONCORD_SECRET_KEY: z
    .string()
    .min(32, { message: 'must be at least 32 characters (e.g. openssl rand -base64 32)' })
    .optional(),
  CONCORD_WEBHOOK_ALLOWLIST: z
    .string()
    .default('')
    .transform((value) => value.split(',').map((entry) => entry.trim().toLowerCase()).filter((entry) => entry !== ''))
    .pipe(z.array(z.string().refine(isAllowlistEntry, { message: 'must list host names, IP addresses or CIDRs (e.g. 127.0.0.1/32), comma-separated' }))),
  WEBHOOK_TIMEOUT_MS: integer(100, 120_000).default(10_000),
  WEBHOOK_MAX_ATTEMPTS: integer(1, 50).default(15),
  WEBHOOK_BACKOFF_BASE_MS: integer(10, 3_600_000).default(10_000),
  WEBHOOK_BACKOFF_MAX_MS: integer(10, 7 * 24 * 3_600_000).default(6 * 3_600_000),
  WEBHOOK_CONCURRENCY: integer(1, 256).default(16),
  WEBHOOK_MAX_IN_FLIGHT: integer(1, 64).default(2),
});

type EnvShape = z.input<typeof envSchema>;
export type Env = Partial<Record<keyof EnvShape, string | undefined>> & Record<string, string | undefined>;

/** One problem with one environment variable. */
export interface ConfigIssue {
  variable: string;
  message: string;
}

/** Thrown at start when the environment is invalid; the message lists every bad variable. */
export class ConfigError extends Error {
  constructor(readonly issues: readonly ConfigIssue[]) {
    super(
      `Invalid configuration (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n` +
        issues.map((issue) => `  ${issue.variable}: ${issue.message}`).join('\n'),
    );
    this.name = 'ConfigError';
  }
}

/**
 * The parsed configuration. Injected by class (`constructor(private readonly config: AppConfig)`);
 * built only by {@link parseConfig}, so every instance is valid.
 */
export class AppConfig {
  readonly databaseUrl: string;
  readonly redisUrl: string;
  readonly port: number;
  readonly adminKey: string | null;
  readonly queuePrefix: string;
  readonly uploadLimitBytes: number;
  /** V8's heap growth (%) past the live heap while an upload streams; 0 = V8's own (see UploadHeapGrowth). */
  readonly uploadHeapGrowthPercent: number;
  readonly logLevel: LogLevel;
  readonly workerConcurrency: number;
  readonly jobLockMs: number;
  readonly publicUrl: string;
  /** Encrypts webhook signing secrets at rest (AES-256-GCM); null = webhooks cannot be created. */
  readonly secretKey: string | null;
  /** Hosts, IPs and CIDRs that webhook URLs may reach although private, loopback or link-local. */
  readonly webhookAllowlist: readonly string[];
  readonly webhookTimeoutMs: number;
  readonly webhookMaxAttempts: number;
  readonly webhookBackoffBaseMs: number;
  readonly webhookBackoffMaxMs: number;
  readonly webhookConcurrency: number;
  /** Deliveries to one subscription in flight at once, across every worker process. */
  readonly webhookMaxInFlight: number;

  private constructor(env: z.output<typeof envSchema>) {
    this.databaseUrl = env.DATABASE_URL;
    this.redisUrl = env.REDIS_URL;
    this.port = env.PORT;
    this.adminKey = env.CONCORD_ADMIN_KEY ?? null;
    this.queuePrefix = env.CONCORD_QUEUE_PREFIX;
    this.uploadLimitBytes = env.UPLOAD_LIMIT_BYTES;
    this.uploadHeapGrowthPercent = env.UPLOAD_HEAP_GROWTH_PERCENT;
    this.logLevel = env.LOG_LEVEL;
    this.workerConcurrency = env.WORKER_CONCURRENCY;
    this.jobLockMs = env.JOB_LOCK_MS;
    this.publicUrl = (env.PUBLIC_URL ?? `http://localhost:${env.PORT}`).replace(/\/+$/, '');
    this.secretKey = env.CONCORD_SECRET_KEY ?? null;
    this.webhookAllowlist = env.CONCORD_WEBHOOK_ALLOWLIST;
    this.webhookTimeoutMs = env.WEBHOOK_TIMEOUT_MS;
    this.webhookMaxAttempts = env.WEBHOOK_MAX_ATTEMPTS;
    this.webhookBackoffBaseMs = env.WEBHOOK_BACKOFF_BASE_MS;
    this.webhookBackoffMaxMs = env.WEBHOOK_BACKOFF_MAX_MS;
    this.webhookConcurrency = env.WEBHOOK_CONCURRENCY;
    this.webhookMaxInFlight = env.WEBHOOK_MAX_IN_FLIGHT;
  }

  /** The database name in DATABASE_URL (used to create it when missing). */
  get databaseName(): string {
    return decodeURIComponent(new URL(this.databaseUrl).pathname.replace(/^\//, '')) || 'postgres';
  }

  /** @internal — use {@link parseConfig}. */
  static fromParsed(env: z.output<typeof envSchema>): AppConfig {
    return new AppConfig(env);
  }
}

/**
 * Parses the environment. Empty strings count as unset (so `PORT=` in a .env file means the
 * default). Throws {@link ConfigError} naming every bad variable at once.
 */
export function parseConfig(env: Env): AppConfig {
  const relevant: Record<string, string> = {};
  for (const key of Object.keys(envSchema.shape)) {
    const value = env[key];
    if (value !== undefined && value !== '') relevant[key] = value;
  }
  const result = envSchema.safeParse(relevant);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => ({
        variable: String(issue.path[0] ?? '(environment)'),
        message: issue.message,
      })),
    );
  }
  return AppConfig.fromParsed(result.data);
}

let processConfig: AppConfig | undefined;

/** The process's configuration, parsed from `process.env` on first use and then reused. */
export function loadConfig(): AppConfig {
  processConfig ??= parseConfig(process.env);
  return processConfig;
}
