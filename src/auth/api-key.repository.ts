import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { pgPoolOf } from '../common/pg-pool';
import { ApiKey } from './api-key.entity';
import type { Principal, Role } from './principal';

/** Serialises "is there an admin key yet?" between API processes starting together. */
const ADMIN_BOOTSTRAP_LOCK_KEY = 0x436e6361;

export interface NewApiKey {
  role: Role;
  projectId: string | null;
  vendor: string | null;
  keyHash: string;
  keyPrefix: string;
  label: string | null;
}

@Injectable()
export class ApiKeyRepository {
  constructor(@InjectRepository(ApiKey) private readonly keys: Repository<ApiKey>) {}

  /**
   * The principal of the key with this hash, unless it was revoked: every authenticated request
   * asks this (unless cached), so it is one prepared statement on the pg pool, on the unique index
   * `uq_api_keys_key_hash`, without TypeORM's find machinery.
   */
  async findActivePrincipalByHash(keyHash: string): Promise<Principal | null> {
    const { rows } = await pgPoolOf(this.keys.manager.dataSource).query<[string, Role, string | null, string | null]>({
      name: 'concord_api_key_by_hash',
      text: 'SELECT id, role, project_id, vendor FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL',
      values: [keyHash],
      rowMode: 'array',
    });
    const row = rows[0];
    return row === undefined ? null : { keyId: row[0], role: row[1], projectId: row[2], vendor: row[3] };
  }

  async insert(key: NewApiKey): Promise<ApiKey> {
    return this.keys.save(this.keys.create({ ...key, revokedAt: null }));
  }

  /** Makes the key with this hash an active admin key (CONCORD_ADMIN_KEY), whatever it was before. */
  async upsertAdminKey(keyHash: string, keyPrefix: string): Promise<void> {
    await this.keys.query(
      `INSERT INTO api_keys (role, project_id, vendor, key_hash, key_prefix, label)
       VALUES ('admin', NULL, NULL, $1, $2, 'CONCORD_ADMIN_KEY')
       ON CONFLICT (key_hash) DO UPDATE
         SET role = 'admin', project_id = NULL, vendor = NULL, revoked_at = NULL`,
      [keyHash, keyPrefix],
    );
  }

  /**
   * Inserts an admin key only if no admin key was ever created (revoked ones count: a revoked
   * admin key is a decision, not an invitation to mint a new one). Returns whether it inserted.
   */
  async insertFirstAdminKey(keyHash: string, keyPrefix: string): Promise<boolean> {
    return this.keys.manager.transaction(async (manager) => {
      await manager.query('SELECT pg_advisory_xact_lock($1)', [ADMIN_BOOTSTRAP_LOCK_KEY]);
      const existing = await manager.query<unknown[]>(`SELECT 1 FROM api_keys WHERE role = 'admin' LIMIT 1`);
      if (existing.length > 0) return false;
      await manager.query(
        `INSERT INTO api_keys (role, project_id, vendor, key_hash, key_prefix, label)
         VALUES ('admin', NULL, NULL, $1, $2, 'generated at first start')`,
        [keyHash, keyPrefix],
      );
      return true;
    });
  }
}
