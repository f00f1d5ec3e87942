/**
 * Decodes a whole batch's annotations, as `COPY (SELECT BATCH_DATASET_COLUMNS … ORDER BY ordinal,
 * line) TO STDOUT (FORMAT text)` writes them, into the CLI's DatasetBuilder: every dimension, peers
 * and gold, in the order the file was read — the order the CLI adds records in, so the Dataset (its
 * first-appearance item and annotator ids included) is the one `concord report` builds from the
 * same file. The per-dimension analysis (src/batches/dimension-analysis.ts) decodes one dimension's
 * columns the same way; this one reads every column, as the evaluation spans dimensions.
 * Free-text rows are not read (the CLI only counts them; the evaluation never looks at them).
 * Free of Nest and pg: it runs in the evaluation's worker thread.
 */
import { DatasetBuilder, type Dataset } from '../agreement/dataset';
import type { Box, CanonicalRecord, Modality } from '../agreement/types';
import { unescapeCopyText } from '../ingest/copy-writer';

/** The `annotations` columns read, in COPY order. */
export const BATCH_DATASET_COLUMNS = [
  'line',
  'item',
  'annotator',
  'modality',
  'dimension',
  'label',
  'value',
  'start_s',
  'end_s',
  'frame',
  'box_x',
  'box_y',
  'box_w',
  'box_h',
  'gold',
] as const;

const COLUMNS = BATCH_DATASET_COLUMNS.length;
const BACKSLASH = 92;
const LOWER_T = 116;
/** Distinct recent values of a low-cardinality column matched in the raw text in place. */
const RECENT_VALUES = 16;

export class BatchDatasetDecoder {
  private readonly builder = new DatasetBuilder();
  private readonly decoder = new TextDecoder('utf-8');
  private rest = '';
  private rows = 0;
  private readonly tabs = new Int32Array(COLUMNS);
  private readonly record: CanonicalRecord & { gold: boolean } = {
    item: '',
    annotator: '',
    modality: 'text',
    dimension: '',
    label: null,
    value: null,
    start: null,
    end: null,
    frame: null,
    box: null,
    gold: false,
  };
  private readonly box: Box = { x: 0, y: 0, w: 0, h: 0 };
  private item = '';
  private readonly annotators = new RecentText();
  private readonly modalities = new RecentText();
  private readonly dimensions = new RecentText();
  private readonly labels = new RecentText();

  get rowCount(): number {
    return this.rows;
  }

  push(chunk: Uint8Array): void {
    const text = this.rest + this.decoder.decode(chunk, { stream: true });
    let start = 0;
    for (let end = text.indexOf('\n', start); end !== -1; end = text.indexOf('\n', start)) {
      this.row(text, start, end);
      start = end + 1;
    }
    this.rest = start === 0 ? text : text.slice(start);
  }

  end(): void {
    const tail = this.rest + this.decoder.decode();
    this.rest = '';
    if (tail.length > 0) this.row(tail, 0, tail.length);
  }

  /** The Dataset; throws DatasetInputError as the CLI's builder would for the same records. */
  build(): Dataset {
    return this.builder.build();
  }

  private row(text: string, from: number, to: number): void {
    const tabs = this.tabs;
    let at = from - 1;
    for (let i = 0; i < COLUMNS - 1; i++) {
      at = text.indexOf('\t', at + 1);
      if (at === -1 || at >= to) throw this.malformed(text, from, to);
      tabs[i] = at;
    }
    tabs[COLUMNS - 1] = to;
    const line = Number(text.slice(from, tabs[0]));
    if (!Number.isInteger(line)) throw this.malformed(text, from, to);

    const record = this.record;
    const itemFrom = tabs[0]! + 1;
    const itemTo = tabs[1]!;
    // Rows of one item usually follow each other: reuse the string while the raw text matches.
    if (!(itemTo - itemFrom === this.item.length && text.startsWith(this.item, itemFrom) && !this.item.includes('\\'))) {
      this.item = textField(text, itemFrom, itemTo) ?? '';
    }
    record.item = this.item;
    record.annotator = this.annotators.read(text, tabs[1]! + 1, tabs[2]!) ?? '';
    record.modality = (this.modalities.read(text, tabs[2]! + 1, tabs[3]!) ?? '') as Modality;
    record.dimension = this.dimensions.read(text, tabs[3]! + 1, tabs[4]!) ?? '';
    record.label = this.labels.read(text, tabs[4]! + 1, tabs[5]!);
    record.value = numberField(text, tabs[5]! + 1, tabs[6]!);
    record.start = numberField(text, tabs[6]! + 1, tabs[7]!);
    record.end = numberField(text, tabs[7]! + 1, tabs[8]!);
    record.frame = numberField(text, tabs[8]! + 1, tabs[9]!);
    const x = numberField(text, tabs[9]! + 1, tabs[10]!);
    const y = numberField(text, tabs[10]! + 1, tabs[11]!);
    const w = numberField(text, tabs[11]! + 1, tabs[12]!);
    const h = numberField(text, tabs[12]! + 1, tabs[13]!);
    if (x === null || y === null || w === null || h === null) {
      record.box = null;
    } else {
      // The builder copies the box's numbers: one object serves every row.
      const box = this.box;
      box.x = x;
      box.y = y;
      box.w = w;
      box.h = h;
      record.box = box;
    }
    record.gold = text.charCodeAt(tabs[13]! + 1) === LOWER_T;
    this.builder.add(record, line);
    this.rows += 1;
  }

  private malformed(text: string, from: number, to: number): Error {
    const fields = text.slice(from, to).split('\t').length;
    return new Error(`COPY row ${this.rows + 1} has ${fields} fields, expected ${COLUMNS}`);
  }
}

/** Recent values of a column, matched in place (only values COPY writes verbatim: no backslash). */
class RecentText {
  private readonly values: string[] = [];
  private next = 0;

  read(text: string, from: number, to: number): string | null {
    const length = to - from;
    const values = this.values;
    for (let i = 0; i < values.length; i++) {
      const value = values[i]!;
      if (value.length === length && text.startsWith(value, from)) return value;
    }
    const value = textField(text, from, to);
    if (value !== null && !value.includes('\\')) {
      if (values.length < RECENT_VALUES) values.push(value);
      else values[this.next++ % RECENT_VALUES] = value;
    }
    return value;
  }
}

function isNull(text: string, from: number, to: number): boolean {
  return to - from === 2 && text.charCodeAt(from) === BACKSLASH && text.charCodeAt(from + 1) === 78; // \N
}

function textField(text: string, from: number, to: number): string | null {
  if (isNull(text, from, to)) return null;
  const raw = text.slice(from, to);
  return raw.includes('\\') ? unescapeCopyText(raw) : raw;
}

function numberField(text: string, from: number, to: number): number | null {
  return isNull(text, from, to) ? null : Number(text.slice(from, to));
}
