import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { DatasetBuilder, DatasetInputError, type Dataset } from '../agreement/dataset';
import type { Modality } from '../agreement/types';
import { canonicalCsv, readCanonicalCsvInto, type RecordTarget } from '../ingest/adapters/canonical';
import { InputError, IssueCollector, inFile } from '../ingest/ingest.errors';
import { openInput, totalStats, type InputFile, type InputFileSummary } from '../ingest/input-files';
import { RecordPositions } from '../ingest/record-positions';
import { isZipFile, zipEntries } from '../ingest/zip-source';
import type { CompiledSchema } from '../projects/project-schema';
import { UsageError, type CliIo } from './command';
import { withProgress } from './progress-bar';
import type { InputOptions } from './read-options';

/** Bigger reads than the 64 KiB default: fewer chunks, fewer hand-offs between stream and parser. */
const READ_CHUNK_BYTES = 1024 * 1024;

/** A file that cannot be opened or read (missing, a directory, no permission). */
export class UnreadableFileError extends Error {
  constructor(
    readonly file: string,
    reason: string,
  ) {
    super(`cannot read ${file}: ${reason}`);
    this.name = 'UnreadableFileError';
  }
}

const SYSTEM_REASONS: Record<string, string> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EISDIR: 'it is a directory',
};

function unreadable(file: string, error: NodeJS.ErrnoException): UnreadableFileError {
  return new UnreadableFileError(file, SYSTEM_REASONS[error.code ?? ''] ?? error.message);
}

/** Dataset issues whose positions are plain lines (no RecordPositions at hand). */
export function asInputError(error: DatasetInputError): InputError {
  return new InputError(
    error.issues.map((issue) => ({ line: issue.position, message: issue.message })),
    error.omitted,
  );
}

/** Checked by shape, not `instanceof`: errors from Node's own modules may come from another realm. */
function isSystemError(error: unknown): error is NodeJS.ErrnoException {
  return typeof error === 'object' && error !== null && 'syscall' in error && typeof (error as NodeJS.ErrnoException).code === 'string';
}

/** What was read besides the judgements: `--json` prints it as `ingest`, the table mode on stderr. */
export interface IngestSummary {
  files: InputFileSummary[];
  /** Records read (peers', gold and text ones). */
  records: number;
  /** Gold judgements, kept apart from agreement (per dimension: each result's `goldJudgements`). */
  goldJudgements: number;
  /** Free-text records (Label Studio textarea): counted, never analysed. */
  textRecords: number;
  /** Per dimension with free text. */
  textDimensions: Array<{ modality: Modality; dimension: string; records: number }>;
  /** Every file's adapter stats summed (Label Studio: tasks, annotations, cancelledAnnotations…). */
  stats: Record<string, number>;
}

export interface LoadedDataset {
  dataset: Dataset;
  /** Turns the positions of later DatasetInputErrors (from the analysis) into files, lines, paths. */
  positions: RecordPositions;
  ingest: IngestSummary;
}

/** A target whose positions are the file's lines moved by `base` (the files after the first). */
function shifted(builder: DatasetBuilder, base: number): RecordTarget {
  return {
    add: (record, line) => builder.add(record, base + line),
    addLabel: (modality, dimension, item, annotator, label, line) => builder.addLabel(modality, dimension, item, annotator, label, base + line),
  };
}

/**
 * Reads the FILEs — each in the format detected from its own start (or `options.format`); a zip
 * archive is read entry by entry — into one Dataset. Every problem of every file (the readers' and
 * the dataset's) comes back together as one InputError whose issues name their file. With a project
 * `schema`, every record goes through its prepareRecord, as in the service's ingest: records outside
 * it are input errors, its gold annotators' records are gold.
 */
export async function loadDataset(files: readonly string[], options: InputOptions, io: CliIo, schema?: CompiledSchema): Promise<LoadedDataset> {
  const positions = new RecordPositions();
  const builder = new DatasetBuilder({ describePosition: (position) => positions.describe(position) });
  const issues = new IssueCollector();
  const summaries: InputFileSummary[] = [];

  const readInput = async (input: InputFile): Promise<void> => {
    let opened;
    try {
      opened = await openInput(input, options.format, options.read, options.annotators.annotatorFor(input.file, input.fileName));
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      issues.addAll(error);
      return;
    }
    const base = positions.startFile(input.file);
    summaries.push(opened.summary);
    const before = builder.records;
    try {
      if (opened.adapter === canonicalCsv && schema === undefined) {
        // The common case, read without a record object per row (the same records, order and errors).
        await readCanonicalCsvInto(opened.source, base === 0 ? builder : shifted(builder, base), opened.options);
      } else {
        for await (const batch of opened.adapter.read(opened.source, opened.options)) {
          for (const record of batch) {
            const violation = schema?.prepareRecord(record) ?? null;
            if (violation === null) builder.add(record, positions.of(record));
            else issues.add({ file: input.file, ...positions.locate(positions.of(record)), ...violation });
          }
        }
      }
    } catch (error) {
      if (error instanceof InputError) issues.addAll(inFile(error, input.file));
      else if (isSystemError(error)) throw unreadable(input.file, error);
      else throw error;
    } finally {
      opened.summary.records = builder.records - before;
    }
  };

  for (const file of files) {
    let size: number;
    try {
      const info = await stat(file);
      if (info.isDirectory()) throw new UnreadableFileError(file, SYSTEM_REASONS.EISDIR!);
      size = info.size;
    } catch (error) {
      throw isSystemError(error) ? unreadable(file, error) : error;
    }
    try {
      if (await isZipFile(file)) {
        positions.nameFiles = true;
        for await (const entry of zipEntries(file, undefined, file)) {
          await readInput({ file: `${file}/${entry.name}`, fileName: entry.name, body: withProgress(entry.body, entry.size, io) });
        }
      } else {
        const body = withProgress(createReadStream(file, { highWaterMark: READ_CHUNK_BYTES }), size, io);
        await readInput({ file, fileName: basename(file), body });
      }
    } catch (error) {
      if (error instanceof InputError) issues.addAll(inFile(error, file));
      else if (isSystemError(error)) throw unreadable(file, error);
      else throw error;
    }
  }

  let dataset: Dataset | null = null;
  try {
    dataset = builder.build();
  } catch (error) {
    if (!(error instanceof DatasetInputError)) throw error;
    issues.addAll(positions.inputError(error));
  }
  const problem = issues.toError();
  if (problem !== null) throw problem;
  const unused = options.annotators.unused();
  if (unused.length > 0) throw new UsageError(`--annotator ${unused[0]}=…: no FILE or zip entry is named "${unused[0]}"`);
  if (dataset === null || (dataset.dimensions.length === 0 && dataset.gold.length === 0 && dataset.textRecords.length === 0)) {
    throw new InputError([{ message: 'holds no annotation records' }]);
  }
  if (dataset.dimensions.length === 0) throw new InputError([{ message: 'holds no judgements to compare: every record is gold or free text' }]);

  const textRecords = dataset.textRecords.reduce((sum, text) => sum + text.records, 0);
  return {
    dataset,
    positions,
    ingest: {
      files: summaries,
      records: summaries.reduce((sum, summary) => sum + summary.records, 0),
      goldJudgements: dataset.gold.reduce((sum, gold) => sum + gold.size, 0),
      textRecords,
      textDimensions: dataset.textRecords.map((text) => ({ ...text })),
      stats: totalStats(summaries),
    },
  };
}

const plural = (count: number, one: string, many = `${one}s`): string => `${count} ${count === 1 ? one : many}`;

/** Adapter stats worth a line in the table mode: what was skipped or set apart. */
const NOTABLE_STATS: Record<string, (count: number) => string> = {
  cancelledAnnotations: (count) => `${plural(count, 'cancelled annotation')} skipped`,
  goldAnnotations: (count) => `${plural(count, 'ground-truth annotation')} read as gold`,
  skippedRelations: (count) => `${plural(count, 'relation')} skipped`,
  ignoredPredictions: (count) => `${plural(count, 'model prediction')} ignored`,
};

/**
 * The table mode's note on stderr: per file what its reader skipped or set apart, then the gold and
 * text records left out of agreement. Empty when there is nothing to say (a plain CSV file).
 */
export function ingestNotes(ingest: IngestSummary): string {
  const lines: string[] = [];
  for (const summary of ingest.files) {
    const stats = summary.stats ?? {};
    const notes = Object.entries(NOTABLE_STATS).flatMap(([name, text]) => ((stats[name] ?? 0) > 0 ? [text(stats[name]!)] : []));
    if (notes.length === 0) continue;
    const read = stats.tasks === undefined ? '' : ` ${plural(stats.tasks, 'task')}, ${plural(stats.annotations ?? 0, 'annotation')};`;
    lines.push(`${summary.file} (${summary.format}):${read} ${notes.join(', ')}`);
  }
  if (ingest.goldJudgements > 0) lines.push(`${plural(ingest.goldJudgements, 'gold judgement')} kept apart: not a peer in agreement`);
  if (ingest.textRecords > 0) {
    const where = ingest.textDimensions.map((text) => `${text.modality}/${text.dimension}`).join(', ');
    lines.push(`${plural(ingest.textRecords, 'free-text record')} (${where}) not analysed`);
  }
  return lines.map((line) => `concord: ${line}\n`).join('');
}
