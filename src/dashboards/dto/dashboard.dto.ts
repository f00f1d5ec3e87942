import { z } from 'zod';
import { MODALITIES } from '../../agreement/types';

const text = z.string().trim().min(1).max(200);

/** Query of `GET /v1/projects/:projectId/overview`. */
export const OverviewQuery = z.object({
  vendor: text.optional().describe('Only this vendor\'s batches'),
  from: z.iso.datetime({ offset: true }).optional().describe('Created at or after (ISO 8601)'),
  to: z.iso.datetime({ offset: true }).optional().describe('Created before (ISO 8601)'),
  limit: z.coerce.number().int().min(1).max(500).default(200).describe('The newest this many batches'),
});
export type OverviewQuery = z.infer<typeof OverviewQuery>;

/** Query of `GET /v1/batches/:id/confusion`. */
export const ConfusionQuery = z.object({
  modality: z.enum(MODALITIES),
  dimension: text,
  a: text.describe('Annotator whose labels are the rows'),
  b: text.describe('Annotator whose labels are the columns'),
});
export type ConfusionQuery = z.infer<typeof ConfusionQuery>;

/** Query of `GET /v1/batches/:id/temporal`. */
export const TemporalQuery = z.object({ modality: z.enum(MODALITIES), dimension: text });
export type TemporalQuery = z.infer<typeof TemporalQuery>;

/** Query of `GET /v1/projects/:projectId/annotators/trend`. */
export const TrendQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50).describe('The newest this many completed batches'),
});
export type TrendQuery = z.infer<typeof TrendQuery>;

/** Query of `GET /v1/batches/:id/items/timeline`. */
export const TimelineQuery = z.object({ item: z.string().min(1).max(1000) });
export type TimelineQuery = z.infer<typeof TimelineQuery>;

const PolicyThresholds = z.object({
  minAlpha: z.number(),
  minAlphaByDimension: z.record(z.string(), z.number()),
  minMeanIoU: z.number(),
  maxFlaggedItemShare: z.number(),
  maxStreamOffsetSeconds: z.number(),
});

export const OverviewResponse = z
  .object({
    projectId: z.uuid(),
    policy: PolicyThresholds.describe('The project\'s current policy thresholds (defaults filled in)'),
    batches: z.array(
      z.object({
        id: z.uuid(),
        vendor: z.string().nullable(),
        status: z.string(),
        verdict: z.enum(['pass', 'fail', 'pending']),
        createdAt: z.iso.datetime(),
        completedAt: z.iso.datetime().nullable(),
        items: z.number().int(),
        records: z.number().int(),
        flaggedItemShare: z.number().nullable().describe('Share of items with a flag; null before the evaluation'),
        failedRules: z.number().int(),
        dimensions: z.array(
          z.object({
            modality: z.string(),
            dimension: z.string(),
            shape: z.string(),
            alpha: z.number().nullable(),
            ciLower: z.number().nullable(),
            ciUpper: z.number().nullable(),
            meanIoU: z.number().nullable(),
            f1: z.number().nullable(),
          }),
        ),
      }),
    ).describe('Oldest first'),
  })
  .meta({ id: 'DashboardOverview' });
export type OverviewResponse = z.infer<typeof OverviewResponse>;

export const ConfusionResponse = z
  .object({
    batchId: z.uuid(),
    modality: z.string(),
    dimension: z.string(),
    a: z.string(),
    b: z.string(),
    labels: z.array(z.string()).describe('Rows (a) and columns (b), sorted'),
    matrix: z.array(z.array(z.number().int())).describe('matrix[i][j]: items a labelled labels[i] and b labels[j]'),
    items: z.number().int().describe('Items both judged'),
    agreeing: z.number().int().describe('Items on which they gave the same label'),
  })
  .meta({ id: 'DashboardConfusion' });
export type ConfusionResponse = z.infer<typeof ConfusionResponse>;

const Bin = z.object({ from: z.number(), to: z.number().nullable(), count: z.number().int() });

export const TemporalResponse = z
  .object({
    batchId: z.uuid(),
    modality: z.string(),
    dimension: z.string(),
    threshold: z.number(),
    itemIoU: z.array(Bin).describe('Coverage IoU per (item, label, annotator pair), in tenths'),
    onsetDeviation: z.array(Bin).describe('|onset difference| of matched segments, seconds'),
    offsetDeviation: z.array(Bin),
    pairs: z.number().int(),
    matches: z.number().int(),
  })
  .meta({ id: 'DashboardTemporal' });
export type TemporalResponse = z.infer<typeof TemporalResponse>;

export const TrendResponse = z
  .object({
    projectId: z.uuid(),
    batches: z.array(z.object({ id: z.uuid(), createdAt: z.iso.datetime() })).describe('Oldest first'),
    points: z.array(
      z.object({
        batchId: z.uuid(),
        annotator: z.string(),
        modality: z.string(),
        dimension: z.string(),
        judgements: z.number().int(),
        meanPairwiseAlpha: z.number().nullable(),
        dropOneAlpha: z.number().nullable(),
        dropOneChange: z.number().nullable(),
        meanIoU: z.number().nullable(),
      }),
    ),
    flags: z.array(z.object({ batchId: z.uuid(), annotator: z.string(), count: z.number().int() })),
  })
  .meta({ id: 'DashboardAnnotatorTrend' });
export type TrendResponse = z.infer<typeof TrendResponse>;

export const TimelineResponse = z
  .object({
    batchId: z.uuid(),
    item: z.string(),
    segments: z.array(
      z.object({
        annotator: z.string(),
        modality: z.string(),
        dimension: z.string(),
        label: z.string().nullable(),
        start: z.number(),
        end: z.number(),
        gold: z.boolean(),
      }),
    ),
    flags: z.array(
      z.object({
        id: z.uuid(),
        code: z.string(),
        severity: z.string(),
        modality: z.string().nullable(),
        dimension: z.string().nullable(),
        annotators: z.array(z.string()),
        start: z.number().nullable(),
        end: z.number().nullable(),
        message: z.string(),
        status: z.string(),
      }),
    ),
    offsets: z.array(
      z.object({
        a: z.string(),
        b: z.string(),
        offset: z.number(),
        iou: z.number().nullable(),
        source: z.enum(['item', 'batchMedian']).describe('`item`: this item\'s own offset (kept for the items of largest offset); `batchMedian`: the pair\'s median'),
      }),
    ).describe('Stream offsets between modality pairs (from the evaluation), seconds'),
  })
  .meta({ id: 'DashboardItemTimeline' });
export type TimelineResponse = z.infer<typeof TimelineResponse>;
