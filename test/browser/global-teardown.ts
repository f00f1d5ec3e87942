import e2eGlobalTeardown from '../e2e/global-teardown';
import { BROWSER_OWNS_RUN } from './global-setup';

/** Drops the run only when this project created it (e2e's teardown drops its own). */
export default async function globalTeardown(): Promise<void> {
  if (process.env[BROWSER_OWNS_RUN] === '1') await e2eGlobalTeardown();
}
