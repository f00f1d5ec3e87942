/**
 * Runs a {@link DimensionAnalysis} for the worker: in a worker thread of its own whenever this
 * process can load the thread script — always for the built service (`.js`), and for the TypeScript
 * sources when Node runs with a `.ts` loader that threads inherit through execArgv (the e2e tests'
 * `node -r register-ts.js src/worker.ts`) — and inline otherwise (jest, which compiles modules itself).
 *
 * Why a thread: decoding a million rows and the bootstrap (1000 resamples) are seconds of CPU. On the
 * worker's event loop they would block BullMQ's lock renewal — a job that outlives its lock is
 * taken for stalled and run a second time — and serialise jobs that WORKER_CONCURRENCY means to run
 * in parallel. In a thread, the event loop only moves bytes from PostgreSQL to the thread.
 */
import { existsSync } from 'node:fs';
import { extname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import {
  DimensionAnalysis,
  DimensionDataError,
  type DimensionAnalysisInput,
  type DimensionAnalysisOutput,
} from './dimension-analysis';
import type { ThreadReply, ThreadRequest } from './dimension-analysis.protocol';

export interface DimensionAnalysisSession {
  /** Where it runs (for logs). */
  readonly mode: 'thread' | 'inline';
  /** COPY text bytes; resolves when more may be pushed (the thread keeps up; memory stays bounded). */
  push(chunk: Uint8Array): Promise<void>;
  /** End of the rows; rejects when the thread failed decoding them. */
  end(): Promise<void>;
  /** Rejects with DimensionDataError for data the core rejects. */
  analyze(): Promise<DimensionAnalysisOutput>;
  close(): Promise<void>;
}

const THREAD_SCRIPT = join(__dirname, `dimension-analysis.thread${extname(__filename)}`);
/** Bytes posted to the thread at a time, and how many posts may wait there unprocessed. */
const POST_BYTES = 512 * 1024;
const MAX_IN_FLIGHT = 4;

/** Whether Node itself (which a thread uses) can load the thread script; jest's require cannot lend it a loader. */
function threadsCanLoad(): boolean {
  return require.extensions[extname(THREAD_SCRIPT)] !== undefined && existsSync(THREAD_SCRIPT);
}

export function openDimensionAnalysis(input: DimensionAnalysisInput): DimensionAnalysisSession {
  return threadsCanLoad() ? new ThreadSession(input) : new InlineSession(input);
}

class InlineSession implements DimensionAnalysisSession {
  readonly mode = 'inline';
  private readonly analysis: DimensionAnalysis;

  constructor(input: DimensionAnalysisInput) {
    this.analysis = new DimensionAnalysis(input);
  }

  async push(chunk: Uint8Array): Promise<void> {
    this.analysis.push(chunk);
  }

  async end(): Promise<void> {
    this.analysis.end();
  }

  async analyze(): Promise<DimensionAnalysisOutput> {
    return this.analysis.analyze();
  }

  async close(): Promise<void> {}
}

interface Waiter<T> {
  resolve: (value: T) => void;
  reject: (error: Error) => void;
}

class ThreadSession implements DimensionAnalysisSession {
  readonly mode = 'thread';
  private readonly worker: Worker;
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  private inFlight = 0;
  private failure: Error | null = null;
  private closed = false;
  private capacity: Waiter<void> | null = null;
  private ended: Waiter<void> | null = null;
  private done: Waiter<DimensionAnalysisOutput> | null = null;

  constructor(input: DimensionAnalysisInput) {
    this.worker = new Worker(THREAD_SCRIPT, { workerData: input });
    this.worker.on('message', (reply: ThreadReply) => this.onReply(reply));
    this.worker.on('error', (error) => this.fail(error));
    this.worker.on('exit', (code) => {
      if (!this.closed) this.fail(new Error(`the analysis thread exited with code ${code}`));
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

  analyze(): Promise<DimensionAnalysisOutput> {
    this.check();
    return new Promise<DimensionAnalysisOutput>((resolve, reject) => {
      this.done = { resolve, reject };
      this.post({ kind: 'analyze' });
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

  private post(request: ThreadRequest, transfer: ArrayBuffer[] = []): void {
    this.worker.postMessage(request, transfer);
  }

  private onReply(reply: ThreadReply): void {
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
      case 'analysed':
        this.done?.resolve(reply.output);
        this.done = null;
        break;
      case 'failed': {
        const error = reply.dataError ? new DimensionDataError(reply.message) : new Error(reply.message);
        if (!reply.dataError && reply.stack !== undefined) error.stack = reply.stack;
        this.fail(error);
        break;
      }
    }
  }

  private fail(error: Error): void {
    if (this.failure === null) this.failure = error;
    for (const waiter of [this.capacity, this.ended, this.done]) waiter?.reject(this.failure);
    this.capacity = this.ended = this.done = null;
  }

  private check(): void {
    if (this.failure !== null) throw this.failure;
    if (this.closed) throw new Error('the analysis session is closed');
  }
}
