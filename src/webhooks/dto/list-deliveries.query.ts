import { z } from 'zod';
import { DELIVERY_STATUSES } from '../webhook.types';

export const DEFAULT_DELIVERY_PAGE = 20;
export const MAX_DELIVERY_PAGE = 100;

/** Query of `GET …/webhooks/:webhookId/deliveries`. */
export const ListDeliveriesQuery = z.object({
  status: z.enum(DELIVERY_STATUSES).optional(),
  cursor: z.string().max(200).optional().describe('`nextCursor` of the previous page'),
  limit: z.coerce.number().int().min(1).max(MAX_DELIVERY_PAGE).default(DEFAULT_DELIVERY_PAGE),
});
export type ListDeliveriesQuery = z.infer<typeof ListDeliveriesQuery>;
