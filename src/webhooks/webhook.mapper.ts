import type { AttemptResponse, CreatedWebhookResponse, DeliveryListResponse, DeliveryResponse, RotatedSecretResponse, WebhookResponse } from './dto/webhook.response';
import type { AttemptRow, DeliveryRow } from './webhook-delivery.repository';
import type { Webhook } from './webhook.entity';

const iso = (date: Date | null): string | null => (date === null ? null : date.toISOString());

/** A webhook as the API shows it: never its secrets. */
export function toWebhookResponse(webhook: Webhook): WebhookResponse {
  return {
    id: webhook.id,
    projectId: webhook.projectId,
    url: webhook.url,
    events: webhook.events,
    description: webhook.description,
    status: webhook.status,
    disabledReason: webhook.disabledReason,
    disabledAt: iso(webhook.disabledAt),
    secretRotatedAt: iso(webhook.secretRotatedAt),
    previousSecretExpiresAt: iso(webhook.previousSecretExpiresAt),
    createdAt: webhook.createdAt.toISOString(),
    updatedAt: webhook.updatedAt.toISOString(),
  };
}

/** The one response that carries the secret: the creation's. */
export function toCreatedWebhookResponse(webhook: Webhook, secret: string): CreatedWebhookResponse {
  return { ...toWebhookResponse(webhook), secret };
}

export function toRotatedSecretResponse(webhookId: string, secret: string, previousSecretExpiresAt: Date | null): RotatedSecretResponse {
  return { id: webhookId, secret, previousSecretExpiresAt: iso(previousSecretExpiresAt) };
}

function toAttemptResponse(attempt: AttemptRow): AttemptResponse {
  return {
    attempt: attempt.attempt,
    requestedAt: attempt.requestedAt.toISOString(),
    statusCode: attempt.statusCode,
    error: attempt.error,
    latencyMs: attempt.latencyMs,
    responseExcerpt: attempt.responseExcerpt,
    outcome: attempt.outcome,
  };
}

export function toDeliveryResponse(delivery: DeliveryRow, attempts: readonly AttemptRow[]): DeliveryResponse {
  return {
    id: delivery.id,
    webhookId: delivery.webhookId,
    eventId: delivery.eventId,
    eventType: delivery.eventType,
    status: delivery.status,
    attemptCount: delivery.attempts,
    nextAttemptAt: iso(delivery.nextAttemptAt),
    lastStatusCode: delivery.lastStatusCode,
    lastError: delivery.lastError,
    redeliveryOf: delivery.redeliveryOf,
    createdAt: delivery.createdAt.toISOString(),
    finishedAt: iso(delivery.finishedAt),
    attempts: attempts.map(toAttemptResponse),
  };
}

/** A page of deliveries, each with its own attempts (`attempts` holds those of the whole page). */
export function toDeliveryListResponse(deliveries: readonly DeliveryRow[], attempts: readonly AttemptRow[], nextCursor: string | null): DeliveryListResponse {
  const byDelivery = new Map<string, AttemptRow[]>();
  for (const attempt of attempts) {
    const list = byDelivery.get(attempt.deliveryId);
    if (list === undefined) byDelivery.set(attempt.deliveryId, [attempt]);
    else list.push(attempt);
  }
  return { deliveries: deliveries.map((delivery) => toDeliveryResponse(delivery, byDelivery.get(delivery.id) ?? [])), nextCursor };
}
