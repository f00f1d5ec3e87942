import { alphaOfPrepared, krippendorffAlpha, prepareReliability } from './alpha';
import { bootstrapAlpha, bootstrapResampleAlphas, quantileType7, resampledAlpha, resampleSeed, UnitSampler } from './bootstrap';
import { createRandom, randomInt } from './random';
import { ReliabilityDataBuilder, reliabilityFromMatrix } from './reliability';
import { AgreementInputError, LEVELS, type Level, type ReliabilityData } from './types';

const _ = null;

/** 300 units, 3 coders, 4 categories; each coder gives the true category with probability 0.8. */
function synthetic(seed: number): ReliabilityData {
  const random = createRandom(seed);
  const builder = new ReliabilityDataBuilder(3);
  for (let u = 0; u < 300; u++) {
    const truth = randomInt(random, 4);
    for (let coder = 0; coder < 3; coder++) builder.add(u, coder, random() < 0.8 ? truth : randomInt(random, 4));
  }
  return builder.build();
}

describe('bootstrapAlpha', () => {
  const published = reliabilityFromMatrix([
    [1, 2, 3, 3, 2, 1, 4, 1, 2, _, _, _],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, _, 3],
    [_, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, _],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, _],
  ]);

  it.each(LEVELS)('is reproducible with a seed and changes with the seed (%s)', (level) => {
    const first = bootstrapAlpha(published, level, { samples: 300, seed: 11 });
    expect(bootstrapAlpha(published, level, { samples: 300, seed: 11 })).toEqual(first);
    const other = bootstrapAlpha(published, level, { samples: 300, seed: 12 });
    expect([other.lower, other.upper, other.probabilityBelowMin]).not.toEqual([
      first.lower,
      first.upper,
      first.probabilityBelowMin,
    ]);
    expect(first).toMatchObject({ samples: 300, seed: 11, alphaMin: 0.667, confidence: 0.95 });
  });

  it.each(LEVELS)('brackets the point estimate on a sizable sample (%s)', (level) => {
    const data = synthetic(5);
    const point = krippendorffAlpha(data, level).alpha.value!;
    const result = bootstrapAlpha(data, level, { samples: 400, seed: 3, confidence: 0.9 });
    expect(result.lower!).toBeLessThan(point);
    expect(result.upper!).toBeGreaterThan(point);
    expect(result.upper! - result.lower!).toBeLessThan(0.25);
    expect(result.undefinedSamples).toBe(0);
  });

  describe('on two pairable units {0, 0} and {0, 1} (nominal)', () => {
    // A resample draws two units with replacement:
    //   {0,0} twice (p = 1/4): all values 0 → alpha undefined;
    //   {0,1} twice (p = 1/4): n = 4, n_0 = n_1 = 2, observed 2 · 2 = 4, expected 16 − 8 = 8 → 1 − 3 · 4/8 = −0.5;
    //   one of each (p = 1/2): n = 4, n_0 = 3, n_1 = 1, observed 2, expected 16 − 10 = 6 → 1 − 3 · 2/6 = 0.
    // So about 1/4 of the samples are undefined and 1/3 of the defined ones are −0.5.
    const tiny = reliabilityFromMatrix([[0, 0], [0, 1]]);
    const samples = 4000;

    it('gives the share of defined alphas strictly below alphaMin', () => {
      const at = (alphaMin: number) => bootstrapAlpha(tiny, 'nominal', { samples, seed: 9, alphaMin });
      const result = at(0);
      const defined = samples - result.undefinedSamples;
      expect(result.undefinedSamples / samples).toBeCloseTo(1 / 4, 1);
      expect(result.probabilityBelowMin!).toBeCloseTo(1 / 3, 1);
      // A share of a count: a whole number of the defined samples.
      const below = result.probabilityBelowMin! * defined;
      expect(below).toBeCloseTo(Math.round(below), 9);
      expect(at(0.667).probabilityBelowMin).toBe(1);
      expect(at(-0.5).probabilityBelowMin).toBe(0);
      expect(at(-0.4).probabilityBelowMin).toBe(result.probabilityBelowMin);
    });

    it('takes percentiles over the defined alphas only', () => {
      // Defined values are −0.5 (about a third) and 0: the 2.5 % and 97.5 % points are exactly those.
      const result = bootstrapAlpha(tiny, 'nominal', { samples, seed: 9 });
      expect([result.lower, result.upper]).toEqual([-0.5, 0]);
    });
  });

  it('resamples only pairable units', () => {
    // One pairable unit {0, 1} (alpha: n = 2, observed 2, expected 4 − 2 = 2 → 1 − 1 · 2/2 = 0) and 50
    // single values: every resample is that unit once, so every alpha is 0 and none is undefined.
    const builder = new ReliabilityDataBuilder(2);
    builder.add(0, 0, 0);
    builder.add(0, 1, 1);
    for (let u = 1; u <= 50; u++) builder.add(u, u % 2, 1);
    const result = bootstrapAlpha(builder.build(), 'nominal', { samples: 200, seed: 1 });
    expect(result).toEqual({
      lower: 0,
      upper: 0,
      confidence: 0.95,
      samples: 200,
      seed: 1,
      alphaMin: 0.667,
      probabilityBelowMin: 1,
      undefinedSamples: 0,
    });
  });

  it('reports nulls when no resample has a defined alpha', () => {
    const result = bootstrapAlpha(reliabilityFromMatrix([[1, _], [_, 2]]), 'interval', { samples: 5, seed: 1 });
    expect(result).toMatchObject({ lower: null, upper: null, probabilityBelowMin: null, undefinedSamples: 5 });
  });

  it.each([
    [{ samples: 0, seed: 1 }],
    [{ samples: 2.5, seed: 1 }],
    [{ samples: Number.NaN, seed: 1 }],
    [{ samples: 10, seed: 1.5 }],
    [{ samples: 10, seed: 1, confidence: 1 }],
    [{ samples: 10, seed: 1, confidence: 0 }],
    [{ samples: 10, seed: 1, alphaMin: Number.NaN }],
  ])('rejects the options %p', (options) => {
    expect(() => bootstrapAlpha(published, 'nominal', options)).toThrow(AgreementInputError);
  });
});

describe('quantileType7', () => {
  it.each([
    // h = (4 − 1) p: p = 0.25 → h = 0.75 → 1 + 0.75 · (2 − 1) = 1.75; p = 0.5 → h = 1.5 → 2.5.
    [[1, 2, 3, 4], 0.25, 1.75],
    [[1, 2, 3, 4], 0.5, 2.5],
    [[1, 2, 3, 4], 0, 1],
    [[1, 2, 3, 4], 1, 4],
    // h = 0.975 · 9 = 8.775 → 8 + 0.775 · (10 − 8) = 9.55
    [[0, 1, 2, 3, 4, 5, 6, 7, 8, 10], 0.975, 9.55],
    [[7], 0.3, 7],
  ])('of %p at %p is %p', (sorted, p, expected) => {
    expect(quantileType7(sorted, p)).toBeCloseTo(expected, 12);
  });
});

/**
 * Random reliability data for `level`: units of 0–6 values from up to 6 coders, values drawn from a
 * small pool (ties, constant units) or, for interval and ratio, also spread out.
 */
function randomData(seed: number, level: Level, unitCount: number): ReliabilityData {
  const random = createRandom(seed);
  const builder = new ReliabilityDataBuilder(6);
  const spread = random() < 0.5;
  const pool = 2 + randomInt(random, 6);
  for (let u = 0; u < unitCount; u++) {
    const truth = randomInt(random, pool);
    for (let coder = 0; coder < 6; coder++) {
      if (random() < 0.35) continue;
      let value = random() < 0.6 ? truth : randomInt(random, pool);
      if (level === 'interval' && spread) value = (value - pool / 2) * 3.7 + random() * 1.3;
      if (level === 'ratio' && spread) value = value * 2.5 + random();
      builder.add(u, coder, value);
    }
  }
  return builder.build();
}

/** The bootstrap as it was before resampledAlpha: draw counts as unit weights of alphaOfPrepared. */
function referenceAlphas(data: ReliabilityData, level: Level, samples: number, seed: number): Array<number | null> {
  const prepared = prepareReliability(data, level);
  const pairable = prepared.pairableUnits;
  const weights = new Float64Array(data.unitOffsets.length - 1);
  const alphas: Array<number | null> = [];
  for (let s = 0; s < samples; s++) {
    const random = createRandom(resampleSeed(seed, s));
    weights.fill(0);
    for (let k = 0; k < pairable.length; k++) weights[pairable[randomInt(random, pairable.length)]!]! += 1;
    alphas.push(alphaOfPrepared(prepared, weights).alpha.value);
  }
  return alphas;
}

/** Nominal and ratio are bit-identical; interval and ordinal round the expected sum differently. */
function expectSameAlpha(actual: number | null, expected: number | null, level: Level): void {
  if (expected === null || actual === null || level === 'nominal' || level === 'ratio') {
    expect(actual).toBe(expected);
  } else {
    expect(Math.abs(actual - expected)).toBeLessThanOrEqual(1e-12);
  }
}

describe('UnitSampler', () => {
  it.each([
    [0, 1],
    [1, 2],
    [-1, 3],
    [11, 7],
    [2 ** 40 + 3, 1000],
    [-Number.MAX_SAFE_INTEGER, 4099],
    // 2³² mod 132100 = 132096: randomInt rejects 7 draws in this seed's first batch.
    [Number.MAX_SAFE_INTEGER, 132100],
  ])('draws what randomInt(createRandom(%p), n) draws (n = %p)', (seed, n) => {
    const sampler = new UnitSampler(seed);
    const random = createRandom(seed);
    for (let batch = 0; batch < (n > 10000 ? 1 : 3); batch++) {
      const counts = new Int32Array(n);
      sampler.drawInto(counts);
      const expected = new Int32Array(n);
      for (let k = 0; k < n; k++) expected[randomInt(random, n)]! += 1;
      expect(counts).toEqual(expected);
    }
  });

  it('rejects a seed that is not an integer', () => {
    expect(() => new UnitSampler(1.5)).toThrow(AgreementInputError);
  });
});

describe('resampledAlpha', () => {
  it.each(LEVELS)('equals alphaOfPrepared with the draw counts as unit weights (%s)', (level) => {
    const random = createRandom(404);
    for (let trial = 0; trial < 60; trial++) {
      const data = randomData(1000 + trial, level, 1 + randomInt(random, 40));
      const prepared = prepareReliability(data, level);
      const pairable = prepared.pairableUnits;
      const alphaOf = resampledAlpha(prepared);
      for (let draw = 0; draw < 8; draw++) {
        const draws = new Int32Array(pairable.length);
        // Sparse draws (most units 0 times), dense ones, and everything on one unit.
        const mode = randomInt(random, 3);
        const total = mode === 0 ? pairable.length : 3 * pairable.length;
        if (mode === 2 && pairable.length > 0) draws[randomInt(random, pairable.length)] = pairable.length;
        else for (let k = 0; k < total; k++) draws[randomInt(random, pairable.length)]! += 1;
        const weights = new Float64Array(data.unitOffsets.length - 1);
        for (let p = 0; p < pairable.length; p++) weights[pairable[p]!] = draws[p]!;
        expectSameAlpha(alphaOf(draws), alphaOfPrepared(prepared, weights).alpha.value, level);
      }
    }
  });

  it('handles large offsets and many coders per unit (interval, ordinal)', () => {
    const random = createRandom(8);
    const builder = new ReliabilityDataBuilder(40);
    for (let u = 0; u < 30; u++) {
      for (let coder = 0; coder < 40; coder++) if (random() < 0.9) builder.add(u, coder, 1e6 + randomInt(random, 5) * 0.001 + (u % 3));
    }
    const data = builder.build();
    for (const level of ['interval', 'ordinal'] as const) {
      const prepared = prepareReliability(data, level);
      const draws = new Int32Array(prepared.pairableUnits.length);
      for (let k = 0; k < draws.length; k++) draws[randomInt(random, draws.length)]! += 1;
      const weights = new Float64Array(30);
      for (let p = 0; p < draws.length; p++) weights[prepared.pairableUnits[p]!] = draws[p]!;
      expectSameAlpha(resampledAlpha(prepared)(draws), alphaOfPrepared(prepared, weights).alpha.value, level);
    }
  });

  it('gives null for data without pairable units', () => {
    const prepared = prepareReliability(reliabilityFromMatrix([[1, _], [_, 2]]), 'nominal');
    expect(resampledAlpha(prepared)(new Int32Array(0))).toBeNull();
  });
});

describe('bootstrapAlpha against the unit-weight bootstrap', () => {
  it.each(LEVELS)('gives the alphas and result of draw counts passed to alphaOfPrepared (%s)', (level) => {
    for (const [data, samples, seed] of [
      [synthetic(5), 200, 3],
      [randomData(77, level, 150), 200, 21],
      [reliabilityFromMatrix([[0, 0], [0, 1]]), 400, 9],
    ] as const) {
      const alphas = referenceAlphas(data, level, samples, seed);
      const defined = alphas.filter((alpha): alpha is number => alpha !== null).sort((a, b) => a - b);
      const result = bootstrapAlpha(data, level, { samples, seed, confidence: 0.9, alphaMin: 0.5 });
      expect(result.undefinedSamples).toBe(samples - defined.length);
      expect(result.probabilityBelowMin).toBe(defined.filter((alpha) => alpha < 0.5).length / defined.length);
      // The positions bootstrapAlpha computes: (1 − 0.9) / 2 is 0.04999999999999999, not 0.05.
      const lower = quantileType7(defined, (1 - 0.9) / 2);
      const upper = quantileType7(defined, (1 + 0.9) / 2);
      if (level === 'nominal' || level === 'ratio') {
        expect([result.lower, result.upper]).toEqual([lower, upper]);
      } else {
        expect(Math.abs(result.lower! - lower)).toBeLessThanOrEqual(1e-12);
        expect(Math.abs(result.upper! - upper)).toBeLessThanOrEqual(1e-12);
      }
    }
  });
});

describe('bootstrapResampleAlphas', () => {
  const data = synthetic(7);

  it.each(LEVELS)('gives the same alphas for any split of the resamples into ranges (%s)', (level) => {
    const all = bootstrapResampleAlphas(data, level, 5, 0, 60);
    const parts = [
      bootstrapResampleAlphas(data, level, 5, 0, 17),
      bootstrapResampleAlphas(data, level, 5, 17, 17),
      bootstrapResampleAlphas(data, level, 5, 17, 41),
      bootstrapResampleAlphas(data, level, 5, 41, 60),
    ];
    expect(Float64Array.from(parts.flatMap((part) => [...part]))).toEqual(all);
  });

  it('gives NaN for resamples whose alpha is undefined', () => {
    const alphas = bootstrapResampleAlphas(reliabilityFromMatrix([[0, 0], [0, 1]]), 'nominal', 9, 0, 400);
    const undefinedCount = alphas.filter((alpha) => Number.isNaN(alpha)).length;
    expect(undefinedCount).toBe(bootstrapAlpha(reliabilityFromMatrix([[0, 0], [0, 1]]), 'nominal', { samples: 400, seed: 9 }).undefinedSamples);
    expect(undefinedCount).toBeGreaterThan(0);
  });

  it('draws resample 0 from createRandom(seed) itself, the others from generators of their own', () => {
    expect(resampleSeed(11, 0)).toBe(11);
    const seeds = new Set(Array.from({ length: 1000 }, (_unused, r) => resampleSeed(11, r)));
    expect(seeds.size).toBe(1000);
  });

  it('rejects a bad range', () => {
    expect(() => bootstrapResampleAlphas(data, 'nominal', 1, 5, 4)).toThrow(AgreementInputError);
    expect(() => bootstrapResampleAlphas(data, 'nominal', 1, -1, 4)).toThrow(AgreementInputError);
  });
});

describe('bootstrapAlpha with resampleAlphas', () => {
  it('summarises the alphas the hook computes, as it would its own', () => {
    const data = synthetic(8);
    const hook = jest.fn((d: ReliabilityData, level: Level, seed: number, samples: number) => {
      const half = Math.floor(samples / 2);
      const alphas = new Float64Array(samples);
      alphas.set(bootstrapResampleAlphas(d, level, seed, half, samples), half);
      alphas.set(bootstrapResampleAlphas(d, level, seed, 0, half), 0);
      return alphas;
    });
    const split = bootstrapAlpha(data, 'ordinal', { samples: 101, seed: 4, resampleAlphas: hook });
    expect(hook).toHaveBeenCalledWith(data, 'ordinal', 4, 101);
    expect(split).toEqual(bootstrapAlpha(data, 'ordinal', { samples: 101, seed: 4 }));
  });

  it('refuses a hook that returns the wrong number of alphas', () => {
    expect(() => bootstrapAlpha(synthetic(8), 'nominal', { samples: 10, seed: 1, resampleAlphas: () => new Float64Array(9) })).toThrow(
      'expected 10 resample alphas, got 9',
    );
  });
});
