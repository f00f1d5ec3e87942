import { Injectable, Logger } from '@nestjs/common';
import type { PoolClient } from 'pg';
import { DatasetBuilder, DatasetInputError, type Dataset } from '../agreement/dataset';
import type { Modality } from '../agreement/types';
import { AppConfig } from '../config/app.config';
import type { FormatAdapter, ParsedRecord } from '../ingest/adapter';
import { CopyEncodingError, copyAnnotations, type CopySummary } from '../ingest/copy-writer';
import { detectFormat } from '../ingest/detect-format';
import { InputError, IssueCollector } from '../ingest/ingest.errors';
import { openUploadSource, type UploadSource } from '../ingest/upload-source';
import type { HttpRequest } from '../common/http.types';
import { BatchFlowBuilder } from '../jobs/batch-flow.builder';
import { JOB_AGREEMENT_DIMENSION, JOB_EVALUATE } from '../jobs/jobs.constants';
import { agreementJobId, evaluateJobId, type BatchDimension } from '../jobs/job.types';
import { duplicateInOtherScope, enqueueFailed, invalidUpload } from './batch.errors';
import { BatchRepository, type BatchJobRow, type BatchRow, type NewBatchJob } from './batch.repository';

export interface IngestTarget {
  projectId: string;
  vendor: string | null;
  /** `?format=`; detected from the content when absent. */
  format?: string | undefined;
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

function isUniqueViolation(error: unknown): boolean {
  const driverError = (error as { driverError?: { code?: string } } | null)?.driverError;
  return (driverError?.code ?? (error as { code?: string } | null)?.code) === UNIQUE_VIOLATION;
}

/** Passes the adapter's records through while feeding the DatasetBuilder (same checks as the CLI). */
async function* validated(
  chunks: AsyncIterable<ParsedRecord[]>,
  builder: DatasetBuilder,
): AsyncGenerator<ParsedRecord[]> {
  for await (const chunk of chunks) {
    for (const record of chunk) builder.add(record, record.line);
    yield chunk;
  }
}

/**
 * Upload → one transaction. The body streams through the format adapter (never buffered whole),
 * every record is validated by the adapter and the DatasetBuilder (the CLI's checks exactly), and
 * the rows go to PostgreSQL with one COPY as they come. At the end, in the same transaction: the
 * items (counted from the validated dataset, written with a second COPY), the content hash and
 * counts, and the job records; then commit, then the BullMQ flow.
 * Any error rolls everything back, so a rejected upload leaves no row anywhere.
 */
@Injectable()
export class BatchIngestService {
  private readonly logger = new Logger(BatchIngestService.name);

  constructor(
    private readonly batches: BatchRepository,
    private readonly flows: BatchFlowBuilder,
    private readonly config: AppConfig,
  ) {}

  /** Opens the request's upload (raw or multipart) and ingests it. */
  async ingestRequest(request: HttpRequest, target: IngestTarget): Promise<IngestOutcome> {
    return this.ingest(await openUploadSource(request, this.config.uploadLimitBytes), target);
  }

  async ingest(upload: UploadSource, target: IngestTarget): Promise<IngestOutcome> {
    let detected: Awaited<ReturnType<typeof detectFormat>>;
    try {
      detected = await detectFormat(upload.body, target.format);
    } catch (error) {
      throw error instanceof InputError ? invalidUpload(error) : error;
    }
    const stored = await this.store(upload, detected.adapter, detected.source, target);
    if (stored.duplicateOf !== null) return this.existing(target, stored.duplicateOf);

    // The answer shows the batch as accepted (queued, jobs waiting): read before the jobs can start.
    const batch = await this.batches.findInScope(stored.batchId, { projectId: null, vendor: null });
    const jobs = await this.batches.findJobs(stored.batchId);
    await this.enqueue(stored.batchId, stored.dimensions);
    return { created: true, batch: batch!, jobs };
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
    adapter: FormatAdapter,
    source: AsyncIterable<Buffer>,
    target: IngestTarget,
  ): Promise<{ batchId: string; dimensions: BatchDimension[]; duplicateOf: null } | { duplicateOf: string }> {
    const runner = this.batches.createQueryRunner();
    try {
      // The COPY needs the pg client itself: TypeORM 1's PostgresQueryRunner.connect() resolves to
      // the PoolClient the runner holds, so the COPY runs on the connection — and in the
      // transaction — that the runner's own statements use.
      const client = (await runner.connect()) as PoolClient;
      await runner.startTransaction();
      const batchId = await this.batches.insertBatch(runner, {
        projectId: target.projectId,
        vendor: target.vendor,
        format: adapter.format,
        fileName: upload.fileName,
      });

      const builder = new DatasetBuilder();
      const issues = new IssueCollector();
      let summary: CopySummary | null = null;
      try {
        summary = await copyAnnotations(client, batchId, validated(adapter.read(source), builder));
      } catch (error) {
        if (error instanceof InputError) issues.addAll(error);
        else if (error instanceof CopyEncodingError) issues.add({ line: error.line, field: error.field, message: error.message });
        else throw error;
      }
      let dataset: Dataset | null = null;
      try {
        dataset = builder.build();
      } catch (error) {
        if (!(error instanceof DatasetInputError)) throw error;
        issues.addAll(datasetIssues(error));
      }
      const problem = issues.toError();
      if (problem !== null) throw invalidUpload(problem);
      if (summary === null || dataset === null || summary.records === 0) {
        throw invalidUpload(new InputError([{ message: 'holds no annotation records' }]));
      }

      const { sha256 } = upload.digest();
      const items = await this.batches.copyItems(runner, batchId, itemCounts(dataset));
      try {
        await this.batches.completeIngest(runner, batchId, {
          contentHash: sha256,
          records: summary.records,
          items,
          annotators: summary.annotators,
          dimensions: summary.dimensions.length,
        });
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        await runner.rollbackTransaction();
        return { duplicateOf: sha256 };
      }
      await this.batches.insertJobs(runner, batchId, jobsOf(batchId, summary.dimensions));
      await runner.commitTransaction();
      return { batchId, dimensions: summary.dimensions, duplicateOf: null };
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction();
      throw error;
    } finally {
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

/** Each item of the upload with its number of judgements (over all dimensions), in order of first appearance. */
export function* itemCounts(dataset: Dataset): Generator<[string, number]> {
  const counts = new Int32Array(dataset.items.length);
  for (const dimension of dataset.dimensions) {
    const { item, size } = dimension;
    for (let i = 0; i < size; i++) counts[item[i]!]! += 1;
  }
  for (let id = 0; id < counts.length; id++) if (counts[id]! > 0) yield [dataset.items[id]!, counts[id]!];
}

/** The dataset's issues name the line each record was added with (`record.line`). */
function datasetIssues(error: DatasetInputError): InputError {
  return new InputError(
    error.issues.map((issue) => ({ line: issue.position, message: issue.message })),
    error.omitted,
  );
}
