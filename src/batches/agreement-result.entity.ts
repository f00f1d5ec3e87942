import { Column, Entity, ForeignKey, PrimaryColumn } from 'typeorm';
import { Batch } from './batch.entity';

/**
 * Table `agreement_results`: one row per (batch, modality, dimension), written with
 * `INSERT … ON CONFLICT (batch_id, modality, dimension) DO UPDATE`, so a retried job is a no-op.
 */
@Entity({ name: 'agreement_results' })
export class AgreementResult {
  @PrimaryColumn('uuid', { name: 'batch_id', primaryKeyConstraintName: 'pk_agreement_results' })
  @ForeignKey(() => Batch, { name: 'fk_agreement_results_batch', onDelete: 'CASCADE' })
  batchId!: string;

  @PrimaryColumn('text', { primaryKeyConstraintName: 'pk_agreement_results' })
  modality!: string;

  @PrimaryColumn('text', { primaryKeyConstraintName: 'pk_agreement_results' })
  dimension!: string;

  /** `categorical`, `intervals` or `boxes` (DESIGN.md section 2). */
  @Column('text')
  shape!: string;

  /** Level of measurement, for categorical dimensions. */
  @Column('text', { nullable: true })
  level!: string | null;

  /** The dimension's full result as the API returns it. */
  @Column('jsonb')
  result!: unknown;

  @Column('timestamptz', { name: 'computed_at', default: () => 'now()' })
  computedAt!: Date;
}
