import type { JobsOptions, WorkerOptions } from 'bullmq';
import type { AppConfig } from '../config/app.config';

const DAY_SECONDS = 24 * 60 * 60;

/**
 * Options of every job of a batch flow: 5 attempts with exponential backoff (1 s, 2 s, 4 s, 8 s);
 * finished jobs are kept a while for inspection, then trimmed (the database keeps the record).
 */
export const BATCH_JOB_OPTIONS = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: { age: 7 * DAY_SECONDS },
  removeOnFail: { age: 30 * DAY_SECONDS },
} as const satisfies JobsOptions;

/**
 * Options of a worker, from the configuration. The lock is held for JOB_LOCK_MS and renewed every
 * half of it while the job runs; when a worker dies its lock expires and the stalled-job check
 * (run every JOB_LOCK_MS, at most every 30 s) moves the job back to wait for another worker.
 * `maxStalledCount: 2`: a job that stalls a third time (it keeps killing its worker) fails.
 */
export function workerOptions(
  config: Pick<AppConfig, 'workerConcurrency' | 'jobLockMs'>,
): Pick<WorkerOptions, 'concurrency' | 'lockDuration' | 'stalledInterval' | 'maxStalledCount'> {
  return {
    concurrency: config.workerConcurrency,
    lockDuration: config.jobLockMs,
    stalledInterval: Math.min(config.jobLockMs, 30_000),
    maxStalledCount: 2,
  };
}
