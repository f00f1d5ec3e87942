/**
 * The compute side of one `agreement-dimension` job, free of Nest, pg and BullMQ so that it can run
 * in a worker thread (dimension-analysis.thread.ts) as well as inline: it decodes the rows of
 * `COPY (SELECT <the shape's columns> …) TO STDOUT (FORMAT text)` as their bytes arrive, feeds them to
 * the CLI's DatasetBuilder, and runs the CLI's analyzeDataset on the result.
 */
import { analyzeDataset, type AnalyzeOptions, type DimensionResult } from '../agreement/analyze';
import { DatasetBuilder, DatasetInputError } from '../agreement/dataset';
import { AgreementInputError, type CanonicalRecord, type Modality, type Shape } from '../agreement/types';
import { booleanField, CopyTextLines, integerField, isVerbatim, numberField, RecentText, textField } from '../ingest/copy-text-reader';
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

/**
 * Decodes COPY text rows (`push` the bytes as they come, then `end`) into one DatasetBuilder, then
 * analyses the dataset. The rows must come in line order (`ORDER BY line`): the CLI adds records in
 * file order, and the result (first-appearance ids, hence the bootstrap's resamples) depends on it.
 */
export class DimensionAnalysis {
  private readonly columns: number;
  private readonly record: CanonicalRecord & { gold: boolean };
  private readonly builder = new DatasetBuilder();
  private readonly lines = new CopyTextLines((text, from, to) => this.row(text, from, to));
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
    this.lines.push(chunk);
  }

  /** End of the rows. */
  end(): void {
    this.lines.end();
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
    record.gold = booleanField(text, tabs[this.columns - 2]! + 1);
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
