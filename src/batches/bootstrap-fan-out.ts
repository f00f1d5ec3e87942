/**
 * The bootstrap's resamples spread over worker threads (DESIGN.md section 3): a
 * {@link ResampleAlphas} for bootstrapAlpha's `resampleAlphas` option, used by the worker's
 * dimension analysis and by the CLI. Each thread computes a range with the core's
 * bootstrapResampleAlphas; every resample has its own generator, so the alphas — hence the
 * interval — are those of one thread computing them all, whatever the number of threads.
 *
 * Synchronous, as the core's analysis is: the calling thread computes the first range itself and
 * then blocks (Atomics.wait) until the others are in a shared buffer. A thread that fails, or does
 * not start in time, has its range computed by the caller instead, so the result never depends on
 * the threads. Where threads cannot load the script (jest), everything runs in the calling thread.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { extname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { bootstrapResampleAlphas, type ResampleAlphas } from '../agreement/bootstrap';
import type { Level, ReliabilityData } from '../agreement/types';

/** What a resample thread gets as workerData. */
export interface ResampleRange {
  data: ReliabilityData;
  level: Level;
  seed: number;
  from: number;
  to: number;
  /** All the resamples' alphas (SharedArrayBuffer): the thread writes from .. to − 1. */
  alphas: Float64Array;
  /** One RANGE_* state per range (SharedArrayBuffer), the thread's at `slot`. */
  states: Int32Array;
  slot: number;
}

export const RANGE_WAITING = 0;
export const RANGE_RUNNING = 1;
export const RANGE_DONE = 2;
export const RANGE_FAILED = 3;

const THREAD_SCRIPT = join(__dirname, `bootstrap-fan-out.thread${extname(__filename)}`);
/** A thread that has not begun its range by then (it could not load, or the machine is starved) is not waited for. */
const START_TIMEOUT_MS = 20_000;

export interface ResampleFanOutOptions {
  /** Threads in all, the calling one included. */
  threads: number;
  /** Below this many judgements × resamples, one thread: another's start-up would cost more than it saves. */
  minWork: number;
}

function threadsCanLoad(): boolean {
  return require.extensions[extname(THREAD_SCRIPT)] !== undefined && existsSync(THREAD_SCRIPT);
}

/** bootstrapResampleAlphas(data, level, seed, 0, samples), over up to `threads` threads. */
export function createResampleFanOut({ threads, minWork }: ResampleFanOutOptions): ResampleAlphas {
  return (data, level, seed, samples) => {
    const ranges = Math.min(threads, samples);
    if (ranges < 2 || samples * data.values.length < minWork || !threadsCanLoad()) {
      return bootstrapResampleAlphas(data, level, seed, 0, samples);
    }
    const alphas = new Float64Array(new SharedArrayBuffer(samples * Float64Array.BYTES_PER_ELEMENT));
    const states = new Int32Array(new SharedArrayBuffer(ranges * Int32Array.BYTES_PER_ELEMENT));
    const bounds = Array.from({ length: ranges + 1 }, (_unused, k) => Math.round((k * samples) / ranges));
    const workers: Worker[] = [];
    try {
      for (let slot = 1; slot < ranges; slot++) {
        const range: ResampleRange = { data, level, seed, from: bounds[slot]!, to: bounds[slot + 1]!, alphas, states, slot };
        const worker = new Worker(THREAD_SCRIPT, { workerData: range });
        // A failure shows in `states` (the caller is blocked while the event would be delivered).
        worker.on('error', () => {});
        worker.unref();
        workers.push(worker);
      }
      alphas.set(bootstrapResampleAlphas(data, level, seed, bounds[0]!, bounds[1]!), bounds[0]);
      for (let slot = 1; slot < ranges; slot++) {
        if (!awaitRange(states, slot)) {
          alphas.set(bootstrapResampleAlphas(data, level, seed, bounds[slot]!, bounds[slot + 1]!), bounds[slot]);
        }
      }
    } finally {
      for (const worker of workers) void worker.terminate();
    }
    return Float64Array.from(alphas);
  };
}

/**
 * The fan-out of the service and the CLI: a thread per processor (at most 4). The 900,000-judgement
 * dimension of the service benchmark, 1000 resamples, is 9·10⁸; the test data sets stay in one thread.
 */
export const fanOutResampleAlphas: ResampleAlphas = createResampleFanOut({
  threads: Math.min(4, availableParallelism()),
  minWork: 20_000_000,
});

/** Blocks until the range at `slot` is done (true) or failed or never started in time (false). */
function awaitRange(states: Int32Array, slot: number): boolean {
  if (Atomics.wait(states, slot, RANGE_WAITING, START_TIMEOUT_MS) === 'timed-out') {
    // Claimed by the caller: a thread that starts now sees it is no longer waited for.
    if (Atomics.compareExchange(states, slot, RANGE_WAITING, RANGE_FAILED) === RANGE_WAITING) return false;
  }
  while (Atomics.load(states, slot) === RANGE_RUNNING) Atomics.wait(states, slot, RANGE_RUNNING);
  return Atomics.load(states, slot) === RANGE_DONE;
}
