import { prepareReliability, type PreparedReliability } from './alpha';
import { seedState } from './random';
import { AgreementInputError, type Level, type ReliabilityData } from './types';

/**
 * The alphas of resamples `from` .. `to − 1` of a bootstrap (see bootstrapResampleAlphas), NaN
 * where undefined. A caller may compute ranges of them elsewhere (worker threads) and put them
 * together: every resample has a generator of its own, so the split does not change them.
 */
export type ResampleAlphas = (data: ReliabilityData, level: Level, seed: number, samples: number) => Float64Array;

export interface BootstrapOptions {
  samples: number;
  seed: number;
  /** Smallest acceptable alpha; default 0.667 (Krippendorff's lowest bound for tentative conclusions). */
  alphaMin?: number;
  /** Coverage of the percentile interval, in (0, 1); default 0.95. */
  confidence?: number;
  /**
   * Computes the `samples` resample alphas (all of them, in resample order); default
   * bootstrapResampleAlphas(data, level, seed, 0, samples) in this thread.
   */
  resampleAlphas?: ResampleAlphas;
}

export interface BootstrapResult {
  /** Percentile interval of the defined resample alphas; null when no resample alpha is defined. */
  lower: number | null;
  upper: number | null;
  confidence: number;
  samples: number;
  seed: number;
  alphaMin: number;
  /** Share of the defined resample alphas below alphaMin; null when none is defined. */
  probabilityBelowMin: number | null;
  /** Resamples whose alpha is undefined (e.g. no variation); left out of the interval and the share. */
  undefinedSamples: number;
}

/**
 * Bootstrap of Krippendorff's alpha (DESIGN.md section 3): each resample draws as many pairable units
 * as there are, with replacement, from a seeded generator of its own (resampleSeed: seed and
 * resample index); alpha of the resample is alpha with the draw counts as unit weights. Same data,
 * level and options → identical result, however the resamples are spread over threads.
 *
 * A resample costs O(pairable units) plus O(categories) (see resampledAlpha), not a pass over the
 * values: about 2–3 ms for 200,000 units of 4–5 values.
 */
export function bootstrapAlpha(data: ReliabilityData, level: Level, options: BootstrapOptions): BootstrapResult {
  const { samples, seed, alphaMin = 0.667, confidence = 0.95 } = options;
  if (!Number.isInteger(samples) || samples < 1) {
    throw new AgreementInputError(`samples must be an integer ≥ 1, got ${samples}`);
  }
  if (!(confidence > 0 && confidence < 1)) {
    throw new AgreementInputError(`confidence must be in (0, 1), got ${confidence}`);
  }
  if (!Number.isFinite(alphaMin)) throw new AgreementInputError(`alphaMin must be a finite number, got ${alphaMin}`);
  seedState(seed); // checks the seed before any resample (or thread) starts
  const alphas = options.resampleAlphas?.(data, level, seed, samples) ?? bootstrapResampleAlphas(data, level, seed, 0, samples);
  if (alphas.length !== samples) throw new Error(`expected ${samples} resample alphas, got ${alphas.length}`);

  const definedAlphas = new Float64Array(samples);
  let defined = 0;
  for (const alpha of alphas) if (!Number.isNaN(alpha)) definedAlphas[defined++] = alpha;
  const result = { confidence, samples, seed, alphaMin, undefinedSamples: samples - defined };
  if (defined === 0) return { ...result, lower: null, upper: null, probabilityBelowMin: null };
  const sorted = definedAlphas.subarray(0, defined).sort();
  let below = 0;
  for (const alpha of sorted) if (alpha < alphaMin) below += 1;
  return {
    ...result,
    lower: quantileType7(sorted, (1 - confidence) / 2),
    upper: quantileType7(sorted, (1 + confidence) / 2),
    probabilityBelowMin: below / defined,
  };
}

/**
 * The alphas of resamples `from` .. `to − 1` (0 ≤ from ≤ to) of bootstrapAlpha with this seed, NaN
 * where a resample's alpha is undefined. Resample r depends only on (data, level, seed, r), so any
 * split of 0 .. samples − 1 into ranges, computed anywhere, gives the same alphas.
 */
export function bootstrapResampleAlphas(data: ReliabilityData, level: Level, seed: number, from: number, to: number): Float64Array {
  if (!(Number.isInteger(from) && Number.isInteger(to) && from >= 0 && to >= from)) {
    throw new AgreementInputError(`resample range must be integers 0 ≤ from ≤ to, got ${from}..${to}`);
  }
  const prepared = prepareReliability(data, level);
  const alphaOfDraws = resampledAlpha(prepared);
  const draws = new Int32Array(prepared.pairableUnits.length);
  const alphas = new Float64Array(to - from);
  for (let r = from; r < to; r++) {
    draws.fill(0);
    new UnitSampler(resampleSeed(seed, r)).drawInto(draws);
    alphas[r - from] = alphaOfDraws(draws) ?? Number.NaN;
  }
  return alphas;
}

/**
 * The seed of resample r's generator: createRandom(resampleSeed(seed, r)) starts from the hash of
 * the counter values seed + (4r + 1 .. 4r + 4) · 0x9e3779b9 (random.ts seedState), so resample 0
 * draws what createRandom(seed) draws and no two resamples of a seed share a starting state (the
 * step is odd: 4r + j differ mod 2³² for fewer than 2³⁰ resamples).
 */
export function resampleSeed(seed: number, resample: number): number {
  return ((seed | 0) + Math.imul(4 * resample, 0x9e3779b9)) | 0;
}

/**
 * The p-quantile (0 ≤ p ≤ 1) of a non-empty ascending sample by Hyndman–Fan type 7 (the default of
 * R and NumPy): position h = (N − 1) p, linear interpolation between its neighbours.
 */
export function quantileType7(sorted: ArrayLike<number>, p: number): number {
  const h = (sorted.length - 1) * p;
  const below = Math.floor(h);
  const lowerValue = sorted[below]!;
  const upperValue = sorted[Math.min(below + 1, sorted.length - 1)]!;
  return lowerValue + (h - below) * (upperValue - lowerValue);
}

const TWO_TO_32 = 4294967296;
const TWO_TO_31 = 2147483648;
/** -2³¹ as an int32: xor flips a word's sign bit. */
const SIGN_BIT = -2147483648;

/**
 * The draws of `randomInt(createRandom(seed), n)` (random.ts): the same numbers in the same order,
 * a whole resample at a time. createRandom keeps the xoshiro128** state in closure variables, where
 * V8 holds 32-bit words as boxed numbers (beyond its small integers), allocating on every step; here
 * the state lives in locals during a batch, about ten times faster. The seeding is random.ts's
 * seedState and the generator step is xoshiro128StarStar's, word for word (bootstrap.spec.ts checks the streams against each other).
 */
export class UnitSampler {
  private readonly state = new Int32Array(4);

  constructor(seed: number) {
    this.state.set(seedState(seed));
  }

  /**
   * counts.length draws of randomInt(random, counts.length), each adding 1 to counts[draw]. As in
   * randomInt, draws from the incomplete last block of 2³² mod n values are rejected.
   */
  drawInto(counts: Int32Array): void {
    if (counts.length > 0) drawBatch(this.state, counts);
  }
}

/**
 * UnitSampler.drawInto: draws into counts from the state and stores the new state. The state is
 * stored once, after the loop: storing it on every draw (as the note before observedSum suggests
 * for results) doubled the cost of a draw. The stores deoptimize the on-stack-replaced code of the
 * first call or two (no type feedback yet); from then on V8 runs the function's regular optimized
 * code, which has it (`--trace-deopt`: two bailouts in a 1000-resample bootstrap, none after).
 */
function drawBatch(state: Int32Array, counts: Int32Array): void {
  const n = counts.length;
  // randomInt's rejection test `draw >= limit`, i.e. draw > limit − 1 (≤ 2³² − 1, so an int32 with
  // its sign bit flipped, even when n divides 2³² and nothing is rejected), done on signed words: with
  // both sides' sign bits flipped, the signed order is the unsigned one (no conversion to a double).
  const signedLast = (TWO_TO_32 - (TWO_TO_32 % n) - 1 - TWO_TO_31) | 0;
  let s0 = state[0]!;
  let s1 = state[1]!;
  let s2 = state[2]!;
  let s3 = state[3]!;
  for (let k = 0; k < n; k++) {
    let flipped: number;
    do {
      const times5 = (s1 + (s1 << 2)) | 0;
      const rotated = (times5 << 7) | (times5 >>> 25);
      const result = (rotated + (rotated << 3)) | 0;
      const shifted = s1 << 9;
      s2 ^= s0;
      s3 ^= s1;
      s1 ^= s2;
      s0 ^= s3;
      s2 ^= shifted;
      s3 = (s3 << 11) | (s3 >>> 21);
      flipped = result ^ SIGN_BIT;
    } while (flipped > signedLast);
    // randomInt's (random() · 2³²) >>> 0 is result >>> 0: random() is that over 2³², exactly.
    const draw = (flipped ^ SIGN_BIT) >>> 0;
    // draw % n without a floating-point remainder (a call for draws ≥ 2³¹). The quotient draw / n is
    // never rounded up to the next integer: its distance to it is ≥ 1/n, more than half an ulp.
    counts[draw - ((draw / n) >>> 0) * n]! += 1;
  }
  state[0] = s0;
  state[1] = s1;
  state[2] = s2;
  state[3] = s3;
}

/** Alpha of one resample from its draw counts, or null when alpha is undefined. */
export type ResampledAlpha = (draws: Int32Array) => number | null;

/**
 * Alpha of resamples of prepared data: `draws[p]` (length = pairable units) is how often the
 * pairable unit `prepared.pairableUnits[p]` was drawn. The result is
 * `alphaOfPrepared(prepared, weights).alpha.value` with weights[pairableUnits[p]] = draws[p] (0 for
 * the other units), computed from sufficient statistics prepared once:
 *
 * - nominal and ratio: bit for bit. The observed sum adds the same per-unit terms in the same order
 *   (P_u does not depend on the weights: precomputed); the category counts n_c are integers, summed
 *   over the distinct code multisets drawn instead of value by value. Ratio's expected sum stays
 *   O(V²) over the distinct values that occur, as in alpha.ts.
 * - interval: observed sum, n, the weighted mean μ and "no variation" bit for bit; the expected sum
 *   Σ_u w_u Σ_i (x_i − μ)² from each unit's centred sums, Σ (x − x̄)² + 2 (x̄ − μ) Σ (x − x̄) + m (x̄ − μ)²,
 *   so its rounding differs (a few ulps; the tests hold it to 1e-12 of alpha).
 * - ordinal: the counts n_c, mid-ranks, μ (its numerator Σ n_c r_c is exact, as alpha.ts's is, while
 *   n² < 2⁵³) and "no variation" bit for bit; each code multiset's P = 2 m Σ (r − r̄)² per resample and
 *   the expected sum 2 n Σ_c n_c (r_c − μ)² over the V codes, so the rounding differs as for interval.
 *
 * Per resample: O(pairable units) plus O(code multisets drawn + C), ratio O(V²) for its expected sum;
 * never a pass over the values.
 */
export function resampledAlpha(prepared: PreparedReliability): ResampledAlpha {
  if (prepared.pairableUnits.length === 0) return () => null;
  switch (prepared.level) {
    case 'nominal':
      return nominalResampler(prepared);
    case 'interval':
      return intervalResampler(prepared);
    case 'ordinal':
      return ordinalResampler(prepared);
    case 'ratio':
      return ratioResampler(prepared);
  }
}

/**
 * The pairable units grouped by their multiset of codes: units with equal code counts share a
 * pattern, listed once as (code, count) entries, codes ascending.
 */
interface CodePatterns {
  /** Pattern of each pairable unit, by its position in pairableUnits. */
  readonly patternOf: Int32Array;
  readonly count: number;
  /** Values per pattern (m). */
  readonly sizes: Float64Array;
  /** Entries of pattern s: entryOffsets[s] .. entryOffsets[s + 1] − 1. */
  readonly entryOffsets: Int32Array;
  readonly entryCodes: Int32Array;
  readonly entryCounts: Float64Array;
}

/** Units up to this many values sort their codes by insertion; larger ones call the typed-array sort. */
const INSERTION_SORT_LIMIT = 32;

/** Groups the pairable units by code multiset (see CodePatterns): a hash table over the sorted codes, O(N) expected. */
function codePatterns(prepared: PreparedReliability): CodePatterns {
  const { unitOffsets } = prepared.data;
  const { codes } = prepared;
  const pairable = prepared.pairableUnits;
  const unitCount = pairable.length;
  let largest = 0;
  for (let p = 0; p < unitCount; p++) {
    const m = unitOffsets[pairable[p]! + 1]! - unitOffsets[pairable[p]!]!;
    if (m > largest) largest = m;
  }
  let capacity = 16;
  while (capacity < 2 * unitCount) capacity *= 2;
  const mask = capacity - 1;
  const table = new Int32Array(capacity).fill(-1);
  const patternOf = new Int32Array(unitCount);
  // Growing lists of the patterns found so far: sizes and (code, count) entries.
  const sizes = new Float64Array(unitCount);
  const entryOffsets = new Int32Array(unitCount + 1);
  let entryCodes = new Int32Array(unitCount);
  let entryCounts = new Float64Array(unitCount);
  const sorted = new Int32Array(largest);
  let count = 0;
  for (let p = 0; p < unitCount; p++) {
    const start = unitOffsets[pairable[p]!]!;
    const m = unitOffsets[pairable[p]! + 1]! - start;
    for (let j = 0; j < m; j++) sorted[j] = codes[start + j]!;
    if (m > INSERTION_SORT_LIMIT) sorted.subarray(0, m).sort();
    else {
      for (let j = 1; j < m; j++) {
        const code = sorted[j]!;
        let i = j - 1;
        while (i >= 0 && sorted[i]! > code) {
          sorted[i + 1] = sorted[i]!;
          i -= 1;
        }
        sorted[i + 1] = code;
      }
    }
    // Run-length (code, count) pairs are compared through a hash of the sorted codes.
    let hash = m;
    for (let j = 0; j < m; j++) hash = (hash * 31 + sorted[j]!) | 0; // below 2⁵³ before `| 0`: exact mod 2³²
    hash ^= hash << 13;
    hash ^= hash >>> 17;
    hash ^= hash << 5;
    let slot = hash & mask;
    for (;;) {
      const pattern = table[slot]!;
      if (pattern < 0) {
        table[slot] = count;
        let entry = entryOffsets[count]!;
        if (entry + m > entryCodes.length) {
          const grown = Math.max(2 * entryCodes.length, entry + m);
          entryCodes = copyInto(entryCodes, new Int32Array(grown));
          entryCounts = copyInto(entryCounts, new Float64Array(grown));
        }
        for (let j = 0; j < m; j++) {
          if (j > 0 && sorted[j] === sorted[j - 1]) entryCounts[entry - 1]! += 1;
          else {
            entryCodes[entry] = sorted[j]!;
            entryCounts[entry++] = 1;
          }
        }
        entryOffsets[count + 1] = entry;
        sizes[count] = m;
        patternOf[p] = count++;
        break;
      }
      if (sizes[pattern] === m && sameMultiset(sorted, entryCodes, entryCounts, entryOffsets[pattern]!, entryOffsets[pattern + 1]!)) {
        patternOf[p] = pattern;
        break;
      }
      slot = (slot + 1) & mask;
    }
  }
  const entries = entryOffsets[count]!;
  return {
    patternOf,
    count,
    sizes: sizes.slice(0, count),
    entryOffsets: entryOffsets.slice(0, count + 1),
    entryCodes: entryCodes.slice(0, entries),
    entryCounts: entryCounts.slice(0, entries),
  };
}

function copyInto<T extends Int32Array | Float64Array>(source: T, target: T): T {
  target.set(source);
  return target;
}

/** Whether the sorted codes (as many as the pattern has values) are the pattern's entries from..to − 1. */
function sameMultiset(sorted: Int32Array, entryCodes: Int32Array, entryCounts: Float64Array, from: number, to: number): boolean {
  let j = 0;
  for (let entry = from; entry < to; entry++) {
    const code = entryCodes[entry]!;
    for (let k = 0; k < entryCounts[entry]!; k++) if (sorted[j++] !== code) return false;
  }
  return true;
}

/*
 * Hot loops live in small leaf functions with nothing after the loop but `return` (results beyond one
 * are stored on every step), and without branches that hold operations some data never reaches.
 * V8 compiles a long loop while it first runs (on-stack replacement); an operation that has not run
 * by then has no type feedback and deoptimizes when reached, and the cached OSR code does so again on
 * every later call, leaving most of the work to the interpreter (several times slower).
 */

/**
 * Σ_p draws[p] · P[p] / (m[p] − 1) over the units in order (alpha.ts's observed sum), and draws[p]
 * added to weights[patternOf[p]]. A unit drawn 0 times adds 0 to the sum, which changes nothing, so
 * the loop needs no branch.
 */
function observedSum(draws: Int32Array, sizes: Int32Array, pairSums: Float64Array, patternOf: Int32Array, weights: Float64Array): number {
  let observed = 0;
  for (let p = 0; p < draws.length; p++) {
    const weight = draws[p]!;
    observed += (weight * pairSums[p]!) / (sizes[p]! - 1);
    weights[patternOf[p]!]! += weight;
  }
  return observed;
}

/** draws[p] added to weights[patternOf[p]]. */
function addPatternWeights(draws: Int32Array, patternOf: Int32Array, weights: Float64Array): void {
  for (let p = 0; p < draws.length; p++) weights[patternOf[p]!]! += draws[p]!;
}

/**
 * Adds W_s · (count of code c in s) to totals[c] for every pattern s with weight W_s > 0 and returns
 * n = Σ_s W_s m_s. Integer counts: exact in any order.
 */
function addPatternCounts(patterns: CodePatterns, weights: Float64Array, totals: Float64Array): number {
  const { entryOffsets, entryCodes, entryCounts, sizes } = patterns;
  let n = 0;
  for (let s = 0; s < patterns.count; s++) {
    const weight = weights[s]!;
    if (weight === 0) continue;
    n += weight * sizes[s]!;
    for (let entry = entryOffsets[s]!; entry < entryOffsets[s + 1]!; entry++) totals[entryCodes[entry]!]! += weight * entryCounts[entry]!;
  }
  return n;
}

/** How many of the counts are positive. */
function positiveCount(counts: Float64Array): number {
  let positive = 0;
  for (let c = 0; c < counts.length; c++) positive += counts[c]! > 0 ? 1 : 0;
  return positive;
}

/** Σ_c totals[c]² in order, resetting the totals to 0. */
function sumOfSquaresAndClear(totals: Float64Array): number {
  let squares = 0;
  for (let c = 0; c < totals.length; c++) {
    squares += totals[c]! * totals[c]!;
    totals[c] = 0;
  }
  return squares;
}

/**
 * Nominal (alpha.ts nominalSums): observed = Σ_u w_u P_u / (m_u − 1), with P_u = m_u² − Σ_c m_uc²
 * computed once, in unit order; expected = n² − Σ_c n_c². All counts are integers (exact in any order).
 */
function nominalResampler(prepared: PreparedReliability): ResampledAlpha {
  const patterns = codePatterns(prepared);
  const { patternOf, entryOffsets, entryCounts } = patterns;
  // Per unit (read in order: faster than through the pattern): m and P.
  const unitCount = patternOf.length;
  const sizes = new Int32Array(unitCount);
  const pairSums = new Float64Array(unitCount);
  for (let p = 0; p < unitCount; p++) {
    const s = patternOf[p]!;
    let sumOfSquares = 0;
    for (let entry = entryOffsets[s]!; entry < entryOffsets[s + 1]!; entry++) sumOfSquares += entryCounts[entry]! * entryCounts[entry]!;
    const m = patterns.sizes[s]!;
    sizes[p] = m;
    pairSums[p] = m * m - sumOfSquares;
  }
  const patternWeights = new Float64Array(patterns.count);
  const totals = new Float64Array(prepared.codeCount);

  return (draws) => {
    const observed = observedSum(draws, sizes, pairSums, patternOf, patternWeights);
    const n = addPatternCounts(patterns, patternWeights, totals);
    patternWeights.fill(0);
    const occurring = positiveCount(totals);
    const totalSquares = sumOfSquaresAndClear(totals);
    if (n <= 1 || occurring < 2) return null;
    return 1 - ((n - 1) * observed) / (n * n - totalSquares);
  };
}

/**
 * Interval (alpha.ts intervalSums), per pairable unit: m, Σx, x̄ = Σx / m, S = Σ (x − x̄)² and
 * P = 2 m S as alpha.ts computes them, and the residual R = Σ (x − x̄) (x̄ is rounded). Per resample:
 * observed, n and Σ w Σx in one pass in unit order (as alpha.ts adds them); μ; then
 * Σ_u w_u (S + d (2R + m d)) with d = x̄ − μ, which is Σ (x − μ)² by x − μ = (x − x̄) + d.
 */
function intervalResampler(prepared: PreparedReliability): ResampledAlpha {
  const { unitOffsets, values } = prepared.data;
  const pairable = prepared.pairableUnits;
  const unitCount = pairable.length;
  const sizes = new Int32Array(unitCount);
  const sums = new Float64Array(unitCount);
  const means = new Float64Array(unitCount);
  const squares = new Float64Array(unitCount);
  const residuals = new Float64Array(unitCount);
  const pairSums = new Float64Array(unitCount);
  // Units whose values are not all equal, and each unit's first value (see drawnValuesDiffer).
  const varyingUnits: number[] = [];
  const firstValues = new Float64Array(unitCount);
  for (let p = 0; p < unitCount; p++) {
    const start = unitOffsets[pairable[p]!]!;
    const end = unitOffsets[pairable[p]! + 1]!;
    const m = end - start;
    let sum = 0;
    for (let i = start; i < end; i++) sum += values[i]!;
    const mean = sum / m;
    let unitSquares = 0;
    let residual = 0;
    let varies = false;
    for (let i = start; i < end; i++) {
      unitSquares += (values[i]! - mean) ** 2;
      residual += values[i]! - mean;
      if (values[i] !== values[start]) varies = true;
    }
    sizes[p] = m;
    sums[p] = sum;
    means[p] = mean;
    squares[p] = unitSquares;
    residuals[p] = residual;
    pairSums[p] = 2 * m * unitSquares;
    firstValues[p] = values[start]!;
    if (varies) varyingUnits.push(p);
  }
  const varying = Int32Array.from(varyingUnits);
  const out = new Float64Array(3);

  return (draws) => {
    intervalFirstPass(draws, sizes, pairSums, sums, out);
    const observed = out[0]!;
    const n = out[1]!;
    if (n <= 1 || !drawnValuesDiffer(draws, varying, firstValues)) return null;
    const spread = intervalSpread(draws, sizes, means, squares, residuals, out[2]! / n);
    return 1 - ((n - 1) * observed) / (2 * n * spread);
  };
}

/**
 * out = [Σ w P / (m − 1), Σ w m, Σ w Σx] over the units in order, stored on every step (see the note
 * before observedSum). Weight 0 adds 0 (or −0, for a negative Σx) to each sum, which changes none of
 * them, so the loop needs no branch.
 */
function intervalFirstPass(draws: Int32Array, sizes: Int32Array, pairSums: Float64Array, sums: Float64Array, out: Float64Array): void {
  let observed = 0;
  let n = 0;
  let weightedSum = 0;
  for (let p = 0; p < draws.length; p++) {
    const weight = draws[p]!;
    const m = sizes[p]!;
    observed += (weight * pairSums[p]!) / (m - 1);
    n += weight * m;
    weightedSum += weight * sums[p]!;
    out[0] = observed;
    out[1] = n;
    out[2] = weightedSum;
  }
}

/** Σ_u w_u Σ_i (x_i − μ)² from the units' centred sums (see intervalResampler). */
function intervalSpread(draws: Int32Array, sizes: Int32Array, means: Float64Array, squares: Float64Array, residuals: Float64Array, mean: number): number {
  let spread = 0;
  for (let p = 0; p < draws.length; p++) {
    const d = means[p]! - mean;
    spread += draws[p]! * (squares[p]! + d * (2 * residuals[p]! + sizes[p]! * d));
  }
  return spread;
}

/**
 * Whether the drawn values are not all equal (alpha.ts: lowest < highest over them): some drawn unit
 * varies within itself (usually found after a few entries of `varying`), or two drawn units hold
 * different values (each unit constant, given by its first value).
 */
function drawnValuesDiffer(draws: Int32Array, varying: Int32Array, firstValues: Float64Array): boolean {
  for (let k = 0; k < varying.length; k++) if (draws[varying[k]!] !== 0) return true;
  let first = -1;
  for (let p = 0; p < draws.length; p++) {
    if (draws[p] === 0) continue;
    if (first < 0) first = p;
    else if (firstValues[p] !== firstValues[first]) return true;
  }
  return false;
}

/**
 * Ordinal (alpha.ts midRanks + intervalSums on the mid-ranks): per resample the pattern weights, the
 * counts n_c and mid-ranks (multiples of 1/2: exact), μ = Σ_c n_c r_c / n (exact numerator, as in
 * alpha.ts), each drawn multiset's P = 2 m Σ (r − r̄)², and the expected sum 2 n Σ_c n_c (r_c − μ)².
 */
function ordinalResampler(prepared: PreparedReliability): ResampledAlpha {
  const patterns = codePatterns(prepared);
  const patternWeights = new Float64Array(patterns.count);
  const counts = new Float64Array(prepared.codeCount);
  const ranks = new Float64Array(prepared.codeCount);

  return (draws) => {
    addPatternWeights(draws, patterns.patternOf, patternWeights);
    const n = addPatternCounts(patterns, patternWeights, counts);
    const occurring = positiveCount(counts);
    const weightedSum = midRanks(counts, ranks);
    const observed = ordinalObservedSum(patterns, patternWeights, ranks);
    const spread = spreadAndClear(counts, ranks, weightedSum / n);
    if (n <= 1 || occurring < 2) return null;
    return 1 - ((n - 1) * observed) / (2 * n * spread);
  };
}

/** ranks[g] = Σ_{h<g} counts[h] + counts[g] / 2 (alpha.ts midRanks); returns Σ_g counts[g] · ranks[g]. */
function midRanks(counts: Float64Array, ranks: Float64Array): number {
  let below = 0;
  let weightedSum = 0;
  for (let g = 0; g < counts.length; g++) {
    ranks[g] = below + counts[g]! / 2;
    below += counts[g]!;
    weightedSum += counts[g]! * ranks[g]!;
  }
  return weightedSum;
}

/** Σ_s W_s · 2 m Σ (r − r̄)² / (m − 1) over the patterns with W_s > 0, resetting the weights to 0. */
function ordinalObservedSum(patterns: CodePatterns, weights: Float64Array, ranks: Float64Array): number {
  const { entryOffsets, entryCodes, entryCounts, sizes } = patterns;
  let observed = 0;
  for (let s = 0; s < patterns.count; s++) {
    const weight = weights[s]!;
    if (weight === 0) continue;
    weights[s] = 0;
    const m = sizes[s]!;
    let sum = 0;
    for (let entry = entryOffsets[s]!; entry < entryOffsets[s + 1]!; entry++) sum += entryCounts[entry]! * ranks[entryCodes[entry]!]!;
    const unitMean = sum / m;
    let squares = 0;
    for (let entry = entryOffsets[s]!; entry < entryOffsets[s + 1]!; entry++) {
      squares += entryCounts[entry]! * (ranks[entryCodes[entry]!]! - unitMean) ** 2;
    }
    observed += (weight * 2 * m * squares) / (m - 1);
  }
  return observed;
}

/** Σ_c counts[c] (ranks[c] − mean)², resetting the counts to 0. */
function spreadAndClear(counts: Float64Array, ranks: Float64Array, mean: number): number {
  let spread = 0;
  for (let c = 0; c < counts.length; c++) {
    spread += counts[c]! * (ranks[c]! - mean) ** 2;
    counts[c] = 0;
  }
  return spread;
}

/** ((c − k)/(c + k))², with 0/0 (both values 0, hence identical) defined as 0 (as in alpha.ts). */
function ratioDistance(c: number, k: number): number {
  const sum = c + k;
  return sum === 0 ? 0 : ((c - k) / sum) ** 2;
}

/**
 * Ratio (alpha.ts ratioSums): each unit's P = Σ_{i≠j} δ² is fixed (computed once, as alpha.ts does),
 * and the observed sum adds the terms in unit order; per resample the counts n_c from the drawn
 * multisets and the O(V²) expected sum over the values that occur, as in alpha.ts.
 */
function ratioResampler(prepared: PreparedReliability): ResampledAlpha {
  const { unitOffsets, values } = prepared.data;
  const pairable = prepared.pairableUnits;
  const { distinctValues } = prepared;
  const patterns = codePatterns(prepared);
  const { patternOf } = patterns;
  const unitCount = pairable.length;
  const sizes = new Int32Array(unitCount);
  const pairSums = new Float64Array(unitCount);
  for (let p = 0; p < unitCount; p++) {
    const start = unitOffsets[pairable[p]!]!;
    const end = unitOffsets[pairable[p]! + 1]!;
    let pairSum = 0;
    for (let i = start; i < end; i++) {
      for (let j = i + 1; j < end; j++) pairSum += 2 * ratioDistance(values[i]!, values[j]!);
    }
    sizes[p] = end - start;
    pairSums[p] = pairSum;
  }
  const patternWeights = new Float64Array(patterns.count);
  const counts = new Float64Array(prepared.codeCount);
  const occurring = new Int32Array(prepared.codeCount);

  return (draws) => {
    const observed = observedSum(draws, sizes, pairSums, patternOf, patternWeights);
    const n = addPatternCounts(patterns, patternWeights, counts);
    patternWeights.fill(0);
    const size = listPositive(counts, occurring);
    const expected = ratioExpectedSum(counts, occurring, size, distinctValues);
    clearListed(counts, occurring, size);
    if (n <= 1 || size < 2) return null;
    return 1 - ((n - 1) * observed) / expected;
  };
}

/** The indexes of the positive counts, ascending, into `list`; returns how many. */
function listPositive(counts: Float64Array, list: Int32Array): number {
  let size = 0;
  for (let c = 0; c < counts.length; c++) {
    list[size] = c;
    size += counts[c]! > 0 ? 1 : 0;
  }
  return size;
}

/** Σ_{x<y} 2 n_c n_k δ²(c, k) over the listed codes c = list[x], k = list[y] (alpha.ts ratioSums). */
function ratioExpectedSum(counts: Float64Array, list: Int32Array, size: number, distinctValues: Float64Array): number {
  let expected = 0;
  for (let x = 0; x < size; x++) {
    const c = list[x]!;
    for (let y = x + 1; y < size; y++) {
      const k = list[y]!;
      expected += 2 * counts[c]! * counts[k]! * ratioDistance(distinctValues[c]!, distinctValues[k]!);
    }
  }
  return expected;
}

function clearListed(counts: Float64Array, list: Int32Array, size: number): void {
  for (let x = 0; x < size; x++) counts[list[x]!] = 0;
}
