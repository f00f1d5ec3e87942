import { Inject, Injectable, type LoggerService } from '@nestjs/common';
import pino, { type DestinationStream, type Logger } from 'pino';
import { AppConfig, type LogLevel } from '../config/app.config';
import { currentLogContext } from './request-context';

/** Injection token of the process's one pino logger (`@Inject(ROOT_LOGGER) log: Logger`). */
export const ROOT_LOGGER = Symbol('ROOT_LOGGER');

export type { Logger } from 'pino';

/**
 * The one pino logger: JSON lines on stdout, ISO timestamps, and the request/job context of the
 * current async call chain mixed into every line.
 */
export function createRootLogger(level: LogLevel, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'concord', pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      mixin: () => ({ ...currentLogContext() }),
      redact: { paths: ['req.headers.authorization', 'req.headers.cookie'], censor: '[redacted]' },
    },
    // Synchronous writes: a process ending by signal (Nest re-raises SIGTERM after its shutdown
    // hooks) or by crash loses no line.
    destination ?? pino.destination({ dest: 1, sync: true }),
  );
}

/** Tests replace it (`overrideProvider(ROOT_LOGGER)`) with a logger writing to a capture stream. */
export const rootLoggerProvider = {
  provide: ROOT_LOGGER,
  inject: [AppConfig],
  useFactory: (config: AppConfig): Logger => createRootLogger(config.logLevel),
};

/**
 * Nest's LoggerService over the same pino instance, so Nest's own messages and every
 * `new Logger(Context)` in the code are JSON lines with the request/job context too.
 * (nestjs-pino would do this but needs Node 22 here.)
 */
@Injectable()
export class PinoNestLogger implements LoggerService {
  constructor(@Inject(ROOT_LOGGER) private readonly logger: Logger) {}

  log(message: unknown, ...optional: unknown[]): void {
    this.write('info', message, optional);
  }

  error(message: unknown, ...optional: unknown[]): void {
    // Nest passes (message, stack?, context?).
    const context = optional.length > 0 && typeof optional.at(-1) === 'string' ? (optional.pop() as string) : undefined;
    const stack = typeof optional[0] === 'string' ? optional[0] : undefined;
    if (message instanceof Error) {
      this.logger.error({ err: message, ...(context ? { context } : {}) }, message.message);
    } else {
      this.logger.error({ ...(context ? { context } : {}), ...(stack ? { stack } : {}) }, stringify(message));
    }
  }

  warn(message: unknown, ...optional: unknown[]): void {
    this.write('warn', message, optional);
  }

  debug(message: unknown, ...optional: unknown[]): void {
    this.write('debug', message, optional);
  }

  verbose(message: unknown, ...optional: unknown[]): void {
    this.write('trace', message, optional);
  }

  fatal(message: unknown, ...optional: unknown[]): void {
    this.write('fatal', message, optional);
  }

  private write(level: 'info' | 'warn' | 'debug' | 'trace' | 'fatal', message: unknown, optional: unknown[]): void {
    const context = optional.length > 0 && typeof optional.at(-1) === 'string' ? (optional.at(-1) as string) : undefined;
    if (typeof message === 'object' && message !== null && !(message instanceof Error)) {
      this.logger[level]({ ...(context ? { context } : {}), ...message });
    } else {
      this.logger[level](context ? { context } : {}, stringify(message));
    }
  }
}

function stringify(message: unknown): string {
  if (typeof message === 'string') return message;
  if (message instanceof Error) return message.message;
  return JSON.stringify(message) ?? String(message);
}
