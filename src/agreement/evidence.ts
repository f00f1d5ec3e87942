/**
 * Findings of a batch (DESIGN.md section 4): what a reviewer should look at, each with the evidence
 * that makes it checkable and a stable key. Read from the Dataset's columns and the dimensions'
 * results (analyze.ts), the stream offsets and the cross-modal results (crossmodal.ts).
 *
 * Rules and severities (high, medium, low):
 * - LABEL_CONFLICT (nominal items): one label holds more than half of the votes and someone dissents;
 *   medium when the dissenters are at least a third of the votes, else low. NO_MAJORITY: no label
 *   holds more than half (a 1–1 split included); high. Ordinal, interval and ratio items are judged
 *   by distance instead (a 3 next to a 4 is no conflict): LOW_ITEM_AGREEMENT when the item's mean δ²
 *   exceeds the dimension's expected disagreement D_e (worse than chance); medium from 2·D_e.
 * - LOW_ITEM_AGREEMENT (segments): the item's coverage IoU, Σ|A∩B| / Σ|A∪B| over its labels and
 *   annotator pairs, is below policy.minMeanIoU; medium below half of it.
 * - TEMPORAL_MISALIGNMENT: matched segments (IoU ≥ policy.matchThreshold) whose onset or offset
 *   differs by more than policy.boundaryToleranceSeconds; medium beyond twice the tolerance. Text
 *   spans are character offsets, so there the tolerance reads as characters (0.25: any difference).
 * - UNMATCHED_SEGMENT: one finding per segment, or per box (evidence.kind 'box': an object drawn by
 *   one annotator is the same kind of defect as a segment marked by one), that some annotator of
 *   the item (of the image or frame, for boxes) did not match; medium when nobody matched it.
 * - OUTLIER_ANNOTATOR (batch level, categorical dimensions: drop-one alpha is theirs): alpha without
 *   the annotator rises by more than policy.outlierMargin; high when the dimension fails its minimum
 *   alpha with the annotator and passes without, else medium.
 * - MISSING_ANNOTATION: an item of a dimension (one with at least one judgement there) judged by
 *   fewer annotators than policy.minJudgementsPerItem; high when fewer than two (nothing to compare).
 * - INVALID_SPAN: a segment of zero length or a box of zero area (the dataset already rejects
 *   end < start); medium. Such spans take no part in matching, their annotator still judged the item.
 * - STREAM_DESYNC: per item where |offset| > policy.maxStreamOffsetSeconds and shifting gains IoU
 *   (medium); one batch-level finding per systematic stream pair (high).
 * - CROSS_MODAL_CONFLICT: one per conflict of a cross-modal concept; medium. Modality null,
 *   `dimension` is the concept's name, the evidence gives each source's value.
 *
 * Keys: `CODE|modality/dimension|item|annotators|detail` (the item empty at batch level, the
 * annotators sorted and comma-separated, `|`, `,` and `\` escaped with `\`), times rounded to the
 * millisecond and written with three decimals. The annotators are those the finding is about, as in
 * its `annotators` field but for UNMATCHED_SEGMENT, whose key names only the owner of the segment
 * (its `annotators` add those who lack it): LABEL_CONFLICT the dissenters, NO_MAJORITY every voter,
 * LOW_ITEM_AGREEMENT everyone who judged the item, TEMPORAL_MISALIGNMENT the pair,
 * MISSING_ANNOTATION those who did judge, INVALID_SPAN and OUTLIER_ANNOTATOR the one annotator. The
 * detail: `label|start-end` of a segment, `label|@frame|x,y,w,h` of a box, both segments of a
 * misaligned pair, `values`/`coverage` for low agreement. Stream keys name the pair
 * (`audio/speech~video/face`) and carry no annotators (streams are consensus coverage); cross-modal
 * keys name the concept and the span.
 */
import { unitDisagreement } from './alpha';
import type { CategoricalResult, DimensionResult } from './analyze';
import { matchBoxes } from './boxes';
import type { BoxDimension, CategoricalDimension, Dataset, DimensionData, IntervalDimension } from './dataset';
import {
  SEVERITIES,
  type CrossModalResult,
  type Finding,
  type FlagCode,
  type ResolvedPolicy,
  type StreamPairSync,
} from './evaluation.types';
import { parseDecimal } from './numbers';
import { reliabilityFromColumns } from './reliability';
import { matchSegments } from './temporal';
import type { Interval, LabeledBox, Level, Modality } from './types';

export interface EvidenceOptions {
  policy: ResolvedPolicy;
  /** Whether a dimension's intervals are seconds (else character offsets): only words change. */
  isTimed: (modality: Modality, dimension: string) => boolean;
}

/** Where the fewest annotators judged an item (ties: the first dimension, then the least item name). */
export interface FewestJudgements {
  count: number;
  item: string;
  modality: Modality;
  dimension: string;
}

export interface DatasetFindings {
  findings: Finding[];
  /** Distinct items with at least one peer judgement. */
  items: number;
  /** null without items. */
  fewestJudgements: FewestJudgements | null;
}

// ——— keys, messages, order ———

const SPECIAL = /[\\|,]/;
const escapePart = (text: string): string => (SPECIAL.test(text) ? text.replace(/[\\|,]/g, (character) => `\\${character}`) : text);

/** `CODE|where|item|annotators|detail`, see the file comment. */
export function findingKey(code: FlagCode, where: string, item: string | null, annotators: readonly string[], detail = ''): string {
  return `${code}|${escapePart(where)}|${item === null ? '' : escapePart(item)}|${annotators.map(escapePart).join(',')}|${detail}`;
}

/**
 * Seconds (or characters) rounded to milliseconds with three decimals, as keys and messages write
 * them; by integer arithmetic, as toFixed costs about a microsecond and a batch can have millions.
 */
function fixed(value: number): string {
  const ms = Math.round(value * 1000);
  if (!Number.isSafeInteger(ms)) return value.toFixed(3);
  const magnitude = ms < 0 ? -ms : ms;
  const fraction = magnitude % 1000;
  return `${ms < 0 ? '-' : ''}${(magnitude - fraction) / 1000}.${fraction < 10 ? '00' : fraction < 100 ? '0' : ''}${fraction}`;
}
const ratio = (value: number): string => value.toFixed(3);
/** The text as a JSON string literal (the common plain case without JSON.stringify). */
function quoted(text: string): string {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 32 || code === 34 || code === 92) return JSON.stringify(text);
  }
  return `"${text}"`;
}

/**
 * Appends the finding with its key and message as flat strings. A template literal builds a rope of
 * its parts, so each finding would keep a dozen small string objects alive; with hundreds of
 * thousands of findings that doubled the evaluation's time in garbage collection. Reading a
 * character makes V8 flatten a rope, its parts becoming garbage at once.
 */
function add(findings: Finding[], finding: Finding): void {
  finding.key.charCodeAt(0);
  finding.message.charCodeAt(0);
  findings.push(finding);
}

/** The flag order of the contract: severity, then item (batch-level first), code, key. */
export function compareFindings(a: Finding, b: Finding): number {
  const bySeverity = SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity);
  if (bySeverity !== 0) return bySeverity;
  if (a.item !== b.item) {
    if (a.item === null) return -1;
    if (b.item === null) return 1;
    return a.item < b.item ? -1 : 1;
  }
  if (a.code !== b.code) return a.code < b.code ? -1 : 1;
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

/** "alice", "alice and bob", "alice, bob and carol". */
function nameList(names: readonly string[]): string {
  return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

// ——— the dataset's findings ———

/** What every dimension's pass shares. */
interface Context {
  readonly dataset: Dataset;
  readonly policy: ResolvedPolicy;
  readonly findings: Finding[];
  /** rank[annotator id] = position of its name in sorted order. */
  readonly rank: Int32Array;
}

/**
 * The within-modality findings: per item and dimension (conflicts, low agreement, misaligned,
 * unmatched and invalid spans, missing judgements), and the outlier annotators of each categorical
 * result. `results` are analyzeDataset's (their level, drop-one alphas and D_e are used).
 */
export function datasetFindings(dataset: Dataset, results: readonly DimensionResult[], options: EvidenceOptions): DatasetFindings {
  const { policy } = options;
  const byName = dataset.annotators.map((name, id) => ({ name, id })).sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
  const rank = new Int32Array(dataset.annotators.length);
  byName.forEach((entry, position) => (rank[entry.id] = position));
  const context: Context = { dataset, policy, findings: [], rank };
  const resultOf = new Map(results.map((result) => [`${result.modality}/${result.dimension}`, result]));

  const seenItem = new Uint8Array(dataset.items.length);
  let fewest: FewestJudgements | null = null;
  for (const dimension of dataset.dimensions) {
    const where = `${dimension.modality}/${dimension.dimension}`;
    const result = resultOf.get(where);
    const grouped = groupByItem(dimension.item, dataset.items.length);
    const dimensionAnnotators = sortedIds(distinct(dimension.annotator), rank);
    const handler = itemHandler(context, dimension, result, options.isTimed(dimension.modality, dimension.dimension));
    const stamp = new Int32Array(dataset.annotators.length).fill(-1);
    for (let item = 0; item < dataset.items.length; item++) {
      const from = grouped.offsets[item]!;
      const to = grouped.offsets[item + 1]!;
      if (from === to) continue;
      seenItem[item] = 1;
      const annotators: number[] = [];
      for (let k = from; k < to; k++) {
        const annotator = dimension.annotator[grouped.order[k]!]!;
        if (stamp[annotator] !== item) {
          stamp[annotator] = item;
          annotators.push(annotator);
        }
      }
      annotators.sort((x, y) => rank[x]! - rank[y]!);
      const itemName = dataset.items[item]!;
      if (
        fewest === null ||
        annotators.length < fewest.count ||
        (annotators.length === fewest.count && fewest.modality === dimension.modality && fewest.dimension === dimension.dimension && itemName < fewest.item)
      ) {
        fewest = { count: annotators.length, item: itemName, modality: dimension.modality, dimension: dimension.dimension };
      }
      if (annotators.length < policy.minJudgementsPerItem) missingAnnotation(context, dimension, item, annotators, dimensionAnnotators);
      handler(item, grouped.order.subarray(from, to), annotators);
    }
    if (result?.shape === 'categorical') outliers(context, result);
  }
  let items = 0;
  for (const seen of seenItem) items += seen;
  return { findings: context.findings, items, fewestJudgements: fewest };
}

type ItemHandler = (item: number, judgements: Int32Array, annotators: readonly number[]) => void;

function itemHandler(context: Context, dimension: DimensionData, result: DimensionResult | undefined, timed: boolean): ItemHandler {
  switch (dimension.shape) {
    case 'categorical': {
      const level = result?.shape === 'categorical' ? result.level : 'nominal';
      return level === 'nominal' ? nominalHandler(context, dimension) : distanceHandler(context, dimension, level);
    }
    case 'intervals':
      return intervalHandler(context, dimension, timed);
    case 'boxes':
      return boxHandler(context, dimension);
  }
}

/** Judgement indexes grouped by item with a stable counting sort: item u's are order[offsets[u]..offsets[u+1]). */
function groupByItem(item: Int32Array, itemCount: number): { offsets: Int32Array; order: Int32Array } {
  const offsets = new Int32Array(itemCount + 1);
  for (let i = 0; i < item.length; i++) offsets[item[i]! + 1]! += 1;
  for (let u = 0; u < itemCount; u++) offsets[u + 1]! += offsets[u]!;
  const next = offsets.slice(0, itemCount);
  const order = new Int32Array(item.length);
  for (let i = 0; i < item.length; i++) order[next[item[i]!]!++] = i;
  return { offsets, order };
}

function distinct(ids: Int32Array): number[] {
  return [...new Set(ids)];
}

function sortedIds(ids: number[], rank: Int32Array): number[] {
  return ids.sort((x, y) => rank[x]! - rank[y]!);
}

function namesOf(context: Context, ids: readonly number[]): string[] {
  return ids.map((id) => context.dataset.annotators[id]!);
}

/** A record without a label counts as the dimension's name, as in the analysis. */
function labelOf(dimension: DimensionData, judgement: number): string {
  const code = dimension.label[judgement]!;
  return code < 0 ? dimension.dimension : dimension.labels[code]!;
}

function missingAnnotation(
  context: Context,
  dimension: DimensionData,
  item: number,
  annotators: readonly number[],
  dimensionAnnotators: readonly number[],
): void {
  const where = `${dimension.modality}/${dimension.dimension}`;
  const itemName = context.dataset.items[item]!;
  const judged = namesOf(context, annotators);
  const notJudged = namesOf(
    context,
    dimensionAnnotators.filter((id) => !annotators.includes(id)),
  );
  const required = context.policy.minJudgementsPerItem;
  add(context.findings, {
    key: findingKey('MISSING_ANNOTATION', where, itemName, judged),
    code: 'MISSING_ANNOTATION',
    severity: judged.length < 2 ? 'high' : 'medium',
    item: itemName,
    modality: dimension.modality,
    dimension: dimension.dimension,
    annotators: judged,
    start: null,
    end: null,
    message: `Item ${quoted(itemName)} in ${where} has ${judged.length} judgement${judged.length === 1 ? '' : 's'} (${nameList(judged)}) where the policy requires ${required}.`,
    evidence: { judged, notJudged, required },
  });
}

function outliers(context: Context, result: CategoricalResult): void {
  const where = `${result.modality}/${result.dimension}`;
  const { policy } = context;
  const minAlpha = policy.minAlphaByDimension[where] ?? policy.minAlpha;
  for (const entry of result.dropOne) {
    if (entry.change === null || entry.alpha === null || result.alpha === null || !(entry.change > policy.outlierMargin)) continue;
    const decisive = result.alpha < minAlpha && entry.alpha >= minAlpha;
    add(context.findings, {
      key: findingKey('OUTLIER_ANNOTATOR', where, null, [entry.annotator]),
      code: 'OUTLIER_ANNOTATOR',
      severity: decisive ? 'high' : 'medium',
      item: null,
      modality: result.modality,
      dimension: result.dimension,
      annotators: [entry.annotator],
      start: null,
      end: null,
      message: `Without ${entry.annotator}, alpha of ${where} rises from ${ratio(result.alpha)} to ${ratio(entry.alpha)}, more than the ${policy.outlierMargin} margin${decisive ? ` and above the minimum ${minAlpha}` : ''}.`,
      evidence: { alpha: result.alpha, alphaWithout: entry.alpha, change: entry.change, margin: policy.outlierMargin, minAlpha },
    });
  }
}

// ——— categorical ———

/** Votes of one item: labels in order of their most votes, then name; voters sorted. */
function votesOf(context: Context, dimension: CategoricalDimension, judgements: Int32Array): Array<{ label: string; annotators: string[] }> {
  const codes: number[] = [];
  const voters: number[][] = [];
  for (const judgement of judgements) {
    const code = dimension.label[judgement]!;
    if (code < 0) continue;
    let at = codes.indexOf(code);
    if (at < 0) {
      at = codes.length;
      codes.push(code);
      voters.push([]);
    }
    voters[at]!.push(dimension.annotator[judgement]!);
  }
  return codes
    .map((code, at) => ({ label: dimension.labels[code]!, annotators: namesOf(context, sortedIds(voters[at]!, context.rank)) }))
    .sort((x, y) => y.annotators.length - x.annotators.length || (x.label < y.label ? -1 : x.label > y.label ? 1 : 0));
}

function nominalHandler(context: Context, dimension: CategoricalDimension): ItemHandler {
  const where = `${dimension.modality}/${dimension.dimension}`;
  return (item, judgements) => {
    if (judgements.length < 2) return;
    const votes = votesOf(context, dimension, judgements);
    if (votes.length < 2) return;
    const itemName = context.dataset.items[item]!;
    const total = votes.reduce((sum, vote) => sum + vote.annotators.length, 0);
    const top = votes[0]!;
    const described = votes.map((vote) => `${quoted(vote.label)} (${nameList(vote.annotators)})`);
    const base = { item: itemName, modality: dimension.modality, dimension: dimension.dimension, start: null, end: null, evidence: { votes } };
    if (2 * top.annotators.length > total) {
      const dissenters = votes.slice(1).flatMap((vote) => vote.annotators).sort();
      const dissent = total - top.annotators.length;
      add(context.findings, {
        ...base,
        key: findingKey('LABEL_CONFLICT', where, itemName, dissenters),
        code: 'LABEL_CONFLICT',
        severity: 3 * dissent >= total ? 'medium' : 'low',
        annotators: dissenters,
        message: `Annotators disagree on item ${quoted(itemName)} in ${where}: ${described[0]} against ${described.slice(1).join(', ')}.`,
      });
    } else {
      const voters = votes.flatMap((vote) => vote.annotators).sort();
      add(context.findings, {
        ...base,
        key: findingKey('NO_MAJORITY', where, itemName, voters),
        code: 'NO_MAJORITY',
        severity: 'high',
        annotators: voters,
        message: `No label has a majority on item ${quoted(itemName)} in ${where}: ${described.join(', ')}.`,
      });
    }
  };
}

/**
 * Ordinal, interval and ratio items: each item's mean δ² against D_e, from the same alpha code the
 * analysis uses (so D_e equals the result's expectedDisagreement). A judgement without a number is
 * left out here: the analysis rejects such data before results exist.
 */
function distanceHandler(context: Context, dimension: CategoricalDimension, level: Level): ItemHandler {
  const where = `${dimension.modality}/${dimension.dimension}`;
  const numbers = new Float64Array(dimension.size);
  const labelNumbers = dimension.labels.map(parseDecimal);
  let kept = 0;
  for (let i = 0; i < dimension.size; i++) {
    const code = dimension.label[i]!;
    const number = Number.isNaN(dimension.value[i]!) ? (code < 0 ? Number.NaN : labelNumbers[code]!) : dimension.value[i]!;
    numbers[i] = number;
    if (Number.isFinite(number) && !(level === 'ratio' && number < 0)) kept += 1;
  }
  const units = new Int32Array(kept);
  const coders = new Int32Array(kept);
  const values = new Float64Array(kept);
  for (let i = 0, k = 0; i < dimension.size; i++) {
    const number = numbers[i]!;
    if (!Number.isFinite(number) || (level === 'ratio' && number < 0)) continue;
    units[k] = dimension.item[i]!;
    coders[k] = dimension.annotator[i]!;
    values[k++] = number;
  }
  const disagreement = unitDisagreement(reliabilityFromColumns(units, coders, values, context.dataset.annotators.length), level);
  const expected = disagreement.expected;
  return (item, judgements) => {
    const observed = item < disagreement.observed.length ? disagreement.observed[item]! : Number.NaN;
    if (!(expected > 0) || !(observed > expected)) return;
    const itemName = context.dataset.items[item]!;
    const entries = [...judgements]
      .filter((judgement) => Number.isFinite(numbers[judgement]!))
      .map((judgement) => ({ id: dimension.annotator[judgement]!, value: numbers[judgement]! }))
      .sort((x, y) => context.rank[x.id]! - context.rank[y.id]!)
      .map(({ id, value }) => ({ annotator: context.dataset.annotators[id]!, value }));
    const annotators = entries.map((entry) => entry.annotator);
    add(context.findings, {
      key: findingKey('LOW_ITEM_AGREEMENT', where, itemName, annotators, 'values'),
      code: 'LOW_ITEM_AGREEMENT',
      severity: observed >= 2 * expected ? 'medium' : 'low',
      item: itemName,
      modality: dimension.modality,
      dimension: dimension.dimension,
      annotators,
      start: null,
      end: null,
      message: `Values on item ${quoted(itemName)} in ${where} disagree more than chance would (${level} disagreement ${ratio(observed)} against ${ratio(expected)} expected): ${entries.map((entry) => `${entry.annotator} ${entry.value}`).join(', ')}.`,
      evidence: { measure: 'disagreement', level, disagreement: observed, expectedDisagreement: expected, values: entries },
    });
  };
}

// ——— segments ———

/**
 * Segments, item by item, on typed scratch arrays (a batch may hold millions of segments): the
 * item's positive segments are bucketed by label and annotator in start order, each bucket merged
 * for coverage, and each pair of annotators who judged the item matched label by label at
 * IoU ≥ policy.matchThreshold. When each candidate pair is the only candidate of both its segments
 * (the usual case: one annotator's segments rarely overlap each other) the candidates are the
 * matching; otherwise matchSegments (temporal.ts) solves that pair exactly.
 */
function intervalHandler(context: Context, dimension: IntervalDimension, timed: boolean): ItemHandler {
  const where = `${dimension.modality}/${dimension.dimension}`;
  const { policy, dataset } = context;
  const { start, end } = dimension;
  const unit = timed ? ' s' : ' characters';
  const tolerance = policy.boundaryToleranceSeconds;
  const threshold = policy.matchThreshold;
  const localOf = new Int32Array(dataset.annotators.length).fill(-1);
  /** label code + 1 → the label's slot in the current item, −1 when unused. */
  const labelSlot = new Int32Array(dimension.labels.length + 1).fill(-1);
  // Scratch, grown to the largest item: positions are indexes into `grouped`.
  let grouped = new Int32Array(0);
  let mergedStart = new Float64Array(0);
  let mergedEnd = new Float64Array(0);
  let degree = new Int32Array(0);
  /** position × annotator: 0 not compared, MATCHED, UNMATCHED. */
  let status = new Uint8Array(0);
  const edgeA: number[] = [];
  const edgeB: number[] = [];
  const edgeIoU: number[] = [];
  const span = (judgement: number): string => `${fixed(start[judgement]!)}-${fixed(end[judgement]!)}`;

  return (item, judgements, annotators) => {
    const count = annotators.length;
    const itemName = dataset.items[item]!;
    const names = namesOf(context, annotators);
    annotators.forEach((id, k) => (localOf[id] = k));
    if (grouped.length < judgements.length) {
      grouped = new Int32Array(judgements.length);
      mergedStart = new Float64Array(judgements.length);
      mergedEnd = new Float64Array(judgements.length);
      degree = new Int32Array(judgements.length);
    }
    if (status.length < judgements.length * count) status = new Uint8Array(judgements.length * count);

    const labelCodes: number[] = [];
    for (const judgement of judgements) {
      if (!(end[judgement]! > start[judgement]!)) {
        invalidSegment(context, dimension, itemName, names[localOf[dimension.annotator[judgement]!]!]!, judgement, unit);
        continue;
      }
      const slot = dimension.label[judgement]! + 1;
      if (labelSlot[slot] === -1) {
        labelSlot[slot] = labelCodes.length;
        labelCodes.push(slot);
      }
    }
    // Bucket (label slot, annotator) by counting, each bucket then in start order.
    const bucketOffsets = new Int32Array(labelCodes.length * count + 1);
    const bucketOf = (judgement: number): number => labelSlot[dimension.label[judgement]! + 1]! * count + localOf[dimension.annotator[judgement]!]!;
    for (const judgement of judgements) if (end[judgement]! > start[judgement]!) bucketOffsets[bucketOf(judgement) + 1]! += 1;
    for (let bucket = 0; bucket < labelCodes.length * count; bucket++) bucketOffsets[bucket + 1]! += bucketOffsets[bucket]!;
    const positives = bucketOffsets[labelCodes.length * count]!;
    const next = bucketOffsets.slice(0, labelCodes.length * count);
    for (const judgement of judgements) if (end[judgement]! > start[judgement]!) grouped[next[bucketOf(judgement)]!++] = judgement;
    for (let bucket = 0; bucket < labelCodes.length * count; bucket++) sortByStart(grouped, bucketOffsets[bucket]!, bucketOffsets[bucket + 1]!, start, end);
    status.fill(0, 0, positives * count);

    const pairIntersection = new Float64Array(count * count);
    const pairUnion = new Float64Array(count * count);
    const mergedTo = new Int32Array(count);
    const lengths = new Float64Array(count);
    for (let slot = 0; slot < labelCodes.length; slot++) {
      const base = slot * count;
      for (let k = 0; k < count; k++) {
        const merged = mergeBucket(grouped, bucketOffsets[base + k]!, bucketOffsets[base + k + 1]!, start, end, mergedStart, mergedEnd);
        mergedTo[k] = merged.to;
        lengths[k] = merged.length;
      }
      for (let k = 0; k < count; k++) {
        const fromA = bucketOffsets[base + k]!;
        const toA = bucketOffsets[base + k + 1]!;
        for (let l = k + 1; l < count; l++) {
          const fromB = bucketOffsets[base + l]!;
          const toB = bucketOffsets[base + l + 1]!;
          if (toA === fromA && toB === fromB) continue;
          const intersection = mergedOverlap(mergedStart, mergedEnd, fromA, mergedTo[k]!, fromB, mergedTo[l]!);
          pairIntersection[k * count + l]! += intersection;
          pairUnion[k * count + l]! += lengths[k]! + lengths[l]! - intersection;
          if (toA > fromA && toB > fromB) {
            candidatePairs(grouped, fromA, toA, fromB, toB, start, end, threshold, edgeA, edgeB, edgeIoU);
            if (!isMatching(edgeA, edgeB, degree, fromA, fromB, toA - fromA, toB - fromB)) exactMatching(grouped, fromA, toA, fromB, toB, start, end, threshold, edgeA, edgeB, edgeIoU);
            for (let e = 0; e < edgeA.length; e++) {
              const a = grouped[edgeA[e]!]!;
              const b = grouped[edgeB[e]!]!;
              status[edgeA[e]! * count + l] = MATCHED;
              status[edgeB[e]! * count + k] = MATCHED;
              const onset = Math.abs(start[b]! - start[a]!);
              const offset = Math.abs(end[b]! - end[a]!);
              if (onset > tolerance || offset > tolerance) {
                misaligned(context, dimension, itemName, [names[k]!, names[l]!], labelOf(dimension, a), [a, b], { onset, offset, iou: edgeIoU[e]! }, unit);
              }
            }
          }
          for (let position = fromA; position < toA; position++) if (status[position * count + l] !== MATCHED) status[position * count + l] = UNMATCHED;
          for (let position = fromB; position < toB; position++) if (status[position * count + k] !== MATCHED) status[position * count + k] = UNMATCHED;
        }
      }
    }

    for (let position = 0; position < positives; position++) {
      let unmatched = false;
      for (let l = 0; l < count && !unmatched; l++) unmatched = status[position * count + l] === UNMATCHED;
      if (!unmatched) continue;
      const judgement = grouped[position]!;
      const owner = names[localOf[dimension.annotator[judgement]!]!]!;
      const missingIn: string[] = [];
      const matchedBy: string[] = [];
      for (let l = 0; l < count; l++) {
        const state = status[position * count + l];
        if (state === UNMATCHED) missingIn.push(names[l]!);
        else if (state === MATCHED) matchedBy.push(names[l]!);
      }
      const label = labelOf(dimension, judgement);
      const segmentStart = start[judgement]!;
      const segmentEnd = end[judgement]!;
      add(context.findings, {
        key: findingKey('UNMATCHED_SEGMENT', where, itemName, [owner], `${escapePart(label)}|${span(judgement)}`),
        code: 'UNMATCHED_SEGMENT',
        severity: matchedBy.length === 0 ? 'medium' : 'low',
        item: itemName,
        modality: dimension.modality,
        dimension: dimension.dimension,
        annotators: [owner, ...missingIn].sort(),
        start: segmentStart,
        end: segmentEnd,
        message: `${owner}'s ${quoted(label)} segment ${fixed(segmentStart)}–${fixed(segmentEnd)}${unit} on item ${quoted(itemName)} in ${where} has no counterpart from ${nameList(missingIn)}.`,
        evidence: { kind: 'segment', annotator: owner, label, start: segmentStart, end: segmentEnd, missingIn, matchedBy, threshold },
      });
    }

    if (count >= 2) lowCoverage(context, dimension, itemName, names, pairIntersection, pairUnion);
    for (const slot of labelCodes) labelSlot[slot] = -1;
    for (const id of annotators) localOf[id] = -1;
  };
}

const MATCHED = 1;
const UNMATCHED = 2;

/** Sorts positions from..to of `grouped` by start (then end, then index) unless already in order. */
function sortByStart(grouped: Int32Array, from: number, to: number, start: Float64Array, end: Float64Array): void {
  for (let position = from + 1; position < to; position++) {
    if (start[grouped[position]!]! < start[grouped[position - 1]!]!) {
      grouped.subarray(from, to).sort((x, y) => start[x]! - start[y]! || end[x]! - end[y]! || x - y);
      return;
    }
  }
}

/** Merges one bucket (in start order) into mergedStart/mergedEnd at the same positions; the merged list ends before `to`. */
function mergeBucket(
  grouped: Int32Array,
  from: number,
  to: number,
  start: Float64Array,
  end: Float64Array,
  mergedStart: Float64Array,
  mergedEnd: Float64Array,
): { to: number; length: number } {
  let last = from - 1;
  for (let position = from; position < to; position++) {
    const judgement = grouped[position]!;
    if (last >= from && start[judgement]! <= mergedEnd[last]!) {
      if (end[judgement]! > mergedEnd[last]!) mergedEnd[last] = end[judgement]!;
    } else {
      last += 1;
      mergedStart[last] = start[judgement]!;
      mergedEnd[last] = end[judgement]!;
    }
  }
  let length = 0;
  for (let position = from; position <= last; position++) length += mergedEnd[position]! - mergedStart[position]!;
  return { to: last + 1, length };
}

/** |A ∩ B| of two merged lists stored at [fromA, toA) and [fromB, toB). */
function mergedOverlap(mergedStart: Float64Array, mergedEnd: Float64Array, fromA: number, toA: number, fromB: number, toB: number): number {
  let total = 0;
  let i = fromA;
  let j = fromB;
  while (i < toA && j < toB) {
    const overlap = Math.min(mergedEnd[i]!, mergedEnd[j]!) - Math.max(mergedStart[i]!, mergedStart[j]!);
    if (overlap > 0) total += overlap;
    if (mergedEnd[i]! < mergedEnd[j]!) i++;
    else j++;
  }
  return total;
}

/**
 * Pairs of positions (a in A, b in B, both in start order) with a positive intersection and
 * IoU ≥ threshold, as matchSegments takes them. A segment of B that ended before a's start is
 * skipped for every later a.
 */
function candidatePairs(
  grouped: Int32Array,
  fromA: number,
  toA: number,
  fromB: number,
  toB: number,
  start: Float64Array,
  end: Float64Array,
  threshold: number,
  edgeA: number[],
  edgeB: number[],
  edgeIoU: number[],
): void {
  edgeA.length = 0;
  edgeB.length = 0;
  edgeIoU.length = 0;
  let low = fromB;
  for (let i = fromA; i < toA; i++) {
    const startA = start[grouped[i]!]!;
    const endA = end[grouped[i]!]!;
    while (low < toB && end[grouped[low]!]! <= startA) low++;
    for (let m = low; m < toB; m++) {
      const startB = start[grouped[m]!]!;
      if (startB >= endA) break;
      const endB = end[grouped[m]!]!;
      if (endB <= startA) continue;
      const intersection = Math.min(endA, endB) - Math.max(startA, startB);
      const iou = intersection / (endA - startA + (endB - startB) - intersection);
      if (iou >= threshold) {
        edgeA.push(i);
        edgeB.push(m);
        edgeIoU.push(iou);
      }
    }
  }
}

/** Whether no segment has two candidates, so the candidates are themselves the maximum matching. */
function isMatching(edgeA: readonly number[], edgeB: readonly number[], degree: Int32Array, fromA: number, fromB: number, sizeA: number, sizeB: number): boolean {
  // degree[0, sizeA) counts A's candidates, degree[sizeA, sizeA + sizeB) B's.
  degree.fill(0, 0, sizeA + sizeB);
  for (let e = 0; e < edgeA.length; e++) {
    if (++degree[edgeA[e]! - fromA]! > 1 || ++degree[sizeA + edgeB[e]! - fromB]! > 1) return false;
  }
  return true;
}

/** The exact maximum-IoU matching of one pair, replacing the candidates. */
function exactMatching(
  grouped: Int32Array,
  fromA: number,
  toA: number,
  fromB: number,
  toB: number,
  start: Float64Array,
  end: Float64Array,
  threshold: number,
  edgeA: number[],
  edgeB: number[],
  edgeIoU: number[],
): void {
  const intervals = (from: number, to: number): Interval[] =>
    Array.from(grouped.subarray(from, to), (judgement) => ({ start: start[judgement]!, end: end[judgement]! }));
  const { pairs } = matchSegments(intervals(fromA, toA), intervals(fromB, toB), threshold);
  edgeA.length = 0;
  edgeB.length = 0;
  edgeIoU.length = 0;
  for (const pair of pairs) {
    edgeA.push(fromA + pair.a);
    edgeB.push(fromB + pair.b);
    edgeIoU.push(pair.iou);
  }
}

/** LOW_ITEM_AGREEMENT when the item's coverage IoU, pooled over labels and pairs, is below policy.minMeanIoU. */
function lowCoverage(context: Context, dimension: IntervalDimension, itemName: string, names: readonly string[], pairIntersection: Float64Array, pairUnion: Float64Array): void {
  const { policy } = context;
  const count = names.length;
  let intersection = 0;
  let union = 0;
  for (let k = 0; k < count; k++) {
    for (let l = k + 1; l < count; l++) {
      intersection += pairIntersection[k * count + l]!;
      union += pairUnion[k * count + l]!;
    }
  }
  if (!(union > 0)) return;
  const iou = intersection / union;
  if (!(iou < policy.minMeanIoU)) return;
  const pairs: Array<{ a: string; b: string; iou: number | null }> = [];
  for (let k = 0; k < count; k++) {
    for (let l = k + 1; l < count; l++) {
      const pairUnionValue = pairUnion[k * count + l]!;
      pairs.push({ a: names[k]!, b: names[l]!, iou: pairUnionValue > 0 ? pairIntersection[k * count + l]! / pairUnionValue : null });
    }
  }
  const where = `${dimension.modality}/${dimension.dimension}`;
  add(context.findings, {
    key: findingKey('LOW_ITEM_AGREEMENT', where, itemName, names, 'coverage'),
    code: 'LOW_ITEM_AGREEMENT',
    severity: iou < policy.minMeanIoU / 2 ? 'medium' : 'low',
    item: itemName,
    modality: dimension.modality,
    dimension: dimension.dimension,
    annotators: [...names],
    start: null,
    end: null,
    message: `Segments on item ${quoted(itemName)} in ${where} overlap poorly: coverage IoU ${ratio(iou)} is below ${policy.minMeanIoU}.`,
    evidence: { measure: 'coverage-iou', iou, threshold: policy.minMeanIoU, intersection, union, pairs },
  });
}

function invalidSegment(context: Context, dimension: IntervalDimension, itemName: string, owner: string, judgement: number, unit: string): void {
  const where = `${dimension.modality}/${dimension.dimension}`;
  const label = labelOf(dimension, judgement);
  const start = dimension.start[judgement]!;
  const end = dimension.end[judgement]!;
  add(context.findings, {
    key: findingKey('INVALID_SPAN', where, itemName, [owner], `${escapePart(label)}|${fixed(start)}-${fixed(end)}`),
    code: 'INVALID_SPAN',
    severity: 'medium',
    item: itemName,
    modality: dimension.modality,
    dimension: dimension.dimension,
    annotators: [owner],
    start,
    end,
    message: `${owner}'s ${quoted(label)} segment on item ${quoted(itemName)} in ${where} has no length (start ${fixed(start)}${unit}, end ${fixed(end)}${unit}).`,
    evidence: { kind: 'segment', annotator: owner, label, start, end },
  });
}

function misaligned(
  context: Context,
  dimension: IntervalDimension,
  itemName: string,
  pair: [string, string],
  label: string,
  [a, b]: [number, number],
  deviation: { onset: number; offset: number; iou: number },
  unit: string,
): void {
  const where = `${dimension.modality}/${dimension.dimension}`;
  const tolerance = context.policy.boundaryToleranceSeconds;
  const segment = (judgement: number, annotator: string) => ({ annotator, start: dimension.start[judgement]!, end: dimension.end[judgement]! });
  const segmentA = segment(a, pair[0]);
  const segmentB = segment(b, pair[1]);
  const spanOf = (s: { start: number; end: number }): string => `${fixed(s.start)}-${fixed(s.end)}`;
  add(context.findings, {
    key: findingKey('TEMPORAL_MISALIGNMENT', where, itemName, pair, `${escapePart(label)}|${spanOf(segmentA)}|${spanOf(segmentB)}`),
    code: 'TEMPORAL_MISALIGNMENT',
    severity: Math.max(deviation.onset, deviation.offset) > 2 * tolerance ? 'medium' : 'low',
    item: itemName,
    modality: dimension.modality,
    dimension: dimension.dimension,
    annotators: [...pair],
    start: Math.min(segmentA.start, segmentB.start),
    end: Math.max(segmentA.end, segmentB.end),
    message: `${pair[0]}'s and ${pair[1]}'s ${quoted(label)} segments on item ${quoted(itemName)} in ${where} are misaligned: onsets differ by ${fixed(deviation.onset)}${unit}, offsets by ${fixed(deviation.offset)}${unit} (tolerance ${tolerance}${unit}).`,
    evidence: {
      label,
      a: segmentA,
      b: segmentB,
      onsetDeviation: deviation.onset,
      offsetDeviation: deviation.offset,
      iou: deviation.iou,
      tolerance,
    },
  });
}

// ——— boxes ———

/**
 * Per image (or frame), every pair of annotators who drew on it is matched class by class at
 * IoU ≥ policy.matchThreshold, as the analysis does; a box some annotator of the image did not
 * match is UNMATCHED_SEGMENT with evidence.kind 'box'.
 */
function boxHandler(context: Context, dimension: BoxDimension): ItemHandler {
  const where = `${dimension.modality}/${dimension.dimension}`;
  const { policy, dataset } = context;
  const boxText = (judgement: number): string =>
    `${fixed(dimension.x[judgement]!)},${fixed(dimension.y[judgement]!)},${fixed(dimension.w[judgement]!)},${fixed(dimension.h[judgement]!)}`;
  const frameText = (frame: number): string => (Number.isNaN(frame) ? '' : `@${frame}`);

  const handleFrame = (itemName: string, frame: number, inFrame: number[]): void => {
    const present = sortedIds([...new Set(inFrame.map((judgement) => dimension.annotator[judgement]!))], context.rank);
    const names = namesOf(context, present);
    const own = present.map((id) =>
      inFrame.filter((judgement) => dimension.annotator[judgement] === id && dimension.w[judgement]! > 0 && dimension.h[judgement]! > 0),
    );
    for (const judgement of inFrame) {
      if (dimension.w[judgement]! > 0 && dimension.h[judgement]! > 0) continue;
      const owner = dataset.annotators[dimension.annotator[judgement]!]!;
      const label = labelOf(dimension, judgement);
      add(context.findings, {
        key: findingKey('INVALID_SPAN', where, itemName, [owner], `${escapePart(label)}|${frameText(frame)}|${boxText(judgement)}`),
        code: 'INVALID_SPAN',
        severity: 'medium',
        item: itemName,
        modality: dimension.modality,
        dimension: dimension.dimension,
        annotators: [owner],
        start: null,
        end: null,
        message: `${owner}'s ${quoted(label)} box on item ${quoted(itemName)}${Number.isNaN(frame) ? '' : ` frame ${frame}`} in ${where} has no area (w ${dimension.w[judgement]}, h ${dimension.h[judgement]}).`,
        evidence: { kind: 'box', annotator: owner, label, frame: Number.isNaN(frame) ? null : frame, box: boxOf(dimension, judgement) },
      });
    }
    if (present.length < 2) return;
    const boxes = own.map((list) => list.map((judgement): LabeledBox => ({ ...boxOf(dimension, judgement), label: labelOf(dimension, judgement) })));
    const lacking = new Map<number, number[]>();
    const matchedBy = new Map<number, number[]>();
    const note = (map: Map<number, number[]>, judgement: number, k: number): void => {
      const list = map.get(judgement);
      if (list === undefined) map.set(judgement, [k]);
      else list.push(k);
    };
    for (let k = 0; k < present.length; k++) {
      for (let l = k + 1; l < present.length; l++) {
        const matchedA = new Uint8Array(own[k]!.length);
        const matchedB = new Uint8Array(own[l]!.length);
        for (const pair of matchBoxes(boxes[k]!, boxes[l]!, policy.matchThreshold).pairs) {
          matchedA[pair.a] = 1;
          matchedB[pair.b] = 1;
          note(matchedBy, own[k]![pair.a]!, l);
          note(matchedBy, own[l]![pair.b]!, k);
        }
        own[k]!.forEach((judgement, position) => matchedA[position] === 0 && note(lacking, judgement, l));
        own[l]!.forEach((judgement, position) => matchedB[position] === 0 && note(lacking, judgement, k));
      }
    }
    for (const [judgement, others] of [...lacking].sort((x, y) => x[0] - y[0])) {
      const k = present.indexOf(dimension.annotator[judgement]!);
      const owner = names[k]!;
      const missingIn = others.sort((x, y) => x - y).map((index) => names[index]!);
      const matched = (matchedBy.get(judgement) ?? []).sort((x, y) => x - y).map((index) => names[index]!);
      const label = labelOf(dimension, judgement);
      const box = boxOf(dimension, judgement);
      add(context.findings, {
        key: findingKey('UNMATCHED_SEGMENT', where, itemName, [owner], `${escapePart(label)}|${frameText(frame)}|${boxText(judgement)}`),
        code: 'UNMATCHED_SEGMENT',
        severity: matched.length === 0 ? 'medium' : 'low',
        item: itemName,
        modality: dimension.modality,
        dimension: dimension.dimension,
        annotators: [owner, ...missingIn].sort(),
        start: null,
        end: null,
        message: `${owner}'s ${quoted(label)} box at (${box.x}, ${box.y}, ${box.w}×${box.h}) on item ${quoted(itemName)}${Number.isNaN(frame) ? '' : ` frame ${frame}`} in ${where} has no counterpart from ${nameList(missingIn)}.`,
        evidence: {
          kind: 'box',
          annotator: owner,
          label,
          frame: Number.isNaN(frame) ? null : frame,
          box,
          missingIn,
          matchedBy: matched,
          threshold: policy.matchThreshold,
        },
      });
    }
  };

  return (item, judgements) => {
    const itemName = dataset.items[item]!;
    // By frame (NaN, no frame, first; each frame is its own image), then annotator: one sort, then runs.
    const frame = dimension.frame;
    const sorted = Array.from(judgements).sort(
      (x, y) => frameOrder(frame[x]!, frame[y]!) || context.rank[dimension.annotator[x]!]! - context.rank[dimension.annotator[y]!]! || x - y,
    );
    for (let from = 0, to = 0; from < sorted.length; from = to) {
      const unitFrame = frame[sorted[from]!]!;
      while (to < sorted.length && sameFrame(frame[sorted[to]!]!, unitFrame)) to++;
      handleFrame(itemName, unitFrame, sorted.slice(from, to));
    }
  };
}

const sameFrame = (x: number, y: number): boolean => x === y || (Number.isNaN(x) && Number.isNaN(y));
/** Frames ascending, NaN (no frame) first. */
const frameOrder = (x: number, y: number): number => (Number.isNaN(x) ? (Number.isNaN(y) ? 0 : -1) : Number.isNaN(y) ? 1 : x - y);

function boxOf(dimension: BoxDimension, judgement: number): { x: number; y: number; w: number; h: number } {
  return { x: dimension.x[judgement]!, y: dimension.y[judgement]!, w: dimension.w[judgement]!, h: dimension.h[judgement]! };
}

// ——— streams and cross-modal ———

const streamName = (stream: { modality: Modality; dimension: string }): string => `${stream.modality}/${stream.dimension}`;

/** "video/face lags audio/speech by 0.400 s" for a shift of `a` (positive: b lags a). */
function lagText(a: string, b: string, offset: number): string {
  return offset >= 0 ? `${b} lags ${a} by ${fixed(offset)} s` : `${a} lags ${b} by ${fixed(-offset)} s`;
}

/**
 * STREAM_DESYNC per systematic pair (batch level), and per item whose offset is beyond the limit —
 * measured from the pair's systematic offset when there is one — when shifting helps.
 */
export function syncFindings(sync: readonly StreamPairSync[], policy: ResolvedPolicy): Finding[] {
  const findings: Finding[] = [];
  const limit = policy.maxStreamOffsetSeconds;
  for (const pair of sync) {
    const a = streamName(pair.a);
    const b = streamName(pair.b);
    const where = `${a}~${b}`;
    const streams = { a: pair.a, b: pair.b };
    if (pair.systematic && pair.medianOffset !== null) {
      add(findings, {
        key: findingKey('STREAM_DESYNC', where, null, [], 'systematic'),
        code: 'STREAM_DESYNC',
        severity: 'high',
        item: null,
        modality: null,
        dimension: null,
        annotators: [],
        start: null,
        end: null,
        message: `Across ${pair.items} items ${lagText(a, b, pair.medianOffset)} (median; spread ${fixed(pair.offsetSpread ?? 0)} s), a systematic offset beyond ${limit} s.`,
        evidence: { ...streams, medianOffset: pair.medianOffset, offsetSpread: pair.offsetSpread, items: pair.items, maxOffset: limit },
      });
    }
    // A systematic lag is one defect of the pipeline, flagged once above; an item is flagged on its
    // own only when its offset is not that lag (else every item of the batch would carry a flag for
    // the same cause and the flagged-item share would say nothing about the items themselves).
    const expected = pair.systematic && pair.medianOffset !== null ? pair.medianOffset : 0;
    for (const entry of pair.perItem) {
      if (entry.gain === null || !(entry.gain > 0) || !(Math.abs(entry.offset - expected) > limit)) continue;
      const beyond =
        expected === 0
          ? `beyond ${limit} s`
          : `${fixed(Math.abs(entry.offset - expected))} s off the batch's systematic ${fixed(expected)} s, more than ${limit} s`;
      add(findings, {
        key: findingKey('STREAM_DESYNC', where, entry.item, []),
        code: 'STREAM_DESYNC',
        severity: 'medium',
        item: entry.item,
        modality: null,
        dimension: null,
        annotators: [],
        start: null,
        end: null,
        message: `On item ${quoted(entry.item)} ${lagText(a, b, entry.offset)}, ${beyond} (IoU ${ratio(entry.iouAtZero ?? 0)} unshifted, ${ratio(entry.iou ?? 0)} shifted).`,
        evidence: { ...streams, offset: entry.offset, iou: entry.iou, iouAtZero: entry.iouAtZero, gain: entry.gain, maxOffset: limit, systematicOffset: pair.systematic ? expected : null },
      });
    }
  }
  return findings;
}

/** CROSS_MODAL_CONFLICT per conflict of each concept. */
export function crossModalFindings(results: readonly CrossModalResult[]): Finding[] {
  const findings: Finding[] = [];
  for (const result of results) {
    for (const conflict of result.conflicts) {
      const values = conflict.values.map(({ modality, dimension, value }) => ({ modality, dimension, value }));
      const described = values.map((entry) => `${entry.modality}/${entry.dimension} ${entry.value === null ? 'no majority' : quoted(entry.value)}`);
      add(findings, {
        key: findingKey('CROSS_MODAL_CONFLICT', result.concept, conflict.item, [], `${fixed(conflict.start)}-${fixed(conflict.end)}`),
        code: 'CROSS_MODAL_CONFLICT',
        severity: 'medium',
        item: conflict.item,
        modality: null,
        dimension: result.concept,
        annotators: [],
        start: conflict.start,
        end: conflict.end,
        message: `On item ${quoted(conflict.item)} from ${fixed(conflict.start)} to ${fixed(conflict.end)} s the modalities disagree on ${result.concept}: ${described.join(', ')}.`,
        evidence: { concept: result.concept, start: conflict.start, end: conflict.end, duration: conflict.end - conflict.start, values },
      });
    }
  }
  return findings;
}
