import { auth, type Agent } from './test-app';

export interface BatchStatusBody {
  id: string;
  status: string;
  [key: string]: unknown;
}

export interface WaitForBatchOptions {
  /** Stop when this holds (default: the batch is completed or failed). */
  until?: (batch: BatchStatusBody) => boolean;
  timeoutMs?: number;
  pollMs?: number;
}

const FINISHED = new Set(['completed', 'failed']);

/**
 * Polls `GET /v1/batches/:id` until the batch is finished (or `until` holds) and returns its
 * body: tests synchronise on the batch's state, never on a sleep. Fails with the last state seen.
 */
export async function waitForBatch(
  agent: Agent,
  batchId: string,
  key: string,
  options: WaitForBatchOptions = {},
): Promise<BatchStatusBody> {
  const until = options.until ?? ((batch) => FINISHED.has(batch.status));
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  let last: unknown;
  for (;;) {
    const response = await agent.get(`/v1/batches/${batchId}`).set(auth(key));
    last = response.body;
    if (response.status === 200 && until(response.body as BatchStatusBody)) return response.body as BatchStatusBody;
    if (response.status !== 200) throw new Error(`GET /v1/batches/${batchId}: ${response.status} ${JSON.stringify(last)}`);
    if (Date.now() > deadline) throw new Error(`batch ${batchId} not done in time; last seen ${JSON.stringify(last)}`);
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 50));
  }
}
