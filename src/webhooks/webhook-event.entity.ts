import { Check, Column, CreateDateColumn, Entity, ForeignKey, Index, PrimaryGeneratedColumn } from 'typeorm';
import { Project } from '../projects/project.entity';
import type { WebhookEventType } from './webhook.types';

/** Table `webhook_events`: one published event; its id is the `webhook-id` of every delivery of it. */
@Entity({ name: 'webhook_events' })
@Check('ck_webhook_events_type', `type IN ('batch.completed', 'batch.passed', 'batch.failed', 'flag.reviewed')`)
@Index('idx_webhook_events_project', ['projectId'])
export class WebhookEvent {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_webhook_events' })
  id!: string;

  @Column('uuid', { name: 'project_id' })
  @ForeignKey(() => Project, { name: 'fk_webhook_events_project', onDelete: 'CASCADE' })
  projectId!: string;

  @Column('text')
  type!: WebhookEventType;

  /** The JSON text signed and sent (`{type, timestamp, data}`), byte for byte on every attempt. */
  @Column('text')
  body!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
