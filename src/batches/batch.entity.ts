import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  ForeignKey,
  Index,
  PrimaryGeneratedColumn,
  Unique,
  UpdateDateColumn,
} from 'typeorm';
import { Project } from '../projects/project.entity';

export const BATCH_STATUSES = ['queued', 'processing', 'completed', 'failed'] as const;
export type BatchStatus = (typeof BATCH_STATUSES)[number];

export const BATCH_VERDICTS = ['pending', 'pass', 'fail'] as const;
export type BatchVerdict = (typeof BATCH_VERDICTS)[number];

/**
 * Table `batches`: one uploaded export. The two listing indexes are descending on created_at,
 * which TypeORM cannot express, so they are declared `synchronize: false` (the migration owns them).
 */
@Entity({ name: 'batches' })
@Check('ck_batches_status', `status IN ('queued', 'processing', 'completed', 'failed')`)
@Check('ck_batches_verdict', `verdict IN ('pending', 'pass', 'fail')`)
@Unique('uq_batches_project_content_hash', ['projectId', 'contentHash'])
// (project_id, created_at DESC, id DESC): listings, newest first, keyset cursor
@Index('idx_batches_project_created', { synchronize: false })
// (project_id, vendor, created_at DESC): a vendor's own batches
@Index('idx_batches_project_vendor_created', { synchronize: false })
// (replaces_batch_id) WHERE replaces_batch_id IS NOT NULL: serves the ON DELETE SET NULL below
@Index('idx_batches_replaces', { synchronize: false })
export class Batch {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_batches' })
  id!: string;

  @Column('uuid', { name: 'project_id' })
  @ForeignKey(() => Project, { name: 'fk_batches_project', onDelete: 'CASCADE' })
  projectId!: string;

  /** The vendor the export came from (a vendor key's own vendor, or `?vendor=`); null = unattributed. */
  @Column('text', { nullable: true })
  vendor!: string | null;

  @Column('text', { default: 'queued' })
  status!: BatchStatus;

  /** The format adapter that parsed the upload (`canonical-csv`, `label-studio`, …). */
  @Column('text')
  format!: string;

  @Column('text', { name: 'file_name', nullable: true })
  fileName!: string | null;

  /** Hex SHA-256 of the uploaded bytes: the same file uploaded twice to a project is one batch. */
  @Column('text', { name: 'content_hash' })
  contentHash!: string;

  @Column('integer', { name: 'record_count' })
  recordCount!: number;

  @Column('integer', { name: 'item_count' })
  itemCount!: number;

  @Column('integer', { name: 'annotator_count' })
  annotatorCount!: number;

  @Column('integer', { name: 'dimension_count' })
  dimensionCount!: number;

  /** 0..1, the share of the batch's jobs that are done. */
  @Column('real', { default: 0 })
  progress!: number;

  /** Why the batch failed, when it did. */
  @Column('text', { nullable: true })
  error!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;

  @Column('timestamptz', { name: 'completed_at', nullable: true })
  completedAt!: Date | null;

  /** Quality-gate verdict of the last evaluation; `pending` until one finishes (and while a re-evaluation runs). */
  @Column('text', { default: 'pending' })
  verdict!: BatchVerdict;

  /** The failed GateChecks of that evaluation (empty on a pass). */
  @Column('jsonb', { name: 'verdict_reasons', nullable: true })
  verdictReasons!: unknown[] | null;

  /** The project's policy and schema versions the evaluation used (null: defaults / inferred). */
  @Column('integer', { name: 'policy_version', nullable: true })
  policyVersion!: number | null;

  @Column('integer', { name: 'schema_version', nullable: true })
  schemaVersion!: number | null;

  @Column('timestamptz', { name: 'evaluated_at', nullable: true })
  evaluatedAt!: Date | null;

  /** The evaluation without its flags, per-item lists trimmed (src/flags/stored-evaluation.ts). */
  @Column('jsonb', { nullable: true })
  evaluation!: unknown;

  /** Bumped by every evaluation and flag review: the flags listing caches its totals per revision. */
  @Column('integer', { name: 'flags_revision', default: 0 })
  flagsRevision!: number;

  /** The batch this one re-delivers (`?replaces=` on upload): same project, same vendor's scope. */
  @Column('uuid', { name: 'replaces_batch_id', nullable: true })
  @ForeignKey(() => Batch, { name: 'fk_batches_replaces', onDelete: 'SET NULL' })
  replacesBatchId!: string | null;
}
