import { Check, Column, Entity, ForeignKey, Index, PrimaryColumn } from 'typeorm';
import { Batch } from '../batches/batch.entity';

export const BATCH_JOB_STATUSES = ['waiting', 'active', 'completed', 'failed'] as const;
export type BatchJobStatus = (typeof BATCH_JOB_STATUSES)[number];

/** Table `batch_jobs`: the BullMQ jobs of a batch as the service records them (id = BullMQ job id). */
@Entity({ name: 'batch_jobs' })
@Check('ck_batch_jobs_status', `status IN ('waiting', 'active', 'completed', 'failed')`)
@Index('idx_batch_jobs_batch', ['batchId'])
export class BatchJob {
  @PrimaryColumn('text', { name: 'job_id', primaryKeyConstraintName: 'pk_batch_jobs' })
  jobId!: string;

  @Column('uuid', { name: 'batch_id' })
  @ForeignKey(() => Batch, { name: 'fk_batch_jobs_batch', onDelete: 'CASCADE' })
  batchId!: string;

  /** BullMQ job name (`agreement-dimension`, `evaluate`). */
  @Column('text')
  name!: string;

  @Column('text', { nullable: true })
  modality!: string | null;

  @Column('text', { nullable: true })
  dimension!: string | null;

  @Column('text')
  status!: BatchJobStatus;

  @Column('integer', { default: 0 })
  attempts!: number;

  @Column('real', { default: 0 })
  progress!: number;

  @Column('text', { nullable: true })
  error!: string | null;

  @Column('timestamptz', { name: 'started_at', nullable: true })
  startedAt!: Date | null;

  @Column('timestamptz', { name: 'finished_at', nullable: true })
  finishedAt!: Date | null;

  @Column('integer', { name: 'duration_ms', nullable: true })
  durationMs!: number | null;
}
