import fc from 'fast-check';
import { ReliabilityDataBuilder, reliabilityFromColumns, reliabilityFromKeys, reliabilityFromMatrix, selectCoders, unitCountOf } from './reliability';
import { AgreementInputError, type ReliabilityData } from './types';

/** Unit u's (coder, value) pairs, in stored order. */
function unitsOf(data: ReliabilityData): Array<Array<[number, number]>> {
  return Array.from({ length: unitCountOf(data) }, (_, u) => {
    const pairs: Array<[number, number]> = [];
    for (let i = data.unitOffsets[u]!; i < data.unitOffsets[u + 1]!; i++) pairs.push([data.coders[i]!, data.values[i]!]);
    return pairs;
  });
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

describe('ReliabilityDataBuilder', () => {
  it('groups values by unit, keeping insertion order within a unit and empty units', () => {
    const builder = new ReliabilityDataBuilder(3);
    builder.add(3, 2, 7);
    builder.add(0, 1, 5);
    builder.add(3, 0, 8);
    builder.add(0, 0, 4);
    const data = builder.build();
    // unitCount = max unit + 1 = 4; units 1 and 2 are empty.
    expect(Array.from(data.unitOffsets)).toEqual([0, 2, 2, 2, 4]);
    expect(unitsOf(data)).toEqual([[[1, 5], [0, 4]], [], [], [[2, 7], [0, 8]]]);
    expect(data.coderCount).toBe(3);
    expect(data.categories).toBeUndefined();
  });

  it('builds empty data when nothing was added', () => {
    const data = new ReliabilityDataBuilder(2).build();
    expect(Array.from(data.unitOffsets)).toEqual([0]);
    expect(data.values.length).toBe(0);
  });

  it('keeps the categories it is given', () => {
    const builder = new ReliabilityDataBuilder(1);
    builder.add(0, 0, 1);
    expect(builder.build(['no', 'yes']).categories).toEqual(['no', 'yes']);
  });

  it('grows past its initial capacity without losing values', () => {
    const builder = new ReliabilityDataBuilder(2);
    for (let u = 2999; u >= 0; u--) {
      builder.add(u, 1, u * 2 + 1);
      builder.add(u, 0, u * 2);
    }
    const data = builder.build();
    expect(unitCountOf(data)).toBe(3000);
    expect(unitsOf(data)[1234]).toEqual([[1, 2469], [0, 2468]]);
    expect(unitsOf(data)[2999]).toEqual([[1, 5999], [0, 5998]]);
  });

  it('rejects a coder giving two values to one unit, at the index of the second value', () => {
    const builder = new ReliabilityDataBuilder(2);
    builder.add(0, 0, 1);
    builder.add(1, 1, 1);
    builder.add(1, 0, 2);
    builder.add(0, 0, 3);
    const error = thrown(() => builder.build());
    expect(error.index).toBe(3);
    expect(error.message).toBe('coder 0 gave more than one value to unit 0');
  });

  it.each([
    [-1, 0],
    [0.5, 0],
    [Number.NaN, 0],
    [0, 2],
    [0, -1],
    [0, 1.5],
  ])('rejects unit %p / coder %p at the index of the value', (unit, coder) => {
    const builder = new ReliabilityDataBuilder(2);
    builder.add(0, 0, 1);
    expect(thrown(() => builder.add(unit, coder, 1)).index).toBe(1);
  });

  it('rejects a coder count that is not a non-negative integer', () => {
    expect(() => new ReliabilityDataBuilder(-1)).toThrow(AgreementInputError);
    expect(() => new ReliabilityDataBuilder(2.5)).toThrow(AgreementInputError);
  });

  it('matches a naive grouping for any insertion order (property)', () => {
    const cells = fc.uniqueArray(fc.tuple(fc.nat(20), fc.nat(3), fc.integer({ min: -5, max: 5 })), {
      selector: ([unit, coder]) => `${unit}/${coder}`,
      maxLength: 60,
    });
    fc.assert(
      fc.property(cells, (triples) => {
        const builder = new ReliabilityDataBuilder(4);
        for (const [unit, coder, value] of triples) builder.add(unit, coder, value);
        const data = builder.build();
        const unitCount = triples.reduce((max, [unit]) => Math.max(max, unit + 1), 0);
        const expected = Array.from({ length: unitCount }, (_, u) =>
          triples.filter(([unit]) => unit === u).map(([, coder, value]): [number, number] => [coder, value]),
        );
        expect(unitsOf(data)).toEqual(expected);
      }),
    );
  });
});

describe('reliabilityFromColumns and reliabilityFromKeys', () => {
  const cells = fc.uniqueArray(fc.tuple(fc.nat(20), fc.nat(3), fc.integer({ min: -5, max: 5 })), {
    selector: ([unit, coder]) => `${unit}/${coder}`,
    maxLength: 60,
  });

  it('build what the builder builds from the same triples (property)', () => {
    fc.assert(
      fc.property(cells, (triples) => {
        const builder = new ReliabilityDataBuilder(4);
        for (const [unit, coder, value] of triples) builder.add(unit, coder, value);
        const expected = builder.build(['x']);
        const units = Int32Array.from(triples, ([unit]) => unit);
        const coders = Int32Array.from(triples, ([, coder]) => coder);
        const values = Float64Array.from(triples, ([, , value]) => value);
        expect(reliabilityFromColumns(units, coders, values, 4, ['x'])).toEqual(expected);
        // Keys 100 + unit and 10 + coder, looked up in tables.
        const unitOf = new Int32Array(121).fill(-1);
        for (let u = 0; u <= 20; u++) unitOf[100 + u] = u;
        const coderOf = Int32Array.from({ length: 14 }, (_, key) => key - 10);
        const unitCount = unitCountOf(expected);
        const keyed = reliabilityFromKeys(
          { unitKeys: units.map((u) => 100 + u), unitOf, unitCount, coderKeys: coders.map((c) => 10 + c), coderOf, coderCount: 4 },
          values,
          ['x'],
        );
        expect(keyed).toEqual(expected);
      }),
    );
  });

  it('reject a coder giving two values to one unit, at the index of the second value', () => {
    const units = Int32Array.of(0, 1, 1, 0);
    const coders = Int32Array.of(0, 1, 0, 0);
    const values = Float64Array.of(1, 1, 2, 3);
    const error = thrown(() => reliabilityFromColumns(units, coders, values, 2));
    expect([error.index, error.message]).toEqual([3, 'coder 0 gave more than one value to unit 0']);
    const keyed = thrown(() =>
      reliabilityFromKeys({ unitKeys: units, unitOf: Int32Array.of(1, 0), unitCount: 2, coderKeys: coders, coderOf: Int32Array.of(0, 1), coderCount: 2 }, values),
    );
    expect([keyed.index, keyed.message]).toEqual([3, 'coder 0 gave more than one value to unit 1']);
  });

  it.each([
    [-1, 0],
    [0, 2],
    [0, -1],
  ])('reliabilityFromColumns rejects unit %p / coder %p at its index', (unit, coder) => {
    expect(thrown(() => reliabilityFromColumns(Int32Array.of(0, unit), Int32Array.of(0, coder), Float64Array.of(1, 1), 2)).index).toBe(1);
  });

  it('reliabilityFromColumns rejects columns of different lengths', () => {
    expect(() => reliabilityFromColumns(Int32Array.of(0), Int32Array.of(0, 1), Float64Array.of(1), 2)).toThrow(AgreementInputError);
  });
});

describe('reliabilityFromMatrix', () => {
  it('reads rows as coders and columns as units, null as missing, ragged rows as missing', () => {
    const data = reliabilityFromMatrix([
      [1, null, 3],
      [2, 5],
    ]);
    expect(data.coderCount).toBe(2);
    expect(unitsOf(data)).toEqual([[[0, 1], [1, 2]], [[1, 5]], [[0, 3]]]);
    expect(data.categories).toBeUndefined();
  });

  it('codes labels in order of first appearance, reading row by row, numbers as their string', () => {
    const data = reliabilityFromMatrix([
      ['b', null, 'a'],
      ['a', 1, 'b'],
    ]);
    expect(data.categories).toEqual(['b', 'a', '1']);
    expect(unitsOf(data)).toEqual([[[0, 0], [1, 1]], [[1, 2]], [[0, 1], [1, 0]]]);
  });

  it('gives no units for an empty matrix', () => {
    expect(unitCountOf(reliabilityFromMatrix([]))).toBe(0);
    expect(reliabilityFromMatrix([[], []]).coderCount).toBe(2);
  });
});

describe('selectCoders', () => {
  it('keeps every unit and only the chosen coders, with their indexes and the categories', () => {
    const data = reliabilityFromMatrix([
      ['x', 'y', null],
      ['y', null, 'x'],
      ['x', 'x', 'x'],
    ]);
    const kept = selectCoders(data, (coder) => coder !== 1);
    expect(unitsOf(kept)).toEqual([[[0, 0], [2, 0]], [[0, 1], [2, 0]], [[2, 0]]]);
    expect(kept.coderCount).toBe(3);
    expect(kept.categories).toEqual(['x', 'y']);
    expect(unitsOf(selectCoders(data, () => false))).toEqual([[], [], []]);
  });
});
