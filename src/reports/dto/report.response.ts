import { z } from 'zod';
import { FLAG_CODES, GATE_RULES, SEVERITIES } from '../../agreement/evaluation.types';

/**
 * The rejection report (`GET /v1/batches/:id/report`, JSON). These schemas document the API
 * (OpenAPI) and type the mapper and the three writers; the CSV and HTML forms carry the same
 * figures and flags.
 */

export const ReportGateCheck = z
  .object({
    rule: z.enum(GATE_RULES),
    passed: z.boolean(),
    modality: z.string().nullable(),
    dimension: z.string().nullable(),
    subject: z.string().nullable().describe('The annotator (minGoldAccuracy) or stream pair the check is about'),
    threshold: z.number(),
    measured: z.number().nullable().describe('null when the figure is undefined (the rule then fails, see message)'),
    message: z.string(),
  })
  .meta({ id: 'ReportGateCheck' });
export type ReportGateCheck = z.infer<typeof ReportGateCheck>;

export const ReportDimension = z
  .object({
    modality: z.string(),
    dimension: z.string(),
    shape: z.enum(['categorical', 'intervals', 'boxes']),
    level: z.string().nullable().describe('Categorical: the level of measurement alpha was computed at'),
    alpha: z.number().nullable().describe('Categorical: Krippendorff\'s alpha; boxes: alpha of the matched objects\' classes'),
    ci: z
      .object({ lower: z.number().nullable(), upper: z.number().nullable(), confidence: z.number() })
      .nullable()
      .describe('Bootstrap percentile interval of alpha (categorical dimensions)'),
    meanIoU: z.number().nullable().describe('Intervals and boxes'),
    f1: z.number().nullable().describe('Intervals and boxes'),
    items: z.number().int(),
    annotators: z.number().int(),
    undefinedReasons: z.record(z.string(), z.string()),
  })
  .meta({ id: 'ReportDimension' });
export type ReportDimension = z.infer<typeof ReportDimension>;

export const ReportAnnotatorDimension = z.object({
  modality: z.string(),
  dimension: z.string(),
  judgements: z.number().int(),
  dropOneAlpha: z.number().nullable(),
  dropOneChange: z.number().nullable().describe('Alpha without the annotator minus alpha with them: > 0 means they lower agreement'),
  meanPairwiseAlpha: z.number().nullable(),
  meanIoU: z.number().nullable(),
  meanF1: z.number().nullable(),
  goldAccuracy: z.number().nullable().describe('Accuracy against gold, when the batch has gold judgements'),
});
export type ReportAnnotatorDimension = z.infer<typeof ReportAnnotatorDimension>;

export const ReportAnnotator = z
  .object({
    annotator: z.string(),
    judgements: z.number().int(),
    flags: z.number().int().describe('Flags of the batch that name the annotator'),
    dimensions: z.array(ReportAnnotatorDimension),
  })
  .meta({ id: 'ReportAnnotator' });
export type ReportAnnotator = z.infer<typeof ReportAnnotator>;

export const REDELIVERY_CHANGES = ['new', 'remaining'] as const;
export type RedeliveryChange = (typeof REDELIVERY_CHANGES)[number];

export const ReportFlag = z
  .object({
    key: z.string().describe('Stable identity of the defect: the same defect in a re-delivery has the same key'),
    code: z.enum(FLAG_CODES),
    severity: z.enum(SEVERITIES),
    item: z.string().nullable(),
    modality: z.string().nullable(),
    dimension: z.string().nullable(),
    annotators: z.array(z.string()),
    start: z.number().nullable().describe('Seconds (character offsets for text spans)'),
    end: z.number().nullable(),
    message: z.string(),
    evidence: z.record(z.string(), z.unknown()),
    status: z.enum(['open', 'confirmed', 'dismissed']),
    change: z.enum(REDELIVERY_CHANGES).nullable().describe('For a re-delivery: whether the earlier batch had this flag too'),
  })
  .meta({ id: 'ReportFlag' });
export type ReportFlag = z.infer<typeof ReportFlag>;

export const ReportRuleMovement = z
  .object({
    rule: z.enum(GATE_RULES),
    modality: z.string().nullable(),
    dimension: z.string().nullable(),
    subject: z.string().nullable(),
    threshold: z.number(),
    before: z.number().nullable().describe('Measured in the replaced batch (null: undefined, or not checked there)'),
    after: z.number().nullable(),
    passedBefore: z.boolean().nullable().describe('null: the replaced batch had no such check'),
    passedAfter: z.boolean().nullable().describe('null: this batch has no such check'),
  })
  .meta({ id: 'ReportRuleMovement' });
export type ReportRuleMovement = z.infer<typeof ReportRuleMovement>;

export const ReportRedelivery = z
  .object({
    replaces: z.uuid(),
    previousVerdict: z.enum(['pass', 'fail', 'pending']),
    counts: z.object({ resolved: z.number().int(), remaining: z.number().int(), new: z.number().int() }),
    rules: z.array(ReportRuleMovement).describe('Every rule that failed in either batch, with its figure before and after'),
    flags: z.object({
      resolved: z.array(z.string()).describe('Keys of the earlier flags this batch no longer has'),
      remaining: z.array(z.string()),
      new: z.array(z.string()),
    }),
  })
  .meta({ id: 'ReportRedelivery' });
export type ReportRedelivery = z.infer<typeof ReportRedelivery>;

export const ReportBatch = z.object({
  id: z.uuid(),
  projectId: z.uuid(),
  vendor: z.string().nullable(),
  fileName: z.string().nullable(),
  createdAt: z.iso.datetime(),
  replaces: z.uuid().nullable(),
});
export type ReportBatch = z.infer<typeof ReportBatch>;

export const ReportFlagSummary = z.object({
  total: z.number().int(),
  flaggedItems: z.number().int().describe('Items with at least one flag'),
  byCode: z.record(z.string(), z.number().int()),
});

/** Everything but the flags and the re-delivery's key lists: what the writers put first. */
export const ReportHead = z.object({
  id: z.string().describe('Stable id of the report: sha256 of "batchId\\nevaluatedAt\\npolicyVersion", first 32 hex digits'),
  batch: ReportBatch,
  policyVersion: z.number().int().nullable(),
  evaluatedAt: z.iso.datetime(),
  verdict: z.enum(['pass', 'fail']),
  reasons: z.array(ReportGateCheck).describe('The failed checks'),
  results: z.array(ReportDimension),
  annotators: z.array(ReportAnnotator),
  flags: ReportFlagSummary,
  redelivery: ReportRedelivery.omit({ flags: true }).nullable(),
});
export type ReportHead = z.infer<typeof ReportHead>;

export const ReportItem = z.object({
  item: z.string().nullable().describe('null: the batch-wide flags (an outlier annotator, a stream offset)'),
  flags: z.array(ReportFlag),
});

export const RejectionReportResponse = ReportHead.extend({
  redelivery: ReportRedelivery.nullable(),
  items: z.array(ReportItem).describe('Every flag, grouped by item (batch-wide flags first, then items in code-point order)'),
}).meta({ id: 'RejectionReport' });
export type RejectionReportResponse = z.infer<typeof RejectionReportResponse>;
