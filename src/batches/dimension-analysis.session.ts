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
import { RowFeedThread, type Waiter } from '../common/row-feed-thread';
import {
  DimensionAnalysis,
  DimensionDataError,
  type DimensionAnalysisInput,
  type DimensionAnalysisOutput,
} from './dimension-analysis';
import type { AnalysisResultReply } from './dimension-analysis.protocol';

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

class ThreadSession extends RowFeedThread<{ kind: 'analyze' }, AnalysisResultReply> implements DimensionAnalysisSession {
  private done: Waiter<DimensionAnalysisOutput> | null = null;

  constructor(input: DimensionAnalysisInput) {
    super(THREAD_SCRIPT, input, 'analysis', (message) => new DimensionDataError(message));
  }

  analyze(): Promise<DimensionAnalysisOutput> {
    this.check();
    return new Promise<DimensionAnalysisOutput>((resolve, reject) => {
      this.done = { resolve, reject };
      this.post({ kind: 'analyze' });
    });
  }

  protected onResult(reply: AnalysisResultReply): void {
    this.done?.resolve(reply.output);
    this.done = null;
  }

  protected rejectPending(error: Error): void {
    this.done?.reject(error);
    this.done = null;
  }
}
