import { Injectable } from '@nestjs/common';
import { UnrecoverableError, type Job } from 'bullmq';
import { BatchDataError } from '../batches/batch-analysis.service';
import { BatchRepository } from '../batches/batch.repository';
import { withJobLogContext } from '../common/request-context';
import { BatchEvaluationService, type EvaluationOutcome } from '../flags/batch-evaluation.service';
import { WebhookPublisher } from '../webhooks/webhook-publisher.service';
import { BatchJobRepository } from './batch-job.repository';
import type { EvaluateJobData } from './job.types';

/**
 * `evaluate` (queue `evaluate`): the parent of a batch's flow, which BullMQ runs once every
 * agreement child has completed (their results are stored), or a re-evaluation added on its own
 * (`POST /v1/batches/:id/evaluate`). Thin: record the attempt, let BatchEvaluationService store
 * flags, verdict and evaluation, record the outcome and mark the batch completed. Data the core
 * rejects fails for good (UnrecoverableError); anything else is retried, and the retry rewrites
 * the same state.
 */
@Injectable()
export class EvaluateProcessor {
  constructor(
    private readonly evaluation: BatchEvaluationService,
    private readonly jobs: BatchJobRepository,
    private readonly batches: BatchRepository,
    private readonly webhooks: WebhookPublisher,
  ) {}

  process(job: Job<EvaluateJobData>): Promise<EvaluationOutcome> {
    return withJobLogContext(job, async () => {
      const jobId = job.id!;
      await this.jobs.markActive(jobId, job.attemptsStarted);
      let outcome: EvaluationOutcome;
      try {
        outcome = await this.evaluation.evaluate(job.data.batchId, async (share) => {
          await job.updateProgress(share);
          await this.jobs.updateProgress(jobId, share);
        });
      } catch (error) {
        if (error instanceof BatchDataError) throw new UnrecoverableError(error.message);
        throw error;
      }
      // The job first, then the batch: a completed batch has every job completed.
      await this.jobs.markCompleted(jobId);
      await this.batches.markCompleted(job.data.batchId);
      // Never throws: a webhook problem does not fail the evaluation (src/webhooks).
      await this.webhooks.publishBatchEvaluated(outcome);
      return outcome;
    });
  }
}
