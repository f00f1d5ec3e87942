import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * Table `items`: the units judged in a batch, with how many judgements each got. Written by COPY in
 * the batch's own upload transaction, so it has no foreign key to `batches` (the per-row check was
 * the slow part); the migration's trigger trg_batches_delete_rows deletes a batch's items with it.
 */
@Entity({ name: 'items' })
export class Item {
  @PrimaryColumn('uuid', { name: 'batch_id', primaryKeyConstraintName: 'pk_items' })
  batchId!: string;

  @PrimaryColumn('text', { primaryKeyConstraintName: 'pk_items' })
  item!: string;

  @Column('integer')
  judgements!: number;
}
