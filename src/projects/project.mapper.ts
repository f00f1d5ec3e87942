import type { IssuedKey } from '../auth/api-key.service';
import type { IssuedKeyResponse, ProjectListResponse, ProjectResponse } from './dto/project.response';
import type { Project } from './project.entity';
import { resolvePolicy } from './project-settings';

export function toProjectResponse(project: Project): ProjectResponse {
  return {
    id: project.id,
    name: project.name,
    schema: project.schema,
    schemaVersion: project.schemaVersion,
    policy: project.policy,
    policyVersion: project.policyVersion,
    effectivePolicy: resolvePolicy(project.policy),
    createdAt: project.createdAt.toISOString(),
  };
}

export function toProjectListResponse(projects: readonly Project[]): ProjectListResponse {
  return { projects: projects.map(toProjectResponse) };
}

export function toIssuedKeyResponse(issued: IssuedKey): IssuedKeyResponse {
  const { record } = issued;
  if (record.role === 'admin' || record.projectId === null) throw new Error('project keys only');
  return {
    id: record.id,
    key: issued.key,
    keyPrefix: record.keyPrefix,
    role: record.role,
    projectId: record.projectId,
    vendor: record.vendor,
    label: record.label,
    createdAt: record.createdAt.toISOString(),
  };
}
