import { DataSource } from 'typeorm';
import { parseConfig } from '../../src/config/app.config';
import { HealthService } from '../../src/health/health.service';
import { createTestApp, type TestApp } from '../helpers/test-app';

describe('health', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });

  afterAll(async () => {
    await t?.close();
  });

  it('is ready when PostgreSQL and Redis answer', async () => {
    const response = await t.agent.get('/health');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      status: 'ok',
      checks: {
        database: { status: 'up', latencyMs: expect.any(Number) },
        redis: { status: 'up', latencyMs: expect.any(Number) },
      },
    });
    expect(response.headers['cache-control']).toBe('no-store');
  });

  it('answers liveness without touching a dependency', async () => {
    const response = await t.agent.get('/health?probe=live');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ status: 'ok' });
  });
});

describe('health with Redis unreachable', () => {
  let t: TestApp;

  beforeAll(async () => {
    // The health check's own Redis connection points at a closed port (connections are refused);
    // the rest of the app keeps the real Redis, so it starts and stops normally.
    t = await createTestApp({
      worker: false,
      override: (builder) =>
        builder.overrideProvider(HealthService).useFactory({
          inject: [DataSource],
          factory: (dataSource: DataSource) => new HealthService(dataSource, parseConfig({ REDIS_URL: 'redis://127.0.0.1:9' })),
        }),
    });
  });

  afterAll(async () => {
    await t?.close();
  });

  it('is not ready (503) and says which dependency is down', async () => {
    const response = await t.agent.get('/health');
    expect(response.status).toBe(503);
    expect(response.body).toMatchObject({
      status: 'unavailable',
      checks: { database: { status: 'up' }, redis: { status: 'down', error: expect.any(String) } },
    });
  });

  it('is still alive', async () => {
    expect((await t.agent.get('/health?probe=live')).status).toBe(200);
  });
});
