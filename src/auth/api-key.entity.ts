import { Check, Column, CreateDateColumn, Entity, ForeignKey, Index, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { Project } from '../projects/project.entity';
import type { Role } from './principal';

/** Table `api_keys`: only the SHA-256 of each key is stored; the key itself is shown once. */
@Entity({ name: 'api_keys' })
@Unique('uq_api_keys_key_hash', ['keyHash'])
@Check('ck_api_keys_role', `role IN ('admin', 'qa_lead', 'vendor')`)
@Check('ck_api_keys_vendor', `(role = 'vendor') = (vendor IS NOT NULL)`)
@Check('ck_api_keys_project', `(role = 'admin') = (project_id IS NULL)`)
@Index('idx_api_keys_project', ['projectId'])
export class ApiKey {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_api_keys' })
  id!: string;

  /** Null for admin keys; the one project of a qa_lead or vendor key. */
  @Column('uuid', { name: 'project_id', nullable: true })
  @ForeignKey(() => Project, { name: 'fk_api_keys_project', onDelete: 'CASCADE' })
  projectId!: string | null;

  @Column('text')
  role!: Role;

  @Column('text', { nullable: true })
  vendor!: string | null;

  /** Hex SHA-256 of the whole key. */
  @Column('text', { name: 'key_hash' })
  keyHash!: string;

  /** The key's first 12 characters, to tell keys apart in listings and logs. */
  @Column('text', { name: 'key_prefix' })
  keyPrefix!: string;

  @Column('text', { nullable: true })
  label!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'revoked_at', nullable: true })
  revokedAt!: Date | null;
}
