/**
 * COPY on a query runner of TypeORM's pool, shared by the repositories that stream annotations out
 * (the agreement job, the evaluate step) and flags in. A COPY stopped half-way leaves its
 * connection in an unknown state, so such a connection is destroyed instead of going back to the
 * pool.
 */
import type { PoolClient } from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import type { DataSource, QueryRunner } from 'typeorm';

/** A query runner of TypeORM's PostgreSQL driver, which can drop its connection instead of releasing it. */
export type CopyRunner = QueryRunner & { releasePostgresConnection?: (error?: Error) => Promise<void> };

/** Rolls back what is still open and gives the connection back, or destroys it after a broken COPY. */
export async function releaseCopyRunner(runner: CopyRunner, broken: Error | undefined): Promise<void> {
  if (broken !== undefined && runner.releasePostgresConnection !== undefined) {
    await runner.releasePostgresConnection(broken);
    return;
  }
  if (runner.isTransactionActive) await runner.rollbackTransaction();
  await runner.release();
}

/**
 * Runs `COPY (query) TO STDOUT` (`sql` is the whole statement) in a transaction of its own with
 * `workMem` for its sort, handing each chunk of bytes to `onChunk` (awaited: backpressure).
 */
export async function streamCopyOut(
  dataSource: DataSource,
  sql: string,
  workMem: string,
  onChunk: (chunk: Uint8Array) => Promise<void>,
): Promise<void> {
  const runner = dataSource.createQueryRunner() as CopyRunner;
  let broken: Error | undefined;
  try {
    const client = (await runner.connect()) as PoolClient;
    await runner.startTransaction();
    await runner.query(`SELECT set_config('work_mem', $1, true)`, [workMem]);
    try {
      for await (const chunk of client.query(copyTo(sql)) as AsyncIterable<Buffer>) await onChunk(chunk);
    } catch (error) {
      broken = error as Error;
      throw error;
    }
    await runner.commitTransaction();
  } finally {
    await releaseCopyRunner(runner, broken);
  }
}

/**
 * A SQL string literal (COPY takes no bind parameters). standard_conforming_strings is on (the
 * default since PostgreSQL 9.1), so only the quote is doubled. Stored text never holds NUL (the
 * upload refuses it), so a value with one is a caller's bug.
 */
export function copyLiteral(value: string): string {
  if (value.includes('\u0000')) throw new Error('a COPY literal must not contain NUL');
  return `'${value.replace(/'/g, "''")}'`;
}
