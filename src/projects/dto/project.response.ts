import { z } from 'zod';
import { PolicySchema, ProjectSchemaDefinitionSchema } from '../project-settings';

/** Response schemas: they document the API (OpenAPI) and type the mappers. */
export const ResolvedPolicySchema = z
  .object({
    minAlpha: z.number(),
    minAlphaByDimension: z.record(z.string(), z.number()),
    minMeanIoU: z.number(),
    maxFlaggedItemShare: z.number(),
    maxStreamOffsetSeconds: z.number(),
    minJudgementsPerItem: z.number().int(),
    minGoldAccuracy: z.number().nullable(),
    boundaryToleranceSeconds: z.number(),
    crossModalToleranceSeconds: z.number(),
    outlierMargin: z.number(),
    maxShiftSeconds: z.number(),
    matchThreshold: z.number(),
  })
  .meta({ id: 'ResolvedPolicy', description: 'The policy with every default filled in (DESIGN.md section 5)' });

export const ProjectResponse = z
  .object({
    id: z.uuid(),
    name: z.string(),
    schema: ProjectSchemaDefinitionSchema.nullable().describe('The schema as set; null = inferred from the data (GET …/schema shows it)'),
    schemaVersion: z.number().int().nullable().describe('Version of the current schema; null while none is set'),
    policy: PolicySchema.nullable().describe('The policy as set; null = defaults'),
    policyVersion: z.number().int().nullable().describe('Version of the current policy; null while none is set'),
    effectivePolicy: ResolvedPolicySchema.describe('The policy with defaults filled in'),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'Project' });
export type ProjectResponse = z.infer<typeof ProjectResponse>;

export const ProjectListResponse = z.object({ projects: z.array(ProjectResponse) }).meta({ id: 'ProjectList' });
export type ProjectListResponse = z.infer<typeof ProjectListResponse>;

export const IssuedKeyResponse = z
  .object({
    id: z.uuid(),
    key: z.string().describe('The API key. Shown only in this response; only its hash is stored.'),
    keyPrefix: z.string(),
    role: z.enum(['qa_lead', 'vendor']),
    projectId: z.uuid(),
    vendor: z.string().nullable(),
    label: z.string().nullable(),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'IssuedKey' });
export type IssuedKeyResponse = z.infer<typeof IssuedKeyResponse>;
