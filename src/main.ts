import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { PrototypeStableExpressAdapter } from './common/express-adapter';
import { ApiModule } from './api.module';
import { JSON_BODY_LIMIT, shouldParseJsonBody } from './common/json-body';
import { PinoNestLogger, ROOT_LOGGER, type Logger } from './common/logger';
import { setupOpenApi } from './common/openapi';
import { requestContextMiddleware } from './common/request-context.middleware';
import { createRequestLogMiddleware } from './common/request-log.middleware';
import { exitOnStartupError } from './common/startup';
import { AppConfig, loadConfig } from './config/app.config';
import { prepareDatabase } from './database/migrations';
import { MetricsService } from './metrics/metrics.service';

/**
 * Everything the API needs around its Nest modules, in order: the request id and log context
 * first, the request log, request timing, the JSON body parser (not on streamed uploads), the
 * OpenAPI document and Swagger UI, and shutdown hooks. Used by main, the demo and the tests.
 */
export function configureApiApp(app: NestExpressApplication): void {
  const config = app.get(AppConfig);
  const logger = app.get<Logger>(ROOT_LOGGER);
  app.useLogger(app.get(PinoNestLogger));
  app.disable('x-powered-by');
  app.use(requestContextMiddleware);
  app.use(createRequestLogMiddleware(logger));
  app.use(app.get(MetricsService).httpMiddleware);
  app.useBodyParser('json', { limit: JSON_BODY_LIMIT, type: shouldParseJsonBody });
  setupOpenApi(app, config.publicUrl);
  app.enableShutdownHooks();
}

/** Creates the database if missing, migrates it (under the advisory lock), and builds the API app. */
export async function createApiApp(): Promise<NestExpressApplication> {
  const config = loadConfig();
  await prepareDatabase(config);
  const app = await NestFactory.create<NestExpressApplication>(ApiModule, new PrototypeStableExpressAdapter(), {
    bodyParser: false,
    bufferLogs: true,
    abortOnError: false,
  });
  configureApiApp(app);
  return app;
}

async function main(): Promise<void> {
  const app = await createApiApp();
  const config = app.get(AppConfig);
  await app.listen(config.port);
  const url = (await app.getUrl()).replace('[::1]', 'localhost').replace('127.0.0.1', 'localhost');
  app.get<Logger>(ROOT_LOGGER).info({ url, docs: `${url}/docs` }, 'Concord API listening');
}

if (require.main === module) {
  main().catch(exitOnStartupError);
}
