/**
 * Box agreement (DESIGN.md section 3): IoU, one-to-one matching at IoU ≥ τ, F1 and mean IoU per
 * annotator pair and class, and class agreement of the matched objects as nominal alpha.
 */
import { krippendorffAlpha } from './alpha';
import { maxWeightAssignment } from './assignment';
import { ReliabilityDataBuilder } from './reliability';
import { AgreementInputError, type Box, type Estimate, type LabeledBox } from './types';

/** One box drawn by one annotator on one image (or one video frame: then `unit` names image and frame). */
export interface BoxJudgement {
  unit: string;
  annotator: string;
  box: LabeledBox;
}

export interface BoxMatch {
  /** Index into the first list. */
  a: number;
  /** Index into the second list. */
  b: number;
  iou: number;
}

export interface BoxMatchOptions {
  /** Only boxes with the same label may match (default true). */
  byClass?: boolean;
}

export interface BoxAgreementOptions {
  /** τ: the least IoU of a match, in (0, 1]; default 0.5. */
  threshold?: number;
}

/** One annotator pair, pooled over the units both annotated. */
export interface BoxPairAgreement {
  annotatorA: string;
  annotatorB: string;
  units: number;
  matched: number;
  boxesA: number;
  boxesB: number;
  /** 2·matched / (|A| + |B|). */
  f1: number;
  meanIoU: Estimate;
}

/** One class, pooled over all annotator pairs and their shared units. */
export interface BoxLabelAgreement {
  label: string;
  matched: number;
  /** Σ (|A_c| + |B_c|) over the pairs and their shared units. */
  boxes: number;
  f1: number;
  meanIoU: Estimate;
}

/** Boxes of `annotator` in `unit` that no same-class box of `against` matched. */
export interface UnmatchedBoxes {
  unit: string;
  annotator: string;
  against: string;
  /** Indexes into the judgements given to boxAgreement. */
  judgements: number[];
}

export interface BoxClassAgreement {
  /** Nominal alpha with each class-agnostic matched pair as a unit of two labels. */
  alpha: Estimate;
  matchedObjects: number;
  /** Matched objects whose two labels are equal. */
  sameLabel: number;
}

export interface BoxAgreementResult {
  threshold: number;
  /** Sorted; pairs name annotators from here. */
  annotators: string[];
  /** Annotator pairs with at least one shared unit, A before B in `annotators` order. */
  pairs: BoxPairAgreement[];
  /** Classes drawn on some shared unit, sorted by label. */
  labels: BoxLabelAgreement[];
  /** Σ 2·matched / Σ (|A| + |B|) over all pairs. */
  f1: Estimate;
  /** Mean IoU over all matched pairs. */
  meanIoU: Estimate;
  classAgreement: BoxClassAgreement;
  unmatched: UnmatchedBoxes[];
}

const DEFAULT_THRESHOLD = 0.5;

/** Intersection over union of two axis-aligned boxes (x, y = top-left corner); 0 when the union is empty. */
export function boxIoU(a: Box, b: Box): number {
  checkBox(a, 'a', null);
  checkBox(b, 'b', null);
  return iouOf(a, b);
}

/**
 * One-to-one matching of `a` to `b` maximizing the total IoU among pairs with IoU ≥ threshold;
 * with `byClass` (the default) only boxes with the same label may match. Pairs are sorted by `a`.
 */
export function matchBoxes(
  a: readonly LabeledBox[],
  b: readonly LabeledBox[],
  threshold = DEFAULT_THRESHOLD,
  options: BoxMatchOptions = {},
): { pairs: BoxMatch[] } {
  checkThreshold(threshold);
  a.forEach((box, index) => checkBox(box, `a[${index}]`, index));
  b.forEach((box, index) => checkBox(box, `b[${index}]`, index));
  return { pairs: matchChecked(a, b, threshold, options.byClass ?? true) };
}

/**
 * Box agreement of every annotator pair over the units both annotated (DESIGN.md "Box agreement").
 * A unit counts for a pair when both drew at least one box on it: judgements carry boxes only, so an
 * annotator who saw an image and drew nothing cannot be told apart from one who never saw it.
 */
export function boxAgreement(
  judgements: readonly BoxJudgement[],
  options: BoxAgreementOptions = {},
): BoxAgreementResult {
  const threshold = options.threshold ?? DEFAULT_THRESHOLD;
  checkThreshold(threshold);
  judgements.forEach((judgement, index) => checkBox(judgement.box, `judgement ${index}`, index));

  const annotators = [...new Set(judgements.map((judgement) => judgement.annotator))].sort();
  const annotatorIndex = new Map(annotators.map((annotator, index) => [annotator, index]));
  const labelNames = [...new Set(judgements.map((judgement) => judgement.box.label))].sort();
  const labelCode = new Map(labelNames.map((label, code) => [label, code]));

  const byUnit = judgementsByUnit(judgements, annotatorIndex);
  const pairTallies = new Map<number, PairTally>();
  const labelTallies = new Map<string, MatchTally>();
  const labelTally = (label: string): MatchTally => {
    let tally = labelTallies.get(label);
    if (tally === undefined) {
      tally = { matched: 0, boxes: 0, iouSum: 0 };
      labelTallies.set(label, tally);
    }
    return tally;
  };
  const unmatched: UnmatchedBoxes[] = [];
  const classData = new ReliabilityDataBuilder(annotators.length);
  let matchedObjects = 0;
  let sameLabel = 0;

  for (const unit of [...byUnit.keys()].sort()) {
    const byAnnotator = byUnit.get(unit)!;
    const present = [...byAnnotator.keys()].sort((x, y) => x - y);
    for (let i = 0; i < present.length; i++) {
      for (let j = i + 1; j < present.length; j++) {
        const annotatorA = present[i]!;
        const annotatorB = present[j]!;
        const indexesA = byAnnotator.get(annotatorA)!;
        const indexesB = byAnnotator.get(annotatorB)!;
        const boxesA = indexesA.map((index) => judgements[index]!.box);
        const boxesB = indexesB.map((index) => judgements[index]!.box);

        const key = annotatorA * annotators.length + annotatorB;
        let pair = pairTallies.get(key);
        if (pair === undefined) {
          pair = { annotatorA, annotatorB, units: 0, matched: 0, boxesA: 0, boxesB: 0, iouSum: 0 };
          pairTallies.set(key, pair);
        }
        pair.units += 1;
        pair.boxesA += boxesA.length;
        pair.boxesB += boxesB.length;
        for (const box of boxesA) labelTally(box.label).boxes += 1;
        for (const box of boxesB) labelTally(box.label).boxes += 1;

        const matches = matchChecked(boxesA, boxesB, threshold, true);
        const matchedA = new Uint8Array(boxesA.length);
        const matchedB = new Uint8Array(boxesB.length);
        for (const match of matches) {
          matchedA[match.a] = 1;
          matchedB[match.b] = 1;
          pair.matched += 1;
          pair.iouSum += match.iou;
          const tally = labelTally(boxesA[match.a]!.label);
          tally.matched += 1;
          tally.iouSum += match.iou;
        }
        const nameA = annotators[annotatorA]!;
        const nameB = annotators[annotatorB]!;
        const leftA = indexesA.filter((_, k) => matchedA[k] === 0);
        const leftB = indexesB.filter((_, k) => matchedB[k] === 0);
        if (leftA.length > 0) unmatched.push({ unit, annotator: nameA, against: nameB, judgements: leftA });
        if (leftB.length > 0) unmatched.push({ unit, annotator: nameB, against: nameA, judgements: leftB });

        // Class agreement matches class-agnostically: matching only same-label boxes would pair
        // objects only where the labels already agree, making class agreement trivially 1.
        for (const match of matchChecked(boxesA, boxesB, threshold, false)) {
          const labelA = boxesA[match.a]!.label;
          const labelB = boxesB[match.b]!.label;
          classData.add(matchedObjects, annotatorA, labelCode.get(labelA)!);
          classData.add(matchedObjects, annotatorB, labelCode.get(labelB)!);
          matchedObjects += 1;
          if (labelA === labelB) sameLabel += 1;
        }
      }
    }
  }

  const pairs = [...pairTallies.values()]
    .sort((x, y) => x.annotatorA - y.annotatorA || x.annotatorB - y.annotatorB)
    .map(
      (tally): BoxPairAgreement => ({
        annotatorA: annotators[tally.annotatorA]!,
        annotatorB: annotators[tally.annotatorB]!,
        units: tally.units,
        matched: tally.matched,
        boxesA: tally.boxesA,
        boxesB: tally.boxesB,
        f1: (2 * tally.matched) / (tally.boxesA + tally.boxesB),
        meanIoU: meanIoU(tally.iouSum, tally.matched, threshold),
      }),
    );
  const labels = labelNames.flatMap((label): BoxLabelAgreement[] => {
    const tally = labelTallies.get(label);
    if (tally === undefined) return [];
    return [
      {
        label,
        matched: tally.matched,
        boxes: tally.boxes,
        f1: (2 * tally.matched) / tally.boxes,
        meanIoU: meanIoU(tally.iouSum, tally.matched, threshold),
      },
    ];
  });

  let totalMatched = 0;
  let totalBoxes = 0;
  let totalIoU = 0;
  for (const tally of pairTallies.values()) {
    totalMatched += tally.matched;
    totalBoxes += tally.boxesA + tally.boxesB;
    totalIoU += tally.iouSum;
  }
  const f1: Estimate =
    totalBoxes === 0
      ? { value: null, reason: 'no two annotators drew boxes on a common unit' }
      : { value: (2 * totalMatched) / totalBoxes, reason: null };
  const classAlpha: Estimate =
    matchedObjects === 0
      ? { value: null, reason: `no boxes matched at IoU ≥ ${threshold}` }
      : krippendorffAlpha(classData.build(labelNames), 'nominal').alpha;

  return {
    threshold,
    annotators,
    pairs,
    labels,
    f1,
    meanIoU: meanIoU(totalIoU, totalMatched, threshold),
    classAgreement: { alpha: classAlpha, matchedObjects, sameLabel },
    unmatched,
  };
}

interface MatchTally {
  matched: number;
  boxes: number;
  iouSum: number;
}

interface PairTally {
  annotatorA: number;
  annotatorB: number;
  units: number;
  matched: number;
  boxesA: number;
  boxesB: number;
  iouSum: number;
}

/** unit → annotator index → that annotator's judgement indexes in the unit. */
function judgementsByUnit(
  judgements: readonly BoxJudgement[],
  annotatorIndex: ReadonlyMap<string, number>,
): Map<string, Map<number, number[]>> {
  const byUnit = new Map<string, Map<number, number[]>>();
  judgements.forEach((judgement, index) => {
    let byAnnotator = byUnit.get(judgement.unit);
    if (byAnnotator === undefined) {
      byAnnotator = new Map();
      byUnit.set(judgement.unit, byAnnotator);
    }
    const annotator = annotatorIndex.get(judgement.annotator)!;
    const own = byAnnotator.get(annotator);
    if (own === undefined) byAnnotator.set(annotator, [index]);
    else own.push(index);
  });
  return byUnit;
}

function meanIoU(iouSum: number, matched: number, threshold: number): Estimate {
  return matched === 0
    ? { value: null, reason: `no boxes matched at IoU ≥ ${threshold}` }
    : { value: iouSum / matched, reason: null };
}

/** matchBoxes on validated input. By class, each label is its own (smaller) assignment problem. */
function matchChecked(
  a: readonly LabeledBox[],
  b: readonly LabeledBox[],
  threshold: number,
  byClass: boolean,
): BoxMatch[] {
  const pairs: BoxMatch[] = [];
  const groupsA = byClass ? indexesByLabel(a) : new Map([['', a.map((_, index) => index)]]);
  const groupsB = byClass ? indexesByLabel(b) : new Map([['', b.map((_, index) => index)]]);
  for (const [label, rows] of groupsA) {
    const cols = groupsB.get(label);
    if (cols === undefined) continue;
    const ious = new Float64Array(rows.length * cols.length);
    for (let r = 0; r < rows.length; r++) {
      for (let c = 0; c < cols.length; c++) ious[r * cols.length + c] = iouOf(a[rows[r]!]!, b[cols[c]!]!);
    }
    const assignment = maxWeightAssignment(rows.length, cols.length, (r, c) => {
      const iou = ious[r * cols.length + c]!;
      return iou >= threshold ? iou : Number.NEGATIVE_INFINITY;
    });
    assignment.forEach((c, r) => {
      if (c >= 0) pairs.push({ a: rows[r]!, b: cols[c]!, iou: ious[r * cols.length + c]! });
    });
  }
  return pairs.sort((x, y) => x.a - y.a);
}

function indexesByLabel(boxes: readonly LabeledBox[]): Map<string, number[]> {
  const groups = new Map<string, number[]>();
  boxes.forEach((box, index) => {
    const group = groups.get(box.label);
    if (group === undefined) groups.set(box.label, [index]);
    else group.push(index);
  });
  return groups;
}

/**
 * Widths and heights are taken as right − left and bottom − top, like the intersection's: rounding
 * is then monotone, so the intersection never exceeds either area, IoU stays in [0, 1] and
 * identical boxes give exactly 1.
 */
function iouOf(a: Box, b: Box): number {
  const aRight = a.x + a.w;
  const aBottom = a.y + a.h;
  const bRight = b.x + b.w;
  const bBottom = b.y + b.h;
  const width = Math.min(aRight, bRight) - Math.max(a.x, b.x);
  const height = Math.min(aBottom, bBottom) - Math.max(a.y, b.y);
  const intersection = width > 0 && height > 0 ? width * height : 0;
  const union = (aRight - a.x) * (aBottom - a.y) + (bRight - b.x) * (bBottom - b.y) - intersection;
  return union > 0 ? intersection / union : 0;
}

function checkBox(box: Box, name: string, index: number | null): void {
  for (const coordinate of ['x', 'y'] as const) {
    if (!Number.isFinite(box[coordinate])) {
      throw new AgreementInputError(`${name}: box ${coordinate} must be a finite number, got ${box[coordinate]}`, index);
    }
  }
  for (const extent of ['w', 'h'] as const) {
    if (!Number.isFinite(box[extent]) || box[extent] < 0) {
      throw new AgreementInputError(`${name}: box ${extent} must be a finite number ≥ 0, got ${box[extent]}`, index);
    }
  }
}

// τ = 0 would let disjoint boxes (IoU 0) count as matches.
function checkThreshold(threshold: number): void {
  if (!(threshold > 0 && threshold <= 1)) {
    throw new AgreementInputError(`the IoU threshold must be in (0, 1], got ${threshold}`);
  }
}
