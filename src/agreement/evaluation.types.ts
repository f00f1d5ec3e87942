/**
 * Types of a batch's evaluation (DESIGN.md sections 3–5): stream synchronisation, cross-modal
 * agreement, accuracy against gold, flags with evidence and the quality-gate verdict. Plain data
 * only: the CLI (`concord report`) and the worker's evaluate step produce and read the same shapes.
 * Times, spans and offsets are in seconds everywhere.
 */
import type { Modality } from './types';

// ——— policy ———

/**
 * A project's quality-gate policy with every default filled in (DESIGN.md section 5). The zod
 * schema of what a project may send lives in src/projects/project-settings.ts.
 */
export interface ResolvedPolicy {
  /** Minimum Krippendorff's alpha of every categorical dimension. */
  minAlpha: number;
  /** Per-dimension overrides of minAlpha, keyed `modality/dimension`. */
  minAlphaByDimension: Record<string, number>;
  /** Minimum mean temporal IoU of every interval dimension. */
  minMeanIoU: number;
  /** Maximum share (0..1) of a batch's items that carry at least one flag. */
  maxFlaggedItemShare: number;
  /** Maximum systematic offset between two modalities' streams, seconds. */
  maxStreamOffsetSeconds: number;
  /** Minimum number of (peer) judgements per item and dimension. */
  minJudgementsPerItem: number;
  /** Minimum accuracy of every annotator against gold, per dimension; null = rule off. */
  minGoldAccuracy: number | null;
  /** Onset/offset deviation of matched segments beyond which they are misaligned, seconds. */
  boundaryToleranceSeconds: number;
  /** Cross-modal disagreement lasting longer than this becomes a conflict, seconds. */
  crossModalToleranceSeconds: number;
  /** Drop-one alpha rising by more than this flags the annotator as an outlier. */
  outlierMargin: number;
  /** Largest stream shift searched (D of DESIGN.md section 3), seconds. */
  maxShiftSeconds: number;
  /** Least IoU for matching segments and boxes (τ). */
  matchThreshold: number;
}

/**
 * DESIGN.md section 5: alpha 0.667 (Krippendorff's floor for tentative conclusions), mean IoU 0.5,
 * 5% flagged items, 0.2 s stream offset (ITU-R BT.1359), 2 judgements per item; the tolerances are
 * Concord's own defaults.
 */
export const DEFAULT_POLICY: Readonly<ResolvedPolicy> = Object.freeze({
  minAlpha: 0.667,
  minAlphaByDimension: {},
  minMeanIoU: 0.5,
  maxFlaggedItemShare: 0.05,
  maxStreamOffsetSeconds: 0.2,
  minJudgementsPerItem: 2,
  minGoldAccuracy: null,
  boundaryToleranceSeconds: 0.25,
  crossModalToleranceSeconds: 0.5,
  outlierMargin: 0.05,
  maxShiftSeconds: 2,
  matchThreshold: 0.5,
});

// ——— schema (the part the core needs) ———

/** One modality's contribution to a cross-modal concept: its labels mapped onto the concept's values. */
export interface CrossModalSource {
  modality: Modality;
  dimension: string;
  /** label in this dimension → value of the shared concept (e.g. `happy` → `+`); unmapped labels are ignored. */
  map: Record<string, string>;
}

/** A concept several modalities express (e.g. valence from sentiment, emotion and expression). */
export interface CrossModalMapping {
  concept: string;
  sources: CrossModalSource[];
}

// ——— stream synchronisation ———

/** One item's offset between two streams (estimateStreamOffset on the streams' consensus coverage). */
export interface ItemStreamOffset {
  item: string;
  /** Shift of stream `a` that best lines it up with `b`; positive: `b` lags `a`. */
  offset: number;
  iou: number | null;
  iouAtZero: number | null;
  /** Confidence: IoU gain over zero shift (iou − iouAtZero). */
  gain: number | null;
}

/** Two time-based interval dimensions of different modalities, compared item by item. */
export interface StreamPairSync {
  a: { modality: Modality; dimension: string };
  b: { modality: Modality; dimension: string };
  /** Items with segments in both streams. */
  items: number;
  /** Median of the per-item offsets; null without items. */
  medianOffset: number | null;
  /** Median absolute deviation of the per-item offsets around the median. */
  offsetSpread: number | null;
  /**
   * A constant lag (a pipeline bug): |medianOffset| > maxStreamOffsetSeconds and the spread is small
   * next to it; a varying offset is annotator noise.
   */
  systematic: boolean;
  perItem: ItemStreamOffset[];
}

// ——— cross-modal agreement ———

/** A stretch of an item's common timeline where the modalities' concept values differ. */
export interface CrossModalConflict {
  item: string;
  start: number;
  end: number;
  /** Each modality's value over the stretch (null: no majority in that modality). */
  values: Array<{ modality: Modality; dimension: string; value: string | null }>;
}

export interface CrossModalItem {
  item: string;
  /** Duration-weighted nominal alpha over the item's slices; null with a reason. */
  alpha: number | null;
  /** Seconds of timeline where at least two modalities have a value. */
  pairableSeconds: number;
  /** Seconds where they disagree. */
  disagreeingSeconds: number;
  undefinedReason: string | null;
}

export interface CrossModalResult {
  concept: string;
  sources: Array<{ modality: Modality; dimension: string }>;
  /** Duration-weighted alpha over all items' slices pooled; null with a reason. */
  alpha: number | null;
  items: number;
  perItem: CrossModalItem[];
  /** Disagreements longer than crossModalToleranceSeconds. */
  conflicts: CrossModalConflict[];
  undefinedReason: string | null;
}

// ——— gold ———

/** An annotator's accuracy against gold in one dimension (kept apart from peer agreement). */
export interface GoldAccuracy {
  modality: Modality;
  dimension: string;
  annotator: string;
  /** Items judged by both the annotator and gold. */
  items: number;
  /** Categorical: share of items whose label equals gold's; intervals: pooled coverage IoU with gold; boxes: mean IoU of matched boxes × F1. */
  accuracy: number | null;
  measure: 'label-accuracy' | 'coverage-iou' | 'box-f1-iou';
  undefinedReason: string | null;
}

// ——— flags ———

/** DESIGN.md section 4. */
export const FLAG_CODES = [
  'LABEL_CONFLICT',
  'NO_MAJORITY',
  'LOW_ITEM_AGREEMENT',
  'TEMPORAL_MISALIGNMENT',
  'UNMATCHED_SEGMENT',
  'STREAM_DESYNC',
  'CROSS_MODAL_CONFLICT',
  'OUTLIER_ANNOTATOR',
  'MISSING_ANNOTATION',
  'INVALID_SPAN',
] as const;
export type FlagCode = (typeof FLAG_CODES)[number];

/** Most severe first (the order flags are listed in). */
export const SEVERITIES = ['high', 'medium', 'low'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** A finding of the evaluation: a flag before it is stored and reviewed. */
export interface Finding {
  /**
   * Stable identity of the finding, without the batch: the same defect found again (a re-evaluation,
   * or a vendor's re-delivery of the batch) has the same key. Built from the code, modality,
   * dimension, item, annotators and a span or label that tells findings of one item apart.
   */
  key: string;
  code: FlagCode;
  severity: Severity;
  /** null for batch-level findings (an outlier annotator, a systematic stream offset). */
  item: string | null;
  /** null for cross-modal findings, which span modalities (evidence names them). */
  modality: Modality | null;
  dimension: string | null;
  /** The annotators involved, sorted (for filtering by annotator). */
  annotators: string[];
  /** The time span concerned, seconds (character offsets for text spans); null when none. */
  start: number | null;
  end: number | null;
  /** One sentence a person can act on. */
  message: string;
  /** Code-specific evidence (votes, segments, offsets, IoU…), JSON-serialisable. */
  evidence: Record<string, unknown>;
}

// ——— verdict ———

export const GATE_RULES = [
  'minAlpha',
  'minMeanIoU',
  'maxFlaggedItemShare',
  'maxStreamOffsetSeconds',
  'minJudgementsPerItem',
  'minGoldAccuracy',
] as const;
export type GateRule = (typeof GATE_RULES)[number];

/** One rule applied to one subject (a dimension, a stream pair, an annotator, the batch). */
export interface GateCheck {
  rule: GateRule;
  passed: boolean;
  /** null for batch-wide rules. */
  modality: Modality | null;
  dimension: string | null;
  /** The annotator (minGoldAccuracy) or stream pair (`audio/speech~video/expression`) the check is about. */
  subject: string | null;
  threshold: number;
  /** null when the figure is undefined (a rule on an undefined figure fails, with the reason in message). */
  measured: number | null;
  message: string;
}

export interface Verdict {
  verdict: 'pass' | 'fail';
  /** The failed checks (every one of them). */
  reasons: GateCheck[];
  /** Every check made, passed or not. */
  checks: GateCheck[];
}
