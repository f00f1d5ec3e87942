import type { ParsedRecord } from './adapter';
import {
  ANNOTATION_COPY_COLUMNS,
  CopyEncodingError,
  encodeAnnotationRow,
  escapeCopyText,
  unescapeCopyText,
} from './copy-writer';

const BATCH = '0b7a3e52-8f43-4c55-9d1e-2f9a3c1d7e10';

function record(overrides: Partial<ParsedRecord> = {}): ParsedRecord {
  return {
    line: 2,
    item: 'clip-1',
    annotator: 'ann-a',
    modality: 'text',
    dimension: 'sentiment',
    label: 'positive',
    value: null,
    start: null,
    end: null,
    frame: null,
    box: null,
    ...overrides,
  };
}

describe('escapeCopyText', () => {
  it.each([
    ['plain', 'plain'],
    ['', ''],
    ['a\tb', 'a\\tb'],
    ['a\nb', 'a\\nb'],
    ['a\r\nb', 'a\\r\\nb'],
    ['back\\slash', 'back\\\\slash'],
    ['\\N', '\\\\N'],
    ['\\.', '\\\\.'],
    ['tab\tnew\nline\\', 'tab\\tnew\\nline\\\\'],
    ['héllo – 😀', 'héllo – 😀'],
  ])('%j → %j', (input, expected) => {
    expect(escapeCopyText(input)).toBe(expected);
  });

  it('writes null as \\N, distinct from the text "\\N"', () => {
    expect(escapeCopyText(null)).toBe('\\N');
    expect(escapeCopyText('\\N')).not.toBe(escapeCopyText(null));
  });
});

describe('unescapeCopyText', () => {
  it.each([
    ['\\N', null],
    ['plain', 'plain'],
    ['a\\tb', 'a\tb'],
    ['a\\nb\\r', 'a\nb\r'],
    ['\\\\N', '\\N'],
    ['\\b\\f\\v', '\b\f\v'],
    ['\\101\\x42\\7', 'AB\u0007'],
  ])('%j → %j', (input, expected) => {
    expect(unescapeCopyText(input)).toBe(expected);
  });

  it.each(['', 'x', '\\', '\t', '\n\r\t\\', 'a\\\\tb', '\\N', 'ends with \\', '日本語\ttab'])(
    'round-trips %j',
    (text) => {
      expect(unescapeCopyText(escapeCopyText(text))).toBe(text);
    },
  );
});

describe('encodeAnnotationRow', () => {
  it('writes every column in order, one row per line, nulls as \\N', () => {
    const row = encodeAnnotationRow(BATCH, record());
    expect(row.endsWith('\n')).toBe(true);
    const fields = row.slice(0, -1).split('\t');
    expect(fields).toHaveLength(ANNOTATION_COPY_COLUMNS.length);
    expect(fields).toEqual([
      BATCH, '2', 'clip-1', 'ann-a', 'text', 'sentiment', 'positive',
      '\\N', '\\N', '\\N', '\\N', '\\N', '\\N', '\\N', '\\N',
      '0', 'f', '\\N', '\\N', '\\N', '\\N', '\\N', '\\N', '\\N',
    ]);
  });

  it('writes the ordinal, gold, text, source file and provenance, escaped like every text', () => {
    const gold = encodeAnnotationRow(
      BATCH,
      record({ gold: true, text: 'said:\t"hi"\nthen left', provenance: { file: 'exports/a.json', task: '12', annotation: '9001', region: 'r\\1' } }),
      41,
      'ignored.json',
    );
    expect(gold.slice(0, -1).split('\t').slice(15)).toEqual(['41', 't', 'said:\\t"hi"\\nthen left', 'exports/a.json', '12', '9001', 'r\\\\1', '\\N', '\\N']);
    const tracked = encodeAnnotationRow(BATCH, record({ provenance: { track: '3', tier: 'gesture@a' } }), 0, 'b.xml');
    expect(tracked.slice(0, -1).split('\t').slice(15)).toEqual(['0', 'f', '\\N', 'b.xml', '\\N', '\\N', '\\N', '3', 'gesture@a']);
    const plain = encodeAnnotationRow(BATCH, record(), 7, 'c.csv');
    expect(plain.slice(0, -1).split('\t').slice(15)).toEqual(['7', 'f', '\\N', 'c.csv', '\\N', '\\N', '\\N', '\\N', '\\N']);
    expect(ANNOTATION_COPY_COLUMNS.slice(15)).toEqual(['ordinal', 'gold', 'text', 'source_file', 'source_task', 'source_annotation', 'source_region', 'source_track', 'source_tier']);
  });

  it('escapes tabs, newlines and backslashes so a value never splits a row', () => {
    const row = encodeAnnotationRow(BATCH, record({ item: 'a\tb', annotator: 'x\ny', label: 'C:\\path' }));
    expect(row.split('\n')).toHaveLength(2);
    expect(row.slice(0, -1).split('\t')).toHaveLength(ANNOTATION_COPY_COLUMNS.length);
    expect(row).toContain('a\\tb\tx\\ny\t');
    expect(row).toContain('\tC:\\\\path\t');
  });

  it('writes numbers in their shortest exact form and boxes as four columns', () => {
    const row = encodeAnnotationRow(
      BATCH,
      record({
        modality: 'image', dimension: 'objects', label: 'car', value: 0.1 + 0.2, start: 1e-7, end: 12.5,
        frame: 42, box: { x: 1.5, y: -0, w: 100, h: 2e21 },
      }),
    );
    const fields = row.slice(0, -1).split('\t');
    expect(fields.slice(7, 15)).toEqual(['0.30000000000000004', '1e-7', '12.5', '42', '1.5', '0', '100', '2e+21']);
    for (const text of fields.slice(7, 15)) expect(Number(text)).not.toBeNaN();
  });

  it.each([
    [{ value: Number.NaN }, 'value'],
    [{ start: Number.POSITIVE_INFINITY }, 'start'],
    [{ frame: 1.5 }, 'frame'],
    [{ frame: 2 ** 31 }, 'frame'],
    [{ label: 'nul\u0000' }, 'label'],
    [{ item: '\u0000' }, 'item'],
    [{ text: 'free\u0000text' }, 'text'],
    [{ provenance: { region: '\u0000' } }, 'region'],
  ] as [Partial<ParsedRecord>, string][])('refuses %j, naming the field', (overrides, field) => {
    expect.assertions(3);
    try {
      encodeAnnotationRow(BATCH, record({ ...overrides, line: 7 }));
    } catch (error) {
      expect(error).toBeInstanceOf(CopyEncodingError);
      expect((error as CopyEncodingError).line).toBe(7);
      expect((error as CopyEncodingError).field).toBe(field);
    }
  });
});
