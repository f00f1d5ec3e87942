import { Check, Column, Entity, ForeignKey, PrimaryColumn } from 'typeorm';
import { WebhookDelivery } from './webhook-delivery.entity';
import type { AttemptOutcome } from './webhook.types';

/** Table `webhook_delivery_attempts`: every HTTP attempt of a delivery, as it went. */
@Entity({ name: 'webhook_delivery_attempts' })
@Check('ck_webhook_delivery_attempts_outcome', `outcome IN ('succeeded', 'retrying', 'failed')`)
export class WebhookAttempt {
  @PrimaryColumn('uuid', { name: 'delivery_id', primaryKeyConstraintName: 'pk_webhook_delivery_attempts' })
  @ForeignKey(() => WebhookDelivery, { name: 'fk_webhook_delivery_attempts_delivery', onDelete: 'CASCADE' })
  deliveryId!: string;

  /** 1, 2, … within the delivery. */
  @PrimaryColumn('integer', { primaryKeyConstraintName: 'pk_webhook_delivery_attempts' })
  attempt!: number;

  @Column('timestamptz', { name: 'requested_at' })
  requestedAt!: Date;

  /** The receiver's HTTP status; null when no response came (timeout, refused, connection error). */
  @Column('integer', { name: 'status_code', nullable: true })
  statusCode!: number | null;

  @Column('text', { nullable: true })
  error!: string | null;

  /** From the request's start to the response's headers (or to the error). */
  @Column('integer', { name: 'latency_ms' })
  latencyMs!: number;

  /** The first KiB of the response body, as UTF-8 text. */
  @Column('text', { name: 'response_excerpt', nullable: true })
  responseExcerpt!: string | null;

  @Column('text')
  outcome!: AttemptOutcome;
}
