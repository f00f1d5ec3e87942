import type { FlowJob } from 'bullmq';
import { BATCH_JOB_OPTIONS } from './job-options';
import {
  agreementJobId,
  evaluateJobId,
  type AgreementJobData,
  type BatchDimension,
  type EvaluateJobData,
} from './job.types';
import { JOB_AGREEMENT_DIMENSION, JOB_EVALUATE, QUEUE_AGREEMENT, QUEUE_EVALUATE } from './jobs.constants';

/**
 * The flow of one batch: an `evaluate` parent waiting on one `agreement-dimension` child per
 * (modality, dimension). Children run in parallel; a child that fails for good fails the parent
 * (`failParentOnFailure`), and the worker then marks the batch failed with the child's reason.
 * Job ids are deterministic, so adding the same flow twice adds nothing.
 */
export function batchFlow(batchId: string, dimensions: readonly BatchDimension[]): FlowJob {
  const parent: EvaluateJobData = { batchId };
  return {
    name: JOB_EVALUATE,
    queueName: QUEUE_EVALUATE,
    data: parent,
    opts: { ...BATCH_JOB_OPTIONS, jobId: evaluateJobId(batchId) },
    children: dimensions.map(({ modality, dimension }) => {
      const data: AgreementJobData = { batchId, modality, dimension };
      return {
        name: JOB_AGREEMENT_DIMENSION,
        queueName: QUEUE_AGREEMENT,
        data,
        opts: { ...BATCH_JOB_OPTIONS, jobId: agreementJobId(batchId, modality, dimension), failParentOnFailure: true },
      };
    }),
  };
}
