import { z } from 'zod';
import { FLAG_STATUSES } from '../flag.entity';

/** Body of `PATCH /v1/flags/:id`. */
export const ReviewFlagBody = z
  .strictObject({
    status: z.enum(FLAG_STATUSES).describe('`confirmed` (a real defect), `dismissed` (not one), or `open` again'),
    comment: z.string().trim().max(10_000).nullish().describe('Why; kept with the change in the flag\'s history'),
  })
  .meta({ id: 'ReviewFlagBody' });
export type ReviewFlagBody = z.infer<typeof ReviewFlagBody>;
