/**
 * Runs a {@link BatchEvaluationRun} for the worker: in a worker thread of its own whenever this
 * process can load the thread script (the built service; the e2e tests' `node -r register-ts.js`),
 * inline otherwise (jest) — as src/batches/dimension-analysis.session.ts does for one dimension, and
 * for the same reason: decoding millions of rows and evaluating them is seconds of CPU, which on the
 * worker's event loop would starve BullMQ's lock renewal (the job would be taken for stalled and run
 * twice) and the other jobs WORKER_CONCURRENCY runs beside it.
 */
import { existsSync } from 'node:fs';
import { extname, join } from 'node:path';
import { RowFeedThread, type Waiter } from '../common/row-feed-thread';
import {
  BatchEvaluationRun,
  EvaluationDataError,
  type BatchEvaluationInput,
  type BatchEvaluationOutput,
} from './batch-evaluation';
import type { EvaluationResultReply } from './batch-evaluation.protocol';

/** The evaluation, and its findings as COPY text rows of `flags` as they are encoded (to be read once). */
export interface EvaluatedBatch extends BatchEvaluationOutput {
  flagsCopy: AsyncIterable<Uint8Array> | Iterable<Uint8Array>;
}

export interface BatchEvaluationSession {
  readonly mode: 'thread' | 'inline';
  /** COPY text bytes; resolves when more may be pushed (memory stays bounded). */
  push(chunk: Uint8Array): Promise<void>;
  /** End of the rows; rejects when decoding them failed. */
  end(): Promise<void>;
  /** Rejects with EvaluationDataError for data the core rejects. */
  evaluate(): Promise<EvaluatedBatch>;
  close(): Promise<void>;
}

const THREAD_SCRIPT = join(__dirname, `batch-evaluation.thread${extname(__filename)}`);

function threadsCanLoad(): boolean {
  return require.extensions[extname(THREAD_SCRIPT)] !== undefined && existsSync(THREAD_SCRIPT);
}

export function openBatchEvaluation(input: BatchEvaluationInput): BatchEvaluationSession {
  return threadsCanLoad() ? new ThreadSession(input) : new InlineSession(input);
}

class InlineSession implements BatchEvaluationSession {
  readonly mode = 'inline';
  private readonly run: BatchEvaluationRun;

  constructor(input: BatchEvaluationInput) {
    this.run = new BatchEvaluationRun(input);
  }

  async push(chunk: Uint8Array): Promise<void> {
    this.run.push(chunk);
  }

  async end(): Promise<void> {
    this.run.end();
  }

  async evaluate(): Promise<EvaluatedBatch> {
    const { output, flags } = this.run.evaluate();
    return { ...output, flagsCopy: flags.chunks() };
  }

  async close(): Promise<void> {}
}

class ThreadSession extends RowFeedThread<{ kind: 'evaluate' }, EvaluationResultReply> implements BatchEvaluationSession {
  private done: Waiter<EvaluatedBatch> | null = null;
  /** Chunks of findings received and not yet read; `flagsEnded` once the last has come. */
  private readonly flagChunks: Uint8Array[] = [];
  private flagsEnded = false;
  private flagWaiter: Waiter<void> | null = null;

  constructor(input: BatchEvaluationInput) {
    super(THREAD_SCRIPT, input, 'evaluation', (message) => new EvaluationDataError(message));
  }

  evaluate(): Promise<EvaluatedBatch> {
    this.check();
    return new Promise<EvaluatedBatch>((resolve, reject) => {
      this.done = { resolve, reject };
      this.post({ kind: 'evaluate' });
    });
  }

  protected onResult(reply: EvaluationResultReply): void {
    switch (reply.kind) {
      case 'evaluated':
        this.done?.resolve({ ...reply.output, flagsCopy: this.receivedFlags() });
        this.done = null;
        break;
      case 'flags':
        this.flagChunks.push(reply.bytes);
        this.wakeFlagReader();
        break;
      case 'flags-end':
        this.flagsEnded = true;
        this.wakeFlagReader();
        break;
    }
  }

  protected rejectPending(error: Error): void {
    for (const waiter of [this.done, this.flagWaiter]) waiter?.reject(error);
    this.done = this.flagWaiter = null;
  }

  /** The findings' chunks in the order the thread sent them; throws when the thread failed first. */
  private async *receivedFlags(): AsyncGenerator<Uint8Array> {
    for (;;) {
      const chunk = this.flagChunks.shift();
      if (chunk !== undefined) {
        yield chunk;
        continue;
      }
      if (this.flagsEnded) return;
      if (this.failure !== null) throw this.failure;
      await new Promise<void>((resolve, reject) => (this.flagWaiter = { resolve, reject }));
    }
  }

  private wakeFlagReader(): void {
    const waiter = this.flagWaiter;
    this.flagWaiter = null;
    waiter?.resolve();
  }
}
