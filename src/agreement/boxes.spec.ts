import fc from 'fast-check';
import { boxAgreement, boxIoU, matchBoxes, type BoxJudgement } from './boxes';
import { AgreementInputError, type LabeledBox } from './types';

function box(x: number, y: number, w: number, h: number, label = 'car'): LabeledBox {
  return { x, y, w, h, label };
}

const gridBox = fc.record({
  x: fc.integer({ min: 0, max: 20 }),
  y: fc.integer({ min: 0, max: 20 }),
  w: fc.integer({ min: 0, max: 12 }),
  h: fc.integer({ min: 0, max: 12 }),
  label: fc.constantFrom('car', 'person'),
});

const realBox = fc.record({
  x: fc.double({ min: -1e3, max: 1e3, noNaN: true }),
  y: fc.double({ min: -1e3, max: 1e3, noNaN: true }),
  w: fc.double({ min: 0, max: 1e3, noNaN: true }),
  h: fc.double({ min: 0, max: 1e3, noNaN: true }),
});

/** Best total IoU over all one-to-one matchings, by exhaustive search (small inputs only). */
function bestTotal(a: LabeledBox[], b: LabeledBox[], threshold: number, byClass: boolean, from = 0, used = 0): number {
  if (from === a.length) return 0;
  let best = bestTotal(a, b, threshold, byClass, from + 1, used);
  b.forEach((candidate, col) => {
    const iou = boxIoU(a[from]!, candidate);
    if (used & (1 << col) || iou < threshold || (byClass && a[from]!.label !== candidate.label)) return;
    best = Math.max(best, iou + bestTotal(a, b, threshold, byClass, from + 1, used | (1 << col)));
  });
  return best;
}

describe('boxIoU', () => {
  it.each([
    ['overlapping corners: ∩ = 1·1, ∪ = 4 + 4 − 1', box(0, 0, 2, 2), box(1, 1, 2, 2), 1 / 7],
    ['containment: ∩ = 2·2, ∪ = 4·4', box(0, 0, 4, 4), box(1, 1, 2, 2), 4 / 16],
    ['a strip: ∩ = 4·2, ∪ = 16', box(0, 0, 4, 4), box(0, 0, 4, 2), 0.5],
    ['identical boxes', box(0.1, 0.2, 0.3, 0.7), box(0.1, 0.2, 0.3, 0.7), 1],
    ['touching edges share no area', box(0, 0, 2, 2), box(2, 0, 2, 2), 0],
    ['disjoint', box(0, 0, 1, 1), box(5, 5, 1, 1), 0],
    ['two empty boxes: the union is 0', box(3, 3, 0, 0), box(3, 3, 0, 0), 0],
    ['an empty box inside another', box(0, 0, 4, 4), box(1, 1, 0, 2), 0],
  ])('%s', (_, a, b, expected) => {
    expect(boxIoU(a, b)).toBe(expected);
  });

  it('rejects non-finite coordinates and negative extents', () => {
    expect(() => boxIoU(box(0, 0, -1, 1), box(0, 0, 1, 1))).toThrow('a: box w must be a finite number ≥ 0, got -1');
    expect(() => boxIoU(box(0, 0, 1, 1), box(Number.NaN, 0, 1, 1))).toThrow('b: box x must be a finite number, got NaN');
    expect(() => boxIoU(box(0, 0, 1, Number.POSITIVE_INFINITY), box(0, 0, 1, 1))).toThrow(AgreementInputError);
  });

  it('is symmetric and lies in [0, 1]', () => {
    fc.assert(
      fc.property(realBox, realBox, (a, b) => {
        const iou = boxIoU(a, b);
        expect(boxIoU(b, a)).toBe(iou);
        expect(iou).toBeGreaterThanOrEqual(0);
        expect(iou).toBeLessThanOrEqual(1);
      }),
    );
  });

  it('is 1 for a box of positive area with itself', () => {
    const extent = fc.double({ min: 1e-3, max: 1e3, noNaN: true });
    fc.assert(
      fc.property(realBox, extent, extent, (corner, w, h) => {
        const a = { ...corner, w, h };
        expect(boxIoU(a, { ...a })).toBe(1);
      }),
    );
  });
});

describe('matchBoxes', () => {
  it('maximizes the total IoU where greedy best-first matching would not', () => {
    // Strips of height 1, so IoU is the overlap of the x ranges:
    // a0 [0,10], a1 [2,12]; b0 [1,10], b1 [-3,7].
    // IoU(a0,b0) = 9/10, IoU(a0,b1) = 7/13, IoU(a1,b0) = 8/11, IoU(a1,b1) = 5/15 < 0.5.
    // Greedy takes a0–b0 (0.9) and leaves a1 unmatched; the optimum a0–b1 + a1–b0 = 7/13 + 8/11 ≈ 1.265.
    const a = [box(0, 0, 10, 1), box(2, 0, 10, 1)];
    const b = [box(1, 0, 9, 1), box(-3, 0, 10, 1)];
    expect(matchBoxes(a, b)).toEqual({
      pairs: [
        { a: 0, b: 1, iou: 7 / 13 },
        { a: 1, b: 0, iou: 8 / 11 },
      ],
    });
  });

  it('matches only boxes of the same label unless byClass is false', () => {
    const a = [box(0, 0, 4, 4, 'car'), box(10, 10, 4, 4, 'person')];
    const b = [box(0, 0, 4, 4, 'truck'), box(10, 10, 4, 4, 'person')];
    expect(matchBoxes(a, b).pairs).toEqual([{ a: 1, b: 1, iou: 1 }]);
    expect(matchBoxes(a, b, 0.5, { byClass: false }).pairs).toEqual([
      { a: 0, b: 0, iou: 1 },
      { a: 1, b: 1, iou: 1 },
    ]);
  });

  it('keeps pairs with IoU exactly τ and drops them above it', () => {
    // ∩ = 4·2 = 8, ∪ = 16: IoU = 0.5.
    const a = [box(0, 0, 4, 4)];
    const b = [box(0, 0, 4, 2)];
    expect(matchBoxes(a, b, 0.5).pairs).toEqual([{ a: 0, b: 0, iou: 0.5 }]);
    expect(matchBoxes(a, b, 0.51).pairs).toEqual([]);
  });

  it('handles empty lists', () => {
    expect(matchBoxes([], [box(0, 0, 1, 1)])).toEqual({ pairs: [] });
  });

  it('rejects a bad box naming its list and index, and a threshold outside (0, 1]', () => {
    const bad = box(0, 0, 1, -2);
    expect(() => matchBoxes([box(0, 0, 1, 1)], [box(0, 0, 1, 1), bad])).toThrow(
      new AgreementInputError('b[1]: box h must be a finite number ≥ 0, got -2', 1),
    );
    expect(() => matchBoxes([], [], 0)).toThrow('the IoU threshold must be in (0, 1], got 0');
    expect(() => matchBoxes([], [], 1.5)).toThrow(AgreementInputError);
    expect(() => matchBoxes([], [], Number.NaN)).toThrow(AgreementInputError);
  });

  it('matches each box at most once, respects τ and classes, and reaches the best total IoU', () => {
    fc.assert(
      fc.property(
        fc.array(gridBox, { maxLength: 5 }),
        fc.array(gridBox, { maxLength: 5 }),
        fc.constantFrom(0.1, 0.3, 0.5, 0.7),
        fc.boolean(),
        (a, b, threshold, byClass) => {
          const { pairs } = matchBoxes(a, b, threshold, { byClass });
          expect(new Set(pairs.map((pair) => pair.a)).size).toBe(pairs.length);
          expect(new Set(pairs.map((pair) => pair.b)).size).toBe(pairs.length);
          for (const pair of pairs) {
            expect(pair.iou).toBe(boxIoU(a[pair.a]!, b[pair.b]!));
            expect(pair.iou).toBeGreaterThanOrEqual(threshold);
            if (byClass) expect(a[pair.a]!.label).toBe(b[pair.b]!.label);
          }
          const total = pairs.reduce((sum, pair) => sum + pair.iou, 0);
          expect(total).toBeCloseTo(bestTotal(a, b, threshold, byClass), 9);
        },
      ),
    );
  });
});

describe('boxAgreement', () => {
  const judgement = (unit: string, annotator: string, b: LabeledBox): BoxJudgement => ({ unit, annotator, box: b });
  const twoAnnotators: BoxJudgement[] = [
    judgement('img1', 'ann', box(0, 0, 10, 10, 'car')), // 0
    judgement('img1', 'ann', box(20, 0, 10, 10, 'car')), // 1
    judgement('img1', 'ann', box(40, 0, 10, 10, 'person')), // 2
    judgement('img1', 'bob', box(0, 0, 10, 10, 'car')), // 3: IoU 1 with 0
    judgement('img1', 'bob', box(21, 0, 10, 10, 'person')), // 4: IoU 90/110 with 1, another class
    judgement('img2', 'ann', box(0, 0, 4, 4, 'person')), // 5
    judgement('img2', 'bob', box(0, 0, 4, 2, 'person')), // 6: IoU 8/16 with 5
    judgement('img2', 'bob', box(100, 100, 5, 5, 'car')), // 7
    judgement('img3', 'ann', box(0, 0, 1, 1, 'car')), // 8: bob did not draw on img3
  ];

  it('scores one annotator pair over their shared units', () => {
    // Class-aware matches: img1 0–3 (IoU 1), img2 5–6 (IoU 0.5). img3 is not shared.
    // |A| = 3 + 1 = 4, |B| = 2 + 2 = 4: F1 = 2·2 / 8 = 0.5, mean IoU = (1 + 0.5) / 2 = 0.75.
    // car: boxes 0, 1, 3, 7 → 4, one match (IoU 1): F1 = 2/4. person: boxes 2, 4, 5, 6 → 4, one match
    // (IoU 0.5): F1 = 2/4.
    // Class-agnostic matches: 0–3 (car, car), 1–4 (car, person), 5–6 (person, person). Nominal alpha:
    // n = 6, n_car = n_person = 3, disagreeing coincidences o_car,person + o_person,car = 2:
    // α = 1 − (6 − 1)·2 / (3·3 + 3·3) = 1 − 10/18 = 4/9.
    const result = boxAgreement(twoAnnotators);
    expect(result.threshold).toBe(0.5);
    expect(result.annotators).toEqual(['ann', 'bob']);
    expect(result.pairs).toEqual([
      {
        annotatorA: 'ann',
        annotatorB: 'bob',
        units: 2,
        matched: 2,
        boxesA: 4,
        boxesB: 4,
        f1: 0.5,
        meanIoU: { value: 0.75, reason: null },
      },
    ]);
    expect(result.labels).toEqual([
      { label: 'car', matched: 1, boxes: 4, f1: 0.5, meanIoU: { value: 1, reason: null } },
      { label: 'person', matched: 1, boxes: 4, f1: 0.5, meanIoU: { value: 0.5, reason: null } },
    ]);
    expect(result.f1).toEqual({ value: 0.5, reason: null });
    expect(result.meanIoU).toEqual({ value: 0.75, reason: null });
    expect(result.classAgreement.matchedObjects).toBe(3);
    expect(result.classAgreement.sameLabel).toBe(2);
    expect(result.classAgreement.alpha.value).toBeCloseTo(4 / 9, 12);
    expect(result.unmatched).toEqual([
      { unit: 'img1', annotator: 'ann', against: 'bob', judgements: [1, 2] },
      { unit: 'img1', annotator: 'bob', against: 'ann', judgements: [4] },
      { unit: 'img2', annotator: 'bob', against: 'ann', judgements: [7] },
    ]);
  });

  it('pools F1, IoU and class agreement over all annotator pairs', () => {
    // cat draws one person on img2, identical to ann's (judgement 9).
    // ann–cat: 1 unit, 1 + 1 boxes, 1 match (IoU 1): F1 = 1.
    // bob–cat: 1 unit, 2 + 1 boxes, 1 match (6–9, IoU 0.5): F1 = 2/3.
    // Overall F1 = 2·(2 + 1 + 1) / (8 + 2 + 3) = 8/13; mean IoU = (1 + 0.5 + 1 + 0.5) / 4 = 0.75.
    // person: boxes 4 + 2 + 2 = 8, matches 3: F1 = 6/8, mean IoU (0.5 + 1 + 0.5) / 3 = 2/3.
    // car: boxes 4 + 1 (bob's 7 against cat) = 5, one match: F1 = 2/5.
    // Class units: (car, car), (car, person) and three (person, person): n = 10, n_car = 3, n_person = 7,
    // α = 1 − 9·2 / (3·7 + 7·3) = 1 − 18/42 = 4/7.
    const result = boxAgreement([...twoAnnotators, judgement('img2', 'cat', box(0, 0, 4, 4, 'person'))]);
    expect(result.pairs.map(({ annotatorA, annotatorB, units, f1 }) => [annotatorA, annotatorB, units, f1])).toEqual([
      ['ann', 'bob', 2, 0.5],
      ['ann', 'cat', 1, 1],
      ['bob', 'cat', 1, 2 / 3],
    ]);
    expect(result.f1.value).toBeCloseTo(8 / 13, 12);
    expect(result.meanIoU).toEqual({ value: 0.75, reason: null });
    expect(result.labels.map(({ label, matched, boxes, f1 }) => [label, matched, boxes, f1])).toEqual([
      ['car', 1, 5, 0.4],
      ['person', 3, 8, 0.75],
    ]);
    expect(result.labels[1]!.meanIoU.value).toBeCloseTo(2 / 3, 12);
    expect(result.classAgreement.matchedObjects).toBe(5);
    expect(result.classAgreement.alpha.value).toBeCloseTo(4 / 7, 12);
    expect(result.unmatched).toContainEqual({ unit: 'img2', annotator: 'bob', against: 'cat', judgements: [7] });
  });

  it('reports undefined figures when no two annotators share a unit or nothing matches', () => {
    const alone = boxAgreement([judgement('img1', 'ann', box(0, 0, 1, 1))]);
    expect(alone.pairs).toEqual([]);
    expect(alone.f1).toEqual({ value: null, reason: 'no two annotators drew boxes on a common unit' });
    expect(alone.meanIoU).toEqual({ value: null, reason: 'no boxes matched at IoU ≥ 0.5' });
    expect(alone.classAgreement).toEqual({
      alpha: { value: null, reason: 'no boxes matched at IoU ≥ 0.5' },
      matchedObjects: 0,
      sameLabel: 0,
    });

    // Disjoint boxes: F1 = 2·0 / 2 = 0, defined; mean IoU undefined.
    const apart = boxAgreement([judgement('img1', 'ann', box(0, 0, 1, 1)), judgement('img1', 'bob', box(5, 5, 1, 1))]);
    expect(apart.f1).toEqual({ value: 0, reason: null });
    expect(apart.pairs[0]!.meanIoU).toEqual({ value: null, reason: 'no boxes matched at IoU ≥ 0.5' });
  });

  it('uses the given threshold', () => {
    // At τ = 0.6 the img2 pair (IoU 0.5) no longer matches: F1 = 2·1 / 8.
    const result = boxAgreement(twoAnnotators, { threshold: 0.6 });
    expect(result.threshold).toBe(0.6);
    expect(result.f1).toEqual({ value: 0.25, reason: null });
  });

  it('rejects a bad box naming the judgement', () => {
    const judgements = [judgement('img1', 'ann', box(0, 0, 1, 1)), judgement('img1', 'bob', box(0, 0, Number.NaN, 1))];
    expect(() => boxAgreement(judgements)).toThrow(
      new AgreementInputError('judgement 1: box w must be a finite number ≥ 0, got NaN', 1),
    );
  });

  it('keeps counts consistent: F1 in [0, 1], and unmatched boxes are exactly the boxes left over', () => {
    const judgementArbitrary = fc.record({
      unit: fc.constantFrom('img1', 'img2'),
      annotator: fc.constantFrom('ann', 'bob', 'cat'),
      box: gridBox,
    });
    fc.assert(
      fc.property(fc.array(judgementArbitrary, { maxLength: 20 }), (judgements) => {
        const result = boxAgreement(judgements);
        let agnosticMatches = 0;
        for (const pair of result.pairs) {
          expect(pair.matched).toBeLessThanOrEqual(Math.min(pair.boxesA, pair.boxesB));
          expect(pair.f1).toBeGreaterThanOrEqual(0);
          expect(pair.f1).toBeLessThanOrEqual(1);
          const leftOver = (annotator: string, against: string): number =>
            result.unmatched
              .filter((entry) => entry.annotator === annotator && entry.against === against)
              .reduce((sum, entry) => sum + entry.judgements.length, 0);
          expect(leftOver(pair.annotatorA, pair.annotatorB)).toBe(pair.boxesA - pair.matched);
          expect(leftOver(pair.annotatorB, pair.annotatorA)).toBe(pair.boxesB - pair.matched);
          for (const unit of ['img1', 'img2']) {
            const boxesOf = (annotator: string): LabeledBox[] =>
              judgements.filter((j) => j.unit === unit && j.annotator === annotator).map((j) => j.box);
            agnosticMatches += matchBoxes(boxesOf(pair.annotatorA), boxesOf(pair.annotatorB), 0.5, { byClass: false })
              .pairs.length;
          }
        }
        expect(result.classAgreement.matchedObjects).toBe(agnosticMatches);
      }),
    );
  });
});
