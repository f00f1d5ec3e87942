/**
 * The distribution behind a batch's temporal figures, for the dashboards' histograms: the stored
 * result has the pooled IoU per label and pair and the deviation summaries; this spreads them out
 * per item. Pure: plain segments in, fixed-bin histograms out (the browser never sees a segment).
 */
import { coverageAgreement, segmentAgreement, type SegmentJudgement } from '../agreement/temporal';

export interface HistogramBin {
  /** Inclusive lower edge. */
  from: number;
  /** Exclusive upper edge (the last bin of IoU includes 1; the last deviation bin is open: null). */
  to: number | null;
  count: number;
}

export interface TemporalDistribution {
  /** Coverage IoU of each (item, label, annotator pair) that both judged: ten bins of 0.1. */
  itemIoU: HistogramBin[];
  /** |onset difference| and |offset difference| of matched segments, seconds. */
  onsetDeviation: HistogramBin[];
  offsetDeviation: HistogramBin[];
  /** How many values went into each histogram. */
  pairs: number;
  matches: number;
}

/** Deviation bin edges, seconds: fine near zero where tolerances live (0.25 s by default), open above 2 s. */
export const DEVIATION_EDGES = [0, 0.05, 0.1, 0.25, 0.5, 1, 2] as const;

export function iouHistogram(values: readonly number[]): HistogramBin[] {
  const bins: HistogramBin[] = Array.from({ length: 10 }, (_, k) => ({ from: k / 10, to: (k + 1) / 10, count: 0 }));
  for (const value of values) bins[Math.min(9, Math.max(0, Math.floor(value * 10)))]!.count += 1;
  return bins;
}

export function deviationHistogram(values: readonly number[]): HistogramBin[] {
  const bins: HistogramBin[] = DEVIATION_EDGES.map((from, k) => ({ from, to: DEVIATION_EDGES[k + 1] ?? null, count: 0 }));
  for (const value of values) {
    let k = bins.length - 1;
    while (k > 0 && value < bins[k]!.from) k -= 1;
    bins[k]!.count += 1;
  }
  return bins;
}

/**
 * Accumulates the distribution item by item (DESIGN.md section 3 on each item alone: coverage IoU
 * per label and pair, and segment matching at `threshold` for the boundary deviations; matching
 * never crosses items, so item by item gives the same matches as the whole dimension at once).
 * Item by item lets a caller yield between items instead of blocking for a whole large dimension.
 */
export class TemporalDistributionBuilder {
  private readonly ious: number[] = [];
  private readonly onsets: number[] = [];
  private readonly offsets: number[] = [];

  constructor(private readonly threshold: number) {}

  /** One item's segments (all of them, every annotator and label). */
  addItem(segments: readonly SegmentJudgement[]): void {
    for (const label of coverageAgreement(segments).labels) {
      for (const pair of label.pairs) this.ious.push(pair.iou);
    }
    for (const detail of segmentAgreement(segments, this.threshold).details) {
      for (const match of detail.matches) {
        this.onsets.push(match.onsetDeviation);
        this.offsets.push(match.offsetDeviation);
      }
    }
  }

  result(): TemporalDistribution {
    return {
      itemIoU: iouHistogram(this.ious),
      onsetDeviation: deviationHistogram(this.onsets),
      offsetDeviation: deviationHistogram(this.offsets),
      pairs: this.ious.length,
      matches: this.onsets.length,
    };
  }
}

/** Calls `each` with every run of adjacent segments of one item (as `ORDER BY item` gives them). */
export function forEachItem(segments: readonly SegmentJudgement[], each: (item: readonly SegmentJudgement[]) => void): void {
  let start = 0;
  for (let end = 1; end <= segments.length; end += 1) {
    if (end < segments.length && segments[end]!.item === segments[start]!.item) continue;
    each(segments.slice(start, end));
    start = end;
  }
}

/** The whole distribution at once, for `segments` grouped by item. */
export function temporalDistribution(segments: readonly SegmentJudgement[], threshold: number): TemporalDistribution {
  const builder = new TemporalDistributionBuilder(threshold);
  forEachItem(segments, (item) => builder.addItem(item));
  return builder.result();
}
