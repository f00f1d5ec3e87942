import type {
  PolicyVersionResponse,
  ProjectPolicyResponse,
  ProjectSchemaResponse,
  SchemaVersionResponse,
  SettingsVersionListResponse,
} from './dto/project-settings.response';
import type { SettingsVersionRow } from './project.repository';
import type { PolicyState, SchemaState } from './project-settings.service';
import type { ProjectSettingsVersion } from './project-settings-version.entity';
import { resolvePolicy, type Policy, type ProjectSchemaDefinition } from './project-settings';

export function toProjectSchemaResponse(state: SchemaState): ProjectSchemaResponse {
  return { version: state.version, inferred: state.inferred, schema: state.schema, notes: state.notes };
}

export function toProjectPolicyResponse(state: PolicyState): ProjectPolicyResponse {
  return { version: state.version, policy: state.policy, resolved: resolvePolicy(state.policy) };
}

function toVersionSummary(row: SettingsVersionRow): SettingsVersionListResponse['versions'][number] {
  return { version: row.version, createdAt: row.createdAt.toISOString(), createdBy: row.createdBy };
}

export function toSettingsVersionListResponse(rows: readonly SettingsVersionRow[]): SettingsVersionListResponse {
  return { versions: rows.map(toVersionSummary) };
}

export function toSchemaVersionResponse(row: ProjectSettingsVersion): SchemaVersionResponse {
  return { ...toVersionSummary(row), schema: row.body as ProjectSchemaDefinition };
}

export function toPolicyVersionResponse(row: ProjectSettingsVersion): PolicyVersionResponse {
  const policy = row.body as Policy;
  return { ...toVersionSummary(row), policy, resolved: resolvePolicy(policy) };
}
