import { setTimeout as sleep } from 'node:timers/promises';
import { Injectable } from '@nestjs/common';
import { UnrecoverableError, type Job } from 'bullmq';
import { BatchAnalysisService, BatchDataError } from '../batches/batch-analysis.service';
import { BatchRepository } from '../batches/batch.repository';
import { withJobLogContext } from '../common/request-context';
import { BatchJobRepository } from './batch-job.repository';
import { jobTestDelayMs } from './job-test-hooks';
import type { AgreementJobData, AgreementJobResult } from './job.types';

/**
 * `agreement-dimension` (queue `agreement`): one (modality, dimension) of a batch. Thin: record the
 * attempt, let BatchAnalysisService compute and upsert the result, record the outcome. Data that
 * cannot be analysed fails for good (UnrecoverableError); anything else is retried with backoff.
 * A rerun (retry, or a worker killed mid-job) rewrites the same rows: the writes are upserts.
 */
@Injectable()
export class AgreementDimensionProcessor {
  private readonly testDelayMs = jobTestDelayMs();

  constructor(
    private readonly analysis: BatchAnalysisService,
    private readonly batches: BatchRepository,
    private readonly jobs: BatchJobRepository,
  ) {}

  process(job: Job<AgreementJobData, AgreementJobResult>): Promise<AgreementJobResult> {
    return withJobLogContext(job, () => this.run(job));
  }

  private async run(job: Job<AgreementJobData, AgreementJobResult>): Promise<AgreementJobResult> {
    const jobId = job.id!;
    const { batchId, modality, dimension } = job.data;
    await this.jobs.markActive(jobId, job.attemptsStarted);
    await this.batches.markProcessing(batchId);

    let shape: string;
    try {
      const result = await this.analysis.analyzeDimension(job.data, async (share) => {
        await job.updateProgress(share);
        await this.jobs.updateProgress(jobId, share);
      });
      shape = result.shape;
    } catch (error) {
      if (error instanceof BatchDataError) throw new UnrecoverableError(error.message);
      throw error;
    }
    // TEST ONLY (job-test-hooks.ts): the results are stored but the job is not complete yet.
    if (this.testDelayMs > 0) await sleep(this.testDelayMs);
    await this.jobs.markCompleted(jobId);
    await this.batches.refreshProgress(batchId);
    return { modality, dimension, shape };
  }
}
