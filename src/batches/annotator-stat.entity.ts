import { Column, Entity, ForeignKey, PrimaryColumn } from 'typeorm';
import { Batch } from './batch.entity';

/** Table `annotator_stats`: per-annotator figures of one dimension of a batch; upserted like results. */
@Entity({ name: 'annotator_stats' })
export class AnnotatorStat {
  @PrimaryColumn('uuid', { name: 'batch_id', primaryKeyConstraintName: 'pk_annotator_stats' })
  @ForeignKey(() => Batch, { name: 'fk_annotator_stats_batch', onDelete: 'CASCADE' })
  batchId!: string;

  @PrimaryColumn('text', { primaryKeyConstraintName: 'pk_annotator_stats' })
  modality!: string;

  @PrimaryColumn('text', { primaryKeyConstraintName: 'pk_annotator_stats' })
  dimension!: string;

  @PrimaryColumn('text', { primaryKeyConstraintName: 'pk_annotator_stats' })
  annotator!: string;

  @Column('integer')
  judgements!: number;

  @Column('double precision', { name: 'drop_one_alpha', nullable: true })
  dropOneAlpha!: number | null;

  @Column('double precision', { name: 'mean_pairwise_alpha', nullable: true })
  meanPairwiseAlpha!: number | null;

  @Column('jsonb')
  stats!: unknown;
}
