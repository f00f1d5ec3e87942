/**
 * The worker's side of a thread that decodes the COPY text rows of a query and computes on them:
 * the agreement job's dimension analysis (src/batches/dimension-analysis.session.ts) and the
 * evaluate step (src/flags/batch-evaluation.session.ts). Bytes go to the thread in posts of
 * POST_BYTES (one transferable buffer each); at most MAX_IN_FLIGHT posts wait there undecoded, so
 * memory stays bounded however fast PostgreSQL sends. A failure of the thread rejects every pending
 * promise and every later call.
 */
import { Worker } from 'node:worker_threads';

/** The requests every row-feed thread takes besides its own. */
export type RowFeedRequest =
  /** COPY text bytes (transferred). */
  | { kind: 'rows'; bytes: Uint8Array }
  | { kind: 'end' };

/** The replies every row-feed thread sends besides its results. */
export type RowFeedReply =
  /** One `rows` message has been decoded (flow control). */
  | { kind: 'taken' }
  | { kind: 'ended' }
  /** `dataError`: the core rejected the data (no retry helps). The thread takes no more work. */
  | { kind: 'failed'; dataError: boolean; message: string; stack?: string };

export interface Waiter<T> {
  resolve: (value: T) => void;
  reject: (error: Error) => void;
}

/** Bytes posted to the thread at a time, and how many posts may wait there unprocessed. */
const POST_BYTES = 512 * 1024;
const MAX_IN_FLIGHT = 4;
const FEED_REPLIES: ReadonlySet<string> = new Set(['taken', 'ended', 'failed']);

/**
 * `Request` and `Result` are the thread's own messages (e.g. `analyze` → `analysed`); subclasses
 * post the former and take the latter in `onResult`.
 */
export abstract class RowFeedThread<Request extends { kind: string }, Result extends { kind: string }> {
  readonly mode = 'thread';
  protected failure: Error | null = null;
  private readonly worker: Worker;
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  private inFlight = 0;
  private closed = false;
  private capacity: Waiter<void> | null = null;
  private ended: Waiter<void> | null = null;

  /**
   * `what` names the work in messages ("the analysis thread exited…"); `dataError` builds the error
   * for data the core rejected.
   */
  protected constructor(
    script: string,
    workerData: unknown,
    private readonly what: string,
    private readonly dataError: (message: string) => Error,
  ) {
    this.worker = new Worker(script, { workerData });
    this.worker.on('message', (reply: Result | RowFeedReply) => this.onReply(reply));
    this.worker.on('error', (error) => this.fail(error));
    this.worker.on('exit', (code) => {
      if (!this.closed) this.fail(new Error(`the ${what} thread exited with code ${code}`));
    });
  }

  /** COPY text bytes; resolves when more may be pushed. */
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

  /** End of the rows; rejects when the thread failed decoding them. */
  end(): Promise<void> {
    this.check();
    this.flush();
    return new Promise<void>((resolve, reject) => {
      this.ended = { resolve, reject };
      this.post({ kind: 'end' });
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.worker.terminate();
  }

  protected post(request: Request | RowFeedRequest, transfer: ArrayBuffer[] = []): void {
    this.worker.postMessage(request, transfer);
  }

  /** A reply of the thread's own kinds. */
  protected abstract onResult(reply: Result): void;

  /** Rejects the subclass's pending promises (the thread failed). */
  protected abstract rejectPending(error: Error): void;

  protected check(): void {
    if (this.failure !== null) throw this.failure;
    if (this.closed) throw new Error(`the ${this.what} session is closed`);
  }

  private fail(error: Error): void {
    if (this.failure === null) this.failure = error;
    for (const waiter of [this.capacity, this.ended]) waiter?.reject(this.failure);
    this.capacity = this.ended = null;
    this.rejectPending(this.failure);
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

  private onReply(reply: Result | RowFeedReply): void {
    if (!FEED_REPLIES.has(reply.kind)) {
      this.onResult(reply as Result);
      return;
    }
    const feed = reply as RowFeedReply;
    switch (feed.kind) {
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
      case 'failed': {
        const error = feed.dataError ? this.dataError(feed.message) : new Error(feed.message);
        if (!feed.dataError && feed.stack !== undefined) error.stack = feed.stack;
        this.fail(error);
        break;
      }
    }
  }
}
