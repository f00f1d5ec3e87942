import type { Modality } from '../agreement/types';

/** Payload of an `agreement-dimension` job: ids only (DESIGN.md section 9). */
export interface AgreementJobData {
  batchId: string;
  modality: Modality;
  dimension: string;
}

/** Payload of the `evaluate` parent job. */
export interface EvaluateJobData {
  batchId: string;
}

/** What an agreement child returns; the parent reads these with `getChildrenValues()`. */
export interface AgreementJobResult {
  modality: Modality;
  dimension: string;
  shape: string;
}

/** One (modality, dimension) of a batch: the unit of agreement and of one child job. */
export interface BatchDimension {
  modality: Modality;
  dimension: string;
}

/**
 * `${batchId}-${modality}-${encodeURIComponent(dimension)}`: deterministic, so re-adding a flow or
 * retrying adds nothing twice; encoding keeps any ':' of a dimension name out of the id (BullMQ
 * refuses ':' in custom ids).
 */
export function agreementJobId(batchId: string, modality: string, dimension: string): string {
  return `${batchId}-${modality}-${encodeURIComponent(dimension)}`;
}

export function evaluateJobId(batchId: string): string {
  return `${batchId}-evaluate`;
}

/**
 * A re-evaluation of a batch (`POST /v1/batches/:id/evaluate`): `${batchId}-evaluate-${run}`, `run`
 * counting the batch's evaluate jobs so far, so each rerun is a job of its own (a finished job's id
 * would be refused while BullMQ keeps it) and two requests for the same rerun add one job.
 */
export function reevaluateJobId(batchId: string, run: number): string {
  return `${batchId}-evaluate-${run}`;
}
