/**
 * Worker-thread entry of a batch's evaluation (started by batch-evaluation.session.ts with the
 * BatchEvaluationInput as workerData). Pure computation: bytes in, results out; no database.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { BatchEvaluationRun, EvaluationDataError, type BatchEvaluationInput } from './batch-evaluation';
import type { EvaluationThreadReply, EvaluationThreadRequest } from './batch-evaluation.protocol';

const port = parentPort;
if (port === null) throw new Error('batch-evaluation.thread must run in a worker thread');

const run = new BatchEvaluationRun(workerData as BatchEvaluationInput);
let failed = false;

port.on('message', (request: EvaluationThreadRequest) => {
  if (failed) return;
  try {
    switch (request.kind) {
      case 'rows':
        run.push(request.bytes);
        port.postMessage({ kind: 'taken' } satisfies EvaluationThreadReply);
        break;
      case 'end':
        run.end();
        port.postMessage({ kind: 'ended' } satisfies EvaluationThreadReply);
        break;
      case 'evaluate': {
        const { output, flags } = run.evaluate();
        port.postMessage({ kind: 'evaluated', output } satisfies EvaluationThreadReply);
        // Chunk by chunk, so the worker's thread stores the first while the rest are encoded; the
        // bytes move there instead of being copied.
        for (const bytes of flags.chunks()) port.postMessage({ kind: 'flags', bytes } satisfies EvaluationThreadReply, [bytes.buffer as ArrayBuffer]);
        port.postMessage({ kind: 'flags-end' } satisfies EvaluationThreadReply);
        break;
      }
    }
  } catch (error) {
    failed = true;
    const err = error instanceof Error ? error : new Error(String(error));
    port.postMessage({
      kind: 'failed',
      dataError: err instanceof EvaluationDataError,
      message: err.message,
      ...(err.stack ? { stack: err.stack } : {}),
    } satisfies EvaluationThreadReply);
  }
});
