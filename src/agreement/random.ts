import { AgreementInputError } from './types';

const TWO_TO_32 = 4294967296;

/**
 * xoshiro128** (Blackman & Vigna 2018) from four 32-bit words, not all zero. Only 32-bit integer
 * operators (no Math.imul: builtin calls are not inlined everywhere, jest's vm contexts among them),
 * so a state gives the same stream on every platform. Floats in [0, 1), multiples of 2⁻³².
 */
export function xoshiro128StarStar(state: readonly [number, number, number, number]): () => number {
  let [s0, s1, s2, s3] = state.map((word) => word | 0) as [number, number, number, number];
  if ((s0 | s1 | s2 | s3) === 0) throw new AgreementInputError('xoshiro128** state must not be all zero');
  return () => {
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
    return (result >>> 0) / TWO_TO_32;
  };
}

/**
 * Seeded generator: xoshiro128** whose state is four successive values of a counter (step
 * 0x9e3779b9) through a two-round xorshift-multiply hash (hash-prospector constants). The hash is a
 * bijection and the four counter values differ, so no seed yields the all-zero state.
 * The seed is any integer, taken modulo 2³².
 */
export function createRandom(seed: number): () => number {
  return xoshiro128StarStar(seedState(seed));
}

/** The four state words createRandom(seed) starts from (see createRandom). */
export function seedState(seed: number): [number, number, number, number] {
  if (!Number.isSafeInteger(seed)) throw new AgreementInputError(`seed must be an integer, got ${seed}`);
  let counter = seed | 0;
  const words = [0, 0, 0, 0].map(() => {
    counter = (counter + 0x9e3779b9) | 0;
    let hash = counter ^ (counter >>> 16);
    hash = Math.imul(hash, 0x21f0aaad);
    hash ^= hash >>> 15;
    hash = Math.imul(hash, 0x735a2d97);
    return hash ^ (hash >>> 15);
  });
  return words as [number, number, number, number];
}

/**
 * A uniform integer in [0, n). `random` must return multiples of 2⁻³² in [0, 1) (as createRandom
 * does); draws from the incomplete last block of 2³² mod n values are rejected, so there is no
 * modulo bias.
 */
export function randomInt(random: () => number, n: number): number {
  if (!(n >= 1 && n <= TWO_TO_32 && n % 1 === 0)) {
    throw new AgreementInputError(`randomInt needs an integer n in [1, 2^32], got ${n}`);
  }
  const limit = TWO_TO_32 - (TWO_TO_32 % n);
  // `>>> 0` floors the non-negative product below 2³² without a builtin call.
  let draw = (random() * TWO_TO_32) >>> 0;
  while (draw >= limit) draw = (random() * TWO_TO_32) >>> 0;
  return draw % n;
}
