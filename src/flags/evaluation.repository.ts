import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { DataSource } from 'typeorm';
import type { DimensionResult } from '../agreement/analyze';
import type { GateCheck } from '../agreement/evaluation.types';
import type { BatchStatus } from '../batches/batch.entity';
import { copyLiteral, releaseCopyRunner, streamCopyOut, type CopyRunner } from '../common/pg-copy';
import { BATCH_DATASET_COLUMNS } from './batch-dataset.decoder';
import { FLAG_COPY_COLUMNS } from './flag-copy';
import type { StoredEvaluation } from './stored-evaluation';

/** What the evaluation of a batch reads besides its annotations: the batch and its project's settings. */
export interface EvaluationContext {
  status: BatchStatus;
  projectId: string;
  vendor: string | null;
  schema: unknown;
  policy: unknown;
  schemaVersion: number | null;
  policyVersion: number | null;
}

export interface EvaluationRecord {
  verdict: 'pass' | 'fail';
  reasons: GateCheck[];
  evaluation: StoredEvaluation;
  policyVersion: number | null;
  schemaVersion: number | null;
  /** The findings as COPY text rows of FLAG_COPY_COLUMNS, one per key, as they are encoded (read once). */
  flagsCopy: AsyncIterable<Uint8Array> | Iterable<Uint8Array>;
  flagCount: number;
}

/**
 * The verdict the stored evaluation gives (a failed check makes it fail; pending before the first
 * evaluation), as SQL on `batches`: what a verdict set back to pending returns to when its
 * re-evaluation does not happen after all.
 */
export const STORED_VERDICT = `CASE WHEN evaluated_at IS NULL THEN 'pending'
  WHEN jsonb_array_length(coalesce(verdict_reasons, '[]'::jsonb)) = 0 THEN 'pass' ELSE 'fail' END`;

/**
 * The worker side of flags and verdicts: reading a whole batch for its evaluation and storing the
 * outcome in one transaction. The store is idempotent (a retry, or a re-evaluation, rewrites the
 * same state): findings upsert on (batch_id, key).
 */
@Injectable()
export class EvaluationRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async findEvaluationContext(batchId: string): Promise<EvaluationContext | null> {
    const rows: EvaluationContext[] = await this.dataSource.query(
      `SELECT b.status, b.project_id AS "projectId", b.vendor, p.schema, p.policy,
              p.schema_version AS "schemaVersion", p.policy_version AS "policyVersion"
       FROM batches b JOIN projects p ON p.id = b.project_id WHERE b.id = $1`,
      [batchId],
    );
    return rows[0] ?? null;
  }

  /** The stored per-dimension results (any order: the caller orders them as the core does). */
  async findResults(batchId: string): Promise<DimensionResult[]> {
    const rows: { result: DimensionResult }[] = await this.dataSource.query(
      `SELECT result FROM agreement_results WHERE batch_id = $1`,
      [batchId],
    );
    return rows.map((row) => row.result);
  }

  /**
   * Streams the batch's annotations (BATCH_DATASET_COLUMNS, free-text rows left out) in the order
   * they were read, `ORDER BY ordinal, line` as the per-dimension analysis does (COPY does not store
   * rows in file order), to `onChunk` (awaited: backpressure). The sort gets the memory of a
   * whole batch for this transaction only.
   */
  async streamBatch(batchId: string, onChunk: (chunk: Uint8Array) => Promise<void>): Promise<void> {
    const sql =
      `COPY (SELECT ${BATCH_DATASET_COLUMNS.join(', ')} FROM annotations WHERE batch_id = ${copyLiteral(batchId)}::uuid ` +
      `AND text IS NULL ORDER BY ordinal, line) TO STDOUT (FORMAT text)`;
    await streamCopyOut(this.dataSource, sql, '512MB', onChunk);
  }

  /**
   * One transaction, on the batch's locked row (two evaluations of a batch store one after the
   * other): the findings replace the batch's unreviewed flags — those whose key is found again keep
   * their id, the rest go — and reviewed flags keep their status, comment and history and get the
   * new evidence; then the verdict, the versions and the stored evaluation are written and the flags
   * revision moves on (the listing's cached pages and totals expire). A batch without flags yet (its
   * first evaluation, or a retry of it) takes the rows with one COPY straight into `flags`; later
   * ones go through a staging table and one set-based upsert.
   */
  async storeEvaluation(batchId: string, record: EvaluationRecord): Promise<void> {
    const runner = this.dataSource.createQueryRunner() as CopyRunner;
    let broken: Error | undefined;
    const copy = async (client: PoolClient, table: string): Promise<void> => {
      try {
        await pipeline(
          Readable.from(record.flagsCopy, { objectMode: false }),
          client.query(copyFrom(`COPY ${table} (${FLAG_COPY_COLUMNS.join(', ')}) FROM STDIN (FORMAT text)`)),
        );
      } catch (error) {
        // Stopped mid-COPY: the connection's state is unknown, so the pool must not reuse it.
        broken = error as Error;
        throw error;
      }
    };
    try {
      const client = (await runner.connect()) as PoolClient;
      await runner.startTransaction();
      const [state]: { fresh: boolean }[] = await runner.query(
        `SELECT NOT EXISTS (SELECT 1 FROM flags WHERE batch_id = b.id) AS fresh FROM batches b WHERE b.id = $1 FOR UPDATE`,
        [batchId],
      );
      if (state === undefined) return; // the batch was deleted meanwhile: nothing to store
      if (state.fresh) {
        if (record.flagCount > 0) await copy(client, 'flags');
      } else {
        await runner.query(`CREATE TEMP TABLE evaluation_flags (LIKE flags INCLUDING DEFAULTS) ON COMMIT DROP`);
        if (record.flagCount > 0) {
          await copy(client, 'evaluation_flags');
          await runner.query(`ANALYZE evaluation_flags`);
        }
        await runner.query(
          `DELETE FROM flags f WHERE f.batch_id = $1 AND f.reviewed_at IS NULL
             AND NOT EXISTS (SELECT 1 FROM evaluation_flags n WHERE n.key = f.key)`,
          [batchId],
        );
        // A reviewed flag keeps what its reviewer saw but the evidence, which is refreshed.
        const keepIfReviewed = (column: string): string =>
          `${column} = CASE WHEN flags.reviewed_at IS NULL THEN EXCLUDED.${column} ELSE flags.${column} END`;
        await runner.query(
          `INSERT INTO flags (${FLAG_COPY_COLUMNS.join(', ')}) SELECT ${FLAG_COPY_COLUMNS.join(', ')} FROM evaluation_flags
           ON CONFLICT (batch_id, key) DO UPDATE SET
             evidence = EXCLUDED.evidence,
             ${['severity', 'severity_rank', 'message', 'start_s', 'end_s', 'annotators'].map(keepIfReviewed).join(',\n             ')},
             updated_at = now()`,
        );
      }
      await runner.query(
        `UPDATE batches SET verdict = $2, verdict_reasons = $3::jsonb, policy_version = $4, schema_version = $5,
                            evaluation = $6::jsonb, evaluated_at = now(), flags_revision = flags_revision + 1,
                            updated_at = now()
         WHERE id = $1`,
        [
          batchId,
          record.verdict,
          JSON.stringify(record.reasons),
          record.policyVersion,
          record.schemaVersion,
          JSON.stringify(record.evaluation),
        ],
      );
      await runner.commitTransaction();
    } finally {
      await releaseCopyRunner(runner, broken);
    }
  }

  /**
   * An evaluation failed for good: the verdict goes back to what the stored evaluation says (the
   * failed run wrote nothing), or stays pending when there is none.
   */
  async restoreVerdict(batchId: string): Promise<void> {
    await this.dataSource.query(`UPDATE batches SET verdict = ${STORED_VERDICT}, updated_at = now() WHERE id = $1`, [batchId]);
  }
}
