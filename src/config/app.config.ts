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
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  WORKER_CONCURRENCY: integer(1, 64).default(2),
  JOB_LOCK_MS: integer(1000, 3_600_000).default(30_000),
  PUBLIC_URL: urlWithProtocols(['http:', 'https:']).optional(),
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
  readonly logLevel: LogLevel;
  readonly workerConcurrency: number;
  readonly jobLockMs: number;
  readonly publicUrl: string;

  private constructor(env: z.output<typeof envSchema>) {
    this.databaseUrl = env.DATABASE_URL;
    this.redisUrl = env.REDIS_URL;
    this.port = env.PORT;
    this.adminKey = env.CONCORD_ADMIN_KEY ?? null;
    this.queuePrefix = env.CONCORD_QUEUE_PREFIX;
    this.uploadLimitBytes = env.UPLOAD_LIMIT_BYTES;
    this.logLevel = env.LOG_LEVEL;
    this.workerConcurrency = env.WORKER_CONCURRENCY;
    this.jobLockMs = env.JOB_LOCK_MS;
    this.publicUrl = (env.PUBLIC_URL ?? `http://localhost:${env.PORT}`).replace(/\/+$/, '');
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
