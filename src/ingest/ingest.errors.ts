/** Where and what is wrong with one piece of input; `line` for text formats, `path` for JSON/XML. */
export interface InputIssue {
  /** The file (or `archive.zip/entry`) of a data set read from several; absent for a single input. */
  file?: string;
  line?: number;
  path?: string;
  field?: string;
  message: string;
}

/** Issues kept per input; the rest are counted, so a broken million-row file costs no memory. */
export const ISSUE_LIMIT = 100;

/** Bad input: every problem found (up to the limit), never just the first one. */
export class InputError extends Error {
  constructor(
    readonly issues: readonly InputIssue[],
    /** How many further issues were found but not kept. */
    readonly omitted = 0,
  ) {
    super(summarize(issues, omitted));
    this.name = 'InputError';
  }
}

function summarize(issues: readonly InputIssue[], omitted: number): string {
  const first = issues[0];
  if (first === undefined) return 'bad input';
  const more = issues.length - 1 + omitted;
  return more > 0 ? `${describeIssue(first)} (and ${more} more)` : describeIssue(first);
}

/** `line 3: label: is empty` style text, without the file name (the caller knows it). */
export function describeIssue(issue: InputIssue): string {
  const where = [issue.line === undefined ? null : `line ${issue.line}`, issue.path ?? null]
    .filter((part) => part !== null)
    .join(', ');
  const what = issue.field === undefined ? issue.message : `${issue.field}: ${issue.message}`;
  const located = where === '' ? what : `${where}: ${what}`;
  return issue.file === undefined ? located : `${issue.file}: ${located}`;
}

/** The same error with `file` set on each issue that names none (a file's own reader knows no file name). */
export function inFile(error: InputError, file: string): InputError {
  return new InputError(
    error.issues.map((issue) => (issue.file === undefined ? { file, ...issue } : issue)),
    error.omitted,
  );
}

/** Collects issues up to a limit and counts the rest. */
export class IssueCollector {
  private readonly kept: InputIssue[] = [];
  private total = 0;
  /** Files in the order their first issue came, so that issues sort file by file. */
  private readonly fileOrder = new Map<string, number>();

  constructor(readonly limit = ISSUE_LIMIT) {}

  add(issue: InputIssue): void {
    this.total += 1;
    if (issue.file !== undefined && !this.fileOrder.has(issue.file)) this.fileOrder.set(issue.file, this.fileOrder.size);
    if (this.kept.length < this.limit) this.kept.push(issue);
  }

  /** Takes over another error's issues (and its count of omitted ones). */
  addAll(error: InputError): void {
    for (const issue of error.issues) this.add(issue);
    this.total += error.omitted;
  }

  get count(): number {
    return this.total;
  }

  /**
   * The collected issues ordered by line (issues without a line first) — file by file, in the order
   * the files were met, when they name files — or null when there are none.
   */
  toError(): InputError | null {
    if (this.total === 0) return null;
    const fileRank = (issue: InputIssue): number => (issue.file === undefined ? -1 : this.fileOrder.get(issue.file)!);
    const issues = [...this.kept].sort((a, b) => fileRank(a) - fileRank(b) || (a.line ?? 0) - (b.line ?? 0));
    return new InputError(issues, this.total - issues.length);
  }
}
