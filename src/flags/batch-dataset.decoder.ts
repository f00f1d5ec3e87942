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
import { booleanField, CopyTextLines, isVerbatim, numberField, RecentText, textField } from '../ingest/copy-text-reader';

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

export class BatchDatasetDecoder {
  private readonly builder = new DatasetBuilder();
  private readonly lines = new CopyTextLines((text, from, to) => this.row(text, from, to));
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
    this.lines.push(chunk);
  }

  end(): void {
    this.lines.end();
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
    if (!(itemTo - itemFrom === this.item.length && text.startsWith(this.item, itemFrom) && isVerbatim(this.item))) {
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
    record.gold = booleanField(text, tabs[13]! + 1);
    this.builder.add(record, line);
    this.rows += 1;
  }

  private malformed(text: string, from: number, to: number): Error {
    const fields = text.slice(from, to).split('\t').length;
    return new Error(`COPY row ${this.rows + 1} has ${fields} fields, expected ${COLUMNS}`);
  }
}
