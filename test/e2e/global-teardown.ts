import { Redis } from 'ioredis';
import { dropDatabase } from '../../src/database/ensure-database';
import { currentTestRun } from '../helpers/test-env';

/** Drops the run's database and deletes the run's Redis keys (every key under its prefix). */
export default async function globalTeardown(): Promise<void> {
  const run = currentTestRun();
  await dropDatabase(run.databaseUrl);
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { lazyConnect: true });
  await redis.connect();
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${run.queuePrefix}*`, 'COUNT', 1000);
      if (keys.length > 0) await redis.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
