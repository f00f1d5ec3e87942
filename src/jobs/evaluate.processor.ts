import { Injectable } from '@nestjs/common';
import type { Job } from 'bullmq';
import { BatchRepository } from '../batches/batch.repository';
import { withJobLogContext } from '../common/request-context';
import { BatchJobRepository } from './batch-job.repository';
import type { AgreementJobResult, EvaluateJobData } from './job.types';

/**
 * `evaluate` (queue `evaluate`): the parent of a batch's flow; BullMQ runs it once every child has
 * completed (their results are already stored). For now it marks the batch completed; flags,
 * cross-modal checks and the verdict come here later (DESIGN.md section 1).
 */
@Injectable()
export class EvaluateProcessor {
  constructor(
    private readonly batches: BatchRepository,
    private readonly jobs: BatchJobRepository,
  ) {}

  process(job: Job<EvaluateJobData>): Promise<{ dimensions: number }> {
    return withJobLogContext(job, async () => {
      const jobId = job.id!;
      await this.jobs.markActive(jobId, job.attemptsStarted);
      const children = Object.values(await job.getChildrenValues<AgreementJobResult>());
      await job.updateProgress(0.5);
      await this.jobs.markCompleted(jobId);
      await this.batches.markCompleted(job.data.batchId);
      await job.updateProgress(1);
      return { dimensions: children.length };
    });
  }
}
