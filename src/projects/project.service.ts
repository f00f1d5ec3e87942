import { Injectable } from '@nestjs/common';
import { assertProjectAccess, assertRole } from '../auth/access-policy';
import { ApiKeyService, type IssuedKey } from '../auth/api-key.service';
import type { Principal } from '../auth/principal';
import { DomainError } from '../common/domain-error';
import type { CreateProjectBody } from './dto/create-project.dto';
import type { IssueKeyBody } from './dto/issue-key.dto';
import type { Project } from './project.entity';
import { ProjectRepository } from './project.repository';

/** Key ids are uuids; a principal made up outside the API (the demo seed) has none to record. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The API key behind a change, for `created_by` columns; null for a principal without a key. */
export function actorKeyId(principal: Principal): string | null {
  return UUID.test(principal.keyId) ? principal.keyId : null;
}

@Injectable()
export class ProjectService {
  constructor(
    private readonly projects: ProjectRepository,
    private readonly keys: ApiKeyService,
  ) {}

  /**
   * Admins create projects; other keys are refused with 403 (there is no id to hide). A schema or
   * policy given is stored as its version 1.
   */
  async create(principal: Principal, body: CreateProjectBody): Promise<Project> {
    assertRole(principal, 'admin');
    return this.projects.create({ name: body.name, schema: body.schema ?? null, policy: body.policy ?? null }, actorKeyId(principal));
  }

  /** The projects the key may see: all for an admin, its own for a project key. */
  async listVisible(principal: Principal): Promise<Project[]> {
    if (principal.role === 'admin') return this.projects.listAll();
    const own = principal.projectId === null ? null : await this.projects.findById(principal.projectId);
    return own ? [own] : [];
  }

  /** A project the key may see, or NOT_FOUND. */
  async getVisible(principal: Principal, projectId: string): Promise<Project> {
    assertProjectAccess(principal, projectId);
    const project = await this.projects.findById(projectId);
    if (!project) throw DomainError.notFound('Project', projectId);
    return project;
  }

  /**
   * Issues a project key: admins issue qa_lead and vendor keys; a project's qa_lead issues vendor
   * keys for it; vendors issue none. A project the key cannot see is NOT_FOUND.
   */
  async issueKey(principal: Principal, projectId: string, body: IssueKeyBody): Promise<IssuedKey> {
    const project = await this.getVisible(principal, projectId);
    if (body.role === 'qa_lead') assertRole(principal, 'admin');
    else assertRole(principal, 'admin', 'qa_lead');
    return this.keys.issue({
      role: body.role,
      projectId: project.id,
      vendor: body.vendor ?? null,
      label: body.label ?? null,
    });
  }
}
