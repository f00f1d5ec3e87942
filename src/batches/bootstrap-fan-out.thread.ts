/**
 * Worker-thread entry of one range of bootstrap resamples (started by bootstrap-fan-out.ts with a
 * ResampleRange as workerData): computes it with the core and writes it into the shared buffer.
 */
import { workerData } from 'node:worker_threads';
import { bootstrapResampleAlphas } from '../agreement/bootstrap';
import { RANGE_DONE, RANGE_FAILED, RANGE_RUNNING, RANGE_WAITING, type ResampleRange } from './bootstrap-fan-out';

const { data, level, seed, from, to, alphas, states, slot } = workerData as ResampleRange;

// The caller gives up on a range that has not started in time and computes it itself.
if (Atomics.compareExchange(states, slot, RANGE_WAITING, RANGE_RUNNING) === RANGE_WAITING) {
  let state = RANGE_FAILED;
  try {
    alphas.set(bootstrapResampleAlphas(data, level, seed, from, to), from);
    state = RANGE_DONE;
  } finally {
    Atomics.store(states, slot, state);
    Atomics.notify(states, slot);
  }
}
