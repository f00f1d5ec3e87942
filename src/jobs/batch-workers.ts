import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { Worker, type Job } from 'bullmq';
import { BatchRepository } from '../batches/batch.repository';
import { withJobLogContext } from '../common/request-context';
import { AppConfig } from '../config/app.config';
import { redisConnectionOptions } from '../config/redis-connection';
import { BatchEvaluationService } from '../flags/batch-evaluation.service';
import { AgreementDimensionProcessor } from './agreement-dimension.processor';
import { BatchJobRepository } from './batch-job.repository';
import { EvaluateProcessor } from './evaluate.processor';
import { workerOptions } from './job-options';
import type { AgreementJobData, EvaluateJobData } from './job.types';
import { QUEUE_AGREEMENT, QUEUE_EVALUATE } from './jobs.constants';

/**
 * The BullMQ workers of the batch flow, started when the worker application boots and closed
 * gracefully (`worker.close()` waits for running jobs) when it shuts down.
 *
 * Workers are built here rather than with `@Processor()`: their concurrency and lock duration come
 * from the configuration parsed at start (WORKER_CONCURRENCY, JOB_LOCK_MS), which a decorator's
 * static options cannot see. As with `@Processor()`, only WorkerModule provides this class, so the
 * API process never runs jobs.
 *
 * Failure bookkeeping: every failed attempt of a child is recorded on its `batch_jobs` row; a child
 * that fails for good fails its parent (`failParentOnFailure`), which BullMQ then hands to the
 * evaluate worker as a failed job — that single place marks the batch `failed` with the reasons.
 */
@Injectable()
export class BatchWorkers implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(BatchWorkers.name);
  private readonly workers: Worker[] = [];

  constructor(
    private readonly config: AppConfig,
    private readonly agreement: AgreementDimensionProcessor,
    private readonly evaluate: EvaluateProcessor,
    private readonly jobs: BatchJobRepository,
    private readonly batches: BatchRepository,
    private readonly evaluation: BatchEvaluationService,
  ) {}

  onApplicationBootstrap(): void {
    const options = {
      connection: redisConnectionOptions(this.config.redisUrl),
      prefix: this.config.queuePrefix,
      ...workerOptions(this.config),
    };
    const agreement = new Worker<AgreementJobData>(QUEUE_AGREEMENT, (job) => this.agreement.process(job), options);
    agreement.on('failed', (job, error) => void this.recordAttemptFailure(job, error));
    const evaluate = new Worker<EvaluateJobData>(QUEUE_EVALUATE, (job) => this.evaluate.process(job), options);
    evaluate.on('failed', (job, error) => void this.recordBatchFailure(job, error));
    for (const worker of [agreement, evaluate]) {
      worker.on('error', (error) => this.logger.error(error, `worker ${worker.name}`));
      worker.on('stalled', (jobId) => this.logger.warn(`job ${jobId} stalled and was moved back to wait`));
      this.workers.push(worker);
    }
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all(this.workers.splice(0).map((worker) => worker.close()));
  }

  /** A finished job has `finishedOn`; one that will be retried does not. */
  private async recordAttemptFailure(job: Job<AgreementJobData> | undefined, error: Error): Promise<void> {
    if (job?.id === undefined) return;
    const final = job.finishedOn !== undefined && job.finishedOn !== null;
    const { batchId, modality, dimension } = job.data;
    await withJobLogContext(job, async () => {
      this.logger.warn(`attempt ${job.attemptsStarted} failed${final ? ' for good' : ', will retry'}: ${error.message}`);
      try {
        await this.jobs.markAttemptFailed(job.id!, error.message, job.attemptsStarted, final);
        if (final) await this.batches.markFailed(batchId, `${modality}/${dimension}: ${error.message}`);
      } catch (storeError) {
        this.logger.error(storeError, 'could not record the failed attempt');
      }
    });
  }

  /**
   * The parent failed for good: normally because a child did (the child's handler above already
   * gave the batch its reason), else on its own (or a child that stalled too often, which emits no
   * event of its own): then the batch takes the parent's error. A re-evaluation that fails leaves a
   * completed batch completed, with the verdict of its last stored evaluation.
   */
  private async recordBatchFailure(job: Job<EvaluateJobData> | undefined, error: Error): Promise<void> {
    if (job?.id === undefined || job.finishedOn === undefined || job.finishedOn === null) return;
    const { batchId } = job.data;
    await withJobLogContext(job, async () => {
      try {
        await this.jobs.markAttemptFailed(job.id!, error.message, job.attemptsStarted, true);
        await this.batches.markFailedUnlessFinished(batchId, error.message);
        // A re-evaluation of a completed batch: its previous verdict stands again.
        await this.evaluation.abandon(batchId);
        this.logger.error(`batch failed: ${error.message}`);
      } catch (storeError) {
        this.logger.error(storeError, 'could not mark the batch failed');
      }
    });
  }
}
