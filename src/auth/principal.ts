export const ROLES = ['admin', 'qa_lead', 'vendor'] as const;
export type Role = (typeof ROLES)[number];

/**
 * Who is calling, resolved from the API key by the global guard. `projectId` is null only for
 * admins; `vendor` is set only for vendor keys.
 */
export interface Principal {
  keyId: string;
  role: Role;
  projectId: string | null;
  vendor: string | null;
}
