import fc from 'fast-check';
import { createRandom, randomInt, xoshiro128StarStar } from './random';
import { AgreementInputError } from './types';

const TWO_TO_32 = 2 ** 32;
const words = (random: () => number, count: number): number[] => Array.from({ length: count }, () => random() * TWO_TO_32);

describe('xoshiro128StarStar', () => {
  it('reproduces the reference C implementation from state (1, 2, 3, 4)', () => {
    // Outputs of Blackman & Vigna's xoshiro128starstar.c next(), compiled with gcc.
    expect(words(xoshiro128StarStar([1, 2, 3, 4]), 8)).toEqual([
      11520, 0, 5927040, 70819200, 2031721883, 1637235492, 1287239034, 3734860849,
    ]);
  });

  it('rejects the all-zero state', () => {
    expect(() => xoshiro128StarStar([0, 0, 0, 0])).toThrow(AgreementInputError);
  });
});

describe('createRandom', () => {
  it('gives a fixed stream per seed (golden values, checked against a C port)', () => {
    expect(words(createRandom(42), 4)).toEqual([660444221, 3652823732, 77672526, 910233633]);
    expect(words(createRandom(0), 2)).toEqual([1789933344, 44971166]);
  });

  it('takes the seed modulo 2^32', () => {
    expect(words(createRandom(-1), 5)).toEqual(words(createRandom(TWO_TO_32 - 1), 5));
    expect(words(createRandom(7 + TWO_TO_32), 5)).toEqual(words(createRandom(7), 5));
  });

  it('gives floats in [0, 1), the same for the same seed and different for different seeds', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer(), (seed, other) => {
        const stream = words(createRandom(seed), 20).map((word) => word / TWO_TO_32);
        expect(stream.every((x) => x >= 0 && x < 1)).toBe(true);
        expect(words(createRandom(seed), 20).map((word) => word / TWO_TO_32)).toEqual(stream);
        if ((seed >>> 0) !== (other >>> 0)) expect(words(createRandom(other), 20)).not.toEqual(words(createRandom(seed), 20));
      }),
    );
  });

  it('rejects a seed that is not an integer', () => {
    expect(() => createRandom(1.5)).toThrow(AgreementInputError);
    expect(() => createRandom(Number.NaN)).toThrow(AgreementInputError);
  });
});

describe('randomInt', () => {
  it('rejects draws from the incomplete last block (no modulo bias)', () => {
    // n = 3: 2^32 mod 3 = 1, so draws ≥ 2^32 − 1 are redrawn. The fake draws 2^32 − 1, then 5:
    // the first is rejected and 5 mod 3 = 2 is returned.
    const draws = [(TWO_TO_32 - 1) / TWO_TO_32, 5 / TWO_TO_32];
    expect(randomInt(() => draws.shift()!, 3)).toBe(2);
    expect(draws).toEqual([]);
  });

  it('covers [0, n) evenly', () => {
    // 60,000 draws in 6 bins: each should be near 10,000 (σ ≈ 91).
    const random = createRandom(2024);
    const bins = new Array<number>(6).fill(0);
    for (let k = 0; k < 60_000; k++) bins[randomInt(random, 6)]! += 1;
    for (const count of bins) expect(Math.abs(count - 10_000)).toBeLessThan(500);
  });

  it.each([0, -1, 2.5, Number.NaN, TWO_TO_32 + 1])('rejects n = %p', (n) => {
    expect(() => randomInt(createRandom(1), n)).toThrow(AgreementInputError);
  });

  it('returns 0 for n = 1 and accepts n = 2^32', () => {
    expect(randomInt(createRandom(3), 1)).toBe(0);
    expect(randomInt(() => 0.5, TWO_TO_32)).toBe(2 ** 31);
  });
});
