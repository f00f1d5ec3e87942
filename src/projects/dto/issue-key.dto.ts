import { z } from 'zod';

/** Body of `POST /v1/projects/:projectId/keys`: a vendor key names its vendor. */
export const IssueKeyBody = z
  .strictObject({
    role: z.enum(['qa_lead', 'vendor']),
    vendor: z.string().trim().min(1).max(200).optional(),
    label: z.string().trim().max(200).optional(),
  })
  .refine((body) => (body.role === 'vendor') === (body.vendor !== undefined), {
    message: 'vendor is required for a vendor key and not allowed for a qa_lead key',
    path: ['vendor'],
  })
  .meta({ id: 'IssueKeyBody' });
export type IssueKeyBody = z.infer<typeof IssueKeyBody>;
