import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { DatasetBuilder, DatasetInputError, type Dataset } from '../agreement/dataset';
import { canonicalCsv, readCanonicalCsvInto } from '../ingest/adapters/canonical';
import { detectFormat } from '../ingest/detect-format';
import { InputError, IssueCollector } from '../ingest/ingest.errors';
import type { CliIo } from './command';
import { withProgress } from './progress-bar';

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

/** Dataset issues carry the line the reader gave each record (the CLI passes `record.line`). */
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

/**
 * Reads FILE in the format detected from its start (or `format`) into a Dataset. Every problem —
 * the reader's and the dataset's — comes back together as one InputError.
 */
export async function loadDataset(file: string, format: string | undefined, io: CliIo): Promise<Dataset> {
  let size: number;
  try {
    const info = await stat(file);
    if (info.isDirectory()) throw new UnreadableFileError(file, SYSTEM_REASONS.EISDIR!);
    size = info.size;
  } catch (error) {
    throw isSystemError(error) ? unreadable(file, error) : error;
  }

  const builder = new DatasetBuilder();
  const issues = new IssueCollector();
  try {
    const bytes = withProgress(createReadStream(file, { highWaterMark: READ_CHUNK_BYTES }), size, io);
    const { adapter, source } = await detectFormat(bytes, format);
    if (adapter === canonicalCsv) {
      // The common case, read without a record object per row (the same records, order and errors).
      await readCanonicalCsvInto(source, builder);
    } else {
      for await (const batch of adapter.read(source)) {
        for (const record of batch) builder.add(record, record.line);
      }
    }
  } catch (error) {
    if (error instanceof InputError) issues.addAll(error);
    else if (isSystemError(error)) throw unreadable(file, error);
    else throw error;
  }

  let dataset: Dataset | null = null;
  try {
    dataset = builder.build();
  } catch (error) {
    if (!(error instanceof DatasetInputError)) throw error;
    issues.addAll(asInputError(error));
  }
  const problem = issues.toError();
  if (problem !== null) throw problem;
  if (dataset === null || dataset.dimensions.length === 0) throw new InputError([{ message: 'holds no annotation records' }]);
  return dataset;
}
