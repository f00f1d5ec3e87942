import { z } from 'zod';
import { formatNames } from '../../ingest/detect-format';

/** Query of `POST /v1/projects/:projectId/batches`. */
export const UploadBatchQuery = z
  .object({
    format: z
      .enum(formatNames() as [string, ...string[]])
      .optional()
      .describe('Input format; detected from the content when absent'),
    vendor: z
      .string()
      .trim()
      .min(1)
      .max(200)
      .optional()
      .describe('The vendor the export comes from (admin and qa_lead keys; a vendor key is its own vendor)'),
  });
export type UploadBatchQuery = z.infer<typeof UploadBatchQuery>;
