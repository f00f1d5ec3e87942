import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { DataSource, QueryRunner } from 'typeorm';
import type { Modality } from '../agreement/types';
import type { BatchVisibility } from '../auth/access-policy';
import { pgPoolOf } from '../common/pg-pool';
import { escapeCopyText } from '../ingest/copy-writer';
import type { BatchJobStatus } from '../jobs/batch-job.entity';
import type { BatchStatus, BatchVerdict } from './batch.entity';

/** Which batches a caller may see (auth/access-policy.ts `batchVisibility`). */
export type BatchScope = BatchVisibility;

/** A `batches` row as the read paths use it. */
export interface BatchRow {
  id: string;
  projectId: string;
  vendor: string | null;
  status: BatchStatus;
  format: string;
  fileName: string | null;
  contentHash: string;
  recordCount: number;
  itemCount: number;
  annotatorCount: number;
  dimensionCount: number;
  progress: number;
  error: string | null;
  createdAt: Date;
  updatedAt: Date;
  completedAt: Date | null;
  /** Quality-gate verdict (pending until evaluated, and while a re-evaluation runs). */
  verdict: BatchVerdict;
  /** The batch this one re-delivers (`?replaces=`), while it exists. */
  replacesBatchId: string | null;
  /** created_at as PostgreSQL prints it (microseconds kept): the exact key of a listing cursor. */
  createdAtKey: string;
}

export interface BatchJobRow {
  jobId: string;
  batchId: string;
  name: string;
  modality: string | null;
  dimension: string | null;
  status: BatchJobStatus;
  attempts: number;
  progress: number;
  error: string | null;
  startedAt: Date | null;
  finishedAt: Date | null;
  durationMs: number | null;
}

export interface AgreementResultRow {
  modality: string;
  dimension: string;
  shape: string;
  level: string | null;
  result: unknown;
  computedAt: Date;
}

/**
 * A batch as its agreement endpoint reads it: enough to check visibility, and the results as the
 * JSON text PostgreSQL prints for the stored `jsonb` (never parsed on this path).
 */
export interface BatchAgreementRow {
  id: string;
  projectId: string;
  vendor: string | null;
  status: BatchStatus;
  results: { modality: string; dimension: string; resultJson: string }[];
}

export interface AnnotatorStatRow {
  modality: string;
  dimension: string;
  annotator: string;
  judgements: number;
  dropOneAlpha: number | null;
  meanPairwiseAlpha: number | null;
  stats: unknown;
}

export interface BatchListFilter {
  projectId: string;
  vendor?: string | undefined;
  status?: BatchStatus | undefined;
  createdFrom?: Date | undefined;
  createdTo?: Date | undefined;
  /** Keyset cursor: the (created_at, id) of the last row of the previous page. */
  after?: { createdAt: string; id: string } | undefined;
  limit: number;
}

/** Values for a new `batches` row (counts are filled in once the annotations are stored). */
export interface NewBatch {
  projectId: string;
  vendor: string | null;
  format: string;
  fileName: string | null;
  /** `?replaces=`: the earlier batch this one re-delivers (checked by the caller). */
  replacesBatchId: string | null;
}

export interface NewBatchJob {
  jobId: string;
  name: string;
  modality: Modality | null;
  dimension: string | null;
}

const BATCH_COLUMNS = `
  id, project_id AS "projectId", vendor, status, format, file_name AS "fileName",
  content_hash AS "contentHash", record_count AS "recordCount", item_count AS "itemCount",
  annotator_count AS "annotatorCount", dimension_count AS "dimensionCount", progress, error,
  created_at AS "createdAt", updated_at AS "updatedAt", completed_at AS "completedAt", verdict,
  replaces_batch_id AS "replacesBatchId", created_at::text AS "createdAtKey"`;

const JOB_COLUMNS = `
  job_id AS "jobId", batch_id AS "batchId", name, modality, dimension, status, attempts, progress,
  error, started_at AS "startedAt", finished_at AS "finishedAt", duration_ms AS "durationMs"`;

/** Appends `batches`-scope conditions for `scope` to `where`, with parameters from `params`. */
function scopeConditions(scope: BatchScope, where: string[], params: unknown[], alias = ''): void {
  if (scope.projectId !== null) {
    params.push(scope.projectId);
    where.push(`${alias}project_id = $${params.length}`);
  }
  if (scope.vendor !== null) {
    params.push(scope.vendor);
    where.push(`${alias}vendor = $${params.length}`);
  }
}

/**
 * Storage of batches and everything hanging off them. Reviewed SQL throughout: the write paths run
 * inside a caller's transaction (a QueryRunner), the read paths on the pool.
 */
@Injectable()
export class BatchRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** A new query runner (one pooled connection); the caller connects, uses and releases it. */
  createQueryRunner(): QueryRunner {
    return this.dataSource.createQueryRunner();
  }

  // ---- ingest (inside the upload's transaction) -------------------------------------------------

  /**
   * Inserts the batch row, queued, with zero counts and a placeholder content hash (the hash is
   * known only once the whole body has streamed past; {@link completeIngest} sets it).
   */
  async insertBatch(runner: QueryRunner, batch: NewBatch): Promise<string> {
    const rows: { id: string }[] = await runner.query(
      `INSERT INTO batches (project_id, vendor, format, file_name, content_hash, record_count, item_count,
                            annotator_count, dimension_count, replaces_batch_id)
       VALUES ($1, $2, $3, $4, 'pending:' || gen_random_uuid(), 0, 0, 0, 0, $5)
       RETURNING id`,
      [batch.projectId, batch.vendor, batch.format, batch.fileName, batch.replacesBatchId],
    );
    return rows[0]!.id;
  }

  /**
   * Writes the batch's `items` (name, judgements) with one COPY on the runner's connection, inside
   * its transaction. The counts come from the validated upload itself (see `itemCounts`): reading a
   * million annotations back to group them cost seconds. Returns the number of items.
   */
  async copyItems(runner: QueryRunner, batchId: string, items: Iterable<readonly [string, number]>): Promise<number> {
    const client = (await runner.connect()) as PoolClient;
    let count = 0;
    async function* rows(): AsyncGenerator<string> {
      let text = '';
      for (const [item, judgements] of items) {
        text += `${batchId}\t${escapeCopyText(item)}\t${judgements}\n`;
        count += 1;
        if (text.length >= 256 * 1024) {
          yield text;
          text = '';
        }
      }
      if (text.length > 0) yield text;
    }
    await pipeline(Readable.from(rows(), { objectMode: false }), client.query(copyFrom('COPY items (batch_id, item, judgements) FROM STDIN (FORMAT text)')));
    return count;
  }

  /**
   * Sets the content hash, counts, format(s) and file name(s), known once every file has been read.
   * Throws PostgreSQL's unique_violation (23505) when the project already has a batch with this hash
   * — committed, or committed meanwhile by a concurrent upload.
   */
  async completeIngest(
    runner: QueryRunner,
    batchId: string,
    values: { contentHash: string; records: number; items: number; annotators: number; dimensions: number; format: string; fileName: string | null },
  ): Promise<void> {
    await runner.query(
      `UPDATE batches SET content_hash = $2, record_count = $3, item_count = $4, annotator_count = $5,
                          dimension_count = $6, format = $7, file_name = $8, updated_at = now()
       WHERE id = $1`,
      [batchId, values.contentHash, values.records, values.items, values.annotators, values.dimensions, values.format, values.fileName],
    );
  }

  async insertJobs(runner: QueryRunner, batchId: string, jobs: readonly NewBatchJob[]): Promise<void> {
    if (jobs.length === 0) return;
    await runner.query(
      `INSERT INTO batch_jobs (job_id, batch_id, name, modality, dimension, status)
       SELECT job_id, $1, name, modality, dimension, 'waiting'
       FROM unnest($2::text[], $3::text[], $4::text[], $5::text[]) AS j(job_id, name, modality, dimension)`,
      [batchId, jobs.map((j) => j.jobId), jobs.map((j) => j.name), jobs.map((j) => j.modality), jobs.map((j) => j.dimension)],
    );
  }

  // ---- status (worker side) ---------------------------------------------------------------------

  /** The project settings the analysis of a batch needs; null when the batch is gone. */
  async findAnalysisContext(batchId: string): Promise<{ status: BatchStatus; schema: unknown; policy: unknown } | null> {
    const rows: { status: BatchStatus; schema: unknown; policy: unknown }[] = await this.dataSource.query(
      `SELECT b.status, p.schema, p.policy FROM batches b JOIN projects p ON p.id = b.project_id WHERE b.id = $1`,
      [batchId],
    );
    return rows[0] ?? null;
  }

  /** queued → processing (when the first job starts); other states are left alone. */
  async markProcessing(batchId: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE batches SET status = 'processing', updated_at = now() WHERE id = $1 AND status = 'queued'`,
      [batchId],
    );
  }

  /** progress = the share of the batch's jobs that completed (the evaluate parent included). */
  async refreshProgress(batchId: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE batches b SET progress = j.done, updated_at = now()
       FROM (SELECT coalesce(avg((status = 'completed')::int), 0)::real AS done FROM batch_jobs WHERE batch_id = $1) j
       WHERE b.id = $1 AND b.status IN ('queued', 'processing')`,
      [batchId],
    );
  }

  async markCompleted(batchId: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE batches SET status = 'completed', progress = 1, error = NULL, completed_at = now(), updated_at = now()
       WHERE id = $1`,
      [batchId],
    );
  }

  /**
   * Marks the batch failed with `reason`, unless it completed. When it already failed (several
   * dimensions failing) the reasons are joined; BullMQ's generic "child … failed" text is replaced.
   */
  async markFailed(batchId: string, reason: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE batches
       SET error = CASE WHEN status = 'failed' AND error IS NOT NULL AND error NOT LIKE 'child %'
                        THEN error || '; ' || $2 ELSE $2 END,
           status = 'failed', updated_at = now()
       WHERE id = $1 AND status <> 'completed'`,
      [batchId, reason],
    );
  }

  /** failed → queued again (a batch whose flow could not be queued, before queueing it again). */
  async requeue(batchId: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE batches SET status = 'queued', error = NULL, progress = 0, updated_at = now()
       WHERE id = $1 AND status = 'failed'`,
      [batchId],
    );
    await this.dataSource.query(
      `UPDATE batch_jobs SET status = 'waiting', error = NULL, attempts = 0, progress = 0 WHERE batch_id = $1`,
      [batchId],
    );
  }

  /** Marks the batch failed with `reason` unless it already completed or failed (which keeps its reason). */
  async markFailedUnlessFinished(batchId: string, reason: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE batches SET status = 'failed', error = $2, updated_at = now()
       WHERE id = $1 AND status NOT IN ('completed', 'failed')`,
      [batchId, reason],
    );
  }

  // ---- reads -------------------------------------------------------------------------------------

  async findInScope(id: string, scope: BatchScope): Promise<BatchRow | null> {
    const params: unknown[] = [id];
    const where = ['id = $1'];
    scopeConditions(scope, where, params);
    const rows: BatchRow[] = await this.dataSource.query(
      `SELECT ${BATCH_COLUMNS} FROM batches WHERE ${where.join(' AND ')}`,
      params,
    );
    return rows[0] ?? null;
  }

  async findByContentHash(projectId: string, contentHash: string): Promise<BatchRow | null> {
    const rows: BatchRow[] = await this.dataSource.query(
      `SELECT ${BATCH_COLUMNS} FROM batches WHERE project_id = $1 AND content_hash = $2`,
      [projectId, contentHash],
    );
    return rows[0] ?? null;
  }

  /** One page, newest first, keyset-paginated on (created_at, id) (index idx_batches_project_created). */
  async list(filter: BatchListFilter, scope: BatchScope): Promise<BatchRow[]> {
    const params: unknown[] = [filter.projectId];
    const where = ['project_id = $1'];
    scopeConditions({ projectId: null, vendor: scope.vendor }, where, params);
    if (filter.vendor !== undefined) {
      params.push(filter.vendor);
      where.push(`vendor = $${params.length}`);
    }
    if (filter.status !== undefined) {
      params.push(filter.status);
      where.push(`status = $${params.length}`);
    }
    if (filter.createdFrom !== undefined) {
      params.push(filter.createdFrom);
      where.push(`created_at >= $${params.length}`);
    }
    if (filter.createdTo !== undefined) {
      params.push(filter.createdTo);
      where.push(`created_at < $${params.length}`);
    }
    if (filter.after !== undefined) {
      params.push(filter.after.createdAt, filter.after.id);
      where.push(`(created_at, id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
    }
    params.push(filter.limit);
    return this.dataSource.query(
      `SELECT ${BATCH_COLUMNS} FROM batches WHERE ${where.join(' AND ')}
       ORDER BY created_at DESC, id DESC LIMIT $${params.length}`,
      params,
    );
  }

  async findJobs(batchId: string): Promise<BatchJobRow[]> {
    return this.dataSource.query(
      `SELECT ${JOB_COLUMNS} FROM batch_jobs WHERE batch_id = $1
       ORDER BY (name = 'evaluate'), modality, dimension, job_id`,
      [batchId],
    );
  }

  /**
   * What `GET /v1/batches/:id/agreement` (the endpoint dashboards poll) needs, in one round trip:
   * the batch's identity, scope and status, and each stored result as JSON text (`result::text`:
   * no JSON parsing here, no serialising in the response). One row per result (one row with null
   * result columns when there are none yet); null when the batch is not found in scope. A named
   * prepared statement on the pg pool: the scope is passed as nullable parameters, so the text is
   * always the same and it is planned once per connection (on the primary key of `batches` and of
   * `agreement_results`).
   */
  async findAgreement(id: string, scope: BatchScope): Promise<BatchAgreementRow | null> {
    const { rows } = await pgPoolOf(this.dataSource).query<
      [string, string, string | null, BatchStatus, string | null, string | null, string | null]
    >({
      name: 'concord_batch_agreement',
      text: `SELECT b.id, b.project_id, b.vendor, b.status, r.modality, r.dimension, r.result::text
             FROM batches b LEFT JOIN agreement_results r ON r.batch_id = b.id
             WHERE b.id = $1 AND ($2::uuid IS NULL OR b.project_id = $2::uuid) AND ($3::text IS NULL OR b.vendor = $3::text)`,
      values: [id, scope.projectId, scope.vendor],
      rowMode: 'array',
    });
    const first = rows[0];
    if (first === undefined) return null;
    const results: BatchAgreementRow['results'] = [];
    for (const row of rows) {
      if (row[4] !== null && row[5] !== null && row[6] !== null) results.push({ modality: row[4], dimension: row[5], resultJson: row[6] });
    }
    return { id: first[0], projectId: first[1], vendor: first[2], status: first[3], results };
  }

  async findAnnotatorStats(batchId: string): Promise<AnnotatorStatRow[]> {
    return this.dataSource.query(
      `SELECT modality, dimension, annotator, judgements, drop_one_alpha AS "dropOneAlpha",
              mean_pairwise_alpha AS "meanPairwiseAlpha", stats
       FROM annotator_stats WHERE batch_id = $1`,
      [batchId],
    );
  }
}
