import { Check, Column, CreateDateColumn, Entity, ForeignKey, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { WebhookEvent } from './webhook-event.entity';
import { Webhook } from './webhook.entity';
import type { DeliveryStatus } from './webhook.types';

/**
 * Table `webhook_deliveries`: one chain of attempts to deliver one event to one webhook. The
 * keyset listing index is descending and the sweep index partial, which TypeORM cannot express:
 * both are `synchronize: false` (the migration owns them).
 */
@Entity({ name: 'webhook_deliveries' })
@Check('ck_webhook_deliveries_status', `status IN ('pending', 'succeeded', 'failed', 'cancelled')`)
// (webhook_id, created_at DESC, id DESC): a webhook's deliveries, newest first, keyset cursor
@Index('idx_webhook_deliveries_webhook_created', { synchronize: false })
// (next_attempt_at) WHERE status = 'pending': the worker's sweep for overdue deliveries
@Index('idx_webhook_deliveries_due', { synchronize: false })
// (redelivery_of) WHERE redelivery_of IS NOT NULL: serves the ON DELETE SET NULL below
@Index('idx_webhook_deliveries_redelivery', { synchronize: false })
@Index('idx_webhook_deliveries_event', ['eventId'])
export class WebhookDelivery {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_webhook_deliveries' })
  id!: string;

  @Column('uuid', { name: 'webhook_id' })
  @ForeignKey(() => Webhook, { name: 'fk_webhook_deliveries_webhook', onDelete: 'CASCADE' })
  webhookId!: string;

  @Column('uuid', { name: 'event_id' })
  @ForeignKey(() => WebhookEvent, { name: 'fk_webhook_deliveries_event', onDelete: 'CASCADE' })
  eventId!: string;

  @Column('text', { default: 'pending' })
  status!: DeliveryStatus;

  /** Attempts made so far (the number of its `webhook_delivery_attempts` rows). */
  @Column('integer', { default: 0 })
  attempts!: number;

  /** While pending: when the next attempt is due. */
  @Column('timestamptz', { name: 'next_attempt_at', nullable: true })
  nextAttemptAt!: Date | null;

  @Column('integer', { name: 'last_status_code', nullable: true })
  lastStatusCode!: number | null;

  @Column('text', { name: 'last_error', nullable: true })
  lastError!: string | null;

  /** The delivery this one redelivers (same event, same webhook). */
  @Column('uuid', { name: 'redelivery_of', nullable: true })
  @ForeignKey(() => WebhookDelivery, { name: 'fk_webhook_deliveries_redelivery', onDelete: 'SET NULL' })
  redeliveryOf!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;

  @Column('timestamptz', { name: 'finished_at', nullable: true })
  finishedAt!: Date | null;
}
