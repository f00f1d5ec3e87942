import { z } from 'zod';
import { DEFAULT_POLICY, type ResolvedPolicy } from '../agreement/evaluation.types';
import { LEVELS, MODALITIES } from '../agreement/types';

export type { ResolvedPolicy } from '../agreement/evaluation.types';

const name = z.string().trim().min(1).max(200);
/** Cross-field checks run on input whose fields are valid, so they can trust the types and bounds. */
const ON_VALID_FIELDS = { when: (payload: { issues: readonly unknown[] }) => payload.issues.length === 0 };

/** A label as written in the data (compared as the exact string: no trimming). */
const label = z.string().min(1).max(10_000);

export const SHAPES = ['categorical', 'intervals', 'boxes'] as const;

/**
 * A dimension of a project's schema (DESIGN.md section 2): its shape, level of measurement and
 * allowed labels. Labels outside `labels` are an ingest error; for level ordinal `labels` is also
 * their order, lowest first.
 */
export const DimensionSettingsSchema = z
  .strictObject({
    modality: z.enum(MODALITIES),
    dimension: name,
    shape: z.enum(SHAPES).optional().describe('categorical (a label or value per item), intervals (start/end), boxes'),
    level: z.enum(LEVELS).optional().describe('Level of measurement of a categorical dimension (default nominal)'),
    labels: z
      .array(label)
      .min(1)
      .max(1000)
      .optional()
      .describe('The allowed labels (any other is an ingest error); for level ordinal also their order, lowest first'),
    timed: z
      .boolean()
      .optional()
      .describe('Intervals are seconds (default true, except modality text: character offsets); only timed dimensions are synchronised and compared across modalities'),
  })
  .superRefine((d, context) => {
    if (d.labels !== undefined) {
      const seen = new Set<string>();
      d.labels.forEach((value, index) => {
        if (seen.has(value)) context.addIssue({ code: 'custom', message: `label "${value}" is listed twice`, path: ['labels', index] });
        seen.add(value);
      });
    }
    if (d.level !== undefined && d.shape !== undefined && d.shape !== 'categorical') {
      context.addIssue({ code: 'custom', message: `a level of measurement applies to categorical dimensions, not to ${d.shape}`, path: ['level'] });
    }
    if (d.timed !== undefined && d.shape !== undefined && d.shape !== 'intervals') {
      context.addIssue({ code: 'custom', message: `timed applies to intervals, not to ${d.shape}`, path: ['timed'] });
    }
  }, ON_VALID_FIELDS);
export type DimensionSettings = z.infer<typeof DimensionSettingsSchema>;

/** One modality's contribution to a cross-modal concept: its labels mapped onto the concept's values. */
export const CrossModalSourceSchema = z.strictObject({
  modality: z.enum(MODALITIES),
  dimension: name,
  /** label in this dimension → value of the shared concept (e.g. `happy` → `+`). */
  map: z.record(label, z.string().min(1).max(200)),
});

/** A shared concept several modalities judge (e.g. valence from sentiment, emotion and expression). */
export const CrossModalMappingSchema = z.strictObject({
  concept: name,
  sources: z.array(CrossModalSourceSchema).min(2),
});

const dimensionKey = (d: { modality: string; dimension: string }): string => `${d.modality}/${d.dimension}`;

/**
 * A project's schema (DESIGN.md section 2): its dimensions, cross-modal mappings and gold
 * annotators. With `closed`, the listed dimensions are the only ones an upload may hold; otherwise
 * other dimensions are kept with the defaults (shape from the data, level nominal, any label).
 * Checked as a whole: dimensions listed once, cross-modal sources naming listed dimensions of a
 * closed schema and only allowed labels of a dimension that lists them.
 */
export const ProjectSchemaDefinitionSchema = z
  .strictObject({
    dimensions: z.array(DimensionSettingsSchema).max(1000).optional(),
    closed: z
      .boolean()
      .optional()
      .describe('Only the listed dimensions may be uploaded (a record of another is an ingest error); default false'),
    crossModal: z.array(CrossModalMappingSchema).max(100).optional(),
    goldAnnotators: z
      .array(name)
      .max(1000)
      .optional()
      .describe('Annotators whose judgements are gold: compared against, never a peer in agreement'),
  })
  .superRefine((schema, context) => {
    const dimensions = new Map<string, DimensionSettings>();
    (schema.dimensions ?? []).forEach((d, index) => {
      const key = dimensionKey(d);
      if (dimensions.has(key)) context.addIssue({ code: 'custom', message: `${key} is listed twice`, path: ['dimensions', index, 'dimension'] });
      else dimensions.set(key, d);
    });
    if (schema.closed === true && schema.dimensions === undefined) {
      context.addIssue({ code: 'custom', message: 'a closed schema lists its dimensions', path: ['closed'] });
    }
    const concepts = new Set<string>();
    (schema.crossModal ?? []).forEach((mapping, m) => {
      if (concepts.has(mapping.concept)) context.addIssue({ code: 'custom', message: `concept "${mapping.concept}" is mapped twice`, path: ['crossModal', m, 'concept'] });
      concepts.add(mapping.concept);
      const sources = new Set<string>();
      mapping.sources.forEach((source, s) => {
        const key = dimensionKey(source);
        const path = ['crossModal', m, 'sources', s];
        if (sources.has(key)) context.addIssue({ code: 'custom', message: `${key} is a source twice`, path: [...path, 'dimension'] });
        sources.add(key);
        const listed = dimensions.get(key);
        if (listed === undefined) {
          if (schema.closed === true) context.addIssue({ code: 'custom', message: `${key} is not a dimension of the schema`, path: [...path, 'dimension'] });
          return;
        }
        if (listed.shape !== undefined && listed.shape !== 'categorical' && listed.shape !== 'intervals') {
          context.addIssue({ code: 'custom', message: `${key} holds ${listed.shape}: only labels and labelled segments map onto a concept`, path: [...path, 'dimension'] });
        }
        if (listed.labels === undefined) return;
        const allowed = new Set(listed.labels);
        for (const key of Object.keys(source.map)) {
          if (!allowed.has(key)) {
            context.addIssue({ code: 'custom', message: `"${key}" is not one of the labels of ${dimensionKey(source)}`, path: [...path, 'map', key] });
          }
        }
      });
    });
    const gold = new Set<string>();
    (schema.goldAnnotators ?? []).forEach((annotator, index) => {
      if (gold.has(annotator)) context.addIssue({ code: 'custom', message: `annotator "${annotator}" is listed twice`, path: ['goldAnnotators', index] });
      gold.add(annotator);
    });
  }, ON_VALID_FIELDS)
  .meta({ id: 'ProjectSchema' });
export type ProjectSchemaDefinition = z.infer<typeof ProjectSchemaDefinitionSchema>;

const alpha = z.number().min(-1).max(1);
const share = z.number().min(0).max(1);
/** Seconds; an hour is far beyond any real tolerance or offset, so larger values are typos. */
const seconds = z.number().min(0).max(3600);

/**
 * A project's quality-gate policy (DESIGN.md section 5): every field of ResolvedPolicy, optional;
 * what a project leaves out is DEFAULT_POLICY's.
 */
export const PolicySchema = z
  .strictObject({
    minAlpha: alpha.optional().describe('Minimum Krippendorff\'s alpha of every categorical dimension (default 0.667)'),
    minAlphaByDimension: z
      .record(z.string().regex(new RegExp(`^(${MODALITIES.join('|')})/.+$`), 'key must be modality/dimension'), alpha)
      .optional()
      .describe('Per-dimension overrides of minAlpha, keyed `modality/dimension` (e.g. `audio/emotion`)'),
    minMeanIoU: share.optional().describe('Minimum mean temporal IoU of every interval dimension (default 0.5)'),
    maxFlaggedItemShare: share.optional().describe('Maximum share (0..1) of a batch\'s items with a flag (default 0.05)'),
    maxStreamOffsetSeconds: seconds.optional().describe('Maximum systematic offset between two modalities\' streams, seconds (default 0.2)'),
    minJudgementsPerItem: z.number().int().min(1).max(1000).optional().describe('Minimum number of peer judgements per item (default 2)'),
    minGoldAccuracy: share.nullable().optional().describe('Minimum accuracy of every annotator against gold; null = rule off (default)'),
    boundaryToleranceSeconds: seconds.optional().describe('Onset/offset deviation beyond which matched segments are misaligned, seconds (default 0.25)'),
    crossModalToleranceSeconds: seconds.optional().describe('Cross-modal disagreement longer than this is a conflict, seconds (default 0.5)'),
    outlierMargin: z.number().min(0).max(2).optional().describe('Drop-one alpha rising by more than this flags the annotator as an outlier (default 0.05)'),
    maxShiftSeconds: z.number().gt(0).max(3600).optional().describe('Largest stream shift searched, seconds (default 2)'),
    matchThreshold: z.number().gt(0).max(1).optional().describe('Least IoU for matching segments and boxes (default 0.5)'),
  })
  .superRefine((policy, context) => {
    // A systematic offset is found only within the searched shift: a larger limit could never fail.
    const resolved = resolvePolicy(policy);
    if (resolved.maxStreamOffsetSeconds >= resolved.maxShiftSeconds) {
      const path = policy.maxShiftSeconds === undefined ? 'maxStreamOffsetSeconds' : 'maxShiftSeconds';
      context.addIssue({
        code: 'custom',
        message: `maxShiftSeconds (${resolved.maxShiftSeconds}) must exceed maxStreamOffsetSeconds (${resolved.maxStreamOffsetSeconds}): offsets are searched only up to it`,
        path: [path],
      });
    }
  }, ON_VALID_FIELDS)
  .meta({ id: 'Policy' });
export type Policy = z.infer<typeof PolicySchema>;

/** A project's policy with the defaults filled in (the version stored with each verdict). */
export function resolvePolicy(policy: Policy | null | undefined): ResolvedPolicy {
  const set = Object.fromEntries(Object.entries(policy ?? {}).filter(([, value]) => value !== undefined)) as Partial<ResolvedPolicy>;
  return {
    ...DEFAULT_POLICY,
    ...set,
    minAlphaByDimension: { ...DEFAULT_POLICY.minAlphaByDimension, ...policy?.minAlphaByDimension },
  };
}
