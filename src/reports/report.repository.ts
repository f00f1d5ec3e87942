import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { PoolClient } from 'pg';
import type { DataSource } from 'typeorm';
import type { BatchScope } from '../batches/batch.repository';
import type { BatchStatus } from '../batches/batch.entity';
import { pgPoolOf } from '../common/pg-pool';

/** Flags fetched per round trip of a report's cursor: about 0.5 MB of rows at a time. */
export const REPORT_PAGE_ROWS = 1000;

/** What the report needs to know of a batch before it answers (visibility, readiness). */
export interface ReportBatchState {
  id: string;
  projectId: string;
  vendor: string | null;
  status: BatchStatus;
  verdict: 'pending' | 'pass' | 'fail';
  error: string | null;
}

/** A batch as its report shows it, with the stored evaluation (read inside the report's snapshot). */
export interface ReportBatchRow extends ReportBatchState {
  fileName: string | null;
  createdAt: Date;
  replacesBatchId: string | null;
  verdictReasons: unknown;
  policyVersion: number | null;
  evaluatedAt: Date | null;
  evaluation: unknown;
}

export interface ReportResultRow {
  modality: string;
  dimension: string;
  result: unknown;
}

export interface ReportAnnotatorStatRow {
  modality: string;
  dimension: string;
  annotator: string;
  judgements: number;
  dropOneAlpha: number | null;
  meanPairwiseAlpha: number | null;
  stats: unknown;
}

/** Counts of a batch's flags: `code` null is the total (GROUPING SETS). */
export interface FlagCountRow {
  code: string | null;
  flags: number;
  items: number;
}

export interface RedeliveryCountRow {
  resolved: number;
  remaining: number;
  new: number;
}

/** A `flags` row as the report reads it (`change` is null without a replaced batch). */
export interface ReportFlagDbRow {
  key: string;
  code: string;
  severity: string;
  item: string | null;
  modality: string | null;
  dimension: string | null;
  annotators: string[];
  start: number | null;
  end: number | null;
  message: string;
  evidenceJson: string;
  status: string;
  change: 'new' | 'remaining' | null;
}

const BATCH_STATE_COLUMNS = `id, project_id AS "projectId", vendor, status, verdict, error`;

const FLAG_COLUMNS = `f.key, f.code, f.severity, f.item, f.modality, f.dimension, f.annotators, f.start_s AS "start",
  f.end_s AS "end", f.message, f.evidence::text AS "evidenceJson", f.status`;

/**
 * Report order: the batch-wide flags, then by item (code-point order, the same on every database
 * whatever its collation), severity, code and key — unique per batch, so the order is total and the
 * document the same on every read.
 */
const FLAG_ORDER = `f.item COLLATE "C" NULLS FIRST, f.severity_rank, f.code COLLATE "C", f.key COLLATE "C"`;

/**
 * One report's reads, on one pooled connection inside a REPEATABLE READ, READ ONLY transaction:
 * the head and every flag come from the same snapshot even while a re-evaluation rewrites the
 * batch's flags. The flags are read through server-side cursors (DECLARE … FETCH), a page at a
 * time, so a batch of 100,000 flags never sits in memory. The connection is held while the
 * document streams; {@link close} must be called (the report service does, in a finally).
 */
export class ReportSnapshot {
  private cursors = 0;

  constructor(private readonly client: PoolClient) {}

  async findBatch(id: string): Promise<ReportBatchRow | null> {
    const { rows } = await this.client.query<ReportBatchRow>(
      `SELECT ${BATCH_STATE_COLUMNS}, file_name AS "fileName", created_at AS "createdAt",
              replaces_batch_id AS "replacesBatchId", verdict_reasons AS "verdictReasons",
              policy_version AS "policyVersion", evaluated_at AS "evaluatedAt", evaluation
       FROM batches WHERE id = $1`,
      [id],
    );
    return rows[0] ?? null;
  }

  async findResults(batchId: string): Promise<ReportResultRow[]> {
    const { rows } = await this.client.query<ReportResultRow>(
      `SELECT modality, dimension, result FROM agreement_results WHERE batch_id = $1`,
      [batchId],
    );
    return rows;
  }

  async findAnnotatorStats(batchId: string): Promise<ReportAnnotatorStatRow[]> {
    const { rows } = await this.client.query<ReportAnnotatorStatRow>(
      `SELECT modality, dimension, annotator, judgements, drop_one_alpha AS "dropOneAlpha",
              mean_pairwise_alpha AS "meanPairwiseAlpha", stats
       FROM annotator_stats WHERE batch_id = $1`,
      [batchId],
    );
    return rows;
  }

  /** Flags per code and in all (code null), with the items they are on. */
  async countFlags(batchId: string): Promise<FlagCountRow[]> {
    const { rows } = await this.client.query<FlagCountRow>(
      `SELECT code, count(*)::int AS flags, count(DISTINCT item)::int AS items
       FROM flags WHERE batch_id = $1 GROUP BY GROUPING SETS ((code), ())`,
      [batchId],
    );
    return rows;
  }

  /** How many of the batch's flags name each annotator. */
  async countFlagsPerAnnotator(batchId: string): Promise<Map<string, number>> {
    const { rows } = await this.client.query<{ annotator: string; flags: number }>(
      `SELECT a.annotator, count(*)::int AS flags FROM flags f CROSS JOIN LATERAL unnest(f.annotators) AS a(annotator)
       WHERE f.batch_id = $1 GROUP BY a.annotator`,
      [batchId],
    );
    return new Map(rows.map((row) => [row.annotator, row.flags]));
  }

  /** Of the earlier batch's flags (by key): how many this one resolved, kept; and how many are new. */
  async countRedelivery(batchId: string, earlierId: string): Promise<RedeliveryCountRow> {
    const { rows } = await this.client.query<RedeliveryCountRow>(
      `SELECT (SELECT count(*)::int FROM flags p WHERE p.batch_id = $2
                 AND NOT EXISTS (SELECT 1 FROM flags f WHERE f.batch_id = $1 AND f.key = p.key)) AS resolved,
              count(*) FILTER (WHERE p.key IS NOT NULL)::int AS remaining,
              count(*) FILTER (WHERE p.key IS NULL)::int AS new
       FROM flags f LEFT JOIN flags p ON p.batch_id = $2 AND p.key = f.key
       WHERE f.batch_id = $1`,
      [batchId, earlierId],
    );
    return rows[0]!;
  }

  /** Every flag of the batch in report order, marked new/remaining against the earlier batch (if any). */
  flags(batchId: string, earlierId: string | null): AsyncGenerator<ReportFlagDbRow[]> {
    return this.cursor<ReportFlagDbRow>(
      `SELECT ${FLAG_COLUMNS},
              CASE WHEN $2::uuid IS NULL THEN NULL
                   WHEN EXISTS (SELECT 1 FROM flags p WHERE p.batch_id = $2::uuid AND p.key = f.key) THEN 'remaining'
                   ELSE 'new' END AS change
       FROM flags f WHERE f.batch_id = $1 ORDER BY ${FLAG_ORDER}`,
      [batchId, earlierId],
    );
  }

  /** The earlier batch's flags whose key this batch no longer has, in report order. */
  resolvedFlags(batchId: string, earlierId: string): AsyncGenerator<ReportFlagDbRow[]> {
    return this.cursor<ReportFlagDbRow>(
      `SELECT ${FLAG_COLUMNS}, NULL AS change
       FROM flags f WHERE f.batch_id = $2
         AND NOT EXISTS (SELECT 1 FROM flags n WHERE n.batch_id = $1 AND n.key = f.key)
       ORDER BY ${FLAG_ORDER}`,
      [batchId, earlierId],
    );
  }

  /** Every key of either batch by change: resolved, then remaining, then new, each in code-point order. */
  redeliveryKeys(batchId: string, earlierId: string): AsyncGenerator<{ key: string; change: 'resolved' | 'remaining' | 'new' }[]> {
    return this.cursor(
      `SELECT key, change FROM (
         SELECT f.key, CASE WHEN p.key IS NULL THEN 'new' ELSE 'remaining' END AS change,
                CASE WHEN p.key IS NULL THEN 2 ELSE 1 END AS rank
         FROM flags f LEFT JOIN flags p ON p.batch_id = $2 AND p.key = f.key WHERE f.batch_id = $1
         UNION ALL
         SELECT p.key, 'resolved', 0 FROM flags p
         WHERE p.batch_id = $2 AND NOT EXISTS (SELECT 1 FROM flags f WHERE f.batch_id = $1 AND f.key = p.key)
       ) d ORDER BY rank, key COLLATE "C"`,
      [batchId, earlierId],
    );
  }

  /** Commits the read-only transaction and gives the connection back (destroying it after an error). */
  async close(): Promise<void> {
    try {
      await this.client.query('COMMIT');
      this.client.release();
    } catch (error) {
      this.client.release(error as Error);
    }
  }

  /**
   * A server-side cursor over `text`, a page of REPORT_PAGE_ROWS rows per FETCH. The cursor is
   * declared on the first read (an iterator never read costs nothing) and closed when the iteration
   * ends, early or not.
   */
  private async *cursor<T>(text: string, values: unknown[]): AsyncGenerator<T[]> {
    this.cursors += 1;
    const name = `report_cursor_${this.cursors}`;
    await this.client.query(`DECLARE ${name} NO SCROLL CURSOR FOR ${text}`, values);
    try {
      for (;;) {
        const { rows } = await this.client.query<T & object>(`FETCH FORWARD ${REPORT_PAGE_ROWS} FROM ${name}`);
        if (rows.length === 0) return;
        yield rows;
        if (rows.length < REPORT_PAGE_ROWS) return;
      }
    } finally {
      // A failed CLOSE means the transaction is aborted or the connection broken: close() then
      // ends the transaction (COMMIT of an aborted one rolls back) or destroys the connection.
      await this.client.query(`CLOSE ${name}`).catch(() => undefined);
    }
  }
}

/** Storage reads of rejection reports. */
@Injectable()
export class ReportRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The batch's visibility and readiness, in the caller's scope; null when not found there. */
  async findBatchState(id: string, scope: BatchScope): Promise<ReportBatchState | null> {
    const { rows } = await pgPoolOf(this.dataSource).query<ReportBatchState>(
      `SELECT ${BATCH_STATE_COLUMNS} FROM batches
       WHERE id = $1 AND ($2::uuid IS NULL OR project_id = $2::uuid) AND ($3::text IS NULL OR vendor = $3::text)`,
      [id, scope.projectId, scope.vendor],
    );
    return rows[0] ?? null;
  }

  /** Opens a report's snapshot (see ReportSnapshot); the caller closes it. */
  async openSnapshot(): Promise<ReportSnapshot> {
    const client = await pgPoolOf(this.dataSource).connect();
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY');
    } catch (error) {
      client.release(error as Error);
      throw error;
    }
    return new ReportSnapshot(client);
  }
}
