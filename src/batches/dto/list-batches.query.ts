import { z } from 'zod';
import { BATCH_STATUSES } from '../batch.entity';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;

/** Query of `GET /v1/projects/:projectId/batches`. */
export const ListBatchesQuery = z
  .object({
    vendor: z.string().trim().min(1).max(200).optional().describe('Only this vendor\'s batches'),
    status: z.enum(BATCH_STATUSES).optional(),
    from: z.iso.datetime({ offset: true }).optional().describe('Created at or after (ISO 8601)'),
    to: z.iso.datetime({ offset: true }).optional().describe('Created before (ISO 8601)'),
    cursor: z.string().max(200).optional().describe('`nextCursor` of the previous page'),
    limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(DEFAULT_PAGE_SIZE),
  });
export type ListBatchesQuery = z.infer<typeof ListBatchesQuery>;
