import { DatasetBuilder, type JudgementRecord } from '../agreement/dataset';
import { escapeCopyText } from '../ingest/copy-writer';
import { BATCH_DATASET_COLUMNS, BatchDatasetDecoder } from './batch-dataset.decoder';

type Row = { line: number; record: JudgementRecord };

const none = { label: null, value: null, start: null, end: null, frame: null, box: null } as const;

/** The row as PostgreSQL writes `COPY (SELECT BATCH_DATASET_COLUMNS …) TO STDOUT (FORMAT text)`. */
function copyRow({ line, record }: Row): string {
  const number = (value: number | null): string => (value === null ? '\\N' : String(value));
  const fields: Record<(typeof BATCH_DATASET_COLUMNS)[number], string> = {
    line: String(line),
    item: escapeCopyText(record.item),
    annotator: escapeCopyText(record.annotator),
    modality: record.modality,
    dimension: escapeCopyText(record.dimension),
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
  return BATCH_DATASET_COLUMNS.map((column) => fields[column]).join('\t') + '\n';
}

/** Every shape, gold rows, interleaved dimensions, escaped and multi-byte text. */
const ROWS: Row[] = [
  { line: 2, record: { ...none, item: 'tab\there', annotator: 'ann 1', modality: 'text', dimension: 'sentiment', label: 'pos' } },
  { line: 3, record: { ...none, item: 'clip-1', annotator: 'ann\\2', modality: 'audio', dimension: 'speech', label: 'speech', start: 0.5, end: 2.25 } },
  { line: 4, record: { ...none, item: 'tab\there', annotator: 'ann\\2', modality: 'text', dimension: 'sentiment', label: 'n\\eg' } },
  { line: 5, record: { ...none, item: 'crème', annotator: 'ann 1', modality: 'image', dimension: 'objects', label: 'car', frame: 3, box: { x: 1, y: 2, w: 3.5, h: 4 } } },
  { line: 6, record: { ...none, item: 'clip-1', annotator: 'gold', modality: 'audio', dimension: 'speech', label: 'speech', start: 0.5, end: 2, gold: true } },
  { line: 7, record: { ...none, item: '日本語', annotator: 'ann 1', modality: 'text', dimension: 'rating', label: null, value: -3 } },
];

describe('BatchDatasetDecoder', () => {
  it('builds the Dataset the CLI builds from the same records, whatever the chunking', () => {
    const builder = new DatasetBuilder();
    for (const { line, record } of ROWS) builder.add(record, line);
    const expected = builder.build();
    const bytes = Buffer.from(ROWS.map(copyRow).join(''), 'utf8');
    for (const cuts of [[], [1, 2, 3], Array.from({ length: bytes.length - 1 }, (_, i) => i + 1)]) {
      const decoder = new BatchDatasetDecoder();
      let from = 0;
      for (const cut of [...cuts, bytes.length]) {
        decoder.push(bytes.subarray(from, cut));
        from = cut;
      }
      decoder.end();
      expect(decoder.rowCount).toBe(ROWS.length);
      expect(decoder.build()).toEqual(expected);
    }
  });

  it('rejects a row with the wrong number of fields', () => {
    const decoder = new BatchDatasetDecoder();
    expect(() => decoder.push(Buffer.from('2\ta\tb\n'))).toThrow(/has 3 fields, expected 15/);
  });
});
