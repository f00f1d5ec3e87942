import { z } from 'zod';
import { LEVELS, MODALITIES } from '../agreement/types';

const name = z.string().trim().min(1).max(200);

/** A dimension's settings in a project's schema: its level of measurement (ordinal: ordered labels). */
export const DimensionSettingsSchema = z
  .strictObject({
    modality: z.enum(MODALITIES),
    dimension: name,
    level: z.enum(LEVELS).optional(),
    /** For ordinal dimensions with named labels: the labels from lowest to highest. */
    labels: z.array(z.string().min(1)).min(2).optional(),
  })
  .refine((d) => d.labels === undefined || d.level === 'ordinal', {
    message: 'labels (an order) are only meaningful for level "ordinal"',
    path: ['labels'],
  })
  .refine((d) => d.labels === undefined || new Set(d.labels).size === d.labels.length, {
    message: 'labels must be distinct',
    path: ['labels'],
  });

/** One modality's contribution to a cross-modal concept: its labels mapped onto the concept's values. */
export const CrossModalSourceSchema = z.strictObject({
  modality: z.enum(MODALITIES),
  dimension: name,
  /** label in this dimension → value of the shared concept (e.g. `happy` → `+`). */
  map: z.record(z.string().min(1), z.string().min(1)),
});

/** A shared concept several modalities judge (e.g. valence from sentiment, emotion and expression). */
export const CrossModalMappingSchema = z.strictObject({
  concept: name,
  sources: z.array(CrossModalSourceSchema).min(2),
});

/** A project's schema (DESIGN.md section 2): dimension levels and cross-modal mappings. */
export const ProjectSchemaDefinitionSchema = z.strictObject({
  dimensions: z.array(DimensionSettingsSchema).optional(),
  crossModal: z.array(CrossModalMappingSchema).optional(),
});
export type ProjectSchemaDefinition = z.infer<typeof ProjectSchemaDefinitionSchema>;

/** A project's quality-gate policy (DESIGN.md section 5); every field is optional and defaults below. */
export const PolicySchema = z.strictObject({
  /** Minimum Krippendorff's alpha of every categorical dimension. */
  minAlpha: z.number().min(-1).max(1).optional(),
  /** Per-dimension overrides of minAlpha, keyed `modality/dimension` (e.g. `audio/emotion`). */
  minAlphaByDimension: z.record(z.string().regex(/^[a-z]+\/.+$/, 'key must be modality/dimension'), z.number().min(-1).max(1)).optional(),
  /** Minimum mean temporal IoU of every interval dimension. */
  minMeanIoU: z.number().min(0).max(1).optional(),
  /** Maximum share (0..1) of a batch's items that carry a flag. */
  maxFlaggedItemShare: z.number().min(0).max(1).optional(),
  /** Maximum systematic offset between two modalities' streams, in seconds. */
  maxStreamOffsetSeconds: z.number().min(0).optional(),
  /** Minimum number of judgements per item. */
  minJudgementsPerItem: z.number().int().min(1).optional(),
});
export type Policy = z.infer<typeof PolicySchema>;

export interface ResolvedPolicy {
  minAlpha: number;
  minAlphaByDimension: Record<string, number>;
  minMeanIoU: number;
  maxFlaggedItemShare: number;
  maxStreamOffsetSeconds: number;
  minJudgementsPerItem: number;
}

/**
 * The defaults of DESIGN.md section 5: alpha 0.667 (Krippendorff's floor for tentative
 * conclusions), mean IoU 0.5, 5% flagged items, 0.2 s stream offset (ITU-R BT.1359), 2 judgements.
 */
export const DEFAULT_POLICY: Readonly<ResolvedPolicy> = Object.freeze({
  minAlpha: 0.667,
  minAlphaByDimension: {},
  minMeanIoU: 0.5,
  maxFlaggedItemShare: 0.05,
  maxStreamOffsetSeconds: 0.2,
  minJudgementsPerItem: 2,
});

/** A project's policy with the defaults filled in (the version stored with each verdict). */
export function resolvePolicy(policy: Policy | null | undefined): ResolvedPolicy {
  return {
    minAlpha: policy?.minAlpha ?? DEFAULT_POLICY.minAlpha,
    minAlphaByDimension: { ...DEFAULT_POLICY.minAlphaByDimension, ...policy?.minAlphaByDimension },
    minMeanIoU: policy?.minMeanIoU ?? DEFAULT_POLICY.minMeanIoU,
    maxFlaggedItemShare: policy?.maxFlaggedItemShare ?? DEFAULT_POLICY.maxFlaggedItemShare,
    maxStreamOffsetSeconds: policy?.maxStreamOffsetSeconds ?? DEFAULT_POLICY.maxStreamOffsetSeconds,
    minJudgementsPerItem: policy?.minJudgementsPerItem ?? DEFAULT_POLICY.minJudgementsPerItem,
  };
}
