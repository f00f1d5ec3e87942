import fc from 'fast-check';
import { intersectionLength, intervalIoU, mergeIntervals, totalLength } from './intervals';
import {
  coverageAgreement,
  estimateStreamOffset,
  matchSegments,
  segmentAgreement,
  temporalAgreement,
  type SegmentJudgement,
} from './temporal';
import { AgreementInputError, type Interval } from './types';

const iv = (start: number, end: number): Interval => ({ start, end });

function seg(item: string, annotator: string, label: string, start: number, end: number): SegmentJudgement {
  return { item, annotator, label, start, end };
}

/** Asserts that `action` throws an AgreementInputError pointing at `index`. */
function expectInputError(action: () => unknown, index: number | null): void {
  let thrown: unknown;
  try {
    action();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(AgreementInputError);
  expect((thrown as AgreementInputError).index).toBe(index);
}

describe('coverageAgreement', () => {
  it('computes IoU of one pair on one item', () => {
    // A = [0,4), B = [2,6): ∩ = [2,4) = 2, ∪ = [0,6) = 6 → 1/3.
    const result = coverageAgreement([seg('i1', 'x', 'speech', 0, 4), seg('i1', 'y', 'speech', 2, 6)]);
    expect(result.labels).toEqual([
      { label: 'speech', pairs: [{ a: 'x', b: 'y', iou: 2 / 6, intersection: 2, union: 6, items: 1 }], meanIoU: 2 / 6 },
    ]);
    expect(result.meanIoU).toBe(2 / 6);
    expect(result.undefinedReasons).toEqual([]);
  });

  it('pools over items as Σ|A∩B| / Σ|A∪B|, not the mean of item IoUs', () => {
    // i1: ∩ = 2, ∪ = 6 (as above). i2: A = B = [10,12): ∩ = 2, ∪ = 2.
    // Pooled (2 + 2) / (6 + 2) = 0.5, whereas the mean of 1/3 and 1 would be 2/3.
    const result = coverageAgreement([
      seg('i1', 'x', 'speech', 0, 4),
      seg('i1', 'y', 'speech', 2, 6),
      seg('i2', 'x', 'speech', 10, 12),
      seg('i2', 'y', 'speech', 10, 12),
    ]);
    expect(result.labels[0]!.pairs).toEqual([{ a: 'x', b: 'y', iou: 0.5, intersection: 4, union: 8, items: 2 }]);
    expect(result.meanIoU).toBe(0.5);
  });

  it('counts a label the other annotator never used as an empty set', () => {
    // Both judged i1. speech: [0,4) vs [0,4) → 1. music: x has [4,6), y has none → ∩ = 0, ∪ = 2 → 0.
    // Dimension mean = (1 + 0) / 2 = 0.5.
    const result = coverageAgreement([
      seg('i1', 'x', 'speech', 0, 4),
      seg('i1', 'x', 'music', 4, 6),
      seg('i1', 'y', 'speech', 0, 4),
    ]);
    expect(result.labels.map((label) => [label.label, label.pairs[0]!.iou, label.pairs[0]!.union])).toEqual([
      ['music', 0, 2],
      ['speech', 1, 4],
    ]);
    expect(result.meanIoU).toBe(0.5);
  });

  it('merges overlapping and touching segments of one annotator before comparing', () => {
    // x: [0,3) ∪ [1,4) ∪ [4,5) = [0,5) (overlap, then contact); y: [0,5). IoU = 5 / 5 = 1.
    // Summing raw lengths instead would give |A| = 3 + 3 + 1 = 7 and a wrong union.
    const result = coverageAgreement([
      seg('i1', 'x', 'speech', 0, 3),
      seg('i1', 'x', 'speech', 1, 4),
      seg('i1', 'x', 'speech', 4, 5),
      seg('i1', 'y', 'speech', 0, 5),
    ]);
    expect(result.labels[0]!.pairs[0]).toEqual({ a: 'x', b: 'y', iou: 1, intersection: 5, union: 5, items: 1 });
  });

  it('compares only annotators who both judged the item', () => {
    // i1 judged by x and y, i2 by x and z: y and z share no item, so they form no pair.
    // (x,y): [0,2) vs [1,3): ∩ 1, ∪ 3. (x,z): [0,2) vs [0,1): ∩ 1, ∪ 2. Mean = (1/3 + 1/2) / 2 = 5/12.
    const result = coverageAgreement([
      seg('i1', 'x', 'speech', 0, 2),
      seg('i1', 'y', 'speech', 1, 3),
      seg('i2', 'x', 'speech', 0, 2),
      seg('i2', 'z', 'speech', 0, 1),
    ]);
    expect(result.labels[0]!.pairs.map((pair) => [pair.a, pair.b, pair.iou])).toEqual([
      ['x', 'y', 1 / 3],
      ['x', 'z', 1 / 2],
    ]);
    expect(result.meanIoU).toBeCloseTo(5 / 12, 15);
  });

  it('sorts labels and pairs by name whatever the input order', () => {
    const result = coverageAgreement([
      seg('i1', 'b', 'zeta', 0, 1),
      seg('i1', 'a', 'alpha', 0, 1),
      seg('i1', 'c', 'alpha', 0, 1),
      seg('i1', 'b', 'alpha', 0, 1),
      seg('i1', 'a', 'zeta', 0, 1),
    ]);
    expect(result.labels.map((label) => label.label)).toEqual(['alpha', 'zeta']);
    expect(result.labels[0]!.pairs.map((pair) => `${pair.a}-${pair.b}`)).toEqual(['a-b', 'a-c', 'b-c']);
    // zeta: (a,b) agree → 1; (a,c) and (b,c) have c without zeta → 0.
    expect(result.labels[1]!.pairs.map((pair) => pair.iou)).toEqual([1, 0, 0]);
  });

  it('leaves a label undefined when nobody else judged its items, and says why', () => {
    // music occurs only on i2, which only x judged; speech has a pair with IoU 1.
    const result = coverageAgreement([
      seg('i1', 'x', 'speech', 0, 1),
      seg('i1', 'y', 'speech', 0, 1),
      seg('i2', 'x', 'music', 0, 1),
    ]);
    expect(result.labels).toEqual([
      { label: 'music', pairs: [], meanIoU: null },
      expect.objectContaining({ label: 'speech', meanIoU: 1 }),
    ]);
    expect(result.meanIoU).toBe(1);
    expect(result.undefinedReasons).toEqual([{ label: 'music', reason: expect.stringContaining('second annotator') }]);
  });

  it('drops zero-length segments but keeps their annotator as present', () => {
    // z's only segment is [3,3): dropped (no label "click" appears), yet z judged i1, so z brings
    // an empty set to speech: (x,y) = 1, (x,z) = 0, (y,z) = 0 → mean 1/3.
    const result = coverageAgreement([
      seg('i1', 'x', 'speech', 0, 4),
      seg('i1', 'y', 'speech', 0, 4),
      seg('i1', 'z', 'click', 3, 3),
    ]);
    expect(result.labels.map((label) => label.label)).toEqual(['speech']);
    expect(result.labels[0]!.pairs.map((pair) => pair.iou)).toEqual([1, 0, 0]);
    expect(result.meanIoU).toBeCloseTo(1 / 3, 15);
    expect(result.zeroLengthSegments).toBe(1);
  });

  it('is undefined without segments', () => {
    expect(coverageAgreement([])).toEqual({
      labels: [],
      meanIoU: null,
      undefinedReasons: [{ label: null, reason: 'no segment of positive length' }],
      zeroLengthSegments: 0,
    });
  });

  it('rejects end < start and non-finite times, naming the index', () => {
    expectInputError(() => coverageAgreement([seg('i', 'x', 'l', 0, 1), seg('i', 'y', 'l', 2, 1)]), 1);
    expectInputError(() => coverageAgreement([seg('i', 'x', 'l', NaN, 1)]), 0);
    expect(() => coverageAgreement([seg('i', 'x', 'l', 0, Infinity)])).toThrow(AgreementInputError);
  });

  it('keeps every IoU in [0, 1] and does not depend on which annotator is named first', () => {
    const judgement = fc.record({
      item: fc.constantFrom('i1', 'i2'),
      annotator: fc.constantFrom('x', 'y', 'z'),
      label: fc.constantFrom('l1', 'l2'),
      start: fc.integer({ min: 0, max: 20 }),
      length: fc.integer({ min: 0, max: 6 }),
    });
    fc.assert(
      fc.property(fc.array(judgement, { maxLength: 20 }), (records) => {
        const segments = records.map((r) => seg(r.item, r.annotator, r.label, r.start, r.start + r.length));
        const swap = (name: string): string => (name === 'x' ? 'z' : name === 'z' ? 'x' : name);
        const iouByPair = (list: SegmentJudgement[], rename: (name: string) => string): Map<string, number> =>
          new Map(
            coverageAgreement(list).labels.flatMap((label) =>
              label.pairs.map((pair) => [`${label.label}:${[rename(pair.a), rename(pair.b)].sort().join('-')}`, pair.iou] as const),
            ),
          );
        const original = iouByPair(segments, (name) => name);
        for (const iou of original.values()) {
          expect(iou).toBeGreaterThanOrEqual(0);
          expect(iou).toBeLessThanOrEqual(1);
        }
        // Renaming x ↔ z and mapping the names back must give the same pairs and values.
        const renamed = segments.map((s) => ({ ...s, annotator: swap(s.annotator) }));
        expect(iouByPair(renamed, swap)).toEqual(original);
      }),
    );
  });
});

describe('matchSegments', () => {
  it('finds the exact matching where greedy would lose a pair', () => {
    // IoU(A0,B0) = [1,10) / [0,11) = 9/11 ≈ 0.818, the best single pair.
    // IoU(A0,B1) = [0,8) / [−2,10) = 8/12; IoU(A1,B0) = [3,11) / [1,13) = 8/12;
    // IoU(A1,B1) = [3,8) / [−2,13) = 5/15 < 0.5.
    // Greedy takes A0–B0 and strands A1 and B1 (total 0.818, F1 = 2·1/4 = 0.5);
    // the exact matching takes A0–B1 and A1–B0 (total 4/3, F1 = 2·2/4 = 1).
    const a = [iv(0, 10), iv(3, 13)];
    const b = [iv(1, 11), iv(-2, 8)];
    expect(matchSegments(a, b)).toEqual({
      pairs: [
        { a: 0, b: 1, iou: 8 / 12 },
        { a: 1, b: 0, iou: 8 / 12 },
      ],
      f1: 1,
    });
  });

  it('accepts a pair whose IoU equals the threshold and rejects it just above', () => {
    // [0,4) vs [2,6): IoU = 2/6.
    expect(matchSegments([iv(0, 4)], [iv(2, 6)], 2 / 6).pairs).toEqual([{ a: 0, b: 0, iou: 2 / 6 }]);
    expect(matchSegments([iv(0, 4)], [iv(2, 6)], 0.34)).toEqual({ pairs: [], f1: 0 });
  });

  it('never matches segments that only touch, even at threshold 0', () => {
    expect(matchSegments([iv(0, 1)], [iv(1, 2)], 0).pairs).toEqual([]);
    // Any overlap qualifies at threshold 0: [0,1) vs [0.9,10): IoU = 0.1 / 10 = 0.01.
    expect(matchSegments([iv(0, 1)], [iv(0.9, 10)], 0).pairs[0]!.iou).toBeCloseTo(0.01, 15);
  });

  it('computes F1 = 2·matched / (|A| + |B|), null when both lists are empty', () => {
    // One match among 2 + 1 segments: F1 = 2 / 3.
    expect(matchSegments([iv(0, 2), iv(5, 6)], [iv(0, 2)]).f1).toBe(2 / 3);
    expect(matchSegments([], [iv(0, 1)]).f1).toBe(0);
    expect(matchSegments([], [])).toEqual({ pairs: [], f1: null });
  });

  it('never matches zero-length segments but counts them', () => {
    expect(matchSegments([iv(1, 1)], [iv(1, 1)])).toEqual({ pairs: [], f1: 0 });
    // [0,2) matches [0,2); the point [5,5) stays unmatched: F1 = 2·1 / (2 + 1).
    expect(matchSegments([iv(0, 2), iv(5, 5)], [iv(0, 2)]).f1).toBe(2 / 3);
  });

  it('rejects bad segments and thresholds', () => {
    expectInputError(() => matchSegments([iv(0, 1)], [iv(0, 1), iv(3, 2)]), 1);
    expect(() => matchSegments([iv(0, 1)], [], 1.5)).toThrow(AgreementInputError);
    expect(() => matchSegments([iv(0, 1)], [], NaN)).toThrow(AgreementInputError);
  });

  const segmentList = fc.array(
    fc.tuple(fc.integer({ min: 0, max: 30 }), fc.integer({ min: 0, max: 8 })).map(([start, length]) => iv(start, start + length)),
    { maxLength: 6 },
  );

  /** Best total IoU over all one-to-one matchings of pairs with positive overlap and IoU ≥ τ. */
  function bruteForceTotal(a: Interval[], b: Interval[], threshold: number): number {
    const used = new Array<boolean>(b.length).fill(false);
    const search = (i: number): number => {
      if (i === a.length) return 0;
      let best = search(i + 1);
      b.forEach((segment, j) => {
        const iou = intervalIoU(a[i]!, segment);
        if (used[j] || iou <= 0 || iou < threshold) return;
        used[j] = true;
        best = Math.max(best, iou + search(i + 1));
        used[j] = false;
      });
      return best;
    };
    return search(0);
  }

  function greedyTotal(a: Interval[], b: Interval[], threshold: number): number {
    const candidates = a
      .flatMap((x, i) => b.map((y, j) => ({ i, j, iou: intervalIoU(x, y) })))
      .filter((pair) => pair.iou > 0 && pair.iou >= threshold)
      .sort((x, y) => y.iou - x.iou);
    const usedA = new Set<number>();
    const usedB = new Set<number>();
    let total = 0;
    for (const pair of candidates) {
      if (usedA.has(pair.i) || usedB.has(pair.j)) continue;
      usedA.add(pair.i);
      usedB.add(pair.j);
      total += pair.iou;
    }
    return total;
  }

  it('is a valid, optimal matching: no segment twice, every IoU ≥ τ, total = brute force ≥ greedy', () => {
    fc.assert(
      fc.property(segmentList, segmentList, fc.constantFrom(0, 0.3, 0.5, 0.7), (a, b, threshold) => {
        const { pairs, f1 } = matchSegments(a, b, threshold);
        expect(new Set(pairs.map((pair) => pair.a)).size).toBe(pairs.length);
        expect(new Set(pairs.map((pair) => pair.b)).size).toBe(pairs.length);
        let total = 0;
        for (const pair of pairs) {
          expect(pair.iou).toBe(intervalIoU(a[pair.a]!, b[pair.b]!));
          expect(pair.iou).toBeGreaterThanOrEqual(threshold);
          expect(pair.iou).toBeGreaterThan(0);
          total += pair.iou;
        }
        expect(total).toBeCloseTo(bruteForceTotal(a, b, threshold), 9);
        expect(total).toBeGreaterThanOrEqual(greedyTotal(a, b, threshold) - 1e-9);
        expect(f1).toBe(a.length + b.length === 0 ? null : (2 * pairs.length) / (a.length + b.length));
      }),
      { numRuns: 300 },
    );
  });

  it('handles one long segment against many short ones (a wide component)', () => {
    // A = [0,10); B = ten segments [k, k+1). Every IoU is 1/10; at τ = 0.1 exactly one is matched,
    // the lowest-index column (ties), at τ = 0.5 none.
    const b = Array.from({ length: 10 }, (_, k) => iv(k, k + 1));
    expect(matchSegments([iv(0, 10)], b, 0.1).pairs).toEqual([{ a: 0, b: 0, iou: 0.1 }]);
    expect(matchSegments([iv(0, 10)], b, 0.5).pairs).toEqual([]);
  });
});

describe('segmentAgreement', () => {
  it('pools matches over items with boundary deviations and per-item details', () => {
    // i1: x [0,10) ~ y [1,11): IoU 9/11, onset |1 − 0| = 1, offset |11 − 10| = 1.
    //     x [20,30) and y [40,45) stay unmatched.
    // i2: x [0,5) ~ y [0.5,5.25): IoU 4.5/5.25, onset 0.5, offset 0.25.
    // Pair (x,y): matched 2, |A| = 3, |B| = 3 → F1 = 2·2 / 6 = 2/3.
    // Onsets {0.5, 1}: nearest-rank median = ⌈0.5·2⌉ = 1st = 0.5, p90 = ⌈0.9·2⌉ = 2nd = 1, max 1.
    // Offsets {0.25, 1}: median 0.25, p90 1, max 1.
    const segments = [
      seg('i1', 'x', 'speech', 0, 10),
      seg('i1', 'x', 'speech', 20, 30),
      seg('i1', 'y', 'speech', 1, 11),
      seg('i1', 'y', 'speech', 40, 45),
      seg('i2', 'x', 'speech', 0, 5),
      seg('i2', 'y', 'speech', 0.5, 5.25),
    ];
    const result = segmentAgreement(segments);
    const onset = { median: 0.5, p90: 1, max: 1 };
    const offset = { median: 0.25, p90: 1, max: 1 };
    expect(result.labels).toEqual([
      {
        label: 'speech',
        pairs: [{ a: 'x', b: 'y', matched: 2, countA: 3, countB: 3, f1: 2 / 3, onsetDeviation: onset, offsetDeviation: offset }],
        f1: 2 / 3,
      },
    ]);
    expect(result.f1).toBe(2 / 3);
    expect(result.onsetDeviation).toEqual(onset);
    expect(result.offsetDeviation).toEqual(offset);
    expect(result.details).toEqual([
      {
        item: 'i1',
        matches: [{ label: 'speech', a: 'x', b: 'y', segmentA: 0, segmentB: 2, iou: 9 / 11, onsetDeviation: 1, offsetDeviation: 1 }],
        unmatched: [
          { label: 'speech', annotator: 'x', other: 'y', segment: 1 },
          { label: 'speech', annotator: 'y', other: 'x', segment: 3 },
        ],
      },
      {
        item: 'i2',
        matches: [{ label: 'speech', a: 'x', b: 'y', segmentA: 4, segmentB: 5, iou: 4.5 / 5.25, onsetDeviation: 0.5, offsetDeviation: 0.25 }],
        unmatched: [],
      },
    ]);
  });

  it('uses nearest-rank percentiles', () => {
    // Ten matched pairs on one item, x [100k, 100k+50) vs y [100k+d, 100k+50) with onset d = 1..10
    // (IoU (50 − d)/50 ≥ 0.8). Nearest rank: median = ⌈0.5·10⌉ = 5th = 5, p90 = ⌈0.9·10⌉ = 9th = 9.
    const segments = Array.from({ length: 10 }, (_, k) => [
      seg('i', 'x', 'l', 100 * k, 100 * k + 50),
      seg('i', 'y', 'l', 100 * k + (10 - k), 100 * k + 50),
    ]).flat();
    const result = segmentAgreement(segments);
    expect(result.onsetDeviation).toEqual({ median: 5, p90: 9, max: 10 });
    expect(result.offsetDeviation).toEqual({ median: 0, p90: 0, max: 0 });
  });

  it('computes the overall F1 as Σ 2·matched / Σ (|A| + |B|) across labels', () => {
    // speech: 1 match of 1 + 1 segments. music: 0 matches of 1 + 2 segments ([0,1) vs [5,6) and
    // [7,8)). Overall F1 = (2·1 + 2·0) / (2 + 3) = 0.4, not the mean of the label F1s 1 and 0.
    const result = segmentAgreement([
      seg('i', 'x', 'speech', 0, 1),
      seg('i', 'y', 'speech', 0, 1),
      seg('i', 'x', 'music', 0, 1),
      seg('i', 'y', 'music', 5, 6),
      seg('i', 'y', 'music', 7, 8),
    ]);
    expect(result.labels.map((label) => [label.label, label.f1])).toEqual([
      ['music', 0],
      ['speech', 1],
    ]);
    expect(result.f1).toBe(0.4);
    expect(result.onsetDeviation).toEqual({ median: 0, p90: 0, max: 0 });
  });

  it('drops zero-length segments from matching (they would only ever be unmatched)', () => {
    // y's [2,2) is dropped: speech is 1 match of 1 + 1 segments, F1 = 1, and nothing is unmatched.
    const result = segmentAgreement([seg('i', 'x', 'speech', 0, 1), seg('i', 'y', 'speech', 0, 1), seg('i', 'y', 'speech', 2, 2)]);
    expect(result.f1).toBe(1);
    expect(result.details[0]!.unmatched).toEqual([]);
    expect(result.zeroLengthSegments).toBe(1);
  });

  it('reports no F1 and no deviations without pairs', () => {
    const result = segmentAgreement([seg('i', 'x', 'speech', 0, 1)]);
    expect(result).toEqual({
      labels: [{ label: 'speech', pairs: [], f1: null }],
      f1: null,
      onsetDeviation: null,
      offsetDeviation: null,
      details: [],
      zeroLengthSegments: 0,
    });
  });

  it('applies the threshold', () => {
    // [0,4) vs [2,6): IoU 1/3 — matched at τ = 0.3, not at the default 0.5.
    const segments = [seg('i', 'x', 'l', 0, 4), seg('i', 'y', 'l', 2, 6)];
    expect(segmentAgreement(segments).f1).toBe(0);
    expect(segmentAgreement(segments, 0.3).f1).toBe(1);
    expect(() => segmentAgreement(segments, -0.1)).toThrow(AgreementInputError);
  });
});

describe('temporalAgreement', () => {
  it('combines coverage and matching for one dimension', () => {
    // speech on i1: x [0,4) vs y [2,6): IoU 1/3 (∩ 2, ∪ 6); below τ = 0.5, so no match: F1 0.
    // speech on i2: x [0,2) vs y [0,2): IoU 1, matched: F1 1.
    // Pooled pair: IoU (2 + 2) / (6 + 2) = 0.5; matched 1 of 2 + 2 → F1 = 2/4 = 0.5.
    const segments = [
      seg('i1', 'x', 'speech', 0, 4),
      seg('i1', 'y', 'speech', 2, 6),
      seg('i2', 'x', 'speech', 0, 2),
      seg('i2', 'y', 'speech', 0, 2),
      seg('i2', 'z', 'speech', 9, 9),
    ];
    const result = temporalAgreement(segments);
    expect(result.labels[0]).toEqual({
      label: 'speech',
      pairs: [
        { a: 'x', b: 'y', iou: 0.5, intersection: 4, union: 8, items: 2, matched: 1, countA: 2, countB: 2, f1: 0.5 },
        // z judged i2 with only a zero-length segment: an empty set against x's and y's [0,2).
        { a: 'x', b: 'z', iou: 0, intersection: 0, union: 2, items: 1, matched: 0, countA: 1, countB: 0, f1: 0 },
        { a: 'y', b: 'z', iou: 0, intersection: 0, union: 2, items: 1, matched: 0, countA: 1, countB: 0, f1: 0 },
      ],
      // (0.5 + 0 + 0) / 3
      meanIoU: 0.5 / 3,
      // Σ 2·matched / Σ (|A| + |B|) = 2 / (4 + 1 + 1)
      f1: 2 / 6,
    });
    expect(result).toMatchObject({
      meanIoU: 0.5 / 3,
      f1: 2 / 6,
      onsetDeviation: { median: 0, p90: 0, max: 0 },
      segments: 5,
      items: 2,
      annotators: ['x', 'y', 'z'],
      zeroLengthSegments: 1,
    });
    expect(temporalAgreement(segments, { threshold: 0.3 }).f1).toBe(4 / 6);
  });

  it('handles 100,000 segments (2 annotators, 1,000 items) without quadratic blow-up', () => {
    // Deterministic LCG so the test needs no seed plumbing.
    let state = 12345;
    const random = (): number => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return state / 2 ** 32;
    };
    const segments: SegmentJudgement[] = [];
    const labels = ['speech', 'music', 'noise'];
    for (let item = 0; item < 1000; item++) {
      let time = 0;
      for (let k = 0; k < 50; k++) {
        const start = time + random();
        const end = start + 0.5 + 2 * random();
        const label = labels[k % 3]!;
        segments.push(seg(`item-${item}`, 'x', label, start, end));
        segments.push(seg(`item-${item}`, 'y', label, start + 0.2 * (random() - 0.5), end + 0.2 * (random() - 0.5)));
        time = end;
      }
    }
    expect(segments.length).toBe(100_000);
    const result = temporalAgreement(segments);
    expect(result.items).toBe(1000);
    expect(result.labels.map((label) => label.label)).toEqual(['music', 'noise', 'speech']);
    // Jitter of at most 0.1 s per boundary on segments of at least 0.5 s keeps every IoU ≥ 0.6.
    expect(result.f1).toBe(1);
    expect(result.meanIoU).toBeGreaterThan(0.9);
    expect(result.onsetDeviation!.max).toBeLessThanOrEqual(0.1);

    // One long pair of streams through matchSegments directly: 50,000 segments each.
    const a = segments.filter((_, index) => index % 2 === 0).map((s, k) => iv(s.start + 200 * Math.floor(k / 50), s.end + 200 * Math.floor(k / 50)));
    const b = a.map((interval) => iv(interval.start + 0.05, interval.end + 0.05));
    expect(matchSegments(a, b).f1).toBe(1);
  });
});

describe('estimateStreamOffset', () => {
  // A = [1,2) ∪ [3,3.5) ∪ [5,7.2): |A| = 1 + 0.5 + 2.2 = 3.7.
  const stream = [iv(1, 2), iv(3, 3.5), iv(5, 7.2)];
  const shifted = (list: Interval[], shift: number): Interval[] => list.map((x) => iv(x.start + shift, x.end + shift));

  it('finds a stream lagging by exactly 0.4 s at +0.4', () => {
    // At d = 0: A ∩ (A + 0.4) = [1.4,2) + [3.4,3.5) + [5.4,7.2) = 0.6 + 0.1 + 1.8 = 2.5,
    // ∪ = 3.7 + 3.7 − 2.5 = 4.9 → IoU 2.5/4.9. At d = 0.4 the streams coincide: IoU 1.
    const result = estimateStreamOffset(stream, shifted(stream, 0.4));
    expect(result.offset).toBeCloseTo(0.4, 9);
    expect(result.iou).toBeCloseTo(1, 12);
    expect(result.iouAtZero).toBeCloseTo(2.5 / 4.9, 12);
    expect(result.gain).toBeCloseTo(1 - 2.5 / 4.9, 12);
  });

  it('reports a negative offset when b runs early', () => {
    expect(estimateStreamOffset(stream, shifted(stream, -0.3)).offset).toBeCloseTo(-0.3, 9);
  });

  it('searches only within ±maxShift, ends included', () => {
    // A = [0,1), B = [3,4): no overlap for any d ∈ [−2, 2] → offset 0, IoU 0; D = 3.5 reaches d = 3.
    expect(estimateStreamOffset([iv(0, 1)], [iv(3, 4)])).toEqual({ offset: 0, iou: 0, iouAtZero: 0, gain: 0 });
    expect(estimateStreamOffset([iv(0, 1)], [iv(3, 4)], { maxShift: 3.5 })).toMatchObject({ offset: 3, iou: 1 });
    // B = [2.5,3.5): the only breakpoint within [−2, 2] is 2.5 − 1 = 1.5 (I = 0); I rises to the
    // edge d = 2: [2,3) ∩ [2.5,3.5) = 0.5, IoU = 0.5 / (1 + 1 − 0.5) = 1/3.
    const atEdge = estimateStreamOffset([iv(0, 1)], [iv(2.5, 3.5)]);
    expect(atEdge.offset).toBe(2);
    expect(atEdge.iou).toBeCloseTo(1 / 3, 15);
  });

  it('prefers the smallest |d| on a flat maximum, then the smaller d', () => {
    // A = [0,1) inside B = [−0.5,10): I(d) = 1 for every d ∈ [−0.5, 2] → d = 0, which is no
    // breakpoint (those are −0.5 − 0 and −0.5 − 1); IoU = 1 / (1 + 10.5 − 1) = 1/10.5.
    expect(estimateStreamOffset([iv(0, 1)], [iv(-0.5, 10)])).toEqual({ offset: 0, iou: 1 / 10.5, iouAtZero: 1 / 10.5, gain: 0 });
    // B = [0.5,10): I(d) = 1 for d ∈ [0.5, 2] → d = 0.5; IoU 1 / (1 + 9.5 − 1) = 1/9.5;
    // at 0: ∩ = 0.5, ∪ = 10 → 0.05.
    const flat = estimateStreamOffset([iv(0, 1)], [iv(0.5, 10)]);
    expect(flat.offset).toBe(0.5);
    expect(flat.iou).toBeCloseTo(1 / 9.5, 15);
    expect(flat.iouAtZero).toBe(0.05);
    // B = [−1,0) ∪ [1,2): I(d) = |d| for |d| ≤ 1, peaks of 1 at d = −1 and d = +1 → −1.
    expect(estimateStreamOffset([iv(0, 1)], [iv(-1, 0), iv(1, 2)]).offset).toBe(-1);
  });

  it('handles empty streams and a zero search range', () => {
    expect(estimateStreamOffset([], [])).toEqual({ offset: 0, iou: null, iouAtZero: null, gain: null });
    expect(estimateStreamOffset([], [iv(0, 1)])).toEqual({ offset: 0, iou: 0, iouAtZero: 0, gain: 0 });
    // Zero-length intervals are dropped by merging: both streams are empty.
    expect(estimateStreamOffset([iv(1, 1)], [iv(2, 2)]).iou).toBeNull();
    expect(estimateStreamOffset(stream, shifted(stream, 0.4), { maxShift: 0 })).toEqual({
      offset: 0,
      iou: expect.closeTo(2.5 / 4.9, 12),
      iouAtZero: expect.closeTo(2.5 / 4.9, 12),
      gain: 0,
    });
  });

  it('rejects bad input', () => {
    expectInputError(() => estimateStreamOffset(stream, [iv(0, 1), iv(2, 1)]), 1);
    expect(() => estimateStreamOffset(stream, stream, { maxShift: -1 })).toThrow(AgreementInputError);
    expect(() => estimateStreamOffset(stream, stream, { maxShift: NaN })).toThrow(AgreementInputError);
  });

  /** Reference IoU of (A + d) with B through the interval algebra. */
  function iouAt(a: Interval[], b: Interval[], shift: number): number {
    const mergedA = mergeIntervals(shifted(a, shift));
    const mergedB = mergeIntervals(b);
    const intersection = intersectionLength(mergedA, mergedB);
    return intersection / (totalLength(mergedA) + totalLength(mergedB) - intersection);
  }

  const intervalList = fc.array(
    fc.tuple(fc.integer({ min: 0, max: 80 }), fc.integer({ min: 1, max: 12 })).map(([start, length]) => iv(start / 8, (start + length) / 8)),
    { minLength: 1, maxLength: 6 },
  );

  it('beats every shift on a fine grid and every breakpoint', () => {
    fc.assert(
      fc.property(intervalList, intervalList, (a, b) => {
        const maxShift = 2;
        const result = estimateStreamOffset(a, b, { maxShift });
        expect(Math.abs(result.offset)).toBeLessThanOrEqual(maxShift);
        expect(result.iou).toBeCloseTo(iouAt(a, b, result.offset), 12);
        const grid = Array.from({ length: 81 }, (_, k) => -maxShift + k / 20);
        const breakpoints = a.flatMap((x) => b.flatMap((y) => [y.start - x.start, y.start - x.end, y.end - x.start, y.end - x.end]));
        for (const shift of [...grid, ...breakpoints.filter((d) => Math.abs(d) <= maxShift)]) {
          expect(result.iou!).toBeGreaterThanOrEqual(iouAt(a, b, shift) - 1e-12);
        }
      }),
      { numRuns: 100 },
    );
  });

  it('picks the shift the definition picks: the best IoU over every b_j − a_i, ±D and 0, smallest |d| first', () => {
    // Brute force over the full candidate set, deciding ties on exact IoUs with the same rule.
    const reference = (a: Interval[], b: Interval[], maxShift: number): number => {
      const boundariesA = mergeIntervals(a).flatMap((x) => [x.start, x.end]);
      const boundariesB = mergeIntervals(b).flatMap((y) => [y.start, y.end]);
      const shifts = [-maxShift, 0, maxShift, ...boundariesA.flatMap((x) => boundariesB.map((y) => y - x))].filter((d) => Math.abs(d) <= maxShift).map((d) => d + 0);
      const ious = shifts.map((d) => iouAt(a, b, d));
      const top = Math.max(...ious);
      const ties = shifts.filter((_, k) => ious[k]! >= top - 1e-12);
      return ties.reduce((x, y) => (Math.abs(y) < Math.abs(x) || (Math.abs(y) === Math.abs(x) && y < x) ? y : x));
    };
    fc.assert(
      fc.property(intervalList, intervalList, fc.integer({ min: 0, max: 24 }), (a, b, eighths) => {
        const maxShift = eighths / 8;
        expect(estimateStreamOffset(a, b, { maxShift }).offset).toBe(reference(a, b, maxShift));
      }),
      { numRuns: 300 },
    );
  });

  it('moves by s when b is shifted by s', () => {
    // b = A + t has its unique best shift at t, so shifting b by s moves the estimate to t + s.
    fc.assert(
      fc.property(intervalList, fc.double({ min: -0.9, max: 0.9, noNaN: true }), fc.double({ min: -0.9, max: 0.9, noNaN: true }), (a, t, s) => {
        const b = shifted(a, t);
        const before = estimateStreamOffset(a, b);
        const after = estimateStreamOffset(a, shifted(b, s));
        expect(before.offset).toBeCloseTo(t, 9);
        expect(after.offset - before.offset).toBeCloseTo(s, 9);
      }),
    );
  });

  it('keeps the best IoU when b is shifted and the range covers every overlap', () => {
    // With D beyond the streams' span no shift with overlap is cut off, so the best IoU is
    // shift-invariant and the new estimate, moved back by s, is a best shift of the original.
    fc.assert(
      fc.property(intervalList, intervalList, fc.integer({ min: -40, max: 40 }), (a, b, step) => {
        const s = step / 16;
        const maxShift = 40;
        const before = estimateStreamOffset(a, b, { maxShift });
        const after = estimateStreamOffset(a, shifted(b, s), { maxShift });
        expect(after.iou).toBeCloseTo(before.iou!, 12);
        expect(iouAt(a, b, after.offset - s)).toBeCloseTo(before.iou!, 12);
      }),
    );
  });
});
