import { z } from 'zod';
import { ROLES } from '../../auth/principal';

/** Body of `POST /v1/session`: the API key to sign in with (sent once, never stored by the browser). */
export const CreateSessionBody = z.strictObject({ apiKey: z.string().min(1).max(200) }).meta({ id: 'CreateSessionBody' });
export type CreateSessionBody = z.infer<typeof CreateSessionBody>;

export const SessionResponse = z
  .object({
    role: z.enum(ROLES),
    projectId: z.uuid().nullable().describe('The key\'s project; null for admin keys'),
    vendor: z.string().nullable().describe('Vendor keys only: the vendor whose batches the session sees'),
    expiresAt: z.iso.datetime().nullable().describe('When the session ends; null when the request used a Bearer key'),
  })
  .meta({ id: 'Session' });
export type SessionResponse = z.infer<typeof SessionResponse>;
