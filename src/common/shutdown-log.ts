import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import { ROOT_LOGGER } from './logger';

/** Logs the end of a graceful shutdown (queues and workers closed, connections released). */
@Injectable()
export class ShutdownLog implements OnApplicationShutdown {
  constructor(@Inject(ROOT_LOGGER) private readonly logger: Logger) {}

  onApplicationShutdown(signal?: string): void {
    this.logger.info({ signal: signal ?? null }, 'shut down');
  }
}
