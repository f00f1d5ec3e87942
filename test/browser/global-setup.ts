import e2eGlobalSetup from '../e2e/global-setup';
import { TEST_RUN_ID_VARIABLE } from '../helpers/test-env';

/** Set when this project created the run (so only it drops it). */
export const BROWSER_OWNS_RUN = 'CONCORD_BROWSER_OWNS_RUN';

/**
 * The e2e run's database and Redis prefix when e2e runs too (`npm test`: its global setup ran
 * first and the env is set), otherwise a run of its own made the same way.
 */
export default async function globalSetup(): Promise<void> {
  if (process.env[TEST_RUN_ID_VARIABLE]) return;
  await e2eGlobalSetup();
  process.env[BROWSER_OWNS_RUN] = '1';
}
