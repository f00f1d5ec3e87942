import { Writable } from 'node:stream';
import type { ModuleMetadata } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test, type TestingModuleBuilder } from '@nestjs/testing';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { PrototypeStableExpressAdapter } from '../../src/common/express-adapter';
import { ApiModule } from '../../src/api.module';
import { createRootLogger, ROOT_LOGGER } from '../../src/common/logger';
import { AppConfig, type Env, parseConfig } from '../../src/config/app.config';
import { configureApiApp } from '../../src/main';
import { WorkerModule } from '../../src/worker.module';
import { currentTestRun } from './test-env';

export type Agent = ReturnType<typeof request>;

export interface TestAppOptions {
  /** Also run the worker (BullMQ processors) in this process. Default true. */
  worker?: boolean;
  /** Environment overrides for this app (parsed like the real environment). */
  env?: Env;
  /** Keep the JSON log lines in `logs` (at level `debug` unless LOG_LEVEL is overridden). */
  captureLogs?: boolean;
  /** Extra controllers/providers of the root module (e.g. a route that throws, for filter tests). */
  extra?: Pick<ModuleMetadata, 'controllers' | 'providers'>;
  /** Further provider overrides: `override: (b) => b.overrideProvider(X).useValue(fake)`. */
  override?: (builder: TestingModuleBuilder) => TestingModuleBuilder;
}

export interface TestApp {
  app: NestExpressApplication;
  /** supertest against the app's HTTP server: `agent.get('/v1/projects').set(auth(key))`. */
  agent: Agent;
  /** The run's admin key (CONCORD_ADMIN_KEY, upserted at start). */
  adminKey: string;
  config: AppConfig;
  dataSource: DataSource;
  /** Parsed JSON log lines, when `captureLogs` was set. */
  logs: Record<string, unknown>[];
  close(): Promise<void>;
}

/**
 * Boots the API (and by default the worker) in this process on the run's database and Redis
 * prefix. Apps in one jest worker share a queue prefix, so a test can stop one app's worker and
 * start another on the same queues; parallel jest workers get prefixes of their own.
 */
export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const run = currentTestRun();
  const config = parseConfig({
    ...process.env,
    CONCORD_QUEUE_PREFIX: `${run.queuePrefix}-w${process.env.JEST_WORKER_ID ?? '1'}`,
    ...(options.captureLogs ? { LOG_LEVEL: 'debug' } : {}),
    ...options.env,
  });
  const logs: Record<string, unknown>[] = [];
  const builder = Test.createTestingModule({
    imports: options.worker === false ? [ApiModule] : [ApiModule, WorkerModule],
    controllers: options.extra?.controllers ?? [],
    providers: options.extra?.providers ?? [],
  })
    .overrideProvider(AppConfig)
    .useValue(config);
  if (options.captureLogs) {
    builder.overrideProvider(ROOT_LOGGER).useValue(createRootLogger(config.logLevel, captureStream(logs)));
  }
  const moduleRef = await (options.override ? options.override(builder) : builder).compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>(new PrototypeStableExpressAdapter(), { bodyParser: false, bufferLogs: true });
  configureApiApp(app);
  await app.init();
  return {
    app,
    agent: request(app.getHttpServer()),
    adminKey: run.adminKey,
    config,
    dataSource: app.get(DataSource),
    logs,
    close: () => app.close(),
  };
}

/** `Authorization: Bearer <key>` as a header object for supertest's `.set()`. */
export function auth(key: string): Record<string, string> {
  return { authorization: `Bearer ${key}` };
}

function captureStream(lines: Record<string, unknown>[]): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
      }
      callback();
    },
  });
}
