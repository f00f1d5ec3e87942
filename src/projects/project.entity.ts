import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { Policy, ProjectSchemaDefinition } from './project-settings';

/** Table `projects` (migrations/1764190000000-initial-schema.ts). Never returned by the API as is. */
@Entity({ name: 'projects' })
export class Project {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_projects' })
  id!: string;

  @Column('text')
  name!: string;

  /** The current schema (dimensions, cross-modal mappings, gold annotators); null = inferred from the data. */
  @Column('jsonb', { nullable: true })
  schema!: ProjectSchemaDefinition | null;

  /** The current schema's version in project_settings_versions; null while there is none. */
  @Column('integer', { name: 'schema_version', nullable: true })
  schemaVersion!: number | null;

  /** The current quality-gate policy; null = the defaults of DESIGN.md section 5. */
  @Column('jsonb', { nullable: true })
  policy!: Policy | null;

  /** The current policy's version in project_settings_versions; null while there is none. */
  @Column('integer', { name: 'policy_version', nullable: true })
  policyVersion!: number | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
