import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, type Repository } from 'typeorm';
import { ApiKey } from './api-key.entity';
import type { Role } from './principal';

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

  /** The key with this hash, unless it was revoked. */
  findActiveByHash(keyHash: string): Promise<ApiKey | null> {
    return this.keys.findOne({ where: { keyHash, revokedAt: IsNull() } });
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
