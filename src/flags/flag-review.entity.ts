import { Column, CreateDateColumn, Entity, ForeignKey, Index, PrimaryGeneratedColumn } from 'typeorm';
import { Flag } from './flag.entity';

/** Table `flag_reviews`: every change of a flag's status, kept (who, when, from, to, comment). */
@Entity({ name: 'flag_reviews' })
@Index('idx_flag_reviews_flag', ['flagId', 'id'])
export class FlagReview {
  @PrimaryGeneratedColumn('increment', { type: 'bigint', primaryKeyConstraintName: 'pk_flag_reviews' })
  id!: string;

  @Column('uuid', { name: 'flag_id' })
  @ForeignKey(() => Flag, { name: 'fk_flag_reviews_flag', onDelete: 'CASCADE' })
  flagId!: string;

  /** The API key that made the change. */
  @Column('uuid', { name: 'actor_key_id', nullable: true })
  actorKeyId!: string | null;

  @Column('text', { name: 'from_status' })
  fromStatus!: string;

  @Column('text', { name: 'to_status' })
  toStatus!: string;

  @Column('text', { nullable: true })
  comment!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
