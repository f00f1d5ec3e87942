import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { PinoNestLogger, ROOT_LOGGER, type Logger } from './common/logger';
import { exitOnStartupError } from './common/startup';
import { loadConfig } from './config/app.config';
import { WorkerModule } from './worker.module';

/**
 * The worker process: no HTTP, only the BullMQ processors of WorkerModule. Shutdown hooks close
 * the workers gracefully on SIGTERM/SIGINT (the active job finishes or its lock lapses and another
 * worker takes it), so jobs do not stall.
 */
export async function createWorkerApp(): Promise<INestApplicationContext> {
  loadConfig();
  const app = await NestFactory.createApplicationContext(WorkerModule, { bufferLogs: true, abortOnError: false });
  app.useLogger(app.get(PinoNestLogger));
  app.enableShutdownHooks();
  return app;
}

async function main(): Promise<void> {
  const app = await createWorkerApp();
  await app.init();
  app.get<Logger>(ROOT_LOGGER).info('Concord worker started');
}

if (require.main === module) {
  main().catch(exitOnStartupError);
}
