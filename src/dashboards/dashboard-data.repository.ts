import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { SegmentJudgement } from '../agreement/temporal';
import type { BatchVisibility } from '../auth/access-policy';

/** The batch columns a dashboard read needs to check visibility and state. */
export interface DashboardBatchRow {
  id: string;
  projectId: string;
  vendor: string | null;
  status: string;
}

export interface OverviewFilter {
  projectId: string;
  vendor?: string | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
  limit: number;
}

/** One batch of the project overview, its per-dimension headline figures read out of the stored results. */
export interface OverviewBatchRow {
  id: string;
  vendor: string | null;
  status: string;
  verdict: string;
  createdAt: Date;
  completedAt: Date | null;
  items: number;
  records: number;
  flaggedItemShare: number | null;
  failedRules: number;
  dimensions: Array<{
    modality: string;
    dimension: string;
    shape: string;
    alpha: number | null;
    ciLower: number | null;
    ciUpper: number | null;
    meanIoU: number | null;
    f1: number | null;
  }>;
}

export interface ConfusionCell {
  a: string;
  b: string;
  count: number;
}

export interface TrendRow {
  batchId: string;
  createdAt: Date;
  annotator: string;
  modality: string;
  dimension: string;
  judgements: number;
  meanPairwiseAlpha: number | null;
  dropOneAlpha: number | null;
  dropOneChange: number | null;
  meanIoU: number | null;
}

export interface ItemSegmentRow {
  annotator: string;
  modality: string;
  dimension: string;
  label: string | null;
  start: number;
  end: number;
  gold: boolean;
}

export interface ItemFlagRow {
  id: string;
  code: string;
  severity: string;
  modality: string | null;
  dimension: string | null;
  annotators: string[];
  start: number | null;
  end: number | null;
  message: string;
  status: string;
}

function scoped(scope: BatchVisibility, where: string[], params: unknown[], alias: string): void {
  if (scope.projectId !== null) {
    params.push(scope.projectId);
    where.push(`${alias}.project_id = $${params.length}`);
  }
  if (scope.vendor !== null) {
    params.push(scope.vendor);
    where.push(`${alias}.vendor = $${params.length}`);
  }
}

/**
 * The dashboards' aggregates, in reviewed SQL: every answer is a summary (stored results, counts
 * per label pair, one item's segments), never a batch's raw annotations.
 */
@Injectable()
export class DashboardDataRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async findBatch(id: string, scope: BatchVisibility): Promise<DashboardBatchRow | null> {
    const params: unknown[] = [id];
    const where = ['b.id = $1'];
    scoped(scope, where, params, 'b');
    const rows: DashboardBatchRow[] = await this.dataSource.query(
      `SELECT b.id, b.project_id AS "projectId", b.vendor, b.status FROM batches b WHERE ${where.join(' AND ')}`,
      params,
    );
    return rows[0] ?? null;
  }

  /**
   * The newest `limit` batches of a project (in the caller's scope and the filter), oldest first,
   * each with its verdict, flagged-item share and each dimension's alpha, CI, mean IoU and F1 read
   * out of the stored result (`jsonb` paths: the result documents are not sent).
   * Uses idx_batches_project_created and pk_agreement_results.
   */
  async overview(filter: OverviewFilter, scope: BatchVisibility): Promise<OverviewBatchRow[]> {
    const params: unknown[] = [filter.projectId];
    const where = ['b.project_id = $1'];
    scoped({ projectId: null, vendor: scope.vendor }, where, params, 'b');
    if (filter.vendor !== undefined) {
      params.push(filter.vendor);
      where.push(`b.vendor = $${params.length}`);
    }
    if (filter.from !== undefined) {
      params.push(filter.from);
      where.push(`b.created_at >= $${params.length}`);
    }
    if (filter.to !== undefined) {
      params.push(filter.to);
      where.push(`b.created_at < $${params.length}`);
    }
    params.push(filter.limit);
    return this.dataSource.query(
      `SELECT b.id, b.vendor, b.status, b.verdict, b.created_at AS "createdAt", b.completed_at AS "completedAt",
              b.item_count AS items, b.record_count AS records,
              (b.evaluation ->> 'flaggedItemShare')::float8 AS "flaggedItemShare",
              coalesce(jsonb_array_length(b.verdict_reasons), 0) AS "failedRules",
              coalesce(jsonb_agg(jsonb_build_object(
                'modality', r.modality, 'dimension', r.dimension, 'shape', r.shape,
                'alpha', r.result -> 'alpha', 'ciLower', r.result -> 'ci' -> 'lower', 'ciUpper', r.result -> 'ci' -> 'upper',
                'meanIoU', r.result -> 'meanIoU', 'f1', r.result -> 'f1')
                ORDER BY r.modality, r.dimension) FILTER (WHERE r.batch_id IS NOT NULL), '[]'::jsonb) AS dimensions
       FROM (SELECT * FROM batches b WHERE ${where.join(' AND ')} ORDER BY b.created_at DESC, b.id DESC LIMIT $${params.length}) b
       LEFT JOIN agreement_results r ON r.batch_id = b.id
       GROUP BY b.id, b.vendor, b.status, b.verdict, b.created_at, b.completed_at, b.item_count, b.record_count,
                b.evaluation, b.verdict_reasons
       ORDER BY b.created_at, b.id`,
      params,
    );
  }

  /**
   * Counts of (label by a, label by b) over the items both annotators judged in one categorical
   * dimension (numeric values by their text): one scan of the dimension on
   * idx_annotations_batch_dimension, each item's two labels side by side by a grouped aggregate
   * (a self-join of the rows planned as a nested loop: minutes on a million judgements), then
   * counted per pair. Gold and free-text rows are not peers' judgements and stay out.
   */
  async confusion(batchId: string, modality: string, dimension: string, a: string, b: string): Promise<ConfusionCell[]> {
    return this.dataSource.query(
      `SELECT a_label AS a, b_label AS b, count(*)::int AS count
       FROM (SELECT max(coalesce(label, value::text)) FILTER (WHERE annotator = $4) AS a_label,
                    max(coalesce(label, value::text)) FILTER (WHERE annotator = $5) AS b_label
             FROM annotations
             WHERE batch_id = $1 AND modality = $2 AND dimension = $3 AND annotator IN ($4, $5)
               AND NOT gold AND text IS NULL AND start_s IS NULL AND box_x IS NULL
             GROUP BY item) per_item
       WHERE a_label IS NOT NULL AND b_label IS NOT NULL
       GROUP BY 1, 2 ORDER BY 1, 2`,
      [batchId, modality, dimension, a, b],
    );
  }

  /** The peers' segments of one interval dimension, grouped by item (see temporalDistribution). */
  async findSegments(batchId: string, modality: string, dimension: string): Promise<SegmentJudgement[]> {
    return this.dataSource.query(
      `SELECT item, annotator, coalesce(label, '') AS label, start_s AS start, end_s AS "end" FROM annotations
       WHERE batch_id = $1 AND modality = $2 AND dimension = $3 AND NOT gold AND text IS NULL
         AND start_s IS NOT NULL AND end_s IS NOT NULL AND end_s >= start_s
       ORDER BY item, ordinal, line`,
      [batchId, modality, dimension],
    );
  }

  /** The stored result's threshold and shape of one dimension; null when the batch has no such result. */
  async findResultHead(batchId: string, modality: string, dimension: string): Promise<{ shape: string; threshold: number | null } | null> {
    const rows: { shape: string; threshold: number | null }[] = await this.dataSource.query(
      `SELECT shape, (result ->> 'threshold')::float8 AS threshold FROM agreement_results
       WHERE batch_id = $1 AND modality = $2 AND dimension = $3`,
      [batchId, modality, dimension],
    );
    return rows[0] ?? null;
  }

  /**
   * Per-annotator figures of the newest `limit` completed batches of a project in scope, oldest
   * first, with each annotator's flag count per batch.
   */
  async annotatorTrend(projectId: string, scope: BatchVisibility, limit: number): Promise<{ rows: TrendRow[]; flags: Array<{ batchId: string; annotator: string; count: number }> }> {
    const params: unknown[] = [projectId];
    const where = ['b.project_id = $1', `b.status = 'completed'`];
    scoped({ projectId: null, vendor: scope.vendor }, where, params, 'b');
    params.push(limit);
    const rows: TrendRow[] = await this.dataSource.query(
      `SELECT b.id AS "batchId", b.created_at AS "createdAt", s.annotator, s.modality, s.dimension, s.judgements,
              s.mean_pairwise_alpha AS "meanPairwiseAlpha", s.drop_one_alpha AS "dropOneAlpha",
              (s.stats ->> 'dropOneChange')::float8 AS "dropOneChange", (s.stats ->> 'meanIoU')::float8 AS "meanIoU"
       FROM (SELECT id, created_at FROM batches b WHERE ${where.join(' AND ')}
             ORDER BY b.created_at DESC, b.id DESC LIMIT $${params.length}) b
       JOIN annotator_stats s ON s.batch_id = b.id
       ORDER BY b.created_at, b.id, s.annotator, s.modality, s.dimension`,
      params,
    );
    const batchIds = [...new Set(rows.map((row) => row.batchId))];
    const flags: Array<{ batchId: string; annotator: string; count: number }> =
      batchIds.length === 0
        ? []
        : await this.dataSource.query(
            `SELECT f.batch_id AS "batchId", a.annotator, count(*)::int AS count
             FROM flags f CROSS JOIN LATERAL unnest(f.annotators) AS a(annotator)
             WHERE f.batch_id = ANY($1::uuid[]) GROUP BY 1, 2`,
            [batchIds],
          );
    return { rows, flags };
  }

  /** One item's timed segments, every annotator, modality and dimension (gold marked). */
  async findItemSegments(batchId: string, item: string): Promise<ItemSegmentRow[]> {
    return this.dataSource.query(
      `SELECT annotator, modality, dimension, label, start_s AS start, end_s AS "end", gold FROM annotations
       WHERE batch_id = $1 AND item = $2 AND text IS NULL AND start_s IS NOT NULL AND end_s IS NOT NULL
       ORDER BY modality, dimension, annotator, start_s`,
      [batchId, item],
    );
  }

  async findItemFlags(batchId: string, item: string): Promise<ItemFlagRow[]> {
    return this.dataSource.query(
      `SELECT id, code, severity, modality, dimension, annotators, start_s AS start, end_s AS "end", message, status
       FROM flags WHERE batch_id = $1 AND item = $2 ORDER BY severity_rank, id`,
      [batchId, item],
    );
  }

  /** The stored evaluation's stream pairs (`sync`), or null before an evaluation. */
  async findSync(batchId: string): Promise<unknown> {
    const rows: { sync: unknown }[] = await this.dataSource.query(`SELECT evaluation -> 'sync' AS sync FROM batches WHERE id = $1`, [batchId]);
    return rows[0]?.sync ?? null;
  }
}
