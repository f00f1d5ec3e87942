import { deviationHistogram, iouHistogram, temporalDistribution } from './temporal-distribution';

const counts = (bins: { count: number }[]): number[] => bins.map((bin) => bin.count);

describe('temporal distribution', () => {
  it('bins IoU in tenths, 1 in the last bin', () => {
    expect(counts(iouHistogram([0, 0.05, 0.1, 0.55, 0.99, 1]))).toEqual([2, 1, 0, 0, 0, 1, 0, 0, 0, 2]);
  });

  it('bins deviations with an open last bin', () => {
    const bins = deviationHistogram([0, 0.04, 0.05, 0.3, 1.99, 2, 40]);
    expect(bins.map((bin) => [bin.from, bin.to])).toEqual([[0, 0.05], [0.05, 0.1], [0.1, 0.25], [0.25, 0.5], [0.5, 1], [1, 2], [2, null]]);
    expect(counts(bins)).toEqual([2, 1, 0, 1, 0, 1, 2]);
  });

  it('gives one IoU per item, label and pair, and the deviations of matched segments', () => {
    const segments = [
      // item a: identical → IoU 1, deviations 0
      { item: 'a', annotator: 'x', label: 'host', start: 0, end: 2 },
      { item: 'a', annotator: 'y', label: 'host', start: 0, end: 2 },
      // item b: [0,2) vs [1,3) → IoU 1/3, not matched at 0.5
      { item: 'b', annotator: 'x', label: 'host', start: 0, end: 2 },
      { item: 'b', annotator: 'y', label: 'host', start: 1, end: 3 },
      // item c: [0,4) vs [0.3,4) → IoU 0.925, matched, onset 0.3, offset 0
      { item: 'c', annotator: 'x', label: 'guest', start: 0, end: 4 },
      { item: 'c', annotator: 'y', label: 'guest', start: 0.3, end: 4 },
    ];
    const result = temporalDistribution(segments, 0.5);
    expect(result.pairs).toBe(3);
    expect(counts(result.itemIoU)).toEqual([0, 0, 0, 1, 0, 0, 0, 0, 0, 2]);
    expect(result.matches).toBe(2);
    expect(counts(result.onsetDeviation)).toEqual([1, 0, 0, 1, 0, 0, 0]);
    expect(counts(result.offsetDeviation)).toEqual([2, 0, 0, 0, 0, 0, 0]);
  });

  it('is empty without segments', () => {
    const result = temporalDistribution([], 0.5);
    expect(result.pairs).toBe(0);
    expect(result.matches).toBe(0);
    expect(counts(result.itemIoU).every((count) => count === 0)).toBe(true);
  });
});
