import { z } from 'zod';

/**
 * TEST ONLY: `CONCORD_TEST_JOB_DELAY_MS` makes every agreement job wait that long after it has
 * stored its results and before it completes — the worst moment for a worker to die (results
 * written, job not done) — so an end-to-end test can kill the worker there deterministically and
 * check that the rerun leaves one set of results (test/e2e/worker-recovery.e2e-spec.ts). Unset (the
 * default) it costs nothing. Read once per processor instance; never set it in production.
 * (Kept out of AppConfig on purpose: it is not a setting of the service.)
 */
export const JOB_TEST_DELAY_VARIABLE = 'CONCORD_TEST_JOB_DELAY_MS';

export function jobTestDelayMs(env: Record<string, string | undefined> = process.env): number {
  const parsed = z.coerce.number().int().min(0).max(600_000).safeParse(env[JOB_TEST_DELAY_VARIABLE] ?? 0);
  if (!parsed.success) throw new Error(`${JOB_TEST_DELAY_VARIABLE}: must be a whole number of milliseconds (0-600000)`);
  return parsed.data;
}
