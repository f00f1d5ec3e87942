/**
 * Percent agreement, Cohen's kappa, Fleiss' kappa and the pairwise confusion matrix
 * (DESIGN.md section 3). Values are compared for exact equality, so nominal codes and numbers
 * work alike.
 */
import { AgreementInputError, type Estimate, type ReliabilityData } from './types';

export interface PercentAgreementResult {
  agreement: Estimate;
  pairableUnits: number;
}

export interface CohenKappaResult {
  kappa: Estimate;
  /** Units both coders judged. */
  items: number;
  /** p_o, or null without shared units. */
  observed: number | null;
  /** p_e from each coder's own marginals, or null without shared units. */
  expected: number | null;
}

export interface FleissKappaResult {
  kappa: Estimate;
  /** Pairable units (two or more judgements). */
  items: number;
  /** The common number of judgements per item, or null when it differs or there is no item. */
  ratersPerItem: number | null;
}

export interface ConfusionMatrix {
  /** Sorted distinct values either coder gave on the shared units. */
  values: number[];
  /** counts[i][j]: units where coder A said values[i] and coder B said values[j]. */
  counts: number[][];
  items: number;
}

/**
 * Σ_u agreeing ordered pairs / Σ_u m_u(m_u − 1) over units with at least two values. `tally` is
 * `tallyPairableUnits(data)`, passed in when fleissKappa needs it too.
 */
export function percentAgreement(data: ReliabilityData, tally: PairableTally = tallyPairableUnits(data)): PercentAgreementResult {
  const agreement: Estimate =
    tally.orderedPairs === 0
      ? { value: null, reason: 'no unit has two or more judgements' }
      : { value: tally.agreeingPairs / tally.orderedPairs, reason: null };
  return { agreement, pairableUnits: tally.pairableUnits };
}

/** Cohen's (1960) unweighted kappa of two coders on the units both judged. */
export function cohenKappa(data: ReliabilityData, coderA: number, coderB: number): CohenKappaResult {
  checkCoderPair(data, coderA, coderB);
  const { codes, distinctCount } = denseCodes(data.values);
  const shared = sharedJudgements(data, coderA, coderB);
  const items = shared.count;
  if (items === 0) {
    return {
      kappa: { value: null, reason: `coders ${coderA} and ${coderB} judged no unit in common` },
      items,
      observed: null,
      expected: null,
    };
  }
  const marginA = new Float64Array(distinctCount);
  const marginB = new Float64Array(distinctCount);
  let agreeing = 0;
  for (let i = 0; i < items; i++) {
    const codeA = codes[shared.positionsA[i]!]!;
    const codeB = codes[shared.positionsB[i]!]!;
    marginA[codeA]! += 1;
    marginB[codeB]! += 1;
    if (codeA === codeB) agreeing += 1;
  }
  // Σ_k a_k·b_k stays an exact integer, so p_e = 1 is detected exactly rather than up to rounding.
  let chanceProduct = 0;
  for (let k = 0; k < distinctCount; k++) chanceProduct += marginA[k]! * marginB[k]!;
  const observed = agreeing / items;
  const expected = chanceProduct / (items * items);
  const kappa: Estimate =
    chanceProduct === items * items
      ? {
          value: null,
          reason: `both coders gave one and the same value on all ${items} shared units; chance agreement is 1`,
        }
      : { value: (observed - expected) / (1 - expected), reason: null };
  return { kappa, items, observed, expected };
}

/**
 * Fleiss' (1971) kappa over the pairable units, which must all have the same number of judgements.
 * `tally` as in percentAgreement.
 */
export function fleissKappa(data: ReliabilityData, tally: PairableTally = tallyPairableUnits(data)): FleissKappaResult {
  const items = tally.pairableUnits;
  if (items === 0) {
    return { kappa: { value: null, reason: 'no unit has two or more judgements' }, items, ratersPerItem: null };
  }
  if (tally.minJudgements !== tally.maxJudgements) {
    return {
      kappa: {
        value: null,
        reason:
          `items have between ${tally.minJudgements} and ${tally.maxJudgements} judgements; ` +
          "Fleiss' kappa needs the same number per item",
      },
      items,
      ratersPerItem: null,
    };
  }
  const raters = tally.minJudgements;
  const judgements = items * raters;
  let usedValues = 0;
  let sharesSquared = 0;
  for (const total of tally.valueTotals) {
    if (total === 0) continue;
    usedValues += 1;
    const share = total / judgements;
    sharesSquared += share * share;
  }
  if (usedValues === 1) {
    return {
      kappa: { value: null, reason: 'every judgement on the pairable items has the same value; chance agreement is 1' },
      items,
      ratersPerItem: raters,
    };
  }
  // P̄ = mean over items of agreeing ordered pairs / n(n − 1), i.e. the pooled pair share.
  const meanAgreement = tally.agreeingPairs / tally.orderedPairs;
  return {
    kappa: { value: (meanAgreement - sharesSquared) / (1 - sharesSquared), reason: null },
    items,
    ratersPerItem: raters,
  };
}

/** Cross-tabulation of two coders' values on the units both judged. */
export function confusionMatrix(data: ReliabilityData, coderA: number, coderB: number): ConfusionMatrix {
  checkCoderPair(data, coderA, coderB);
  checkFinite(data.values);
  const shared = sharedJudgements(data, coderA, coderB);
  const present = new Set<number>();
  for (let i = 0; i < shared.count; i++) {
    present.add(data.values[shared.positionsA[i]!]!);
    present.add(data.values[shared.positionsB[i]!]!);
  }
  const values = [...present].sort((x, y) => x - y);
  const indexOf = new Map(values.map((value, index) => [value, index]));
  const counts = values.map(() => values.map(() => 0));
  for (let i = 0; i < shared.count; i++) {
    const row = indexOf.get(data.values[shared.positionsA[i]!]!)!;
    const col = indexOf.get(data.values[shared.positionsB[i]!]!)!;
    counts[row]![col]! += 1;
  }
  return { values, counts, items: shared.count };
}

/** Counts over the pairable units that percent agreement and Fleiss' kappa share. */
export interface PairableTally {
  pairableUnits: number;
  agreeingPairs: number;
  orderedPairs: number;
  minJudgements: number;
  maxJudgements: number;
  /** Judgements per dense value code, over the pairable units only. */
  valueTotals: Float64Array;
}

/** One pass over the units: per-unit value counts in a reused typed array, reset after each unit. */
export function tallyPairableUnits(data: ReliabilityData): PairableTally {
  const { codes, distinctCount } = denseCodes(data.values);
  const unitCounts = new Int32Array(distinctCount);
  const valueTotals = new Float64Array(distinctCount);
  const unitCount = data.unitOffsets.length - 1;
  let pairableUnits = 0;
  let agreeingPairs = 0;
  let orderedPairs = 0;
  let minJudgements = Number.POSITIVE_INFINITY;
  let maxJudgements = 0;
  for (let u = 0; u < unitCount; u++) {
    const start = data.unitOffsets[u]!;
    const end = data.unitOffsets[u + 1]!;
    const judgements = end - start;
    if (judgements < 2) continue;
    pairableUnits += 1;
    orderedPairs += judgements * (judgements - 1);
    minJudgements = Math.min(minJudgements, judgements);
    maxJudgements = Math.max(maxJudgements, judgements);
    for (let p = start; p < end; p++) {
      const code = codes[p]!;
      // The new value agrees with each equal value seen before it, in both orders.
      agreeingPairs += 2 * unitCounts[code]!;
      unitCounts[code]! += 1;
      valueTotals[code]! += 1;
    }
    for (let p = start; p < end; p++) unitCounts[codes[p]!] = 0;
  }
  return { pairableUnits, agreeingPairs, orderedPairs, minJudgements, maxJudgements, valueTotals };
}

/**
 * Codes 0..k−1 for the distinct values in order of first appearance, so counting can use typed arrays
 * instead of maps. Integers in a range of O(N) (nominal codes, rating scales) go through a lookup
 * table, anything else through a hash table (hashedCodes).
 */
function denseCodes(values: Float64Array): { codes: Int32Array; distinctCount: number } {
  let min = Infinity;
  let max = -Infinity;
  let integers = true;
  for (let p = 0; p < values.length; p++) {
    const value = values[p]!;
    // checkFinite, in the same pass.
    if (value - value !== 0) throw new AgreementInputError(`value ${value} is not a finite number`, p);
    if (value < min) min = value;
    if (value > max) max = value;
    // `| 0` settles the int32 case without a floating-point remainder (`%` on doubles is a call).
    if (integers && (value | 0) !== value && value % 1 !== 0) integers = false;
  }
  if (values.length > 0 && integers && max - min < 4 * values.length + 1024) {
    // codeOfOffset[v − min] + 1: 0 until v is seen (−0 and 0 share an offset, as they share a Map key).
    const codeOfOffset = new Int32Array(max - min + 1);
    const codes = new Int32Array(values.length);
    let distinctCount = 0;
    for (let p = 0; p < values.length; p++) {
      const offset = values[p]! - min;
      let code = codeOfOffset[offset]! - 1;
      if (code === -1) {
        code = distinctCount++;
        codeOfOffset[offset] = code + 1;
      }
      codes[p] = code;
    }
    return { codes, distinctCount };
  }
  return hashedCodes(values);
}

/**
 * denseCodes for any finite values: an open-addressing table keyed by the value's bits gives the same
 * codes as a Map keyed by the value, several times faster for a million real values. −0 is stored as
 * 0, as a Map treats them as one key.
 */
function hashedCodes(values: Float64Array): { codes: Int32Array; distinctCount: number } {
  const codes = new Int32Array(values.length);
  let capacity = 16;
  while (capacity < 2 * values.length) capacity *= 2;
  const mask = capacity - 1;
  const keys = new Float64Array(capacity);
  const slotCodes = new Int32Array(capacity).fill(-1);
  const scratch = new Float64Array(1);
  const bits = new Int32Array(scratch.buffer);
  let distinctCount = 0;
  for (let p = 0; p < values.length; p++) {
    const value = values[p]! + 0; // −0 + 0 is 0
    scratch[0] = value;
    // Any deterministic mix of the two halves will do; plain operators (no Math.imul) for jest's sake.
    let hash = bits[0]! ^ bits[1]!;
    hash = ((hash ^ (hash >>> 16)) * 0x45d9f3b) | 0;
    let slot = (hash ^ (hash >>> 16)) & mask;
    let code = slotCodes[slot]!;
    while (code !== -1 && keys[slot] !== value) {
      slot = (slot + 1) & mask;
      code = slotCodes[slot]!;
    }
    if (code === -1) {
      code = distinctCount++;
      slotCodes[slot] = code;
      keys[slot] = value;
    }
    codes[p] = code;
  }
  return { codes, distinctCount };
}

/** Positions in `values` of coder A's and coder B's judgements on each unit both judged. */
function sharedJudgements(
  data: ReliabilityData,
  coderA: number,
  coderB: number,
): { positionsA: Int32Array; positionsB: Int32Array; count: number } {
  const unitCount = data.unitOffsets.length - 1;
  const positionsA = new Int32Array(unitCount);
  const positionsB = new Int32Array(unitCount);
  let count = 0;
  for (let u = 0; u < unitCount; u++) {
    let positionA = -1;
    let positionB = -1;
    for (let p = data.unitOffsets[u]!; p < data.unitOffsets[u + 1]!; p++) {
      const coder = data.coders[p]!;
      if (coder === coderA) positionA = p;
      else if (coder === coderB) positionB = p;
    }
    if (positionA >= 0 && positionB >= 0) {
      positionsA[count] = positionA;
      positionsB[count] = positionB;
      count += 1;
    }
  }
  return { positionsA, positionsB, count };
}

function checkCoderPair(data: ReliabilityData, coderA: number, coderB: number): void {
  for (const coder of [coderA, coderB]) {
    if (!Number.isInteger(coder) || coder < 0 || coder >= data.coderCount) {
      throw new AgreementInputError(`coder ${coder} is not one of the ${data.coderCount} coders`);
    }
  }
  if (coderA === coderB) throw new AgreementInputError(`a coder (${coderA}) cannot be compared with itself`);
}

// NaN never equals itself and would silently count as disagreement.
function checkFinite(values: Float64Array): void {
  for (let p = 0; p < values.length; p++) {
    // x − x is 0 exactly for finite x (cheaper than Number.isFinite in hot loops).
    if (values[p]! - values[p]! !== 0) throw new AgreementInputError(`value ${values[p]} is not a finite number`, p);
  }
}
