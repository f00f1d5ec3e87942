/**
 * PostgreSQL COPY text format for the `annotations` table: encoding rows for `COPY … FROM STDIN`,
 * decoding them from `COPY … TO STDOUT`, and the writer/reader that stream them through
 * pg-copy-streams on a client that the caller owns (and whose transaction the caller controls).
 *
 * Text format (https://www.postgresql.org/docs/current/sql-copy.html#id-1.9.3.55.9.2): columns are
 * separated by a tab, rows end with a newline, NULL is `\N`, and a backslash, tab, newline or
 * carriage return inside a value is written as `\\`, `\t`, `\n`, `\r`. Because every backslash is
 * doubled, a value can never read as `\N` or as the end-of-data marker `\.`.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { Modality } from '../agreement/types';
import type { ParsedRecord } from './adapter';

/** The columns written by COPY, in order. `batch_id` is the same for every row of one upload. */
export const ANNOTATION_COPY_COLUMNS = [
  'batch_id',
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
  'ordinal',
  'gold',
  'text',
  'source_file',
  'source_task',
  'source_annotation',
  'source_region',
  'source_track',
  'source_tier',
] as const;

const NULL = '\\N';
const NEEDS_ESCAPE = /[\\\t\n\r]/;

/** A record's value that PostgreSQL cannot store as given (the validator should have caught it). */
export class CopyEncodingError extends Error {
  constructor(
    readonly line: number,
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'CopyEncodingError';
  }
}

/** Escapes one text value for the COPY text format; `null` becomes `\N`. */
export function escapeCopyText(value: string | null): string {
  if (value === null) return NULL;
  if (!NEEDS_ESCAPE.test(value)) return value;
  let out = '';
  for (const char of value) {
    switch (char) {
      case '\\':
        out += '\\\\';
        break;
      case '\t':
        out += '\\t';
        break;
      case '\n':
        out += '\\n';
        break;
      case '\r':
        out += '\\r';
        break;
      default:
        out += char;
    }
  }
  return out;
}

/**
 * Reverses {@link escapeCopyText} for a field as PostgreSQL writes it with `COPY … TO STDOUT`
 * (which also uses `\b`, `\f`, `\v`, octal `\NNN` and hex `\xHH`; all are understood).
 */
export function unescapeCopyText(field: string): string | null {
  if (field === NULL) return null;
  if (!field.includes('\\')) return field;
  let out = '';
  for (let i = 0; i < field.length; i++) {
    const char = field[i]!;
    if (char !== '\\' || i + 1 >= field.length) {
      out += char;
      continue;
    }
    const next = field[++i]!;
    switch (next) {
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 't':
        out += '\t';
        break;
      case 'v':
        out += '\v';
        break;
      case 'x': {
        const hex = /^[0-9a-fA-F]{1,2}/.exec(field.slice(i + 1))?.[0];
        if (hex === undefined) {
          out += 'x';
        } else {
          out += String.fromCharCode(parseInt(hex, 16));
          i += hex.length;
        }
        break;
      }
      default:
        if (next >= '0' && next <= '7') {
          const octal = /^[0-7]{1,3}/.exec(field.slice(i))![0];
          out += String.fromCharCode(parseInt(octal, 8));
          i += octal.length - 1;
        } else {
          out += next; // `\\` and any other escaped character stand for themselves
        }
    }
  }
  return out;
}

/** What makes a text value need more than copying: an escape, or a NUL (refused). */
// eslint-disable-next-line no-control-regex -- NUL is exactly what this looks for
const SPECIAL = /[\\\t\n\r\u0000]/;

/** One scan for the common plain value; the checks and escaping only for the rare others. */
function encodeText(value: string | null, line: number, field: string): string {
  if (value === null) return NULL;
  if (!SPECIAL.test(value)) return value;
  if (value.includes('\u0000')) {
    throw new CopyEncodingError(line, field, 'text must not contain the NUL character (U+0000)');
  }
  return escapeCopyText(value);
}

function encodeNumber(value: number | null, line: number, field: string): string {
  if (value === null) return NULL;
  if (!Number.isFinite(value)) throw new CopyEncodingError(line, field, `must be a finite number, got ${value}`);
  // String() is the shortest text that parses back to the same double; float8 input reads it exactly.
  return String(value);
}

function encodeInteger(value: number | null, line: number, field: string): string {
  if (value === null) return NULL;
  if (!Number.isSafeInteger(value) || value < -2147483648 || value > 2147483647) {
    throw new CopyEncodingError(line, field, `must be a 32-bit integer, got ${value}`);
  }
  return String(value);
}

/** The provenance columns of a record without provenance (after the file). */
const NO_PROVENANCE = '\t\\N\t\\N\t\\N\t\\N\t\\N\n';

/**
 * The columns after the judgement: ordinal, gold, text, then the source file (the record's own
 * provenance.file, else `sourceFile`) and the rest of its provenance.
 */
function encodeExtras(record: ParsedRecord, ordinal: number, sourceFile: string | null): string {
  const { line, provenance } = record;
  const head =
    '\t' + encodeInteger(ordinal, line, 'ordinal') +
    (record.gold === true ? '\tt\t' : '\tf\t') +
    (record.text === undefined ? NULL : encodeText(record.text, line, 'text')) +
    '\t' + encodeText(provenance?.file ?? sourceFile, line, 'file');
  if (provenance === undefined) return head + NO_PROVENANCE;
  return (
    head +
    '\t' + encodeText(provenance.task ?? null, line, 'task') +
    '\t' + encodeText(provenance.annotation ?? null, line, 'annotation') +
    '\t' + encodeText(provenance.region ?? null, line, 'region') +
    '\t' + encodeText(provenance.track ?? null, line, 'track') +
    '\t' + encodeText(provenance.tier ?? null, line, 'tier') +
    '\n'
  );
}

/**
 * One `annotations` row in COPY text format, newline included. `batchId` must be a plain uuid;
 * `ordinal` is the record's index in the upload (the order it was read in), `sourceFile` the file it
 * came from when its provenance does not say.
 */
export function encodeAnnotationRow(batchId: string, record: ParsedRecord, ordinal = 0, sourceFile: string | null = null): string {
  const { line, box } = record;
  // Plain concatenation: this runs once per row of million-row uploads.
  return (
    batchId +
    '\t' + encodeInteger(line, line, 'line') +
    '\t' + encodeText(record.item, line, 'item') +
    '\t' + encodeText(record.annotator, line, 'annotator') +
    '\t' + encodeText(record.modality, line, 'modality') +
    '\t' + encodeText(record.dimension, line, 'dimension') +
    '\t' + encodeText(record.label, line, 'label') +
    '\t' + encodeNumber(record.value, line, 'value') +
    '\t' + encodeNumber(record.start, line, 'start') +
    '\t' + encodeNumber(record.end, line, 'end') +
    '\t' + encodeInteger(record.frame, line, 'frame') +
    (box === null
      ? '\t\\N\t\\N\t\\N\t\\N'
      : '\t' + encodeNumber(box.x, line, 'x') +
        '\t' + encodeNumber(box.y, line, 'y') +
        '\t' + encodeNumber(box.w, line, 'w') +
        '\t' + encodeNumber(box.h, line, 'h')) +
    encodeExtras(record, ordinal, sourceFile)
  );
}

/** What the writer saw while copying: enough for the batch's counts and its jobs. */
export interface CopySummary {
  records: number;
  annotators: number;
  /** The distinct (modality, dimension) pairs, in order of first appearance (gold and text records' included). */
  dimensions: { modality: Modality; dimension: string }[];
}

export interface CopyOptions {
  /**
   * The file the records being written come from (asked once per chunk), for records whose
   * provenance names none; null for an upload that is one unnamed body.
   */
  currentFile?: () => string | null;
}

/**
 * Streams the adapter's record chunks into `annotations` with one `COPY … FROM STDIN` on `client`
 * (each chunk becomes one write, with backpressure); each row's `ordinal` is its index in the
 * stream. Any error from the source (an `InputError`, a too-large body…) or from encoding destroys
 * the COPY stream, which sends CopyFail, and is rethrown as is; the caller then rolls its
 * transaction back. Nothing here commits.
 */
export async function copyAnnotations(
  client: PoolClient,
  batchId: string,
  chunks: AsyncIterable<readonly ParsedRecord[]>,
  options: CopyOptions = {},
): Promise<CopySummary> {
  const annotators = new Set<string>();
  const dimensionKeys = new Set<string>();
  const dimensions: CopySummary['dimensions'] = [];
  let records = 0;

  async function* encode(): AsyncGenerator<string> {
    for await (const chunk of chunks) {
      if (chunk.length === 0) continue;
      const file = options.currentFile?.() ?? null;
      let text = '';
      for (const record of chunk) {
        text += encodeAnnotationRow(batchId, record, records++, file);
        annotators.add(record.annotator);
        const key = `${record.modality}\u0000${record.dimension}`;
        if (!dimensionKeys.has(key)) {
          dimensionKeys.add(key);
          dimensions.push({ modality: record.modality, dimension: record.dimension });
        }
      }
      yield text;
    }
  }

  const copy = client.query(
    copyFrom(`COPY annotations (${ANNOTATION_COPY_COLUMNS.join(', ')}) FROM STDIN (FORMAT text)`),
  );
  await pipeline(Readable.from(encode(), { objectMode: false }), copy);
  return { records, annotators: annotators.size, dimensions };
}
