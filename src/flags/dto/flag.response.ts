import { z } from 'zod';
import { FLAG_CODES, GATE_RULES, SEVERITIES } from '../../agreement/evaluation.types';
import { BATCH_STATUSES, BATCH_VERDICTS } from '../../batches/batch.entity';
import { FLAG_STATUSES } from '../flag.entity';

/** Response schemas: they document the API (OpenAPI) and type the mappers. */

export const FlagResponse = z
  .object({
    id: z.uuid(),
    batchId: z.uuid(),
    key: z.string().describe('Stable identity of the finding: the same defect found again (a re-evaluation) has the same key'),
    code: z.enum(FLAG_CODES),
    severity: z.enum(SEVERITIES),
    item: z.string().nullable().describe('null for batch-level flags (an outlier annotator, a systematic stream offset)'),
    modality: z.string().nullable().describe('null for cross-modal flags (the evidence names the modalities)'),
    dimension: z.string().nullable().describe('The dimension; a cross-modal flag\'s concept'),
    annotators: z.array(z.string()).describe('The annotators involved, sorted'),
    start: z.number().nullable().describe('Start of the span concerned: seconds (character offsets for untimed text spans)'),
    end: z.number().nullable(),
    message: z.string(),
    evidence: z
      .record(z.string(), z.unknown())
      .describe('Code-specific evidence: votes, segments, offsets and IoU; times and offsets in seconds'),
    status: z.enum(FLAG_STATUSES),
    comment: z.string().nullable(),
    reviewedBy: z.uuid().nullable().describe('The API key id of the last reviewer'),
    reviewedAt: z.iso.datetime().nullable(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'Flag' });
export type FlagResponse = z.infer<typeof FlagResponse>;

export const FlagListResponse = z
  .object({
    flags: z.array(FlagResponse).describe('Most severe first, then by id'),
    nextCursor: z.string().nullable().describe('Pass as `cursor` for the next page; null on the last page'),
    total: z.number().int().describe('Flags matching the filters, over all pages'),
  })
  .meta({ id: 'FlagList' });
export type FlagListResponse = z.infer<typeof FlagListResponse>;

export const FlagReviewResponse = z
  .object({
    actorKeyId: z.uuid().nullable().describe('The API key that made the change'),
    from: z.enum(FLAG_STATUSES),
    to: z.enum(FLAG_STATUSES),
    comment: z.string().nullable(),
    at: z.iso.datetime(),
  })
  .meta({ id: 'FlagReview' });
export type FlagReviewResponse = z.infer<typeof FlagReviewResponse>;

export const FlagDetailResponse = FlagResponse.extend({
  history: z.array(FlagReviewResponse).describe('Every status change, oldest first'),
}).meta({ id: 'FlagDetail' });
export type FlagDetailResponse = z.infer<typeof FlagDetailResponse>;

export const GateCheckResponse = z
  .object({
    rule: z.enum(GATE_RULES),
    passed: z.boolean(),
    modality: z.string().nullable(),
    dimension: z.string().nullable(),
    subject: z.string().nullable().describe('The annotator (minGoldAccuracy) or stream pair (`audio/speech~video/expression`)'),
    threshold: z.number(),
    measured: z.number().nullable().describe('null when the figure is undefined (the rule then fails; message says why)'),
    message: z.string(),
  })
  .meta({ id: 'GateCheck' });

export const GateResponse = z
  .object({
    batchId: z.uuid(),
    status: z.enum(BATCH_STATUSES),
    verdict: z.enum(BATCH_VERDICTS).describe('`pending` while the batch\'s jobs (or a re-evaluation) run'),
    reasons: z.array(GateCheckResponse).describe('Every failed rule (empty on a pass, and while pending)'),
    policyVersion: z.number().int().nullable().describe('The project policy version the verdict was made with (null: the defaults)'),
    evaluatedAt: z.iso.datetime().nullable(),
  })
  .meta({ id: 'Gate' });
export type GateResponse = z.infer<typeof GateResponse>;

export const EvaluationResponse = z
  .object({
    batchId: z.uuid(),
    status: z.enum(BATCH_STATUSES),
    verdict: z.enum(BATCH_VERDICTS),
    policyVersion: z.number().int().nullable(),
    schemaVersion: z.number().int().nullable(),
    evaluatedAt: z.iso.datetime().nullable(),
    evaluation: z
      .looseObject({
        items: z.number().int(),
        flaggedItems: z.number().int(),
        flaggedItemShare: z.number(),
        flags: z.object({ total: z.number().int(), byCode: z.record(z.string(), z.number().int()), bySeverity: z.record(z.string(), z.number().int()) }),
        checks: z.array(GateCheckResponse).describe('Every gate check made, passed or not'),
        sync: z
          .array(z.record(z.string(), z.unknown()))
          .describe('Per pair of timed interval dimensions of two modalities: median offset and spread, `systematic`, and `offsets` — a histogram of the per-item offsets (`from`, `binSeconds`, `counts`) and the 50 largest'),
        crossModal: z
          .array(z.record(z.string(), z.unknown()))
          .describe('Per cross-modal concept: alpha, `perItem` (the 100 lowest item alphas), `conflictCount` and the 50 `longestConflicts`'),
        gold: z.array(z.record(z.string(), z.unknown())).describe('Accuracy of each annotator against gold, per dimension'),
        policy: z.record(z.string(), z.unknown()).describe('The resolved policy applied'),
      })
      .nullable()
      .describe('null until the batch has been evaluated'),
  })
  .meta({ id: 'BatchEvaluation' });
export type EvaluationResponse = z.infer<typeof EvaluationResponse>;

export const EvaluationRequestedResponse = z
  .object({
    batchId: z.uuid(),
    jobId: z.string().describe('The evaluate job (BullMQ id)'),
    verdict: z.literal('pending'),
  })
  .meta({ id: 'EvaluationRequested' });
export type EvaluationRequestedResponse = z.infer<typeof EvaluationRequestedResponse>;
