import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * What every log line of the current unit of work carries: the request id in the API, the batch
 * and job ids in the worker. Held in an AsyncLocalStorage so code deep in a service logs it
 * without passing it around.
 */
export interface LogContext {
  requestId?: string;
  /** The API key of the request, once authenticated (its id, never the key). */
  keyId?: string;
  batchId?: string;
  jobId?: string;
  queue?: string;
}

const storage = new AsyncLocalStorage<LogContext>();

/** Runs `fn` with `context` added to the current context (inner values win). */
export function runWithLogContext<T>(context: LogContext, fn: () => T): T {
  return storage.run({ ...storage.getStore(), ...context }, fn);
}

/** Adds fields to the current context in place (e.g. the key id, known only after the guard ran). */
export function addToLogContext(fields: LogContext): void {
  const store = storage.getStore();
  if (store) Object.assign(store, fields);
}

export function currentLogContext(): LogContext {
  return storage.getStore() ?? {};
}

/** The id of the current HTTP request, if any. */
export function currentRequestId(): string | undefined {
  return storage.getStore()?.requestId;
}

/** A BullMQ job as far as logging cares (structural, so this file needs no bullmq import). */
export interface LoggableJob {
  id?: string | undefined;
  queueName: string;
  data: unknown;
}

/**
 * Runs a job handler with `batchId`, `jobId` and `queue` in the log context:
 * `process(job) { return withJobLogContext(job, () => this.service.run(job.data)); }`.
 */
export function withJobLogContext<T>(job: LoggableJob, fn: () => T): T {
  const data = job.data;
  const batchId =
    typeof data === 'object' && data !== null && 'batchId' in data && typeof data.batchId === 'string'
      ? data.batchId
      : undefined;
  return runWithLogContext(
    { queue: job.queueName, ...(job.id === undefined ? {} : { jobId: job.id }), ...(batchId ? { batchId } : {}) },
    fn,
  );
}
