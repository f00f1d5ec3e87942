import { krippendorffAlpha } from './alpha';
import { bootstrapAlpha, quantileType7 } from './bootstrap';
import { createRandom, randomInt } from './random';
import { ReliabilityDataBuilder, reliabilityFromMatrix } from './reliability';
import { AgreementInputError, LEVELS, type ReliabilityData } from './types';

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
