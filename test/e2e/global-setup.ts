import { randomBytes } from 'node:crypto';
import { withDatabase } from '../../src/database/ensure-database';
import { prepareDatabase } from '../../src/database/migrations';
import { TEST_RUN_ID_VARIABLE } from '../helpers/test-env';

/**
 * Once per e2e run: a database `concord_test_<run>` on the local PostgreSQL with the real
 * migrations applied, a Redis key prefix `concord-test-<run>`, a short job lock (so a killed
 * worker's job is picked up again quickly) and a known admin key. Test workers inherit the env.
 */
export default async function globalSetup(): Promise<void> {
  const runId = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  const serverUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/concord';
  process.env[TEST_RUN_ID_VARIABLE] = runId;
  process.env.DATABASE_URL = withDatabase(serverUrl, `concord_test_${runId}`);
  process.env.CONCORD_QUEUE_PREFIX = `concord-test-${runId}`;
  process.env.CONCORD_ADMIN_KEY = `cnc_${randomBytes(32).toString('base64url')}`;
  process.env.JOB_LOCK_MS ??= '2000';
  process.env.LOG_LEVEL ??= 'silent';
  await prepareDatabase({ databaseUrl: process.env.DATABASE_URL });
}
