import type { RedisOptions } from 'bullmq';

/**
 * ioredis options from REDIS_URL, spelled out rather than passed as `url` (BullMQ merges its own
 * host/port defaults into the options, which could shadow the URL's). `maxRetriesPerRequest: null`
 * as BullMQ requires for workers: a command waits for Redis to come back instead of failing.
 */
export function redisConnectionOptions(redisUrl: string): RedisOptions {
  const url = new URL(redisUrl);
  const db = url.pathname.replace(/^\//, '');
  return {
    host: url.hostname.replace(/^\[(.*)\]$/, '$1') || '127.0.0.1',
    port: url.port ? Number(url.port) : 6379,
    ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
    ...(db ? { db: Number(db) } : {}),
    ...(url.protocol === 'rediss:' ? { tls: {} } : {}),
    maxRetriesPerRequest: null,
  };
}
