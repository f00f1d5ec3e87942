import { DomainError } from '../common/domain-error';

/** The most webhooks one project may have: each event fans out to every one of them. */
export const MAX_WEBHOOKS_PER_PROJECT = 50;

export function webhookNotFound(webhookId: string): DomainError {
  return DomainError.notFound('Webhook', webhookId);
}

export function deliveryNotFound(deliveryId: string): DomainError {
  return DomainError.notFound('Delivery', deliveryId);
}

export function tooManyWebhooks(): DomainError {
  return new DomainError('CONFLICT', `A project has at most ${MAX_WEBHOOKS_PER_PROJECT} webhooks; delete one first.`);
}

export function redeliveryToDisabledWebhook(webhookId: string): DomainError {
  return new DomainError('CONFLICT', `Webhook ${webhookId} is disabled; enable it (PATCH status "active") before redelivering.`);
}
