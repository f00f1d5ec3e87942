import { unitCountOf } from './reliability';
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
    // `| 0` settles the int32 case without a floating-point remainder (`%` on doubles is a call).
    if (integers && (value | 0) !== value && value % 1 !== 0) integers = false;
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
  return alphaWithSums(prepared, checkedWeights(prepared, unitWeights), null).result;
}

/** Alpha and the level's sums (null when nothing is pairable); P_u goes to `unitPairSums` when given. */
function alphaWithSums(
  prepared: PreparedReliability,
  weights: UnitWeights,
  unitPairSums: Float64Array | null,
): { result: AlphaResult; sums: LevelSums | null } {
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
    return { result: { ...empty, alpha: { value: null, reason } }, sums: null };
  }
  const sums = levelSums(prepared, weights, unitPairSums);
  if (!sums.varied) return { result: { ...empty, alpha: { value: null, reason: NO_VARIATION } }, sums };
  const result: AlphaResult = {
    alpha: { value: 1 - ((n - 1) * sums.observed) / sums.expected, reason: null },
    observedDisagreement: sums.observed / n,
    expectedDisagreement: sums.expected / (n * (n - 1)),
    pairableUnits,
    pairableValues: n,
  };
  return { result, sums };
}

export function krippendorffAlpha(data: ReliabilityData, level: Level, options: AlphaOptions = {}): AlphaResult {
  return alphaOfPrepared(prepareReliability(data, level), options.unitWeights);
}

/** Per-unit disagreement as returned by `unitDisagreement`. */
export interface UnitDisagreement {
  observed: Float64Array;
  expected: number;
}

/**
 * Per unit, the mean δ² over the ordered pairs of its values, P_u / (m_u (m_u − 1)); NaN marks a unit
 * with fewer than two values (not pairable). `expected` is D_e, the mean δ² over all ordered pairs of
 * pairable values (NaN when nothing is pairable), so observed[u] / expected ranks units by
 * disagreement on the same scale as alpha.
 */
export function unitDisagreement(data: ReliabilityData, level: Level): UnitDisagreement {
  return alphaAndUnitDisagreement(prepareReliability(data, level)).units;
}

/**
 * `alphaOfPrepared(prepared)` (unweighted) and `unitDisagreement` of the same data from one pass of
 * the level's sums; both equal what the separate calls return.
 */
export function alphaAndUnitDisagreement(prepared: PreparedReliability): { alpha: AlphaResult; units: UnitDisagreement } {
  const { unitOffsets } = prepared.data;
  const pairable = prepared.pairableUnits;
  const observed = new Float64Array(unitCountOf(prepared.data)).fill(Number.NaN);
  // The sums store P_u of every pairable unit in `observed`, turned into the mean below.
  const { result, sums } = alphaWithSums(prepared, null, observed);
  // Unweighted, n = Σ m_u over the pairable units: 0 exactly when nothing is pairable (sums null).
  const n = result.pairableValues;
  if (sums === null) return { alpha: result, units: { observed, expected: Number.NaN } };
  for (let p = 0; p < pairable.length; p++) {
    const u = pairable[p]!;
    const m = unitOffsets[u + 1]! - unitOffsets[u]!;
    observed[u] = observed[u]! / (m * (m - 1));
  }
  return { alpha: result, units: { observed, expected: sums.expected / (n * (n - 1)) } };
}

/** Alpha without each coder in turn, for every coder index. */
export function dropOneAlpha(data: ReliabilityData, level: Level): Array<{ coder: number; alpha: Estimate }> {
  // Validated up front, so an error's index points into `data.values`.
  return dropOneAlphaOfPrepared(prepareReliability(data, level));
}

/**
 * Drop-one alpha of prepared data, without copying it per coder. Each result equals (bit for bit)
 * `krippendorffAlpha(selectCoders(data, (other) => other !== coder), level)`: the sums below add the
 * same terms in the same order. Nominal: one pass for all coders (see nominalDropOne). Interval,
 * ordinal, ratio: one pass per coder over the shared data with that coder masked out (their sums
 * depend on per-coder means, mid-ranks or distinct values, so they don't split into per-coder parts
 * without changing the rounding).
 */
export function dropOneAlphaOfPrepared(prepared: PreparedReliability): Array<{ coder: number; alpha: Estimate }> {
  const coderCount = prepared.data.coderCount;
  if (prepared.level === 'nominal') {
    return nominalDropOne(prepared).map(({ n, sums }, coder) => ({ coder, alpha: alphaOfSums(n, sums) }));
  }
  const n = valuesWithoutEachCoder(prepared);
  const result: Array<{ coder: number; alpha: Estimate }> = [];
  for (let coder = 0; coder < coderCount; coder++) {
    const alpha = n[coder]! <= 1 ? alphaOfSums(n[coder]!, null) : alphaOfSums(n[coder]!, levelSums(prepared, null, null, coder));
    result.push({ coder, alpha });
  }
  return result;
}

/** Alpha from n and the level's sums (unweighted: n ≤ 1 means nothing is pairable). */
function alphaOfSums(n: number, sums: LevelSums | null): Estimate {
  if (n <= 1 || sums === null) return { value: null, reason: NOTHING_PAIRABLE };
  if (!sums.varied) return { value: null, reason: NO_VARIATION };
  return { value: 1 - ((n - 1) * sums.observed) / sums.expected, reason: null };
}

/**
 * n without each coder: a pairable unit loses that coder's value, or both values when only two are
 * left (it is no longer pairable). Integer counts, so the order of the updates doesn't matter.
 */
function valuesWithoutEachCoder(prepared: PreparedReliability): Float64Array {
  const { unitOffsets, coders, coderCount } = prepared.data;
  const pairable = prepared.pairableUnits;
  let total = 0;
  const lost = new Float64Array(coderCount);
  for (let p = 0; p < pairable.length; p++) {
    const u = pairable[p]!;
    const start = unitOffsets[u]!;
    const end = unitOffsets[u + 1]!;
    total += end - start;
    const loss = end - start === 2 ? 2 : 1;
    for (let i = start; i < end; i++) lost[coders[i]!]! += loss;
  }
  const n = new Float64Array(coderCount);
  for (let coder = 0; coder < coderCount; coder++) n[coder] = total - lost[coder]!;
  return n;
}

/**
 * Nominal sums without each coder, in one pass over the units. In a unit with m values and category
 * counts m_c, dropping a coder whose value is in category k leaves m − 1 values and Σ m_c² − 2 m_k + 1,
 * so P_u without that coder costs O(1). The observed sum of coder c adds, unit by unit in the same
 * order as alpha on the reduced data would, either that reduced term or (c absent) the unit's own:
 * O(Σ m_u + units × coders), and the floating-point result is the same.
 * The category totals without coder c differ from the full totals only in the categories of c's values
 * (and of the partner's value in units of two, which stop being pairable); Σ totals² is corrected there.
 * All totals are integer counts, exact below 2⁵³.
 */
function nominalDropOne(prepared: PreparedReliability): Array<{ n: number; sums: LevelSums }> {
  const { unitOffsets, coders, coderCount } = prepared.data;
  const pairable = prepared.pairableUnits;
  const { codes, codeCount } = prepared;
  // unitCounts[c] counts category c in the current unit when unitOf[c] says it is that unit.
  const unitCounts = new Int32Array(codeCount);
  const unitOf = new Int32Array(codeCount).fill(-1);
  const totals = new Float64Array(codeCount);
  const observed = new Float64Array(coderCount);
  // For the coders present in the current unit (presentIn[c] === p): their reduced term.
  const presentIn = new Int32Array(coderCount).fill(-1);
  const reducedTerm = new Float64Array(coderCount);
  // removed[coder · C + c]: values of category c that dropping the coder takes out of the totals;
  // a coder × category table when that is small, else lists built in a second pass (see below).
  const dense = coderCount * codeCount <= denseRangeLimit(codes.length);
  const removed = dense ? new Float64Array(coderCount * codeCount) : null;
  for (let p = 0; p < pairable.length; p++) {
    const u = pairable[p]!;
    const start = unitOffsets[u]!;
    const end = unitOffsets[u + 1]!;
    const m = end - start;
    for (let i = start; i < end; i++) {
      const code = codes[i]!;
      if (unitOf[code] === p) unitCounts[code]! += 1;
      else {
        unitOf[code] = p;
        unitCounts[code] = 1;
      }
    }
    // Each value adds its category's count: Σ_c m_c · m_c = Σ_c m_c².
    let sumOfSquares = 0;
    for (let i = start; i < end; i++) {
      const code = codes[i]!;
      sumOfSquares += unitCounts[code]!;
      totals[code]! += 1;
    }
    const fullTerm = (m * m - sumOfSquares) / (m - 1);
    for (let i = start; i < end; i++) {
      const coder = coders[i]!;
      presentIn[coder] = p;
      if (m === 2) {
        reducedTerm[coder] = 0; // one value left: not pairable, and adding 0 changes no sum
        if (removed !== null) {
          removed[coder * codeCount + codes[start]!]! += 1;
          removed[coder * codeCount + codes[start + 1]!]! += 1;
        }
      } else {
        const code = codes[i]!;
        const reduced = m - 1;
        reducedTerm[coder] = (reduced * reduced - (sumOfSquares - 2 * unitCounts[code]! + 1)) / (reduced - 1);
        if (removed !== null) removed[coder * codeCount + code]! += 1;
      }
    }
    for (let coder = 0; coder < coderCount; coder++) {
      observed[coder]! += presentIn[coder] === p ? reducedTerm[coder]! : fullTerm;
    }
  }

  let totalSquares = 0;
  let occurring = 0;
  let n = 0;
  for (let c = 0; c < codeCount; c++) {
    totalSquares += totals[c]! * totals[c]!;
    n += totals[c]!;
    if (totals[c]! > 0) occurring += 1;
  }
  const result: Array<{ n: number; sums: LevelSums }> = [];
  const add = (coder: number, squares: number, left: number, coderN: number): void => {
    result.push({ n: coderN, sums: { observed: observed[coder]!, expected: coderN * coderN - squares, varied: left >= 2 } });
  };

  if (removed !== null) {
    for (let coder = 0; coder < coderCount; coder++) {
      let squares = totalSquares;
      let left = occurring;
      let coderN = n;
      for (let c = 0; c < codeCount; c++) {
        const gone = removed[coder * codeCount + c]!;
        if (gone === 0) continue;
        const total = totals[c]!;
        squares -= total * total - (total - gone) * (total - gone);
        coderN -= gone;
        if (total === gone) left -= 1;
      }
      add(coder, squares, left, coderN);
    }
    return result;
  }

  // Many coders and categories: the categories each coder's removal takes a value from, as lists.
  const removalOffsets = new Int32Array(coderCount + 1);
  for (let p = 0; p < pairable.length; p++) {
    const u = pairable[p]!;
    const loss = unitOffsets[u + 1]! - unitOffsets[u]! === 2 ? 2 : 1;
    for (let i = unitOffsets[u]!; i < unitOffsets[u + 1]!; i++) removalOffsets[coders[i]! + 1]! += loss;
  }
  for (let coder = 0; coder < coderCount; coder++) removalOffsets[coder + 1]! += removalOffsets[coder]!;
  const removedCodes = new Int32Array(removalOffsets[coderCount]!);
  const next = removalOffsets.slice(0, coderCount);
  for (let p = 0; p < pairable.length; p++) {
    const u = pairable[p]!;
    const start = unitOffsets[u]!;
    const end = unitOffsets[u + 1]!;
    for (let i = start; i < end; i++) {
      const coder = coders[i]!;
      if (end - start === 2) {
        removedCodes[next[coder]!++] = codes[start]!;
        removedCodes[next[coder]!++] = codes[start + 1]!;
      } else {
        removedCodes[next[coder]!++] = codes[i]!;
      }
    }
  }
  const gones = new Float64Array(codeCount);
  for (let coder = 0; coder < coderCount; coder++) {
    const from = removalOffsets[coder]!;
    const to = removalOffsets[coder + 1]!;
    for (let r = from; r < to; r++) gones[removedCodes[r]!]! += 1;
    let squares = totalSquares;
    let left = occurring;
    let coderN = n;
    for (let r = from; r < to; r++) {
      const c = removedCodes[r]!;
      const gone = gones[c]!;
      if (gone === 0) continue; // listed before: already corrected
      const total = totals[c]!;
      squares -= total * total - (total - gone) * (total - gone);
      coderN -= gone;
      if (total === gone) left -= 1;
      gones[c] = 0;
    }
    add(coder, squares, left, coderN);
  }
  return result;
}

/**
 * For every coder pair a < b: alpha over the units both judged (only their two values) and the share
 * of those units where their values are equal. One pass over the units buckets the co-judged pairs of
 * positions by coder pair; each pair's alpha is then computed from its positions directly, with the
 * same terms in the same order as alpha of the two-coder data would add. O(Σ_u m_u² + K²), plus
 * O(V log V) per pair for ordinal and O(V²) for ratio data with V distinct values in the pair.
 */
export function pairwiseAlpha(data: ReliabilityData, level: Level): PairwiseAlpha[] {
  // Validated up front so that an error's index points into `data.values`.
  return pairwiseAlphaOfPrepared(prepareReliability(data, level));
}

export function pairwiseAlphaOfPrepared(prepared: PreparedReliability): PairwiseAlpha[] {
  const { coderCount } = prepared.data;
  if (prepared.level === 'nominal' && coderCount * coderCount * prepared.codeCount <= denseRangeLimit(prepared.codes.length)) {
    return nominalPairs(prepared);
  }
  const { unitOffsets, coders, values } = prepared.data;
  const pairable = prepared.pairableUnits;
  const pairCount = coderCount * coderCount;

  // pairOffsets[a · K + b]: start of pair (a, b)'s entries in positionsA/positionsB (unit order).
  const pairOffsets = new Int32Array(pairCount + 1);
  for (let p = 0; p < pairable.length; p++) {
    const u = pairable[p]!;
    const end = unitOffsets[u + 1]!;
    for (let i = unitOffsets[u]!; i < end; i++) {
      const coderI = coders[i]!;
      for (let j = i + 1; j < end; j++) {
        const coderJ = coders[j]!;
        pairOffsets[(coderI < coderJ ? coderI * coderCount + coderJ : coderJ * coderCount + coderI) + 1]! += 1;
      }
    }
  }
  for (let k = 0; k < pairCount; k++) pairOffsets[k + 1]! += pairOffsets[k]!;
  const positionsA = new Int32Array(pairOffsets[pairCount]!);
  const positionsB = new Int32Array(pairOffsets[pairCount]!);
  const next = pairOffsets.slice(0, pairCount);
  for (let p = 0; p < pairable.length; p++) {
    const u = pairable[p]!;
    const end = unitOffsets[u + 1]!;
    for (let i = unitOffsets[u]!; i < end; i++) {
      const coderI = coders[i]!;
      for (let j = i + 1; j < end; j++) {
        const coderJ = coders[j]!;
        if (coderI < coderJ) {
          const at = next[coderI * coderCount + coderJ]!++;
          positionsA[at] = i;
          positionsB[at] = j;
        } else {
          const at = next[coderJ * coderCount + coderI]!++;
          positionsA[at] = j;
          positionsB[at] = i;
        }
      }
    }
  }

  const scratch = new PairScratch(prepared.codeCount);
  const result: PairwiseAlpha[] = [];
  for (let a = 0; a < coderCount; a++) {
    for (let b = a + 1; b < coderCount; b++) {
      const from = pairOffsets[a * coderCount + b]!;
      const to = pairOffsets[a * coderCount + b + 1]!;
      const units = to - from;
      if (units === 0) {
        const none: Estimate = { value: null, reason: `coders ${a} and ${b} share no unit` };
        result.push({ a, b, units, alpha: none, percentAgreement: none });
        continue;
      }
      let agreeing = 0;
      for (let k = from; k < to; k++) if (values[positionsA[k]!] === values[positionsB[k]!]) agreeing += 1;
      const sums = pairSums(prepared, positionsA, positionsB, from, to, scratch);
      result.push({
        a,
        b,
        units,
        alpha: alphaOfSums(2 * units, sums),
        percentAgreement: { value: agreeing / units, reason: null },
      });
    }
  }
  return result;
}

/**
 * Nominal pairwise alpha in one pass when a coder × coder × category table is small: per pair the
 * shared units, the agreeing ones and the category counts. A pair's unit adds P_u = 2 when its two
 * codes differ, so the observed sum is 2 · (units − agreeing); all sums are integers.
 */
function nominalPairs(prepared: PreparedReliability): PairwiseAlpha[] {
  const { unitOffsets, coders, coderCount } = prepared.data;
  const pairable = prepared.pairableUnits;
  const { codes, codeCount } = prepared;
  const shared = new Float64Array(coderCount * coderCount);
  const agreeing = new Float64Array(coderCount * coderCount);
  const counts = new Float64Array(coderCount * coderCount * codeCount);
  for (let p = 0; p < pairable.length; p++) {
    const u = pairable[p]!;
    const end = unitOffsets[u + 1]!;
    for (let i = unitOffsets[u]!; i < end; i++) {
      const coderI = coders[i]!;
      const codeI = codes[i]!;
      for (let j = i + 1; j < end; j++) {
        const coderJ = coders[j]!;
        const codeJ = codes[j]!;
        const pair = coderI < coderJ ? coderI * coderCount + coderJ : coderJ * coderCount + coderI;
        shared[pair]! += 1;
        if (codeI === codeJ) agreeing[pair]! += 1;
        counts[pair * codeCount + codeI]! += 1;
        counts[pair * codeCount + codeJ]! += 1;
      }
    }
  }
  const result: PairwiseAlpha[] = [];
  for (let a = 0; a < coderCount; a++) {
    for (let b = a + 1; b < coderCount; b++) {
      const pair = a * coderCount + b;
      const units = shared[pair]!;
      if (units === 0) {
        const none: Estimate = { value: null, reason: `coders ${a} and ${b} share no unit` };
        result.push({ a, b, units, alpha: none, percentAgreement: none });
        continue;
      }
      let totalSquares = 0;
      let occurring = 0;
      for (let c = pair * codeCount; c < (pair + 1) * codeCount; c++) {
        totalSquares += counts[c]! * counts[c]!;
        if (counts[c]! > 0) occurring += 1;
      }
      const n = 2 * units;
      const sums = { observed: 2 * (units - agreeing[pair]!), expected: n * n - totalSquares, varied: occurring >= 2 };
      result.push({ a, b, units, alpha: alphaOfSums(n, sums), percentAgreement: { value: agreeing[pair]! / units, reason: null } });
    }
  }
  return result;
}

/** Per-category scratch arrays reused by every pair: counts and mid-ranks, zero between pairs. */
class PairScratch {
  readonly counts: Float64Array;
  readonly ranks: Float64Array;

  constructor(codeCount: number) {
    this.counts = new Float64Array(codeCount);
    this.ranks = new Float64Array(codeCount);
  }
}

/**
 * The level's sums over the units k in [from, to) whose two values sit at positionsA[k] (the lower
 * coder) and positionsB[k]: those of `levelSums` on the two-coder data, whose units hold exactly
 * these two values in this order.
 */
function pairSums(
  prepared: PreparedReliability,
  positionsA: Int32Array,
  positionsB: Int32Array,
  from: number,
  to: number,
  scratch: PairScratch,
): LevelSums {
  const { codes } = prepared;
  const { values } = prepared.data;
  const { counts } = scratch;
  switch (prepared.level) {
    case 'nominal': {
      // P_u = 2 when the two codes differ, else 0; m_u − 1 = 1. Integer sums: order is immaterial.
      let observed = 0;
      for (let k = from; k < to; k++) {
        const codeA = codes[positionsA[k]!]!;
        const codeB = codes[positionsB[k]!]!;
        if (codeA !== codeB) observed += 2;
        counts[codeA]! += 1;
        counts[codeB]! += 1;
      }
      let totalSquares = 0;
      let occurring = 0;
      for (let k = from; k < to; k++) {
        for (let side = 0; side < 2; side++) {
          const code = codes[side === 0 ? positionsA[k]! : positionsB[k]!]!;
          const count = counts[code]!;
          if (count === 0) continue;
          totalSquares += count * count;
          occurring += 1;
          counts[code] = 0;
        }
      }
      const n = 2 * (to - from);
      return { observed, expected: n * n - totalSquares, varied: occurring >= 2 };
    }
    case 'interval':
      return pairIntervalSums(values, null, positionsA, positionsB, from, to);
    case 'ordinal':
      return pairIntervalSums(pairMidRanks(codes, positionsA, positionsB, from, to, scratch), codes, positionsA, positionsB, from, to);
    case 'ratio':
      return pairRatioSums(prepared, positionsA, positionsB, from, to, scratch);
  }
}

/** intervalSums for units of two values each (see there), with x at coordinates[codes?.[i] ?? i]. */
function pairIntervalSums(
  coordinates: Float64Array,
  codes: Int32Array | null,
  positionsA: Int32Array,
  positionsB: Int32Array,
  from: number,
  to: number,
): LevelSums {
  let observed = 0;
  let n = 0;
  let weightedSum = 0;
  for (let k = from; k < to; k++) {
    const x = coordinates[codes === null ? positionsA[k]! : codes[positionsA[k]!]!]!;
    const y = coordinates[codes === null ? positionsB[k]! : codes[positionsB[k]!]!]!;
    let sum = 0;
    sum += x;
    sum += y;
    const mean = sum / 2;
    let squares = 0;
    squares += (x - mean) ** 2;
    squares += (y - mean) ** 2;
    observed += (1 * (2 * 2 * squares)) / 1;
    n += 2;
    weightedSum += 1 * sum;
  }
  const mean = weightedSum / n;
  let weightedSquares = 0;
  let lowest = Infinity;
  let highest = -Infinity;
  for (let k = from; k < to; k++) {
    const x = coordinates[codes === null ? positionsA[k]! : codes[positionsA[k]!]!]!;
    const y = coordinates[codes === null ? positionsB[k]! : codes[positionsB[k]!]!]!;
    let squares = 0;
    squares += (x - mean) ** 2;
    if (x < lowest) lowest = x;
    if (x > highest) highest = x;
    squares += (y - mean) ** 2;
    if (y < lowest) lowest = y;
    if (y > highest) highest = y;
    weightedSquares += 1 * squares;
  }
  return { observed, expected: 2 * n * weightedSquares, varied: lowest < highest };
}

/**
 * The distinct codes of the pair's values, ascending, with their counts in scratch.counts (left for
 * the caller to clear). Codes rank values like the pair's own coding would, so ascending codes are
 * ascending distinct values.
 */
function pairCodeCounts(codes: Int32Array, positionsA: Int32Array, positionsB: Int32Array, from: number, to: number, scratch: PairScratch): Int32Array {
  const { counts } = scratch;
  const occurring = new Int32Array(2 * (to - from));
  let size = 0;
  for (let k = from; k < to; k++) {
    for (let side = 0; side < 2; side++) {
      const code = codes[side === 0 ? positionsA[k]! : positionsB[k]!]!;
      if (counts[code] === 0) occurring[size++] = code;
      counts[code]! += 1;
    }
  }
  return occurring.subarray(0, size).sort();
}

/** midRanks of the pair's values, indexed by code (only the pair's codes are set; see midRanks). */
function pairMidRanks(codes: Int32Array, positionsA: Int32Array, positionsB: Int32Array, from: number, to: number, scratch: PairScratch): Float64Array {
  const { counts, ranks } = scratch;
  const occurring = pairCodeCounts(codes, positionsA, positionsB, from, to, scratch);
  let below = 0;
  for (let g = 0; g < occurring.length; g++) {
    const code = occurring[g]!;
    ranks[code] = below + counts[code]! / 2;
    below += counts[code]!;
    counts[code] = 0;
  }
  return ranks;
}

/** ratioSums for units of two values each (see there). */
function pairRatioSums(
  prepared: PreparedReliability,
  positionsA: Int32Array,
  positionsB: Int32Array,
  from: number,
  to: number,
  scratch: PairScratch,
): LevelSums {
  const { values } = prepared.data;
  const { codes, distinctValues } = prepared;
  const { counts } = scratch;
  let observed = 0;
  for (let k = from; k < to; k++) {
    let pairSum = 0;
    pairSum += 2 * ratioDistance(values[positionsA[k]!]!, values[positionsB[k]!]!);
    observed += (1 * pairSum) / 1;
  }
  const occurring = pairCodeCounts(codes, positionsA, positionsB, from, to, scratch);
  let expected = 0;
  for (let x = 0; x < occurring.length; x++) {
    const c = occurring[x]!;
    for (let y = x + 1; y < occurring.length; y++) {
      const k = occurring[y]!;
      expected += 2 * counts[c]! * counts[k]! * ratioDistance(distinctValues[c]!, distinctValues[k]!);
    }
  }
  for (let x = 0; x < occurring.length; x++) counts[occurring[x]!] = 0;
  return { observed, expected, varied: occurring.length >= 2 };
}

/**
 * Observed and expected sums for the level; when `unitPairSums` is given, P_u is stored there.
 * `excluded` ≥ 0 masks that coder's values out (interval, ordinal and ratio only; nominal drop-one
 * has its own pass): the sums are then those of the data without that coder, term for term.
 */
function levelSums(prepared: PreparedReliability, weights: UnitWeights, unitPairSums: Float64Array | null, excluded = -1): LevelSums {
  switch (prepared.level) {
    case 'nominal':
      if (excluded >= 0) throw new Error('levelSums: nominal sums take no excluded coder');
      return nominalSums(prepared, weights, unitPairSums);
    case 'interval':
      return intervalSums(prepared, prepared.data.values, null, weights, unitPairSums, excluded);
    case 'ordinal':
      return intervalSums(prepared, midRanks(prepared, weights, excluded), prepared.codes, weights, unitPairSums, excluded);
    case 'ratio':
      return ratioSums(prepared, weights, unitPairSums, excluded);
  }
}

/** Values of positions [start, end) not given by `excluded` (all of them when excluded is −1). */
function keptCount(coders: Int32Array, start: number, end: number, excluded: number): number {
  if (excluded < 0) return end - start;
  let m = 0;
  for (let i = start; i < end; i++) if (coders[i] !== excluded) m += 1;
  return m;
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
  excluded: number,
): LevelSums {
  const { unitOffsets, coders } = prepared.data;
  const pairable = prepared.pairableUnits;
  // No coder masked out: the loops skip the coder test (loop-invariant, so it costs next to nothing).
  const all = excluded < 0;
  let observed = 0;
  let n = 0;
  let weightedSum = 0;
  for (let p = 0; p < pairable.length; p++) {
    const u = pairable[p]!;
    const weight = weights === null ? 1 : weights[u]!;
    if (weight === 0) continue;
    const start = unitOffsets[u]!;
    const end = unitOffsets[u + 1]!;
    const m = keptCount(coders, start, end, excluded);
    if (m < 2) continue;
    let sum = 0;
    for (let i = start; i < end; i++) if (all || coders[i] !== excluded) sum += coordinates[codes === null ? i : codes[i]!]!;
    const mean = sum / m;
    let squares = 0;
    for (let i = start; i < end; i++) if (all || coders[i] !== excluded) squares += (coordinates[codes === null ? i : codes[i]!]! - mean) ** 2;
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
    const start = unitOffsets[u]!;
    const end = unitOffsets[u + 1]!;
    if (excluded >= 0 && keptCount(coders, start, end, excluded) < 2) continue;
    let squares = 0;
    for (let i = start; i < end; i++) {
      if (!all && coders[i] === excluded) continue;
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
function midRanks(prepared: PreparedReliability, weights: UnitWeights, excluded: number): Float64Array {
  const counts = weightedCodeCounts(prepared, weights, excluded);
  const ranks = new Float64Array(counts.length);
  let below = 0;
  for (let g = 0; g < counts.length; g++) {
    ranks[g] = below + counts[g]! / 2;
    below += counts[g]!;
  }
  return ranks;
}

function weightedCodeCounts(prepared: PreparedReliability, weights: UnitWeights, excluded: number): Float64Array {
  const { unitOffsets, coders } = prepared.data;
  const all = excluded < 0;
  const pairable = prepared.pairableUnits;
  const { codes } = prepared;
  const counts = new Float64Array(prepared.codeCount);
  for (let p = 0; p < pairable.length; p++) {
    const u = pairable[p]!;
    const weight = weights === null ? 1 : weights[u]!;
    const start = unitOffsets[u]!;
    const end = unitOffsets[u + 1]!;
    if (excluded >= 0 && keptCount(coders, start, end, excluded) < 2) continue;
    for (let i = start; i < end; i++) if (all || coders[i] !== excluded) counts[codes[i]!]! += weight;
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
function ratioSums(prepared: PreparedReliability, weights: UnitWeights, unitPairSums: Float64Array | null, excluded: number): LevelSums {
  const { unitOffsets, values, coders } = prepared.data;
  const pairable = prepared.pairableUnits;
  const all = excluded < 0;
  let observed = 0;
  for (let p = 0; p < pairable.length; p++) {
    const u = pairable[p]!;
    const weight = weights === null ? 1 : weights[u]!;
    if (weight === 0) continue;
    const start = unitOffsets[u]!;
    const end = unitOffsets[u + 1]!;
    const m = keptCount(coders, start, end, excluded);
    if (m < 2) continue;
    let pairSum = 0;
    for (let i = start; i < end; i++) {
      if (!all && coders[i] === excluded) continue;
      for (let j = i + 1; j < end; j++) if (all || coders[j] !== excluded) pairSum += 2 * ratioDistance(values[i]!, values[j]!);
    }
    if (unitPairSums !== null) unitPairSums[u] = pairSum;
    observed += (weight * pairSum) / (m - 1);
  }

  const counts = weightedCodeCounts(prepared, weights, excluded);
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
