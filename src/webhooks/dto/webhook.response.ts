import { z } from 'zod';
import { ATTEMPT_OUTCOMES, DELIVERY_STATUSES, WEBHOOK_EVENT_TYPES, WEBHOOK_STATUSES } from '../webhook.types';

/** Response schemas: they document the API (OpenAPI) and type the mappers. */
export const WebhookResponse = z
  .object({
    id: z.uuid(),
    projectId: z.uuid(),
    url: z.string(),
    events: z.array(z.enum(WEBHOOK_EVENT_TYPES)),
    description: z.string().nullable(),
    status: z.enum(WEBHOOK_STATUSES),
    disabledReason: z.string().nullable().describe('Why it is disabled: by a key, or the receiver answered 410 Gone'),
    disabledAt: z.iso.datetime().nullable(),
    secretRotatedAt: z.iso.datetime().nullable(),
    previousSecretExpiresAt: z.iso.datetime().nullable().describe('Until then the previous secret signs too (a second v1 signature)'),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'Webhook' });
export type WebhookResponse = z.infer<typeof WebhookResponse>;

export const CreatedWebhookResponse = WebhookResponse.extend({
  secret: z.string().describe('The signing secret (whsec_…). Shown only in this response; stored encrypted.'),
}).meta({ id: 'CreatedWebhook' });
export type CreatedWebhookResponse = z.infer<typeof CreatedWebhookResponse>;

export const WebhookListResponse = z.object({ webhooks: z.array(WebhookResponse) }).meta({ id: 'WebhookList' });
export type WebhookListResponse = z.infer<typeof WebhookListResponse>;

export const RotatedSecretResponse = z
  .object({
    id: z.uuid(),
    secret: z.string().describe('The new signing secret. Shown only in this response.'),
    previousSecretExpiresAt: z.iso.datetime().nullable(),
  })
  .meta({ id: 'RotatedSecret' });
export type RotatedSecretResponse = z.infer<typeof RotatedSecretResponse>;

export const AttemptResponse = z
  .object({
    attempt: z.number().int(),
    requestedAt: z.iso.datetime(),
    statusCode: z.number().int().nullable().describe('null when no response came (timeout, connection error, refused destination)'),
    error: z.string().nullable(),
    latencyMs: z.number().int(),
    responseExcerpt: z.string().nullable().describe('The first KiB of the response body'),
    outcome: z.enum(ATTEMPT_OUTCOMES),
  })
  .meta({ id: 'WebhookAttempt' });
export type AttemptResponse = z.infer<typeof AttemptResponse>;

export const DeliveryResponse = z
  .object({
    id: z.uuid(),
    webhookId: z.uuid(),
    eventId: z.uuid().describe('The `webhook-id` header: the same on every attempt and redelivery of the event'),
    eventType: z.enum(WEBHOOK_EVENT_TYPES),
    status: z.enum(DELIVERY_STATUSES),
    attemptCount: z.number().int(),
    nextAttemptAt: z.iso.datetime().nullable(),
    lastStatusCode: z.number().int().nullable(),
    lastError: z.string().nullable(),
    redeliveryOf: z.uuid().nullable(),
    createdAt: z.iso.datetime(),
    finishedAt: z.iso.datetime().nullable(),
    attempts: z.array(AttemptResponse),
  })
  .meta({ id: 'WebhookDelivery' });
export type DeliveryResponse = z.infer<typeof DeliveryResponse>;

export const DeliveryListResponse = z
  .object({ deliveries: z.array(DeliveryResponse), nextCursor: z.string().nullable() })
  .meta({ id: 'WebhookDeliveryList' });
export type DeliveryListResponse = z.infer<typeof DeliveryListResponse>;
