/**
 * The environment of one e2e run, set by test/e2e/global-setup.ts before any test file loads
 * (jest workers inherit it): a fresh database and a Redis key prefix of their own.
 */
export const TEST_RUN_ID_VARIABLE = 'CONCORD_TEST_RUN_ID';

export interface TestRun {
  runId: string;
  databaseUrl: string;
  queuePrefix: string;
  adminKey: string;
}

export function currentTestRun(): TestRun {
  const runId = process.env[TEST_RUN_ID_VARIABLE];
  const { DATABASE_URL, CONCORD_QUEUE_PREFIX, CONCORD_ADMIN_KEY } = process.env;
  if (!runId || !DATABASE_URL || !CONCORD_QUEUE_PREFIX || !CONCORD_ADMIN_KEY) {
    throw new Error('the e2e environment is not set up: run through jest (test/e2e/global-setup.ts)');
  }
  return { runId, databaseUrl: DATABASE_URL, queuePrefix: CONCORD_QUEUE_PREFIX, adminKey: CONCORD_ADMIN_KEY };
}
