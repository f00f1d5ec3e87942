import { z } from 'zod';
import { BATCH_STATUSES } from '../batch.entity';
import { BATCH_JOB_STATUSES } from '../../jobs/batch-job.entity';

/** Response schemas: they document the API (OpenAPI) and type the mappers. */

export const BatchJobResponse = z
  .object({
    id: z.string().describe('BullMQ job id (deterministic)'),
    name: z.string().describe('`agreement-dimension` or `evaluate`'),
    modality: z.string().nullable(),
    dimension: z.string().nullable(),
    status: z.enum(BATCH_JOB_STATUSES),
    attempts: z.number().int(),
    progress: z.number(),
    error: z.string().nullable(),
    startedAt: z.iso.datetime().nullable(),
    finishedAt: z.iso.datetime().nullable(),
    durationMs: z.number().int().nullable(),
  })
  .meta({ id: 'BatchJob' });
export type BatchJobResponse = z.infer<typeof BatchJobResponse>;

export const BatchResponse = z
  .object({
    id: z.uuid(),
    projectId: z.uuid(),
    vendor: z.string().nullable(),
    status: z.enum(BATCH_STATUSES),
    progress: z.number().describe('0..1: the share of the batch\'s jobs done'),
    verdict: z.enum(['pass', 'fail', 'pending']).describe('Quality gate verdict; `pending` until the gate is evaluated'),
    format: z.string(),
    fileName: z.string().nullable(),
    contentHash: z.string().describe('SHA-256 of the uploaded bytes'),
    counts: z.object({
      records: z.number().int(),
      items: z.number().int(),
      annotators: z.number().int(),
      dimensions: z.number().int(),
    }),
    error: z.string().nullable().describe('Why the batch failed'),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
    completedAt: z.iso.datetime().nullable(),
    replaces: z.uuid().nullable().describe('The earlier batch this one re-delivers (`?replaces=` on upload); null when none'),
    links: z.object({ self: z.string(), agreement: z.string(), annotators: z.string() }),
  })
  .meta({ id: 'Batch' });
export type BatchResponse = z.infer<typeof BatchResponse>;

export const BatchDetailResponse = BatchResponse.extend({ jobs: z.array(BatchJobResponse) }).meta({ id: 'BatchDetail' });
export type BatchDetailResponse = z.infer<typeof BatchDetailResponse>;

export const UploadBatchResponse = z
  .object({ batch: BatchResponse, jobs: z.array(BatchJobResponse) })
  .meta({ id: 'UploadBatchResult' });
export type UploadBatchResponse = z.infer<typeof UploadBatchResponse>;

export const BatchListResponse = z
  .object({
    batches: z.array(BatchResponse),
    nextCursor: z.string().nullable().describe('Pass as `cursor` for the next page; null on the last page'),
  })
  .meta({ id: 'BatchList' });
export type BatchListResponse = z.infer<typeof BatchListResponse>;

/**
 * One (modality, dimension)'s result, exactly as the analysis core computes it (the CLI's
 * `--json` object): categorical results carry `level`, `alpha`, `ci`, `items`, `pairableItems`,
 * `annotators`, `percentAgreement`, `cohenKappa`, `fleissKappa`, `dropOne`, `pairwise`…; interval
 * results `labels`, `meanIoU`, `f1`, onset/offset deviations; box results `f1`, `meanIoU`, `classAlpha`.
 */
export const DimensionResultResponse = z
  .looseObject({
    modality: z.string(),
    dimension: z.string(),
    shape: z.enum(['categorical', 'intervals', 'boxes']),
    items: z.number().int(),
    annotators: z.number().int(),
    goldJudgements: z.number().int().optional().describe('Gold (ground-truth) judgements of the dimension: stored, kept apart, counted by no figure'),
    undefinedReasons: z.record(z.string(), z.string()),
  })
  .meta({ id: 'DimensionResult' });

export const BatchAgreementResponse = z
  .object({
    batchId: z.uuid(),
    status: z.enum(BATCH_STATUSES),
    results: z.array(DimensionResultResponse).describe('Ordered by modality, then dimension; complete once status is `completed`'),
  })
  .meta({ id: 'BatchAgreement' });
export type BatchAgreementResponse = z.infer<typeof BatchAgreementResponse>;

export const AnnotatorPairResponse = z
  .object({
    with: z.string().describe('The other annotator'),
    label: z.string().optional().describe('Interval dimensions: the label'),
    items: z.number().int().optional(),
    alpha: z.number().nullable().optional(),
    percentAgreement: z.number().nullable().optional(),
    iou: z.number().optional(),
    f1: z.number().optional(),
    meanIoU: z.number().nullable().optional(),
  })
  .meta({ id: 'AnnotatorPair' });

export const AnnotatorDimensionResponse = z
  .object({
    modality: z.string(),
    dimension: z.string(),
    judgements: z.number().int(),
    dropOneAlpha: z.number().nullable(),
    dropOneChange: z.number().nullable(),
    meanPairwiseAlpha: z.number().nullable(),
    meanIoU: z.number().nullable(),
    meanF1: z.number().nullable(),
    pairs: z.array(AnnotatorPairResponse),
  })
  .meta({ id: 'AnnotatorDimension' });

export const BatchAnnotatorsResponse = z
  .object({
    batchId: z.uuid(),
    status: z.enum(BATCH_STATUSES),
    annotators: z.array(
      z.object({
        annotator: z.string(),
        judgements: z.number().int().describe('Over all dimensions'),
        dimensions: z.array(AnnotatorDimensionResponse),
      }),
    ),
  })
  .meta({ id: 'BatchAnnotators' });
export type BatchAnnotatorsResponse = z.infer<typeof BatchAnnotatorsResponse>;
