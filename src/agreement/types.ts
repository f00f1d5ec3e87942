/** Shared types of the agreement core. Plain data only: no classes with I/O, no framework. */

export const MODALITIES = ['text', 'image', 'audio', 'video', 'sensor'] as const;
export type Modality = (typeof MODALITIES)[number];

export const LEVELS = ['nominal', 'ordinal', 'interval', 'ratio'] as const;
/** Level of measurement of a categorical/numeric dimension. */
export type Level = (typeof LEVELS)[number];

/** How a dimension's judgements are shaped; it decides which metrics apply (DESIGN.md section 2). */
export type Shape = 'categorical' | 'intervals' | 'boxes';

export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** One annotator judgement, whatever format it came from (DESIGN.md section 2). */
export interface CanonicalRecord {
  item: string;
  annotator: string;
  modality: Modality;
  dimension: string;
  label: string | null;
  value: number | null;
  start: number | null;
  end: number | null;
  frame: number | null;
  box: Box | null;
}

/**
 * Reliability data in compressed-sparse-row form, grouped by unit: the values of unit `u` are
 * positions `unitOffsets[u] .. unitOffsets[u + 1] - 1` of `coders` and `values`.
 * For nominal data `values` holds category codes (indexes into `categories`); for ordinal,
 * interval and ratio data it holds the numbers themselves (ordinal: the rank or numeric label).
 * A coder contributes at most one value per unit.
 */
export interface ReliabilityData {
  readonly unitOffsets: Int32Array;
  readonly coders: Int32Array;
  readonly values: Float64Array;
  readonly coderCount: number;
  /** Category names for nominal codes (and ordinal labels ordered by the schema), when known. */
  readonly categories?: readonly string[];
}

/** A metric that may be undefined: `value` is null exactly when `reason` says why. */
export type Estimate = { value: number; reason: null } | { value: null; reason: string };

/** Half-open time (or character-offset) interval [start, end). */
export interface Interval {
  start: number;
  end: number;
}

export interface LabeledInterval extends Interval {
  label: string;
}

/** An image box with its class, as judged by one annotator on one image or frame. */
export interface LabeledBox extends Box {
  label: string;
}

/** Thrown for input that breaks the core's preconditions (non-finite numbers, negative ratio data…). */
export class AgreementInputError extends Error {
  constructor(
    message: string,
    /** Index of the offending value in the input, when there is one. */
    readonly index: number | null = null,
  ) {
    super(message);
    this.name = 'AgreementInputError';
  }
}
