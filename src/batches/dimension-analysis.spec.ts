import { analyzeDataset, type AnalyzeOptions } from '../agreement/analyze';
import { DatasetBuilder } from '../agreement/dataset';
import type { JudgementRecord } from '../agreement/dataset';
import type { Shape } from '../agreement/types';
import { escapeCopyText } from '../ingest/copy-writer';
import { DIMENSION_COLUMNS, DimensionAnalysis, DimensionDataError } from './dimension-analysis';

type Row = { line: number; record: JudgementRecord };

const base = { modality: 'text', dimension: 'label', label: null, value: null, start: null, end: null, frame: null, box: null } as const;

/** The row as PostgreSQL writes `COPY (SELECT DIMENSION_COLUMNS[shape] …) TO STDOUT (FORMAT text)`. */
function copyRow(shape: Shape, { line, record }: Row): string {
  const number = (value: number | null): string => (value === null ? '\\N' : String(value));
  const fields: Record<string, string> = {
    line: String(line),
    item: escapeCopyText(record.item),
    annotator: escapeCopyText(record.annotator),
    label: escapeCopyText(record.label),
    value: number(record.value),
    start_s: number(record.start),
    end_s: number(record.end),
    frame: number(record.frame),
    box_x: number(record.box?.x ?? null),
    box_y: number(record.box?.y ?? null),
    box_w: number(record.box?.w ?? null),
    box_h: number(record.box?.h ?? null),
    gold: record.gold === true ? 't' : 'f',
  };
  return DIMENSION_COLUMNS[shape].map((column) => fields[column]).join('\t') + '\n';
}

/** What the CLI computes for the same records (DatasetBuilder + analyzeDataset, in memory). */
function inMemory(rows: readonly Row[], options: AnalyzeOptions = {}) {
  const builder = new DatasetBuilder();
  for (const { line, record } of rows) builder.add(record, line);
  return analyzeDataset(builder.build(), options).results[0];
}

/** Feeds `bytes` in pieces cut at `cuts` (byte offsets, possibly inside a UTF-8 character). */
function analyse(shape: Shape, rows: readonly Row[], cuts: number[] = [], options: AnalyzeOptions = {}) {
  const bytes = Buffer.from(rows.map((row) => copyRow(shape, row)).join(''), 'utf8');
  const analysis = new DimensionAnalysis({ modality: rows[0]!.record.modality, dimension: rows[0]!.record.dimension, shape, options });
  let from = 0;
  for (const cut of [...cuts, bytes.length]) {
    analysis.push(bytes.subarray(from, cut));
    from = cut;
  }
  analysis.end();
  return { analysis, output: analysis.analyze() };
}

function nominalRows(): Row[] {
  // Items and labels with every character COPY escapes, and multi-byte UTF-8.
  const items = ['plain', 'tab\there', 'new\nline', 'back\\slash', 'crème brûlée', '日本語'];
  const labels = ['pos', 'neg', 'n\\eu\ttral'];
  const rows: Row[] = [];
  let line = 2;
  items.forEach((item, i) => {
    for (const [a, annotator] of ['ann 1', 'ann\\2', 'ann\t3'].entries()) {
      if ((i + a) % 5 === 4) continue; // some missing judgements
      rows.push({ line: line++, record: { ...base, item, annotator, label: labels[(i * a + i) % 3]! } });
    }
  });
  return rows;
}

describe('DimensionAnalysis', () => {
  it('gives the CLI\'s result for a nominal dimension, whatever the chunking', () => {
    const rows = nominalRows();
    const expected = inMemory(rows, { bootstrap: { samples: 50, seed: 3 } });
    const total = Buffer.byteLength(rows.map((row) => copyRow('categorical', row)).join(''));
    for (const cuts of [[], [1], [total - 1], Array.from({ length: total - 1 }, (_, i) => i + 1), [7, 8, 9, 100, 101]]) {
      const { output } = analyse('categorical', rows, cuts, { bootstrap: { samples: 50, seed: 3 } });
      expect(output.result).toEqual(expected);
    }
  });

  it('counts each annotator\'s judgements', () => {
    const rows = nominalRows();
    const { output, analysis } = analyse('categorical', rows);
    expect(analysis.rowCount).toBe(rows.length);
    const counts = new Map<string, number>();
    for (const { record } of rows) counts.set(record.annotator, (counts.get(record.annotator) ?? 0) + 1);
    expect(new Map(output.judgements)).toEqual(counts);
  });

  it('reads values, nulls and negative lines of numeric judgements', () => {
    const rows: Row[] = [
      { line: -1, record: { ...base, item: 'a', annotator: 'x', value: 1.5 } },
      { line: 0, record: { ...base, item: 'a', annotator: 'y', value: -2 } },
      { line: 3, record: { ...base, item: 'b', annotator: 'x', label: '3', value: null } },
      { line: 4, record: { ...base, item: 'b', annotator: 'y', label: '4', value: null } },
      { line: 5, record: { ...base, item: 'c', annotator: 'x', value: 1e-7 } },
      { line: 6, record: { ...base, item: 'c', annotator: 'y', value: 2.25 } },
    ];
    const options: AnalyzeOptions = { levels: { 'text/label': 'interval' } };
    expect(analyse('categorical', rows, [], options).output.result).toEqual(inMemory(rows, options));
  });

  it('gives the CLI\'s result for intervals and boxes', () => {
    const segment = (line: number, item: string, annotator: string, label: string, start: number, end: number): Row => ({
      line,
      record: { ...base, modality: 'audio', dimension: 'speech', item, annotator, label, start, end },
    });
    const segments = [
      segment(2, 'clip', 'a', 'speech', 0, 1.25),
      segment(3, 'clip', 'b', 'speech', 0.1, 1.2),
      segment(4, 'clip', 'a', 'music', 2, 3),
      segment(5, 'clip', 'b', 'music', 2.5, 3.5),
      segment(6, 'clip 2', 'a', 'speech', 1, 2),
    ];
    expect(analyse('intervals', segments, [13]).output.result).toEqual(inMemory(segments));

    const box = (line: number, item: string, annotator: string, label: string, x: number, frame: number | null = null): Row => ({
      line,
      record: { ...base, modality: 'image', dimension: 'objects', item, annotator, label, frame, box: { x, y: 10, w: 20.5, h: 30 } },
    });
    const boxes = [box(2, 'img', 'a', 'car', 0), box(3, 'img', 'b', 'car', 1), box(4, 'img', 'a', 'person', 50, 3), box(5, 'img', 'b', 'person', 80, 3)];
    expect(analyse('boxes', boxes, [30]).output.result).toEqual(inMemory(boxes));
  });

  it('rejects a row with the wrong number of fields', () => {
    const analysis = new DimensionAnalysis({ modality: 'text', dimension: 'label', shape: 'categorical', options: {} });
    expect(() => analysis.push(Buffer.from('2\ta\tb\tx\n'))).toThrow('COPY row 1 has 4 fields, expected 6');
    const extra = new DimensionAnalysis({ modality: 'text', dimension: 'label', shape: 'categorical', options: {} });
    expect(() => extra.push(Buffer.from('2\ta\tb\tx\t\\N\tf\t1\n'))).toThrow('has 7 fields');
  });

  it('keeps gold rows apart from the peers, as the CLI does, for every shape', () => {
    const gold = (row: Row): Row => ({ ...row, record: { ...row.record, gold: true } });
    const nominal = nominalRows();
    const withGold = [...nominal.slice(0, 4), gold({ line: 90, record: { ...base, item: 'plain', annotator: 'expert', label: 'neg' } }), ...nominal.slice(4)];
    const { output } = analyse('categorical', withGold);
    expect(output.result).toEqual(inMemory(withGold));
    expect(output.result).toEqual({ ...inMemory(nominal), goldJudgements: 1 });
    expect(output.judgements.map(([annotator]) => annotator)).not.toContain('expert');

    const segments: Row[] = [
      { line: 2, record: { ...base, modality: 'audio', dimension: 'speech', item: 'clip', annotator: 'a', label: 'speech', start: 0, end: 1 } },
      gold({ line: 3, record: { ...base, modality: 'audio', dimension: 'speech', item: 'clip', annotator: 'g', label: 'speech', start: 0, end: 2 } }),
      { line: 4, record: { ...base, modality: 'audio', dimension: 'speech', item: 'clip', annotator: 'b', label: 'speech', start: 0.5, end: 1 } },
    ];
    expect(analyse('intervals', segments).output.result).toMatchObject({ annotators: 2, segments: 2, goldJudgements: 1 });
    const boxes: Row[] = [
      { line: 2, record: { ...base, modality: 'image', dimension: 'objects', item: 'img', annotator: 'a', label: 'car', box: { x: 0, y: 0, w: 1, h: 1 } } },
      gold({ line: 3, record: { ...base, modality: 'image', dimension: 'objects', item: 'img', annotator: 'g', label: 'car', box: { x: 0, y: 0, w: 1, h: 1 } } }),
    ];
    expect(analyse('boxes', boxes).output.result).toEqual(inMemory(boxes));
  });

  it('fails with DimensionDataError for data the core rejects (a retry cannot help)', () => {
    const rows: Row[] = [
      { line: 2, record: { ...base, item: 'a', annotator: 'x', label: 'high' } },
      { line: 3, record: { ...base, item: 'a', annotator: 'y', label: 'low' } },
    ];
    expect(() => analyse('categorical', rows, [], { levels: { 'text/label': 'interval' } })).toThrow(DimensionDataError);
  });
});
