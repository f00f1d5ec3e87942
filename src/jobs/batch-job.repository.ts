import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

/**
 * The `batch_jobs` records: what the service knows of each BullMQ job of a batch (status, attempts,
 * progress, duration, last error). Written by the worker as jobs start, progress and finish.
 */
@Injectable()
export class BatchJobRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** An attempt starts (the first, a retry, or a rerun after a stalled worker). */
  async markActive(jobId: string, attempts: number): Promise<void> {
    await this.dataSource.query(
      `UPDATE batch_jobs SET status = 'active', attempts = $2, progress = 0, started_at = now(),
                             finished_at = NULL, duration_ms = NULL
       WHERE job_id = $1`,
      [jobId, attempts],
    );
  }

  async updateProgress(jobId: string, progress: number): Promise<void> {
    await this.dataSource.query(`UPDATE batch_jobs SET progress = $2 WHERE job_id = $1`, [jobId, progress]);
  }

  /** Done: duration is that of the successful attempt. */
  async markCompleted(jobId: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE batch_jobs SET status = 'completed', progress = 1, error = NULL, finished_at = now(),
              duration_ms = (extract(epoch FROM now() - coalesce(started_at, now())) * 1000)::int
       WHERE job_id = $1`,
      [jobId],
    );
  }

  /** An attempt failed: `final` = no retry follows (the job is failed for good), else it waits to retry. */
  async markAttemptFailed(jobId: string, error: string, attempts: number, final: boolean): Promise<void> {
    await this.dataSource.query(
      `UPDATE batch_jobs SET status = $2, error = $3, attempts = greatest(attempts, $4), finished_at = now(),
              duration_ms = (extract(epoch FROM now() - coalesce(started_at, now())) * 1000)::int
       WHERE job_id = $1`,
      [jobId, final ? 'failed' : 'waiting', error, attempts],
    );
  }
}
