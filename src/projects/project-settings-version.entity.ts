import { Check, Column, CreateDateColumn, Entity, ForeignKey, PrimaryColumn } from 'typeorm';
import { Project } from './project.entity';

export const SETTINGS_KINDS = ['schema', 'policy'] as const;
export type SettingsKind = (typeof SETTINGS_KINDS)[number];

/**
 * Table `project_settings_versions` (migrations/1764300000000-project-settings-versions.ts): every
 * schema and policy a project has had, numbered 1, 2, … per kind. The current one is also on
 * `projects` (body and version), so reading a project needs no join; a verdict names the policy
 * version it used, and this table keeps that version's body.
 */
@Entity({ name: 'project_settings_versions' })
@Check('ck_project_settings_versions_kind', `kind IN ('schema', 'policy')`)
@Check('ck_project_settings_versions_version', `version > 0`)
export class ProjectSettingsVersion {
  @PrimaryColumn('uuid', { name: 'project_id', primaryKeyConstraintName: 'pk_project_settings_versions' })
  @ForeignKey(() => Project, { name: 'fk_project_settings_versions_project', onDelete: 'CASCADE' })
  projectId!: string;

  @PrimaryColumn('text', { primaryKeyConstraintName: 'pk_project_settings_versions' })
  kind!: SettingsKind;

  @PrimaryColumn('integer', { primaryKeyConstraintName: 'pk_project_settings_versions' })
  version!: number;

  /** The schema or policy as set (ProjectSchemaDefinition or Policy). */
  @Column('jsonb')
  body!: unknown;

  /** The API key that set it; null for settings set outside the API (the demo seed, the backfill). */
  @Column('uuid', { name: 'created_by', nullable: true })
  createdBy!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
