/**
 * The records of one upload, however it came: a raw body, several multipart file parts, or zips of
 * exports (each part that is a zip is read entry by entry). Every file goes through the adapter
 * detected from its own content (or `format`), with its own annotator; every record is validated by
 * the DatasetBuilder — the CLI's checks exactly — as it streams past on its way to COPY. Problems of
 * every file are collected (naming the file when the upload has several, or came zipped), so one
 * 422 lists them all. Free of Nest and pg: the ingest service feeds `records()` to the COPY writer.
 */
import { DatasetBuilder, DatasetInputError, type DatasetSummary } from '../agreement/dataset';
import type { CompiledSchema } from '../projects/project-schema';
import type { ParsedRecord, ReadOptions } from './adapter';
import { InputError, IssueCollector, inFile, type InputIssue } from './ingest.errors';
import { AnnotatorAssignment, openInput, type InputFile, type InputFileSummary } from './input-files';
import { RecordPositions } from './record-positions';
import type { UploadSource } from './upload-source';
import { DEFAULT_ZIP_LIMITS, isZipHead, spoolToTempFile, zipEntries, type ZipLimits } from './zip-source';

/** Prefix of the multipart field that names one file's annotator: `annotator:<file name>`. */
export const ANNOTATOR_FIELD_PREFIX = 'annotator:';

export interface UploadReadOptions {
  /** `?format=`: every file's format; detected per file when absent. */
  format?: string;
  /** `?annotator=`: the annotator of files whose format names none, unless a field names theirs. */
  annotator?: string;
  /** fps, tierPattern, modalities. */
  read?: ReadOptions;
  zipLimits?: ZipLimits;
  /** The project's schema: records outside it are input errors; its gold annotators' records are gold. */
  schema?: CompiledSchema;
}

const ZIP_TYPES: ReadonlySet<string> = new Set(['application/zip', 'application/x-zip-compressed']);

/** The first chunk of `source` (null when it is empty) and a source that still yields every byte. */
async function peekFirst(source: AsyncIterable<Buffer>): Promise<{ head: Buffer | null; source: AsyncIterable<Buffer> }> {
  const iterator = source[Symbol.asyncIterator]();
  const first = await iterator.next();
  const head = first.done === true ? null : first.value;
  async function* replayed(): AsyncIterable<Buffer> {
    try {
      if (head === null) return;
      yield head;
      for (let next = await iterator.next(); next.done !== true; next = await iterator.next()) yield next.value;
    } finally {
      await iterator.return?.();
    }
  }
  return { head, source: replayed() };
}

export class UploadRecords {
  readonly positions = new RecordPositions();
  /** Checks every record as the CLI does, keeping only what the checks need (an upload is stored by COPY, not held). */
  readonly builder = new DatasetBuilder({ describePosition: (position) => this.positions.describe(position), keeps: 'checks' });
  /** Each file read, in order, with its format and record count. */
  readonly files: InputFileSummary[] = [];
  /** The file whose records are being read (for the COPY writer's `source_file`); null for an unnamed body. */
  currentFile: string | null = null;
  /** The names of the upload's parts (null for an unnamed raw body are left out). */
  readonly partNames: string[] = [];
  private readonly issues = new IssueCollector();
  private readonly annotators: AnnotatorAssignment;
  /** Upload parts read, and whether any was a zip: a single plain file's issues name no file. */
  private parts = 0;
  private zipped = false;

  constructor(
    private readonly upload: UploadSource,
    private readonly options: UploadReadOptions = {},
  ) {
    this.annotators = new AnnotatorAssignment(options.annotator);
  }

  /** Every record of every file, in chunks, as read; errors are collected for {@link finish}. */
  async *records(): AsyncGenerator<ParsedRecord[]> {
    for await (const part of this.upload.parts) {
      this.parts += 1;
      this.takeAnnotatorFields();
      if (part.fileName !== null) this.partNames.push(part.fileName);
      const name = part.fileName ?? (this.parts === 1 ? 'upload' : `part ${this.parts}`);
      const { head, source } = await peekFirst(part.body);
      if ((head !== null && isZipHead(head)) || (part.contentType !== null && ZIP_TYPES.has(part.contentType))) {
        this.zipped = true;
        this.positions.nameFiles = true;
        yield* this.readZip(name, source);
      } else {
        const input: InputFile = { file: name, body: source };
        if (part.fileName !== null) input.fileName = part.fileName;
        yield* this.readFile(input);
      }
    }
  }

  /**
   * The data set's summary (every record checked), or throws the InputError of every problem found:
   * the readers', the COPY writer's (`extra`) and the data set's.
   */
  finish(extra: readonly InputIssue[] = []): DatasetSummary {
    for (const issue of extra) this.issues.add(issue);
    let dataset: DatasetSummary | null = null;
    try {
      dataset = this.builder.summarize();
    } catch (error) {
      if (!(error instanceof DatasetInputError)) throw error;
      this.issues.addAll(this.positions.inputError(error));
    }
    const unused = this.annotators.unused();
    for (const file of unused) {
      this.issues.add({ field: `${ANNOTATOR_FIELD_PREFIX}${file}`, message: `names the annotator of "${file}", but no file of that name came after it (the field must precede its file's part)` });
    }
    const problem = this.issues.toError();
    if (problem !== null) throw this.singleFile() ? withoutFiles(problem) : problem;
    if (dataset === null || this.builder.records === 0) throw new InputError([{ message: 'holds no annotation records' }]);
    if (dataset.dimensions.length === 0) throw new InputError([{ message: 'holds no judgements to compare: every record is gold or free text' }]);
    return dataset;
  }

  /** The formats read, `+`-joined in order of first use (`cvat`, `label-studio+elan`). */
  get formats(): string {
    return [...new Set(this.files.map((file) => file.format))].join('+');
  }

  /** One plain file (raw body or one part, not a zip): its issues name no file, as before uploads had several. */
  private singleFile(): boolean {
    return this.parts <= 1 && !this.zipped;
  }

  /** `annotator:<file name>` fields seen so far (they precede their file's part). */
  private takeAnnotatorFields(): void {
    for (const [field, value] of this.upload.fields) {
      if (!field.startsWith(ANNOTATOR_FIELD_PREFIX)) continue;
      const file = field.slice(ANNOTATOR_FIELD_PREFIX.length);
      const annotator = value.trim();
      if (file === '' || annotator === '') {
        this.issues.add({ field, message: 'must be `annotator:<file name>` with a non-empty annotator' });
        continue;
      }
      try {
        this.annotators.assign(file, annotator);
      } catch (error) {
        if (!(error instanceof InputError)) throw error;
        this.issues.addAll(error);
      }
    }
  }

  private async *readZip(name: string, bytes: AsyncIterable<Buffer>): AsyncGenerator<ParsedRecord[]> {
    const spooled = await spoolToTempFile(bytes, name);
    try {
      for await (const entry of zipEntries(spooled.path, this.options.zipLimits ?? DEFAULT_ZIP_LIMITS, name)) {
        yield* this.readFile({ file: `${name}/${entry.name}`, fileName: entry.name, body: entry.body });
      }
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      this.issues.addAll(inFile(error, name));
    } finally {
      await spooled.remove();
    }
  }

  private async *readFile(input: InputFile): AsyncGenerator<ParsedRecord[]> {
    let opened;
    try {
      opened = await openInput(input, this.options.format, this.options.read ?? {}, this.annotators.annotatorFor(input.file, input.fileName));
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      this.issues.addAll(error);
      return;
    }
    this.positions.startFile(input.file);
    this.files.push(opened.summary);
    this.currentFile = input.fileName ?? null;
    const { builder, positions } = this;
    const schema = this.options.schema;
    try {
      for await (const chunk of opened.adapter.read(opened.source, opened.options)) {
        for (const record of chunk) {
          // Only positions the builder keeps (categorical judgements, issues) have their path kept.
          const position = positions.next(record);
          const violation = schema?.prepareRecord(record) ?? null;
          if (violation === null) {
            if (builder.add(record, position)) positions.keep(record);
          } else {
            positions.keep(record);
            this.issues.add({ file: input.file, ...positions.locate(position), ...violation });
          }
        }
        opened.summary.records += chunk.length;
        yield chunk;
      }
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      this.issues.addAll(inFile(error, input.file));
    }
  }
}

/** The error without the file of each issue (an upload of one plain file). */
function withoutFiles(error: InputError): InputError {
  return new InputError(
    error.issues.map(({ file: _file, ...issue }) => issue),
    error.omitted,
  );
}
