/**
 * Streaming RFC 4180 CSV tokenizer.
 *
 * Bytes go in through `write` in chunks split anywhere (even inside a UTF-8 character); complete
 * rows come out through `CsvSink.row`. Fields are sliced from the decoded chunk with `indexOf`, and
 * one `fields` array is reused for every row, so a million rows cost no per-row arrays.
 */
import { Utf8ChunkDecoder } from './utf8-decoder';

const COMMA = 44;
const QUOTE = 34;
const LF = 10;
const CR = 13;

/** Where the tokenizer is between two characters; it carries over from one chunk to the next. */
const FIELD_START = 0;
const UNQUOTED = 1;
const QUOTED = 2;
/** A quote was seen inside a quoted field: either half of `""` or the closing quote. */
const QUOTE_IN_QUOTED = 3;
const AFTER_QUOTE = 4;
/** After an error inside a row: drop the rest of that line. */
const SKIP_ROW = 5;
/** After undecodable bytes: nothing more can be trusted. */
const STOPPED = 6;

export interface CsvSink {
  /**
   * A complete row. `fields` is reused for the next row (copy what you keep); every row has as
   * many fields as the first (header) row — rows that differ are reported through `error`.
   */
  row(fields: readonly string[], line: number): void;
  /** A problem with the row starting on `line`; the tokenizer goes on with the next row. */
  error(line: number, message: string): void;
}

export class CsvTokenizer {
  private readonly decoder = new Utf8ChunkDecoder();
  private readonly fields: string[] = [];
  private fieldCount = 0;
  private expectedFields = -1;
  private state = FIELD_START;
  /** Text of the current field read so far from earlier chunks (or, in quoted fields, unescaped). */
  private partial = '';
  /** The physical line being read and the line where the current row started (both 1-based). */
  private line = 1;
  private rowLine = 1;
  private quoteLine = 1;

  constructor(private readonly sink: CsvSink) {}

  write(bytes: Uint8Array): void {
    if (this.state === STOPPED) return;
    let text: string;
    try {
      text = this.decoder.decode(bytes);
    } catch {
      this.stop(`is not valid UTF-8 (undecodable bytes after line ${this.line})`);
      return;
    }
    this.parse(text);
  }

  /** Finishes the last row (a final newline is optional) and reports an unterminated quote. */
  end(): void {
    if (this.state === STOPPED) return;
    let rest: string;
    try {
      rest = this.decoder.end();
    } catch {
      this.stop('is not valid UTF-8 (the file ends inside a character)');
      return;
    }
    this.parse(rest);
    switch (this.state) {
      case QUOTED:
        this.sink.error(this.quoteLine, 'unterminated quoted field: the quote opened on this line is never closed');
        break;
      case QUOTE_IN_QUOTED:
        this.pushField(this.partial);
        this.endRow();
        break;
      case UNQUOTED:
        this.pushField(withoutTrailingCR(this.partial));
        this.endRow();
        break;
      case FIELD_START:
        // A row ending in a comma has one more (empty) field; an empty last line has none.
        if (this.fieldCount > 0) {
          this.pushField('');
          this.endRow();
        }
        break;
      case AFTER_QUOTE:
        this.endRow();
        break;
    }
    this.state = FIELD_START;
    this.partial = '';
  }

  private parse(text: string): void {
    const length = text.length;
    let state = this.state;
    let partial = this.partial;
    let i = 0;
    // Next comma and newline at or after i (length = none in this chunk); refreshed once passed.
    let nextComma = -1;
    let nextLF = -1;

    while (i < length) {
      if (state === FIELD_START) {
        if (text.charCodeAt(i) === QUOTE) {
          state = QUOTED;
          partial = '';
          this.quoteLine = this.line;
          i += 1;
          continue;
        }
        state = UNQUOTED;
        partial = '';
      }

      if (state === UNQUOTED) {
        if (nextComma < i) {
          nextComma = text.indexOf(',', i);
          if (nextComma === -1) nextComma = length;
        }
        if (nextLF < i) {
          nextLF = text.indexOf('\n', i);
          if (nextLF === -1) nextLF = length;
        }
        if (nextComma < nextLF) {
          const field = text.slice(i, nextComma);
          this.pushField(partial === '' ? field : partial + field);
          i = nextComma + 1;
          state = FIELD_START;
        } else if (nextLF < length) {
          const field = text.slice(i, nextLF);
          this.pushField(withoutTrailingCR(partial === '' ? field : partial + field));
          this.endRow();
          i = nextLF + 1;
          state = FIELD_START;
        } else {
          partial += text.slice(i);
          i = length;
        }
        continue;
      }

      if (state === QUOTED) {
        const quote = text.indexOf('"', i);
        const stop = quote === -1 ? length : quote;
        this.countNewlines(text, i, stop);
        partial += text.slice(i, stop);
        i = quote === -1 ? length : quote + 1;
        if (quote !== -1) state = QUOTE_IN_QUOTED;
        continue;
      }

      if (state === QUOTE_IN_QUOTED) {
        if (text.charCodeAt(i) === QUOTE) {
          partial += '"';
          i += 1;
          state = QUOTED;
          continue;
        }
        this.pushField(partial);
        partial = '';
        state = AFTER_QUOTE;
      }

      if (state === AFTER_QUOTE) {
        const code = text.charCodeAt(i);
        if (code === COMMA) {
          state = FIELD_START;
        } else if (code === LF) {
          this.endRow();
          state = FIELD_START;
        } else if (code !== CR) {
          this.sink.error(this.rowLine, 'unexpected character after a closing quote (quote the whole field and double inner quotes)');
          this.fieldCount = 0;
          state = SKIP_ROW;
          continue;
        }
        i += 1;
        continue;
      }

      // SKIP_ROW
      const newline = text.indexOf('\n', i);
      if (newline === -1) {
        i = length;
      } else {
        i = newline + 1;
        this.line += 1;
        this.rowLine = this.line;
        state = FIELD_START;
      }
    }

    this.state = state;
    this.partial = partial;
  }

  private pushField(field: string): void {
    this.fields[this.fieldCount] = field;
    this.fieldCount += 1;
  }

  /** Ends the row at the newline on `this.line`; the next row starts on the following line. */
  private endRow(): void {
    const count = this.fieldCount;
    const line = this.rowLine;
    this.fieldCount = 0;
    this.line += 1;
    this.rowLine = this.line;
    if (count === 1 && this.fields[0] === '') return; // an empty line holds no data
    if (this.expectedFields === -1) {
      this.expectedFields = count;
    } else if (count !== this.expectedFields) {
      this.sink.error(line, `expected ${this.expectedFields} fields (as in the header), found ${count}`);
      return;
    }
    // A longer row reported earlier may have left extra entries in the reused array.
    if (this.fields.length !== count) this.fields.length = count;
    this.sink.row(this.fields, line);
  }

  private countNewlines(text: string, from: number, to: number): void {
    let newline = text.indexOf('\n', from);
    while (newline !== -1 && newline < to) {
      this.line += 1;
      newline = text.indexOf('\n', newline + 1);
    }
  }

  private stop(message: string): void {
    this.sink.error(this.line, message);
    this.state = STOPPED;
  }
}

function withoutTrailingCR(field: string): string {
  return field.length > 0 && field.charCodeAt(field.length - 1) === CR ? field.slice(0, -1) : field;
}
