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
import { Worker } from 'node:worker_threads';
import {
  BatchEvaluationRun,
  EvaluationDataError,
  type BatchEvaluationInput,
  type BatchEvaluationOutput,
} from './batch-evaluation';
import type { EvaluationThreadReply, EvaluationThreadRequest } from './batch-evaluation.protocol';

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
/** Bytes posted to the thread at a time, and how many posts may wait there unprocessed. */
const POST_BYTES = 512 * 1024;
const MAX_IN_FLIGHT = 4;

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

interface Waiter<T> {
  resolve: (value: T) => void;
  reject: (error: Error) => void;
}

class ThreadSession implements BatchEvaluationSession {
  readonly mode = 'thread';
  private readonly worker: Worker;
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  private inFlight = 0;
  private failure: Error | null = null;
  private closed = false;
  private capacity: Waiter<void> | null = null;
  private ended: Waiter<void> | null = null;
  private done: Waiter<EvaluatedBatch> | null = null;
  /** Chunks of findings received and not yet read; `flagsEnded` once the last has come. */
  private readonly flagChunks: Uint8Array[] = [];
  private flagsEnded = false;
  private flagWaiter: Waiter<void> | null = null;

  constructor(input: BatchEvaluationInput) {
    this.worker = new Worker(THREAD_SCRIPT, { workerData: input });
    this.worker.on('message', (reply: EvaluationThreadReply) => this.onReply(reply));
    this.worker.on('error', (error) => this.fail(error));
    this.worker.on('exit', (code) => {
      if (!this.closed) this.fail(new Error(`the evaluation thread exited with code ${code}`));
    });
  }

  async push(chunk: Uint8Array): Promise<void> {
    this.check();
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    if (this.pendingBytes < POST_BYTES) return;
    this.flush();
    if (this.inFlight >= MAX_IN_FLIGHT) {
      await new Promise<void>((resolve, reject) => (this.capacity = { resolve, reject }));
    }
  }

  end(): Promise<void> {
    this.check();
    this.flush();
    return new Promise<void>((resolve, reject) => {
      this.ended = { resolve, reject };
      this.post({ kind: 'end' });
    });
  }

  evaluate(): Promise<EvaluatedBatch> {
    this.check();
    return new Promise<EvaluatedBatch>((resolve, reject) => {
      this.done = { resolve, reject };
      this.post({ kind: 'evaluate' });
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.worker.terminate();
  }

  /** The pending bytes as one transferable buffer of their own (pg's chunks may share a pool). */
  private flush(): void {
    if (this.pendingBytes === 0) return;
    const bytes = new Uint8Array(this.pendingBytes);
    let offset = 0;
    for (const chunk of this.pending) {
      bytes.set(chunk, offset);
      offset += chunk.length;
    }
    this.pending = [];
    this.pendingBytes = 0;
    this.inFlight += 1;
    this.post({ kind: 'rows', bytes }, [bytes.buffer]);
  }

  private post(request: EvaluationThreadRequest, transfer: ArrayBuffer[] = []): void {
    this.worker.postMessage(request, transfer);
  }

  private onReply(reply: EvaluationThreadReply): void {
    switch (reply.kind) {
      case 'taken': {
        this.inFlight -= 1;
        const waiter = this.capacity;
        if (waiter !== null && this.inFlight < MAX_IN_FLIGHT) {
          this.capacity = null;
          waiter.resolve();
        }
        break;
      }
      case 'ended':
        this.ended?.resolve();
        this.ended = null;
        break;
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
      case 'failed': {
        const error = reply.dataError ? new EvaluationDataError(reply.message) : new Error(reply.message);
        if (!reply.dataError && reply.stack !== undefined) error.stack = reply.stack;
        this.fail(error);
        break;
      }
    }
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

  private fail(error: Error): void {
    if (this.failure === null) this.failure = error;
    for (const waiter of [this.capacity, this.ended, this.done, this.flagWaiter]) waiter?.reject(this.failure);
    this.capacity = this.ended = this.done = this.flagWaiter = null;
  }

  private check(): void {
    if (this.failure !== null) throw this.failure;
    if (this.closed) throw new Error('the evaluation session is closed');
  }
}
