/**
 * Accuracy of each annotator against gold (ground-truth) judgements, per dimension: the peers'
 * judgements compared with the dataset's `gold` store, which agreement never counts as a peer.
 *
 * - categorical: the share of the items both judged where the annotator's label equals gold's (a
 *   judgement without a label compares by its number); an item whose gold judgements disagree is
 *   left out (its gold is ambiguous).
 * - segments: coverage IoU with gold, Σ|A ∩ G| / Σ|A ∪ G| pooled over the items both judged and
 *   every label either used (gold's segments of a label merged across gold annotators).
 * - boxes: per image (or frame) both drew on, the annotator's boxes matched to gold's class by class
 *   at IoU ≥ threshold; accuracy = mean IoU of the matches × F1 (2·matched / (|A| + |G|)), pooled, so
 *   a missed or extra box and a loose box both lower it; 0 when nothing matched.
 * An annotator appears in a dimension only when it shares at least one item with gold.
 */
import { matchBoxes } from './boxes';
import type { BoxDimension, CategoricalDimension, Dataset, DimensionData, IntervalDimension } from './dataset';
import type { GoldAccuracy } from './evaluation.types';
import { intersectionLength, mergeIntervals, totalLength } from './intervals';
import type { Interval, LabeledBox } from './types';

export interface GoldOptions {
  /** Least IoU of a box match (policy.matchThreshold). */
  threshold: number;
}

/** Per dimension with gold and peers, per annotator sharing items with gold (sorted by name). */
export function goldAccuracy(dataset: Dataset, options: GoldOptions): GoldAccuracy[] {
  const accuracies: GoldAccuracy[] = [];
  for (const gold of dataset.gold) {
    const peers = dataset.dimensions.find((dimension) => dimension.modality === gold.modality && dimension.dimension === gold.dimension);
    if (peers === undefined || peers.shape !== gold.shape) continue;
    const goldByItem = byItem(gold);
    const peersByItem = byItem(peers);
    const tallies = new Map<number, Tally>();
    for (const [item, goldJudgements] of goldByItem) {
      const judgements = peersByItem.get(item);
      if (judgements === undefined) continue;
      for (const [annotator, own] of byAnnotator(peers, judgements)) {
        let tally = tallies.get(annotator);
        if (tally === undefined) {
          tally = { items: 0, hits: 0, intersection: 0, union: 0, matched: 0, iouSum: 0, boxes: 0 };
          tallies.set(annotator, tally);
        }
        if (compare(peers, own, gold, goldJudgements, tally, options)) tally.items += 1;
      }
    }
    const measure = gold.shape === 'categorical' ? 'label-accuracy' : gold.shape === 'intervals' ? 'coverage-iou' : 'box-f1-iou';
    const entries = [...tallies]
      .filter(([, tally]) => tally.items > 0)
      .map(([annotator, tally]): GoldAccuracy => {
        const accuracy = accuracyOf(gold.shape, tally);
        return {
          modality: gold.modality,
          dimension: gold.dimension,
          annotator: dataset.annotators[annotator]!,
          items: tally.items,
          accuracy,
          measure,
          undefinedReason: accuracy === null ? 'no segment of positive length in the items judged with gold' : null,
        };
      })
      .sort((x, y) => (x.annotator < y.annotator ? -1 : x.annotator > y.annotator ? 1 : 0));
    accuracies.push(...entries);
  }
  return accuracies;
}

interface Tally {
  /** Items compared. */
  items: number;
  /** Categorical: items whose label equals gold's. */
  hits: number;
  /** Segments: pooled |A ∩ G| and |A ∪ G|. */
  intersection: number;
  union: number;
  /** Boxes: matches, their IoU sum, and |A| + |G|. */
  matched: number;
  iouSum: number;
  boxes: number;
}

function accuracyOf(shape: DimensionData['shape'], tally: Tally): number | null {
  if (shape === 'categorical') return tally.hits / tally.items;
  if (shape === 'intervals') return tally.union > 0 ? tally.intersection / tally.union : null;
  if (tally.matched === 0) return 0;
  return (tally.iouSum / tally.matched) * ((2 * tally.matched) / tally.boxes);
}

function byItem(dimension: DimensionData): Map<number, number[]> {
  const groups = new Map<number, number[]>();
  for (let i = 0; i < dimension.size; i++) {
    const item = dimension.item[i]!;
    const group = groups.get(item);
    if (group === undefined) groups.set(item, [i]);
    else group.push(i);
  }
  return groups;
}

function byAnnotator(dimension: DimensionData, judgements: readonly number[]): Map<number, number[]> {
  const groups = new Map<number, number[]>();
  for (const judgement of judgements) {
    const annotator = dimension.annotator[judgement]!;
    const group = groups.get(annotator);
    if (group === undefined) groups.set(annotator, [judgement]);
    else group.push(judgement);
  }
  return groups;
}

/** Adds one item's comparison to the tally; false when the item cannot be compared. */
function compare(
  peers: DimensionData,
  own: readonly number[],
  gold: DimensionData,
  goldJudgements: readonly number[],
  tally: Tally,
  options: GoldOptions,
): boolean {
  switch (peers.shape) {
    case 'categorical':
      return compareCategorical(peers, own[0]!, gold as CategoricalDimension, goldJudgements, tally);
    case 'intervals':
      compareSegments(peers, own, gold as IntervalDimension, goldJudgements, tally);
      return true;
    case 'boxes':
      return compareBoxes(peers, own, gold as BoxDimension, goldJudgements, tally, options.threshold);
  }
}

/** The label, or the number of a judgement without one. */
function answerOf(dimension: CategoricalDimension, judgement: number): string {
  const code = dimension.label[judgement]!;
  return code < 0 ? String(dimension.value[judgement]) : dimension.labels[code]!;
}

function compareCategorical(peers: CategoricalDimension, judgement: number, gold: CategoricalDimension, goldJudgements: readonly number[], tally: Tally): boolean {
  const answers = new Set(goldJudgements.map((goldJudgement) => answerOf(gold, goldJudgement)));
  if (answers.size !== 1) return false;
  if (answers.has(answerOf(peers, judgement))) tally.hits += 1;
  return true;
}

function labelOf(dimension: DimensionData, judgement: number): string {
  const code = dimension.label[judgement]!;
  return code < 0 ? dimension.dimension : dimension.labels[code]!;
}

function segmentsByLabel(dimension: IntervalDimension, judgements: readonly number[]): Map<string, Interval[]> {
  const groups = new Map<string, Interval[]>();
  for (const judgement of judgements) {
    const label = labelOf(dimension, judgement);
    const interval = { start: dimension.start[judgement]!, end: dimension.end[judgement]! };
    const group = groups.get(label);
    if (group === undefined) groups.set(label, [interval]);
    else group.push(interval);
  }
  return groups;
}

function compareSegments(peers: IntervalDimension, own: readonly number[], gold: IntervalDimension, goldJudgements: readonly number[], tally: Tally): void {
  const mine = segmentsByLabel(peers, own);
  const truth = segmentsByLabel(gold, goldJudgements);
  for (const label of new Set([...mine.keys(), ...truth.keys()])) {
    const a = mergeIntervals(mine.get(label) ?? []);
    const g = mergeIntervals(truth.get(label) ?? []);
    const intersection = intersectionLength(a, g);
    tally.intersection += intersection;
    tally.union += totalLength(a) + totalLength(g) - intersection;
  }
}

/** Judgements by frame (NaN, no frame, as one key). */
function byFrame(dimension: BoxDimension, judgements: readonly number[]): Map<string, LabeledBox[]> {
  const groups = new Map<string, LabeledBox[]>();
  for (const judgement of judgements) {
    const frame = String(dimension.frame[judgement]);
    const box = { x: dimension.x[judgement]!, y: dimension.y[judgement]!, w: dimension.w[judgement]!, h: dimension.h[judgement]!, label: labelOf(dimension, judgement) };
    const group = groups.get(frame);
    if (group === undefined) groups.set(frame, [box]);
    else group.push(box);
  }
  return groups;
}

/** False when the annotator and gold drew on no common frame of the item. */
function compareBoxes(peers: BoxDimension, own: readonly number[], gold: BoxDimension, goldJudgements: readonly number[], tally: Tally, threshold: number): boolean {
  const truth = byFrame(gold, goldJudgements);
  let compared = false;
  for (const [frame, boxes] of byFrame(peers, own)) {
    const goldBoxes = truth.get(frame);
    if (goldBoxes === undefined) continue;
    compared = true;
    const { pairs } = matchBoxes(boxes, goldBoxes, threshold);
    tally.matched += pairs.length;
    tally.boxes += boxes.length + goldBoxes.length;
    for (const pair of pairs) tally.iouSum += pair.iou;
  }
  return compared;
}
