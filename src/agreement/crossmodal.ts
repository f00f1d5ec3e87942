/**
 * Agreement across modalities (DESIGN.md section 3): stream synchronisation and cross-modal agreement.
 *
 * **Streams.** A timed interval dimension's stream in an item is its *consensus coverage*: the time
 * covered (with any label) by at least half of the annotators who marked segments of that dimension
 * in the item; one annotator's coverage when there is one. Sync asks *when* things happen in a
 * modality, not what: one annotator's missed or stretched segment must not move the stream, while
 * time most of them mark is what the modality says (with two annotators, half is either: their union).
 * Each pair of timed interval dimensions of different modalities is compared item by item with
 * estimateStreamOffset (temporal.ts); the batch summary tells a constant lag (a pipeline bug: every
 * clip shifted alike) from annotator noise (offsets scattered).
 *
 * **Cross-modal agreement.** A mapping sends each source dimension's labels onto one concept's values.
 * On an item's common timeline (the slices between all boundaries of the sources' segments) every
 * source is one "coder": per slice its value is the *strict majority* of the values its covering
 * annotators map to (more than half of them; a tie or a split is null, no majority; an annotator
 * whose labels there are unmapped is not counted; an annotator marking two different mapped values
 * at once is counted without a value). A categorical (item-level) source's majority covers the whole
 * extent of the item's timeline. One value per modality because the question here is whether the
 * *modalities* agree; whether a modality's own annotators agree is that dimension's alpha, and letting
 * three audio annotators vote beside one video annotator would weigh modalities by head count.
 * Undecided majorities stay null rather than being broken arbitrarily, so they add neither agreement
 * nor conflict.
 *
 * Alpha is nominal over the slices where at least two sources have a value, each slice weighted by
 * its duration. Krippendorff's weights act as multiplicities, and alpha's small-sample factor
 * (n − 1) depends on their scale, so durations are normalised to mean 1 over the pairable slices:
 * alpha does not depend on the unit of time, and slices of equal duration give plain nominal alpha.
 */
import { alphaOfPrepared, prepareReliability } from './alpha';
import type { CategoricalDimension, Dataset, DimensionData, IntervalDimension } from './dataset';
import type {
  CrossModalConflict,
  CrossModalItem,
  CrossModalMapping,
  CrossModalResult,
  ItemStreamOffset,
  StreamPairSync,
} from './evaluation.types';
import { estimateStreamOffset } from './temporal';
import { AgreementInputError, type Interval, type Modality, type ReliabilityData } from './types';

/** Whether a dimension's intervals are times (seconds) rather than character offsets. */
export type IsTimed = (modality: Modality, dimension: string) => boolean;

export interface StreamSyncOptions {
  /** Largest shift searched (D), seconds. */
  maxShiftSeconds: number;
  /** A systematic offset must exceed this, seconds. */
  maxStreamOffsetSeconds: number;
  isTimed: IsTimed;
}

export interface CrossModalOptions {
  /** A disagreement must last longer than this to be a conflict, seconds. */
  toleranceSeconds: number;
  isTimed: IsTimed;
}

/**
 * Least spread a systematic offset may have, seconds: estimation jitter of a frame or two (40 ms at
 * 25 fps) must not hide a constant lag.
 */
const SYSTEMATIC_SPREAD_FLOOR = 0.05;

/**
 * Per pair of timed interval dimensions of different modalities (in MODALITIES order, then by
 * dimension), the offset of each item judged in both (sorted by item) and the batch summary.
 *
 * The summary takes the items whose streams overlap at some shift within ±D (best IoU > 0): an item
 * whose streams never meet carries no offset (estimateStreamOffset reports 0 for it). `medianOffset`
 * is their median (the mean of the middle two for an even count), `offsetSpread` the median absolute
 * deviation around it. The rule for a systematic offset:
 *   |medianOffset| > maxStreamOffsetSeconds  and  offsetSpread ≤ max(0.05 s, |medianOffset| / 4).
 * A lag in the pipeline moves every item alike, so the offsets cluster tightly around a median
 * beyond tolerance; annotator noise scatters them (a spread comparable with the median). The 0.05 s
 * floor absorbs frame-level jitter of the estimates; |median| / 4 lets a long lag be estimated with
 * proportionally more jitter and still count.
 */
export function streamSync(dataset: Dataset, options: StreamSyncOptions): StreamPairSync[] {
  const { maxShiftSeconds, maxStreamOffsetSeconds, isTimed } = options;
  checkSeconds('maxShiftSeconds', maxShiftSeconds);
  checkSeconds('maxStreamOffsetSeconds', maxStreamOffsetSeconds);
  // Dataset.dimensions come in MODALITIES order, then by dimension: the pairs keep that order.
  const timed = dataset.dimensions.filter(
    (dimension): dimension is IntervalDimension => dimension.shape === 'intervals' && isTimed(dimension.modality, dimension.dimension),
  );
  const itemOrder = itemsByName(dataset.items);
  const streams = timed.map((dimension) => consensusStreams(dimension, dataset.items.length, dataset.annotators.length));

  const pairs: StreamPairSync[] = [];
  for (let i = 0; i < timed.length; i++) {
    for (let j = i + 1; j < timed.length; j++) {
      const a = timed[i]!;
      const b = timed[j]!;
      if (a.modality === b.modality) continue;
      const perItem: ItemStreamOffset[] = [];
      for (const u of itemOrder) {
        const streamA = streams[i]![u];
        const streamB = streams[j]![u];
        if (streamA === undefined || streamB === undefined) continue;
        const { offset, iou, iouAtZero, gain } = estimateStreamOffset(streamA, streamB, { maxShift: maxShiftSeconds });
        perItem.push({ item: dataset.items[u]!, offset, iou, iouAtZero, gain });
      }
      pairs.push({
        a: { modality: a.modality, dimension: a.dimension },
        b: { modality: b.modality, dimension: b.dimension },
        items: perItem.length,
        ...offsetSummary(perItem, maxStreamOffsetSeconds),
        perItem,
      });
    }
  }
  return pairs;
}

function offsetSummary(
  perItem: readonly ItemStreamOffset[],
  maxStreamOffsetSeconds: number,
): { medianOffset: number | null; offsetSpread: number | null; systematic: boolean } {
  const offsets = Float64Array.from(
    perItem.filter((entry) => entry.iou !== null && entry.iou > 0),
    (entry) => entry.offset,
  ).sort();
  if (offsets.length === 0) return { medianOffset: null, offsetSpread: null, systematic: false };
  const medianOffset = medianOfSorted(offsets);
  const spread = medianOfSorted(offsets.map((offset) => Math.abs(offset - medianOffset)).sort());
  const systematic =
    Math.abs(medianOffset) > maxStreamOffsetSeconds && spread <= Math.max(SYSTEMATIC_SPREAD_FLOOR, Math.abs(medianOffset) / 4);
  return { medianOffset, offsetSpread: spread, systematic };
}

function medianOfSorted(sorted: Float64Array): number {
  const middle = sorted.length >>> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Each item's consensus coverage in one dimension (undefined: no segment there), by item id. */
function consensusStreams(dimension: IntervalDimension, itemCount: number, annotatorCount: number): Array<Interval[] | undefined> {
  const groups = groupByItem(dimension, itemCount, annotatorCount);
  const streams = new Array<Interval[] | undefined>(itemCount);
  for (let u = 0; u < itemCount; u++) {
    const from = groups.offsets[u]!;
    const to = groups.offsets[u + 1]!;
    if (to > from) streams[u] = consensusCoverage(dimension, groups.order.subarray(from, to));
  }
  return streams;
}

/**
 * Time covered by at least ⌈k/2⌉ of the k annotators of these segments (one item, grouped by
 * annotator): each annotator's segments merged first, so that an annotator counts once however its
 * segments overlap, then one sweep over all starts and ends (equal times applied together, so
 * touching pieces join).
 */
function consensusCoverage(dimension: IntervalDimension, segments: Int32Array): Interval[] {
  const starts: number[] = [];
  const ends: number[] = [];
  let annotators = 0;
  forEachAnnotator(dimension, segments, (block) => {
    if (mergeInto(dimension, inStartOrder(dimension.start, block), starts, ends)) annotators += 1;
  });
  if (annotators === 0) return [];

  const needed = Math.ceil(annotators / 2);
  const startTimes = Float64Array.from(starts).sort();
  const endTimes = Float64Array.from(ends).sort();
  const coverage: Interval[] = [];
  let i = 0;
  let j = 0;
  let depth = 0;
  let openedAt = Number.NaN;
  while (j < endTimes.length) {
    const time = i < startTimes.length ? Math.min(startTimes[i]!, endTimes[j]!) : endTimes[j]!;
    while (i < startTimes.length && startTimes[i] === time) {
      depth += 1;
      i += 1;
    }
    while (j < endTimes.length && endTimes[j] === time) {
      depth -= 1;
      j += 1;
    }
    if (depth >= needed) {
      if (Number.isNaN(openedAt)) openedAt = time;
    } else if (!Number.isNaN(openedAt)) {
      coverage.push({ start: openedAt, end: time });
      openedAt = Number.NaN;
    }
  }
  return coverage;
}

/** Appends one annotator's segments (in start order), merged, to starts/ends; false when all are empty. */
function mergeInto(dimension: IntervalDimension, segments: Int32Array, starts: number[], ends: number[]): boolean {
  const { start, end } = dimension;
  let runStart = Number.NaN;
  let runEnd = Number.NaN;
  for (const segment of segments) {
    const from = start[segment]!;
    const to = end[segment]!;
    if (!(to > from)) continue;
    if (from <= runEnd) {
      runEnd = Math.max(runEnd, to);
      continue;
    }
    if (!Number.isNaN(runStart)) {
      starts.push(runStart);
      ends.push(runEnd);
    }
    runStart = from;
    runEnd = to;
  }
  if (Number.isNaN(runStart)) return false;
  starts.push(runStart);
  ends.push(runEnd);
  return true;
}

/** The segments themselves when already in start order (as exports usually list them), else a sorted copy. */
function inStartOrder(start: Float64Array, segments: Int32Array): Int32Array {
  for (let k = 1; k < segments.length; k++) {
    if (start[segments[k]!]! < start[segments[k - 1]!]!) return Int32Array.from(segments).sort((x, y) => start[x]! - start[y]!);
  }
  return segments;
}

/** Calls `visit` with each annotator's run of an item's judgements (grouped by annotator already). */
function forEachAnnotator(data: DimensionData, judgements: Int32Array, visit: (block: Int32Array) => void): void {
  const { annotator } = data;
  let from = 0;
  while (from < judgements.length) {
    let to = from + 1;
    while (to < judgements.length && annotator[judgements[to]!] === annotator[judgements[from]!]) to += 1;
    visit(judgements.subarray(from, to));
    from = to;
  }
}

// ——— cross-modal agreement ———

/** A source's state in a slice: no annotator there, or no majority; values are codes ≥ 0. */
const SILENT = -2;
const NO_MAJORITY = -1;
/** An annotator's mark in a slice: none, or two different mapped values at once. */
const UNMARKED = -1;
const TORN = -3;

interface SourcePlan {
  modality: Modality;
  dimension: string;
  /** null: the dimension is not in this batch. */
  data: IntervalDimension | CategoricalDimension | null;
  groups: ItemGroups | null;
  /** Label id → concept value code; −1 for labels the mapping leaves out. */
  codeOfLabel: Int32Array;
}

/**
 * Per mapping (in the given order), duration-weighted nominal alpha of the concept's sources per item
 * (items judged in at least two of them, sorted) and pooled over the batch, and the conflicts:
 * maximal runs of adjacent slices where the sources with a value disagree, kept when longer than
 * toleranceSeconds, each giving every source's value there (constant, else the value it holds
 * longest in the run, the earliest on a tie; null: no majority; sources silent throughout omitted).
 * Interval sources that are not timed (text character offsets) and box sources have no timeline and
 * are left out of `sources`; when alpha is undefined its reason names them.
 */
export function crossModalAgreement(
  dataset: Dataset,
  mappings: readonly CrossModalMapping[],
  options: CrossModalOptions,
): CrossModalResult[] {
  checkSeconds('toleranceSeconds', options.toleranceSeconds);
  const itemOrder = itemsByName(dataset.items);
  const groupCache = new Map<DimensionData, ItemGroups>();
  const groupsOf = (data: DimensionData): ItemGroups => {
    let groups = groupCache.get(data);
    if (groups === undefined) {
      groups = groupByItem(data, dataset.items.length, dataset.annotators.length);
      groupCache.set(data, groups);
    }
    return groups;
  };
  return mappings.map((mapping) => agreementOfMapping(dataset, mapping, options, itemOrder, groupsOf));
}

function agreementOfMapping(
  dataset: Dataset,
  mapping: CrossModalMapping,
  options: CrossModalOptions,
  itemOrder: Int32Array,
  groupsOf: (data: DimensionData) => ItemGroups,
): CrossModalResult {
  const values = [...new Set(mapping.sources.flatMap((source) => Object.values(source.map)))].sort();
  const codeOfValue = new Map(values.map((value, code) => [value, code]));
  const plans: SourcePlan[] = [];
  const skipped: string[] = [];
  const seen = new Set<string>();
  for (const source of mapping.sources) {
    const name = `${source.modality}/${source.dimension}`;
    if (seen.has(name)) throw new AgreementInputError(`concept "${mapping.concept}" lists ${name} twice`);
    seen.add(name);
    const data = dataset.dimensions.find((d) => d.modality === source.modality && d.dimension === source.dimension) ?? null;
    if (data?.shape === 'boxes') {
      skipped.push(`${name} holds boxes, which have no timeline`);
      continue;
    }
    if (data?.shape === 'intervals' && !options.isTimed(data.modality, data.dimension)) {
      skipped.push(`${name} is not timed (character offsets), so it has no place on a timeline`);
      continue;
    }
    const codeOfLabel = new Int32Array(data === null ? 0 : data.labels.length).fill(-1);
    data?.labels.forEach((label, id) => {
      if (Object.hasOwn(source.map, label)) codeOfLabel[id] = codeOfValue.get(source.map[label]!)!;
    });
    plans.push({ modality: source.modality, dimension: source.dimension, data, groups: data === null ? null : groupsOf(data), codeOfLabel });
  }
  const sources = plans.map(({ modality, dimension }) => ({ modality, dimension }));
  const withSkipped = (reason: string): string => (skipped.length === 0 ? reason : `${reason} (skipped: ${skipped.join('; ')})`);
  const undefinedResult = (reason: string): CrossModalResult => ({
    concept: mapping.concept,
    sources,
    alpha: null,
    items: 0,
    perItem: [],
    conflicts: [],
    undefinedReason: withSkipped(reason),
  });
  if (plans.length < 2) return undefinedResult('fewer than two sources that can be placed on a timeline');

  const judgedSources = new Int32Array(dataset.items.length);
  for (const { groups } of plans) {
    if (groups === null) continue;
    for (let u = 0; u < dataset.items.length; u++) if (groups.offsets[u + 1]! > groups.offsets[u]!) judgedSources[u]! += 1;
  }
  const pooled = new SliceColumns(plans.length);
  const perItem: CrossModalItem[] = [];
  const conflicts: CrossModalConflict[] = [];
  for (const u of itemOrder) {
    if (judgedSources[u]! < 2) continue;
    const item = dataset.items[u]!;
    const timeline = itemTimeline(plans, u, values.length);
    if (timeline === null) {
      perItem.push({ item, alpha: null, pairableSeconds: 0, disagreeingSeconds: 0, undefinedReason: 'no timed source has a segment in this item: no timeline' });
      continue;
    }
    const firstUnit = pooled.units;
    const { pairableSeconds, disagreeingSeconds } = scanTimeline(timeline, pooled, options.toleranceSeconds, (from, to) => {
      const { boundaries } = timeline;
      conflicts.push({ item, start: boundaries[from]!, end: boundaries[to]!, values: conflictValues(plans, values, timeline, from, to) });
    });
    const alpha = weightedAlpha(pooled, firstUnit, pooled.units);
    perItem.push({ item, alpha: alpha.value, pairableSeconds, disagreeingSeconds, undefinedReason: alpha.reason });
  }
  if (perItem.length === 0) return undefinedResult(`no item was judged in two of the concept's sources`);
  const alpha = weightedAlpha(pooled, 0, pooled.units);
  return {
    concept: mapping.concept,
    sources,
    alpha: alpha.value,
    items: perItem.length,
    perItem,
    conflicts,
    undefinedReason: alpha.value === null ? withSkipped(alpha.reason!) : null,
  };
}

/** One item's common timeline: its boundaries and, per source, its state in each slice. */
interface Timeline {
  boundaries: Float64Array;
  /** states[s][k]: source s in slice k (a value code, NO_MAJORITY or SILENT). */
  states: Int32Array[];
}

/** null when no timed source has a segment in the item. */
function itemTimeline(plans: readonly SourcePlan[], u: number, valueCount: number): Timeline | null {
  let pointCount = 0;
  for (const { data, groups } of plans) {
    if (data?.shape === 'intervals') pointCount += 2 * (groups!.offsets[u + 1]! - groups!.offsets[u]!);
  }
  const sorted = new Float64Array(pointCount);
  pointCount = 0;
  for (const { data, groups } of plans) {
    if (data?.shape !== 'intervals') continue;
    for (let k = groups!.offsets[u]!; k < groups!.offsets[u + 1]!; k++) {
      const segment = groups!.order[k]!;
      sorted[pointCount++] = data.start[segment]!;
      sorted[pointCount++] = data.end[segment]!;
    }
  }
  sorted.sort();
  let count = 0;
  for (let k = 0; k < sorted.length; k++) if (k === 0 || sorted[k] !== sorted[count - 1]) sorted[count++] = sorted[k]!;
  if (count < 2) return null;
  const boundaries = sorted.slice(0, count);
  const slices = count - 1;
  const states = plans.map((plan) => {
    if (plan.data === null) return new Int32Array(slices).fill(SILENT);
    const segments = plan.groups!.order.subarray(plan.groups!.offsets[u]!, plan.groups!.offsets[u + 1]!);
    return plan.data.shape === 'intervals'
      ? timedStates(plan.data, plan.codeOfLabel, segments, boundaries, valueCount)
      : new Int32Array(slices).fill(categoricalState(plan.data, plan.codeOfLabel, segments, valueCount));
  });
  return { boundaries, states };
}

/** Per slice, the strict majority of the covering annotators' mapped values (module comment). */
function timedStates(
  data: IntervalDimension,
  codeOfLabel: Int32Array,
  segments: Int32Array,
  boundaries: Float64Array,
  valueCount: number,
): Int32Array {
  const slices = boundaries.length - 1;
  const votes = new Int32Array(slices * valueCount);
  const voters = new Int32Array(slices);
  const marks = new Int32Array(slices);
  forEachAnnotator(data, segments, (block) => {
    marks.fill(UNMARKED);
    let first = slices;
    let last = -1;
    for (const segment of block) {
      const label = data.label[segment]!;
      const code = label < 0 ? -1 : codeOfLabel[label]!;
      if (code < 0) continue;
      const from = indexOfBoundary(boundaries, data.start[segment]!);
      const to = indexOfBoundary(boundaries, data.end[segment]!);
      for (let slice = from; slice < to; slice++) {
        const mark = marks[slice]!;
        marks[slice] = mark === UNMARKED || mark === code ? code : TORN;
      }
      first = Math.min(first, from);
      last = Math.max(last, to - 1);
    }
    for (let slice = first; slice <= last; slice++) {
      const mark = marks[slice]!;
      if (mark === UNMARKED) continue;
      voters[slice]! += 1;
      if (mark >= 0) votes[slice * valueCount + mark]! += 1;
    }
  });
  const states = new Int32Array(slices);
  for (let slice = 0; slice < slices; slice++) {
    states[slice] = voters[slice] === 0 ? SILENT : majorityCode(votes, slice * valueCount, valueCount, voters[slice]!);
  }
  return states;
}

/** The item-level strict majority of the annotators' mapped labels. */
function categoricalState(data: CategoricalDimension, codeOfLabel: Int32Array, judgements: Int32Array, valueCount: number): number {
  const votes = new Int32Array(valueCount);
  let voters = 0;
  for (const judgement of judgements) {
    const label = data.label[judgement]!;
    const code = label < 0 ? -1 : codeOfLabel[label]!;
    if (code < 0) continue;
    voters += 1;
    votes[code]! += 1;
  }
  return voters === 0 ? SILENT : majorityCode(votes, 0, valueCount, voters);
}

function majorityCode(votes: Int32Array, offset: number, valueCount: number, voters: number): number {
  for (let code = 0; code < valueCount; code++) if (2 * votes[offset + code]! > voters) return code;
  return NO_MAJORITY;
}

/** Index of `time`, which is one of the sorted distinct boundaries. */
function indexOfBoundary(boundaries: Float64Array, time: number): number {
  let low = 0;
  let high = boundaries.length - 1;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (boundaries[middle]! < time) low = middle + 1;
    else high = middle;
  }
  return low;
}

/**
 * Walks the slices: adds each pairable one (two or more source values) to `columns`, sums pairable
 * and disagreeing seconds, and reports each maximal run of disagreeing slices longer than the
 * tolerance to `conflict` as its slice range [from, to).
 */
function scanTimeline(
  timeline: Timeline,
  columns: SliceColumns,
  toleranceSeconds: number,
  conflict: (from: number, to: number) => void,
): { pairableSeconds: number; disagreeingSeconds: number } {
  const { boundaries, states } = timeline;
  const slices = boundaries.length - 1;
  let pairableSeconds = 0;
  let disagreeingSeconds = 0;
  let runFrom = -1;
  const closeRun = (to: number): void => {
    if (runFrom >= 0 && boundaries[to]! - boundaries[runFrom]! > toleranceSeconds) {
      conflict(runFrom, to);
    }
    runFrom = -1;
  };
  for (let slice = 0; slice < slices; slice++) {
    const duration = boundaries[slice + 1]! - boundaries[slice]!;
    let present = 0;
    let firstValue = -1;
    let disagree = false;
    for (let source = 0; source < states.length; source++) {
      const state = states[source]![slice]!;
      if (state < 0) continue;
      if (present === 0) firstValue = state;
      else if (state !== firstValue) disagree = true;
      present += 1;
    }
    if (present >= 2) {
      pairableSeconds += duration;
      columns.addUnit(duration, states, slice);
    }
    if (disagree) {
      disagreeingSeconds += duration;
      if (runFrom < 0) runFrom = slice;
    } else {
      closeRun(slice);
    }
  }
  closeRun(slices);
  return { pairableSeconds, disagreeingSeconds };
}

/** Each source's value over slices [from, to): the state it holds longest (earliest on a tie). */
function conflictValues(
  plans: readonly SourcePlan[],
  values: readonly string[],
  timeline: Timeline,
  from: number,
  to: number,
): CrossModalConflict['values'] {
  const { boundaries, states } = timeline;
  const result: CrossModalConflict['values'] = [];
  plans.forEach((plan, source) => {
    const held = new Map<number, number>();
    for (let slice = from; slice < to; slice++) {
      const state = states[source]![slice]!;
      if (state === SILENT) continue;
      held.set(state, (held.get(state) ?? 0) + (boundaries[slice + 1]! - boundaries[slice]!));
    }
    let best = SILENT;
    let longest = -1;
    for (const [state, seconds] of held) {
      if (seconds > longest) {
        best = state;
        longest = seconds;
      }
    }
    if (best !== SILENT) result.push({ modality: plan.modality, dimension: plan.dimension, value: best === NO_MAJORITY ? null : values[best]! });
  });
  return result;
}

/**
 * Pairable slices as reliability units in compressed-sparse-row form (the sources are the coders),
 * each with its duration, appended item after item so that an item's units are one range.
 */
class SliceColumns {
  units = 0;
  private size = 0;
  private offsets: Int32Array = new Int32Array(1024);
  private durations: Float64Array = new Float64Array(1024);
  private coders: Int32Array = new Int32Array(1024);
  private codes: Float64Array = new Float64Array(1024);

  constructor(private readonly sourceCount: number) {}

  addUnit(duration: number, states: readonly Int32Array[], slice: number): void {
    if (this.units + 2 > this.offsets.length) {
      this.offsets = grownInt32(this.offsets, 2 * this.offsets.length);
      this.durations = grownFloat64(this.durations, 2 * this.durations.length);
    }
    if (this.size + states.length > this.coders.length) {
      this.coders = grownInt32(this.coders, 2 * this.coders.length + states.length);
      this.codes = grownFloat64(this.codes, 2 * this.codes.length + states.length);
    }
    for (let source = 0; source < states.length; source++) {
      const state = states[source]![slice]!;
      if (state < 0) continue;
      this.coders[this.size] = source;
      this.codes[this.size] = state;
      this.size += 1;
    }
    this.durations[this.units] = duration;
    this.units += 1;
    this.offsets[this.units] = this.size;
  }

  /** Units [from, to) as reliability data, with their durations. */
  range(from: number, to: number): { data: ReliabilityData; durations: Float64Array } {
    const base = this.offsets[from]!;
    const unitOffsets = this.offsets.slice(from, to + 1);
    for (let u = 0; u < unitOffsets.length; u++) unitOffsets[u]! -= base;
    const end = this.offsets[to]!;
    return {
      data: { unitOffsets, coders: this.coders.slice(base, end), values: this.codes.slice(base, end), coderCount: this.sourceCount },
      durations: this.durations.slice(from, to),
    };
  }
}

function grownInt32(array: Int32Array, capacity: number): Int32Array {
  const larger = new Int32Array(capacity);
  larger.set(array);
  return larger;
}

function grownFloat64(array: Float64Array, capacity: number): Float64Array {
  const larger = new Float64Array(capacity);
  larger.set(array);
  return larger;
}

/**
 * Nominal alpha of units [from, to), weighted by duration normalised to mean 1 (module comment).
 * Every unit is pairable, so with at least one the weighted n is at least 2.
 */
function weightedAlpha(columns: SliceColumns, from: number, to: number): { value: number | null; reason: string | null } {
  if (to === from) return { value: null, reason: 'no stretch of the timeline where two sources have a value' };
  const { data, durations } = columns.range(from, to);
  let total = 0;
  for (const duration of durations) total += duration;
  const meanDuration = total / durations.length;
  const weights = durations.map((duration) => duration / meanDuration);
  const { alpha } = alphaOfPrepared(prepareReliability(data, 'nominal'), weights);
  return alpha.value === null ? { value: null, reason: alpha.reason } : { value: alpha.value, reason: null };
}

// ——— shared ———

/**
 * Judgement indexes grouped by item id, and within an item by annotator id (then column order):
 * item u's are order[offsets[u] .. offsets[u + 1] − 1].
 */
interface ItemGroups {
  offsets: Int32Array;
  order: Int32Array;
}

/** Two stable counting sorts, by annotator then by item: O(judgements + annotators + items), once per dimension. */
function groupByItem(data: DimensionData, itemCount: number, annotatorCount: number): ItemGroups {
  const { size, item, annotator } = data;
  const byAnnotator = new Int32Array(size);
  const annotatorNext = new Int32Array(annotatorCount + 1);
  for (let i = 0; i < size; i++) annotatorNext[annotator[i]! + 1]! += 1;
  for (let a = 0; a < annotatorCount; a++) annotatorNext[a + 1]! += annotatorNext[a]!;
  for (let i = 0; i < size; i++) byAnnotator[annotatorNext[annotator[i]!]!++] = i;

  const offsets = new Int32Array(itemCount + 1);
  for (let i = 0; i < size; i++) offsets[item[i]! + 1]! += 1;
  for (let u = 0; u < itemCount; u++) offsets[u + 1]! += offsets[u]!;
  const next = offsets.slice(0, itemCount);
  const order = new Int32Array(size);
  for (const i of byAnnotator) order[next[item[i]!]!++] = i;
  return { offsets, order };
}

/** Item ids in name order (UTF-16 code units, the same everywhere). */
function itemsByName(items: readonly string[]): Int32Array {
  return Int32Array.from(items.keys()).sort((x, y) => (items[x]! < items[y]! ? -1 : items[x]! > items[y]! ? 1 : 0));
}

function checkSeconds(name: string, value: number): void {
  if (!(value >= 0 && Number.isFinite(value))) throw new AgreementInputError(`${name} must be a finite number ≥ 0, got ${value}`);
}
