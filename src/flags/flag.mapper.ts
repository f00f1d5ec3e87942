import type { GateCheck } from '../agreement/evaluation.types';
import type { EvaluationResponse, FlagDetailResponse, FlagListResponse, FlagResponse, FlagReviewResponse, GateResponse } from './dto/flag.response';
import type { FlagBatchRow, FlagReviewRow, FlagRow } from './flag.repository';

const iso = (date: Date | null): string | null => (date === null ? null : new Date(date).toISOString());

export function toFlagResponse(flag: FlagRow): FlagResponse {
  return {
    id: flag.id,
    batchId: flag.batchId,
    key: flag.key,
    code: flag.code,
    severity: flag.severity,
    item: flag.item,
    modality: flag.modality,
    dimension: flag.dimension,
    annotators: flag.annotators,
    start: flag.start,
    end: flag.end,
    message: flag.message,
    evidence: flag.evidence,
    status: flag.status,
    comment: flag.comment,
    reviewedBy: flag.reviewedBy,
    reviewedAt: iso(flag.reviewedAt),
    createdAt: iso(flag.createdAt)!,
    updatedAt: iso(flag.updatedAt)!,
  };
}

export function toFlagListResponse(flags: readonly FlagRow[], nextCursor: string | null, total: number): FlagListResponse {
  return { flags: flags.map(toFlagResponse), nextCursor, total };
}

function toFlagReviewResponse(review: FlagReviewRow): FlagReviewResponse {
  return { actorKeyId: review.actorKeyId, from: review.fromStatus, to: review.toStatus, comment: review.comment, at: iso(review.createdAt)! };
}

export function toFlagDetailResponse(flag: FlagRow, history: readonly FlagReviewRow[]): FlagDetailResponse {
  return { ...toFlagResponse(flag), history: history.map(toFlagReviewResponse) };
}

/** While pending (jobs or a re-evaluation running) the previous reasons are not shown. */
export function toGateResponse(batch: FlagBatchRow): GateResponse {
  return {
    batchId: batch.id,
    status: batch.status,
    verdict: batch.verdict,
    reasons: batch.verdict === 'pending' ? [] : ((batch.verdictReasons ?? []) as GateCheck[]),
    policyVersion: batch.policyVersion,
    evaluatedAt: iso(batch.evaluatedAt),
  };
}

/**
 * The evaluation body as JSON text: the stored evaluation is spliced in as PostgreSQL prints it
 * (it may hold a few hundred kB of histograms and per-item lists), never parsed on this path.
 */
export function toEvaluationJson(batch: FlagBatchRow, evaluationJson: string | null): string {
  const head: Omit<EvaluationResponse, 'evaluation'> = {
    batchId: batch.id,
    status: batch.status,
    verdict: batch.verdict,
    policyVersion: batch.policyVersion,
    schemaVersion: batch.schemaVersion,
    evaluatedAt: iso(batch.evaluatedAt),
  };
  return `${JSON.stringify(head).slice(0, -1)},"evaluation":${evaluationJson ?? 'null'}}`;
}
