import fc from 'fast-check';
import {
  alphaAndUnitDisagreement,
  alphaOfPrepared,
  dropOneAlpha,
  krippendorffAlpha,
  pairwiseAlpha,
  prepareReliability,
  unitDisagreement,
  type AlphaResult,
} from './alpha';
import { ReliabilityDataBuilder, reliabilityFromMatrix, selectCoders } from './reliability';
import { AgreementInputError, LEVELS, type Estimate, type Level, type ReliabilityData } from './types';

type Matrix = Array<Array<number | null>>;
const _ = null;

/** Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability": 4 coders × 12 units. */
const PUBLISHED: Matrix = [
  [1, 2, 3, 3, 2, 1, 4, 1, 2, _, _, _],
  [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, _, 3],
  [_, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, _],
  [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, _],
];

function alphaValue(data: ReliabilityData, level: Level, options?: { unitWeights?: ArrayLike<number> }): number {
  const { alpha } = krippendorffAlpha(data, level, options);
  if (alpha.value === null) throw new Error(`alpha undefined: ${alpha.reason}`);
  return alpha.value;
}

function thrown(action: () => unknown): AgreementInputError {
  try {
    action();
  } catch (error) {
    if (error instanceof AgreementInputError) return error;
    throw error;
  }
  throw new Error('expected an AgreementInputError');
}

function expectSameEstimate(actual: Estimate, expected: Estimate, digits = 9): void {
  if (expected.value === null) expect(actual).toEqual(expected);
  else expect(actual.value).toBeCloseTo(expected.value, digits);
}

function expectSameResult(actual: AlphaResult, expected: AlphaResult, digits = 9): void {
  expectSameEstimate(actual.alpha, expected.alpha, digits);
  expect(actual.observedDisagreement).toBeCloseTo(expected.observedDisagreement, digits);
  expect(actual.expectedDisagreement).toBeCloseTo(expected.expectedDisagreement, digits);
  expect(actual.pairableUnits).toBe(expected.pairableUnits);
  expect(actual.pairableValues).toBe(expected.pairableValues);
}

/**
 * DESIGN.md section 3 taken literally: the coincidence matrix o_ck, the marginals n_c, and the
 * distance table δ²_ck over the distinct pairable values (ordinal in its sum form).
 */
function referenceAlpha(matrix: Matrix, level: Level): number | null {
  const units = (matrix[0] ?? []).map((_cell, u) =>
    matrix.map((row) => row[u] ?? null).filter((cell): cell is number => cell !== null),
  );
  const pairable = units.filter((values) => values.length >= 2);
  const distinct = [...new Set(pairable.flat())].sort((x, y) => x - y);
  const index = new Map(distinct.map((value, i) => [value, i]));
  const size = distinct.length;
  const o = Array.from({ length: size }, () => new Array<number>(size).fill(0));
  for (const values of pairable) {
    values.forEach((v, i) =>
      values.forEach((w, j) => {
        if (i !== j) o[index.get(v)!]![index.get(w)!]! += 1 / (values.length - 1);
      }),
    );
  }
  const nc = o.map((row) => row.reduce((sum, x) => sum + x, 0));
  const n = nc.reduce((sum, x) => sum + x, 0);
  const delta2 = (c: number, k: number): number => {
    const [x, y] = [distinct[c]!, distinct[k]!];
    switch (level) {
      case 'nominal':
        return x === y ? 0 : 1;
      case 'interval':
        return (x - y) ** 2;
      case 'ratio':
        return x + y === 0 ? 0 : ((x - y) / (x + y)) ** 2;
      case 'ordinal': {
        const [low, high] = c < k ? [c, k] : [k, c];
        let between = 0;
        for (let g = low; g <= high; g++) between += nc[g]!;
        return (between - (nc[c]! + nc[k]!) / 2) ** 2;
      }
    }
  };
  let observed = 0;
  let expected = 0;
  for (let c = 0; c < size; c++) {
    for (let k = 0; k < size; k++) {
      observed += o[c]![k]! * delta2(c, k);
      expected += nc[c]! * nc[k]! * delta2(c, k);
    }
  }
  return expected === 0 ? null : 1 - ((n - 1) * observed) / expected;
}

describe('krippendorffAlpha on the published example (Krippendorff 2011)', () => {
  const data = reliabilityFromMatrix(PUBLISHED);

  it.each([
    ['nominal', 0.743],
    ['ordinal', 0.815],
    ['interval', 0.849],
    ['ratio', 0.797],
  ] as const)('%s alpha is %p', (level, published) => {
    expect(alphaValue(data, level)).toBeCloseTo(published, 3);
  });

  it('gives the exact nominal value of the paper’s coincidence matrix', () => {
    // Coincidences (rows/columns = values 1..5), n_c the row sums:
    //   1: 7    4/3  1/3  1/3  0  | 9
    //   2: 4/3  10   4/3  1/3  0  | 13
    //   3: 1/3  4/3  8    1/3  0  | 10
    //   4: 1/3  1/3  1/3  4    0  | 5
    //   5: 0    0    0    0    3  | 3        n = 40, Σ o_cc = 32
    // Σ_{c≠k} o_ck = 40 − 32 = 8;  Σ_{c≠k} n_c n_k = 40² − (81 + 169 + 100 + 25 + 9) = 1600 − 384 = 1216.
    // α = 1 − (n − 1) · 8 / 1216 = 1 − 312/1216 = 904/1216.
    const result = krippendorffAlpha(data, 'nominal');
    expect(result.alpha.value).toBeCloseTo(904 / 1216, 14);
    expect(result.observedDisagreement).toBeCloseTo(8 / 40, 14);
    expect(result.expectedDisagreement).toBeCloseTo(1216 / (40 * 39), 14);
    // Unit 12 has a single value: 11 pairable units, 3+4+4+4+4+4+4+4+4+3+2 = 40 values.
    expect(result.pairableUnits).toBe(11);
    expect(result.pairableValues).toBe(40);
  });

  it('gives the exact interval value', () => {
    // Disagreeing units: {2,2,3,2} → Σ_{i≠j}(v_i − v_j)² = 2·3·1 = 6, /(m−1) = 2;
    // {1,2,3,4} → 2·(1+4+9+1+4+1) = 40, /3 = 40/3; {1,1,2,1} → 6/3 = 2. Observed sum 52/3.
    // n_c = 9, 13, 10, 5, 3 for 1..5: mean 100/40 = 2.5, Σ n_c c² = 306, Σ n_c (c − 2.5)² = 306 − 250 = 56;
    // expected sum = 2 n · 56 = 4480. α = 1 − 39 · (52/3) / 4480 = 1 − 676/4480.
    expect(alphaValue(data, 'interval')).toBeCloseTo(1 - 676 / 4480, 14);
  });

  it('gives the exact ordinal value', () => {
    // Mid-ranks M = 4.5, 15.5, 27, 34.5, 38.5 for 1..5 (n_c = 9, 13, 10, 5, 3).
    // {2,2,3,2}: 2·3·11.5² / 3 = 264.5; {1,2,3,4}: 2·(11² + 22.5² + 30² + 11.5² + 19² + 7.5²)/3
    // = 2·2076.75/3 = 1384.5; {1,1,2,1}: 2·3·11²/3 = 242. Observed sum 1891.
    // Mean rank 20: Σ n_c (M_c − 20)² = 9·15.5² + 13·4.5² + 10·7² + 5·14.5² + 3·18.5² = 4993.5;
    // expected sum = 2·40·4993.5 = 399480. α = 1 − 39 · 1891 / 399480.
    expect(alphaValue(data, 'ordinal')).toBeCloseTo(1 - (39 * 1891) / 399480, 14);
  });

  it.each(LEVELS)('agrees with the literal coincidence-matrix definition (%s)', (level) => {
    expect(alphaValue(data, level)).toBeCloseTo(referenceAlpha(PUBLISHED, level)!, 12);
  });
});

describe('krippendorffAlpha, hand-computed cases', () => {
  // Two coders, three units: A = (1, 2, 3), B = (1, 2, 5); only unit 3 disagrees.
  const numbers = reliabilityFromMatrix([
    [1, 2, 3],
    [1, 2, 5],
  ]);

  it('nominal', () => {
    // A = (0, 0, 1), B = (0, 1, 1). n = 6, n_0 = n_1 = 3.
    // Unit 2 {0, 1}: m² − Σ m_c² = 4 − 2 = 2, /(m − 1) = 2. Expected sum 36 − 9 − 9 = 18.
    // α = 1 − 5 · 2 / 18 = 4/9.
    const result = krippendorffAlpha(reliabilityFromMatrix([[0, 0, 1], [0, 1, 1]]), 'nominal');
    expect(result.alpha.value).toBeCloseTo(4 / 9, 14);
    expect(result.observedDisagreement).toBeCloseTo(2 / 6, 14);
    expect(result.expectedDisagreement).toBeCloseTo(18 / 30, 14);
  });

  it('nominal with three coders and missing values', () => {
    // Units (a = 0, b = 1): {a, a, b}, {a, a, a}, {b, b}, {a} (not pairable).
    // n = 3 + 3 + 2 = 8, n_a = 5, n_b = 3. Unit 1: 9 − (4 + 1) = 4, /(3 − 1) = 2.
    // Expected sum 64 − 25 − 9 = 30. α = 1 − 7 · 2 / 30 = 8/15.
    const result = krippendorffAlpha(
      reliabilityFromMatrix([
        [0, 0, 1, 0],
        [0, 0, 1, _],
        [1, 0, _, _],
      ]),
      'nominal',
    );
    expect(result).toEqual({
      alpha: { value: expect.closeTo(8 / 15, 14), reason: null },
      observedDisagreement: expect.closeTo(2 / 8, 14),
      expectedDisagreement: expect.closeTo(30 / 56, 14),
      pairableUnits: 3,
      pairableValues: 8,
    });
  });

  it('nominal labels from strings', () => {
    // Same shape as the first nominal case, with labels instead of codes.
    const labels = reliabilityFromMatrix([
      ['no', 'no', 'yes'],
      ['no', 'yes', 'yes'],
    ]);
    expect(alphaValue(labels, 'nominal')).toBeCloseTo(4 / 9, 14);
  });

  it('interval', () => {
    // Unit 3 {3, 5}: 2 · (3 − 5)² = 8, /1 = 8. Values 1, 1, 2, 2, 3, 5: mean 7/3,
    // Σ (v − 7/3)² = 44 − 6 · 49/9 = 34/3, expected sum = 2 · 6 · 34/3 = 136. α = 1 − 5 · 8 / 136 = 12/17.
    expect(alphaValue(numbers, 'interval')).toBeCloseTo(12 / 17, 14);
  });

  it('ordinal', () => {
    // n_1 = 2, n_2 = 2, n_3 = 1, n_5 = 1. DESIGN's δ²_ck = (Σ_{g=c..k} n_g − (n_c + n_k)/2)²:
    // (1,2): (4 − 2)² = 4; (1,3): (5 − 1.5)² = 12.25; (1,5): (6 − 1.5)² = 20.25;
    // (2,3): (3 − 1.5)² = 2.25; (2,5): (4 − 1.5)² = 6.25; (3,5): (2 − 1)² = 1.
    // Observed: unit 3 gives 2 · 1 / 1 = 2. Expected = 2 · (2·2·4 + 2·1·12.25 + 2·1·20.25 + 2·1·2.25
    // + 2·1·6.25 + 1·1·1) = 2 · 99 = 198. α = 1 − 5 · 2 / 198 = 94/99.
    expect(alphaValue(numbers, 'ordinal')).toBeCloseTo(94 / 99, 14);
  });

  it('ratio', () => {
    // δ² = ((c − k)/(c + k))². Observed: unit 3 gives 2 · (2/8)² / 1 = 1/8.
    // Expected = 2 · (n_1 n_2 (1/3)² + n_1 n_3 (2/4)² + n_1 n_5 (4/6)² + n_2 n_3 (1/5)² + n_2 n_5 (3/7)²
    // + n_3 n_5 (2/8)²) with n_1 = n_2 = 2, n_3 = n_5 = 1.
    const expected = 2 * (4 / 9 + 2 / 4 + 8 / 9 + 2 / 25 + 18 / 49 + 1 / 16);
    expect(alphaValue(numbers, 'ratio')).toBeCloseTo(1 - (5 * (1 / 8)) / expected, 14);
  });

  it('ratio treats two zeros as identical (0/0 is 0)', () => {
    // Units {0, 0} and {0, 1}: observed 0 + 2 · 1 / 1 = 2; n_0 = 3, n_1 = 1, expected 2 · 3 · 1 · 1 = 6.
    // α = 1 − 3 · 2 / 6 = 0.
    expect(alphaValue(reliabilityFromMatrix([[0, 0], [0, 1]]), 'ratio')).toBeCloseTo(0, 14);
  });

  it('is 1 for perfect agreement with variation', () => {
    const perfect = reliabilityFromMatrix([[1, 2, 3], [1, 2, 3], [1, _, 3]]);
    for (const level of LEVELS) expect(alphaValue(perfect, level)).toBe(1);
  });
});

describe('krippendorffAlpha, edge cases', () => {
  it('ignores units with a single value', () => {
    const withSingles = reliabilityFromMatrix([[0, 0, 1, 7], [0, 1, 1, _]]);
    const without = reliabilityFromMatrix([[0, 0, 1], [0, 1, 1]]);
    for (const level of LEVELS) expectSameResult(krippendorffAlpha(withSingles, level), krippendorffAlpha(without, level));
  });

  it('is unaffected by a coder who has no pairable values', () => {
    // Coder C only judges unit 3, which nobody else judged.
    const withLoner = reliabilityFromMatrix([[1, 2, 3, _], [1, 3, 3, _], [_, _, _, 9]]);
    const without = reliabilityFromMatrix([[1, 2, 3], [1, 3, 3]]);
    for (const level of LEVELS) expectSameResult(krippendorffAlpha(withLoner, level), krippendorffAlpha(without, level));
  });

  it.each(LEVELS)('is undefined, not 1 or NaN, when all pairable values are identical (%s)', (level) => {
    const result = krippendorffAlpha(reliabilityFromMatrix([[2, 2, 5], [2, 2, _]]), level);
    expect(result).toEqual({
      alpha: { value: null, reason: 'all pairable values are identical: no variation' },
      observedDisagreement: 0,
      expectedDisagreement: 0,
      pairableUnits: 2,
      pairableValues: 4,
    });
  });

  it.each(LEVELS)('is undefined for empty input and for data without pairable units (%s)', (level) => {
    const reason = { value: null, reason: 'no unit has two or more values' };
    expect(krippendorffAlpha(reliabilityFromMatrix([]), level).alpha).toEqual(reason);
    expect(krippendorffAlpha(new ReliabilityDataBuilder(3).build(), level).alpha).toEqual(reason);
    expect(krippendorffAlpha(reliabilityFromMatrix([[1, _], [_, 2]]), level)).toEqual({
      alpha: reason,
      observedDisagreement: 0,
      expectedDisagreement: 0,
      pairableUnits: 0,
      pairableValues: 0,
    });
  });

  it.each(LEVELS.flatMap((level) => [Number.NaN, Infinity, -Infinity].map((bad) => [level, bad] as const)))(
    'rejects the non-finite value at its index (%s, %p)',
    (level, bad) => {
      const data = reliabilityFromMatrix([[1, 2, 3], [1, bad, 3]]);
      // Stored unit by unit: positions 0 1 | 2 3 | 4 5, so the bad value (unit 1, coder 1) is at 3.
      const error = thrown(() => krippendorffAlpha(data, level));
      expect(error.index).toBe(3);
      expect(error.message).toMatch(/not a finite number/);
    },
  );

  it('rejects negative ratio data at its index', () => {
    const error = thrown(() => krippendorffAlpha(reliabilityFromMatrix([[1, 2], [1, -0.5]]), 'ratio'));
    expect(error.index).toBe(3);
    expect(error.message).toBe('ratio data must be ≥ 0, got -0.5');
    expect(alphaValue(reliabilityFromMatrix([[1, 2], [1, -0.5]]), 'interval')).toBeLessThan(1);
  });

  it.each([1.5, -1])('rejects the nominal code %p at its index', (bad) => {
    const error = thrown(() => krippendorffAlpha(reliabilityFromMatrix([[0, bad], [1, 1]]), 'nominal'));
    expect(error.index).toBe(2);
    expect(error.message).toMatch(/non-negative integers/);
  });

  it('renumbers sparse nominal codes without changing alpha', () => {
    const dense = reliabilityFromMatrix([[0, 0, 1], [0, 1, 1]]);
    const sparse = reliabilityFromMatrix([[2 ** 40, 2 ** 40, 7], [2 ** 40, 7, 7]]);
    expectSameResult(krippendorffAlpha(sparse, 'nominal'), krippendorffAlpha(dense, 'nominal'));
  });
});

describe('krippendorffAlpha with unitWeights', () => {
  const data = reliabilityFromMatrix([[0, 0, 1, 2], [0, 1, 1, _]]);

  it('counts a unit as often as its weight', () => {
    // Weights (2, 1, 0, 5): units {0,0} ×2, {0,1} ×1, {1,1} ×0, {2} not pairable.
    // n = 4 + 2 = 6, n_0 = 5, n_1 = 1; observed 2 · 1 / 1 = 2; expected 36 − 25 − 1 = 10.
    // α = 1 − 5 · 2 / 10 = 0.
    const result = krippendorffAlpha(data, 'nominal', { unitWeights: [2, 1, 0, 5] });
    expect(result.alpha.value).toBeCloseTo(0, 14);
    expect(result.pairableUnits).toBe(3);
    expect(result.pairableValues).toBe(6);
  });

  it('is undefined when the weights leave fewer than two values', () => {
    expect(krippendorffAlpha(data, 'nominal', { unitWeights: [0, 0, 0, 1] }).alpha).toEqual({
      value: null,
      reason: 'the unit weights leave fewer than two pairable values',
    });
  });

  it.each([[[1, 1, 1]], [[1, -1, 1, 1]], [[1, Number.NaN, 1, 1]], [[1, Infinity, 1, 1]]])(
    'rejects the weights %p',
    (unitWeights) => {
      expect(() => krippendorffAlpha(data, 'nominal', { unitWeights })).toThrow(AgreementInputError);
    },
  );
});

describe('unitDisagreement', () => {
  it('gives each unit its mean δ² per ordered pair and D_e (nominal)', () => {
    // Units {a, a, b}: (9 − 5)/(3 · 2) = 2/3; {a, a, a}: 0; {b, b}: 0; {a}: not pairable (NaN).
    // Expected: 30 / (8 · 7) = 15/28 (see the three-coder nominal case).
    const { observed, expected } = unitDisagreement(
      reliabilityFromMatrix([[0, 0, 1, 0], [0, 0, 1, _], [1, 0, _, _]]),
      'nominal',
    );
    expect(Array.from(observed)).toEqual([expect.closeTo(2 / 3, 14), 0, 0, Number.NaN]);
    expect(expected).toBeCloseTo(15 / 28, 14);
  });

  it('interval: unit {3, 5} has mean squared difference 4', () => {
    // Ordered pairs (3,5) and (5,3): (4 + 4) / 2 = 4. D_e = 136 / (6 · 5).
    const { observed, expected } = unitDisagreement(reliabilityFromMatrix([[1, 2, 3], [1, 2, 5]]), 'interval');
    expect(Array.from(observed)).toEqual([0, 0, 4]);
    expect(expected).toBeCloseTo(136 / 30, 14);
  });

  it('ordinal uses the mid-rank distances', () => {
    // From the ordinal hand case: δ²(3, 5) = 1, D_e = 198 / 30.
    const { observed, expected } = unitDisagreement(reliabilityFromMatrix([[1, 2, 3], [1, 2, 5]]), 'ordinal');
    expect(Array.from(observed)).toEqual([0, 0, 1]);
    expect(expected).toBeCloseTo(198 / 30, 14);
  });

  it('ratio: unit {3, 5} has δ² = (2/8)²', () => {
    const { observed } = unitDisagreement(reliabilityFromMatrix([[1, 2, 3], [1, 2, 5]]), 'ratio');
    expect(Array.from(observed)).toEqual([0, 0, 1 / 16]);
  });

  it('has NaN expected disagreement when nothing is pairable', () => {
    const { observed, expected } = unitDisagreement(reliabilityFromMatrix([[1, _]]), 'interval');
    expect(Array.from(observed)).toEqual([Number.NaN, Number.NaN]);
    expect(expected).toBeNaN();
  });
});

describe('dropOneAlpha', () => {
  it('gives alpha without each coder', () => {
    // A = (0, 0, 1, 0), B = (0, 0, 1, .), C = (1, 0, ., .).
    // Without A: units {0, 1}, {0, 0}, {1} → n = 4, n_0 = 3, n_1 = 1; observed 2, expected 16 − 10 = 6;
    //   α = 1 − 3 · 2 / 6 = 0. Without B: {0, 1}, {0, 0}, {1}, {0} → the same, 0.
    // Without C: {0, 0}, {0, 0}, {1, 1}, {0} → no disagreement: α = 1.
    const result = dropOneAlpha(reliabilityFromMatrix([[0, 0, 1, 0], [0, 0, 1, _], [1, 0, _, _]]), 'nominal');
    expect(result).toEqual([
      { coder: 0, alpha: { value: expect.closeTo(0, 14), reason: null } },
      { coder: 1, alpha: { value: expect.closeTo(0, 14), reason: null } },
      { coder: 2, alpha: { value: 1, reason: null } },
    ]);
  });

  it('reports undefined alpha and a coder without values', () => {
    // Only two coders: dropping either leaves single values. Coder 2 gave nothing.
    const data = new ReliabilityDataBuilder(3);
    data.add(0, 0, 1);
    data.add(0, 1, 2);
    const none = { value: null, reason: 'no unit has two or more values' };
    expect(dropOneAlpha(data.build(), 'interval')).toEqual([
      { coder: 0, alpha: none },
      { coder: 1, alpha: none },
      { coder: 2, alpha: { value: 0, reason: null } },
    ]);
  });

  it('validates against the original indexes', () => {
    expect(thrown(() => dropOneAlpha(reliabilityFromMatrix([[1, 2], [1, Number.NaN]]), 'interval')).index).toBe(3);
  });
});

describe('pairwiseAlpha', () => {
  it('gives alpha and percent agreement on the units each pair shares', () => {
    // A = (0, 0, 1, 0, .), B = (0, 0, 1, ., .), C = (1, 0, ., ., .), D = (., ., ., ., 1).
    // A–B share units 0, 1, 2: all agree; values 0, 0, 0, 0, 1, 1 vary → α = 1, agreement 3/3.
    // A–C and B–C share units 0 {0, 1} and 1 {0, 0}: n = 4, n_0 = 3, observed 2, expected 6 →
    //   α = 1 − 3 · 2 / 6 = 0, agreement 1/2. D shares no unit with anyone.
    const result = pairwiseAlpha(
      reliabilityFromMatrix([[0, 0, 1, 0, _], [0, 0, 1, _, _], [1, 0, _, _, _], [_, _, _, _, 1]]),
      'nominal',
    );
    const shared = (a: number, b: number, units: number, alpha: number, agreement: number): object => ({
      a,
      b,
      units,
      alpha: { value: expect.closeTo(alpha, 14), reason: null },
      percentAgreement: { value: agreement, reason: null },
    });
    const none = (a: number, b: number): object => {
      const estimate = { value: null, reason: `coders ${a} and ${b} share no unit` };
      return { a, b, units: 0, alpha: estimate, percentAgreement: estimate };
    };
    expect(result).toEqual([
      shared(0, 1, 3, 1, 1),
      shared(0, 2, 2, 0, 0.5),
      none(0, 3),
      shared(1, 2, 2, 0, 0.5),
      none(1, 3),
      none(2, 3),
    ]);
  });

  it('orders each pair by coder index whatever the storage order, and keeps undefined alpha', () => {
    const builder = new ReliabilityDataBuilder(2);
    builder.add(0, 1, 4);
    builder.add(0, 0, 4);
    builder.add(1, 1, 4);
    builder.add(1, 0, 4);
    expect(pairwiseAlpha(builder.build(), 'interval')).toEqual([
      {
        a: 0,
        b: 1,
        units: 2,
        alpha: { value: null, reason: 'all pairable values are identical: no variation' },
        percentAgreement: { value: 1, reason: null },
      },
    ]);
  });
});

/** Random reliability matrices: 2–4 coders, 1–10 units, about one value in four missing. */
function matrices(values: fc.Arbitrary<number>): fc.Arbitrary<Matrix> {
  return fc
    .tuple(fc.integer({ min: 2, max: 4 }), fc.integer({ min: 1, max: 10 }))
    .chain(([coders, units]) =>
      fc.array(fc.array(fc.option(values, { nil: null, freq: 4 }), { minLength: units, maxLength: units }), {
        minLength: coders,
        maxLength: coders,
      }),
    );
}

const smallCodes = fc.integer({ min: 0, max: 4 });
const levels = fc.constantFrom(...LEVELS);

describe('krippendorffAlpha properties', () => {
  it('matches the literal coincidence-matrix definition', () => {
    // Few distinct values (many ties) or many; nominal codes must be integers.
    const values = (level: Level): fc.Arbitrary<number> =>
      fc.oneof(smallCodes, fc.integer({ min: 0, max: 800 }).map((x) => (level === 'nominal' ? x : x / 8)));
    const cases = levels.chain((level) => fc.tuple(matrices(values(level)), fc.constant(level)));
    fc.assert(
      fc.property(cases, ([matrix, level]) => {
        const reference = referenceAlpha(matrix, level);
        const { alpha } = krippendorffAlpha(reliabilityFromMatrix(matrix), level);
        if (reference === null) expect(alpha.value).toBeNull();
        else expect(alpha.value).toBeCloseTo(reference, 9);
      }),
      { numRuns: 400 },
    );
  });

  it('is invariant to permuting coders and units', () => {
    const permuted = matrices(smallCodes).chain((matrix) =>
      fc.tuple(
        fc.constant(matrix),
        fc.shuffledSubarray([...matrix.keys()], { minLength: matrix.length, maxLength: matrix.length }),
        fc.shuffledSubarray([...matrix[0]!.keys()], { minLength: matrix[0]!.length, maxLength: matrix[0]!.length }),
      ),
    );
    fc.assert(
      fc.property(permuted, levels, ([matrix, coderOrder, unitOrder], level) => {
        const reordered = coderOrder.map((c) => unitOrder.map((u) => matrix[c]![u]!));
        expectSameResult(
          krippendorffAlpha(reliabilityFromMatrix(reordered), level),
          krippendorffAlpha(reliabilityFromMatrix(matrix), level),
        );
      }),
    );
  });

  it('interval alpha is invariant to shifting and positive scaling', () => {
    const transform = fc.tuple(fc.double({ min: 0.01, max: 1000, noNaN: true }), fc.double({ min: -1e6, max: 1e6, noNaN: true }));
    fc.assert(
      fc.property(matrices(fc.integer({ min: -20, max: 20 })), transform, (matrix, [scale, shift]) => {
        const moved = matrix.map((row) => row.map((v) => (v === null ? null : scale * v + shift)));
        expectSameEstimate(
          krippendorffAlpha(reliabilityFromMatrix(moved), 'interval').alpha,
          krippendorffAlpha(reliabilityFromMatrix(matrix), 'interval').alpha,
          7,
        );
      }),
    );
  });

  it('nominal alpha is invariant to relabelling categories (including sparse codes)', () => {
    const labels = fc.uniqueArray(fc.integer({ min: 0, max: 2 ** 40 }), { minLength: 5, maxLength: 5 });
    fc.assert(
      fc.property(matrices(smallCodes), labels, (matrix, relabel) => {
        const relabelled = matrix.map((row) => row.map((v) => (v === null ? null : relabel[v]!)));
        expectSameResult(
          krippendorffAlpha(reliabilityFromMatrix(relabelled), 'nominal'),
          krippendorffAlpha(reliabilityFromMatrix(matrix), 'nominal'),
        );
      }),
    );
  });

  it('ordinal alpha is invariant to strictly increasing transforms', () => {
    // Value v ↦ the v-th partial sum of positive steps, starting anywhere (possibly negative).
    const increasing = fc
      .tuple(fc.integer({ min: -100, max: 100 }), fc.array(fc.integer({ min: 1, max: 1000 }), { minLength: 5, maxLength: 5 }))
      .map(([start, steps]) => steps.map((_step, v) => start + steps.slice(0, v + 1).reduce((sum, s) => sum + s, 0) / 7));
    fc.assert(
      fc.property(matrices(smallCodes), increasing, (matrix, table) => {
        const transformed = matrix.map((row) => row.map((v) => (v === null ? null : table[v]!)));
        expectSameResult(
          krippendorffAlpha(reliabilityFromMatrix(transformed), 'ordinal'),
          krippendorffAlpha(reliabilityFromMatrix(matrix), 'ordinal'),
        );
      }),
    );
  });

  it('unitWeights of all 2 equals duplicating every unit', () => {
    fc.assert(
      fc.property(matrices(smallCodes), levels, (matrix, level) => {
        const data = reliabilityFromMatrix(matrix);
        const doubled = reliabilityFromMatrix(matrix.map((row) => [...row, ...row]));
        const twos = new Array<number>(matrix[0]!.length).fill(2);
        expectSameResult(krippendorffAlpha(data, level, { unitWeights: twos }), krippendorffAlpha(doubled, level));
      }),
    );
  });

  it('integer unitWeights equal repeating each unit that many times', () => {
    const weighted = matrices(smallCodes).chain((matrix) =>
      fc.tuple(fc.constant(matrix), fc.array(fc.integer({ min: 0, max: 3 }), { minLength: matrix[0]!.length, maxLength: matrix[0]!.length })),
    );
    fc.assert(
      fc.property(weighted, levels, ([matrix, weights], level) => {
        const repeated = matrix.map((row) => row.flatMap((cell, u) => new Array<number | null>(weights[u]!).fill(cell)));
        const expected = krippendorffAlpha(reliabilityFromMatrix(repeated), level);
        const actual = alphaOfPrepared(prepareReliability(reliabilityFromMatrix(matrix), level), Float64Array.from(weights));
        if (expected.alpha.value === null && actual.alpha.value === null) return;
        expectSameResult(actual, expected);
      }),
    );
  });

  it('unitDisagreement is consistent with D_o and D_e', () => {
    fc.assert(
      fc.property(matrices(smallCodes), levels, (matrix, level) => {
        const data = reliabilityFromMatrix(matrix);
        const result = krippendorffAlpha(data, level);
        fc.pre(result.alpha.value !== null);
        const { observed, expected } = unitDisagreement(data, level);
        // D_o = Σ_u m_u (m_u − 1) · mean_u / (m_u − 1) / n = Σ_u m_u · mean_u / n.
        let weighted = 0;
        observed.forEach((mean, u) => {
          if (!Number.isNaN(mean)) weighted += (data.unitOffsets[u + 1]! - data.unitOffsets[u]!) * mean;
        });
        expect(weighted / result.pairableValues).toBeCloseTo(result.observedDisagreement, 9);
        expect(expected).toBeCloseTo(result.expectedDisagreement, 9);
      }),
    );
  });

  it('pairwiseAlpha equals alpha restricted to the two coders, and counts agreement', () => {
    fc.assert(
      fc.property(matrices(smallCodes), levels, (matrix, level) => {
        const data = reliabilityFromMatrix(matrix);
        for (const { a, b, units, alpha, percentAgreement } of pairwiseAlpha(data, level)) {
          const shared = matrix[a]!.flatMap((x, u) => (x !== null && matrix[b]![u] !== null ? [[x, matrix[b]![u]!]] : []));
          expect(units).toBe(shared.length);
          if (units === 0) continue;
          expect(percentAgreement.value).toBe(shared.filter(([x, y]) => x === y).length / units);
          const restricted = selectCoders(data, (coder) => coder === a || coder === b);
          expectSameEstimate(alpha, krippendorffAlpha(restricted, level).alpha);
        }
      }),
    );
  });
});

describe('dropOneAlpha and pairwiseAlpha equal alpha of the reduced data bit for bit', () => {
  /** Per level: few values (ties), many values, and (nominal) sparse codes that get renumbered. */
  const anyValues = (level: Level): fc.Arbitrary<number> =>
    level === 'nominal'
      ? fc.oneof(smallCodes, fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 2 ** 40 }))
      : fc.oneof(smallCodes, fc.integer({ min: 0, max: 800 }).map((x) => x / 8), fc.double({ min: 0, max: 1e6, noNaN: true }));
  /** 2–7 coders, 1–30 units, about one value in four missing. */
  const wideMatrices = (values: fc.Arbitrary<number>): fc.Arbitrary<Matrix> =>
    fc
      .tuple(fc.integer({ min: 2, max: 7 }), fc.integer({ min: 1, max: 30 }))
      .chain(([coders, units]) =>
        fc.array(fc.array(fc.option(values, { nil: null, freq: 4 }), { minLength: units, maxLength: units }), {
          minLength: coders,
          maxLength: coders,
        }),
      );
  const cases = levels.chain((level) => fc.tuple(wideMatrices(anyValues(level)), fc.constant(level)));
  const sameEstimate = (actual: Estimate, expected: Estimate): void => {
    expect(actual.reason).toBe(expected.reason);
    expect(actual.value).toBe(expected.value); // Object.is: the same double, not merely close
  };

  it('dropOneAlpha', () => {
    fc.assert(
      fc.property(cases, ([matrix, level]) => {
        const data = reliabilityFromMatrix(matrix);
        const result = dropOneAlpha(data, level);
        expect(result.map(({ coder }) => coder)).toEqual([...matrix.keys()]);
        for (const { coder, alpha } of result) {
          sameEstimate(alpha, krippendorffAlpha(selectCoders(data, (other) => other !== coder), level).alpha);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('pairwiseAlpha', () => {
    fc.assert(
      fc.property(cases, ([matrix, level]) => {
        const data = reliabilityFromMatrix(matrix);
        for (const { a, b, units, alpha } of pairwiseAlpha(data, level)) {
          if (units === 0) continue;
          sameEstimate(alpha, krippendorffAlpha(selectCoders(data, (coder) => coder === a || coder === b), level).alpha);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('with many coders and categories (coder × category tables too large: the list and bucket paths)', () => {
    // 30 coders, 20 units: ~480 values in as many (sparse, renumbered) categories, so 30 · C far
    // exceeds 4 N + 1024.
    const many = fc.tuple(
      levels,
      fc.array(fc.array(fc.option(fc.integer({ min: 0, max: 10 ** 6 }), { nil: null, freq: 4 }), { minLength: 20, maxLength: 20 }), {
        minLength: 30,
        maxLength: 30,
      }),
    );
    fc.assert(
      fc.property(many, ([level, matrix]) => {
        const data = reliabilityFromMatrix(matrix);
        for (const { coder, alpha } of dropOneAlpha(data, level)) {
          sameEstimate(alpha, krippendorffAlpha(selectCoders(data, (other) => other !== coder), level).alpha);
        }
        for (const { a, b, units, alpha } of pairwiseAlpha(data, level)) {
          if (units > 0) sameEstimate(alpha, krippendorffAlpha(selectCoders(data, (coder) => coder === a || coder === b), level).alpha);
        }
      }),
      { numRuns: 10 },
    );
  });

  it('also when values are stored in any coder order within a unit', () => {
    // reliabilityFromMatrix stores each unit's values by coder; the builder keeps insertion order.
    const shuffled = cases.chain(([matrix, level]) =>
      fc.tuple(fc.constant(matrix), fc.constant(level), fc.shuffledSubarray([...matrix.keys()], { minLength: matrix.length, maxLength: matrix.length })),
    );
    fc.assert(
      fc.property(shuffled, ([matrix, level, order]) => {
        const builder = new ReliabilityDataBuilder(matrix.length);
        for (const coder of order) matrix[coder]!.forEach((value, u) => value !== null && builder.add(u, coder, value));
        const data = builder.build();
        for (const { coder, alpha } of dropOneAlpha(data, level)) {
          sameEstimate(alpha, krippendorffAlpha(selectCoders(data, (other) => other !== coder), level).alpha);
        }
        for (const { a, b, units, alpha } of pairwiseAlpha(data, level)) {
          if (units > 0) sameEstimate(alpha, krippendorffAlpha(selectCoders(data, (coder) => coder === a || coder === b), level).alpha);
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('alphaAndUnitDisagreement', () => {
  it('equals alphaOfPrepared and unitDisagreement, bit for bit', () => {
    const values = (level: Level): fc.Arbitrary<number> =>
      fc.oneof(smallCodes, fc.integer({ min: 0, max: 800 }).map((x) => (level === 'nominal' ? x : x / 8)));
    const cases = levels.chain((level) => fc.tuple(matrices(values(level)), fc.constant(level)));
    fc.assert(
      fc.property(cases, ([matrix, level]) => {
        const data = reliabilityFromMatrix(matrix);
        const { alpha, units } = alphaAndUnitDisagreement(prepareReliability(data, level));
        expect(alpha).toEqual(alphaOfPrepared(prepareReliability(data, level)));
        const expected = unitDisagreement(data, level);
        expect(Array.from(units.observed)).toEqual(Array.from(expected.observed));
        expect(units.expected).toBe(expected.expected);
      }),
    );
  });
});

it('handles 200,000 units × 5 coders through the builder in linear time', () => {
  // Unit u: coders 0–3 say u mod 2, coder 4 says the other category; values added coder by coder.
  // Per unit m = 5 with counts {4, 1}: 25 − 17 = 8, /(m − 1) = 2 → observed sum 2 · 200,000 = 400,000.
  // n = 1,000,000, n_0 = n_1 = 500,000: expected sum 10¹² − 2 · 2.5 · 10¹¹ = 5 · 10¹¹.
  // α = 1 − 999,999 · 400,000 / (5 · 10¹¹).
  const units = 200_000;
  const builder = new ReliabilityDataBuilder(5);
  for (let coder = 0; coder < 5; coder++) {
    for (let u = 0; u < units; u++) builder.add(u, coder, coder < 4 ? u % 2 : 1 - (u % 2));
  }
  const result = krippendorffAlpha(builder.build(), 'nominal');
  expect(result.alpha.value).toBeCloseTo(1 - (999_999 * 400_000) / 5e11, 12);
  expect(result.pairableValues).toBe(1_000_000);
});
