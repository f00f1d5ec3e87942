/**
 * What `batches.evaluation` keeps of a BatchEvaluation (and `GET /v1/batches/:id/evaluation`
 * returns): everything but the flags (stored one per row in `flags`), with the per-item lists —
 * which grow with the batch — cut to what the dashboards draw:
 * - per stream pair: a histogram of the per-item offsets (fixed bins over ±maxShiftSeconds) and the
 *   STREAM_LARGEST_OFFSETS items of largest |offset|;
 * - per cross-modal concept: the CROSS_MODAL_ITEMS items of lowest alpha (undefined last) and the
 *   CROSS_MODAL_CONFLICTS longest conflicts, with the full counts beside them;
 * plus the flags counted by code and severity. Pure: it runs in the evaluation's thread.
 */
import type { BatchEvaluation } from '../agreement/evaluate';
import {
  FLAG_CODES,
  SEVERITIES,
  type CrossModalConflict,
  type CrossModalItem,
  type CrossModalResult,
  type GateCheck,
  type GoldAccuracy,
  type ItemStreamOffset,
  type ResolvedPolicy,
  type StreamPairSync,
} from '../agreement/evaluation.types';

export const STREAM_LARGEST_OFFSETS = 50;
export const STREAM_HISTOGRAM_BIN_SECONDS = 0.05;
export const CROSS_MODAL_ITEMS = 100;
export const CROSS_MODAL_CONFLICTS = 50;

export interface OffsetHistogram {
  /** Lower edge of the first bin, seconds (−maxShiftSeconds). */
  from: number;
  binSeconds: number;
  /** Items per bin; an offset on an inner edge counts in the bin above it. */
  counts: number[];
}

export type StoredStreamPair = Omit<StreamPairSync, 'perItem'> & {
  offsets: { histogram: OffsetHistogram; largest: ItemStreamOffset[] };
};

export type StoredCrossModal = Omit<CrossModalResult, 'perItem' | 'conflicts'> & {
  /** The lowest-alpha items (undefined alphas last), at most CROSS_MODAL_ITEMS. */
  perItem: CrossModalItem[];
  conflictCount: number;
  /** The longest conflicts, at most CROSS_MODAL_CONFLICTS. */
  longestConflicts: CrossModalConflict[];
};

export interface StoredEvaluation {
  items: number;
  flaggedItems: number;
  flaggedItemShare: number;
  flags: { total: number; byCode: Record<string, number>; bySeverity: Record<string, number> };
  /** Every gate check made, passed or not. */
  checks: GateCheck[];
  sync: StoredStreamPair[];
  crossModal: StoredCrossModal[];
  gold: GoldAccuracy[];
  policy: ResolvedPolicy;
}

export function storedEvaluationOf(evaluation: BatchEvaluation): StoredEvaluation {
  const byCode: Record<string, number> = Object.fromEntries(FLAG_CODES.map((code) => [code, 0]));
  const bySeverity: Record<string, number> = Object.fromEntries(SEVERITIES.map((severity) => [severity, 0]));
  for (const flag of evaluation.flags) {
    byCode[flag.code] = (byCode[flag.code] ?? 0) + 1;
    bySeverity[flag.severity] = (bySeverity[flag.severity] ?? 0) + 1;
  }
  return {
    items: evaluation.items,
    flaggedItems: evaluation.flaggedItems,
    flaggedItemShare: evaluation.flaggedItemShare,
    flags: { total: evaluation.flags.length, byCode, bySeverity },
    checks: evaluation.verdict.checks,
    sync: evaluation.sync.map((pair) => storedStreamPair(pair, evaluation.policy.maxShiftSeconds)),
    crossModal: evaluation.crossModal.map(storedCrossModal),
    gold: evaluation.gold,
    policy: evaluation.policy,
  };
}

function storedStreamPair({ perItem, ...pair }: StreamPairSync, maxShiftSeconds: number): StoredStreamPair {
  const bins = Math.max(1, Math.ceil((2 * maxShiftSeconds) / STREAM_HISTOGRAM_BIN_SECONDS));
  const counts = new Array<number>(bins).fill(0);
  for (const { offset } of perItem) {
    const bin = Math.floor((offset + maxShiftSeconds) / STREAM_HISTOGRAM_BIN_SECONDS);
    counts[Math.min(bins - 1, Math.max(0, bin))]! += 1;
  }
  const largest = [...perItem]
    .sort((a, b) => Math.abs(b.offset) - Math.abs(a.offset) || compareText(a.item, b.item))
    .slice(0, STREAM_LARGEST_OFFSETS);
  return { ...pair, offsets: { histogram: { from: -maxShiftSeconds, binSeconds: STREAM_HISTOGRAM_BIN_SECONDS, counts }, largest } };
}

function storedCrossModal({ perItem, conflicts, ...concept }: CrossModalResult): StoredCrossModal {
  const lowest = [...perItem]
    .sort((a, b) => (a.alpha ?? Infinity) - (b.alpha ?? Infinity) || compareText(a.item, b.item))
    .slice(0, CROSS_MODAL_ITEMS);
  const longest = [...conflicts]
    .sort((a, b) => b.end - b.start - (a.end - a.start) || compareText(a.item, b.item) || a.start - b.start)
    .slice(0, CROSS_MODAL_CONFLICTS);
  return { ...concept, perItem: lowest, conflictCount: conflicts.length, longestConflicts: longest };
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
