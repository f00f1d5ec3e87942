import Verifier from 'stream-json/utils/Verifier';
import type { Box, Modality } from '../../agreement/types';
import type { FormatAdapter, ParsedRecord, Provenance, ReadOptions } from '../adapter';
import { IssueCollector, type InputIssue } from '../ingest.errors';
import { INGEST_LIMITS } from '../limits';
import { Utf8ChunkDecoder } from '../utf8-decoder';

/**
 * Label Studio JSON export (issue 4, item 1): an array of tasks, each with the submissions of its
 * annotators in `annotations[]`, each submission a list of `result` regions. One canonical record
 * per judgement: per label of a region, per choice set of a classification, per keyframe of a video
 * box, per range of a video timeline.
 *
 * Streaming: the top-level array is split into its elements by a scanner that only follows strings
 * and brackets, and each task's text is then parsed alone with `JSON.parse`, so memory is bounded by
 * the largest task (INGEST_LIMITS.maxTaskChars), never the export. stream-json's parser + StreamArray, which do
 * the same job token by token, took 20 s of CPU just to assemble the 100,000 tasks (235 MB) of the
 * benchmark export, against under 5 s for this whole adapter; the benchmark allows 10 s for parsing
 * and storing. stream-json's Verifier still locates syntax errors (it counts positions).
 *
 * Modality of a result, first rule that applies:
 *  1. `ReadOptions.modalities[from_name]`, then `ReadOptions.modalities[to_name]`;
 *  2. the result's type or geometry: `timeserieslabels` → sensor; a box (x/y/width/height) → image;
 *     frame ranges or a keyframe sequence → video;
 *  3. the object it labels: the task's `data[to_name]` (or, when there is no such key, the name
 *     `to_name` itself and then the only data key): a media URL's extension or `data:` type, else the
 *     key's name (text, audio, video, image/img, ts/timeseries/imu/sensor), else a plain string value
 *     is the text itself. Otherwise it is an error asking for a `modalities` entry.
 *
 * Units: text spans are character offsets as given (end exclusive); audio and video spans seconds;
 * sensor spans are Label Studio time-series times (epoch milliseconds or ISO 8601 strings) turned
 * into epoch seconds; boxes are pixels when the result gives `original_width`/`original_height`
 * (required for `rectanglelabels`), else percent of the frame (videorectangle without a size).
 */

/** What `ReadOptions.onStats` hears from this adapter. A type, not an interface, so that it is a
 * `Record<string, number>`. */
export type LabelStudioReadStats = {
  /** Task objects read. */
  tasks: number;
  /** Annotations read (gold ones included, cancelled ones not). */
  annotations: number;
  /** `was_cancelled` annotations: skipped, not judgements. */
  cancelledAnnotations: number;
  /** `ground_truth` annotations, read as gold records. */
  goldAnnotations: number;
  /** `relation` results (links between regions, no judgement of their own): skipped. */
  skippedRelations: number;
  /** Model predictions found in `predictions[]`: not annotator judgements, not read. */
  ignoredPredictions: number;
};

/** Bytes parsed per emitted batch, whatever the source's chunk size (as the canonical adapter). */
const BATCH_BYTES = 64 * 1024;

/** Separator of the options of a multi-select (sorted) and of several taxonomy paths. */
const SET_SEPARATOR = '|';
const TAXONOMY_LEVEL_SEPARATOR = ' / ';

const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const NEWLINE = 0x0a;

function isJsonWhitespace(code: number): boolean {
  return code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09;
}

// ---------------------------------------------------------------------------------------------
// Splitting the top-level array

/** One element of the top-level array, with where it starts (1-based line and column). */
interface ArrayElement {
  index: number;
  line: number;
  column: number;
  /** The element's JSON text; null when it is not an object or was too large to keep, or is parsed. */
  text: string | null;
  /** The element already parsed (see TaskArraySplitter.wholeLine), else undefined. */
  value: unknown;
  /** Why `text` is null. */
  problem: string | null;
}

type SplitterState = 'before-array' | 'before-first' | 'before-element' | 'after-element' | 'in-element' | 'after-array';

/**
 * Cuts the text of `[ {...}, {...} ]` into its elements. It checks the array's own syntax (commas,
 * brackets, nothing after the end) and follows strings and nesting inside an element only to find
 * where it ends; `JSON.parse` checks the rest. A syntax error at the top level makes the rest
 * unreadable: `fatal` is set and further input ignored.
 */
class TaskArraySplitter {
  readonly elements: ArrayElement[] = [];
  fatal: InputIssue | null = null;
  private state: SplitterState = 'before-array';
  /** Characters before the current text, and where the current line starts (both absolute). */
  private offset = 0;
  private line = 1;
  private lineStart = 0;
  private index = 0;
  // The element being scanned.
  private depth = 0;
  private inString = false;
  /** A backslash ended the previous text inside a string: the next character is escaped. */
  private escapePending = false;
  /** A scalar (number, literal) element: it ends at whitespace, a comma or the closing bracket. */
  private inScalar = false;
  private current: ArrayElement | null = null;
  private pieces: string[] = [];
  private keptChars = 0;
  private keep = false;
  /** Tasks are read a line at a time until one line is not exactly one task (see `wholeLine`). */
  private lineTask = true;
  /** The first line end at or after the last task start in `newlineText` (-1: none), so that a text without any is searched once. */
  private newlineText: string | null = null;
  private newlineAt = -1;

  write(text: string): void {
    let i = 0;
    const length = text.length;
    let elementFrom = 0;
    while (i < length && this.fatal === null) {
      if (this.state === 'in-element') {
        i = this.scanElement(text, i);
        if (this.state === 'in-element') break;
        continue;
      }
      const code = text.charCodeAt(i);
      if (isJsonWhitespace(code)) {
        if (code === NEWLINE) this.newline(i);
        i += 1;
        continue;
      }
      switch (this.state) {
        case 'before-array':
          if (code === OPEN_BRACKET) this.state = 'before-first';
          else this.fail(i, code === OPEN_BRACE ? 'is a JSON object; a Label Studio export is an array of tasks' : 'must be a JSON array of tasks (a Label Studio JSON export)');
          i += 1;
          break;
        case 'before-first':
        case 'before-element':
          if (code === CLOSE_BRACKET && this.state === 'before-first') {
            this.state = 'after-array';
            i += 1;
          } else if (code === CLOSE_BRACKET || code === COMMA) {
            this.fail(i, this.state === 'before-first' ? `expected a task or ']' (found '${text.charAt(i)}')` : `expected a task after ',' (found '${text.charAt(i)}')`);
          } else {
            const end = this.lineTask ? this.wholeLine(text, i, code) : -1;
            if (end !== -1) {
              i = end;
            } else {
              this.startElement(text, i, code);
              elementFrom = i;
            }
          }
          break;
        case 'after-element':
          if (code === COMMA) this.state = 'before-element';
          else if (code === CLOSE_BRACKET) this.state = 'after-array';
          else this.fail(i, `expected ',' or ']' after task [${this.index - 1}] (found '${text.charAt(i)}')`);
          i += 1;
          break;
        case 'after-array':
          this.fail(i, `unexpected '${text.charAt(i)}' after the closing ']' of the task array`);
          break;
      }
    }
    if (this.state === 'in-element' && this.keep) this.retain(text.slice(elementFrom));
    this.offset += length;
  }

  /**
   * Exports that put each task on a line of its own (Label Studio's own do) are cut by line, and the
   * task parsed here: scanning every character for strings and brackets was a fifth of reading
   * such an export. The piece from the task's `{` to the last `}` of its line, before any
   * whitespace, `,` and `]`, is the whole task exactly when `JSON.parse` takes it: it starts where
   * the task starts, and no object is a prefix of a longer one. Returns where the task ends, or -1
   * (then scanning takes over; after a piece that does not parse, for the rest of the input).
   */
  private wholeLine(text: string, i: number, code: number): number {
    if (code !== OPEN_BRACE) return -1;
    if (this.newlineText !== text || (this.newlineAt !== -1 && this.newlineAt < i)) {
      this.newlineText = text;
      this.newlineAt = text.indexOf('\n', i);
    }
    const newline = this.newlineAt;
    if (newline === -1 || newline - i > INGEST_LIMITS.maxTaskChars) return -1;
    let end = newline;
    for (let last = text.charCodeAt(end - 1); end > i && (isJsonWhitespace(last) || last === COMMA || last === CLOSE_BRACKET); last = text.charCodeAt(end - 1)) end -= 1;
    if (text.charCodeAt(end - 1) !== CLOSE_BRACE) return -1;
    let value: unknown;
    try {
      value = JSON.parse(text.slice(i, end));
    } catch {
      this.lineTask = false;
      return -1;
    }
    this.elements.push({ index: this.index, line: this.line, column: this.offset + i - this.lineStart + 1, text: null, value, problem: null });
    this.index += 1;
    this.state = 'after-element';
    return end;
  }

  /** At the end of the input: an unfinished array or task is an error. */
  end(): void {
    if (this.fatal !== null) return;
    const position = { line: this.line, column: this.offset - this.lineStart + 1 };
    if (this.state === 'before-array') this.fatal = { message: 'is empty' };
    else if (this.state === 'in-element') {
      const partial = this.keep ? this.pieces.join('') : '';
      this.fatal = {
        line: position.line,
        path: `[${this.current?.index ?? this.index}]${partial === '' ? '' : pathAt(partial, partial.length)}`,
        message: `the JSON ends inside this task (column ${position.column}): the file is cut off`,
      };
    } else if (this.state !== 'after-array') {
      this.fatal = { line: position.line, message: `the JSON ends before the closing ']' of the task array (column ${position.column}): the file is cut off` };
    }
  }

  private startElement(text: string, i: number, code: number): void {
    const element: ArrayElement = { index: this.index, line: this.line, column: this.offset + i - this.lineStart + 1, text: null, value: undefined, problem: null };
    this.index += 1;
    this.current = element;
    this.state = 'in-element';
    this.depth = 0;
    this.inString = false;
    this.escapePending = false;
    this.inScalar = code !== OPEN_BRACE && code !== OPEN_BRACKET && code !== QUOTE;
    this.keep = code === OPEN_BRACE;
    this.pieces = [];
    this.keptChars = 0;
    if (!this.keep) element.problem = 'must be a task object';
  }

  /** Scans the current element from `i`; returns where scanning stopped (its end, or the text's). */
  private scanElement(text: string, from: number): number {
    const length = text.length;
    let i = from;
    if (this.inScalar) {
      while (i < length) {
        const code = text.charCodeAt(i);
        if (code === COMMA || code === CLOSE_BRACKET || isJsonWhitespace(code)) {
          this.finishElement(text, from, i);
          return i;
        }
        i += 1;
      }
      return i;
    }
    while (i < length) {
      if (this.inString) {
        i = this.skipString(text, i);
        if (this.inString) return length;
        // A string element ends with its closing quote.
        if (this.depth === 0) {
          this.finishElement(text, from, i);
          return i;
        }
        continue;
      }
      const code = text.charCodeAt(i);
      if (code === QUOTE) {
        this.inString = true;
        i += 1;
      } else if (code === OPEN_BRACE || code === OPEN_BRACKET) {
        this.depth += 1;
        i += 1;
      } else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) {
        this.depth -= 1;
        i += 1;
        if (this.depth === 0) {
          this.finishElement(text, from, i);
          return i;
        }
      } else {
        if (code === NEWLINE) this.newline(i);
        i += 1;
      }
    }
    return i;
  }

  /** Skips string content from `i` (inside a string); returns the index after the closing quote, or
   * the text's length with `inString` still set. */
  private skipString(text: string, from: number): number {
    let i = from;
    if (this.escapePending) {
      if (i >= text.length) return i;
      this.escapePending = false;
      i += 1;
    }
    for (;;) {
      const quote = text.indexOf('"', i);
      if (quote === -1) {
        this.escapePending = countBackslashesBefore(text, text.length, i) % 2 === 1;
        return text.length;
      }
      if (countBackslashesBefore(text, quote, i) % 2 === 0) {
        this.inString = false;
        return quote + 1;
      }
      i = quote + 1;
    }
  }

  private finishElement(text: string, from: number, end: number): void {
    const element = this.current!;
    if (this.keep) {
      const tail = text.slice(from, end);
      this.retain(tail);
      if (this.keep) element.text = this.pieces.length === 1 ? tail : this.pieces.join('');
    }
    this.elements.push(element);
    this.pieces = [];
    this.current = null;
    this.state = 'after-element';
  }

  private retain(piece: string): void {
    this.keptChars += piece.length;
    if (this.keptChars > INGEST_LIMITS.maxTaskChars) {
      this.keep = false;
      this.pieces = [];
      this.current!.problem = `is larger than ${INGEST_LIMITS.maxTaskChars} characters of JSON; split the export into smaller tasks`;
    } else {
      this.pieces.push(piece);
    }
  }

  /** The line scanning has reached. */
  get currentLine(): number {
    return this.line;
  }

  private newline(i: number): void {
    this.line += 1;
    this.lineStart = this.offset + i + 1;
  }

  private fail(i: number, message: string): void {
    this.fatal = { line: this.line, message: `${message} (column ${this.offset + i - this.lineStart + 1})` };
  }
}

/** How many backslashes directly precede `end`, not looking before `from`. */
function countBackslashesBefore(text: string, end: number, from: number): number {
  let count = 0;
  for (let i = end - 1; i >= from && text.charCodeAt(i) === BACKSLASH; i -= 1) count += 1;
  return count;
}

/**
 * The JSON path (`.annotations[3].result[0].value`) of the value at `position` in `text`, for error
 * messages: follows nesting, keys and array indexes up to that point, tolerating broken input.
 */
function pathAt(text: string, position: number): string {
  const frames: { array: boolean; index: number; key: string | null }[] = [];
  let expectKey = false;
  const end = Math.min(position, text.length);
  for (let i = 0; i < end; i += 1) {
    const char = text[i];
    const frame = frames[frames.length - 1];
    if (char === '"') {
      let close = i + 1;
      while (close < text.length && text[close] !== '"') close += text[close] === '\\' ? 2 : 1;
      // A key cut off by the end of the text is not a key yet.
      if (close >= end) break;
      if (frame !== undefined && !frame.array && expectKey) {
        frame.key = decodeJsonString(text.slice(i, close + 1));
        expectKey = false;
      }
      i = close;
    } else if (char === '{') {
      frames.push({ array: false, index: 0, key: null });
      expectKey = true;
    } else if (char === '[') {
      frames.push({ array: true, index: 0, key: null });
    } else if (char === '}' || char === ']') {
      frames.pop();
    } else if (char === ',' && frame !== undefined) {
      if (frame.array) frame.index += 1;
      else {
        frame.key = null;
        expectKey = true;
      }
    }
  }
  return frames.map((frame) => (frame.array ? `[${frame.index}]` : frame.key === null ? '' : pathKey(frame.key))).join('');
}

function decodeJsonString(quoted: string): string {
  try {
    return String(JSON.parse(quoted));
  } catch {
    return quoted.slice(1, -1);
  }
}

function pathKey(key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

/** Where in a task's text JSON.parse failed, found with stream-json's Verifier (which counts offsets). */
async function locateSyntaxError(text: string): Promise<{ offset: number; message: string } | null> {
  const verifier = new Verifier({ decodeStrings: false });
  return new Promise((resolve) => {
    verifier.on('error', (error: Error & { offset?: number }) => {
      resolve({ offset: error.offset ?? 0, message: error.message.replace(/^.*?Verifier (cannot parse input: |has )/, '') });
    });
    verifier.on('finish', () => resolve(null));
    verifier.end(text);
  });
}

/** The issue for a task whose text is not valid JSON: line, column and path of the first error. */
async function syntaxIssue(element: ArrayElement, text: string): Promise<InputIssue> {
  const located = await locateSyntaxError(text);
  if (located === null) return { line: element.line, path: `[${element.index}]`, message: 'is not valid JSON' };
  const before = text.slice(0, located.offset);
  const newlines = before.split('\n').length - 1;
  const column = newlines === 0 ? element.column + located.offset : located.offset - before.lastIndexOf('\n');
  return {
    line: element.line + newlines,
    path: `[${element.index}]${pathAt(text, located.offset)}`,
    message: `not valid JSON at column ${column}: ${located.message}`,
  };
}

// ---------------------------------------------------------------------------------------------
// Reading tasks

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/** A value for an error message, cut short. */
function shown(value: unknown): string {
  const text = value === undefined ? 'nothing' : JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** One extent of a region: a span, or a box (on a frame for video). */
interface Extent {
  start: number | null;
  end: number | null;
  frame: number | null;
  box: Box | null;
  /** Audio channel (from `value.channel`); channels after the first get their own dimension. */
  channel: number;
  /** Path of the extent when a result has several (a range, a keyframe), else null. */
  path: string | null;
}

const ITEM_LEVEL: readonly Extent[] = [{ start: null, end: null, frame: null, box: null, channel: 0, path: null }];

type Geometry = 'span' | 'box' | 'ranges' | 'sequence' | null;

/** What each geometry needs, for error messages. */
const GEOMETRY_FIELDS: Readonly<Record<Exclude<Geometry, null>, string>> = {
  span: 'start and end',
  box: 'x, y, width and height',
  ranges: 'frame ranges',
  sequence: 'a keyframe sequence',
};

/** The geometry a result's value carries, whatever its type (per-region results repeat it). */
function geometryOf(value: JsonObject): Geometry {
  if ('start' in value || 'end' in value) return 'span';
  if ('sequence' in value) return 'sequence';
  if ('ranges' in value) return 'ranges';
  if ('x' in value || 'y' in value || 'width' in value || 'height' in value) return 'box';
  return null;
}

/** The judgement a result carries: labels (one record each), a number, or free text. */
interface Judgement {
  labels: readonly (string | null)[];
  value: number | null;
  text: string | undefined;
}

/** A result read and checked, before its records are made (they may need another result's extents). */
interface ReadResult {
  path: string;
  fromName: string;
  modality: Modality;
  regionId: string | undefined;
  extents: readonly Extent[] | null;
  judgement: Judgement;
  /** The next result of the same region in this annotation. */
  nextInRegion: ReadResult | null;
}

/** Result types read as judgements: the geometry each must have (null: any or none) and the key of its labels. */
const RESULT_TYPES: Readonly<Record<string, { geometry: readonly Exclude<Geometry, null>[] | null; labelsKey?: string }>> = {
  choices: { geometry: null },
  labels: { geometry: ['span', 'box'], labelsKey: 'labels' },
  rectanglelabels: { geometry: ['box'], labelsKey: 'rectanglelabels' },
  timelinelabels: { geometry: ['ranges'], labelsKey: 'timelinelabels' },
  videorectangle: { geometry: ['sequence'], labelsKey: 'labels' },
  timeserieslabels: { geometry: ['span'], labelsKey: 'timeserieslabels' },
  rating: { geometry: null },
  number: { geometry: null },
  taxonomy: { geometry: null },
  textarea: { geometry: null },
};
const SUPPORTED_TYPES = Object.keys(RESULT_TYPES).join(', ');
/** Results that link regions rather than judge anything. */
const RELATION_TYPE = 'relation';

const EXTENSION_MODALITY: Readonly<Record<string, Modality>> = {
  wav: 'audio', mp3: 'audio', flac: 'audio', ogg: 'audio', oga: 'audio', opus: 'audio', m4a: 'audio', aac: 'audio', aif: 'audio', aiff: 'audio', wma: 'audio',
  mp4: 'video', m4v: 'video', mov: 'video', avi: 'video', mkv: 'video', webm: 'video', mpg: 'video', mpeg: 'video', ogv: 'video', wmv: 'video',
  jpg: 'image', jpeg: 'image', png: 'image', gif: 'image', bmp: 'image', webp: 'image', tif: 'image', tiff: 'image', svg: 'image', avif: 'image', heic: 'image',
  csv: 'sensor', tsv: 'sensor',
  txt: 'text', html: 'text', htm: 'text', md: 'text',
};

const NAME_MODALITY: Readonly<Record<string, Modality>> = {
  text: 'text', html: 'text', hypertext: 'text',
  audio: 'audio',
  video: 'video',
  image: 'image', img: 'image',
  ts: 'sensor', timeseries: 'sensor', imu: 'sensor', sensor: 'sensor',
};

/** A URL or path (no spaces, a scheme or a leading slash) rather than text content. */
function isUrlLike(value: string): boolean {
  return !/\s/.test(value) && (/^[a-z][a-z0-9+.-]*:/i.test(value) || value.startsWith('/'));
}

function modalityOfMedia(value: unknown): Modality | null {
  if (typeof value !== 'string' || !isUrlLike(value)) return null;
  const dataType = /^data:(audio|video|image)\//i.exec(value);
  if (dataType !== null) return dataType[1]!.toLowerCase() as Modality;
  const extension = /\.([a-z0-9]{2,5})$/i.exec(value.replace(/[?#].*$/, ''));
  return extension === null ? null : (EXTENSION_MODALITY[extension[1]!.toLowerCase()] ?? null);
}

/** The modality a name implies by its first word (`audio_url` → audio, `imageUrl` → image). */
function modalityOfName(name: string): Modality | null {
  const firstWord = name.split(/[^A-Za-z0-9]+|(?<=[a-z0-9])(?=[A-Z])/).find((word) => word !== '');
  return firstWord === undefined ? null : (NAME_MODALITY[firstWord.toLowerCase()] ?? null);
}

function modalityOfData(name: string, value: unknown): Modality | null {
  return modalityOfMedia(value) ?? modalityOfName(name) ?? (typeof value === 'string' && !isUrlLike(value) ? 'text' : null);
}

/** Rule 3 of the modality: the object `toName` labels, seen through the task's data. */
function modalityOfObject(toName: string, data: JsonObject): Modality | null {
  if (Object.hasOwn(data, toName)) return modalityOfData(toName, data[toName]);
  const byName = modalityOfName(toName);
  if (byName !== null) return byName;
  const keys = Object.keys(data);
  return keys.length === 1 ? modalityOfData(keys[0]!, data[keys[0]!]) : null;
}

/** An ISO 8601 date or date-time; without a zone it is taken as UTC (never the server's zone). */
const ISO_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/;

/** Seconds since the epoch of an ISO 8601 time, or null when the text is not one. */
function isoSeconds(text: string): number | null {
  const match = ISO_TIME.exec(text);
  if (match === null) return null;
  const [, year, month, day, hour = '0', minute = '0', second = '0', fraction = '', zone = 'Z'] = match;
  if (+month! < 1 || +month! > 12 || +day! < 1 || +day! > 31 || +hour > 23 || +minute > 59 || +second > 60) return null;
  let zoneMinutes = 0;
  if (zone !== 'Z') {
    const digits = zone.slice(1).replace(':', '');
    zoneMinutes = (zone.startsWith('-') ? -1 : 1) * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || '0'));
  }
  const milliseconds = Date.UTC(+year!, +month! - 1, +day!, +hour, +minute, +second);
  // Date.UTC rolls 2024-02-30 over into March; such a date is not a time.
  if (new Date(milliseconds).getUTCDate() !== +day!) return null;
  return milliseconds / 1000 + (fraction === '' ? 0 : Number(`0${fraction}`)) - zoneMinutes * 60;
}

/** The axis-aligned bounding box of a w×h rectangle at (x, y) turned `degrees` clockwise about (x, y). */
function rotatedBounds(x: number, y: number, w: number, h: number, degrees: number): Box {
  const radians = (degrees * Math.PI) / 180;
  const cos = Math.cos(radians);
  const sin = Math.sin(radians);
  const xs = [0, w * cos, w * cos - h * sin, -h * sin];
  const ys = [0, w * sin, w * sin + h * cos, h * cos];
  const minX = Math.min(...xs);
  const minY = Math.min(...ys);
  return { x: x + minX, y: y + minY, w: Math.max(...xs) - minX, h: Math.max(...ys) - minY };
}

class LabelStudioReader {
  batch: ParsedRecord[] = [];
  readonly stats: LabelStudioReadStats = { tasks: 0, annotations: 0, cancelledAnnotations: 0, goldAnnotations: 0, skippedRelations: 0, ignoredPredictions: 0 };
  /** Objects whose modality could not be told, reported once each. */
  private readonly unresolvedObjects = new Set<string>();
  /** timelinelabels results met without `fps`: one issue at the end, at the first of them. */
  private missingFps: { path: string; count: number } | null = null;

  constructor(
    readonly issues: IssueCollector,
    private readonly options: ReadOptions,
  ) {}

  report(path: string, message: string): void {
    this.issues.add({ path, message });
  }

  /** Issues that are only complete at the end. */
  finish(): void {
    if (this.missingFps !== null) {
      const { path, count } = this.missingFps;
      const others = count > 1 ? ` (${count} timelinelabels results need it)` : '';
      this.report(path, `timelinelabels count video frames: give the frame rate (fps) to turn them into seconds${others}`);
    }
  }

  readTask(task: unknown, taskPath: string): void {
    if (!isObject(task)) {
      this.report(taskPath, 'must be a task object');
      return;
    }
    this.stats.tasks += 1;
    const item = this.idText(task.id, `${taskPath}.id`, 'the task id');
    let data: JsonObject = {};
    if (isObject(task.data)) data = task.data;
    else if (task.data !== undefined) this.report(`${taskPath}.data`, `must be an object, got ${shown(task.data)}`);
    if (Array.isArray(task.predictions)) this.stats.ignoredPredictions += task.predictions.length;
    const annotations = task.annotations;
    if (!Array.isArray(annotations)) {
      this.report(`${taskPath}.annotations`, annotations === undefined ? 'is missing (is this a Label Studio JSON export?)' : `must be an array, got ${shown(annotations)}`);
      return;
    }
    if (annotations.length > INGEST_LIMITS.maxResultsPerTask) {
      this.report(`${taskPath}.annotations`, `has ${annotations.length} annotations, more than the limit of ${INGEST_LIMITS.maxResultsPerTask}`);
      return;
    }
    if (item === undefined) return;
    const objectModalities = new Map<string, Modality | null>();
    annotations.forEach((annotation, index) => this.readAnnotation(annotation, `${taskPath}.annotations[${index}]`, item, data, objectModalities));
  }

  private readAnnotation(annotation: unknown, path: string, item: string, data: JsonObject, objectModalities: Map<string, Modality | null>): void {
    if (!isObject(annotation)) {
      this.report(path, 'must be an annotation object');
      return;
    }
    const cancelled = this.flag(annotation, 'was_cancelled', path);
    if (cancelled) {
      this.stats.cancelledAnnotations += 1;
      return;
    }
    const gold = this.flag(annotation, 'ground_truth', path);
    const annotator = this.annotator(annotation.completed_by, `${path}.completed_by`);
    const annotationId = annotation.id === undefined ? undefined : this.idText(annotation.id, `${path}.id`, 'the annotation id');
    const results = annotation.result;
    if (!Array.isArray(results)) {
      this.report(`${path}.result`, results === undefined ? 'is missing' : `must be an array, got ${shown(results)}`);
      return;
    }
    if (results.length > INGEST_LIMITS.maxResultsPerTask) {
      this.report(`${path}.result`, `has ${results.length} results, more than the limit of ${INGEST_LIMITS.maxResultsPerTask}`);
      return;
    }
    this.stats.annotations += 1;
    if (gold) this.stats.goldAnnotations += 1;
    if (annotator === undefined) return;

    const read: ReadResult[] = [];
    /** The first result of each region id; the others of the region follow it through `nextInRegion`. */
    const regions = new Map<string, ReadResult>();
    for (let index = 0; index < results.length; index += 1) {
      const result = this.readResult(results[index], `${path}.result[${index}]`, data, objectModalities);
      if (result === null) continue;
      if (result.regionId !== undefined) {
        const first = regions.get(result.regionId);
        if (first === undefined) regions.set(result.regionId, result);
        else if (!this.joinRegion(first, result)) continue;
      }
      read.push(result);
    }

    for (const result of read) {
      // A result without geometry of its own (a per-region textarea) takes its region's.
      let extents = result.extents;
      let member = extents === null && result.regionId !== undefined ? (regions.get(result.regionId) ?? null) : null;
      for (; member !== null && extents === null; member = member.nextInRegion) extents = member.extents;
      this.emit(result, extents ?? ITEM_LEVEL, item, annotator, gold, this.provenance(item, annotationId, result.regionId));
    }
  }

  /** Built field by field: spreading a shared base per result cost a tenth of the reading time. */
  private provenance(task: string, annotation: string | undefined, region: string | undefined): Provenance {
    const provenance: Provenance = { task };
    if (this.options.fileName !== undefined) provenance.file = this.options.fileName;
    if (annotation !== undefined) provenance.annotation = annotation;
    if (region !== undefined) provenance.region = region;
    return provenance;
  }

  /**
   * Adds `result` to the region whose first result is `first`, unless the region already has a
   * result from the same control: that one would be counted twice. Returns whether it was added.
   */
  private joinRegion(first: ReadResult, result: ReadResult): boolean {
    let last = first;
    for (let member: ReadResult | null = first; member !== null; member = member.nextInRegion) {
      if (member.fromName === result.fromName) {
        this.report(result.path, `region "${result.regionId}" already has a result from "${result.fromName}" (${member.path})`);
        return false;
      }
      last = member;
    }
    last.nextInRegion = result;
    return true;
  }

  private emit(result: ReadResult, extents: readonly Extent[], item: string, annotator: string, gold: boolean, provenance: Provenance): void {
    const { labels, value, text } = result.judgement;
    for (const extent of extents) {
      const dimension = extent.channel === 0 ? result.fromName : `${result.fromName}#${extent.channel}`;
      for (const label of labels) {
        const record: ParsedRecord = {
          item,
          annotator,
          modality: result.modality,
          dimension,
          label,
          value,
          start: extent.start,
          end: extent.end,
          frame: extent.frame,
          box: extent.box,
          line: 0,
          path: extent.path ?? result.path,
          provenance,
        };
        if (gold) record.gold = true;
        if (text !== undefined) record.text = text;
        this.batch.push(record);
      }
    }
  }

  private readResult(result: unknown, path: string, data: JsonObject, objectModalities: Map<string, Modality | null>): ReadResult | null {
    if (!isObject(result)) {
      this.report(path, 'must be a result object');
      return null;
    }
    const type = result.type;
    if (typeof type !== 'string') {
      this.report(`${path}.type`, type === undefined ? 'is missing' : `must be a string, got ${shown(type)}`);
      return null;
    }
    if (type === RELATION_TYPE) {
      this.stats.skippedRelations += 1;
      return null;
    }
    const kind = RESULT_TYPES[type];
    if (kind === undefined || !Object.hasOwn(RESULT_TYPES, type)) {
      this.report(`${path}.type`, `"${shown(type).slice(1, -1)}" is not a supported result type (supported: ${SUPPORTED_TYPES}; relation is skipped)`);
      return null;
    }
    const fromName = this.name(result.from_name, `${path}.from_name`);
    const toName = this.name(result.to_name, `${path}.to_name`);
    const value = result.value;
    if (!isObject(value)) {
      this.report(`${path}.value`, value === undefined ? 'is missing' : `must be an object, got ${shown(value)}`);
      return null;
    }
    let regionId: string | undefined;
    if (result.id !== undefined) regionId = this.idText(result.id, `${path}.id`, 'the region id');
    if (fromName === undefined || toName === undefined || (result.id !== undefined && regionId === undefined)) return null;

    const geometry = geometryOf(value);
    if (kind.geometry !== null && (geometry === null || !kind.geometry.includes(geometry))) {
      const expected = kind.geometry.map((each) => GEOMETRY_FIELDS[each]).join(' or ');
      this.report(`${path}.value`, `a ${type} result needs ${expected}`);
      return null;
    }
    const modality = this.modality(type, geometry, fromName, toName, data, objectModalities, path);
    if (modality === undefined) return null;
    const judgement = this.judgement(type, kind.labelsKey, value, `${path}.value`);
    const extents = geometry === null ? null : this.extents(geometry, modality, type, result, value, path);
    if (judgement === undefined || extents === undefined) return null;
    return { path, fromName, modality, regionId, extents, judgement, nextInRegion: null };
  }

  private modality(
    type: string,
    geometry: Geometry,
    fromName: string,
    toName: string,
    data: JsonObject,
    objectModalities: Map<string, Modality | null>,
    path: string,
  ): Modality | undefined {
    const overrides = this.options.modalities;
    if (overrides !== undefined) {
      if (Object.hasOwn(overrides, fromName)) return overrides[fromName];
      if (Object.hasOwn(overrides, toName)) return overrides[toName];
    }
    if (type === 'timeserieslabels') return 'sensor';
    if (geometry === 'box') return 'image';
    if (geometry === 'ranges' || geometry === 'sequence') return 'video';
    let modality = objectModalities.get(toName);
    if (modality === undefined) {
      modality = modalityOfObject(toName, data);
      objectModalities.set(toName, modality);
    }
    if (modality !== null) return modality;
    if (!this.unresolvedObjects.has(toName)) {
      this.unresolvedObjects.add(toName);
      this.report(
        `${path}.to_name`,
        `cannot tell the modality of "${toName}" from the task data; map "${fromName}" or "${toName}" to one of text, image, audio, video, sensor in the modalities option`,
      );
    }
    return undefined;
  }

  /** The labels, number or text of a result; undefined after reporting what is wrong. */
  private judgement(type: string, labelsKey: string | undefined, value: JsonObject, path: string): Judgement | undefined {
    switch (type) {
      case 'choices': {
        const choices = this.labelList(value.choices, `${path}.choices`, false);
        return choices === undefined ? undefined : this.setJudgement(choices, `${path}.choices`);
      }
      case 'taxonomy':
        return this.taxonomy(value.taxonomy, `${path}.taxonomy`);
      case 'rating': {
        const rating = value.rating;
        if (!isFiniteNumber(rating)) {
          this.report(`${path}.rating`, `must be a number, got ${shown(rating)}`);
          return undefined;
        }
        return { labels: [String(rating)], value: rating, text: undefined };
      }
      case 'number': {
        const number = value.number;
        if (!isFiniteNumber(number)) {
          this.report(`${path}.number`, `must be a number, got ${shown(number)}`);
          return undefined;
        }
        return { labels: [null], value: number, text: undefined };
      }
      case 'textarea':
        return this.freeText(value.text, `${path}.text`);
      default: {
        // A region's labels: one record per label; an unlabelled region (videorectangle, or a
        // labels list left empty) is one record without a label.
        const key = labelsKey!;
        if (value[key] === undefined && type === 'videorectangle') return { labels: [null], value: null, text: undefined };
        const labels = this.labelList(value[key], `${path}.${key}`, true);
        if (labels === undefined) return undefined;
        return { labels: labels.length === 0 ? [null] : labels, value: null, text: undefined };
      }
    }
  }

  /** A list of label strings within the limits; undefined after reporting. */
  private labelList(list: unknown, path: string, mayBeEmpty: boolean): string[] | undefined {
    if (!Array.isArray(list)) {
      this.report(path, list === undefined ? 'is missing' : `must be an array of strings, got ${shown(list)}`);
      return undefined;
    }
    if (list.length > INGEST_LIMITS.maxLabelsPerResult) {
      this.report(path, `has ${list.length} labels, more than the limit of ${INGEST_LIMITS.maxLabelsPerResult}`);
      return undefined;
    }
    if (list.length === 0 && !mayBeEmpty) {
      this.report(path, 'is empty');
      return undefined;
    }
    let valid = true;
    list.forEach((label, index) => {
      if (this.name(label, `${path}[${index}]`) === undefined) valid = false;
    });
    return valid ? (list as string[]) : undefined;
  }

  /** Several options become one label, the sorted set joined by `|`: nominal agreement needs one
   * value per annotator and item, and exact-set agreement is what a multi-select asks for. */
  private setJudgement(options: readonly string[], path: string): Judgement | undefined {
    const label = options.length === 1 ? options[0]! : [...new Set(options)].sort().join(SET_SEPARATOR);
    if (label.length > INGEST_LIMITS.maxNameLength) {
      this.report(path, `the options joined are ${label.length} characters, more than the limit of ${INGEST_LIMITS.maxNameLength}`);
      return undefined;
    }
    return { labels: [label], value: null, text: undefined };
  }

  private taxonomy(paths: unknown, path: string): Judgement | undefined {
    if (!Array.isArray(paths) || paths.length === 0) {
      this.report(path, paths === undefined ? 'is missing' : `must be a non-empty array of paths (arrays of strings), got ${shown(paths)}`);
      return undefined;
    }
    if (paths.length > INGEST_LIMITS.maxLabelsPerResult) {
      this.report(path, `has ${paths.length} paths, more than the limit of ${INGEST_LIMITS.maxLabelsPerResult}`);
      return undefined;
    }
    const joined: string[] = [];
    paths.forEach((levels, index) => {
      const levelList = this.labelList(levels, `${path}[${index}]`, false);
      if (levelList !== undefined) joined.push(levelList.join(TAXONOMY_LEVEL_SEPARATOR));
    });
    return joined.length === paths.length ? this.setJudgement(joined, path) : undefined;
  }

  private freeText(text: unknown, path: string): Judgement | undefined {
    const lines = typeof text === 'string' ? [text] : text;
    if (!Array.isArray(lines) || !lines.every((line) => typeof line === 'string')) {
      this.report(path, text === undefined ? 'is missing' : `must be an array of strings, got ${shown(text)}`);
      return undefined;
    }
    const joined = lines.join('\n');
    if (joined.length > INGEST_LIMITS.maxTextLength) {
      this.report(path, `is ${joined.length} characters long, more than the limit of ${INGEST_LIMITS.maxTextLength}`);
      return undefined;
    }
    return { labels: [null], value: null, text: joined };
  }

  /** The extents a value's geometry gives, in canonical units; undefined after reporting. */
  private extents(geometry: Exclude<Geometry, null>, modality: Modality, type: string, result: JsonObject, value: JsonObject, path: string): readonly Extent[] | undefined {
    const valuePath = `${path}.value`;
    switch (geometry) {
      case 'span': {
        const span = this.span(value, modality, valuePath);
        return span === undefined ? undefined : [span];
      }
      case 'box': {
        const size = this.frameSize(result, path, type === 'rectanglelabels' || type === 'labels');
        if (size === undefined) return undefined;
        const box = this.box(value, size, valuePath);
        return box === undefined ? undefined : [{ start: null, end: null, frame: null, box, channel: 0, path: null }];
      }
      case 'ranges':
        return this.frameRanges(value.ranges, `${valuePath}.ranges`);
      case 'sequence': {
        const size = this.frameSize(result, path, false);
        return size === undefined ? undefined : this.keyframes(value.sequence, size, `${valuePath}.sequence`);
      }
    }
  }

  /** start/end of a span: character offsets (text), seconds (audio, video) or time-series times (sensor). */
  private span(value: JsonObject, modality: Modality, path: string): Extent | undefined {
    if (modality === 'image') {
      this.report(path, 'has a start/end span, which an image object cannot have; check the modalities option');
      return undefined;
    }
    const start = this.time(value.start, modality, `${path}.start`);
    const end = this.time(value.end, modality, `${path}.end`);
    if (start === undefined || end === undefined) return undefined;
    if (end <= start) {
      const instant = value.instant === true ? ' (an instant label has no length to compare)' : '';
      this.report(`${path}.end`, `must be greater than start (start ${shown(value.start)}, end ${shown(value.end)})${instant}`);
      return undefined;
    }
    let channel = 0;
    if (modality === 'audio' && value.channel !== undefined) {
      const given = value.channel;
      if (!Number.isInteger(given) || (given as number) < 0) {
        this.report(`${path}.channel`, `must be a whole number ≥ 0, got ${shown(given)}`);
        return undefined;
      }
      channel = given as number;
    }
    return { start, end, frame: null, box: null, channel, path: null };
  }

  private time(given: unknown, modality: Modality, path: string): number | undefined {
    if (modality === 'sensor') {
      if (isFiniteNumber(given)) return given / 1000;
      const seconds = typeof given === 'string' ? isoSeconds(given) : null;
      if (seconds !== null) return seconds;
      this.report(path, `must be epoch milliseconds or an ISO 8601 time, got ${shown(given)}`);
      return undefined;
    }
    if (modality === 'text') {
      if (Number.isInteger(given) && (given as number) >= 0) return given as number;
      this.report(path, `must be a character offset (a whole number ≥ 0), got ${shown(given)}`);
      return undefined;
    }
    if (isFiniteNumber(given) && given >= 0) return given;
    this.report(path, `must be a number of seconds ≥ 0, got ${shown(given)}`);
    return undefined;
  }

  /** original_width/original_height in pixels; null (percent boxes) when absent and not required. */
  private frameSize(result: JsonObject, path: string, required: boolean): { width: number; height: number } | null | undefined {
    const width = result.original_width;
    const height = result.original_height;
    if (width === undefined && height === undefined && !required) return null;
    for (const [field, size] of [['original_width', width], ['original_height', height]] as const) {
      if (!isFiniteNumber(size) || size <= 0) {
        this.report(`${path}.${field}`, `must be the image size in pixels (a number > 0), got ${shown(size)}`);
        return undefined;
      }
    }
    return { width: width as number, height: height as number };
  }

  /** A box given in percent of the frame: pixels when the size is known; rotation gives its bounds. */
  private box(value: JsonObject, size: { width: number; height: number } | null, path: string): Box | undefined {
    let valid = true;
    const field = (name: 'x' | 'y' | 'width' | 'height', nonNegative: boolean): number => {
      const given = value[name];
      if (isFiniteNumber(given) && (!nonNegative || given >= 0)) return given;
      this.report(`${path}.${name}`, `must be a ${nonNegative ? 'number ≥ 0' : 'number'} (percent of the frame), got ${shown(given)}`);
      valid = false;
      return 0;
    };
    const x = field('x', false);
    const y = field('y', false);
    const width = field('width', true);
    const height = field('height', true);
    const rotation = value.rotation ?? 0;
    if (!isFiniteNumber(rotation)) {
      this.report(`${path}.rotation`, `must be a number of degrees, got ${shown(rotation)}`);
      return undefined;
    }
    if (!valid) return undefined;
    if (size === null) {
      if (rotation % 360 !== 0) {
        this.report(`${path}.rotation`, 'a rotated box needs the frame size in pixels (original_width/original_height) to find its bounds');
        return undefined;
      }
      return { x, y, w: width, h: height };
    }
    const pixels = { x: (x * size.width) / 100, y: (y * size.height) / 100, w: (width * size.width) / 100, h: (height * size.height) / 100 };
    // Label Studio turns a rectangle about its top-left corner, clockwise on screen (y down).
    return rotation % 360 === 0 ? pixels : rotatedBounds(pixels.x, pixels.y, pixels.w, pixels.h, rotation);
  }

  /** timelinelabels ranges: 1-based inclusive frames → seconds [(start − 1) / fps, end / fps). */
  private frameRanges(ranges: unknown, path: string): Extent[] | undefined {
    if (!Array.isArray(ranges) || ranges.length === 0) {
      this.report(path, `must be a non-empty array of {start, end} frame ranges, got ${shown(ranges)}`);
      return undefined;
    }
    if (ranges.length > INGEST_LIMITS.maxFramesPerTrack) {
      this.report(path, `has ${ranges.length} ranges, more than the limit of ${INGEST_LIMITS.maxFramesPerTrack}`);
      return undefined;
    }
    const fps = this.options.fps;
    if (fps === undefined || !(fps > 0)) {
      if (this.missingFps === null) this.missingFps = { path, count: 0 };
      this.missingFps.count += 1;
      return undefined;
    }
    const extents: Extent[] = [];
    ranges.forEach((range, index) => {
      const rangePath = `${path}[${index}]`;
      if (!isObject(range)) {
        this.report(rangePath, `must be a {start, end} frame range, got ${shown(range)}`);
        return;
      }
      const first = this.frameNumber(range.start, `${rangePath}.start`, 1);
      const last = this.frameNumber(range.end, `${rangePath}.end`, 1);
      if (first === undefined || last === undefined) return;
      if (last < first) {
        this.report(`${rangePath}.end`, `must not be before start (frames ${first} to ${last})`);
        return;
      }
      extents.push({ start: (first - 1) / fps, end: last / fps, frame: null, box: null, channel: 0, path: rangePath });
    });
    return extents.length === ranges.length ? extents : undefined;
  }

  /**
   * videorectangle keyframes: one box per keyframe, on its frame. A keyframe with `enabled: false`
   * is still shown on its own frame and ends the object's visibility after it; that only matters
   * between keyframes, and interpolating between keyframes is not done here.
   */
  private keyframes(sequence: unknown, size: { width: number; height: number } | null, path: string): Extent[] | undefined {
    if (!Array.isArray(sequence) || sequence.length === 0) {
      this.report(path, `must be a non-empty array of keyframes, got ${shown(sequence)}`);
      return undefined;
    }
    if (sequence.length > INGEST_LIMITS.maxFramesPerTrack) {
      this.report(path, `has ${sequence.length} keyframes, more than the limit of ${INGEST_LIMITS.maxFramesPerTrack}`);
      return undefined;
    }
    const extents: Extent[] = [];
    sequence.forEach((keyframe, index) => {
      const keyframePath = `${path}[${index}]`;
      if (!isObject(keyframe)) {
        this.report(keyframePath, `must be a keyframe object, got ${shown(keyframe)}`);
        return;
      }
      const frame = this.frameNumber(keyframe.frame, `${keyframePath}.frame`, 0);
      const box = this.box(keyframe, size, keyframePath);
      if (frame !== undefined && box !== undefined) extents.push({ start: null, end: null, frame, box, channel: 0, path: keyframePath });
    });
    return extents.length === sequence.length ? extents : undefined;
  }

  private frameNumber(given: unknown, path: string, minimum: number): number | undefined {
    if (Number.isInteger(given) && (given as number) >= minimum) return given as number;
    this.report(path, `must be a frame number (a whole number ≥ ${minimum}), got ${shown(given)}`);
    return undefined;
  }

  /** `completed_by`: a user id, or an expanded user object (its email, else its id). */
  private annotator(completedBy: unknown, path: string): string | undefined {
    if (isObject(completedBy)) {
      const email = completedBy.email;
      if (typeof email === 'string' && email !== '') return this.name(email, `${path}.email`);
      return this.idText(completedBy.id, `${path}.id`, 'the user id (or email)');
    }
    return this.idText(completedBy, path, 'the annotator (a user id or user object)');
  }

  /** An id (a whole number or a non-empty string) as text. */
  private idText(id: unknown, path: string, what: string): string | undefined {
    if (Number.isInteger(id)) return String(id);
    if (typeof id === 'string') return this.name(id, path);
    this.report(path, id === undefined ? `is missing (${what})` : `must be ${what}, got ${shown(id)}`);
    return undefined;
  }

  /** A non-empty string within the name length limit. */
  private name(text: unknown, path: string): string | undefined {
    if (typeof text !== 'string' || text === '') {
      this.report(path, text === undefined ? 'is missing' : `must be a non-empty string, got ${shown(text)}`);
      return undefined;
    }
    if (text.length > INGEST_LIMITS.maxNameLength) {
      this.report(path, `is ${text.length} characters long, more than the limit of ${INGEST_LIMITS.maxNameLength}`);
      return undefined;
    }
    return text;
  }

  /** An optional boolean flag of an annotation (false when absent). */
  private flag(annotation: JsonObject, field: string, path: string): boolean {
    const given = annotation[field];
    if (given === undefined || given === null || typeof given === 'boolean') return given === true;
    this.report(`${path}.${field}`, `must be true or false, got ${shown(given)}`);
    return false;
  }
}

/** The source's chunks cut into pieces of at most BATCH_BYTES; each piece becomes one batch. */
async function* inSlices(source: AsyncIterable<Buffer>): AsyncIterable<Buffer> {
  for await (const chunk of source) {
    for (let offset = 0; offset < chunk.length; offset += BATCH_BYTES) yield chunk.subarray(offset, offset + BATCH_BYTES);
  }
}

/**
 * Reads a Label Studio JSON export: the records of each slice of input, then an InputError listing
 * every problem. `options.onStats` hears what was skipped (cancelled annotations, relations,
 * predictions) as a LabelStudioReadStats.
 */
export async function* readLabelStudio(source: AsyncIterable<Buffer>, options: ReadOptions = {}): AsyncIterable<ParsedRecord[]> {
  const issues = new IssueCollector(options.issueLimit);
  const reader = new LabelStudioReader(issues, options);
  const splitter = new TaskArraySplitter();
  const decoder = new Utf8ChunkDecoder();
  const finish = (): void => {
    reader.finish();
    options.onStats?.({ ...reader.stats });
    const error = issues.toError();
    if (error !== null) throw error;
  };
  const readElements = async (): Promise<void> => {
    for (const element of splitter.elements) {
      const path = `[${element.index}]`;
      if (element.value !== undefined) {
        reader.readTask(element.value, path);
        continue;
      }
      if (element.text === null) {
        issues.add({ line: element.line, path, message: element.problem! });
        continue;
      }
      let task: unknown;
      try {
        task = JSON.parse(element.text);
      } catch {
        issues.add(await syntaxIssue(element, element.text));
        continue;
      }
      reader.readTask(task, path);
    }
    splitter.elements.length = 0;
  };

  for await (const slice of inSlices(source)) {
    let text: string;
    try {
      text = decoder.decode(slice);
    } catch {
      issues.add({ line: splitter.currentLine, message: 'is not valid UTF-8 (here or in the next 64 KB)' });
      return finish();
    }
    splitter.write(text);
    await readElements();
    if (splitter.fatal !== null) {
      issues.add(splitter.fatal);
      return finish();
    }
    if (reader.batch.length > 0) {
      yield reader.batch;
      reader.batch = [];
    }
  }
  try {
    splitter.write(decoder.end());
  } catch {
    issues.add({ message: 'is not valid UTF-8 (it ends inside a character)' });
  }
  splitter.end();
  await readElements();
  if (splitter.fatal !== null) issues.add(splitter.fatal);
  if (reader.batch.length > 0) yield reader.batch;
  finish();
}

export const labelStudioAdapter: FormatAdapter = {
  format: 'label-studio',
  description: 'Label Studio JSON export: an array of tasks with annotations[].result[] (JSON-MIN and CSV exports are not read)',
  // A JSON array whose first element is an object with a task's keys; canonical JSONL lines are
  // objects, never an array, so the two cannot be confused.
  detect: (head) => /^\s*\[\s*\{/.test(head) && /"(annotations|data)"\s*:/.test(head),
  read: readLabelStudio,
};
