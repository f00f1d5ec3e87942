import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { FlagCode, GateCheck, Severity } from '../agreement/evaluation.types';
import type { BatchVisibility } from '../auth/access-policy';
import type { BatchStatus, BatchVerdict } from '../batches/batch.entity';
import { pgPoolOf } from '../common/pg-pool';
import { reevaluateJobId } from '../jobs/job.types';
import type { FlagStatus } from './flag.entity';
import { STORED_VERDICT } from './evaluation.repository';
import { severityRank } from './flag-copy';
import type { FlagSort, FlagSortKey } from './dto/list-flags.query';

/** A batch as the flag endpoints read it: its scope, state, verdict and flags revision. */
export interface FlagBatchRow {
  id: string;
  projectId: string;
  vendor: string | null;
  status: BatchStatus;
  verdict: BatchVerdict;
  verdictReasons: GateCheck[] | null;
  policyVersion: number | null;
  schemaVersion: number | null;
  evaluatedAt: Date | null;
  flagsRevision: number;
}

/** What a flag listing needs of its batch: its scope and its flags revision (the page cache's key). */
export type FlagListingBatch = Pick<FlagBatchRow, 'id' | 'projectId' | 'vendor' | 'flagsRevision'>;

export interface FlagRow {
  id: string;
  batchId: string;
  key: string;
  code: FlagCode;
  severity: Severity;
  severityRank: number;
  item: string | null;
  modality: string | null;
  dimension: string | null;
  annotators: string[];
  start: number | null;
  end: number | null;
  message: string;
  evidence: Record<string, unknown>;
  status: FlagStatus;
  comment: string | null;
  reviewedBy: string | null;
  reviewedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** A flag with the scope of its batch (for visibility checks). */
export interface ScopedFlagRow extends FlagRow {
  projectId: string;
  vendor: string | null;
}

export interface FlagReviewRow {
  actorKeyId: string | null;
  fromStatus: FlagStatus;
  toStatus: FlagStatus;
  comment: string | null;
  createdAt: Date;
}

/** Filters of a flags listing; each list matches any of its values. */
export interface FlagFilter {
  code?: readonly string[] | undefined;
  severity?: readonly Severity[] | undefined;
  modality?: readonly string[] | undefined;
  dimension?: readonly string[] | undefined;
  annotator?: readonly string[] | undefined;
  status?: readonly string[] | undefined;
  item?: readonly string[] | undefined;
}

/**
 * Keyset position: the (sort key value, severity_rank, id) of the previous page's last flag; the
 * key as flag-cursor.ts flagSortValue gives it (null for the severity sort and for a missing start).
 */
export interface FlagCursor {
  key: string | number | null;
  rank: number;
  id: string;
}

/**
 * The SQL of a sort key on alias `f` and of its cursor value as parameter `p`, null for the severity
 * sort (severity_rank, id). Texts compare bytewise (COLLATE "C": the same order whatever the
 * database's locale, and the same in ORDER BY and the keyset comparison); a missing text is '' and a
 * missing start -Infinity, so NULLs have a fixed place in both directions.
 */
function sortExpression(key: FlagSortKey): { column: string; value: (p: string) => string } | null {
  const text = (column: string) => ({ column: `${column} COLLATE "C"`, value: (p: string) => `$${p}::text COLLATE "C"` });
  switch (key) {
    case 'severity':
      return null;
    case 'item':
    case 'modality':
    case 'dimension':
      return text(`COALESCE(f.${key}, '')`);
    case 'code':
    case 'status':
      return text(`f.${key}`);
    case 'start':
      return { column: `COALESCE(f.start_s, '-Infinity'::float8)`, value: (p) => `COALESCE($${p}::float8, '-Infinity'::float8)` };
  }
}

export type EvaluationRequest =
  | { queued: true; jobId: string }
  | { queued: false; reason: 'not-found' | 'not-completed' | 'evaluating'; status?: BatchStatus };

const FLAG_COLUMNS = `
  f.id, f.batch_id AS "batchId", f.key, f.code, f.severity, f.severity_rank AS "severityRank", f.item, f.modality,
  f.dimension, f.annotators, f.start_s AS "start", f.end_s AS "end", f.message, f.evidence, f.status, f.comment,
  f.reviewed_by AS "reviewedBy", f.reviewed_at AS "reviewedAt", f.created_at AS "createdAt", f.updated_at AS "updatedAt"`;

const BATCH_COLUMNS = `
  b.id, b.project_id AS "projectId", b.vendor, b.status, b.verdict, b.verdict_reasons AS "verdictReasons",
  b.policy_version AS "policyVersion", b.schema_version AS "schemaVersion", b.evaluated_at AS "evaluatedAt",
  b.flags_revision AS "flagsRevision"`;
const LISTING_BATCH_COLUMNS = `b.id, b.project_id AS "projectId", b.vendor, b.flags_revision AS "flagsRevision"`;

/** The batch-scope conditions (auth/access-policy.ts batchVisibility) on alias `b`. */
function scopeConditions(scope: BatchVisibility, where: string[], params: unknown[]): void {
  if (scope.projectId !== null) {
    params.push(scope.projectId);
    where.push(`b.project_id = $${params.length}`);
  }
  if (scope.vendor !== null) {
    params.push(scope.vendor);
    where.push(`b.vendor = $${params.length}`);
  }
}

/**
 * The filters as SQL on alias `f`, and a signature naming which are set: the text of the statement
 * depends only on the signature, so each variant is a named prepared statement (planned once per
 * connection), and the planner sees which columns are filtered.
 */
function filterConditions(filter: FlagFilter, where: string[], params: unknown[]): string {
  let signature = '';
  const add = (flag: string, values: readonly unknown[] | undefined, condition: (parameter: string) => string): void => {
    if (values === undefined || values.length === 0) return;
    params.push(values);
    where.push(condition(`$${params.length}`));
    signature += flag;
  };
  add('c', filter.code, (p) => `f.code = ANY(${p}::text[])`);
  add('s', filter.severity?.map(severityRank), (p) => `f.severity_rank = ANY(${p}::smallint[])`);
  add('m', filter.modality, (p) => `f.modality = ANY(${p}::text[])`);
  add('d', filter.dimension, (p) => `f.dimension = ANY(${p}::text[])`);
  add('a', filter.annotator, (p) => `f.annotators && ${p}::text[]`);
  add('t', filter.status, (p) => `f.status = ANY(${p}::text[])`);
  add('i', filter.item, (p) => `f.item = ANY(${p}::text[])`);
  return signature;
}

/**
 * Storage of flags and their reviews as the API uses them, and the request of a re-evaluation.
 * Reads apply the caller's batch scope in their WHERE clause, so another vendor's flags are
 * simply not found.
 */
@Injectable()
export class FlagRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The batch in the caller's scope (null when not found there): gate, re-evaluation requests. */
  findBatch(id: string, scope: BatchVisibility): Promise<FlagBatchRow | null> {
    return this.scopedBatch<FlagBatchRow>('concord_flags_batch', BATCH_COLUMNS, id, scope);
  }

  /** The batch's scope and flags revision: read by every flag listing request, so four columns only. */
  findListingBatch(id: string, scope: BatchVisibility): Promise<FlagListingBatch | null> {
    return this.scopedBatch<FlagListingBatch>('concord_flags_listing_batch', LISTING_BATCH_COLUMNS, id, scope);
  }

  /**
   * `columns` of the batch in the caller's scope. A named prepared statement on the pg pool with the
   * scope as nullable parameters: one text per statement, planned once per connection, on the primary key.
   */
  private async scopedBatch<T extends object>(name: string, columns: string, id: string, scope: BatchVisibility): Promise<T | null> {
    const { rows } = await pgPoolOf(this.dataSource).query<T>({
      name,
      text: `SELECT ${columns} FROM batches b
             WHERE b.id = $1 AND ($2::uuid IS NULL OR b.project_id = $2::uuid) AND ($3::text IS NULL OR b.vendor = $3::text)`,
      values: [id, scope.projectId, scope.vendor],
    });
    return rows[0] ?? null;
  }

  /** The batch and its stored evaluation as JSON text (null before the first evaluation). */
  async findBatchEvaluation(id: string, scope: BatchVisibility): Promise<(FlagBatchRow & { evaluationJson: string | null }) | null> {
    const params: unknown[] = [id];
    const where = ['b.id = $1'];
    scopeConditions(scope, where, params);
    const rows: (FlagBatchRow & { evaluationJson: string | null })[] = await this.dataSource.query(
      `SELECT ${BATCH_COLUMNS}, b.evaluation::text AS "evaluationJson" FROM batches b WHERE ${where.join(' AND ')}`,
      params,
    );
    return rows[0] ?? null;
  }

  /**
   * One page of a batch's flags in `sort` order after `cursor`: by the sort key, then severity_rank
   * and id (all reversed when descending), a row comparison against the previous page's last flag.
   * The default order is a range scan of idx_flags_batch_rank (or idx_flags_batch_code_rank when
   * filtering by code) that stops after `limit` rows; other keys sort the batch's matching flags
   * (a top-N sort).
   */
  async listPage(batchId: string, filter: FlagFilter, sort: FlagSort, cursor: FlagCursor | undefined, limit: number): Promise<FlagRow[]> {
    const params: unknown[] = [batchId];
    const where = ['f.batch_id = $1'];
    let signature = filterConditions(filter, where, params);
    const expression = sortExpression(sort.key);
    const columns = [...(expression === null ? [] : [expression.column]), 'f.severity_rank', 'f.id'];
    if (cursor !== undefined) {
      const values: string[] = [];
      if (expression !== null) {
        params.push(cursor.key);
        values.push(expression.value(String(params.length)));
      }
      params.push(cursor.rank, cursor.id);
      values.push(`$${params.length - 1}::smallint`, `$${params.length}::uuid`);
      where.push(`(${columns.join(', ')}) ${sort.descending ? '<' : '>'} (${values.join(', ')})`);
      signature += 'k';
    }
    params.push(limit);
    const direction = sort.descending ? ' DESC' : '';
    const { rows } = await pgPoolOf(this.dataSource).query<FlagRow>({
      name: `concord_flags_page_${signature}_${sort.key}${sort.descending ? '_desc' : ''}`,
      text: `SELECT ${FLAG_COLUMNS} FROM flags f WHERE ${where.join(' AND ')}
             ORDER BY ${columns.map((column) => column + direction).join(', ')} LIMIT $${params.length}`,
      values: params,
    });
    return rows;
  }

  async count(batchId: string, filter: FlagFilter): Promise<number> {
    const params: unknown[] = [batchId];
    const where = ['f.batch_id = $1'];
    const signature = filterConditions(filter, where, params);
    const { rows } = await pgPoolOf(this.dataSource).query<{ count: number }>({
      name: `concord_flags_count_${signature}`,
      text: `SELECT count(*)::int AS count FROM flags f WHERE ${where.join(' AND ')}`,
      values: params,
    });
    return rows[0]!.count;
  }

  async findFlag(id: string, scope: BatchVisibility): Promise<ScopedFlagRow | null> {
    const params: unknown[] = [id];
    const where = ['f.id = $1'];
    scopeConditions(scope, where, params);
    const rows: ScopedFlagRow[] = await this.dataSource.query(
      `SELECT ${FLAG_COLUMNS}, b.project_id AS "projectId", b.vendor
       FROM flags f JOIN batches b ON b.id = f.batch_id WHERE ${where.join(' AND ')}`,
      params,
    );
    return rows[0] ?? null;
  }

  /** Oldest first. */
  async findHistory(flagId: string): Promise<FlagReviewRow[]> {
    return this.dataSource.query(
      `SELECT actor_key_id AS "actorKeyId", from_status AS "fromStatus", to_status AS "toStatus", comment, created_at AS "createdAt"
       FROM flag_reviews WHERE flag_id = $1 ORDER BY id`,
      [flagId],
    );
  }

  /**
   * One transaction: the flag takes the new status and comment (its row locked, so concurrent
   * reviews are recorded one after the other with the right `from`), the change is appended to its
   * history, and the batch's flags revision moves on (the listing's cached totals by status expire).
   */
  async review(flagId: string, change: { status: FlagStatus; comment: string | null; actorKeyId: string }): Promise<FlagRow | null> {
    return this.dataSource.transaction(async (manager) => {
      const locked: { status: FlagStatus; batchId: string }[] = await manager.query(
        `SELECT status, batch_id AS "batchId" FROM flags WHERE id = $1 FOR UPDATE`,
        [flagId],
      );
      const current = locked[0];
      if (current === undefined) return null;
      await manager.query(
        `INSERT INTO flag_reviews (flag_id, actor_key_id, from_status, to_status, comment) VALUES ($1, $2, $3, $4, $5)`,
        [flagId, change.actorKeyId, current.status, change.status, change.comment],
      );
      const [updated]: [FlagRow[], number] = await manager.query(
        `UPDATE flags f SET status = $2, comment = $3, reviewed_by = $4, reviewed_at = now(), updated_at = now()
         WHERE f.id = $1 RETURNING ${FLAG_COLUMNS}`,
        [flagId, change.status, change.comment, change.actorKeyId],
      );
      await manager.query(`UPDATE batches SET flags_revision = flags_revision + 1 WHERE id = $1`, [current.batchId]);
      return updated[0] ?? null;
    });
  }

  /**
   * Records a re-evaluation of a completed batch whose evaluation is not already running, in one
   * transaction on the batch's locked row: a `batch_jobs` row for the new evaluate job (numbered
   * after the batch's evaluate jobs so far) and the verdict back to pending. The caller then adds the
   * job to the queue.
   */
  async requestEvaluation(batchId: string): Promise<EvaluationRequest> {
    return this.dataSource.transaction(async (manager) => {
      const batches: { status: BatchStatus }[] = await manager.query(`SELECT status FROM batches WHERE id = $1 FOR UPDATE`, [batchId]);
      const batch = batches[0];
      if (batch === undefined) return { queued: false, reason: 'not-found' };
      if (batch.status !== 'completed') return { queued: false, reason: 'not-completed', status: batch.status };
      const [jobs]: { runs: number; running: number }[] = await manager.query(
        `SELECT count(*)::int AS runs, count(*) FILTER (WHERE status IN ('waiting', 'active'))::int AS running
         FROM batch_jobs WHERE batch_id = $1 AND name = 'evaluate'`,
        [batchId],
      );
      if (jobs!.running > 0) return { queued: false, reason: 'evaluating', status: batch.status };
      const jobId = reevaluateJobId(batchId, jobs!.runs);
      await manager.query(
        `INSERT INTO batch_jobs (job_id, batch_id, name, status) VALUES ($1, $2, 'evaluate', 'waiting')`,
        [jobId, batchId],
      );
      await manager.query(`UPDATE batches SET verdict = 'pending', updated_at = now() WHERE id = $1`, [batchId]);
      return { queued: true, jobId };
    });
  }

  /** The re-evaluation could not be queued: its job is marked failed and the verdict restored. */
  async abandonEvaluationRequest(batchId: string, jobId: string, error: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      await manager.query(`UPDATE batch_jobs SET status = 'failed', error = $2, finished_at = now() WHERE job_id = $1`, [jobId, error]);
      await manager.query(`UPDATE batches SET verdict = ${STORED_VERDICT}, updated_at = now() WHERE id = $1`, [batchId]);
    });
  }
}
