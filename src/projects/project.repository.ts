import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import type { Modality, Shape } from '../agreement/types';
import { Project } from './project.entity';
import type { DimensionSummary } from './project-schema';
import { ProjectSettingsVersion, type SettingsKind } from './project-settings-version.entity';
import type { Policy, ProjectSchemaDefinition } from './project-settings';

/** One version of a project's schema or policy, without its body. */
export interface SettingsVersionRow {
  version: number;
  createdAt: Date;
  createdBy: string | null;
}

/** The body column and version column of each kind on `projects` (a fixed map: never user input). */
const CURRENT_COLUMNS: Record<SettingsKind, { body: string; version: string }> = {
  schema: { body: 'schema', version: 'schema_version' },
  policy: { body: 'policy', version: 'policy_version' },
};

@Injectable()
export class ProjectRepository {
  constructor(@InjectRepository(Project) private readonly projects: Repository<Project>) {}

  /** The project and, for a schema or policy given, its version 1 — in one transaction. */
  create(
    input: { name: string; schema: ProjectSchemaDefinition | null; policy: Policy | null },
    createdBy: string | null,
  ): Promise<Project> {
    return this.projects.manager.transaction(async (manager) => {
      const project = await manager.save(
        manager.create(Project, {
          ...input,
          schemaVersion: input.schema === null ? null : 1,
          policyVersion: input.policy === null ? null : 1,
        }),
      );
      const versions = [
        ...(input.schema === null ? [] : [{ kind: 'schema' as const, body: input.schema }]),
        ...(input.policy === null ? [] : [{ kind: 'policy' as const, body: input.policy }]),
      ].map((version) => ({ ...version, projectId: project.id, version: 1, createdBy }));
      if (versions.length > 0) await manager.insert(ProjectSettingsVersion, versions);
      return project;
    });
  }

  findById(id: string): Promise<Project | null> {
    return this.projects.findOne({ where: { id } });
  }

  /** Every project, newest first (admins). */
  listAll(): Promise<Project[]> {
    return this.projects.find({ order: { createdAt: 'DESC', id: 'DESC' } });
  }

  /**
   * Makes `body` the project's current schema or policy as its next version, and keeps the version:
   * one statement, hence one transaction. Concurrent changes of one project queue on its row lock
   * and each gets the next number. Null when the project is gone.
   */
  async addSettingsVersion(projectId: string, kind: SettingsKind, body: unknown, createdBy: string | null): Promise<SettingsVersionRow | null> {
    const columns = CURRENT_COLUMNS[kind];
    const rows: { version: number; created_at: Date; created_by: string | null }[] = await this.projects.query(
      `WITH current AS (
         UPDATE projects SET ${columns.body} = $3::jsonb, ${columns.version} = coalesce(${columns.version}, 0) + 1
         WHERE id = $1
         RETURNING id, ${columns.version} AS version
       )
       INSERT INTO project_settings_versions (project_id, kind, version, body, created_by)
       SELECT id, $2, version, $3::jsonb, $4 FROM current
       RETURNING version, created_at, created_by`,
      [projectId, kind, JSON.stringify(body), createdBy],
    );
    const row = rows[0];
    return row === undefined ? null : { version: row.version, createdAt: row.created_at, createdBy: row.created_by };
  }

  /** The versions of a project's schema or policy, newest first. */
  async listSettingsVersions(projectId: string, kind: SettingsKind): Promise<SettingsVersionRow[]> {
    const rows = await this.projects.manager.find(ProjectSettingsVersion, {
      select: { version: true, createdAt: true, createdBy: true },
      where: { projectId, kind },
      order: { version: 'DESC' },
    });
    return rows.map(({ version, createdAt, createdBy }) => ({ version, createdAt, createdBy }));
  }

  findSettingsVersion(projectId: string, kind: SettingsKind, version: number): Promise<ProjectSettingsVersion | null> {
    return this.projects.manager.findOne(ProjectSettingsVersion, { where: { projectId, kind, version } });
  }

  /**
   * Each (modality, dimension) of the project's stored judgements (free text left out) with its
   * shape and distinct labels, in one aggregate over the annotations of its batches: the rows are
   * never loaded. Labels are listed only when there are at most `labelLimit` (in code point order);
   * `label_count` says how many there are.
   */
  async summarizeDimensions(projectId: string, labelLimit: number): Promise<DimensionSummary[]> {
    const rows: { modality: Modality; dimension: string; shape: Shape; label_count: number; labels: string[] | null }[] = await this.projects.query(
      `SELECT a.modality, a.dimension,
              CASE WHEN bool_or(a.box_x IS NOT NULL) THEN 'boxes'
                   WHEN bool_or(a.start_s IS NOT NULL OR a.end_s IS NOT NULL) THEN 'intervals'
                   ELSE 'categorical' END AS shape,
              count(DISTINCT a.label)::int AS label_count,
              CASE WHEN count(DISTINCT a.label) <= $2
                   THEN array_agg(DISTINCT a.label COLLATE "C" ORDER BY a.label COLLATE "C") FILTER (WHERE a.label IS NOT NULL)
              END AS labels
       FROM batches b
       JOIN annotations a ON a.batch_id = b.id
       WHERE b.project_id = $1 AND a.text IS NULL
       GROUP BY a.modality, a.dimension`,
      [projectId, labelLimit],
    );
    return rows.map((row) => ({
      modality: row.modality,
      dimension: row.dimension,
      shape: row.shape,
      labels: row.labels ?? [],
      labelCount: row.label_count,
    }));
  }
}
