/**
 * Reading what `COPY … TO STDOUT (FORMAT text)` writes, for the decoders that run in worker threads
 * (the agreement job's dimension analysis, the evaluate step's batch dataset): rows split as their
 * bytes arrive, fields read in place in the row's text. The inverse of copy-writer.ts.
 */
import { unescapeCopyText } from './copy-writer';

const BACKSLASH = 92;
const CAPITAL_N = 78;
const LOWER_T = 116;
const MINUS = 45;
const ZERO = 48;
/** Distinct recent values a {@link RecentText} matches in place. */
const RECENT_VALUES = 16;

/**
 * Splits COPY text into rows as chunks arrive (a chunk may end anywhere, even inside a UTF-8
 * character): `row(text, from, to)` gets each row's span, without its newline.
 */
export class CopyTextLines {
  private readonly decoder = new TextDecoder('utf-8');
  private rest = '';

  constructor(private readonly row: (text: string, from: number, to: number) => void) {}

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
}

/**
 * Text fields with few distinct values (annotators, labels, dimensions): the recent values are
 * matched in the raw text in place, so a row reuses their strings instead of slicing (and the
 * dataset builder hashing) a new one. Only values whose COPY text is the value itself are kept.
 */
export class RecentText {
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
export function isVerbatim(value: string): boolean {
  return !value.includes('\\');
}

function isNull(text: string, from: number, to: number): boolean {
  return to - from === 2 && text.charCodeAt(from) === BACKSLASH && text.charCodeAt(from + 1) === CAPITAL_N; // \N
}

export function textField(text: string, from: number, to: number): string | null {
  if (isNull(text, from, to)) return null;
  const raw = text.slice(from, to);
  return raw.includes('\\') ? unescapeCopyText(raw) : raw;
}

export function numberField(text: string, from: number, to: number): number | null {
  // `\N` is the only non-numeric text PostgreSQL writes for a float8/int column.
  return isNull(text, from, to) ? null : Number(text.slice(from, to));
}

/** A PostgreSQL integer as COPY writes it (optional minus, digits); null when it is not one. */
export function integerField(text: string, from: number, to: number): number | null {
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

/** A boolean field starting at `at`: COPY writes `t` or `f`. */
export function booleanField(text: string, at: number): boolean {
  return text.charCodeAt(at) === LOWER_T;
}
