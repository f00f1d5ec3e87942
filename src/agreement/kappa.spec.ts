import fc from 'fast-check';
import { cohenKappa, confusionMatrix, fleissKappa, percentAgreement, tallyPairableUnits } from './kappa';
import { AgreementInputError, type ReliabilityData } from './types';

/** Rows are coders, columns are units, null is a missing judgement. */
function fromMatrix(matrix: (number | null)[][]): ReliabilityData {
  const unitCount = matrix[0]?.length ?? 0;
  const unitOffsets = new Int32Array(unitCount + 1);
  const coders: number[] = [];
  const values: number[] = [];
  for (let u = 0; u < unitCount; u++) {
    matrix.forEach((row, coder) => {
      const value = row[u];
      if (value === null || value === undefined) return;
      coders.push(coder);
      values.push(value);
    });
    unitOffsets[u + 1] = values.length;
  }
  return {
    unitOffsets,
    coders: Int32Array.from(coders),
    values: Float64Array.from(values),
    coderCount: matrix.length,
  };
}

/** Each unit given as its list of values; coder i gives the i-th value. */
function fromUnits(units: number[][]): ReliabilityData {
  const unitOffsets = new Int32Array(units.length + 1);
  const coders: number[] = [];
  const values: number[] = [];
  units.forEach((unit, u) => {
    unit.forEach((value, coder) => {
      coders.push(coder);
      values.push(value);
    });
    unitOffsets[u + 1] = values.length;
  });
  return {
    unitOffsets,
    coders: Int32Array.from(coders),
    values: Float64Array.from(values),
    coderCount: Math.max(0, ...units.map((unit) => unit.length)),
  };
}

/** Two coders from the cells of a 2×2 table [yes-yes, yes-no, no-yes, no-no]; 1 = yes, 0 = no. */
function twoByTwo([yesYes, yesNo, noYes, noNo]: [number, number, number, number]): ReliabilityData {
  const a: number[] = [];
  const b: number[] = [];
  const add = (count: number, valueA: number, valueB: number): void => {
    for (let i = 0; i < count; i++) {
      a.push(valueA);
      b.push(valueB);
    }
  };
  add(yesYes, 1, 1);
  add(yesNo, 1, 0);
  add(noYes, 0, 1);
  add(noNo, 0, 0);
  return fromMatrix([a, b]);
}

const reliabilityArbitrary = fc
  .record({ coders: fc.integer({ min: 2, max: 5 }), units: fc.integer({ min: 0, max: 25 }) })
  .chain(({ coders, units }) =>
    fc.array(fc.array(fc.option(fc.integer({ min: 0, max: 3 }), { freq: 4 }), { minLength: units, maxLength: units }), {
      minLength: coders,
      maxLength: coders,
    }),
  );

describe('percentAgreement', () => {
  it('counts raw ordered pairs, not weighted by 1/(m_u − 1)', () => {
    // Unit 1: values 1,1,2 → agreeing ordered pairs 2 of 3·2 = 6.
    // Unit 2: values 3,3 → 2 of 2. Unit 3: a single value → not pairable.
    // (2 + 2) / (6 + 2) = 0.5 (weighting by 1/(m_u − 1) would give (1 + 2) / (3 + 2) = 0.6).
    const data = fromMatrix([
      [1, 3, 5],
      [1, 3, null],
      [2, null, null],
    ]);
    expect(percentAgreement(data)).toEqual({ agreement: { value: 0.5, reason: null }, pairableUnits: 2 });
  });

  it('is undefined without a pairable unit', () => {
    const data = fromMatrix([
      [1, null],
      [null, 2],
    ]);
    expect(percentAgreement(data)).toEqual({
      agreement: { value: null, reason: 'no unit has two or more judgements' },
      pairableUnits: 0,
    });
  });

  it('rejects non-finite values, naming the index', () => {
    const data = fromMatrix([[1, 2], [1, Number.NaN]]);
    expect(() => percentAgreement(data)).toThrow(new AgreementInputError('value NaN is not a finite number', 3));
  });

  it('lies in [0, 1] and does not change when the values are relabelled', () => {
    const relabelling = fc.uniqueArray(fc.integer({ min: -1000, max: 1000 }), { minLength: 4, maxLength: 4 });
    fc.assert(
      fc.property(reliabilityArbitrary, relabelling, (matrix, newValueOf) => {
        const original = percentAgreement(fromMatrix(matrix)).agreement;
        const relabelled = percentAgreement(
          fromMatrix(matrix.map((row) => row.map((value) => (value === null ? null : newValueOf[value]!)))),
        ).agreement;
        expect(relabelled).toEqual(original);
        if (original.value !== null) {
          expect(original.value).toBeGreaterThanOrEqual(0);
          expect(original.value).toBeLessThanOrEqual(1);
        }
      }),
    );
  });

  it('equals Cohen p_o when two coders judge every unit', () => {
    const code = fc.integer({ min: 0, max: 3 });
    fc.assert(
      fc.property(fc.array(fc.tuple(code, code), { minLength: 1 }), (pairs) => {
        const data = fromMatrix([pairs.map(([a]) => a), pairs.map(([, b]) => b)]);
        expect(percentAgreement(data).agreement.value).toBe(cohenKappa(data, 0, 1).observed);
      }),
    );
  });
});

describe('cohenKappa', () => {
  it('gives 0.4 for the 2×2 table with p_o = 0.7 and p_e = 0.5', () => {
    // 50 items: yes-yes 20, yes-no 5, no-yes 10, no-no 15. p_o = (20 + 15) / 50 = 0.7.
    // A says yes 25/50 = 0.5, B says yes 30/50 = 0.6; p_e = 0.5·0.6 + 0.5·0.4 = 0.5.
    // κ = (0.7 − 0.5) / (1 − 0.5) = 0.4.
    const result = cohenKappa(twoByTwo([20, 5, 10, 15]), 0, 1);
    expect(result.items).toBe(50);
    expect(result.observed).toBe(35 / 50);
    expect(result.expected).toBe(1250 / 2500);
    expect(result.kappa.value).toBeCloseTo(0.4, 12);
  });

  it('uses only the units both coders judged, and each coder’s own marginals', () => {
    // Shared units 1–4: A = 1,1,2,3 and B = 1,2,2,2 (unit 5 has only A, unit 6 only C).
    // p_o = 2/4. Marginals A: {1: 2, 2: 1, 3: 1}, B: {1: 1, 2: 3}; p_e = (2·1 + 1·3 + 1·0) / 16 = 5/16.
    // κ = (8/16 − 5/16) / (11/16) = 3/11.
    const data = fromMatrix([
      [1, 1, 2, 3, 3, null],
      [1, 2, 2, 2, null, null],
      [null, null, null, null, null, 1],
    ]);
    const result = cohenKappa(data, 0, 1);
    expect(result).toEqual({
      kappa: { value: expect.any(Number), reason: null },
      items: 4,
      observed: 0.5,
      expected: 5 / 16,
    });
    expect(result.kappa.value).toBeCloseTo(3 / 11, 12);
  });

  it('is negative when the coders systematically disagree', () => {
    // yes-no 5, no-yes 5: p_o = 0, p_e = 0.5·0.5 + 0.5·0.5 = 0.5, κ = −0.5 / 0.5 = −1.
    expect(cohenKappa(twoByTwo([0, 5, 5, 0]), 0, 1).kappa).toEqual({ value: -1, reason: null });
  });

  it('is undefined when the coders share no unit', () => {
    const data = fromMatrix([
      [1, null],
      [null, 1],
    ]);
    expect(cohenKappa(data, 0, 1)).toEqual({
      kappa: { value: null, reason: 'coders 0 and 1 judged no unit in common' },
      items: 0,
      observed: null,
      expected: null,
    });
  });

  it('is undefined when both coders use one and the same value (p_e = 1)', () => {
    const data = fromMatrix([
      [4, 4, 4],
      [4, 4, 4],
    ]);
    expect(cohenKappa(data, 0, 1)).toEqual({
      kappa: { value: null, reason: 'both coders gave one and the same value on all 3 shared units; chance agreement is 1' },
      items: 3,
      observed: 1,
      expected: 1,
    });
  });

  it('is defined when each coder uses a single but different value (p_e = 0)', () => {
    // p_o = 0, p_e = 1·0 + 0·1 = 0, κ = 0.
    const data = fromMatrix([
      [1, 1],
      [2, 2],
    ]);
    expect(cohenKappa(data, 0, 1).kappa).toEqual({ value: 0, reason: null });
  });

  it('rejects unknown coders and a coder paired with itself', () => {
    const data = fromMatrix([[1], [1]]);
    expect(() => cohenKappa(data, 0, 2)).toThrow(AgreementInputError);
    expect(() => cohenKappa(data, -1, 1)).toThrow(AgreementInputError);
    expect(() => cohenKappa(data, 1, 1)).toThrow('a coder (1) cannot be compared with itself');
  });

  it('is symmetric in the two coders, at most 1, and 1 exactly when defined with full agreement', () => {
    fc.assert(
      fc.property(reliabilityArbitrary, (matrix) => {
        const data = fromMatrix(matrix);
        const ab = cohenKappa(data, 0, 1);
        const ba = cohenKappa(data, 1, 0);
        expect([ba.kappa.value, ba.items, ba.observed, ba.expected]).toEqual([
          ab.kappa.value,
          ab.items,
          ab.observed,
          ab.expected,
        ]);
        if (ab.kappa.value !== null) {
          expect(ab.kappa.value).toBeLessThanOrEqual(1);
          expect(ab.kappa.value).toBeGreaterThanOrEqual(-1);
          expect(ab.kappa.value === 1).toBe(ab.observed === 1);
        }
      }),
    );
  });
});

describe('fleissKappa', () => {
  it('reproduces the 10 subjects × 14 raters × 5 categories example (κ ≈ 0.210)', () => {
    const table = [
      [0, 0, 0, 0, 14],
      [0, 2, 6, 4, 2],
      [0, 0, 3, 5, 6],
      [0, 3, 9, 2, 0],
      [2, 2, 8, 1, 1],
      [7, 7, 0, 0, 0],
      [3, 2, 6, 3, 0],
      [2, 5, 3, 2, 2],
      [6, 5, 2, 1, 0],
      [0, 2, 2, 3, 7],
    ];
    const data = fromUnits(table.map((counts) => counts.flatMap((count, category) => Array<number>(count).fill(category))));
    // Σ_ij n_ij² by row: 196 + 60 + 70 + 94 + 74 + 98 + 58 + 46 + 66 + 66 = 828, so
    // P̄ = (828 − 140) / (10 · 14 · 13) = 688/1820.
    // Column totals 20, 28, 39, 21, 32 of 140: P̄_e = (400 + 784 + 1521 + 441 + 1024) / 140² = 4170/19600.
    // κ = (688/1820 − 4170/19600) / (1 − 4170/19600) = 4211/20059 ≈ 0.2099.
    const result = fleissKappa(data);
    expect(result.items).toBe(10);
    expect(result.ratersPerItem).toBe(14);
    expect(result.kappa.value).toBeCloseTo(4211 / 20059, 12);
    expect(result.kappa.value).toBeCloseTo(0.21, 3);
  });

  it('computes a hand-worked 3-rater case', () => {
    // Items (a,a,a), (a,a,b), (a,b,c), (b,b,b): agreeing ordered pairs 6 + 2 + 0 + 6 = 14 of 4·3·2 = 24,
    // P̄ = 14/24. Totals a 6, b 5, c 1 of 12: P̄_e = (36 + 25 + 1)/144 = 62/144.
    // κ = (84/144 − 62/144) / (82/144) = 22/82 = 11/41.
    const data = fromUnits([
      [0, 0, 0],
      [0, 0, 1],
      [0, 1, 2],
      [1, 1, 1],
    ]);
    const result = fleissKappa(data);
    expect(result).toEqual({ kappa: { value: expect.any(Number), reason: null }, items: 4, ratersPerItem: 3 });
    expect(result.kappa.value).toBeCloseTo(11 / 41, 12);
  });

  it('ignores units with a single judgement when checking the number of raters', () => {
    // Pairable units (1,1) and (1,2): P̄ = 2/4; totals 1: 3, 2: 1 of 4; P̄_e = 10/16; κ = (8 − 10)/(16 − 10) = −1/3.
    const data = fromUnits([[1, 1], [1, 2], [7]]);
    const result = fleissKappa(data);
    expect(result.items).toBe(2);
    expect(result.kappa.value).toBeCloseTo(-1 / 3, 12);
  });

  it('is undefined when items have different numbers of judgements', () => {
    const data = fromUnits([[1, 1], [1, 2, 2, 1], [2, 2, 2]]);
    expect(fleissKappa(data)).toEqual({
      kappa: { value: null, reason: "items have between 2 and 4 judgements; Fleiss' kappa needs the same number per item" },
      items: 3,
      ratersPerItem: null,
    });
  });

  it('is undefined with a single category (P̄_e = 1) and without pairable units', () => {
    expect(fleissKappa(fromUnits([[3, 3], [3, 3]]))).toEqual({
      kappa: { value: null, reason: 'every judgement on the pairable items has the same value; chance agreement is 1' },
      items: 2,
      ratersPerItem: 2,
    });
    expect(fleissKappa(fromUnits([[3], []]))).toEqual({
      kappa: { value: null, reason: 'no unit has two or more judgements' },
      items: 0,
      ratersPerItem: null,
    });
  });

  it('is at most 1, and 1 exactly when every item is unanimous', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 5 }).chain((raters) =>
          fc.array(fc.array(fc.integer({ min: 0, max: 3 }), { minLength: raters, maxLength: raters }), {
            minLength: 1,
            maxLength: 20,
          }),
        ),
        (units) => {
          const { kappa } = fleissKappa(fromUnits(units));
          if (kappa.value === null) return;
          expect(kappa.value).toBeLessThanOrEqual(1);
          expect(kappa.value === 1).toBe(units.every((unit) => unit.every((value) => value === unit[0])));
        },
      ),
    );
  });
});

describe('confusionMatrix', () => {
  it('cross-tabulates the shared units over the sorted values either coder used', () => {
    // Shared units 1–4 give pairs (3,1), (1,1), (1,3), (3,3); unit 5 has A only, so 7 does not appear.
    const data = fromMatrix([
      [3, 1, 1, 3, 7],
      [1, 1, 3, 3, null],
    ]);
    expect(confusionMatrix(data, 0, 1)).toEqual({
      values: [1, 3],
      counts: [
        [1, 1],
        [1, 1],
      ],
      items: 4,
    });
  });

  it('sums to the shared items with Cohen p_o on its diagonal, and transposes when the coders swap', () => {
    fc.assert(
      fc.property(reliabilityArbitrary, (matrix) => {
        const data = fromMatrix(matrix);
        const table = confusionMatrix(data, 0, 1);
        const cohen = cohenKappa(data, 0, 1);
        const total = table.counts.flat().reduce((sum, count) => sum + count, 0);
        const diagonal = table.counts.reduce((sum, row, i) => sum + row[i]!, 0);
        expect(total).toBe(cohen.items);
        expect(table.items).toBe(cohen.items);
        if (cohen.items > 0) expect(diagonal / table.items).toBe(cohen.observed);
        const swapped = confusionMatrix(data, 1, 0);
        expect(swapped.values).toEqual(table.values);
        expect(swapped.counts).toEqual(table.values.map((_, i) => table.values.map((_, j) => table.counts[j]![i]!)));
      }),
    );
  });
});

describe('value coding', () => {
  it('gives the same results, bit for bit, whether values are small integers (lookup table) or not (Map)', () => {
    // Adding 0.5 keeps which values are equal and their order of appearance, so every figure is the
    // same double; the integers take the lookup-table path, the halves the Map path.
    const shifted = (matrix: (number | null)[][]): (number | null)[][] => matrix.map((row) => row.map((v) => (v === null ? null : v + 0.5)));
    fc.assert(
      fc.property(reliabilityArbitrary, (matrix) => {
        const data = fromMatrix(matrix);
        const halves = fromMatrix(shifted(matrix));
        expect(percentAgreement(halves)).toEqual(percentAgreement(data));
        expect(fleissKappa(halves)).toEqual(fleissKappa(data));
        expect(cohenKappa(halves, 0, 1)).toEqual(cohenKappa(data, 0, 1));
      }),
    );
  });

  it('codes sparse, negative and −0 integers like the Map does', () => {
    const data = fromMatrix([
      [-0, 500, -7, 3],
      [0, 500, -7, null],
      [0, -7, 3, 3],
    ]);
    const halves = fromMatrix([
      [0.5, 500.5, -6.5, 3.5],
      [0.5, 500.5, -6.5, null],
      [0.5, -6.5, 3.5, 3.5],
    ]);
    expect(fleissKappa(data)).toEqual(fleissKappa(halves));
    expect(percentAgreement(data)).toEqual(percentAgreement(halves));
  });

  it('codes many real values (hash table) like their first-appearance ranks (lookup table)', () => {
    const reals = fc.array(fc.array(fc.option(fc.oneof(fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.constantFrom(0, -0, 0.5, 1e-300)), { freq: 5 }), { minLength: 300, maxLength: 300 }), {
      minLength: 3,
      maxLength: 3,
    });
    fc.assert(
      fc.property(reals, (matrix) => {
        // Rank of first appearance in the stored order (unit by unit, coder by coder), −0 as 0.
        const rank = new Map<number, number>();
        for (let u = 0; u < 300; u++) for (const row of matrix) if (row[u] != null && !rank.has(row[u]!)) rank.set(row[u]!, rank.size);
        const ranked = matrix.map((row) => row.map((v) => (v === null ? null : rank.get(v)!)));
        const data = fromMatrix(matrix);
        expect(fleissKappa(data)).toEqual(fleissKappa(fromMatrix(ranked)));
        expect(percentAgreement(data)).toEqual(percentAgreement(fromMatrix(ranked)));
        expect(cohenKappa(data, 0, 2)).toEqual(cohenKappa(fromMatrix(ranked), 0, 2));
      }),
      { numRuns: 30 },
    );
  });

  it('lets percentAgreement and fleissKappa share one tally', () => {
    fc.assert(
      fc.property(reliabilityArbitrary, (matrix) => {
        const data = fromMatrix(matrix);
        const tally = tallyPairableUnits(data);
        expect(percentAgreement(data, tally)).toEqual(percentAgreement(data));
        expect(fleissKappa(data, tally)).toEqual(fleissKappa(data));
      }),
    );
  });

  it('still rejects non-finite values at their index', () => {
    expect(() => percentAgreement(fromMatrix([[1, Number.POSITIVE_INFINITY], [1, 2]]))).toThrow(AgreementInputError);
  });
});
