/**
 * The compute side of one `agreement-dimension` job, free of Nest, pg and BullMQ so that it can run
 * in a worker thread (dimension-analysis.thread.ts) as well as inline: it decodes the rows of
 * `COPY (SELECT <the shape's columns> …) TO STDOUT (FORMAT text)` as their bytes arrive, feeds them to
 * the CLI's DatasetBuilder, and runs the CLI's analyzeDataset on the result.
 */
import { analyzeDataset, type AnalyzeOptions, type DimensionResult } from '../agreement/analyze';
import { DatasetBuilder, DatasetInputError } from '../agreement/dataset';
import { AgreementInputError, type CanonicalRecord, type Modality, type Shape } from '../agreement/types';
import { unescapeCopyText } from '../ingest/copy-writer';
import { fanOutResampleAlphas } from './bootstrap-fan-out';

/**
 * The `annotations` columns each shape's analysis reads, in COPY order (`line` first, `gold` last):
 * only what DatasetBuilder keeps for that shape. Every row of a stored dimension has the same shape
 * (the upload was validated by the same builder), so one row tells which list to read. Gold rows go
 * to the builder's gold store, as in the CLI; text rows are not read at all (the CLI's builder only
 * counts them).
 */
export const DIMENSION_COLUMNS: Readonly<Record<Shape, readonly string[]>> = {
  categorical: ['line', 'item', 'annotator', 'label', 'value', 'gold'],
  intervals: ['line', 'item', 'annotator', 'label', 'start_s', 'end_s', 'gold'],
  boxes: ['line', 'item', 'annotator', 'label', 'frame', 'box_x', 'box_y', 'box_w', 'box_h', 'gold'],
};

/** `t`, as COPY writes a true boolean. */
const LOWER_T = 116;

/** What one dimension's job computes: the core's result and each annotator's number of judgements. */
export interface DimensionAnalysisOutput {
  result: DimensionResult;
  /** [annotator, judgements], in order of first appearance. */
  judgements: [string, number][];
}

/** The data cannot be analysed as it is (a retry will not help): the job fails for good. */
export class DimensionDataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DimensionDataError';
  }
}

export interface DimensionAnalysisInput {
  modality: Modality;
  dimension: string;
  shape: Shape;
  options: AnalyzeOptions;
}

const BACKSLASH = 92;
/** Distinct recent values that a {@link RecentText} matches in place. */
const RECENT_VALUES = 16;
const ZERO = 48;
const MINUS = 45;

/**
 * Decodes COPY text rows (`push` the bytes as they come, then `end`) into one DatasetBuilder, then
 * analyses the dataset. The rows must come in line order (`ORDER BY line`): the CLI adds records in
 * file order, and the result (first-appearance ids, hence the bootstrap's resamples) depends on it.
 */
export class DimensionAnalysis {
  private readonly columns: number;
  private readonly record: CanonicalRecord & { gold: boolean };
  private readonly builder = new DatasetBuilder();
  private readonly decoder = new TextDecoder('utf-8');
  private rest = '';
  private rows = 0;
  // The previous row's item: runs of equal items reuse one string (when verbatim).
  private item = '';
  private itemVerbatim = false;
  private readonly annotators = new RecentText();
  private readonly labels = new RecentText();
  /** Where each field of the current row ends (its tab, or the row's end). */
  private readonly tabs = new Array<number>(10).fill(0);
  private readonly reusedBox = { x: 0, y: 0, w: 0, h: 0 };

  constructor(private readonly input: DimensionAnalysisInput) {
    this.columns = DIMENSION_COLUMNS[input.shape].length;
    this.record = {
      item: '',
      annotator: '',
      modality: input.modality,
      dimension: input.dimension,
      label: null,
      value: null,
      start: null,
      end: null,
      frame: null,
      box: null,
      gold: false,
    };
  }

  /** Rows decoded so far. */
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

  /** End of the rows. */
  end(): void {
    const tail = this.rest + this.decoder.decode();
    this.rest = '';
    if (tail.length > 0) this.row(tail, 0, tail.length);
  }

  /** Builds the dataset and analyses it. Throws DimensionDataError for data the core rejects. */
  analyze(): DimensionAnalysisOutput {
    let result: DimensionResult | undefined;
    let judgements: [string, number][];
    try {
      const dataset = this.builder.build();
      const dimension = dataset.dimensions[0];
      const counts = new Int32Array(dataset.annotators.length);
      if (dimension !== undefined) for (let i = 0; i < dimension.size; i++) counts[dimension.annotator[i]!]! += 1;
      judgements = dataset.annotators.map((name, id): [string, number] => [name, counts[id]!]).filter(([, count]) => count > 0);
      result = analyzeDataset(dataset, withThreadedBootstrap(this.input.options)).results[0];
    } catch (error) {
      if (error instanceof DatasetInputError || error instanceof AgreementInputError) {
        throw new DimensionDataError(error.message);
      }
      throw error;
    }
    if (result === undefined) throw new DimensionDataError('the batch holds no annotations of this dimension');
    return { result, judgements };
  }

  /** One row: `text[from, to)`, without its newline. */
  private row(text: string, from: number, to: number): void {
    const tabs = this.tabs;
    let at = from - 1;
    for (let i = 0; i < this.columns - 1; i++) {
      at = text.indexOf('\t', at + 1);
      if (at === -1 || at >= to) throw this.malformed(text, from, to);
      tabs[i] = at;
    }
    const lastTab = text.indexOf('\t', at + 1);
    if (lastTab !== -1 && lastTab < to) throw this.malformed(text, from, to);
    tabs[this.columns - 1] = to;

    const line = integerField(text, from, tabs[0]!);
    if (line === null) throw this.malformed(text, from, to);

    const record = this.record;
    const itemFrom = tabs[0]! + 1;
    const itemTo = tabs[1]!;
    if (!(this.itemVerbatim && itemTo - itemFrom === this.item.length && text.startsWith(this.item, itemFrom))) {
      this.item = textField(text, itemFrom, itemTo) ?? '';
      this.itemVerbatim = isVerbatim(this.item);
    }
    record.item = this.item;
    record.annotator = this.annotators.read(text, tabs[1]! + 1, tabs[2]!) ?? '';
    record.label = this.labels.read(text, tabs[2]! + 1, tabs[3]!);
    switch (this.input.shape) {
      case 'categorical':
        record.value = numberField(text, tabs[3]! + 1, tabs[4]!);
        break;
      case 'intervals':
        record.start = numberField(text, tabs[3]! + 1, tabs[4]!);
        record.end = numberField(text, tabs[4]! + 1, tabs[5]!);
        break;
      case 'boxes': {
        record.frame = numberField(text, tabs[3]! + 1, tabs[4]!);
        const x = numberField(text, tabs[4]! + 1, tabs[5]!);
        const y = numberField(text, tabs[5]! + 1, tabs[6]!);
        const w = numberField(text, tabs[6]! + 1, tabs[7]!);
        const h = numberField(text, tabs[7]! + 1, tabs[8]!);
        // The builder copies the box's numbers: a fresh object per row is not needed.
        record.box = x === null || y === null || w === null || h === null ? null : this.box(x, y, w, h);
        break;
      }
    }
    record.gold = text.charCodeAt(tabs[this.columns - 2]! + 1) === LOWER_T;
    this.builder.add(record, line);
    this.rows += 1;
  }

  private box(x: number, y: number, w: number, h: number): { x: number; y: number; w: number; h: number } {
    const box = this.reusedBox;
    box.x = x;
    box.y = y;
    box.w = w;
    box.h = h;
    return box;
  }

  private malformed(text: string, from: number, to: number): Error {
    const fields = text.slice(from, to).split('\t').length;
    return new Error(`COPY row ${this.rows + 1} has ${fields} fields, expected ${this.columns}`);
  }
}

/**
 * The options with the bootstrap's resamples spread over threads, as the CLI does: the same
 * interval as in one thread (bootstrap-fan-out.ts), in a fraction of the time. `options` come
 * through workerData, which cannot carry the function, so it is added here.
 */
function withThreadedBootstrap(options: AnalyzeOptions): AnalyzeOptions {
  const { bootstrap } = options;
  return bootstrap === undefined ? options : { ...options, bootstrap: { ...bootstrap, resampleAlphas: fanOutResampleAlphas } };
}

/**
 * Text fields with few distinct values (annotators, labels): the recent values are matched in the
 * raw text in place, so a row reuses their strings instead of slicing (and the builder hashing) a
 * new one. Only values whose COPY text is the value itself are kept (see {@link isVerbatim}).
 */
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
    if (value !== null && isVerbatim(value)) {
      if (values.length < RECENT_VALUES) values.push(value);
      else values[this.next++ % RECENT_VALUES] = value;
    }
    return value;
  }
}

/**
 * Whether a decoded text value is written verbatim in COPY text (so raw text can be compared with it
 * in place): no backslash (which COPY doubles). Tab, newline and CR cannot match raw text either way.
 */
function isVerbatim(value: string): boolean {
  return !value.includes('\\');
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
  // `\N` is the only non-numeric text PostgreSQL writes for a float8/int column.
  return isNull(text, from, to) ? null : Number(text.slice(from, to));
}

/** A PostgreSQL integer as COPY writes it (optional minus, digits); null when it is not one. */
function integerField(text: string, from: number, to: number): number | null {
  let i = from;
  const negative = text.charCodeAt(i) === MINUS;
  if (negative) i += 1;
  if (i >= to) return null;
  let value = 0;
  for (; i < to; i++) {
    const digit = text.charCodeAt(i) - ZERO;
    if (digit < 0 || digit > 9) return null;
    value = value * 10 + digit;
  }
  return negative ? -value : value;
}
