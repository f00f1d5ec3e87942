/**
 * Agreement of every dimension of a Dataset: the one entry point the CLI and the worker share.
 * Every figure is a number or null, never NaN; each null has its reason in `undefinedReasons`.
 */
import { alphaAndUnitDisagreement, dropOneAlphaOfPrepared, pairwiseAlphaOfPrepared, prepareReliability } from './alpha';
import { bootstrapAlpha, type BootstrapResult, type ResampleAlphas } from './bootstrap';
import { boxAgreement, type BoxJudgement } from './boxes';
import {
  DATASET_ISSUE_LIMIT,
  DatasetInputError,
  type BoxDimension,
  type CategoricalDimension,
  type Dataset,
  type DatasetIssue,
  type DimensionData,
  type IntervalDimension,
} from './dataset';
import { cohenKappa, fleissKappa, percentAgreement, tallyPairableUnits } from './kappa';
import { parseDecimal } from './numbers';
import { reliabilityFromKeys } from './reliability';
import { DEFAULT_MATCH_THRESHOLD, temporalAgreement, type DeviationSummary, type SegmentJudgement } from './temporal';
import type { Estimate, Level, Modality } from './types';

export interface AnalyzeOptions {
  /** Level of categorical dimensions that `levels` does not name; default nominal. */
  level?: Level;
  /** Per dimension, keyed `modality/dimension` or just `dimension` (the former wins). */
  levels?: Record<string, Level>;
  /** Bootstrap confidence interval of alpha; none when absent. */
  bootstrap?: { samples: number; seed: number; alphaMin?: number; resampleAlphas?: ResampleAlphas };
  /** Least IoU for matching segments and boxes; default 0.5. */
  threshold?: number;
}

/** Items listed in `itemDisagreement`, the most disagreed-on first. */
export const ITEM_DISAGREEMENT_LIMIT = 20;

/** Why each null figure of an object is null, keyed by the figure's name. */
export type UndefinedReasons = Record<string, string>;

export interface DropOneEntry {
  annotator: string;
  /** Alpha without this annotator. */
  alpha: number | null;
  /** alpha − overall alpha: positive when this annotator lowers agreement. */
  change: number | null;
  undefinedReasons: UndefinedReasons;
}

export interface PairwiseEntry {
  a: string;
  b: string;
  /** Items both judged. */
  items: number;
  alpha: number | null;
  percentAgreement: number | null;
  undefinedReasons: UndefinedReasons;
}

export interface CategoricalResult {
  modality: Modality;
  dimension: string;
  shape: 'categorical';
  level: Level;
  alpha: number | null;
  ci: BootstrapResult | null;
  observedDisagreement: number;
  expectedDisagreement: number;
  items: number;
  /** Items with two or more judgements. */
  pairableItems: number;
  annotators: number;
  judgements: number;
  percentAgreement: number | null;
  /** Only with exactly two annotators. */
  cohenKappa: number | null;
  fleissKappa: number | null;
  dropOne: DropOneEntry[];
  pairwise: PairwiseEntry[];
  /** The ITEM_DISAGREEMENT_LIMIT items with the highest observed disagreement (mean δ² of their pairs). */
  itemDisagreement: Array<{ item: string; disagreement: number }>;
  itemDisagreementLimit: number;
  /** Items with any disagreement at all (the list above shows at most the limit). */
  disagreeingItems: number;
  /** Gold judgements of this dimension, kept apart: none of the figures above counts them. */
  goldJudgements: number;
  undefinedReasons: UndefinedReasons;
}

export interface IntervalPairResult {
  a: string;
  b: string;
  /** Pooled coverage IoU. */
  iou: number;
  intersection: number;
  union: number;
  items: number;
  matched: number;
  countA: number;
  countB: number;
  f1: number;
}

export interface IntervalLabelResult {
  label: string;
  pairs: IntervalPairResult[];
  meanIoU: number | null;
  f1: number | null;
  undefinedReasons: UndefinedReasons;
}

export interface IntervalResult {
  modality: Modality;
  dimension: string;
  shape: 'intervals';
  threshold: number;
  items: number;
  annotators: number;
  segments: number;
  zeroLengthSegments: number;
  labels: IntervalLabelResult[];
  meanIoU: number | null;
  f1: number | null;
  onsetDeviation: DeviationSummary | null;
  offsetDeviation: DeviationSummary | null;
  /** Gold segments of this dimension, kept apart: none of the figures above counts them. */
  goldJudgements: number;
  undefinedReasons: UndefinedReasons;
}

export interface BoxPairResult {
  a: string;
  b: string;
  units: number;
  matched: number;
  boxesA: number;
  boxesB: number;
  f1: number;
  meanIoU: number | null;
  undefinedReasons: UndefinedReasons;
}

export interface BoxLabelResult {
  label: string;
  matched: number;
  boxes: number;
  f1: number;
  meanIoU: number | null;
  undefinedReasons: UndefinedReasons;
}

export interface BoxResult {
  modality: Modality;
  dimension: string;
  shape: 'boxes';
  threshold: number;
  items: number;
  annotators: number;
  boxes: number;
  f1: number | null;
  meanIoU: number | null;
  /** Nominal alpha of the class labels of matched objects. */
  classAlpha: number | null;
  matchedObjects: number;
  /** Boxes that at least one other annotator of the same image did not match. */
  unmatchedBoxes: number;
  pairs: BoxPairResult[];
  labels: BoxLabelResult[];
  /** Gold boxes of this dimension, kept apart: none of the figures above counts them. */
  goldJudgements: number;
  undefinedReasons: UndefinedReasons;
}

export type DimensionResult = CategoricalResult | IntervalResult | BoxResult;

export interface AgreementReport {
  /** Ordered by modality, then dimension. */
  results: DimensionResult[];
}

/** Collects analysis issues up to the dataset limit; the rest are counted. */
class Issues {
  readonly kept: DatasetIssue[] = [];
  count = 0;

  add(position: number, message: string): void {
    this.count += 1;
    if (this.kept.length < DATASET_ISSUE_LIMIT) this.kept.push({ position, message });
  }
}

/**
 * Throws DatasetInputError when a dimension's values don't fit its level (e.g. a non-numeric interval
 * label). Only the peers' judgements are analysed; each result counts its dimension's gold ones
 * (`goldJudgements`), and a dimension with gold or text records only has no result.
 */
export function analyzeDataset(dataset: Dataset, options: AnalyzeOptions = {}): AgreementReport {
  const issues = new Issues();
  const goldSizes = new Map<string, number>();
  for (const gold of dataset.gold) goldSizes.set(`${gold.modality}/${gold.dimension}`, gold.size);
  const results = dataset.dimensions.map((dimension) => {
    const result = analyzeDimension(dataset, dimension, options, issues);
    return result === null ? null : { ...result, goldJudgements: goldSizes.get(`${dimension.modality}/${dimension.dimension}`) ?? 0 };
  });
  if (issues.count > 0) {
    throw new DatasetInputError(
      [...issues.kept].sort((a, b) => a.position - b.position),
      issues.count - issues.kept.length,
    );
  }
  return { results: results.filter((result): result is DimensionResult => result !== null) };
}

/** A result before `analyzeDataset` adds the dimension's gold count. */
type PeerResult = Omit<CategoricalResult, 'goldJudgements'> | Omit<IntervalResult, 'goldJudgements'> | Omit<BoxResult, 'goldJudgements'>;

function analyzeDimension(
  dataset: Dataset,
  dimension: DimensionData,
  options: AnalyzeOptions,
  issues: Issues,
): PeerResult | null {
  const threshold = options.threshold ?? DEFAULT_MATCH_THRESHOLD;
  switch (dimension.shape) {
    case 'categorical':
      return analyzeCategorical(dataset, dimension, levelOf(dimension, options), options, issues);
    case 'intervals':
      return analyzeIntervals(dataset, dimension, threshold);
    case 'boxes':
      return analyzeBoxes(dataset, dimension, threshold);
  }
}

function levelOf(dimension: DimensionData, options: AnalyzeOptions): Level {
  return (
    options.levels?.[`${dimension.modality}/${dimension.dimension}`] ??
    options.levels?.[dimension.dimension] ??
    options.level ??
    'nominal'
  );
}

/** The estimate's value, recording its reason under `name` when it is undefined. */
function valueOf(estimate: Estimate, name: string, reasons: UndefinedReasons): number | null {
  if (estimate.value === null) reasons[name] = estimate.reason;
  return estimate.value;
}

/**
 * Dense local ids for the global ids that occur in `ids`: in order of first appearance, or in the
 * order of `names` when given (annotators are listed by name, as the temporal and box results do).
 */
function localIds(ids: Int32Array, universe: number, names?: readonly string[]): { local: Int32Array; globals: number[] } {
  const local = new Int32Array(universe).fill(-1);
  const globals: number[] = [];
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]!;
    if (local[id] === -1) {
      local[id] = globals.length;
      globals.push(id);
    }
  }
  if (names !== undefined) {
    globals.sort((a, b) => (names[a]! < names[b]! ? -1 : names[a]! > names[b]! ? 1 : 0));
    globals.forEach((id, index) => (local[id] = index));
  }
  return { local, globals };
}

/**
 * The value each judgement contributes at `level`: nominal → its label code; otherwise its value,
 * or its label read as a number. Reports judgements that have none, or a negative ratio value.
 */
function levelValues(dimension: CategoricalDimension, level: Level, issues: Issues): Float64Array {
  const { size, label, value, position, labels } = dimension;
  const values = new Float64Array(size);
  const where = `${dimension.modality}/${dimension.dimension}`;
  if (level === 'nominal') {
    for (let i = 0; i < size; i++) {
      const code = label[i]!;
      if (code < 0) issues.add(position[i]!, `no label: nominal agreement in ${where} compares labels (analyse numbers at level interval, ratio or ordinal)`);
      values[i] = code;
    }
    return values;
  }
  // Ordinal, interval and ratio data may give their numbers as labels; each distinct label is read once.
  const labelNumbers = labels.map(parseDecimal);
  for (let i = 0; i < size; i++) {
    let number = value[i]!;
    if (Number.isNaN(number)) {
      const code = label[i]!;
      number = code < 0 ? Number.NaN : labelNumbers[code]!;
      if (Number.isNaN(number)) {
        issues.add(
          position[i]!,
          code < 0
            ? `no value and no label: ${level} agreement in ${where} needs a number`
            : `label "${labels[code]}" is not a number and there is no value: ${level} agreement in ${where} needs numbers`,
        );
      }
    }
    if (level === 'ratio' && number < 0) issues.add(position[i]!, `ratio values must be ≥ 0, got ${number}`);
    values[i] = number;
  }
  return values;
}

function analyzeCategorical(
  dataset: Dataset,
  dimension: CategoricalDimension,
  level: Level,
  options: AnalyzeOptions,
  issues: Issues,
): Omit<CategoricalResult, 'goldJudgements'> | null {
  const issuesBefore = issues.count;
  const values = levelValues(dimension, level, issues);
  if (issues.count > issuesBefore) return null;

  const units = localIds(dimension.item, dataset.items.length);
  const coders = localIds(dimension.annotator, dataset.annotators.length, dataset.annotators);
  const keys = {
    unitKeys: dimension.item,
    unitOf: units.local,
    unitCount: units.globals.length,
    coderKeys: dimension.annotator,
    coderOf: coders.local,
    coderCount: coders.globals.length,
  };
  const data = reliabilityFromKeys(keys, values, level === 'nominal' ? dimension.labels : undefined);
  const itemName = (unit: number): string => dataset.items[units.globals[unit]!]!;
  const annotatorName = (coder: number): string => dataset.annotators[coders.globals[coder]!]!;

  const reasons: UndefinedReasons = {};
  // Checked and coded once for every alpha below; overall alpha and the per-item disagreement come
  // from one pass.
  const prepared = prepareReliability(data, level);
  const { alpha: overall, units: unitDisagreement } = alphaAndUnitDisagreement(prepared);
  const alpha = valueOf(overall.alpha, 'alpha', reasons);
  const ci = options.bootstrap === undefined ? null : bootstrapAlpha(data, level, options.bootstrap);
  if (ci !== null && ci.lower === null) reasons.ci = 'no bootstrap resample has a defined alpha';
  const tally = tallyPairableUnits(data);
  const percent = valueOf(percentAgreement(data, tally).agreement, 'percentAgreement', reasons);
  let cohen: number | null = null;
  if (data.coderCount === 2) {
    const result = cohenKappa(data, 0, 1);
    cohen = result.items === 0 ? null : valueOf(result.kappa, 'cohenKappa', reasons);
    if (result.items === 0) reasons.cohenKappa = `${annotatorName(0)} and ${annotatorName(1)} judged no item in common`;
  } else {
    reasons.cohenKappa = `needs exactly two annotators; there are ${data.coderCount}`;
  }
  const fleiss = valueOf(fleissKappa(data, tally).kappa, 'fleissKappa', reasons);

  const dropOne = dropOneAlphaOfPrepared(prepared).map(({ coder, alpha: without }): DropOneEntry => {
    const entryReasons: UndefinedReasons = {};
    const value = valueOf(without, 'alpha', entryReasons);
    const change = value === null || alpha === null ? null : value - alpha;
    if (change === null) entryReasons.change = value === null ? 'alpha without this annotator is undefined' : 'overall alpha is undefined';
    return { annotator: annotatorName(coder), alpha: value, change, undefinedReasons: entryReasons };
  });
  const pairwise = pairwiseAlphaOfPrepared(prepared).map((pair): PairwiseEntry => {
    const entryReasons: UndefinedReasons = {};
    if (pair.units === 0) {
      const reason = `${annotatorName(pair.a)} and ${annotatorName(pair.b)} judged no item in common`;
      return { a: annotatorName(pair.a), b: annotatorName(pair.b), items: 0, alpha: null, percentAgreement: null, undefinedReasons: { alpha: reason, percentAgreement: reason } };
    }
    return {
      a: annotatorName(pair.a),
      b: annotatorName(pair.b),
      items: pair.units,
      alpha: valueOf(pair.alpha, 'alpha', entryReasons),
      percentAgreement: valueOf(pair.percentAgreement, 'percentAgreement', entryReasons),
      undefinedReasons: entryReasons,
    };
  });
  const disagreement = mostDisagreedUnits(unitDisagreement.observed, ITEM_DISAGREEMENT_LIMIT);

  return {
    modality: dimension.modality,
    dimension: dimension.dimension,
    shape: 'categorical',
    level,
    alpha,
    ci,
    observedDisagreement: overall.observedDisagreement,
    expectedDisagreement: overall.expectedDisagreement,
    items: units.globals.length,
    pairableItems: overall.pairableUnits,
    annotators: coders.globals.length,
    judgements: dimension.size,
    percentAgreement: percent,
    cohenKappa: cohen,
    fleissKappa: fleiss,
    dropOne,
    pairwise,
    itemDisagreement: disagreement.top.map((unit) => ({ item: itemName(unit), disagreement: disagreement.observed[unit]! })),
    itemDisagreementLimit: ITEM_DISAGREEMENT_LIMIT,
    disagreeingItems: disagreement.count,
    undefinedReasons: reasons,
  };
}

/**
 * The `limit` units with the highest positive disagreement (ties: earlier unit first), in one pass
 * with a small sorted buffer instead of sorting every unit.
 */
function mostDisagreedUnits(observed: Float64Array, limit: number): { top: number[]; count: number; observed: Float64Array } {
  const top: number[] = [];
  let count = 0;
  for (let unit = 0; unit < observed.length; unit++) {
    const value = observed[unit]!;
    if (!(value > 0)) continue; // NaN (unpairable) and full agreement
    count += 1;
    if (top.length === limit && value <= observed[top[limit - 1]!]!) continue;
    let at = top.length;
    while (at > 0 && observed[top[at - 1]!]! < value) at -= 1;
    top.splice(at, 0, unit);
    if (top.length > limit) top.pop();
  }
  return { top, count, observed };
}

function distinctCount(ids: Int32Array): number {
  return new Set(ids).size;
}

/** A record without a label counts as the dimension's name, so unlabelled segments still compare. */
function labelName(dimension: DimensionData, index: number): string {
  const code = dimension.label[index]!;
  return code < 0 ? dimension.dimension : dimension.labels[code]!;
}

function analyzeIntervals(dataset: Dataset, dimension: IntervalDimension, threshold: number): Omit<IntervalResult, 'goldJudgements'> {
  const segments: SegmentJudgement[] = [];
  for (let i = 0; i < dimension.size; i++) {
    segments.push({
      item: dataset.items[dimension.item[i]!]!,
      annotator: dataset.annotators[dimension.annotator[i]!]!,
      label: labelName(dimension, i),
      start: dimension.start[i]!,
      end: dimension.end[i]!,
    });
  }
  const temporal = temporalAgreement(segments, { threshold });
  const reasons: UndefinedReasons = {};
  const labelReasons = new Map<string, string>();
  for (const { label, reason } of temporal.undefinedReasons) {
    if (label === null) reasons.meanIoU = reason;
    else labelReasons.set(label, reason);
  }
  const noPairs = 'no item was judged by two annotators';
  if (temporal.f1 === null) reasons.f1 = noPairs;
  const noMatches = `no segments matched at IoU ≥ ${threshold}`;
  if (temporal.onsetDeviation === null) reasons.onsetDeviation = noMatches;
  if (temporal.offsetDeviation === null) reasons.offsetDeviation = noMatches;
  return {
    modality: dimension.modality,
    dimension: dimension.dimension,
    shape: 'intervals',
    threshold,
    items: temporal.items,
    annotators: temporal.annotators.length,
    segments: temporal.segments,
    zeroLengthSegments: temporal.zeroLengthSegments,
    labels: temporal.labels.map((label): IntervalLabelResult => {
      const entryReasons: UndefinedReasons = {};
      if (label.meanIoU === null) entryReasons.meanIoU = labelReasons.get(label.label) ?? noPairs;
      if (label.f1 === null) entryReasons.f1 = noPairs;
      return {
        label: label.label,
        pairs: label.pairs.map(({ a, b, iou, intersection, union, items, matched, countA, countB, f1 }) => ({
          a,
          b,
          iou,
          intersection,
          union,
          items,
          matched,
          countA,
          countB,
          f1,
        })),
        meanIoU: label.meanIoU,
        f1: label.f1,
        undefinedReasons: entryReasons,
      };
    }),
    meanIoU: temporal.meanIoU,
    f1: temporal.f1,
    onsetDeviation: temporal.onsetDeviation,
    offsetDeviation: temporal.offsetDeviation,
    undefinedReasons: reasons,
  };
}

/** Boxes left unmatched by at least one other annotator (a box may be unmatched against several). */
function unmatchedCount(unmatched: ReadonlyArray<{ judgements: number[] }>, size: number): number {
  const seen = new Uint8Array(size);
  let count = 0;
  for (const entry of unmatched) {
    for (const judgement of entry.judgements) {
      if (seen[judgement] === 0) count += 1;
      seen[judgement] = 1;
    }
  }
  return count;
}

function analyzeBoxes(dataset: Dataset, dimension: BoxDimension, threshold: number): Omit<BoxResult, 'goldJudgements'> {
  const judgements: BoxJudgement[] = [];
  for (let i = 0; i < dimension.size; i++) {
    const item = dataset.items[dimension.item[i]!]!;
    const frame = dimension.frame[i]!;
    judgements.push({
      // Each video frame is its own image.
      unit: Number.isNaN(frame) ? item : `${item}@${frame}`,
      annotator: dataset.annotators[dimension.annotator[i]!]!,
      box: { x: dimension.x[i]!, y: dimension.y[i]!, w: dimension.w[i]!, h: dimension.h[i]!, label: labelName(dimension, i) },
    });
  }
  const boxes = boxAgreement(judgements, { threshold });
  const reasons: UndefinedReasons = {};
  return {
    modality: dimension.modality,
    dimension: dimension.dimension,
    shape: 'boxes',
    threshold,
    items: distinctCount(dimension.item),
    annotators: boxes.annotators.length,
    boxes: dimension.size,
    f1: valueOf(boxes.f1, 'f1', reasons),
    meanIoU: valueOf(boxes.meanIoU, 'meanIoU', reasons),
    classAlpha: valueOf(boxes.classAgreement.alpha, 'classAlpha', reasons),
    matchedObjects: boxes.classAgreement.matchedObjects,
    unmatchedBoxes: unmatchedCount(boxes.unmatched, dimension.size),
    pairs: boxes.pairs.map((pair): BoxPairResult => {
      const entryReasons: UndefinedReasons = {};
      return {
        a: pair.annotatorA,
        b: pair.annotatorB,
        units: pair.units,
        matched: pair.matched,
        boxesA: pair.boxesA,
        boxesB: pair.boxesB,
        f1: pair.f1,
        meanIoU: valueOf(pair.meanIoU, 'meanIoU', entryReasons),
        undefinedReasons: entryReasons,
      };
    }),
    labels: boxes.labels.map((label): BoxLabelResult => {
      const entryReasons: UndefinedReasons = {};
      return {
        label: label.label,
        matched: label.matched,
        boxes: label.boxes,
        f1: label.f1,
        meanIoU: valueOf(label.meanIoU, 'meanIoU', entryReasons),
        undefinedReasons: entryReasons,
      };
    }),
    undefinedReasons: reasons,
  };
}
