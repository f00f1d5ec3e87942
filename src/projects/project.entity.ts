import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { Policy, ProjectSchemaDefinition } from './project-settings';

/** Table `projects` (migrations/1764190000000-initial-schema.ts). Never returned by the API as is. */
@Entity({ name: 'projects' })
export class Project {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_projects' })
  id!: string;

  @Column('text')
  name!: string;

  /** Levels of measurement and cross-modal mappings; null = defaults. */
  @Column('jsonb', { nullable: true })
  schema!: ProjectSchemaDefinition | null;

  /** Quality-gate policy; null = the defaults of DESIGN.md section 5. */
  @Column('jsonb', { nullable: true })
  policy!: Policy | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
