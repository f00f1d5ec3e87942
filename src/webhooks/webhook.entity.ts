import { Check, Column, CreateDateColumn, Entity, ForeignKey, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { Project } from '../projects/project.entity';
import type { WebhookEventType, WebhookStatus } from './webhook.types';

/** Table `webhooks` (migrations/1764320000000-webhooks.ts): one subscription of a project. */
@Entity({ name: 'webhooks' })
@Check('ck_webhooks_status', `status IN ('active', 'disabled')`)
@Index('idx_webhooks_project', ['projectId'])
export class Webhook {
  /** Chosen by the service when it inserts (the sealed secret is bound to it). */
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_webhooks' })
  id!: string;

  @Column('uuid', { name: 'project_id' })
  @ForeignKey(() => Project, { name: 'fk_webhooks_project', onDelete: 'CASCADE' })
  projectId!: string;

  @Column('text')
  url!: string;

  @Column('text', { array: true })
  events!: WebhookEventType[];

  @Column('text', { nullable: true })
  description!: string | null;

  @Column('text', { default: 'active' })
  status!: WebhookStatus;

  /** Why it was disabled (by a key, or by the receiver answering 410 Gone). */
  @Column('text', { name: 'disabled_reason', nullable: true })
  disabledReason!: string | null;

  @Column('timestamptz', { name: 'disabled_at', nullable: true })
  disabledAt!: Date | null;

  /** The signing secret, sealed (WebhookSecretBox); never returned after creation or rotation. */
  @Column('text')
  secret!: string;

  /** The secret before the last rotation, sealed; still signs until `previousSecretExpiresAt`. */
  @Column('text', { name: 'previous_secret', nullable: true })
  previousSecret!: string | null;

  @Column('timestamptz', { name: 'previous_secret_expires_at', nullable: true })
  previousSecretExpiresAt!: Date | null;

  @Column('timestamptz', { name: 'secret_rotated_at', nullable: true })
  secretRotatedAt!: Date | null;

  /** The API key that created it. */
  @Column('uuid', { name: 'created_by', nullable: true })
  createdBy!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
