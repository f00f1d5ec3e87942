import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { PrototypeStableExpressAdapter } from './common/express-adapter';
import { ApiModule } from './api.module';
import { ROOT_LOGGER, type Logger } from './common/logger';
import { exitOnStartupError } from './common/startup';
import { loadConfig } from './config/app.config';
import { prepareDatabase } from './database/migrations';
import { generateDemoCsv } from './demo/demo-generator';
import { seedDemo } from './demo/demo-seed';
import { configureApiApp } from './main';
import { WorkerModule } from './worker.module';

/** API and worker in one process: the demo only (in production they are separate services). */
@Module({ imports: [ApiModule, WorkerModule] })
class DemoModule {}

/**
 * `npm start`: creates the database if missing and migrates it, starts the API and the worker in
 * one process, seeds the demo project and batch once, and prints where to look. (The admin key is
 * printed by the API's start-up when it had to generate one.)
 * `node dist/demo.js --csv` prints the demo file instead (seeded generator, same bytes every time).
 */
async function main(argv: readonly string[]): Promise<void> {
  if (argv.includes('--csv')) {
    // `… --csv | head` closes the pipe early: that is not an error.
    process.stdout.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
    });
    process.stdout.write(generateDemoCsv());
    return;
  }
  const config = loadConfig();
  await prepareDatabase(config);
  const app = await NestFactory.create<NestExpressApplication>(DemoModule, new PrototypeStableExpressAdapter(), {
    bodyParser: false,
    bufferLogs: true,
    abortOnError: false,
  });
  configureApiApp(app);
  await app.listen(config.port);
  const seed = await seedDemo(app);
  app.get<Logger>(ROOT_LOGGER).info({ ...seed }, seed.created ? 'demo batch seeded' : 'demo batch already present');

  const base = config.publicUrl;
  process.stdout.write(
    [
      '',
      `  Concord is running (API and worker in one process).`,
      `    dashboards   ${base}/dashboards/   (sign in with the admin key)`,
      `    API          ${base}/v1`,
      `    API docs     ${base}/docs   (OpenAPI: ${base}/v1/openapi.json)`,
      `    health       ${base}/health`,
      `    demo project ${seed.projectId}`,
      `    demo batch   ${base}/v1/batches/${seed.batchId}`,
      `                 ${base}/v1/batches/${seed.batchId}/agreement`,
      `                 ${base}/v1/batches/${seed.batchId}/annotators`,
      `                 ${base}/v1/batches/${seed.batchId}/flags`,
      `                 ${base}/v1/batches/${seed.batchId}/gate`,
      `                 ${base}/v1/batches/${seed.batchId}/report   (Accept: text/html for the printable page)`,
      `  Every /v1 call needs "Authorization: Bearer <admin key>" (CONCORD_ADMIN_KEY, or the key printed`,
      `  above on the first start).`,
      '',
      '',
    ].join('\n'),
  );
}

if (require.main === module) {
  main(process.argv.slice(2)).catch(exitOnStartupError);
}
