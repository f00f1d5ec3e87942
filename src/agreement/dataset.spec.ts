import { analyzeDataset, type CategoricalResult, type IntervalResult } from './analyze';
import { DatasetBuilder, DatasetInputError, type DatasetIssue } from './dataset';
import type { CanonicalRecord } from './types';

function record(overrides: Partial<CanonicalRecord>): CanonicalRecord {
  return {
    item: 'i1',
    annotator: 'a',
    modality: 'text',
    dimension: 'label',
    label: 'x',
    value: null,
    start: null,
    end: null,
    frame: null,
    box: null,
    ...overrides,
  };
}

function issuesOf(build: () => unknown): DatasetIssue[] {
  try {
    build();
  } catch (error) {
    if (error instanceof DatasetInputError) return [...error.issues];
    throw error;
  }
  throw new Error('expected a DatasetInputError');
}

describe('DatasetBuilder', () => {
  it('groups records by dimension, infers each shape and orders dimensions by modality, then name', () => {
    const builder = new DatasetBuilder();
    builder.add(record({ modality: 'audio', dimension: 'speech', start: 0, end: 1 }), 2);
    builder.add(record({ modality: 'image', dimension: 'objects', box: { x: 0, y: 0, w: 1, h: 1 }, frame: 3 }), 3);
    builder.add(record({ dimension: 'topic' }), 4);
    builder.add(record({ dimension: 'sentiment' }), 5);
    const dataset = builder.build();
    expect(dataset.dimensions.map((d) => [d.modality, d.dimension, d.shape])).toEqual([
      ['text', 'sentiment', 'categorical'],
      ['text', 'topic', 'categorical'],
      ['image', 'objects', 'boxes'],
      ['audio', 'speech', 'intervals'],
    ]);
    const boxes = dataset.dimensions[2]!;
    expect(boxes.shape === 'boxes' && [boxes.frame[0], boxes.w[0]]).toEqual([3, 1]);
  });

  it('interns items, annotators and labels into dense ids in order of first appearance', () => {
    const builder = new DatasetBuilder();
    const rows: Array<[string, string, string | null, number | null]> = [
      ['u1', 'b', 'yes', null],
      ['u1', 'a', 'no', null],
      ['u2', 'b', 'no', 2.5],
      ['u3', 'a', null, 4],
    ];
    rows.forEach(([item, annotator, label, value], index) => builder.add(record({ item, annotator, label, value }), index + 2));
    const dataset = builder.build();
    const dimension = dataset.dimensions[0]!;
    expect(dataset.items).toEqual(['u1', 'u2', 'u3']);
    expect(dataset.annotators).toEqual(['b', 'a']);
    expect(dimension.labels).toEqual(['yes', 'no']);
    expect([...dimension.item]).toEqual([0, 0, 1, 2]);
    expect([...dimension.annotator]).toEqual([0, 1, 0, 1]);
    expect([...dimension.label]).toEqual([0, 1, 1, -1]);
    expect([...dimension.position]).toEqual([2, 3, 4, 5]);
    expect(dimension.shape === 'categorical' && [...dimension.value]).toEqual([NaN, NaN, 2.5, 4]);
  });

  it('reports a shape that differs from the one the dimension started with, naming both lines', () => {
    const builder = new DatasetBuilder();
    builder.add(record({ modality: 'audio', dimension: 'speech', start: 0, end: 1 }), 2);
    builder.add(record({ modality: 'audio', dimension: 'speech' }), 3);
    expect(issuesOf(() => builder.build())).toEqual([
      { position: 3, message: 'a label/value judgement in audio/speech, which holds intervals judgements since line 2' },
    ]);
  });

  it('reports an annotator judging one item twice in a categorical dimension, naming both lines', () => {
    const builder = new DatasetBuilder();
    builder.add(record({ item: 'u1', annotator: 'a' }), 2);
    builder.add(record({ item: 'u2', annotator: 'a' }), 3);
    builder.add(record({ item: 'u1', annotator: 'b' }), 4);
    builder.add(record({ item: 'u1', annotator: 'a', label: 'y' }), 5);
    expect(issuesOf(() => builder.build())).toEqual([
      { position: 5, message: 'annotator "a" judged item "u1" in text/label twice (lines 2 and 5)' },
    ]);
  });

  it('addLabel does what add does with the same record', () => {
    const rows: Array<[string, string, string | null]> = [
      ['u1', 'ann-1', 'l1'],
      ['u1', 'ann-2', 'l2'],
      ['u2', 'ann-1', null],
      ['', 'ann-1', 'l1'],
      ['u3', '', 'l1'],
      ['u2', 'ann-1', 'l1'],
    ];
    const viaAdd = new DatasetBuilder();
    const viaAddLabel = new DatasetBuilder();
    for (const builder of [viaAdd, viaAddLabel]) builder.add(record({ dimension: 'spans', start: 0, end: 1 }), 2);
    rows.forEach(([item, annotator, label], index) => {
      viaAdd.add(record({ item, annotator, label }), index + 3);
      viaAddLabel.addLabel('text', 'label', item, annotator, label, index + 3);
      viaAdd.add(record({ dimension: 'spans', item, annotator, label }), index + 10);
      viaAddLabel.addLabel('text', 'spans', item, annotator, label, index + 10);
    });
    expect(issuesOf(() => viaAddLabel.build())).toEqual(issuesOf(() => viaAdd.build()));
    const clean = [new DatasetBuilder(), new DatasetBuilder()] as const;
    rows.slice(0, 3).forEach(([item, annotator, label], index) => {
      clean[0].add(record({ item, annotator, label }), index + 2);
      clean[1].addLabel('text', 'label', item, annotator, label, index + 2);
    });
    expect(clean[1].build()).toEqual(clean[0].build());
  });

  it('interns names that share length and last character (the recent-name table) apart', () => {
    const builder = new DatasetBuilder();
    const names = ['ab', 'cb', 'ab', 'xb', 'cb', 'a', 'b', 'a', '', 'ab'];
    names.forEach((label, index) => builder.add(record({ item: `i${index}`, label: label === '' ? null : label }), index + 2));
    const dimension = builder.build().dimensions[0]!;
    expect(dimension.labels).toEqual(['ab', 'cb', 'xb', 'a', 'b']);
    expect(Array.from(dimension.label)).toEqual([0, 1, 0, 2, 1, 3, 4, 3, -1, 0]);
  });

  it('interns a few hundred thousand names (the table grows) to dense ids in order', () => {
    const builder = new DatasetBuilder();
    for (let i = 0; i < 300_000; i++) builder.addLabel('text', 'label', `item-${i % 150_000}`, `a${i < 150_000 ? 0 : 1}`, `l${i % 7}`, i + 2);
    const dataset = builder.build();
    expect(dataset.items).toHaveLength(150_000);
    expect(dataset.items[123_456]).toBe('item-123456');
    const dimension = dataset.dimensions[0]!;
    expect(dimension.item[150_000 + 99_999]).toBe(99_999);
    expect(dimension.labels).toEqual(['l0', 'l1', 'l2', 'l3', 'l4', 'l5', 'l6']);
  });

  it('allows many segments and boxes per annotator and item', () => {
    const builder = new DatasetBuilder();
    builder.add(record({ dimension: 'spans', start: 0, end: 1 }), 2);
    builder.add(record({ dimension: 'spans', start: 2, end: 3 }), 3);
    builder.add(record({ modality: 'image', box: { x: 0, y: 0, w: 1, h: 1 } }), 4);
    builder.add(record({ modality: 'image', box: { x: 5, y: 5, w: 1, h: 1 } }), 5);
    expect(builder.build().dimensions.map((d) => d.size)).toEqual([2, 2]);
  });

  it.each([
    ['a segment with end ≤ start', { start: 2, end: 2 }, 'a segment needs finite start and end with end > start'],
    ['a start without an end', { start: 2 }, 'a segment needs finite start and end'],
    ['a non-finite value', { value: Number.NaN }, 'value and frame must be finite numbers'],
    ['a box with negative width', { box: { x: 0, y: 0, w: -1, h: 1 } }, 'a box needs finite x, y, w, h with w, h ≥ 0'],
    ['a box with a span', { box: { x: 0, y: 0, w: 1, h: 1 }, start: 0, end: 1 }, 'a record has a box or start/end, not both'],
    ['an empty item', { item: '' }, 'item and annotator must not be empty'],
  ])('rejects %s (records may come from any adapter)', (_name, overrides, message) => {
    const builder = new DatasetBuilder();
    builder.add(record(overrides), 7);
    expect(issuesOf(() => builder.build())).toEqual([{ position: 7, message: expect.stringContaining(message) }]);
  });

  it('keeps the first 100 issues sorted by position and counts the rest', () => {
    const builder = new DatasetBuilder();
    for (let line = 250; line > 100; line--) builder.add(record({ item: '' }), line);
    try {
      builder.build();
      throw new Error('expected a DatasetInputError');
    } catch (error) {
      expect(error).toBeInstanceOf(DatasetInputError);
      const { issues, omitted } = error as DatasetInputError;
      expect(issues).toHaveLength(100);
      expect(omitted).toBe(50);
      expect(issues[0]!.position).toBeLessThan(issues[99]!.position);
    }
  });

  it('names positions with describePosition in messages that name a second one', () => {
    const builder = new DatasetBuilder({ describePosition: (position) => `#${position}` });
    builder.add(record({}), 7);
    builder.add(record({}), 9);
    builder.add(record({ start: 0, end: 1 }), 11);
    expect(issuesOf(() => builder.build())).toEqual([
      { position: 9, message: 'annotator "a" judged item "i1" in text/label twice (#7 and #9)' },
      { position: 11, message: 'a segment (start/end) in text/label, which holds categorical judgements since #7' },
    ]);
  });
});

describe('DatasetBuilder: gold and text records', () => {
  it('keeps gold judgements apart from the peers, with the same item and annotator ids', () => {
    const builder = new DatasetBuilder();
    builder.add(record({ annotator: 'a', label: 'x' }), 2);
    builder.add(record({ annotator: 'b', label: 'y' }), 3);
    builder.add({ ...record({ annotator: 'expert', label: 'y' }), gold: true }, 4);
    builder.add({ ...record({ annotator: 'a', label: 'y' }), gold: true }, 5);
    builder.add({ ...record({ annotator: 'a', label: 'x' }), gold: false }, 6);
    const issues = issuesOf(() => builder.build());
    // gold: false is a peer judgement: a's second one on i1.
    expect(issues).toEqual([{ position: 6, message: 'annotator "a" judged item "i1" in text/label twice (lines 2 and 6)' }]);

    const clean = new DatasetBuilder();
    clean.add(record({ annotator: 'a', label: 'x' }), 2);
    clean.add({ ...record({ annotator: 'expert', label: 'y' }), gold: true }, 3);
    clean.add(record({ annotator: 'b', label: 'y' }), 4);
    // The gold annotator's own judgement of a dimension without peers: kept, never analysed.
    clean.add({ ...record({ annotator: 'expert', dimension: 'topic', label: 'z' }), gold: true }, 5);
    const dataset = clean.build();
    expect(dataset.dimensions.map((d) => [d.dimension, d.size])).toEqual([['label', 2]]);
    expect(dataset.gold.map((d) => [d.dimension, d.size])).toEqual([
      ['label', 1],
      ['topic', 1],
    ]);
    const gold = dataset.gold[0]!;
    expect([dataset.items[gold.item[0]!], dataset.annotators[gold.annotator[0]!], gold.labels[gold.label[0]!]]).toEqual(['i1', 'expert', 'y']);
  });

  it('leaves gold out of agreement: the result equals the one without it, and counts it', () => {
    const peers = [record({ annotator: 'a', label: 'x' }), record({ annotator: 'b', label: 'x' }), record({ item: 'i2', annotator: 'a', label: 'x' }), record({ item: 'i2', annotator: 'b', label: 'y' })];
    const without = new DatasetBuilder();
    peers.forEach((each, index) => without.add(each, index + 2));
    const withGold = new DatasetBuilder();
    peers.forEach((each, index) => withGold.add(each, index + 2));
    withGold.add({ ...record({ item: 'i2', annotator: 'gold', label: 'y' }), gold: true }, 9);
    const plain = analyzeDataset(without.build()).results[0] as CategoricalResult;
    const golden = analyzeDataset(withGold.build()).results[0] as CategoricalResult;
    expect(plain.goldJudgements).toBe(0);
    expect(golden).toEqual({ ...plain, goldJudgements: 1 });
    expect(golden.annotators).toBe(2);
  });

  it('counts text records per dimension and never analyses them, even beside judgements', () => {
    const builder = new DatasetBuilder();
    builder.add(record({ modality: 'audio', dimension: 'speaker', label: 'Agent', start: 0, end: 1 }), 2);
    builder.add({ ...record({ modality: 'audio', dimension: 'utterance', label: null, start: 0, end: 1 }), text: 'thanks for calling' }, 3);
    builder.add({ ...record({ modality: 'audio', dimension: 'utterance', annotator: 'b', label: null, start: 0, end: 1 }), text: '' }, 4);
    builder.add({ ...record({ modality: 'audio', dimension: 'speaker', label: null, start: 2, end: 3 }), text: 'a note', gold: true }, 5);
    builder.add(record({ modality: 'audio', dimension: 'speaker', annotator: 'b', label: 'Agent', start: 0, end: 1 }), 6);
    const dataset = builder.build();
    expect(dataset.textRecords).toEqual([
      { modality: 'audio', dimension: 'speaker', records: 1 },
      { modality: 'audio', dimension: 'utterance', records: 2 },
    ]);
    expect(dataset.dimensions.map((d) => [d.dimension, d.size])).toEqual([['speaker', 2]]);
    expect(dataset.gold).toEqual([]);
    const [result] = analyzeDataset(dataset).results as IntervalResult[];
    expect(result).toMatchObject({ dimension: 'speaker', segments: 2, goldJudgements: 0 });
  });

  it('checks gold and text records as it checks the peers', () => {
    const builder = new DatasetBuilder();
    builder.add(record({ annotator: 'a' }), 2);
    builder.add({ ...record({ annotator: 'g', start: 0, end: 1 }), gold: true }, 3);
    builder.add({ ...record({ annotator: 'g', item: 'i2' }), gold: true }, 4);
    builder.add({ ...record({ annotator: '' }), text: 'free' }, 5);
    builder.add({ ...record({ annotator: 'h', dimension: 'topic' }), gold: true }, 6);
    builder.add({ ...record({ annotator: 'h', dimension: 'topic' }), gold: true }, 7);
    expect(issuesOf(() => builder.build())).toEqual([
      { position: 3, message: 'gold a segment (start/end) in text/label, whose judgements are categorical (since line 2)' },
      { position: 4, message: 'a label/value judgement in text/label, which holds intervals judgements since line 3' },
      { position: 5, message: 'item and annotator must not be empty' },
      { position: 7, message: 'annotator "h" judged item "i1" in text/topic twice (lines 6 and 7)' },
    ]);
  });
});

describe('DatasetBuilder in checks mode', () => {
  /** A mixed stream: segments, boxes, labels, gold, text, a duplicate, a shape change, an empty item. */
  function feed(builder: DatasetBuilder): boolean[] {
    const records: Array<CanonicalRecord & { gold?: boolean; text?: string }> = [
      record({ modality: 'audio', dimension: 'speech', start: 0, end: 1 }),
      record({ modality: 'audio', dimension: 'speech', start: 2, end: 3 }),
      record({ modality: 'image', dimension: 'objects', item: 'img', box: { x: 0, y: 0, w: 1, h: 1 } }),
      record({ item: 'i1', annotator: 'a', label: 'x' }),
      record({ item: 'i2', annotator: 'b', label: 'y' }),
      record({ item: 'i1', annotator: 'a', label: 'z' }),
      record({ modality: 'audio', dimension: 'speech', label: 'not a segment' }),
      record({ item: '', annotator: 'a' }),
      { ...record({ item: 'g-only', annotator: 'expert', label: 'x' }), gold: true },
      { ...record({ dimension: 'notes', annotator: 'c' }), text: 'free' },
      record({ modality: 'audio', dimension: 'speech', annotator: 'c', item: 'i3', start: 5, end: 6 }),
    ];
    return records.map((r, index) => builder.add(r, index + 2));
  }

  it('finds the same issues as the dataset mode, in the same words', () => {
    const full = new DatasetBuilder();
    feed(full);
    const checks = new DatasetBuilder({ keeps: 'checks' });
    feed(checks);
    const expected = issuesOf(() => full.build());
    expect(expected.map((issue) => issue.position)).toEqual([7, 8, 9]);
    expect(issuesOf(() => checks.summarize())).toEqual(expected);
  });

  it('summarises what build() would hold: items and their peer judgements, annotators, dimension sizes', () => {
    const lines = ['item,annotator,label', 'u1,a,x', 'u1,b,y', 'u2,a,x'];
    const rows = (builder: DatasetBuilder): void => {
      lines.slice(1).forEach((line, index) => {
        const [item, annotator, label] = line.split(',');
        builder.addLabel('text', 'label', item!, annotator!, label!, index + 2);
      });
      builder.add(record({ modality: 'audio', dimension: 'speech', item: 'clip', annotator: 'c', start: 0, end: 1 }), 10);
      builder.add({ ...record({ item: 'gold-only', annotator: 'expert' }), gold: true }, 11);
      builder.add({ ...record({ dimension: 'notes', item: 'u1' }), text: 'free' }, 12);
    };
    const full = new DatasetBuilder();
    rows(full);
    const dataset = full.build();
    const checks = new DatasetBuilder({ keeps: 'checks' });
    rows(checks);
    const summary = checks.summarize();

    expect(summary.items).toEqual(dataset.items);
    expect(summary.annotators).toEqual(dataset.annotators);
    const judgements = new Int32Array(dataset.items.length);
    for (const dimension of dataset.dimensions) for (let i = 0; i < dimension.size; i++) judgements[dimension.item[i]!]! += 1;
    expect([...summary.itemJudgements]).toEqual([...judgements]);
    expect([...summary.itemJudgements]).toEqual([2, 1, 1, 0]);
    expect(summary.peerAnnotators).toBe(3);
    expect(summary.dimensions).toEqual(dataset.dimensions.map(({ modality, dimension, shape, size }) => ({ modality, dimension, shape, size })));
    expect(summary.gold).toEqual([{ modality: 'text', dimension: 'label', shape: 'categorical', size: 1 }]);
    expect(summary.textRecords).toEqual(dataset.textRecords);
  });

  it('keeps the positions of categorical judgements, issues and dimension starts only', () => {
    const checks = new DatasetBuilder({ keeps: 'checks' });
    // speech starts (kept), a second segment (not), an image box starts (kept), labels (kept: the
    // duplicate check names them), a shape change and an empty item (issues), gold label (kept),
    // text starts its count (not kept: no message names it), a later segment (not).
    expect(feed(checks)).toEqual([true, false, true, true, true, true, true, true, true, false, false]);
    // In dataset mode every judgement keeps its position.
    expect(feed(new DatasetBuilder()).every((kept, index) => kept || index === 9)).toBe(true);
  });

  it('has no dataset to build, and the dataset mode no summary', () => {
    expect(() => new DatasetBuilder({ keeps: 'checks' }).build()).toThrow('use summarize()');
    expect(() => new DatasetBuilder().summarize()).toThrow('checks mode');
  });
});
