import { z } from 'zod';
import { WEBHOOK_EVENT_TYPES, WEBHOOK_STATUSES } from '../webhook.types';

const url = z.string().trim().min(1).max(2048).describe('http(s) URL of the receiver; private, loopback and link-local destinations are refused unless CONCORD_WEBHOOK_ALLOWLIST permits them');
const events = z
  .array(z.enum(WEBHOOK_EVENT_TYPES))
  .min(1)
  .refine((list) => new Set(list).size === list.length, { message: 'events must be distinct' })
  .describe('The event types to receive');
const description = z.string().trim().max(500);

/** Body of `POST /v1/projects/:projectId/webhooks`. */
export const CreateWebhookBody = z
  .strictObject({ url, events, description: description.optional() })
  .meta({ id: 'CreateWebhookBody' });
export type CreateWebhookBody = z.infer<typeof CreateWebhookBody>;

/** Body of `PATCH …/webhooks/:webhookId`: `status: "disabled"` disables, `"active"` enables again. */
export const UpdateWebhookBody = z
  .strictObject({ url: url.optional(), events: events.optional(), description: description.nullable().optional(), status: z.enum(WEBHOOK_STATUSES).optional() })
  .refine((body) => Object.values(body).some((value) => value !== undefined), { message: 'name at least one of url, events, description, status' })
  .meta({ id: 'UpdateWebhookBody' });
export type UpdateWebhookBody = z.infer<typeof UpdateWebhookBody>;

export const DEFAULT_PREVIOUS_SECRET_SECONDS = 24 * 60 * 60;

/** Body of `POST …/webhooks/:webhookId/rotate-secret` (optional). */
export const RotateSecretBody = z
  .strictObject({
    previousSecretTtlSeconds: z
      .number()
      .int()
      .min(0)
      .max(7 * 24 * 60 * 60)
      .default(DEFAULT_PREVIOUS_SECRET_SECONDS)
      .describe('How long the old secret keeps signing beside the new one (0 = stop at once); default one day'),
  })
  .meta({ id: 'RotateSecretBody' });
export type RotateSecretBody = z.infer<typeof RotateSecretBody>;
