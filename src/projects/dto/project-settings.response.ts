import { z } from 'zod';
import { PolicySchema, ProjectSchemaDefinitionSchema } from '../project-settings';
import { ResolvedPolicySchema } from './project.response';

const version = z.number().int().min(1);

export const ProjectSchemaResponse = z
  .object({
    version: version.nullable().describe('Version of the schema; null when it is inferred'),
    inferred: z.boolean().describe('True when the project has no schema and this one is inferred from its stored batches'),
    schema: ProjectSchemaDefinitionSchema,
    notes: z.array(z.string()).describe('What to know about an inferred schema (labels left out, numbers without a level)'),
  })
  .meta({ id: 'ProjectSchemaState' });
export type ProjectSchemaResponse = z.infer<typeof ProjectSchemaResponse>;

export const ProjectPolicyResponse = z
  .object({
    version: version.nullable().describe('Version of the policy; null while none is set (the defaults apply)'),
    policy: PolicySchema.nullable().describe('The policy as set; null = defaults'),
    resolved: ResolvedPolicySchema,
  })
  .meta({ id: 'ProjectPolicyState' });
export type ProjectPolicyResponse = z.infer<typeof ProjectPolicyResponse>;

const SettingsVersionSummary = z.object({
  version,
  createdAt: z.iso.datetime(),
  createdBy: z.uuid().nullable().describe('The API key that set it; null when set outside the API'),
});

export const SettingsVersionListResponse = z
  .object({ versions: z.array(SettingsVersionSummary).describe('Newest first') })
  .meta({ id: 'SettingsVersionList' });
export type SettingsVersionListResponse = z.infer<typeof SettingsVersionListResponse>;

export const SchemaVersionResponse = SettingsVersionSummary.extend({ schema: ProjectSchemaDefinitionSchema }).meta({ id: 'SchemaVersion' });
export type SchemaVersionResponse = z.infer<typeof SchemaVersionResponse>;

export const PolicyVersionResponse = SettingsVersionSummary.extend({ policy: PolicySchema, resolved: ResolvedPolicySchema }).meta({ id: 'PolicyVersion' });
export type PolicyVersionResponse = z.infer<typeof PolicyVersionResponse>;
