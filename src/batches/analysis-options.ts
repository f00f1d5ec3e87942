import type { AnalyzeOptions } from '../agreement/analyze';
import { compileSchema } from '../projects/project-schema';
import {
  PolicySchema,
  ProjectSchemaDefinitionSchema,
  resolvePolicy,
} from '../projects/project-settings';

/**
 * Bootstrap of alpha's confidence interval in the service: 1000 resamples from a fixed seed, so a
 * batch's stored `ci` is reproducible (the CLI gives the same with `--bootstrap 1000 --seed 1`).
 */
export const SERVICE_BOOTSTRAP = { samples: 1000, seed: 1 } as const;

/**
 * The analysis options of a project: each dimension's level from the schema, the bootstrap
 * against the policy's minimum alpha, and the policy's matching threshold. (A named ordinal
 * label's order reaches the analysis as the record's value, its rank, set at ingest by
 * CompiledSchema.prepareRecord.) The worker and the tests build options only through here, so
 * what the service stores is what `analyzeDataset` gives for the same file and settings. Stored
 * settings are parsed leniently: a schema or policy that no longer parses counts as unset.
 */
export function analysisOptionsFor(schema: unknown, policy: unknown): AnalyzeOptions {
  const parsedSchema = ProjectSchemaDefinitionSchema.safeParse(schema ?? {});
  const parsedPolicy = PolicySchema.safeParse(policy ?? {});
  const levels = parsedSchema.success ? compileSchema(parsedSchema.data).levels : {};
  const resolved = resolvePolicy(parsedPolicy.success ? parsedPolicy.data : null);
  return { levels, threshold: resolved.matchThreshold, bootstrap: { ...SERVICE_BOOTSTRAP, alphaMin: resolved.minAlpha } };
}
