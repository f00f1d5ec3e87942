import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { BATCH_JOB_OPTIONS } from './job-options';
import type { EvaluateJobData } from './job.types';
import { JOB_EVALUATE, QUEUE_EVALUATE } from './jobs.constants';

/** Adds a standalone `evaluate` job (a re-evaluation of a completed batch) to the evaluate queue. */
@Injectable()
export class EvaluationQueue {
  constructor(@InjectQueue(QUEUE_EVALUATE) private readonly queue: Queue<EvaluateJobData>) {}

  async addReevaluation(batchId: string, jobId: string): Promise<void> {
    await this.queue.add(JOB_EVALUATE, { batchId }, { ...BATCH_JOB_OPTIONS, jobId });
  }
}
