import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { assertRole } from '../auth/access-policy';
import type { Principal } from '../auth/principal';
import { decodeCursor, encodeCursor } from '../batches/batch-cursor';
import { ProjectService } from '../projects/project.service';
import type { ListDeliveriesQuery } from './dto/list-deliveries.query';
import type { CreateWebhookBody, RotateSecretBody, UpdateWebhookBody } from './dto/webhook.body';
import { WebhookDeliveryQueue } from './webhook-delivery.queue';
import { type AttemptRow, type DeliveryRow, WebhookDeliveryRepository } from './webhook-delivery.repository';
import { WebhookDestinationGuard } from './webhook-destination.guard';
import { WebhookSecretBox } from './webhook-secret-box';
import { generateWebhookSecret } from './webhook-signer';
import type { Webhook } from './webhook.entity';
import { deliveryNotFound, MAX_WEBHOOKS_PER_PROJECT, redeliveryToDisabledWebhook, tooManyWebhooks, webhookNotFound } from './webhook.errors';
import { WebhookRepository } from './webhook.repository';

export interface CreatedWebhook {
  webhook: Webhook;
  secret: string;
}

export interface RotatedSecret {
  webhookId: string;
  secret: string;
  previousSecretExpiresAt: Date | null;
}

export interface DeliveryPage {
  deliveries: DeliveryRow[];
  attempts: AttemptRow[];
  nextCursor: string | null;
}

/**
 * Webhook management (DESIGN.md section 6). Admins and the project's QA leads manage its
 * webhooks; a vendor key of the project is refused (403), any other key does not see the project
 * (404). The secret leaves the service twice only: in the creation's and the rotation's response.
 */
@Injectable()
export class WebhookService {
  constructor(
    private readonly projects: ProjectService,
    private readonly webhooks: WebhookRepository,
    private readonly deliveries: WebhookDeliveryRepository,
    private readonly queue: WebhookDeliveryQueue,
    private readonly guard: WebhookDestinationGuard,
    private readonly secrets: WebhookSecretBox,
  ) {}

  async create(principal: Principal, projectId: string, body: CreateWebhookBody): Promise<CreatedWebhook> {
    await this.authorize(principal, projectId);
    await this.guard.assertAcceptable(body.url);
    if ((await this.webhooks.countInProject(projectId)) >= MAX_WEBHOOKS_PER_PROJECT) throw tooManyWebhooks();
    const id = randomUUID();
    const secret = generateWebhookSecret();
    const webhook = await this.webhooks.insert({
      id,
      projectId,
      url: new URL(body.url).href,
      events: body.events,
      description: body.description ?? null,
      sealedSecret: this.secrets.seal(id, secret),
      createdBy: principal.keyId,
    });
    return { webhook, secret };
  }

  async list(principal: Principal, projectId: string): Promise<Webhook[]> {
    await this.authorize(principal, projectId);
    return this.webhooks.listInProject(projectId);
  }

  async get(principal: Principal, projectId: string, webhookId: string): Promise<Webhook> {
    await this.authorize(principal, projectId);
    return this.find(projectId, webhookId);
  }

  async update(principal: Principal, projectId: string, webhookId: string, body: UpdateWebhookBody): Promise<Webhook> {
    await this.authorize(principal, projectId);
    await this.find(projectId, webhookId);
    if (body.url !== undefined) await this.guard.assertAcceptable(body.url);
    await this.webhooks.update(webhookId, {
      ...(body.url === undefined ? {} : { url: new URL(body.url).href }),
      ...(body.events === undefined ? {} : { events: body.events }),
      ...(body.description === undefined ? {} : { description: body.description }),
      ...(body.status === undefined ? {} : { status: body.status }),
    });
    if (body.status === 'disabled') await this.deliveries.cancelPendingOfWebhook(webhookId, 'the webhook was disabled by an API key');
    return this.find(projectId, webhookId);
  }

  async delete(principal: Principal, projectId: string, webhookId: string): Promise<void> {
    await this.authorize(principal, projectId);
    await this.find(projectId, webhookId);
    await this.webhooks.delete(webhookId);
  }

  /**
   * A new secret; the old one keeps signing beside it (a second `v1,` signature) for
   * `previousSecretTtlSeconds`, so receivers can switch without dropping a delivery.
   */
  async rotateSecret(principal: Principal, projectId: string, webhookId: string, body: RotateSecretBody): Promise<RotatedSecret> {
    await this.authorize(principal, projectId);
    const webhook = await this.find(projectId, webhookId);
    const secret = generateWebhookSecret();
    const keepPrevious = body.previousSecretTtlSeconds > 0;
    const previousSecretExpiresAt = keepPrevious ? new Date(Date.now() + body.previousSecretTtlSeconds * 1000) : null;
    await this.webhooks.rotateSecret(webhookId, {
      sealedSecret: this.secrets.seal(webhookId, secret),
      sealedPreviousSecret: keepPrevious ? webhook.secret : null,
      previousSecretExpiresAt,
    });
    return { webhookId, secret, previousSecretExpiresAt };
  }

  async listDeliveries(principal: Principal, projectId: string, webhookId: string, query: ListDeliveriesQuery): Promise<DeliveryPage> {
    await this.authorize(principal, projectId);
    await this.find(projectId, webhookId);
    const rows = await this.deliveries.listInWebhook(webhookId, {
      status: query.status,
      cursor: query.cursor === undefined ? undefined : decodeCursor(query.cursor),
      limit: query.limit + 1,
    });
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    const nextCursor = rows.length > query.limit && last !== undefined ? encodeCursor(last) : null;
    return { deliveries: page, attempts: await this.deliveries.listAttempts(page.map((delivery) => delivery.id)), nextCursor };
  }

  async getDelivery(principal: Principal, projectId: string, webhookId: string, deliveryId: string): Promise<{ delivery: DeliveryRow; attempts: AttemptRow[] }> {
    await this.authorize(principal, projectId);
    await this.find(projectId, webhookId);
    const delivery = await this.findDelivery(webhookId, deliveryId);
    return { delivery, attempts: await this.deliveries.listAttempts([delivery.id]) };
  }

  /** The same event (same `webhook-id`, same body) to the same webhook, as a new chain of attempts. */
  async redeliver(principal: Principal, projectId: string, webhookId: string, deliveryId: string): Promise<{ delivery: DeliveryRow; attempts: AttemptRow[] }> {
    await this.authorize(principal, projectId);
    const webhook = await this.find(projectId, webhookId);
    if (webhook.status !== 'active') throw redeliveryToDisabledWebhook(webhookId);
    const original = await this.findDelivery(webhookId, deliveryId);
    const redeliveryId = await this.deliveries.insertRedelivery(original);
    await this.queue.offer([{ deliveryId: redeliveryId, webhookId }]);
    return { delivery: await this.findDelivery(webhookId, redeliveryId), attempts: [] };
  }

  private async authorize(principal: Principal, projectId: string): Promise<void> {
    await this.projects.getVisible(principal, projectId);
    assertRole(principal, 'admin', 'qa_lead');
  }

  private async find(projectId: string, webhookId: string): Promise<Webhook> {
    const webhook = await this.webhooks.findInProject(projectId, webhookId);
    if (webhook === null) throw webhookNotFound(webhookId);
    return webhook;
  }

  private async findDelivery(webhookId: string, deliveryId: string): Promise<DeliveryRow> {
    const delivery = await this.deliveries.findInWebhook(webhookId, deliveryId);
    if (delivery === null) throw deliveryNotFound(deliveryId);
    return delivery;
  }
}
