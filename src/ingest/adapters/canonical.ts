import { parseDecimal } from '../../agreement/numbers';
import { MODALITIES, type Box, type CanonicalRecord, type Modality } from '../../agreement/types';
import type { FormatAdapter, ParsedRecord, ReadOptions } from '../adapter';
import { CsvTokenizer, type CsvSink } from '../csv-parser';
import { IssueCollector } from '../ingest.errors';
import { Utf8ChunkDecoder } from '../utf8-decoder';

/**
 * The canonical formats (DESIGN.md section 7): CSV with a header naming these columns in any order,
 * and JSONL with one object per line using the same names (`box` may also be an object {x,y,w,h}).
 */
export const CANONICAL_FIELDS = [
  'item',
  'annotator',
  'label',
  'modality',
  'dimension',
  'value',
  'start',
  'end',
  'frame',
  'x',
  'y',
  'w',
  'h',
] as const;
type CanonicalField = (typeof CANONICAL_FIELDS)[number];

const DEFAULT_MODALITY: Modality = 'text';
const DEFAULT_DIMENSION = 'label';
const MODALITY_SET: ReadonlySet<string> = new Set(MODALITIES);
const MODALITY_LIST = MODALITIES.join(', ');

type Report = (field: string, message: string) => void;

/**
 * Bytes parsed per emitted batch, whatever the source's chunk size. Small batches die young: records
 * still referenced when the garbage collector runs get copied, and 1 MB batches made that copying
 * cost more than the parsing.
 */
const BATCH_BYTES = 64 * 1024;

/** A CSV number cell: empty → null, a finite decimal → the number, anything else → reported, undefined. */
function numberCell(text: string, field: string, report: Report): number | null | undefined {
  if (text.trim() === '') return null;
  const value = parseDecimal(text);
  if (Number.isFinite(value)) return value;
  report(field, `"${text}" is not a finite number`);
  return undefined;
}

/** Start and end come together, and an interval must have positive length. */
function checkSpan(start: number | null, end: number | null, report: Report): boolean {
  if ((start === null) !== (end === null)) {
    report(start === null ? 'start' : 'end', 'start and end must both be given or both be empty');
    return false;
  }
  if (start !== null && end !== null && end <= start) {
    report('end', `end (${end}) must be greater than start (${start})`);
    return false;
  }
  return true;
}

/** A box needs all four of x, y, w, h (or none), with a width and height ≥ 0. */
function toBox(
  x: number | null,
  y: number | null,
  w: number | null,
  h: number | null,
  report: Report,
): Box | null | undefined {
  const given = (x !== null ? 1 : 0) + (y !== null ? 1 : 0) + (w !== null ? 1 : 0) + (h !== null ? 1 : 0);
  if (given === 0) return null;
  if (given < 4 || x === null || y === null || w === null || h === null) {
    report('box', 'x, y, w and h must all be given or all be empty');
    return undefined;
  }
  if (w < 0 || h < 0) {
    report(w < 0 ? 'w' : 'h', `box width and height must be ≥ 0 (got w=${w}, h=${h})`);
    return undefined;
  }
  return { x, y, w, h };
}

function checkShape(record: ParsedRecord, report: Report): boolean {
  if (record.box !== null && record.start !== null) {
    report('box', 'a record has a box or start/end, not both (use frame for boxes in video)');
    return false;
  }
  return true;
}

/** Column index of each canonical field in a CSV header, −1 when the column is absent. */
class CsvLayout {
  item = -1;
  annotator = -1;
  label = -1;
  modality = -1;
  dimension = -1;
  value = -1;
  start = -1;
  end = -1;
  frame = -1;
  x = -1;
  y = -1;
  w = -1;
  h = -1;

  /** Whether any column beyond item, annotator and label is present (the common case has none). */
  get hasOptionalColumns(): boolean {
    return [this.modality, this.dimension, this.value, this.start, this.end, this.frame, this.x, this.y, this.w, this.h].some(
      (index) => index !== -1,
    );
  }
}

function readHeader(fields: readonly string[], line: number): CsvLayout {
  const layout = new CsvLayout();
  const issues = new IssueCollector();
  const unknown: string[] = [];
  fields.forEach((raw, index) => {
    const name = raw.trim();
    if (!(CANONICAL_FIELDS as readonly string[]).includes(name)) {
      unknown.push(raw === '' ? '(empty)' : raw);
    } else if (layout[name as CanonicalField] !== -1) {
      issues.add({ line, message: `column "${name}" appears twice` });
    } else {
      layout[name as CanonicalField] = index;
    }
  });
  if (unknown.length > 0) {
    issues.add({
      line,
      message: `unknown column${unknown.length > 1 ? 's' : ''} ${unknown.map((name) => `"${name}"`).join(', ')} (known: ${CANONICAL_FIELDS.join(', ')})`,
    });
  }
  const missing: string[] = (['item', 'annotator'] as const).filter((field) => layout[field] === -1);
  if (layout.label === -1 && layout.value === -1) missing.push('label');
  if (missing.length > 0) {
    issues.add({ line, message: `missing column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (the header needs item, annotator and label or value)` });
  }
  const error = issues.toError();
  if (error !== null) throw error;
  return layout;
}

/**
 * Where `readCanonicalCsvInto` puts the records (a DatasetBuilder): `addLabel(modality, dimension,
 * item, annotator, label, position)` must do what `add` does with the record of just those fields.
 */
export interface RecordTarget {
  add(record: CanonicalRecord, position: number): void;
  addLabel(modality: Modality, dimension: string, item: string, annotator: string, label: string | null, position: number): void;
}

/**
 * Turns CSV rows into records; the first row is the header. The records go to `batch`, or straight
 * to `target` when there is one (then rows without optional columns build no record object).
 */
class CanonicalCsvRows implements CsvSink {
  private layout: CsvLayout | null = null;
  private hasOptionalColumns = false;
  batch: ParsedRecord[] = [];
  /** The row being converted and whether it is still valid; `report` (one closure for all rows) uses both. */
  private line = 0;
  private valid = true;
  private readonly report: Report = (field, message) => {
    this.valid = false;
    this.issues.add({ line: this.line, field, message });
  };

  constructor(
    private readonly issues: IssueCollector,
    private readonly target: RecordTarget | null = null,
  ) {}

  error(line: number, message: string): void {
    this.issues.add({ line, message });
  }

  row(fields: readonly string[], line: number): void {
    const layout = this.layout;
    if (layout === null) {
      this.layout = readHeader(fields, line);
      this.hasOptionalColumns = this.layout.hasOptionalColumns;
      return;
    }
    this.line = line;
    this.valid = true;
    const item = fields[layout.item]!;
    if (item === '') this.report('item', 'is empty');
    const annotator = fields[layout.annotator]!;
    if (annotator === '') this.report('annotator', 'is empty');
    const label = layout.label === -1 ? null : fields[layout.label]! || null;
    const target = this.target;
    if (target !== null && !this.hasOptionalColumns) {
      if (this.valid) target.addLabel(DEFAULT_MODALITY, DEFAULT_DIMENSION, item, annotator, label, line);
      return;
    }
    const record: ParsedRecord = this.hasOptionalColumns
      ? this.withOptionalColumns(layout, fields, item, annotator, label)
      : { item, annotator, modality: DEFAULT_MODALITY, dimension: DEFAULT_DIMENSION, label, value: null, start: null, end: null, frame: null, box: null, line };
    if (!this.valid) return;
    if (target !== null) target.add(record, line);
    else this.batch.push(record);
  }

  /** The record with the optional columns read and checked; `valid` says whether it may be kept. */
  private withOptionalColumns(layout: CsvLayout, fields: readonly string[], item: string, annotator: string, label: string | null): ParsedRecord {
    const report = this.report;
    let modality = DEFAULT_MODALITY;
    if (layout.modality !== -1) {
      const text = fields[layout.modality]!;
      if (MODALITY_SET.has(text)) modality = text as Modality;
      else report('modality', `"${text}" is not one of ${MODALITY_LIST}`);
    }
    let dimension = DEFAULT_DIMENSION;
    if (layout.dimension !== -1) {
      dimension = fields[layout.dimension]!;
      if (dimension === '') report('dimension', 'is empty');
    }
    const value = layout.value === -1 ? null : numberCell(fields[layout.value]!, 'value', report);
    const start = layout.start === -1 ? null : numberCell(fields[layout.start]!, 'start', report);
    const end = layout.end === -1 ? null : numberCell(fields[layout.end]!, 'end', report);
    const frame = layout.frame === -1 ? null : numberCell(fields[layout.frame]!, 'frame', report);
    let box: Box | null | undefined = null;
    if (layout.x !== -1 || layout.y !== -1 || layout.w !== -1 || layout.h !== -1) {
      const x = layout.x === -1 ? null : numberCell(fields[layout.x]!, 'x', report);
      const y = layout.y === -1 ? null : numberCell(fields[layout.y]!, 'y', report);
      const w = layout.w === -1 ? null : numberCell(fields[layout.w]!, 'w', report);
      const h = layout.h === -1 ? null : numberCell(fields[layout.h]!, 'h', report);
      if (x !== undefined && y !== undefined && w !== undefined && h !== undefined) box = toBox(x, y, w, h, report);
    }
    const record: ParsedRecord = {
      item,
      annotator,
      modality,
      dimension,
      label,
      value: value ?? null,
      start: start ?? null,
      end: end ?? null,
      frame: frame ?? null,
      box: box ?? null,
      line: this.line,
    };
    if (this.valid && checkSpan(record.start, record.end, report)) checkShape(record, report);
    return record;
  }
}

/** The source's chunks cut into pieces of at most BATCH_BYTES; each piece becomes one batch. */
async function* inSlices(source: AsyncIterable<Buffer>): AsyncIterable<Buffer> {
  for await (const chunk of source) {
    for (let offset = 0; offset < chunk.length; offset += BATCH_BYTES) yield chunk.subarray(offset, offset + BATCH_BYTES);
  }
}

/** Canonical CSV: the records of each slice of input, then an InputError listing every bad row. */
async function* readCanonicalCsv(source: AsyncIterable<Buffer>, options: ReadOptions = {}): AsyncIterable<ParsedRecord[]> {
  const issues = new IssueCollector(options.issueLimit);
  const rows = new CanonicalCsvRows(issues);
  const tokenizer = new CsvTokenizer(rows);
  for await (const slice of inSlices(source)) {
    tokenizer.write(slice);
    if (rows.batch.length > 0) {
      yield rows.batch;
      rows.batch = [];
    }
  }
  tokenizer.end();
  if (rows.batch.length > 0) yield rows.batch;
  const error = issues.toError();
  if (error !== null) throw error;
}

/**
 * Canonical CSV straight into `target`: the records `canonicalCsv.read` yields, added in the same
 * order with their line as position, then the same InputError. No batches, and no record objects for
 * rows that have only item, annotator and label.
 */
export async function readCanonicalCsvInto(source: AsyncIterable<Buffer>, target: RecordTarget, options: ReadOptions = {}): Promise<void> {
  const issues = new IssueCollector(options.issueLimit);
  const tokenizer = new CsvTokenizer(new CanonicalCsvRows(issues, target));
  for await (const slice of inSlices(source)) tokenizer.write(slice);
  tokenizer.end();
  const error = issues.toError();
  if (error !== null) throw error;
}

const JSON_FIELDS: ReadonlySet<string> = new Set<string>([...CANONICAL_FIELDS, 'box']);

function jsonText(object: Record<string, unknown>, field: string, report: Report): string | null | undefined {
  const value = object[field];
  if (value === undefined || value === null) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  report(field, `must be a string, got ${JSON.stringify(value)}`);
  return undefined;
}

function jsonNumber(object: Record<string, unknown>, field: string, report: Report): number | null | undefined {
  const value = object[field];
  if (value === undefined || value === null) return null;
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  report(field, `must be a finite number or null, got ${JSON.stringify(value)}`);
  return undefined;
}

function jsonBox(object: Record<string, unknown>, report: Report): Box | null | undefined {
  const flat = ['x', 'y', 'w', 'h'].some((field) => object[field] !== undefined && object[field] !== null);
  const nested = object.box;
  if (nested === undefined || nested === null) {
    if (!flat) return null;
    const x = jsonNumber(object, 'x', report);
    const y = jsonNumber(object, 'y', report);
    const w = jsonNumber(object, 'w', report);
    const h = jsonNumber(object, 'h', report);
    if (x === undefined || y === undefined || w === undefined || h === undefined) return undefined;
    return toBox(x, y, w, h, report);
  }
  if (flat) {
    report('box', 'give either box or x, y, w, h, not both');
    return undefined;
  }
  if (typeof nested !== 'object' || Array.isArray(nested)) {
    report('box', 'must be an object {x, y, w, h} or null');
    return undefined;
  }
  const fields = nested as Record<string, unknown>;
  const nestedReport: Report = (field, message) => report(`box.${field}`, message);
  const x = jsonNumber(fields, 'x', nestedReport);
  const y = jsonNumber(fields, 'y', nestedReport);
  const w = jsonNumber(fields, 'w', nestedReport);
  const h = jsonNumber(fields, 'h', nestedReport);
  if (x === undefined || y === undefined || w === undefined || h === undefined) return undefined;
  return toBox(x, y, w, h, report);
}

function jsonRecord(text: string, line: number, issues: IssueCollector): ParsedRecord | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    issues.add({ line, message: `not valid JSON: ${(error as Error).message}` });
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    issues.add({ line, message: 'each line must be one JSON object' });
    return null;
  }
  const object = parsed as Record<string, unknown>;
  let valid = true;
  const report: Report = (field, message) => {
    valid = false;
    issues.add({ line, field, message });
  };
  const unknown = Object.keys(object).filter((key) => !JSON_FIELDS.has(key));
  if (unknown.length > 0) {
    report(unknown.join(', '), `unknown field${unknown.length > 1 ? 's' : ''} (known: ${[...JSON_FIELDS].join(', ')})`);
  }

  const item = jsonText(object, 'item', report);
  if (item === null || item === '') report('item', 'is missing or empty');
  const annotator = jsonText(object, 'annotator', report);
  if (annotator === null || annotator === '') report('annotator', 'is missing or empty');
  const label = jsonText(object, 'label', report);
  const modalityText = jsonText(object, 'modality', report);
  if (modalityText !== null && modalityText !== undefined && !MODALITY_SET.has(modalityText)) {
    report('modality', `"${modalityText}" is not one of ${MODALITY_LIST}`);
  }
  const dimension = jsonText(object, 'dimension', report);
  if (dimension === '') report('dimension', 'is empty');
  const value = jsonNumber(object, 'value', report);
  const start = jsonNumber(object, 'start', report);
  const end = jsonNumber(object, 'end', report);
  const frame = jsonNumber(object, 'frame', report);
  const box = jsonBox(object, report);
  if (
    !valid ||
    item == null ||
    annotator == null ||
    label === undefined ||
    modalityText === undefined ||
    dimension === undefined ||
    value === undefined ||
    start === undefined ||
    end === undefined ||
    frame === undefined ||
    box === undefined
  ) {
    return null;
  }
  if (!checkSpan(start, end, report)) return null;
  const record: ParsedRecord = {
    item,
    annotator,
    modality: (modalityText ?? DEFAULT_MODALITY) as Modality,
    dimension: dimension ?? DEFAULT_DIMENSION,
    label: label === '' ? null : label,
    value,
    start,
    end,
    frame,
    box,
    line,
  };
  return checkShape(record, report) ? record : null;
}

/** Canonical JSONL: one object per line; blank lines are allowed. */
async function* readCanonicalJsonl(source: AsyncIterable<Buffer>, options: ReadOptions = {}): AsyncIterable<ParsedRecord[]> {
  const issues = new IssueCollector(options.issueLimit);
  const decoder = new Utf8ChunkDecoder();
  let line = 1;
  let partial = '';
  let batch: ParsedRecord[] = [];
  const take = (text: string): void => {
    if (text.trim() !== '') {
      const record = jsonRecord(text, line, issues);
      if (record !== null) batch.push(record);
    }
    line += 1;
  };
  let undecodable = false;
  const decode = (read: () => string): string => {
    try {
      return read();
    } catch {
      issues.add({ line, message: 'is not valid UTF-8' });
      undecodable = true;
      return '';
    }
  };

  for await (const slice of inSlices(source)) {
    const text = decode(() => decoder.decode(slice));
    if (undecodable) break;
    let from = 0;
    let newline = text.indexOf('\n');
    while (newline !== -1) {
      take(partial + text.slice(from, newline));
      partial = '';
      from = newline + 1;
      newline = text.indexOf('\n', from);
    }
    partial += text.slice(from);
    if (batch.length > 0) {
      yield batch;
      batch = [];
    }
  }
  if (!undecodable) {
    const rest = decode(() => decoder.end());
    if (!undecodable) take(partial + rest);
  }
  if (batch.length > 0) yield batch;
  const error = issues.toError();
  if (error !== null) throw error;
}

export const canonicalCsv: FormatAdapter = {
  format: 'csv',
  description: 'canonical CSV: header item,annotator,label[,modality,dimension,value,start,end,frame,x,y,w,h]',
  detect: (head) => {
    const first = head.trimStart().charAt(0);
    return first !== '' && first !== '{' && first !== '[' && first !== '<';
  },
  read: readCanonicalCsv,
};

export const canonicalJsonl: FormatAdapter = {
  format: 'jsonl',
  description: 'canonical JSONL: one object per line with the canonical CSV field names (box may be {x,y,w,h})',
  detect: (head) => head.trimStart().startsWith('{'),
  read: readCanonicalJsonl,
};
