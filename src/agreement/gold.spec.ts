import { DatasetBuilder, type Dataset, type JudgementRecord } from './dataset';
import { goldAccuracy } from './gold';

function datasetOf(records: ReadonlyArray<Partial<JudgementRecord>>): Dataset {
  const builder = new DatasetBuilder();
  records.forEach((overrides, index) =>
    builder.add(
      { item: 'i1', annotator: 'a', modality: 'text', dimension: 'sentiment', label: null, value: null, start: null, end: null, frame: null, box: null, ...overrides },
      index + 2,
    ),
  );
  return builder.build();
}

describe('goldAccuracy', () => {
  it('gives each annotator’s share of labels equal to gold’s, leaving out items whose gold is ambiguous', () => {
    const dataset = datasetOf([
      ...['x', 'y', 'x', 'y'].map((label, k) => ({ item: `u${k + 1}`, annotator: 'expert', label, gold: true })),
      { item: 'u5', annotator: 'expert', label: 'x', gold: true },
      { item: 'u5', annotator: 'expert2', label: 'y', gold: true },
      ...['x', 'y', 'x', 'x', 'x'].map((label, k) => ({ item: `u${k + 1}`, annotator: 'alice', label })),
      ...['x', 'x'].map((label, k) => ({ item: `u${k + 1}`, annotator: 'bob', label })),
      { item: 'u9', annotator: 'carol', label: 'x' },
    ]);
    expect(goldAccuracy(dataset, { threshold: 0.5 })).toEqual([
      { modality: 'text', dimension: 'sentiment', annotator: 'alice', items: 4, accuracy: 0.75, measure: 'label-accuracy', undefinedReason: null },
      { modality: 'text', dimension: 'sentiment', annotator: 'bob', items: 2, accuracy: 0.5, measure: 'label-accuracy', undefinedReason: null },
    ]);
  });

  it('gives the coverage IoU with gold for segments, pooled over items and labels', () => {
    const segment = (item: string, annotator: string, start: number, end: number, label = 'speech', gold = false) => ({
      item,
      annotator,
      modality: 'audio' as const,
      dimension: 'speech',
      label,
      start,
      end,
      gold,
    });
    const dataset = datasetOf([
      segment('c1', 'gold', 0, 10, 'speech', true),
      segment('c2', 'gold', 0, 4, 'music', true),
      segment('c1', 'alice', 0, 5),
      segment('c2', 'alice', 0, 4, 'speech'),
    ]);
    // c1: 5 / 10; c2: speech 0 / 4, music 0 / 4.
    expect(goldAccuracy(dataset, { threshold: 0.5 })).toEqual([
      { modality: 'audio', dimension: 'speech', annotator: 'alice', items: 2, accuracy: 5 / 18, measure: 'coverage-iou', undefinedReason: null },
    ]);
  });

  it('gives mean IoU of matched boxes × F1 for boxes, frame by frame', () => {
    const box = (annotator: string, label: string, x: number, y: number, w: number, h: number, gold = false, frame: number | null = null) => ({
      item: 'img',
      annotator,
      modality: 'image' as const,
      dimension: 'objects',
      label,
      box: { x, y, w, h },
      frame,
      gold,
    });
    const dataset = datasetOf([
      box('gold', 'car', 0, 0, 10, 10, true),
      box('alice', 'car', 0, 0, 10, 5),
      box('alice', 'person', 50, 50, 5, 5),
      box('bob', 'car', 0, 0, 10, 10, false, 3),
    ]);
    // One match at IoU 0.5 among 2 + 1 boxes: 0.5 × 2/3. Bob drew only on frame 3, which gold did not.
    expect(goldAccuracy(dataset, { threshold: 0.5 })).toEqual([
      { modality: 'image', dimension: 'objects', annotator: 'alice', items: 1, accuracy: 1 / 3, measure: 'box-f1-iou', undefinedReason: null },
    ]);
  });

  it('gives nothing without gold', () => {
    expect(goldAccuracy(datasetOf([{ label: 'x' }, { annotator: 'b', label: 'y' }]), { threshold: 0.5 })).toEqual([]);
  });
});
