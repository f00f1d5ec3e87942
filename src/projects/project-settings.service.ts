import { Injectable } from '@nestjs/common';
import { assertRole } from '../auth/access-policy';
import type { Principal } from '../auth/principal';
import { DomainError } from '../common/domain-error';
import { ProjectRepository, type SettingsVersionRow } from './project.repository';
import type { ProjectSettingsVersion, SettingsKind } from './project-settings-version.entity';
import { compileSchema, inferSchemaFromSummaries, MAX_INFERRED_LABELS, type CompiledSchema, type InferredSchema } from './project-schema';
import { ProjectSchemaDefinitionSchema, type Policy, type ProjectSchemaDefinition } from './project-settings';
import { actorKeyId, ProjectService } from './project.service';

/** A project's current schema: as set (with its version), or inferred from its stored data. */
export interface SchemaState {
  version: number | null;
  inferred: boolean;
  schema: ProjectSchemaDefinition;
  notes: string[];
}

export interface PolicyState {
  version: number | null;
  policy: Policy | null;
}

/**
 * A project's schema and policy, versioned (issue 5): every key that sees the project reads them;
 * an admin or the project's qa_lead changes them, each change a new version.
 */
@Injectable()
export class ProjectSettingsService {
  constructor(
    private readonly projects: ProjectService,
    private readonly repository: ProjectRepository,
  ) {}

  async getSchema(principal: Principal, projectId: string): Promise<SchemaState> {
    const project = await this.projects.getVisible(principal, projectId);
    if (project.schema !== null) return { version: project.schemaVersion, inferred: false, schema: project.schema, notes: [] };
    const inferred: InferredSchema = inferSchemaFromSummaries(await this.repository.summarizeDimensions(projectId, MAX_INFERRED_LABELS));
    return { version: null, inferred: true, ...inferred };
  }

  async getPolicy(principal: Principal, projectId: string): Promise<PolicyState> {
    const project = await this.projects.getVisible(principal, projectId);
    return { version: project.policyVersion, policy: project.policy };
  }

  async setSchema(principal: Principal, projectId: string, schema: ProjectSchemaDefinition): Promise<SchemaState> {
    const version = await this.addVersion(principal, projectId, 'schema', schema);
    return { version: version.version, inferred: false, schema, notes: [] };
  }

  async setPolicy(principal: Principal, projectId: string, policy: Policy): Promise<PolicyState> {
    const version = await this.addVersion(principal, projectId, 'policy', policy);
    return { version: version.version, policy };
  }

  async listVersions(principal: Principal, projectId: string, kind: SettingsKind): Promise<SettingsVersionRow[]> {
    await this.projects.getVisible(principal, projectId);
    return this.repository.listSettingsVersions(projectId, kind);
  }

  async getVersion(principal: Principal, projectId: string, kind: SettingsKind, version: number): Promise<ProjectSettingsVersion> {
    await this.projects.getVisible(principal, projectId);
    const found = await this.repository.findSettingsVersion(projectId, kind, version);
    if (found === null) throw DomainError.notFound(`${kind === 'schema' ? 'Schema' : 'Policy'} version`, String(version));
    return found;
  }

  /**
   * The project's schema as the ingest checks records against it; null without one. A stored schema
   * that no longer parses counts as unset, as for the analysis (see analysisOptionsFor).
   */
  async compiledSchemaOf(projectId: string): Promise<CompiledSchema | null> {
    const project = await this.repository.findById(projectId);
    if (project?.schema == null) return null;
    const parsed = ProjectSchemaDefinitionSchema.safeParse(project.schema);
    return parsed.success ? compileSchema(parsed.data) : null;
  }

  /** A project the key sees (else 404) and may configure (else 403: vendors). */
  private async addVersion(principal: Principal, projectId: string, kind: SettingsKind, body: unknown): Promise<SettingsVersionRow> {
    await this.projects.getVisible(principal, projectId);
    assertRole(principal, 'admin', 'qa_lead');
    const version = await this.repository.addSettingsVersion(projectId, kind, body, actorKeyId(principal));
    if (version === null) throw DomainError.notFound('Project', projectId);
    return version;
  }
}
