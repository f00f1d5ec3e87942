import fc from 'fast-check';
import {
  intersectIntervals,
  intersectionLength,
  intervalIoU,
  mergeIntervals,
  totalLength,
  unionIntervals,
  unionLength,
} from './intervals';
import { AgreementInputError, type Interval } from './types';

const iv = (start: number, end: number): Interval => ({ start, end });

/** Integer-endpoint intervals, so coverage can be checked cell by cell. */
const integerIntervals = fc.array(
  fc.tuple(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 10 })).map(([start, length]) => iv(start, start + length)),
  { maxLength: 8 },
);

/** Which unit cells [k, k+1) the intervals cover. */
function cells(list: readonly Interval[]): Set<number> {
  const covered = new Set<number>();
  for (const { start, end } of list) for (let k = start; k < end; k++) covered.add(k);
  return covered;
}

describe('mergeIntervals', () => {
  it('sorts, merges overlapping and touching intervals, drops zero-length ones', () => {
    // [5,7) and [6,9) overlap → [5,9); [0,1) and [1,2) touch → [0,2); [3,3) is empty.
    expect(mergeIntervals([iv(6, 9), iv(1, 2), iv(3, 3), iv(0, 1), iv(5, 7)])).toEqual([iv(0, 2), iv(5, 9)]);
  });

  it('absorbs a contained interval and keeps a gap', () => {
    expect(mergeIntervals([iv(0, 10), iv(2, 3), iv(10.5, 11)])).toEqual([iv(0, 10), iv(10.5, 11)]);
  });

  it('returns an empty list for empty or all-zero-length input', () => {
    expect(mergeIntervals([])).toEqual([]);
    expect(mergeIntervals([iv(1, 1), iv(2, 2)])).toEqual([]);
  });

  it('does not modify its input', () => {
    const input = [iv(2, 3), iv(0, 2.5)];
    mergeIntervals(input);
    expect(input).toEqual([iv(2, 3), iv(0, 2.5)]);
  });

  it('rejects end < start and non-finite bounds, naming the index', () => {
    expect(() => mergeIntervals([iv(0, 1), iv(3, 2)])).toThrow(new AgreementInputError('interval 1: end 2 is before start 3', 1));
    let thrown: unknown;
    try {
      mergeIntervals([iv(0, 1), iv(1, 2), iv(NaN, 2)]);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(AgreementInputError);
    expect((thrown as AgreementInputError).index).toBe(2);
    expect(() => mergeIntervals([iv(0, Infinity)])).toThrow(AgreementInputError);
  });

  it('covers exactly the cells its input covers, as a sorted list without contact', () => {
    fc.assert(
      fc.property(integerIntervals, (list) => {
        const merged = mergeIntervals(list);
        expect(cells(merged)).toEqual(cells(list));
        expect(totalLength(merged)).toBe(cells(list).size);
        for (let k = 1; k < merged.length; k++) expect(merged[k]!.start).toBeGreaterThan(merged[k - 1]!.end);
      }),
    );
  });
});

describe('two-list operations', () => {
  it('intersects and unites two merged lists', () => {
    // A = [0,4) ∪ [6,10), B = [2,7) ∪ [9,12).
    // A ∩ B = [2,4) ∪ [6,7) ∪ [9,10): length 2 + 1 + 1 = 4.
    // A ∪ B = [0,12): length 12 = |A| + |B| − |A ∩ B| = 8 + 8 − 4.
    const a = [iv(0, 4), iv(6, 10)];
    const b = [iv(2, 7), iv(9, 12)];
    expect(intersectIntervals(a, b)).toEqual([iv(2, 4), iv(6, 7), iv(9, 10)]);
    expect(intersectionLength(a, b)).toBe(4);
    expect(unionIntervals(a, b)).toEqual([iv(0, 12)]);
    expect(unionLength(a, b)).toBe(12);
  });

  it('unites touching pieces of the two lists into one', () => {
    // [0,1) from A and [1,2) from B touch: one interval [0,2); the intersection is empty.
    expect(unionIntervals([iv(0, 1)], [iv(1, 2)])).toEqual([iv(0, 2)]);
    expect(intersectionLength([iv(0, 1)], [iv(1, 2)])).toBe(0);
  });

  it('handles empty lists', () => {
    expect(intersectIntervals([], [iv(0, 1)])).toEqual([]);
    expect(unionIntervals([], [iv(0, 1)])).toEqual([iv(0, 1)]);
    expect(unionLength([], [])).toBe(0);
  });

  it('rejects a list that is not merged', () => {
    expect(() => intersectionLength([iv(2, 3), iv(0, 1)], [])).toThrow(AgreementInputError);
    expect(() => intersectionLength([], [iv(0, 1), iv(1, 2)])).toThrow(/b\[1\]/);
    expect(() => unionIntervals([iv(0, 0)], [])).toThrow(AgreementInputError);
  });

  it('agrees with cell counting on random lists', () => {
    fc.assert(
      fc.property(integerIntervals, integerIntervals, (listA, listB) => {
        const a = mergeIntervals(listA);
        const b = mergeIntervals(listB);
        const cellsA = cells(a);
        const cellsB = cells(b);
        const both = [...cellsA].filter((k) => cellsB.has(k));
        const either = new Set([...cellsA, ...cellsB]);
        expect(intersectionLength(a, b)).toBe(both.length);
        expect(cells(intersectIntervals(a, b))).toEqual(new Set(both));
        expect(unionLength(a, b)).toBe(either.size);
        expect(unionIntervals(a, b)).toEqual(mergeIntervals([...a, ...b]));
      }),
    );
  });
});

describe('intervalIoU', () => {
  it('computes hand-checked cases', () => {
    // [0,4) vs [2,6): ∩ = 2, ∪ = 4 + 4 − 2 = 6 → 1/3.
    expect(intervalIoU(iv(0, 4), iv(2, 6))).toBeCloseTo(1 / 3, 15);
    // Contained: [1,2) in [0,4): ∩ = 1, ∪ = 4 → 0.25.
    expect(intervalIoU(iv(1, 2), iv(0, 4))).toBe(0.25);
    // Identical: 1. Disjoint or touching: 0.
    expect(intervalIoU(iv(3, 5), iv(3, 5))).toBe(1);
    expect(intervalIoU(iv(0, 1), iv(1, 2))).toBe(0);
    expect(intervalIoU(iv(0, 1), iv(5, 6))).toBe(0);
  });

  it('is 0 when the union is empty', () => {
    expect(intervalIoU(iv(2, 2), iv(2, 2))).toBe(0);
    expect(intervalIoU(iv(2, 2), iv(0, 4))).toBe(0);
  });

  it('is symmetric and within [0, 1]', () => {
    const segment = fc
      .tuple(fc.double({ min: -100, max: 100, noNaN: true }), fc.double({ min: 0, max: 50, noNaN: true }))
      .map(([start, length]) => iv(start, start + length));
    fc.assert(
      fc.property(segment, segment, (a, b) => {
        const iou = intervalIoU(a, b);
        expect(iou).toBe(intervalIoU(b, a));
        expect(iou).toBeGreaterThanOrEqual(0);
        expect(iou).toBeLessThanOrEqual(1);
      }),
    );
  });
});
