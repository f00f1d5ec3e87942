import { Check, Column, CreateDateColumn, Entity, ForeignKey, Index, PrimaryGeneratedColumn, Unique, UpdateDateColumn } from 'typeorm';
import { Batch } from '../batches/batch.entity';

export const FLAG_STATUSES = ['open', 'confirmed', 'dismissed'] as const;
export type FlagStatus = (typeof FLAG_STATUSES)[number];

/**
 * Table `flags` (migrations/1764310000000-flags-and-verdicts.ts): one finding of a batch's
 * evaluation, unique per (batch, key), with its review state. The partial index on reviewed flags
 * is declared `synchronize: false` (the migration owns its WHERE clause).
 */
@Entity({ name: 'flags' })
@Check('ck_flags_status', `status IN ('open', 'confirmed', 'dismissed')`)
@Unique('uq_flags_batch_key', ['batchId', 'key'])
@Index('idx_flags_batch_rank', ['batchId', 'severityRank', 'id'])
@Index('idx_flags_batch_code_rank', ['batchId', 'code', 'severityRank', 'id'])
@Index('idx_flags_batch_item', ['batchId', 'item'])
// (batch_id, severity_rank, id) WHERE status <> 'open'
@Index('idx_flags_batch_reviewed', { synchronize: false })
export class Flag {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_flags' })
  id!: string;

  @Column('uuid', { name: 'batch_id' })
  @ForeignKey(() => Batch, { name: 'fk_flags_batch', onDelete: 'CASCADE' })
  batchId!: string;

  @Column('uuid', { name: 'project_id' })
  projectId!: string;

  /** The finding's stable key (Finding.key): the same defect found again has the same key. */
  @Column('text')
  key!: string;

  @Column('text')
  code!: string;

  @Column('text')
  severity!: string;

  /** 0 high, 1 medium, 2 low: the listing's order. */
  @Column('smallint', { name: 'severity_rank' })
  severityRank!: number;

  @Column('text', { nullable: true })
  item!: string | null;

  @Column('text', { nullable: true })
  modality!: string | null;

  @Column('text', { nullable: true })
  dimension!: string | null;

  @Column('text', { array: true })
  annotators!: string[];

  /** Seconds (character offsets for untimed text spans). */
  @Column('double precision', { name: 'start_s', nullable: true })
  start!: number | null;

  @Column('double precision', { name: 'end_s', nullable: true })
  end!: number | null;

  @Column('text')
  message!: string;

  @Column('jsonb')
  evidence!: Record<string, unknown>;

  @Column('text', { default: 'open' })
  status!: FlagStatus;

  @Column('text', { nullable: true })
  comment!: string | null;

  /** The API key that reviewed it last. */
  @Column('uuid', { name: 'reviewed_by', nullable: true })
  reviewedBy!: string | null;

  @Column('timestamptz', { name: 'reviewed_at', nullable: true })
  reviewedAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
