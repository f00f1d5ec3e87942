import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';
import { AppConfig } from '../config/app.config';
import { redisConnectionOptions } from '../config/redis-connection';

export type DependencyStatus = 'up' | 'down';

export interface DependencyCheck {
  status: DependencyStatus;
  latencyMs: number;
  error?: string;
}

export interface Readiness {
  status: 'ok' | 'unavailable';
  checks: { database: DependencyCheck; redis: DependencyCheck };
}

const CHECK_TIMEOUT_MS = 2000;

/**
 * Readiness: PostgreSQL answers `SELECT 1` and Redis answers PING, each within 2 s. Redis is
 * checked on a connection of its own that fails fast (no offline queue, one retry), unlike the
 * BullMQ connections, which wait for Redis forever by design.
 */
@Injectable()
export class HealthService implements OnModuleDestroy {
  private readonly redis: Redis;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    config: AppConfig,
  ) {
    this.redis = new Redis({
      ...redisConnectionOptions(config.redisUrl),
      maxRetriesPerRequest: 1,
      enableOfflineQueue: false,
      connectTimeout: CHECK_TIMEOUT_MS,
      lazyConnect: true,
      connectionName: 'concord-health',
    });
    // Errors surface through the checks; without a listener ioredis would log each reconnect.
    this.redis.on('error', () => undefined);
  }

  async readiness(): Promise<Readiness> {
    const [database, redis] = await Promise.all([
      timed(async () => {
        await this.dataSource.query('SELECT 1');
      }),
      timed(async () => {
        if (this.redis.status === 'wait' || this.redis.status === 'end') await this.redis.connect();
        await this.redis.ping();
      }),
    ]);
    return { status: database.status === 'up' && redis.status === 'up' ? 'ok' : 'unavailable', checks: { database, redis } };
  }

  async onModuleDestroy(): Promise<void> {
    this.redis.disconnect();
  }
}

async function timed(check: () => Promise<void>): Promise<DependencyCheck> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
      }),
    ]);
    return { status: 'up', latencyMs: Math.round(performance.now() - started) };
  } catch (error) {
    return {
      status: 'down',
      latencyMs: Math.round(performance.now() - started),
      error: error instanceof Error ? error.message : String(error),
    };
  } finally {
    clearTimeout(timer);
  }
}
