import type { AnalyzeOptions } from '../agreement/analyze';
import type { Level } from '../agreement/types';
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
 * The analysis options of a project: each dimension's level from the schema, and the bootstrap
 * against the policy's minimum alpha. The worker and the tests build options only through here,
 * so what the service stores is what `analyzeDataset` gives for the same file and settings.
 * Stored settings are parsed leniently: a schema or policy that no longer parses counts as unset.
 */
export function analysisOptionsFor(schema: unknown, policy: unknown): AnalyzeOptions {
  const parsedSchema = ProjectSchemaDefinitionSchema.safeParse(schema ?? {});
  const parsedPolicy = PolicySchema.safeParse(policy ?? {});
  const levels: Record<string, Level> = {};
  if (parsedSchema.success) {
    for (const entry of parsedSchema.data.dimensions ?? []) {
      if (entry.level !== undefined) levels[`${entry.modality}/${entry.dimension}`] = entry.level;
    }
  }
  const minAlpha = resolvePolicy(parsedPolicy.success ? parsedPolicy.data : null).minAlpha;
  return { levels, bootstrap: { ...SERVICE_BOOTSTRAP, alphaMin: minAlpha } };
}
