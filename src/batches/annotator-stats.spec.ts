import type { BoxResult, CategoricalResult, IntervalResult } from '../agreement/analyze';
import { annotatorStatsOf } from './annotator-stats';

const categorical = {
  modality: 'text',
  dimension: 'sentiment',
  shape: 'categorical',
  level: 'nominal',
  alpha: 0.5,
  dropOne: [
    { annotator: 'a', alpha: 0.4, change: -0.1, undefinedReasons: {} },
    { annotator: 'b', alpha: 0.3, change: -0.2, undefinedReasons: {} },
    { annotator: 'c', alpha: 0.9, change: 0.4, undefinedReasons: {} },
  ],
  pairwise: [
    { a: 'a', b: 'b', items: 10, alpha: 0.9, percentAgreement: 0.95, undefinedReasons: {} },
    { a: 'a', b: 'c', items: 10, alpha: 0.2, percentAgreement: 0.6, undefinedReasons: {} },
    { a: 'b', b: 'c', items: 0, alpha: null, percentAgreement: null, undefinedReasons: { alpha: 'no items' } },
  ],
} as unknown as CategoricalResult;

describe('annotatorStatsOf', () => {
  it('reads drop-one and pairwise alpha off a categorical result, in name order', () => {
    const stats = annotatorStatsOf(categorical, new Map([['c', 10], ['a', 10], ['b', 9]]));
    expect(stats.map((s) => [s.annotator, s.judgements])).toEqual([['a', 10], ['b', 9], ['c', 10]]);
    expect(stats[0]).toMatchObject({ dropOneAlpha: 0.4, dropOneChange: -0.1, meanPairwiseAlpha: (0.9 + 0.2) / 2, meanIoU: null });
    expect(stats[0]!.pairs).toEqual([
      { with: 'b', items: 10, alpha: 0.9, percentAgreement: 0.95 },
      { with: 'c', items: 10, alpha: 0.2, percentAgreement: 0.6 },
    ]);
    // undefined pairwise alphas are left out of the mean
    expect(stats[1]!.meanPairwiseAlpha).toBe(0.9);
    expect(stats[2]).toMatchObject({ dropOneAlpha: 0.9, dropOneChange: 0.4, meanPairwiseAlpha: 0.2 });
  });

  it('gives null figures to an annotator the result does not mention', () => {
    const [stat] = annotatorStatsOf(categorical, new Map([['zed', 1]]));
    expect(stat).toMatchObject({ annotator: 'zed', dropOneAlpha: null, meanPairwiseAlpha: null, pairs: [] });
  });

  it('averages pooled IoU and F1 over labels and partners for intervals', () => {
    const intervals = {
      shape: 'intervals',
      labels: [
        { label: 'host', pairs: [{ a: 'a', b: 'b', iou: 0.8, f1: 1, items: 3 }] },
        { label: 'guest', pairs: [{ a: 'a', b: 'b', iou: 0.6, f1: 0.5, items: 2 }] },
      ],
    } as unknown as IntervalResult;
    const [a, b] = annotatorStatsOf(intervals, new Map([['a', 4], ['b', 4]]));
    expect(a).toMatchObject({ meanIoU: 0.7, meanF1: 0.75, dropOneAlpha: null });
    expect(b!.pairs).toEqual([
      { with: 'a', label: 'host', items: 3, iou: 0.8, f1: 1 },
      { with: 'a', label: 'guest', items: 2, iou: 0.6, f1: 0.5 },
    ]);
  });

  it('reads box pairs', () => {
    const boxes = {
      shape: 'boxes',
      pairs: [{ a: 'a', b: 'b', units: 4, f1: 0.5, meanIoU: null }],
    } as unknown as BoxResult;
    const [a] = annotatorStatsOf(boxes, new Map([['a', 2], ['b', 2]]));
    expect(a).toMatchObject({ meanF1: 0.5, meanIoU: null, pairs: [{ with: 'b', items: 4, f1: 0.5, meanIoU: null }] });
  });
});
