/**
 * One data set from several files (issue 4): the CLI's FILE arguments, the API's multipart file
 * parts, and the entries of a zip are each an InputFile; each is read through the adapter detected
 * from its own content (or the one `format` names), with its own annotator when its format names none
 * (CVAT; ELAN one file per annotator). The CLI and the API share this, so the same files give the
 * same records in both.
 */
import { basename } from 'node:path';
import type { FormatAdapter, ReadOptions } from './adapter';
import { detectFormat } from './detect-format';
import { InputError, inFile } from './ingest.errors';

export interface InputFile {
  /** The file's name in messages: the path as given, a part's file name, `archive.zip/entry.xml`. */
  file: string;
  /** The name the adapter sees (`ReadOptions.fileName`: provenance, a CVAT or ELAN item's fallback name); none for an unnamed upload. */
  fileName?: string;
  body: AsyncIterable<Buffer>;
}

/** What one file contributed, for the CLI's `ingest` summary and logs. */
export interface InputFileSummary {
  file: string;
  format: string;
  /** Records the adapter emitted (gold and text records included). */
  records: number;
  /** The annotator given for the file, when one was. */
  annotator?: string;
  /** What the adapter counted besides the records (`ReadOptions.onStats`), when it reports any. */
  stats?: Record<string, number>;
}

/** A file with its adapter chosen, its options set, and its summary to fill while reading. */
export interface OpenedInput {
  input: InputFile;
  adapter: FormatAdapter;
  /** Every byte of the file (the head read for detection included). */
  source: AsyncIterable<Buffer>;
  options: ReadOptions;
  summary: InputFileSummary;
}

/**
 * The annotator of each file: a default for all files (`--annotator NAME`, `?annotator=`) and names
 * for single files (`--annotator FILE=NAME`, the multipart field `annotator:<file name>`). A file's
 * own name wins over the default; it matches the file as written, its base name, or a zip entry's
 * name inside the archive or base name.
 */
export class AnnotatorAssignment {
  private readonly byFile = new Map<string, string>();
  private readonly used = new Set<string>();

  constructor(readonly defaultAnnotator?: string) {}

  /** Names the annotator of the file called `file`; a second name for the same file is an error. */
  assign(file: string, annotator: string): void {
    const earlier = this.byFile.get(file);
    if (earlier !== undefined && earlier !== annotator) {
      throw new InputError([{ field: 'annotator', message: `names two annotators for "${file}": "${earlier}" and "${annotator}"` }]);
    }
    this.byFile.set(file, annotator);
  }

  get size(): number {
    return this.byFile.size;
  }

  /** The annotator for a file known by these names (most specific first), or the default. */
  annotatorFor(...names: Array<string | undefined>): string | undefined {
    for (const name of names) {
      if (name === undefined) continue;
      for (const candidate of [name, basename(name)]) {
        const annotator = this.byFile.get(candidate);
        if (annotator !== undefined) {
          this.used.add(candidate);
          return annotator;
        }
      }
    }
    return this.defaultAnnotator;
  }

  /** File names given an annotator that no file had: most likely a typo. */
  unused(): string[] {
    return [...this.byFile.keys()].filter((name) => !this.used.has(name));
  }
}

/**
 * Picks `input`'s adapter (from its content, or `format`) and sets its read options: the common
 * ones, its file name, its annotator and a stats hook filling the summary. Throws InputError naming
 * the file (an empty file, an unknown format).
 */
export async function openInput(
  input: InputFile,
  format: string | undefined,
  common: ReadOptions,
  annotator: string | undefined,
): Promise<OpenedInput> {
  let detected: Awaited<ReturnType<typeof detectFormat>>;
  try {
    detected = await detectFormat(input.body, format);
  } catch (error) {
    throw error instanceof InputError ? inFile(error, input.file) : error;
  }
  const summary: InputFileSummary = { file: input.file, format: detected.adapter.format, records: 0 };
  if (annotator !== undefined) summary.annotator = annotator;
  const options: ReadOptions = {
    ...common,
    onStats: (stats) => {
      summary.stats = { ...stats };
      common.onStats?.(stats);
    },
  };
  if (annotator !== undefined) options.annotator = annotator;
  if (input.fileName !== undefined) options.fileName = input.fileName;
  return { input, adapter: detected.adapter, source: detected.source, options, summary };
}

/** Totals of a summary list, for the CLI's `ingest` object: sums of every stat by name. */
export function totalStats(summaries: readonly InputFileSummary[]): Record<string, number> {
  const totals: Record<string, number> = {};
  for (const summary of summaries) {
    for (const [name, value] of Object.entries(summary.stats ?? {})) totals[name] = (totals[name] ?? 0) + value;
  }
  return totals;
}
