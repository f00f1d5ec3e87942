import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { DimensionResult } from '../agreement/analyze';
import type { Shape } from '../agreement/types';
import { copyLiteral, streamCopyOut } from '../common/pg-copy';
import type { AnnotatorDimensionStats } from './annotator-stats';

/**
 * The analysis side of a batch's storage: reading one dimension's annotations and writing its
 * results. Writes are upserts on the tables' primary keys, so a job that runs twice (a retry, a
 * worker killed after writing) leaves exactly one set of rows.
 */
@Injectable()
export class AgreementRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * The shape of one stored dimension, from any one of its rows (the upload's validation gave all
   * rows of a dimension the same shape); null when the batch has no such dimension.
   */
  async findDimensionShape(batchId: string, modality: string, dimension: string): Promise<Shape | null> {
    const rows: { shape: Shape }[] = await this.dataSource.query(
      `SELECT CASE WHEN box_x IS NOT NULL THEN 'boxes' WHEN start_s IS NOT NULL THEN 'intervals' ELSE 'categorical' END AS shape
       FROM annotations WHERE batch_id = $1 AND modality = $2 AND dimension = $3 AND text IS NULL LIMIT 1`,
      [batchId, modality, dimension],
    );
    return rows[0]?.shape ?? null;
  }

  /**
   * Streams `columns` of the annotations of (batch, modality, dimension) — free-text rows left out —
   * in the order they were read (ordinal; line for rows stored before it existed), with
   * `COPY (SELECT … ORDER BY ordinal, line) TO STDOUT (FORMAT text)`, handing each chunk of bytes to
   * `onChunk` (awaited: backpressure). The rows must be sorted: COPY does not store them in file
   * order (its multi-insert batches fill earlier pages' leftover space), and the analysis depends on
   * that order. The sort runs in memory (work_mem for this transaction only).
   */
  async streamDimension(
    batchId: string,
    modality: string,
    dimension: string,
    columns: readonly string[],
    onChunk: (chunk: Uint8Array) => Promise<void>,
  ): Promise<void> {
    const sql =
      `COPY (SELECT ${columns.join(', ')} FROM annotations WHERE batch_id = ${copyLiteral(batchId)}::uuid ` +
      `AND modality = ${copyLiteral(modality)} AND dimension = ${copyLiteral(dimension)} AND text IS NULL ORDER BY ordinal, line) TO STDOUT (FORMAT text)`;
    await streamCopyOut(this.dataSource, sql, '256MB', onChunk);
  }

  /** One transaction: the dimension's result and every annotator's figures, upserted. */
  async storeDimension(
    batchId: string,
    result: DimensionResult,
    annotators: readonly AnnotatorDimensionStats[],
  ): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      await manager.query(
        `INSERT INTO agreement_results (batch_id, modality, dimension, shape, level, result, computed_at)
         VALUES ($1, $2, $3, $4, $5, $6::jsonb, now())
         ON CONFLICT (batch_id, modality, dimension)
         DO UPDATE SET shape = EXCLUDED.shape, level = EXCLUDED.level, result = EXCLUDED.result,
                       computed_at = EXCLUDED.computed_at`,
        [
          batchId,
          result.modality,
          result.dimension,
          result.shape,
          result.shape === 'categorical' ? result.level : null,
          JSON.stringify(result),
        ],
      );
      // Annotators are a function of the stored annotations, so a rerun upserts the same set.
      await manager.query(
        `INSERT INTO annotator_stats (batch_id, modality, dimension, annotator, judgements, drop_one_alpha,
                                      mean_pairwise_alpha, stats)
         SELECT $1, $2, $3, s.annotator, s.judgements, s.drop_one_alpha, s.mean_pairwise_alpha, s.stats
         FROM unnest($4::text[], $5::int[], $6::float8[], $7::float8[], $8::jsonb[])
              AS s(annotator, judgements, drop_one_alpha, mean_pairwise_alpha, stats)
         ON CONFLICT (batch_id, modality, dimension, annotator)
         DO UPDATE SET judgements = EXCLUDED.judgements, drop_one_alpha = EXCLUDED.drop_one_alpha,
                       mean_pairwise_alpha = EXCLUDED.mean_pairwise_alpha, stats = EXCLUDED.stats`,
        [
          batchId,
          result.modality,
          result.dimension,
          annotators.map((a) => a.annotator),
          annotators.map((a) => a.judgements),
          annotators.map((a) => a.dropOneAlpha),
          annotators.map((a) => a.meanPairwiseAlpha),
          annotators.map((a) => JSON.stringify(a)),
        ],
      );
    });
  }
}
