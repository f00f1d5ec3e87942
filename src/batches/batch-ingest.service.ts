import { createHash } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import type { PoolClient } from 'pg';
import type { DatasetSummary } from '../agreement/dataset';
import type { Modality } from '../agreement/types';
import { AppConfig } from '../config/app.config';
import type { ReadOptions } from '../ingest/adapter';
import { CopyEncodingError, copyAnnotations, type CopySummary } from '../ingest/copy-writer';
import { InputError, type InputIssue } from '../ingest/ingest.errors';
import { ANNOTATOR_FIELD_PREFIX, UploadRecords } from '../ingest/upload-records';
import { openUploadSource, type UploadSource } from '../ingest/upload-source';
import type { HttpRequest } from '../common/http.types';
import { uploadHeapGrowth } from '../common/upload-heap-growth';
import { BatchFlowBuilder } from '../jobs/batch-flow.builder';
import { JOB_AGREEMENT_DIMENSION, JOB_EVALUATE } from '../jobs/jobs.constants';
import { ProjectSettingsService } from '../projects/project-settings.service';
import { agreementJobId, evaluateJobId, type BatchDimension } from '../jobs/job.types';
import { duplicateInOtherScope, enqueueFailed, invalidUpload, replacedBatchNotFound, replacedBatchOtherVendor } from './batch.errors';
import { BatchRepository, type BatchJobRow, type BatchRow, type NewBatchJob } from './batch.repository';

export interface IngestTarget {
  projectId: string;
  vendor: string | null;
  /** `?format=`: every file's format; detected from each file's content when absent. */
  format?: string | undefined;
  /** `?annotator=`: the annotator of files whose format names none (a multipart field may name a file's own). */
  annotator?: string | undefined;
  /** `?fps=`: for Label Studio timelinelabels. */
  fps?: number | undefined;
  /** `?tierPattern=`: ELAN tier ids → dimension and annotator (checked by tierPatternProblem). */
  tierPattern?: string | undefined;
  /** `?replaces=`: the earlier batch this upload re-delivers; must be one of the project's that the caller may see. */
  replaces?: string | undefined;
  /** Whether the caller may see a batch of `vendor` (to answer a duplicate with it, or not). */
  canSee: (batch: BatchRow) => boolean;
}

export interface IngestOutcome {
  /** False when the same file was already a batch of the project (nothing new was stored). */
  created: boolean;
  batch: BatchRow;
  jobs: BatchJobRow[];
}

const UNIQUE_VIOLATION = '23505';

/** Start of a batch's error when its flow could not be queued (then a re-upload queues it). */
export const ENQUEUE_FAILED_REASON = 'could not enqueue the agreement jobs';

/** Characters of `file_name` kept for a batch of several files (their names, comma-separated). */
const MAX_FILE_NAMES_CHARS = 1000;

function isUniqueViolation(error: unknown): boolean {
  const driverError = (error as { driverError?: { code?: string } } | null)?.driverError;
  return (driverError?.code ?? (error as { code?: string } | null)?.code) === UNIQUE_VIOLATION;
}

/**
 * The batch's content hash: the files' own hash (so the same file uploaded again is the same
 * batch), combined with the reading options when any is given — the same bytes read with another
 * annotator, fps or tier pattern are other records, hence another batch.
 */
export function contentHashOf(filesSha256: string, target: Omit<IngestTarget, 'canSee' | 'projectId' | 'vendor'>, fields: ReadonlyMap<string, string>): string {
  const annotatorFields = [...fields].filter(([name]) => name.startsWith(ANNOTATOR_FIELD_PREFIX)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const options = {
    ...(target.format === undefined ? {} : { format: target.format }),
    ...(target.annotator === undefined ? {} : { annotator: target.annotator }),
    ...(target.fps === undefined ? {} : { fps: target.fps }),
    ...(target.tierPattern === undefined ? {} : { tierPattern: target.tierPattern }),
    ...(annotatorFields.length === 0 ? {} : { annotators: annotatorFields }),
  };
  if (Object.keys(options).length === 0) return filesSha256;
  return createHash('sha256').update(`${filesSha256}\n${JSON.stringify(options)}`).digest('hex');
}

/**
 * Upload → one transaction. The files (the raw body, each multipart file part, each entry of a zip)
 * stream through their format adapters (never buffered whole; see UploadRecords), every record is
 * validated by the adapter and the DatasetBuilder (the CLI's checks exactly), and the rows go to
 * PostgreSQL with one COPY as they come. At the end, in the same transaction: the items (counted
 * from the validated dataset, written with a second COPY), the content hash and counts, and the job
 * records — one per dimension with peer judgements (gold and free-text records are stored but get
 * no job of their own); then commit, then the BullMQ flow. Any error rolls everything back, so a
 * rejected upload leaves no row anywhere.
 */
@Injectable()
export class BatchIngestService {
  private readonly logger = new Logger(BatchIngestService.name);

  constructor(
    private readonly batches: BatchRepository,
    private readonly flows: BatchFlowBuilder,
    private readonly config: AppConfig,
    private readonly projectSettings: ProjectSettingsService,
  ) {}

  /** Opens the request's upload (raw or multipart) and ingests it. */
  async ingestRequest(request: HttpRequest, target: IngestTarget): Promise<IngestOutcome> {
    return this.ingest(await openUploadSource(request, this.config.uploadLimitBytes), target);
  }

  async ingest(upload: UploadSource, target: IngestTarget): Promise<IngestOutcome> {
    // Checked before reading a byte of the body. A batch deleted between here and the insert fails
    // the foreign key (a 500 for a race nobody can cause on purpose: only admins delete).
    if (target.replaces !== undefined) await this.assertReplaceable(target, target.replaces);
    const stored = await this.store(upload, target);
    if (stored.duplicateOf !== null) return this.existing(target, stored.duplicateOf);

    // The answer shows the batch as accepted (queued, jobs waiting): read before the jobs can start.
    const batch = await this.batches.findInScope(stored.batchId, { projectId: null, vendor: null });
    const jobs = await this.batches.findJobs(stored.batchId);
    await this.enqueue(stored.batchId, stored.dimensions);
    return { created: true, batch: batch!, jobs };
  }

  /**
   * A re-delivery must name a batch of the same project that the caller may see (for a vendor key:
   * its own); any other id — another project's, another vendor's, none at all — gets the same 422,
   * so it tells nothing about batches the caller may not see. A re-delivery comes from the vendor
   * of the earlier batch (an admin or QA lead uploading for it names it with `?vendor=`).
   */
  private async assertReplaceable(target: IngestTarget, replaces: string): Promise<void> {
    const earlier = await this.batches.findInScope(replaces, { projectId: target.projectId, vendor: null });
    if (earlier === null || !target.canSee(earlier)) throw replacedBatchNotFound(replaces);
    if (earlier.vendor !== target.vendor) throw replacedBatchOtherVendor(earlier.vendor);
  }

  /**
   * Adds the batch's flow (after the commit: jobs never point at uncommitted rows). When Redis is
   * unavailable the batch is marked failed with ENQUEUE_FAILED_REASON, and uploading the same
   * file again queues it then (see {@link existing}).
   */
  private async enqueue(batchId: string, dimensions: readonly BatchDimension[]): Promise<void> {
    try {
      await this.flows.addBatchFlow(batchId, dimensions);
    } catch (error) {
      this.logger.error(`could not enqueue the flow of batch ${batchId}: ${(error as Error).message}`);
      await this.batches.markFailed(batchId, `${ENQUEUE_FAILED_REASON}: ${(error as Error).message}`);
      throw enqueueFailed(error);
    }
  }

  /**
   * The one transaction of an upload. Returns the new batch, or — when the project already has a
   * batch with this content hash (the unique constraint settles concurrent uploads too) — that hash,
   * after rolling everything back.
   */
  private async store(
    upload: UploadSource,
    target: IngestTarget,
  ): Promise<{ batchId: string; dimensions: BatchDimension[]; duplicateOf: null } | { duplicateOf: string }> {
    const runner = this.batches.createQueryRunner();
    const endTightHeap = uploadHeapGrowth.begin(this.config.uploadHeapGrowthPercent);
    try {
      // The COPY needs the pg client itself: TypeORM 1's PostgresQueryRunner.connect() resolves to
      // the PoolClient the runner holds, so the COPY runs on the connection — and in the
      // transaction — that the runner's own statements use.
      const client = (await runner.connect()) as PoolClient;
      await runner.startTransaction();
      // Format and file names are known once the files have been read (completeIngest sets them).
      const batchId = await this.batches.insertBatch(runner, {
        projectId: target.projectId,
        vendor: target.vendor,
        format: '',
        fileName: null,
        replacesBatchId: target.replaces ?? null,
      });

      const read: ReadOptions = {};
      if (target.fps !== undefined) read.fps = target.fps;
      if (target.tierPattern !== undefined) read.tierPattern = target.tierPattern;
      // The project's schema as it is now: its checks and gold annotators apply to this upload.
      const schema = await this.projectSettings.compiledSchemaOf(target.projectId);
      const reading = new UploadRecords(upload, {
        ...(schema === null ? {} : { schema }),
        ...(target.format === undefined ? {} : { format: target.format }),
        ...(target.annotator === undefined ? {} : { annotator: target.annotator }),
        read,
      });
      let summary: CopySummary | null = null;
      const copyIssues: InputIssue[] = [];
      try {
        summary = await copyAnnotations(client, batchId, reading.records(), { currentFile: () => reading.currentFile });
      } catch (error) {
        if (!(error instanceof CopyEncodingError)) throw error;
        const file = reading.currentFile;
        copyIssues.push({ ...(file === null ? {} : { file }), line: error.line, field: error.field, message: error.message });
      }
      let dataset: DatasetSummary;
      try {
        dataset = reading.finish(copyIssues);
      } catch (error) {
        throw error instanceof InputError ? invalidUpload(error) : error;
      }
      if (summary === null) throw new Error('the COPY ended without a summary and without an error');

      const contentHash = contentHashOf(upload.digest().sha256, target, upload.fields);
      const items = await this.batches.copyItems(runner, batchId, itemCounts(dataset));
      const dimensions = dataset.dimensions.map(({ modality, dimension }) => ({ modality, dimension }));
      try {
        await this.batches.completeIngest(runner, batchId, {
          contentHash,
          records: summary.records,
          items,
          annotators: dataset.peerAnnotators,
          dimensions: dimensions.length,
          format: reading.formats,
          fileName: batchFileName(reading),
        });
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        await runner.rollbackTransaction();
        return { duplicateOf: contentHash };
      }
      await this.batches.insertJobs(runner, batchId, jobsOf(batchId, dimensions));
      await runner.commitTransaction();
      return { batchId, dimensions, duplicateOf: null };
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction();
      throw error;
    } finally {
      endTightHeap();
      await runner.release();
    }
  }

  /** The project already holds this file: answer with that batch, if the caller may see it. */
  private async existing(target: IngestTarget, contentHash: string): Promise<IngestOutcome> {
    const batch = await this.batches.findByContentHash(target.projectId, contentHash);
    if (batch === null) throw new Error('unique violation on the content hash, but no batch has it');
    if (!target.canSee(batch)) throw duplicateInOtherScope();
    if (batch.status === 'failed' && batch.error?.startsWith(ENQUEUE_FAILED_REASON)) {
      // Stored earlier but never queued: queue it now (the job ids are deterministic).
      const jobs = await this.batches.findJobs(batch.id);
      const dimensions = jobs.flatMap((job) =>
        job.name === JOB_AGREEMENT_DIMENSION ? [{ modality: job.modality as Modality, dimension: job.dimension! }] : [],
      );
      await this.batches.requeue(batch.id);
      await this.enqueue(batch.id, dimensions);
      const requeued = await this.batches.findInScope(batch.id, { projectId: null, vendor: null });
      return { created: false, batch: requeued!, jobs };
    }
    return { created: false, batch, jobs: await this.batches.findJobs(batch.id) };
  }
}

/** The flow's job records: one agreement child per dimension, and the evaluate parent. */
export function jobsOf(batchId: string, dimensions: readonly BatchDimension[]): NewBatchJob[] {
  return [
    ...dimensions.map(({ modality, dimension }) => ({
      jobId: agreementJobId(batchId, modality, dimension),
      name: JOB_AGREEMENT_DIMENSION,
      modality,
      dimension,
    })),
    { jobId: evaluateJobId(batchId), name: JOB_EVALUATE, modality: null, dimension: null },
  ];
}

/** Each item of the upload with its number of peer judgements (over all dimensions), in order of first appearance. */
export function* itemCounts(dataset: DatasetSummary): Generator<[string, number]> {
  const counts = dataset.itemJudgements;
  for (let id = 0; id < counts.length; id++) if (counts[id]! > 0) yield [dataset.items[id]!, counts[id]!];
}

/**
 * `file_name` of a batch: its one file's name (null for an unnamed raw body), else the names of the
 * parts read, comma-separated (a zip's entries are not listed: its name stands for them).
 */
function batchFileName(reading: UploadRecords): string | null {
  const names = reading.partNames;
  if (names.length <= 1) return names[0] ?? null;
  const joined = names.join(', ');
  return joined.length > MAX_FILE_NAMES_CHARS ? `${joined.slice(0, MAX_FILE_NAMES_CHARS - 1)}…` : joined;
}
