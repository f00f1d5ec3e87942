import { Inject, Injectable, Optional } from '@nestjs/common';
import { TtlCache } from '../common/ttl-cache';
import type { ApiKey } from './api-key.entity';
import { displayPrefixOf, generateApiKey, hashApiKey } from './api-key.codec';
import { ApiKeyRepository } from './api-key.repository';
import type { Principal } from './principal';
import { DEFAULT_PRINCIPAL_CACHE_OPTIONS, PRINCIPAL_CACHE_OPTIONS, type PrincipalCacheOptions } from './principal-cache';

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
  /** Resolved keys, for `ttlMs` when enabled (see DEFAULT_PRINCIPAL_CACHE_OPTIONS: what it means for revocation). */
  private readonly cache: TtlCache<string, Principal>;
  /** Lookups in flight by key hash: concurrent requests with one key share one query. */
  private readonly pending = new Map<string, Promise<Principal | null>>();

  constructor(
    private readonly keys: ApiKeyRepository,
    @Optional() @Inject(PRINCIPAL_CACHE_OPTIONS) cacheOptions?: PrincipalCacheOptions,
  ) {
    this.cache = new TtlCache(cacheOptions ?? DEFAULT_PRINCIPAL_CACHE_OPTIONS);
  }

  /**
   * The principal of a presented key, or null for an unknown or revoked key: one indexed query
   * (ApiKeyRepository), shared by the requests with the same key that arrive while it runs (so a
   * revocation can miss only requests that arrived while a lookup begun before it was in flight).
   * With a principal cache configured (off by default, see DEFAULT_PRINCIPAL_CACHE_OPTIONS), a
   * key resolved in the last `ttlMs` is answered from memory; unknown keys are always looked up.
   */
  async authenticate(presentedKey: string): Promise<Principal | null> {
    const keyHash = hashApiKey(presentedKey);
    const cached = this.cache.get(keyHash);
    if (cached !== undefined) return cached;
    let lookup = this.pending.get(keyHash);
    if (lookup === undefined) {
      lookup = this.keys.findActivePrincipalByHash(keyHash).then(
        (principal) => {
          this.pending.delete(keyHash);
          if (principal !== null) this.cache.set(keyHash, Object.freeze(principal));
          return principal;
        },
        (error: unknown) => {
          this.pending.delete(keyHash);
          throw error;
        },
      );
      this.pending.set(keyHash, lookup);
    }
    return lookup;
  }

  /** Forgets every resolved key of this process (the next request of each key asks PostgreSQL). */
  forgetResolvedKeys(): void {
    this.cache.clear();
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
      const keyHash = hashApiKey(configuredKey);
      await this.keys.upsertAdminKey(keyHash, displayPrefixOf(configuredKey));
      this.cache.delete(keyHash);
      return null;
    }
    const key = generateApiKey();
    return (await this.keys.insertFirstAdminKey(hashApiKey(key), displayPrefixOf(key))) ? key : null;
  }
}
