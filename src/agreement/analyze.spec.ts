import { ITEM_DISAGREEMENT_LIMIT, analyzeDataset, type BoxResult, type CategoricalResult, type IntervalResult } from './analyze';
import { DatasetBuilder, DatasetInputError, type Dataset } from './dataset';
import type { CanonicalRecord } from './types';

function record(overrides: Partial<CanonicalRecord>): CanonicalRecord {
  return {
    item: 'i1',
    annotator: 'a',
    modality: 'text',
    dimension: 'label',
    label: null,
    value: null,
    start: null,
    end: null,
    frame: null,
    box: null,
    ...overrides,
  };
}

function datasetOf(records: ReadonlyArray<Partial<CanonicalRecord>>): Dataset {
  const builder = new DatasetBuilder();
  records.forEach((overrides, index) => builder.add(record(overrides), index + 2));
  return builder.build();
}

/** Rows "annotator: one label per item, '.' for none" as records, read by item like a file would be. */
function matrixRecords(rows: Record<string, string>): Array<Partial<CanonicalRecord>> {
  const cells = Object.entries(rows).map(([annotator, row]) => [annotator, row.split(' ')] as const);
  const items = cells[0]![1].length;
  const records: Array<Partial<CanonicalRecord>> = [];
  for (let item = 0; item < items; item++) {
    for (const [annotator, labels] of cells) {
      const label = labels[item]!;
      if (label !== '.') records.push({ item: `u${item + 1}`, annotator, label });
    }
  }
  return records;
}

// Krippendorff (2011), the 4 coders × 12 units example with missing values.
const PUBLISHED = matrixRecords({
  A: '1 2 3 3 2 1 4 1 2 . . .',
  B: '1 2 3 3 2 2 4 1 2 5 . 3',
  C: '. 3 3 3 2 3 4 2 2 5 1 .',
  D: '1 2 3 3 2 4 4 1 2 5 1 .',
});

function categorical(dataset: Dataset, options: Parameters<typeof analyzeDataset>[1] = {}): CategoricalResult {
  const result = analyzeDataset(dataset, options).results[0]!;
  if (result.shape !== 'categorical') throw new Error(`expected a categorical result, got ${result.shape}`);
  return result;
}

/** Paths of values JSON cannot carry faithfully: NaN, ±Infinity, undefined. */
function nonJsonValues(value: unknown, path = '$'): string[] {
  if (value === undefined || (typeof value === 'number' && !Number.isFinite(value))) return [`${path}: ${String(value)}`];
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, inner]) => nonJsonValues(inner, `${path}.${key}`));
}

function positionsOfError(run: () => unknown): Array<[number, string]> {
  try {
    run();
  } catch (error) {
    if (error instanceof DatasetInputError) return error.issues.map((issue) => [issue.position, issue.message]);
    throw error;
  }
  throw new Error('expected a DatasetInputError');
}

describe('analyzeDataset on categorical data', () => {
  it.each([
    ['nominal', 0.743],
    ['ordinal', 0.815],
    ['interval', 0.849],
    ['ratio', 0.797],
  ] as const)('gives the published %s alpha %d', (level, alpha) => {
    const result = categorical(datasetOf(PUBLISHED), { level });
    expect(result.alpha).toBeCloseTo(alpha, 3);
    expect(result).toMatchObject({ level, items: 12, pairableItems: 11, annotators: 4, judgements: 41 });
  });

  it('takes the level of a dimension from `levels`, by modality/dimension before dimension', () => {
    const dataset = datasetOf(PUBLISHED.map((overrides) => ({ ...overrides, dimension: 'score' })));
    expect(categorical(dataset, { level: 'nominal', levels: { score: 'ratio' } }).level).toBe('ratio');
    expect(categorical(dataset, { levels: { score: 'ratio', 'text/score': 'interval' } }).level).toBe('interval');
  });

  it('lists annotators by name and reports drop-one change as alpha without minus alpha', () => {
    const result = categorical(datasetOf(PUBLISHED), { level: 'interval' });
    expect(result.dropOne.map((entry) => entry.annotator)).toEqual(['A', 'B', 'C', 'D']);
    for (const entry of result.dropOne) expect(entry.change).toBeCloseTo(entry.alpha! - result.alpha!, 12);
    expect(result.pairwise.map((pair) => `${pair.a}${pair.b}:${pair.items}`)).toEqual(['AB:9', 'AC:8', 'AD:9', 'BC:9', 'BD:10', 'CD:10']);
  });

  it('computes Cohen’s kappa for exactly two annotators', () => {
    // a: x x y y, b: x y y y → p_o = 3/4; p_e = (2·1 + 2·3)/16 = 1/2; κ = (3/4 − 1/2)/(1 − 1/2) = 1/2.
    const a = ['x', 'x', 'y', 'y'];
    const b = ['x', 'y', 'y', 'y'];
    const result = categorical(
      datasetOf(a.flatMap((label, item) => [{ item: `u${item}`, annotator: 'a', label }, { item: `u${item}`, annotator: 'b', label: b[item]! }])),
    );
    expect(result.cohenKappa).toBeCloseTo(0.5, 12);
    expect(result.percentAgreement).toBeCloseTo(0.75, 12);
    expect(result.undefinedReasons.cohenKappa).toBeUndefined();
  });

  it('gives null with a reason, never NaN, when alpha and kappas are undefined', () => {
    const result = categorical(datasetOf(['a', 'b', 'c'].flatMap((annotator) => [{ item: 'u1', annotator, label: 'same' }])));
    expect(result.alpha).toBeNull();
    expect(result.cohenKappa).toBeNull();
    expect(result.fleissKappa).toBeNull();
    expect(result.undefinedReasons).toEqual({
      alpha: expect.stringContaining('no variation'),
      cohenKappa: 'needs exactly two annotators; there are 3',
      fleissKappa: expect.any(String),
    });
    expect(nonJsonValues(result)).toEqual([]);
  });

  it('ranks items by observed disagreement and shows at most the limit', () => {
    const records: Array<Partial<CanonicalRecord>> = [];
    for (let item = 0; item < 30; item++) {
      // Items 0–4 agree; items 5–29 disagree, the last ones with three labels among three annotators.
      const labels = item < 5 ? ['x', 'x', 'x'] : item < 25 ? ['x', 'x', 'y'] : ['x', 'y', 'z'];
      labels.forEach((label, coder) => records.push({ item: `u${item}`, annotator: `c${coder}`, label }));
    }
    const result = categorical(datasetOf(records));
    expect(result.disagreeingItems).toBe(25);
    expect(result.itemDisagreement).toHaveLength(ITEM_DISAGREEMENT_LIMIT);
    expect(result.itemDisagreement.slice(0, 6).map((entry) => entry.item)).toEqual(['u25', 'u26', 'u27', 'u28', 'u29', 'u5']);
    // All three pairs disagree → 1; one of three pairs agrees → 4 of 6 ordered pairs disagree.
    expect(result.itemDisagreement[0]!.disagreement).toBe(1);
    expect(result.itemDisagreement[5]!.disagreement).toBeCloseTo(4 / 6, 12);
  });

  it('gives the same bootstrap interval for the same seed', () => {
    const dataset = datasetOf(PUBLISHED);
    const first = categorical(dataset, { level: 'interval', bootstrap: { samples: 200, seed: 7 } }).ci;
    const second = categorical(dataset, { level: 'interval', bootstrap: { samples: 200, seed: 7 } }).ci;
    expect(first).toEqual(second);
    expect(first).toMatchObject({ samples: 200, seed: 7, confidence: 0.95 });
    expect(first!.lower!).toBeLessThan(first!.upper!);
  });

  it('reads numeric levels from value, else from a numeric label, and names the lines that have neither', () => {
    const dataset = datasetOf([
      { item: 'u1', annotator: 'a', label: '1' },
      { item: 'u1', annotator: 'b', label: 'high' },
      { item: 'u2', annotator: 'a', label: 'high', value: 3 },
      { item: 'u2', annotator: 'b' },
    ]);
    expect(positionsOfError(() => analyzeDataset(dataset, { level: 'interval' }))).toEqual([
      [3, expect.stringContaining('label "high" is not a number')],
      [5, expect.stringContaining('no value and no label')],
    ]);
  });

  it('names the line of a negative ratio value and of a nominal judgement without a label', () => {
    const ratio = datasetOf([{ item: 'u1', value: 1 }, { item: 'u1', annotator: 'b', value: -2 }]);
    expect(positionsOfError(() => analyzeDataset(ratio, { level: 'ratio' }))).toEqual([[3, 'ratio values must be ≥ 0, got -2']]);
    expect(positionsOfError(() => analyzeDataset(ratio))).toEqual([
      [2, expect.stringContaining('no label: nominal agreement in text/label compares labels')],
      [3, expect.stringContaining('no label')],
    ]);
  });
});

describe('analyzeDataset on segments and boxes', () => {
  it('compares segments per label, naming unlabelled ones after the dimension', () => {
    const dataset = datasetOf([
      { modality: 'audio', dimension: 'speech', item: 'c1', annotator: 'a', start: 0, end: 2 },
      { modality: 'audio', dimension: 'speech', item: 'c1', annotator: 'b', start: 1, end: 2 },
    ]);
    const result = analyzeDataset(dataset).results[0] as IntervalResult;
    expect(result).toMatchObject({ shape: 'intervals', items: 1, annotators: 2, segments: 2, threshold: 0.5, meanIoU: 0.5, f1: 1 });
    expect(result.labels).toEqual([
      expect.objectContaining({ label: 'speech', meanIoU: 0.5, pairs: [expect.objectContaining({ a: 'a', b: 'b', iou: 0.5 })] }),
    ]);
  });

  it('matches boxes per image and treats each video frame as its own image', () => {
    const box = { x: 0, y: 0, w: 10, h: 10 };
    const dataset = datasetOf([
      { modality: 'video', dimension: 'faces', item: 'v1', annotator: 'a', label: 'face', frame: 1, box },
      { modality: 'video', dimension: 'faces', item: 'v1', annotator: 'b', label: 'face', frame: 1, box },
      { modality: 'video', dimension: 'faces', item: 'v1', annotator: 'b', label: 'face', frame: 2, box },
    ]);
    const result = analyzeDataset(dataset).results[0] as BoxResult;
    expect(result).toMatchObject({ shape: 'boxes', items: 1, annotators: 2, boxes: 3, f1: 1, meanIoU: 1, matchedObjects: 1 });
    expect(result.pairs).toEqual([expect.objectContaining({ a: 'a', b: 'b', units: 1, matched: 1 })]);
  });
});
