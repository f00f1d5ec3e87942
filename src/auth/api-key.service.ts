import { Injectable } from '@nestjs/common';
import type { ApiKey } from './api-key.entity';
import { displayPrefixOf, generateApiKey, hashApiKey } from './api-key.codec';
import { ApiKeyRepository } from './api-key.repository';
import type { Principal } from './principal';

export interface IssueKeyInput {
  role: 'qa_lead' | 'vendor';
  projectId: string;
  vendor: string | null;
  label: string | null;
}

/** A key just issued: the only moment the key itself exists outside the client. */
export interface IssuedKey {
  key: string;
  record: ApiKey;
}

@Injectable()
export class ApiKeyService {
  constructor(private readonly keys: ApiKeyRepository) {}

  /** The principal of a presented key, or null for an unknown or revoked key. */
  async authenticate(presentedKey: string): Promise<Principal | null> {
    const record = await this.keys.findActiveByHash(hashApiKey(presentedKey));
    if (!record) return null;
    return { keyId: record.id, role: record.role, projectId: record.projectId, vendor: record.vendor };
  }

  /** Issues a project key. Authorization is the caller's job (ProjectService checks who may issue what). */
  async issue(input: IssueKeyInput): Promise<IssuedKey> {
    const key = generateApiKey();
    const record = await this.keys.insert({
      role: input.role,
      projectId: input.projectId,
      vendor: input.role === 'vendor' ? input.vendor : null,
      keyHash: hashApiKey(key),
      keyPrefix: displayPrefixOf(key),
      label: input.label,
    });
    return { key, record };
  }

  /**
   * Start-up: CONCORD_ADMIN_KEY, when set, is made an admin key; otherwise, if no admin key
   * exists at all, one is generated. Returns the generated key (to print once), else null.
   */
  async ensureAdminKey(configuredKey: string | null): Promise<string | null> {
    if (configuredKey) {
      await this.keys.upsertAdminKey(hashApiKey(configuredKey), displayPrefixOf(configuredKey));
      return null;
    }
    const key = generateApiKey();
    return (await this.keys.insertFirstAdminKey(hashApiKey(key), displayPrefixOf(key))) ? key : null;
  }
}
