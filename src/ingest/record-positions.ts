import type { DatasetInputError, DatasetIssue } from '../agreement/dataset';
import type { ParsedRecord } from './adapter';
import { InputError, type InputIssue } from './ingest.errors';

/** Positions of one file: lines below PATH_BASE, path-located records from PATH_BASE on. */
const FILE_STRIDE = 2 ** 32;
const PATH_BASE = 2 ** 31;
/** Files one data set may have: positions stay exact doubles (below 2^53). */
export const MAX_POSITION_FILES = 2 ** 20;

/** Paths whose start is not `[<task index>]` are kept whole (task column −1). */
const NO_TASK = -1;
/** Path rests compared in place before the map (see restId). */
const RECENT_RESTS = 8;

/**
 * The position DatasetBuilder keeps for each record, for a data set read from one file or several,
 * and back: which file, line or JSON path a position stands for.
 *
 * A position is one number: `file index × 2^32 + line` for records that know their line (CSV, JSONL,
 * XML), `file index × 2^32 + 2^31 + k` for records located by a JSON path only (Label Studio: their
 * line is 0), whose path is kept as the k-th path. So a single line-based file keeps plain line
 * numbers as positions (the CLI's fast CSV path passes lines as they are) and costs nothing. Paths
 * are kept so that a duplicate found at the end can still name both records, but not as strings (90
 * MB for the 600,000 records of the ingest benchmark): a path `[12].annotations[3].result[0]` is kept
 * as its task index (12) and the id of its interned rest (`.annotations[3].result[0]`, one of few),
 * 8 bytes a record.
 */
export class RecordPositions {
  /** Name the file in every location, even when there is one (it came out of an archive). */
  nameFiles = false;
  private readonly files: string[] = [];
  private pathTasks = new Int32Array(1024);
  private pathRests = new Int32Array(1024);
  private pathCount = 0;
  private readonly restIds = new Map<string, number>();
  private readonly rests: string[] = [];
  private readonly recentRests: number[] = [];
  private nextRecent = 0;
  private base = 0;

  /** Display names of the files started so far. */
  get fileNames(): readonly string[] {
    return this.files;
  }

  /** Starts the records of `file` (its name in messages); returns the number to add to its lines. */
  startFile(file: string): number {
    if (this.files.length === MAX_POSITION_FILES) throw new InputError([{ message: `has more than ${MAX_POSITION_FILES} files` }]);
    this.base = this.files.length * FILE_STRIDE;
    this.files.push(file);
    return this.base;
  }

  /** The position of a record of the file started last (its path kept). */
  of(record: Pick<ParsedRecord, 'line' | 'path'>): number {
    const position = this.next(record);
    this.keep(record);
    return position;
  }

  /**
   * The position `record` gets if {@link keep} is called for it next; until then its path is not
   * kept (a record nobody will ask about costs nothing), and the next record may get the same number.
   */
  next(record: Pick<ParsedRecord, 'line' | 'path'>): number {
    if (record.line > 0) return this.base + record.line;
    if (record.path === undefined) return this.base;
    return this.base + PATH_BASE + this.pathCount;
  }

  /** Keeps the path of the record last given to {@link next}, so that its position can be located. */
  keep(record: Pick<ParsedRecord, 'line' | 'path'>): void {
    if (record.line <= 0 && record.path !== undefined) this.keepPath(record.path);
  }

  /** Keeps `path` as (task index, interned rest); returns its number. */
  private keepPath(path: string): number {
    const k = this.pathCount;
    if (k === this.pathTasks.length) {
      const tasks = new Int32Array(k * 2);
      tasks.set(this.pathTasks);
      this.pathTasks = tasks;
      const rests = new Int32Array(k * 2);
      rests.set(this.pathRests);
      this.pathRests = rests;
    }
    let task = NO_TASK;
    let restFrom = 0;
    if (path.charCodeAt(0) === 0x5b) {
      let value = 0;
      let i = 1;
      for (; i < path.length && i < 11; i++) {
        const digit = path.charCodeAt(i) - 48;
        if (digit < 0 || digit > 9) break;
        value = value * 10 + digit;
      }
      if (i > 1 && path.charCodeAt(i) === 0x5d && value < 2 ** 31 && (i === 2 || path.charCodeAt(1) !== 48)) {
        task = value;
        restFrom = i + 1;
      }
    }
    this.pathTasks[k] = task;
    this.pathRests[k] = this.restId(path, restFrom);
    this.pathCount = k + 1;
    return k;
  }

  /**
   * The id of `path` from `from` on. Rests come in short cycles (a task's results), so the last few
   * are compared in place first: no substring, no hashing, for almost every record.
   */
  private restId(path: string, from: number): number {
    const length = path.length - from;
    const recent = this.recentRests;
    for (let i = 0; i < recent.length; i++) {
      const id = recent[i]!;
      const rest = this.rests[id]!;
      if (rest.length === length && path.startsWith(rest, from)) return id;
    }
    const rest = from === 0 ? path : path.slice(from);
    let id = this.restIds.get(rest);
    if (id === undefined) {
      id = this.rests.length;
      this.rests.push(rest);
      this.restIds.set(rest, id);
    }
    if (recent.length < RECENT_RESTS) recent.push(id);
    else recent[this.nextRecent++ % RECENT_RESTS] = id;
    return id;
  }

  private pathOf(k: number): string | undefined {
    if (k >= this.pathCount) return undefined;
    const task = this.pathTasks[k]!;
    const rest = this.rests[this.pathRests[k]!]!;
    return task === NO_TASK ? rest : `[${task}]${rest}`;
  }

  /** The file, line and path a position stands for (the file only when there are several). */
  locate(position: number): Pick<InputIssue, 'file' | 'line' | 'path'> {
    const index = Math.floor(position / FILE_STRIDE);
    const within = position - index * FILE_STRIDE;
    const file = this.files.length > 1 || this.nameFiles ? this.files[index] : undefined;
    const place: Pick<InputIssue, 'file' | 'line' | 'path'> = file === undefined ? {} : { file };
    if (within >= PATH_BASE) {
      const path = this.pathOf(within - PATH_BASE);
      if (path !== undefined) place.path = path;
    } else if (within > 0) {
      place.line = within;
    }
    return place;
  }

  /**
   * A position inside a message (DatasetBuilder's describePosition): undefined for a plain line of
   * a single file (the builder then writes "line N"), else `b.csv line 5` or `[3].annotations[1].result[0]`.
   */
  describe(position: number): string | undefined {
    const { file, line, path } = this.locate(position);
    if (file === undefined && path === undefined && line !== undefined) return undefined;
    const at = path ?? (line === undefined ? '' : `line ${line}`);
    return [file, at].filter((part) => part !== undefined && part !== '').join(' ') || 'an unknown place';
  }

  issue(issue: DatasetIssue): InputIssue {
    return { ...this.locate(issue.position), message: issue.message };
  }

  /** The dataset's issues as an InputError naming files, lines and paths. */
  inputError(error: DatasetInputError): InputError {
    return new InputError(
      error.issues.map((issue) => this.issue(issue)),
      error.omitted,
    );
  }
}
