import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { Webhook } from './webhook.entity';
import type { WebhookEventType, WebhookStatus } from './webhook.types';

export interface NewWebhook {
  id: string;
  projectId: string;
  url: string;
  events: WebhookEventType[];
  description: string | null;
  sealedSecret: string;
  createdBy: string;
}

export interface WebhookChanges {
  url?: string;
  events?: WebhookEventType[];
  description?: string | null;
  status?: WebhookStatus;
}

/** A subscription's rotated secrets, sealed. */
export interface RotatedSecrets {
  sealedSecret: string;
  sealedPreviousSecret: string | null;
  previousSecretExpiresAt: Date | null;
}

/** Table `webhooks`: a project's subscriptions. */
@Injectable()
export class WebhookRepository {
  constructor(@InjectRepository(Webhook) private readonly webhooks: Repository<Webhook>) {}

  insert(input: NewWebhook): Promise<Webhook> {
    return this.webhooks.save(
      this.webhooks.create({
        id: input.id,
        projectId: input.projectId,
        url: input.url,
        events: input.events,
        description: input.description,
        status: 'active',
        disabledReason: null,
        disabledAt: null,
        secret: input.sealedSecret,
        previousSecret: null,
        previousSecretExpiresAt: null,
        secretRotatedAt: null,
        createdBy: input.createdBy,
      }),
    );
  }

  countInProject(projectId: string): Promise<number> {
    return this.webhooks.count({ where: { projectId } });
  }

  /** A project's webhooks, oldest first (the order they were added). */
  listInProject(projectId: string): Promise<Webhook[]> {
    return this.webhooks.find({ where: { projectId }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  findInProject(projectId: string, webhookId: string): Promise<Webhook | null> {
    return this.webhooks.findOne({ where: { id: webhookId, projectId } });
  }

  /** Applies the changes; (re-)enabling clears the reason it was disabled for. */
  async update(webhookId: string, changes: WebhookChanges): Promise<void> {
    const statusChange =
      changes.status === undefined
        ? {}
        : changes.status === 'active'
          ? { status: 'active' as const, disabledReason: null, disabledAt: null }
          : { status: 'disabled' as const, disabledReason: 'disabled by an API key', disabledAt: new Date() };
    const { status: _status, ...rest } = changes;
    await this.webhooks.update({ id: webhookId }, { ...rest, ...statusChange });
  }

  /** Disables an active webhook for a reason (the receiver answered 410 Gone); a disabled one keeps its first reason. */
  async disableActive(webhookId: string, reason: string): Promise<void> {
    await this.webhooks.update({ id: webhookId, status: 'active' }, { status: 'disabled', disabledReason: reason, disabledAt: new Date() });
  }

  async rotateSecret(webhookId: string, secrets: RotatedSecrets): Promise<void> {
    await this.webhooks.update(
      { id: webhookId },
      {
        secret: secrets.sealedSecret,
        previousSecret: secrets.sealedPreviousSecret,
        previousSecretExpiresAt: secrets.previousSecretExpiresAt,
        secretRotatedAt: new Date(),
      },
    );
  }

  /** Deletes the webhook with its deliveries and their attempts (ON DELETE CASCADE). */
  async delete(webhookId: string): Promise<void> {
    await this.webhooks.delete({ id: webhookId });
  }
}
