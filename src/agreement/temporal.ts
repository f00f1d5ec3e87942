/**
 * Temporal agreement of interval annotations (DESIGN.md section 3): coverage IoU, one-to-one segment
 * matching with boundary deviation, and the offset between two interval streams.
 *
 * Zero-length segments (start = end) cover nothing, so coverage drops them as DESIGN says; matching
 * drops them too, because their IoU with anything is 0 and they could only ever be "unmatched":
 * counting them would lower F1 and report one defect twice (it is an INVALID_SPAN, end ≤ start).
 * Their annotator still counts as having judged the item, and results report how many were dropped.
 */
import { maxWeightAssignment } from './assignment';
import { assertInterval, intersectionLength, mergeIntervals, totalLength } from './intervals';
import { AgreementInputError, type Interval } from './types';

/** One segment as judged by one annotator on one item. */
export interface SegmentJudgement {
  item: string;
  annotator: string;
  label: string;
  start: number;
  end: number;
}

/** Why a figure is null; `label` is null for the dimension-level figures. */
export interface UndefinedReason {
  label: string | null;
  reason: string;
}

export interface CoveragePair {
  a: string;
  b: string;
  /** Σ|A ∩ B| / Σ|A ∪ B| over `items`; the union is never empty, as one of the two used the label. */
  iou: number;
  intersection: number;
  union: number;
  /** Items both annotators judged and at least one of them marked with this label. */
  items: number;
}

export interface CoverageLabel {
  label: string;
  pairs: CoveragePair[];
  /** Mean pair IoU; null when no item with this label had a second annotator. */
  meanIoU: number | null;
}

export interface CoverageResult {
  labels: CoverageLabel[];
  /** Mean over the labels whose mean is defined. */
  meanIoU: number | null;
  undefinedReasons: UndefinedReason[];
  zeroLengthSegments: number;
}

/** A matched pair of segments: indexes into the two lists and their IoU. */
export interface SegmentPair {
  a: number;
  b: number;
  iou: number;
}

export interface SegmentMatching {
  /** Sorted by `a`. */
  pairs: SegmentPair[];
  /** 2·matched / (|A| + |B|); null when both lists are empty. */
  f1: number | null;
}

/**
 * Summary of absolute boundary differences. Percentiles are nearest-rank: the p-th percentile of n
 * sorted values is the ⌈p·n/100⌉-th smallest, so the median of an even count is the lower middle
 * value and every figure is an observed deviation.
 */
export interface DeviationSummary {
  median: number;
  p90: number;
  max: number;
}

export interface SegmentPairAgreement {
  a: string;
  b: string;
  matched: number;
  countA: number;
  countB: number;
  f1: number;
  onsetDeviation: DeviationSummary | null;
  offsetDeviation: DeviationSummary | null;
}

export interface SegmentLabelAgreement {
  label: string;
  pairs: SegmentPairAgreement[];
  /** Σ 2·matched / Σ (|A| + |B|) over the label's pairs; null without pairs. */
  f1: number | null;
}

/** Segment indexes point into the `segments` array given to the function. */
export interface MatchedSegments {
  label: string;
  a: string;
  b: string;
  segmentA: number;
  segmentB: number;
  iou: number;
  /** |start_B − start_A| */
  onsetDeviation: number;
  /** |end_B − end_A| */
  offsetDeviation: number;
}

/** A segment of `annotator` that no segment of `other` matched (same item and label). */
export interface UnmatchedSegment {
  label: string;
  annotator: string;
  other: string;
  segment: number;
}

export interface SegmentItemDetail {
  item: string;
  matches: MatchedSegments[];
  unmatched: UnmatchedSegment[];
}

export interface SegmentAgreementResult {
  labels: SegmentLabelAgreement[];
  /** Σ 2·matched / Σ (|A| + |B|) over all labels and pairs. */
  f1: number | null;
  onsetDeviation: DeviationSummary | null;
  offsetDeviation: DeviationSummary | null;
  /** Items with at least one match or unmatched segment, sorted by item. */
  details: SegmentItemDetail[];
  zeroLengthSegments: number;
}

export interface StreamOffset {
  /** Shift d applied to stream `a`; positive means `a` runs early (`b` lags) and must move later. */
  offset: number;
  /** Coverage IoU of a + offset with b; null when both streams are empty. */
  iou: number | null;
  iouAtZero: number | null;
  /** iou − iouAtZero. */
  gain: number | null;
}

export interface TemporalPair extends CoveragePair {
  matched: number;
  countA: number;
  countB: number;
  f1: number;
}

export interface TemporalLabel {
  label: string;
  pairs: TemporalPair[];
  meanIoU: number | null;
  f1: number | null;
}

/** One interval dimension's temporal agreement, as `concord temporal --json` prints it. */
export interface TemporalAgreementResult {
  labels: TemporalLabel[];
  meanIoU: number | null;
  f1: number | null;
  onsetDeviation: DeviationSummary | null;
  offsetDeviation: DeviationSummary | null;
  segments: number;
  items: number;
  annotators: string[];
  zeroLengthSegments: number;
  undefinedReasons: UndefinedReason[];
}

export const DEFAULT_MATCH_THRESHOLD = 0.5;
export const DEFAULT_MAX_SHIFT = 2;

/**
 * Coverage IoU per label and annotator pair, pooled over items (DESIGN.md section 3). On each item,
 * every pair of annotators who judged it (with any label) is compared on every label either used:
 * an annotator who judged the item but never used the label brings an empty set, so missing a label
 * lowers the pair's IoU instead of being ignored.
 */
export function coverageAgreement(segments: readonly SegmentJudgement[]): CoverageResult {
  return coverageOf(prepare(segments));
}

/**
 * One-to-one matching of A's and B's segments maximizing the total IoU among pairs with
 * IoU ≥ threshold and a positive intersection (so threshold 0 means "any overlap"). Exact: the
 * Hungarian algorithm runs on each connected component of the candidate graph, whose edges come
 * from a sort-and-sweep over the segments, so long lists stay near O(n log n).
 * Zero-length segments never match but count in |A| and |B|.
 */
export function matchSegments(
  a: readonly Interval[],
  b: readonly Interval[],
  threshold = DEFAULT_MATCH_THRESHOLD,
): SegmentMatching {
  a.forEach((segment, index) => assertInterval(segment.start, segment.end, 'a segment', index));
  b.forEach((segment, index) => assertInterval(segment.start, segment.end, 'b segment', index));
  checkThreshold(threshold);
  const total = a.length + b.length;
  const pairs = matchIntervals(a, b, threshold);
  return { pairs, f1: total === 0 ? null : (2 * pairs.length) / total };
}

/**
 * Segment matching per label and annotator pair, pooled over items (the same items and pairs as
 * coverage), with F1 and the boundary deviation of matched pairs; `details` lists every match and
 * every unmatched segment per item.
 */
export function segmentAgreement(
  segments: readonly SegmentJudgement[],
  threshold = DEFAULT_MATCH_THRESHOLD,
): SegmentAgreementResult {
  checkThreshold(threshold);
  return segmentsOf(prepare(segments), threshold);
}

/**
 * The shift d ∈ [−D, D] of stream `a` (a + d) that maximizes coverage IoU with `b`, each merged
 * first. A positive offset means `a` must move later to line up: `a` runs early, `b` lags.
 * |A + d| and |B| do not depend on d, so IoU(d) = I / (|A| + |B| − I) rises with I(d) = |(A + d) ∩ B|,
 * which is piecewise linear with breakpoints where a boundary of A + d meets one of B. Its maximum
 * over [−D, D] is therefore attained at a breakpoint d = b_j − a_i or at ±D; 0 is added so that a
 * flat maximum containing 0 reports 0. Ties go to the smallest |d|, then the smaller d.
 */
export function estimateStreamOffset(
  a: readonly Interval[],
  b: readonly Interval[],
  options: { maxShift?: number } = {},
): StreamOffset {
  const maxShift = options.maxShift ?? DEFAULT_MAX_SHIFT;
  if (!Number.isFinite(maxShift) || maxShift < 0) {
    throw new AgreementInputError(`maxShift must be a finite number ≥ 0, got ${maxShift}`);
  }
  a.forEach((interval, index) => assertInterval(interval.start, interval.end, 'a interval', index));
  b.forEach((interval, index) => assertInterval(interval.start, interval.end, 'b interval', index));
  const streamA = toBoundaries(mergeIntervals(a));
  const streamB = toBoundaries(mergeIntervals(b));
  const lengthSum = streamA.covered + streamB.covered;
  if (lengthSum === 0) return { offset: 0, iou: null, iouAtZero: null, gain: null };

  // The sweep finds the maximum of I(d); the shifts within rounding reach of it are measured
  // exactly, so ties are decided on exact overlaps as the definition reads.
  const candidates = nearMaximalShifts(streamA, streamB, maxShift);
  const overlaps = candidates.map((shift) => shiftedOverlap(streamA, streamB, shift));
  let bestOverlap = 0;
  for (const overlap of overlaps) bestOverlap = Math.max(bestOverlap, overlap);
  // Overlaps equal up to the sweep's rounding error count as ties, so the tie rule is not decided
  // by the last bit: each of the n terms is a difference of numbers no larger than maxAbs + D.
  const tolerance = 1e-14 * (streamA.boundaryCount + streamB.boundaryCount) * (streamA.maxAbs + streamB.maxAbs + maxShift);
  const preferred = (x: number, y: number): boolean => Math.abs(x) < Math.abs(y) || (Math.abs(x) === Math.abs(y) && x < y);
  let best = -1;
  candidates.forEach((shift, k) => {
    if (overlaps[k]! >= bestOverlap - tolerance && (best < 0 || preferred(shift, candidates[best]!))) best = k;
  });
  const iouOf = (overlap: number): number => overlap / (lengthSum - overlap);
  const iou = iouOf(overlaps[best]!);
  const iouAtZero = iouOf(shiftedOverlap(streamA, streamB, 0));
  return { offset: candidates[best]!, iou, iouAtZero, gain: iou - iouAtZero };
}

/** Coverage and segment matching of one interval dimension in one result. */
export function temporalAgreement(
  segments: readonly SegmentJudgement[],
  options: { threshold?: number } = {},
): TemporalAgreementResult {
  const threshold = options.threshold ?? DEFAULT_MATCH_THRESHOLD;
  checkThreshold(threshold);
  const prepared = prepare(segments);
  const coverage = coverageOf(prepared);
  const matching = segmentsOf(prepared, threshold);
  // Both passes walk the same items, labels and pairs in the same order, so entries line up by index.
  const labels = coverage.labels.map((coverageLabel, labelIndex): TemporalLabel => {
    const matchingLabel = matching.labels[labelIndex]!;
    return {
      label: coverageLabel.label,
      pairs: coverageLabel.pairs.map((pair, pairIndex) => {
        const { matched, countA, countB, f1 } = matchingLabel.pairs[pairIndex]!;
        return { ...pair, matched, countA, countB, f1 };
      }),
      meanIoU: coverageLabel.meanIoU,
      f1: matchingLabel.f1,
    };
  });
  return {
    labels,
    meanIoU: coverage.meanIoU,
    f1: matching.f1,
    onsetDeviation: matching.onsetDeviation,
    offsetDeviation: matching.offsetDeviation,
    segments: segments.length,
    items: prepared.items.length,
    annotators: prepared.annotatorNames,
    zeroLengthSegments: prepared.zeroLengthSegments,
    undefinedReasons: coverage.undefinedReasons,
  };
}

// ——— grouping ———

interface PreparedLabel {
  label: number;
  /** members[k]: indexes of the item's k-th annotator's positive-length segments with this label. */
  members: number[][];
}

interface PreparedItem {
  item: string;
  /** Annotator ids (ascending, so in name order) of everyone who judged the item. */
  annotators: number[];
  labels: PreparedLabel[];
}

interface PreparedDimension {
  segments: readonly SegmentJudgement[];
  annotatorNames: string[];
  labelNames: string[];
  items: PreparedItem[];
  zeroLengthSegments: number;
}

/** Validates, then groups segment indexes by item, label and annotator, all in name order. */
function prepare(segments: readonly SegmentJudgement[]): PreparedDimension {
  segments.forEach((segment, index) => assertInterval(segment.start, segment.end, 'segment', index));
  const isPositive = (segment: SegmentJudgement): boolean => segment.end > segment.start;
  const annotatorNames = sortedUnique(segments.map((segment) => segment.annotator));
  const labelNames = sortedUnique(segments.filter(isPositive).map((segment) => segment.label));
  const annotatorIds = new Map(annotatorNames.map((name, id) => [name, id]));
  const labelIds = new Map(labelNames.map((name, id) => [name, id]));

  const byItem = new Map<string, { annotators: Set<number>; labels: Map<number, Map<number, number[]>> }>();
  let zeroLengthSegments = 0;
  segments.forEach((segment, index) => {
    let entry = byItem.get(segment.item);
    if (entry === undefined) {
      entry = { annotators: new Set(), labels: new Map() };
      byItem.set(segment.item, entry);
    }
    const annotator = annotatorIds.get(segment.annotator)!;
    entry.annotators.add(annotator);
    if (!isPositive(segment)) {
      zeroLengthSegments++;
      return;
    }
    const label = labelIds.get(segment.label)!;
    let byAnnotator = entry.labels.get(label);
    if (byAnnotator === undefined) {
      byAnnotator = new Map();
      entry.labels.set(label, byAnnotator);
    }
    const list = byAnnotator.get(annotator);
    if (list === undefined) byAnnotator.set(annotator, [index]);
    else list.push(index);
  });

  const items = sortedUnique([...byItem.keys()]).map((item): PreparedItem => {
    const entry = byItem.get(item)!;
    const annotators = [...entry.annotators].sort(ascending);
    const labels = [...entry.labels.keys()].sort(ascending).map((label) => {
      const byAnnotator = entry.labels.get(label)!;
      return { label, members: annotators.map((annotator) => byAnnotator.get(annotator) ?? []) };
    });
    return { item, annotators, labels };
  });
  return { segments, annotatorNames, labelNames, items, zeroLengthSegments };
}

/** Calls `visit` for each pair k < l of members where at least one used the label. */
function forEachPair(members: readonly number[][], visit: (k: number, l: number) => void): void {
  for (let k = 0; k < members.length; k++) {
    for (let l = k + 1; l < members.length; l++) {
      if (members[k]!.length + members[l]!.length > 0) visit(k, l);
    }
  }
}

/** Dense key of (label, annotator a, annotator b); numeric order is label, a, b name order. */
function pairKey(prepared: PreparedDimension, label: number, a: number, b: number): number {
  const n = prepared.annotatorNames.length;
  return (label * n + a) * n + b;
}

/** The accumulators in key order, grouped by label (every label listed, with or without pairs). */
function groupByLabel<T>(
  prepared: PreparedDimension,
  accumulators: Map<number, T>,
): Array<{ label: string; pairs: Array<{ a: string; b: string; value: T }> }> {
  const n = prepared.annotatorNames.length;
  const groups = prepared.labelNames.map((label) => ({ label, pairs: [] as Array<{ a: string; b: string; value: T }> }));
  for (const key of [...accumulators.keys()].sort(ascending)) {
    const label = Math.floor(key / (n * n));
    groups[label]!.pairs.push({
      a: prepared.annotatorNames[Math.floor(key / n) % n]!,
      b: prepared.annotatorNames[key % n]!,
      value: accumulators.get(key)!,
    });
  }
  return groups;
}

// ——— coverage ———

function coverageOf(prepared: PreparedDimension): CoverageResult {
  const accumulators = new Map<number, { intersection: number; union: number; items: number }>();
  for (const item of prepared.items) {
    for (const { label, members } of item.labels) {
      const merged = members.map((indexes) => mergeIntervals(indexes.map((index) => prepared.segments[index]!)));
      const lengths = merged.map(totalLength);
      forEachPair(members, (k, l) => {
        const intersection = intersectionLength(merged[k]!, merged[l]!);
        const key = pairKey(prepared, label, item.annotators[k]!, item.annotators[l]!);
        const accumulator = accumulators.get(key) ?? { intersection: 0, union: 0, items: 0 };
        accumulator.intersection += intersection;
        accumulator.union += lengths[k]! + lengths[l]! - intersection;
        accumulator.items += 1;
        accumulators.set(key, accumulator);
      });
    }
  }

  const undefinedReasons: UndefinedReason[] = [];
  const labels = groupByLabel(prepared, accumulators).map(({ label, pairs }): CoverageLabel => {
    const coveragePairs = pairs.map(({ a, b, value }) => ({ a, b, iou: value.intersection / value.union, ...value }));
    const meanIoU = mean(coveragePairs.map((pair) => pair.iou));
    if (meanIoU === null) {
      undefinedReasons.push({ label, reason: 'no item marked with this label was judged by a second annotator' });
    }
    return { label, pairs: coveragePairs, meanIoU };
  });
  const meanIoU = mean(labels.flatMap((label) => (label.meanIoU === null ? [] : [label.meanIoU])));
  if (meanIoU === null) {
    undefinedReasons.push({
      label: null,
      reason: labels.length === 0 ? 'no segment of positive length' : 'no label has a defined mean IoU',
    });
  }
  return { labels, meanIoU, undefinedReasons, zeroLengthSegments: prepared.zeroLengthSegments };
}

// ——— segment matching ———

interface MatchAccumulator {
  matched: number;
  countA: number;
  countB: number;
  onsets: number[];
  offsets: number[];
}

function segmentsOf(prepared: PreparedDimension, threshold: number): SegmentAgreementResult {
  const { segments } = prepared;
  const accumulators = new Map<number, MatchAccumulator>();
  const details: SegmentItemDetail[] = [];
  const allOnsets: number[] = [];
  const allOffsets: number[] = [];
  for (const item of prepared.items) {
    const matches: MatchedSegments[] = [];
    const unmatched: UnmatchedSegment[] = [];
    for (const { label, members } of item.labels) {
      const labelName = prepared.labelNames[label]!;
      forEachPair(members, (k, l) => {
        const indexesA = members[k]!;
        const indexesB = members[l]!;
        const annotatorA = item.annotators[k]!;
        const annotatorB = item.annotators[l]!;
        const nameA = prepared.annotatorNames[annotatorA]!;
        const nameB = prepared.annotatorNames[annotatorB]!;
        const pairs = matchIntervals(
          indexesA.map((index) => segments[index]!),
          indexesB.map((index) => segments[index]!),
          threshold,
        );
        const key = pairKey(prepared, label, annotatorA, annotatorB);
        let accumulator = accumulators.get(key);
        if (accumulator === undefined) {
          accumulator = { matched: 0, countA: 0, countB: 0, onsets: [], offsets: [] };
          accumulators.set(key, accumulator);
        }
        accumulator.matched += pairs.length;
        accumulator.countA += indexesA.length;
        accumulator.countB += indexesB.length;
        const matchedA = new Uint8Array(indexesA.length);
        const matchedB = new Uint8Array(indexesB.length);
        for (const pair of pairs) {
          matchedA[pair.a] = 1;
          matchedB[pair.b] = 1;
          const segmentA = indexesA[pair.a]!;
          const segmentB = indexesB[pair.b]!;
          const onsetDeviation = Math.abs(segments[segmentB]!.start - segments[segmentA]!.start);
          const offsetDeviation = Math.abs(segments[segmentB]!.end - segments[segmentA]!.end);
          accumulator.onsets.push(onsetDeviation);
          accumulator.offsets.push(offsetDeviation);
          allOnsets.push(onsetDeviation);
          allOffsets.push(offsetDeviation);
          matches.push({ label: labelName, a: nameA, b: nameB, segmentA, segmentB, iou: pair.iou, onsetDeviation, offsetDeviation });
        }
        indexesA.forEach((segment, position) => {
          if (!matchedA[position]) unmatched.push({ label: labelName, annotator: nameA, other: nameB, segment });
        });
        indexesB.forEach((segment, position) => {
          if (!matchedB[position]) unmatched.push({ label: labelName, annotator: nameB, other: nameA, segment });
        });
      });
    }
    if (matches.length > 0 || unmatched.length > 0) details.push({ item: item.item, matches, unmatched });
  }

  let doubledMatches = 0;
  let segmentCount = 0;
  const labels = groupByLabel(prepared, accumulators).map(({ label, pairs }): SegmentLabelAgreement => {
    let labelDoubled = 0;
    let labelCount = 0;
    const pairAgreements = pairs.map(({ a, b, value }): SegmentPairAgreement => {
      labelDoubled += 2 * value.matched;
      labelCount += value.countA + value.countB;
      return {
        a,
        b,
        matched: value.matched,
        countA: value.countA,
        countB: value.countB,
        f1: (2 * value.matched) / (value.countA + value.countB),
        onsetDeviation: summarizeDeviations(value.onsets),
        offsetDeviation: summarizeDeviations(value.offsets),
      };
    });
    doubledMatches += labelDoubled;
    segmentCount += labelCount;
    return { label, pairs: pairAgreements, f1: labelCount === 0 ? null : labelDoubled / labelCount };
  });
  return {
    labels,
    f1: segmentCount === 0 ? null : doubledMatches / segmentCount,
    onsetDeviation: summarizeDeviations(allOnsets),
    offsetDeviation: summarizeDeviations(allOffsets),
    details,
    zeroLengthSegments: prepared.zeroLengthSegments,
  };
}

/** The exact matching of two validated lists; pairs sorted by `a`. */
function matchIntervals(a: readonly Interval[], b: readonly Interval[], threshold: number): SegmentPair[] {
  const edges = candidateEdges(a, b, threshold);
  const edgeCount = edges.iou.length;
  const pairs: SegmentPair[] = [];
  // Nodes 0..|A|−1 are A's segments, |A|.. are B's. An edge whose two ends have no other edge is a
  // component of its own and is matched outright: the common case, with no assignment problem.
  const degree = new Int32Array(a.length + b.length);
  for (let e = 0; e < edgeCount; e++) {
    degree[edges.a[e]!]!++;
    degree[a.length + edges.b[e]!]!++;
  }
  const shared: number[] = [];
  for (let e = 0; e < edgeCount; e++) {
    if (degree[edges.a[e]!] === 1 && degree[a.length + edges.b[e]!] === 1) {
      pairs.push({ a: edges.a[e]!, b: edges.b[e]!, iou: edges.iou[e]! });
    } else {
      shared.push(e);
    }
  }
  if (shared.length > 0) {
    for (const component of edgeComponents(a.length + b.length, a.length, edges, shared)) {
      matchComponent(a.length, edges, component, pairs);
    }
  }
  return pairs.sort((x, y) => x.a - y.a);
}

interface CandidateEdges {
  a: number[];
  b: number[];
  iou: number[];
}

/** The given edges grouped into connected components (union-find over the nodes). */
function edgeComponents(nodeCount: number, countA: number, edges: CandidateEdges, edgeList: readonly number[]): number[][] {
  const parent = new Int32Array(nodeCount);
  for (let node = 0; node < nodeCount; node++) parent[node] = node;
  const find = (node: number): number => {
    let root = node;
    while (parent[root] !== root) root = parent[root]!;
    while (parent[node] !== root) {
      const next = parent[node]!;
      parent[node] = root;
      node = next;
    }
    return root;
  };
  for (const e of edgeList) {
    const rootA = find(edges.a[e]!);
    const rootB = find(countA + edges.b[e]!);
    if (rootA !== rootB) parent[Math.max(rootA, rootB)] = Math.min(rootA, rootB);
  }
  const components = new Map<number, number[]>();
  for (const e of edgeList) {
    const root = find(edges.a[e]!);
    const list = components.get(root);
    if (list === undefined) components.set(root, [e]);
    else list.push(e);
  }
  return [...components.values()];
}

/** Exact maximum-IoU matching of one component, appended to `pairs`. */
function matchComponent(countA: number, edges: CandidateEdges, edgeList: readonly number[], pairs: SegmentPair[]): void {
  const rowNodes = sortedUniqueNumbers(edgeList.map((e) => edges.a[e]!));
  const colNodes = sortedUniqueNumbers(edgeList.map((e) => edges.b[e]!));
  const rowOf = new Map(rowNodes.map((node, position) => [node, position]));
  const colOf = new Map(colNodes.map((node, position) => [node, position]));
  const cols = colNodes.length;
  const weights = new Float64Array(rowNodes.length * cols).fill(-Infinity);
  for (const e of edgeList) weights[rowOf.get(edges.a[e]!)! * cols + colOf.get(edges.b[e]!)!] = edges.iou[e]!;
  const assignment = maxWeightAssignment(rowNodes.length, cols, (row, col) => weights[row * cols + col]!);
  assignment.forEach((col, row) => {
    if (col >= 0) pairs.push({ a: rowNodes[row]!, b: colNodes[col]!, iou: weights[row * cols + col]! });
  });
}

/**
 * Pairs (i, j) with a positive intersection and IoU ≥ threshold, by one sweep over both lists in
 * start order: a segment, when reached, meets every earlier-starting segment of the other list that
 * has not yet ended; ended ones are dropped from the active list on the way.
 */
function candidateEdges(a: readonly Interval[], b: readonly Interval[], threshold: number): CandidateEdges {
  const edges: CandidateEdges = { a: [], b: [], iou: [] };
  // Exports usually list segments in time order already; checking first skips the sort then.
  const byStart = (list: readonly Interval[]): Int32Array => {
    const order = new Int32Array(list.length);
    let sorted = true;
    for (let k = 0; k < list.length; k++) {
      order[k] = k;
      if (k > 0 && list[k]!.start < list[k - 1]!.start) sorted = false;
    }
    return sorted ? order : order.sort((x, y) => list[x]!.start - list[y]!.start);
  };
  const orderA = byStart(a);
  const orderB = byStart(b);
  const activeA: number[] = [];
  const activeB: number[] = [];
  const meet = (segment: Interval, active: number[], others: readonly Interval[], add: (other: number, iou: number) => void): void => {
    let kept = 0;
    for (const other of active) {
      const candidate = others[other]!;
      if (candidate.end <= segment.start) continue;
      active[kept++] = other;
      const intersection = Math.min(candidate.end, segment.end) - segment.start;
      const iou = intersection / (candidate.end - candidate.start + (segment.end - segment.start) - intersection);
      if (iou >= threshold) add(other, iou);
    }
    active.length = kept;
  };
  let i = 0;
  let j = 0;
  while (i < orderA.length || j < orderB.length) {
    const takeA = j === orderB.length || (i < orderA.length && a[orderA[i]!]!.start <= b[orderB[j]!]!.start);
    if (takeA) {
      const index = orderA[i++]!;
      const segment = a[index]!;
      if (segment.end <= segment.start) continue;
      meet(segment, activeB, b, (other, iou) => {
        edges.a.push(index);
        edges.b.push(other);
        edges.iou.push(iou);
      });
      activeA.push(index);
    } else {
      const index = orderB[j++]!;
      const segment = b[index]!;
      if (segment.end <= segment.start) continue;
      meet(segment, activeA, a, (other, iou) => {
        edges.a.push(other);
        edges.b.push(index);
        edges.iou.push(iou);
      });
      activeB.push(index);
    }
  }
  return edges;
}

function summarizeDeviations(values: readonly number[]): DeviationSummary | null {
  if (values.length === 0) return null;
  const sorted = Float64Array.from(values).sort();
  const nearestRank = (percent: number): number => sorted[Math.max(1, Math.ceil((percent * sorted.length) / 100)) - 1]!;
  return { median: nearestRank(50), p90: nearestRank(90), max: sorted[sorted.length - 1]! };
}

// ——— stream offset ———

interface Stream {
  starts: Float64Array;
  ends: Float64Array;
  /** Number of starts and ends. */
  boundaryCount: number;
  covered: number;
  maxAbs: number;
}

function toBoundaries(merged: readonly Interval[]): Stream {
  const count = merged.length;
  const starts = new Float64Array(count);
  const ends = new Float64Array(count);
  let covered = 0;
  let maxAbs = 0;
  for (let k = 0; k < count; k++) {
    const { start, end } = merged[k]!;
    starts[k] = start;
    ends[k] = end;
    covered += end - start;
    maxAbs = Math.max(maxAbs, Math.abs(start), Math.abs(end));
  }
  return { starts, ends, boundaryCount: 2 * count, covered, maxAbs };
}

/** Scratch space of nearMaximalShifts, grown as needed: offsets are estimated per item, many times. */
let risesScratch: Float64Array = new Float64Array(256);
let fallsScratch: Float64Array = new Float64Array(256);

/**
 * The shifts of [−D, D] where I(d) = |(A + d) ∩ B| is within rounding reach of its maximum, among
 * the breakpoints and −D, 0, D. I(d) is a sum of one trapezoid per pair (a_i, b_j) of merged
 * intervals: slope +1 from b_j.start − a_i.end, 0 between min and max of (b_j.start − a_i.start,
 * b_j.end − a_i.end), −1 down to b_j.end − a_i.start. Only pairs whose trapezoid meets (−D, D)
 * matter (two pointers, as both streams are sorted and disjoint), so one sorted sweep over their
 * slope changes gives I at every breakpoint in O(P log P) for P such pairs — instead of one
 * O(n) overlap sweep per candidate shift.
 */
function nearMaximalShifts(a: Stream, b: Stream, maxShift: number): number[] {
  let count = 0;
  let low = 0;
  for (let i = 0; i < a.starts.length; i++) {
    const startA = a.starts[i]!;
    const endA = a.ends[i]!;
    while (low < b.starts.length && b.ends[low]! - startA <= -maxShift) low++;
    for (let j = low; j < b.starts.length; j++) {
      const startB = b.starts[j]!;
      const endB = b.ends[j]!;
      if (startB - endA >= maxShift) break;
      if (count + 2 > risesScratch.length) {
        risesScratch = grown(risesScratch);
        fallsScratch = grown(fallsScratch);
      }
      const fromStarts = startB - startA;
      const fromEnds = endB - endA;
      risesScratch[count] = startB - endA;
      risesScratch[count + 1] = endB - startA;
      fallsScratch[count] = Math.min(fromStarts, fromEnds);
      fallsScratch[count + 1] = Math.max(fromStarts, fromEnds);
      count += 2;
    }
  }
  const up = risesScratch.subarray(0, count).sort();
  const down = fallsScratch.subarray(0, count).sort();
  const probes = maxShift > 0 ? [-maxShift, 0, maxShift] : [0];
  const positions: number[] = [];
  const values: number[] = [];
  let value = 0;
  let slope = 0;
  let previous = Math.min(count > 0 ? up[0]! : 0, count > 0 ? down[0]! : 0, probes[0]!);
  let u = 0;
  let v = 0;
  let p = 0;
  while (u < count || v < count || p < probes.length) {
    const position = Math.min(u < count ? up[u]! : Infinity, v < count ? down[v]! : Infinity, probes[p] ?? Infinity);
    value += slope * (position - previous);
    previous = position;
    if (position >= -maxShift && position <= maxShift) {
      positions.push(position);
      values.push(value);
    }
    while (u < count && up[u] === position) {
      slope += 1;
      u++;
    }
    while (v < count && down[v] === position) {
      slope -= 1;
      v++;
    }
    while (probes[p] === position) p++;
  }
  let maximum = 0;
  for (const candidate of values) maximum = Math.max(maximum, candidate);
  // The running sum drifts by a few ulps per event; anything this close to the top is measured exactly.
  const reach = 1e-9 * (1 + a.covered + b.covered + a.maxAbs + b.maxAbs + maxShift);
  return positions.filter((_, k) => values[k]! >= maximum - reach);
}

/** |(A + shift) ∩ B| by one linear sweep over the two merged streams. */
function shiftedOverlap(a: Stream, b: Stream, shift: number): number {
  let total = 0;
  let i = 0;
  let j = 0;
  while (i < a.starts.length && j < b.starts.length) {
    const endA = a.ends[i]! + shift;
    const endB = b.ends[j]!;
    const overlap = Math.min(endA, endB) - Math.max(a.starts[i]! + shift, b.starts[j]!);
    if (overlap > 0) total += overlap;
    if (endA < endB) i++;
    else j++;
  }
  return total;
}

// ——— helpers ———

function grown(buffer: Float64Array): Float64Array {
  const larger = new Float64Array(buffer.length * 2);
  larger.set(buffer);
  return larger;
}

function checkThreshold(threshold: number): void {
  if (!(threshold >= 0 && threshold <= 1)) {
    throw new AgreementInputError(`threshold must be a number in [0, 1], got ${threshold}`);
  }
}

function mean(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  let sum = 0;
  for (const value of values) sum += value;
  return sum / values.length;
}

function ascending(x: number, y: number): number {
  return x - y;
}

/** Distinct names in UTF-16 code-unit order, which unlike localeCompare is the same everywhere. */
function sortedUnique(values: readonly string[]): string[] {
  return [...new Set(values)].sort();
}

function sortedUniqueNumbers(values: readonly number[]): number[] {
  return [...new Set(values)].sort(ascending);
}
