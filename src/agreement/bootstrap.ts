import { alphaOfPrepared, prepareReliability } from './alpha';
import { createRandom, randomInt } from './random';
import { unitCountOf } from './reliability';
import { AgreementInputError, type Level, type ReliabilityData } from './types';

export interface BootstrapOptions {
  samples: number;
  seed: number;
  /** Smallest acceptable alpha; default 0.667 (Krippendorff's lowest bound for tentative conclusions). */
  alphaMin?: number;
  /** Coverage of the percentile interval, in (0, 1); default 0.95. */
  confidence?: number;
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
 * as there are, with replacement, from a seeded generator, and passes the draw counts to alpha as
 * unit weights (no data is copied). Same data, level and options → identical result.
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
  const random = createRandom(seed);
  const prepared = prepareReliability(data, level);
  const pairable = prepared.pairableUnits;

  const weights = new Float64Array(unitCountOf(data));
  const alphas = new Float64Array(samples);
  let defined = 0;
  for (let s = 0; s < samples; s++) {
    weights.fill(0);
    for (let k = 0; k < pairable.length; k++) weights[pairable[randomInt(random, pairable.length)]!]! += 1;
    const alpha = alphaOfPrepared(prepared, weights).alpha.value;
    if (alpha !== null) alphas[defined++] = alpha;
  }

  const result = { confidence, samples, seed, alphaMin, undefinedSamples: samples - defined };
  if (defined === 0) return { ...result, lower: null, upper: null, probabilityBelowMin: null };
  const sorted = alphas.subarray(0, defined).sort();
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
