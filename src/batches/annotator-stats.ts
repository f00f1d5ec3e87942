/**
 * Per-annotator figures of one dimension, derived from its analysis result (no statistics of its
 * own: every number is read off the DimensionResult the core computed). Pure, so the worker stores
 * what the unit tests check.
 */
import type { DimensionResult } from '../agreement/analyze';

export interface AnnotatorPairFigure {
  /** The other annotator. */
  with: string;
  /** For interval dimensions: the label the figure is about. */
  label?: string;
  items?: number;
  alpha?: number | null;
  percentAgreement?: number | null;
  iou?: number;
  f1?: number;
  meanIoU?: number | null;
}

export interface AnnotatorDimensionStats {
  annotator: string;
  judgements: number;
  /** Categorical: alpha without this annotator, and its change against the overall alpha. */
  dropOneAlpha: number | null;
  dropOneChange: number | null;
  /** Categorical: mean of the defined pairwise alphas with every other annotator. */
  meanPairwiseAlpha: number | null;
  /** Intervals: mean pooled IoU over the (label, other annotator) pairs; boxes: mean IoU of matches. */
  meanIoU: number | null;
  /** Intervals and boxes: mean F1 over the pairs with other annotators. */
  meanF1: number | null;
  pairs: AnnotatorPairFigure[];
}

function mean(values: readonly (number | null | undefined)[]): number | null {
  const defined = values.filter((value): value is number => typeof value === 'number' && Number.isFinite(value));
  return defined.length === 0 ? null : defined.reduce((sum, value) => sum + value, 0) / defined.length;
}

function other(pair: { a: string; b: string }, annotator: string): string | null {
  if (pair.a === annotator) return pair.b;
  if (pair.b === annotator) return pair.a;
  return null;
}

/**
 * One entry per annotator in `judgements` (the annotators that judged this dimension, with their
 * counts), in name order.
 */
export function annotatorStatsOf(
  result: DimensionResult,
  judgements: ReadonlyMap<string, number>,
): AnnotatorDimensionStats[] {
  const names = [...judgements.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return names.map((annotator): AnnotatorDimensionStats => {
    const base = { annotator, judgements: judgements.get(annotator) ?? 0 };
    switch (result.shape) {
      case 'categorical': {
        const drop = result.dropOne.find((entry) => entry.annotator === annotator);
        const pairs: AnnotatorPairFigure[] = [];
        for (const pair of result.pairwise) {
          const partner = other(pair, annotator);
          if (partner === null) continue;
          pairs.push({ with: partner, items: pair.items, alpha: pair.alpha, percentAgreement: pair.percentAgreement });
        }
        return {
          ...base,
          dropOneAlpha: drop?.alpha ?? null,
          dropOneChange: drop?.change ?? null,
          meanPairwiseAlpha: mean(pairs.map((pair) => pair.alpha)),
          meanIoU: null,
          meanF1: null,
          pairs,
        };
      }
      case 'intervals': {
        const pairs: AnnotatorPairFigure[] = [];
        for (const label of result.labels) {
          for (const pair of label.pairs) {
            const partner = other(pair, annotator);
            if (partner === null) continue;
            pairs.push({ with: partner, label: label.label, items: pair.items, iou: pair.iou, f1: pair.f1 });
          }
        }
        return {
          ...base,
          dropOneAlpha: null,
          dropOneChange: null,
          meanPairwiseAlpha: null,
          meanIoU: mean(pairs.map((pair) => pair.iou)),
          meanF1: mean(pairs.map((pair) => pair.f1)),
          pairs,
        };
      }
      case 'boxes': {
        const pairs: AnnotatorPairFigure[] = [];
        for (const pair of result.pairs) {
          const partner = other(pair, annotator);
          if (partner === null) continue;
          pairs.push({ with: partner, items: pair.units, f1: pair.f1, meanIoU: pair.meanIoU });
        }
        return {
          ...base,
          dropOneAlpha: null,
          dropOneChange: null,
          meanPairwiseAlpha: null,
          meanIoU: mean(pairs.map((pair) => pair.meanIoU)),
          meanF1: mean(pairs.map((pair) => pair.f1)),
          pairs,
        };
      }
    }
  });
}
