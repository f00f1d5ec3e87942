import { selectCoders, unitCountOf } from './reliability';
import { AgreementInputError, type Estimate, type Level, type ReliabilityData } from './types';

/**
 * Krippendorff's alpha (DESIGN.md section 3). With m_u values in unit u and a per-unit weight w_u
 * (1 unless given), the coincidence sums reduce to per-unit pair sums P_u = Σ_{i≠j} δ²(v_i, v_j):
 *   Σ_c Σ_k o_ck δ²_ck = Σ_u w_u · P_u / (m_u − 1)          (the "observed sum")
 *   Σ_c Σ_k n_c n_k δ²_ck over the pairable values          (the "expected sum")
 *   α = 1 − (n − 1) · observed sum / expected sum,  D_o = observed / n,  D_e = expected / (n (n − 1)).
 * Each level evaluates both sums without a C × C matrix (only ratio is quadratic, see ratioSums).
 */

export interface AlphaResult {
  alpha: Estimate;
  /** D_o = Σ o_ck δ²_ck / n; 0 when nothing is pairable. */
  observedDisagreement: number;
  /** D_e = Σ n_c n_k δ²_ck / (n (n − 1)); 0 when nothing is pairable or nothing varies. */
  expectedDisagreement: number;
  /** Units with two or more values (weighted: Σ w_u over them). */
  pairableUnits: number;
  /** n, the number of pairable values (weighted: Σ w_u m_u). */
  pairableValues: number;
}

export interface AlphaOptions {
  /**
   * Multiplicity of each unit (length = unit count, finite, ≥ 0): unit u counts as if it occurred
   * `unitWeights[u]` times, in the coincidences, n_c and n. The bootstrap resamples this way.
   */
  unitWeights?: ArrayLike<number>;
}

export interface PairwiseAlpha {
  a: number;
  b: number;
  /** Units both coders judged. */
  units: number;
  alpha: Estimate;
  /** Share of the shared units where both gave the same value. */
  percentAgreement: Estimate;
}

const NOTHING_PAIRABLE = 'no unit has two or more values';
const WEIGHTS_LEAVE_NOTHING = 'the unit weights leave fewer than two pairable values';
const NO_VARIATION = 'all pairable values are identical: no variation';

/** Reliability data checked and coded once for one level, so that repeated alphas skip that work. */
export interface PreparedReliability {
  readonly data: ReliabilityData;
  readonly level: Level;
  /** Units with at least two values, ascending. */
  readonly pairableUnits: Int32Array;
  /**
   * Per value: nominal → its category code in [0, codeCount); ordinal and ratio → the index of its
   * value in `distinctValues`; interval → unused (empty).
   */
  readonly codes: Int32Array;
  readonly codeCount: number;
  /** Ordinal and ratio: the distinct values, ascending. */
  readonly distinctValues: Float64Array;
}

interface LevelSums {
  observed: number;
  expected: number;
  /** At least two different values among the (positively weighted) pairable values. */
  varied: boolean;
}

type UnitWeights = Float64Array | null;

/**
 * Validates the values for `level` and codes them. Throws AgreementInputError (with the index into
 * `data.values`) for a non-finite value, a negative ratio value or a nominal code that is not a
 * non-negative integer.
 */
export function prepareReliability(data: ReliabilityData, level: Level): PreparedReliability {
  const { values } = data;
  const pairableUnits = pairableUnitsOf(data);
  const noValues = new Float64Array(0);
  if (level === 'nominal') return { data, level, pairableUnits, ...nominalCodes(values), distinctValues: noValues };
  for (let i = 0; i < values.length; i++) {
    const value = values[i]!;
    // x − x is 0 for every finite x and NaN for NaN and ±Infinity (cheaper than Number.isFinite).
    if (value - value !== 0) throw new AgreementInputError(`value ${value} is not a finite number`, i);
    if (level === 'ratio' && value < 0) throw new AgreementInputError(`ratio data must be ≥ 0, got ${value}`, i);
  }
  if (level === 'interval') return { data, level, pairableUnits, codes: new Int32Array(0), codeCount: 0, distinctValues: noValues };
  return { data, level, pairableUnits, ...distinctValueCodes(values) };
}

function pairableUnitsOf(data: ReliabilityData): Int32Array {
  const { unitOffsets } = data;
  const unitCount = unitCountOf(data);
  let count = 0;
  for (let u = 0; u < unitCount; u++) if (unitOffsets[u + 1]! - unitOffsets[u]! >= 2) count += 1;
  const pairable = new Int32Array(count);
  let position = 0;
  for (let u = 0; u < unitCount; u++) if (unitOffsets[u + 1]! - unitOffsets[u]! >= 2) pairable[position++] = u;
  return pairable;
}

/**
 * Validates nominal codes. Dense codes are used as they are (C = max code + 1); codes sparser than
 * a few per value (say a hash as code) are renumbered in order of first appearance, so that memory
 * and time stay O(N).
 */
function nominalCodes(values: Float64Array): { codes: Int32Array; codeCount: number } {
  const codes = new Int32Array(values.length);
  let maxCode = -1;
  for (let i = 0; i < values.length; i++) {
    const value = values[i]!;
    // `>>> 0` keeps exactly the integers in [0, 2³²): a cheap first test, since builtin calls like
    // Number.isInteger are not inlined everywhere (under jest's vm contexts they cost ~0.25 µs each).
    if (value >>> 0 !== value) checkNominalCode(value, i);
    codes[i] = value;
    if (value > maxCode) maxCode = value;
  }
  if (maxCode + 1 <= denseRangeLimit(values.length)) return { codes, codeCount: maxCode + 1 };
  const codeOfValue = new Map<number, number>();
  for (let i = 0; i < values.length; i++) {
    let code = codeOfValue.get(values[i]!);
    if (code === undefined) {
      code = codeOfValue.size;
      codeOfValue.set(values[i]!, code);
    }
    codes[i] = code;
  }
  return { codes, codeCount: codeOfValue.size };
}

/** Throws unless `value` is a non-negative integer (possibly beyond 2³², then renumbered). */
function checkNominalCode(value: number, index: number): void {
  if (!Number.isFinite(value)) throw new AgreementInputError(`value ${value} is not a finite number`, index);
  if (!(Number.isInteger(value) && value >= 0)) {
    throw new AgreementInputError(`nominal codes must be non-negative integers, got ${value}`, index);
  }
}

/** Largest integer range indexed directly for `count` values: O(count) memory and time. */
function denseRangeLimit(count: number): number {
  return 4 * count + 1024;
}

/**
 * Codes every value by its rank among the distinct values. Values outside pairable units get codes
 * too; their weighted counts are 0, which changes no mid-rank and no expected sum. Integers in a
 * range of O(N) (rating scales, counts) go through a lookup table in O(N); anything else is sorted,
 * O(N log N).
 */
function distinctValueCodes(values: Float64Array): { codes: Int32Array; codeCount: number; distinctValues: Float64Array } {
  const codes = new Int32Array(values.length);
  let min = Infinity;
  let max = -Infinity;
  let integers = true;
  for (let i = 0; i < values.length; i++) {
    const value = values[i]!;
    if (value < min) min = value;
    if (value > max) max = value;
    if (value % 1 !== 0) integers = false;
  }
  if (values.length === 0) return { codes, codeCount: 0, distinctValues: new Float64Array(0) };

  if (integers && max - min < denseRangeLimit(values.length)) {
    // codeOfOffset[v − min]: first 1 where v occurs, then the rank of v.
    const codeOfOffset = new Int32Array(max - min + 1);
    for (let i = 0; i < values.length; i++) codeOfOffset[values[i]! - min] = 1;
    const distinctValues = new Float64Array(Math.min(values.length, codeOfOffset.length));
    let distinctCount = 0;
    for (let offset = 0; offset < codeOfOffset.length; offset++) {
      if (codeOfOffset[offset] === 0) continue;
      distinctValues[distinctCount] = min + offset;
      codeOfOffset[offset] = distinctCount++;
    }
    for (let i = 0; i < values.length; i++) codes[i] = codeOfOffset[values[i]! - min]!;
    return { codes, codeCount: distinctCount, distinctValues: distinctValues.slice(0, distinctCount) };
  }

  const sorted = values.slice().sort();
  let distinctCount = 0;
  for (let i = 0; i < sorted.length; i++) {
    // −0 and 0 are one value: compare with ===, not Object.is.
    if (i === 0 || sorted[i] !== sorted[distinctCount - 1]) sorted[distinctCount++] = sorted[i]!;
  }
  const distinctValues = sorted.slice(0, distinctCount);
  for (let i = 0; i < values.length; i++) codes[i] = indexOfSorted(distinctValues, values[i]!);
  return { codes, codeCount: distinctCount, distinctValues };
}

function indexOfSorted(sorted: Float64Array, value: number): number {
  let low = 0;
  let high = sorted.length - 1;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (sorted[middle]! < value) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** The weights checked, as a Float64Array so that the hot loops see one array type. */
function checkedWeights(prepared: PreparedReliability, weights: ArrayLike<number> | undefined): UnitWeights {
  if (weights === undefined) return null;
  const unitCount = unitCountOf(prepared.data);
  if (weights.length !== unitCount) {
    throw new AgreementInputError(`unitWeights has ${weights.length} entries for ${unitCount} units`);
  }
  for (let u = 0; u < unitCount; u++) {
    const weight = weights[u]!;
    if (!(weight >= 0 && weight - weight === 0)) {
      throw new AgreementInputError(`unit weight ${weight} is not a finite number ≥ 0`, u);
    }
  }
  return weights instanceof Float64Array ? weights : Float64Array.from(weights);
}

/** Alpha of prepared data; `unitWeights` as in AlphaOptions. */
export function alphaOfPrepared(prepared: PreparedReliability, unitWeights?: ArrayLike<number>): AlphaResult {
  const weights = checkedWeights(prepared, unitWeights);
  const { unitOffsets } = prepared.data;
  const pairable = prepared.pairableUnits;
  let pairableUnits = 0;
  let n = 0;
  for (let p = 0; p < pairable.length; p++) {
    const u = pairable[p]!;
    const weight = weights === null ? 1 : weights[u]!;
    pairableUnits += weight;
    n += weight * (unitOffsets[u + 1]! - unitOffsets[u]!);
  }
  const empty = { observedDisagreement: 0, expectedDisagreement: 0, pairableUnits, pairableValues: n };
  if (n <= 1) {
    const reason = pairable.length === 0 ? NOTHING_PAIRABLE : WEIGHTS_LEAVE_NOTHING;
    return { ...empty, alpha: { value: null, reason } };
  }
  const sums = levelSums(prepared, weights, null);
  if (!sums.varied) return { ...empty, alpha: { value: null, reason: NO_VARIATION } };
  return {
    alpha: { value: 1 - ((n - 1) * sums.observed) / sums.expected, reason: null },
    observedDisagreement: sums.observed / n,
    expectedDisagreement: sums.expected / (n * (n - 1)),
    pairableUnits,
    pairableValues: n,
  };
}

export function krippendorffAlpha(data: ReliabilityData, level: Level, options: AlphaOptions = {}): AlphaResult {
  return alphaOfPrepared(prepareReliability(data, level), options.unitWeights);
}

/**
 * Per unit, the mean δ² over the ordered pairs of its values, P_u / (m_u (m_u − 1)); NaN marks a unit
 * with fewer than two values (not pairable). `expected` is D_e, the mean δ² over all ordered pairs of
 * pairable values (NaN when nothing is pairable), so observed[u] / expected ranks units by
 * disagreement on the same scale as alpha.
 */
export function unitDisagreement(data: ReliabilityData, level: Level): { observed: Float64Array; expected: number } {
  const prepared = prepareReliability(data, level);
  const { unitOffsets } = data;
  const pairable = prepared.pairableUnits;
  const observed = new Float64Array(unitCountOf(data)).fill(Number.NaN);
  let n = 0;
  for (let p = 0; p < pairable.length; p++) n += unitOffsets[pairable[p]! + 1]! - unitOffsets[pairable[p]!]!;
  const unitPairSums = new Float64Array(observed.length);
  const sums = levelSums(prepared, null, unitPairSums);
  for (let p = 0; p < pairable.length; p++) {
    const u = pairable[p]!;
    const m = unitOffsets[u + 1]! - unitOffsets[u]!;
    observed[u] = unitPairSums[u]! / (m * (m - 1));
  }
  return { observed, expected: n === 0 ? Number.NaN : sums.expected / (n * (n - 1)) };
}

/** Alpha without each coder in turn, for every coder index. */
export function dropOneAlpha(data: ReliabilityData, level: Level): Array<{ coder: number; alpha: Estimate }> {
  // Validated up front so that an error's index points into `data.values`, not into a subset.
  prepareReliability(data, level);
  const result: Array<{ coder: number; alpha: Estimate }> = [];
  for (let coder = 0; coder < data.coderCount; coder++) {
    const without = selectCoders(data, (other) => other !== coder);
    result.push({ coder, alpha: krippendorffAlpha(without, level).alpha });
  }
  return result;
}

/**
 * For every coder pair a < b: alpha over the units both judged (only their two values) and the share
 * of those units where their values are equal. One pass over the units buckets the co-judged pairs,
 * so the cost is O(Σ_u m_u² + K²) rather than K² passes over all data.
 */
export function pairwiseAlpha(data: ReliabilityData, level: Level): PairwiseAlpha[] {
  // Validated up front so that an error's index points into `data.values`, not into a pair's data.
  prepareReliability(data, level);
  const { unitOffsets, coders, values, coderCount } = data;
  const unitCount = unitCountOf(data);
  const pairIndex = (a: number, b: number): number => a * coderCount + b;

  const pairOffsets = new Int32Array(coderCount * coderCount + 1);
  forEachCoderPair((a, b) => {
    pairOffsets[pairIndex(a, b) + 1]! += 1;
  });
  for (let p = 0; p < coderCount * coderCount; p++) pairOffsets[p + 1]! += pairOffsets[p]!;
  const sharedUnitCount = pairOffsets[coderCount * coderCount]!;
  const nextPosition = pairOffsets.slice(0, coderCount * coderCount);
  const valuesOfA = new Float64Array(sharedUnitCount);
  const valuesOfB = new Float64Array(sharedUnitCount);
  forEachCoderPair((a, b, valueA, valueB) => {
    const position = nextPosition[pairIndex(a, b)]!++;
    valuesOfA[position] = valueA;
    valuesOfB[position] = valueB;
  });

  const result: PairwiseAlpha[] = [];
  for (let a = 0; a < coderCount; a++) {
    for (let b = a + 1; b < coderCount; b++) {
      const start = pairOffsets[pairIndex(a, b)]!;
      const units = pairOffsets[pairIndex(a, b) + 1]! - start;
      if (units === 0) {
        const none: Estimate = { value: null, reason: `coders ${a} and ${b} share no unit` };
        result.push({ a, b, units, alpha: none, percentAgreement: none });
        continue;
      }
      const pairValues = new Float64Array(2 * units);
      let agreeing = 0;
      for (let k = 0; k < units; k++) {
        pairValues[2 * k] = valuesOfA[start + k]!;
        pairValues[2 * k + 1] = valuesOfB[start + k]!;
        if (valuesOfA[start + k] === valuesOfB[start + k]) agreeing += 1;
      }
      const pairData: ReliabilityData = {
        unitOffsets: Int32Array.from({ length: units + 1 }, (_, k) => 2 * k),
        coders: Int32Array.from({ length: 2 * units }, (_, k) => (k % 2 === 0 ? a : b)),
        values: pairValues,
        coderCount,
        ...(data.categories === undefined ? {} : { categories: data.categories }),
      };
      result.push({
        a,
        b,
        units,
        alpha: krippendorffAlpha(pairData, level).alpha,
        percentAgreement: { value: agreeing / units, reason: null },
      });
    }
  }
  return result;

  /** Calls `visit` for each unit and each pair of its values, ordered so that coder a < coder b. */
  function forEachCoderPair(
    visit: (a: number, b: number, valueA: number, valueB: number) => void,
  ): void {
    for (let u = 0; u < unitCount; u++) {
      const end = unitOffsets[u + 1]!;
      for (let i = unitOffsets[u]!; i < end; i++) {
        for (let j = i + 1; j < end; j++) {
          if (coders[i]! < coders[j]!) visit(coders[i]!, coders[j]!, values[i]!, values[j]!);
          else visit(coders[j]!, coders[i]!, values[j]!, values[i]!);
        }
      }
    }
  }
}

/** Observed and expected sums for the level; when `unitPairSums` is given, P_u is stored there. */
function levelSums(prepared: PreparedReliability, weights: UnitWeights, unitPairSums: Float64Array | null): LevelSums {
  switch (prepared.level) {
    case 'nominal':
      return nominalSums(prepared, weights, unitPairSums);
    case 'interval':
      return intervalSums(prepared, prepared.data.values, null, weights, unitPairSums);
    case 'ordinal':
      return intervalSums(prepared, midRanks(prepared, weights), prepared.codes, weights, unitPairSums);
    case 'ratio':
      return ratioSums(prepared, weights, unitPairSums);
  }
}

/**
 * Nominal δ² = [c ≠ k]. In a unit with category counts m_c, P_u = Σ_{c≠k} m_c m_k = m² − Σ_c m_c²;
 * likewise the expected sum is n² − Σ_c n_c². O(N + C) with one scratch count array.
 */
function nominalSums(prepared: PreparedReliability, weights: UnitWeights, unitPairSums: Float64Array | null): LevelSums {
  const { unitOffsets } = prepared.data;
  const pairable = prepared.pairableUnits;
  const { codes } = prepared;
  const totals = new Float64Array(prepared.codeCount);
  const unitCounts = new Int32Array(prepared.codeCount);
  let observed = 0;
  let n = 0;
  for (let p = 0; p < pairable.length; p++) {
    const u = pairable[p]!;
    const weight = weights === null ? 1 : weights[u]!;
    if (weight === 0) continue;
    const start = unitOffsets[u]!;
    const end = unitOffsets[u + 1]!;
    const m = end - start;
    for (let i = start; i < end; i++) unitCounts[codes[i]!]! += 1;
    let sumOfSquares = 0;
    for (let i = start; i < end; i++) {
      const code = codes[i]!;
      const count = unitCounts[code]!;
      if (count === 0) continue;
      sumOfSquares += count * count;
      totals[code]! += weight * count;
      unitCounts[code] = 0;
    }
    const pairSum = m * m - sumOfSquares;
    if (unitPairSums !== null) unitPairSums[u] = pairSum;
    observed += (weight * pairSum) / (m - 1);
    n += weight * m;
  }
  let totalSquares = 0;
  let occurring = 0;
  for (let c = 0; c < totals.length; c++) {
    totalSquares += totals[c]! * totals[c]!;
    if (totals[c]! > 0) occurring += 1;
  }
  return { observed, expected: n * n - totalSquares, varied: occurring >= 2 };
}

/**
 * Interval δ² = (c − k)², on coordinates x: value i sits at `coordinates[i]`, or at
 * `coordinates[codes[i]]` when codes are given (ordinal data: the mid-rank of its value).
 * Σ_{i≠j} (x_i − x_j)² = 2 m Σ_i (x_i − x̄)², and over all pairable values with weights the expected
 * sum is 2 n Σ w (x − μ)². Deviations from the mean (unit mean, weighted overall mean) rather than
 * the raw 2 m Σx² − 2 (Σx)² keep large, close values from cancelling. O(N).
 */
function intervalSums(
  prepared: PreparedReliability,
  coordinates: Float64Array,
  codes: Int32Array | null,
  weights: UnitWeights,
  unitPairSums: Float64Array | null,
): LevelSums {
  const { unitOffsets } = prepared.data;
  const pairable = prepared.pairableUnits;
  let observed = 0;
  let n = 0;
  let weightedSum = 0;
  for (let p = 0; p < pairable.length; p++) {
    const u = pairable[p]!;
    const weight = weights === null ? 1 : weights[u]!;
    if (weight === 0) continue;
    const start = unitOffsets[u]!;
    const end = unitOffsets[u + 1]!;
    const m = end - start;
    let sum = 0;
    for (let i = start; i < end; i++) sum += coordinates[codes === null ? i : codes[i]!]!;
    const mean = sum / m;
    let squares = 0;
    for (let i = start; i < end; i++) squares += (coordinates[codes === null ? i : codes[i]!]! - mean) ** 2;
    const pairSum = 2 * m * squares;
    if (unitPairSums !== null) unitPairSums[u] = pairSum;
    observed += (weight * pairSum) / (m - 1);
    n += weight * m;
    weightedSum += weight * sum;
  }
  const mean = weightedSum / n;
  let weightedSquares = 0;
  let lowest = Infinity;
  let highest = -Infinity;
  for (let p = 0; p < pairable.length; p++) {
    const u = pairable[p]!;
    const weight = weights === null ? 1 : weights[u]!;
    if (weight === 0) continue;
    let squares = 0;
    for (let i = unitOffsets[u]!; i < unitOffsets[u + 1]!; i++) {
      const x = coordinates[codes === null ? i : codes[i]!]!;
      squares += (x - mean) ** 2;
      if (x < lowest) lowest = x;
      if (x > highest) highest = x;
    }
    weightedSquares += weight * squares;
  }
  return { observed, expected: 2 * n * weightedSquares, varied: lowest < highest };
}

/**
 * Ordinal data as interval data on mid-ranks. With the distinct pairable values ordered and n_g their
 * (weighted) counts, M_c = Σ_{g<c} n_g + n_c / 2. For c < k:
 *   M_k − M_c = Σ_{c≤g<k} n_g + n_k/2 − n_c/2 = n_c/2 + Σ_{c<g<k} n_g + n_k/2
 *             = Σ_{g=c..k} n_g − (n_c + n_k)/2,
 * whose square is DESIGN's ordinal δ²_ck (and both are 0 for c = k). So ordinal alpha is interval alpha
 * on M. The ranks depend on the weights, hence they are recomputed per call.
 */
function midRanks(prepared: PreparedReliability, weights: UnitWeights): Float64Array {
  const counts = weightedCodeCounts(prepared, weights);
  const ranks = new Float64Array(counts.length);
  let below = 0;
  for (let g = 0; g < counts.length; g++) {
    ranks[g] = below + counts[g]! / 2;
    below += counts[g]!;
  }
  return ranks;
}

function weightedCodeCounts(prepared: PreparedReliability, weights: UnitWeights): Float64Array {
  const { unitOffsets } = prepared.data;
  const pairable = prepared.pairableUnits;
  const { codes } = prepared;
  const counts = new Float64Array(prepared.codeCount);
  for (let p = 0; p < pairable.length; p++) {
    const u = pairable[p]!;
    const weight = weights === null ? 1 : weights[u]!;
    for (let i = unitOffsets[u]!; i < unitOffsets[u + 1]!; i++) counts[codes[i]!]! += weight;
  }
  return counts;
}

/** ((c − k)/(c + k))², with 0/0 (both values 0, hence identical) defined as 0. */
function ratioDistance(c: number, k: number): number {
  const sum = c + k;
  return sum === 0 ? 0 : ((c - k) / sum) ** 2;
}

/**
 * Ratio δ² does not decompose into sums of powers, so this is the one quadratic case: O(m_u²) per
 * unit for the observed sum and O(V²) over the V distinct pairable values for the expected sum.
 */
function ratioSums(prepared: PreparedReliability, weights: UnitWeights, unitPairSums: Float64Array | null): LevelSums {
  const { unitOffsets, values } = prepared.data;
  const pairable = prepared.pairableUnits;
  let observed = 0;
  for (let p = 0; p < pairable.length; p++) {
    const u = pairable[p]!;
    const weight = weights === null ? 1 : weights[u]!;
    if (weight === 0) continue;
    const start = unitOffsets[u]!;
    const end = unitOffsets[u + 1]!;
    let pairSum = 0;
    for (let i = start; i < end; i++) {
      for (let j = i + 1; j < end; j++) pairSum += 2 * ratioDistance(values[i]!, values[j]!);
    }
    if (unitPairSums !== null) unitPairSums[u] = pairSum;
    observed += (weight * pairSum) / (end - start - 1);
  }

  const counts = weightedCodeCounts(prepared, weights);
  const occurring: number[] = [];
  for (let c = 0; c < counts.length; c++) if (counts[c]! > 0) occurring.push(c);
  let expected = 0;
  for (let x = 0; x < occurring.length; x++) {
    const c = occurring[x]!;
    for (let y = x + 1; y < occurring.length; y++) {
      const k = occurring[y]!;
      expected += 2 * counts[c]! * counts[k]! * ratioDistance(prepared.distinctValues[c]!, prepared.distinctValues[k]!);
    }
  }
  return { observed, expected, varied: occurring.length >= 2 };
}
