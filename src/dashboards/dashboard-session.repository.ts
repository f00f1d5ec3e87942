import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { Principal, Role } from '../auth/principal';
import { pgPoolOf } from '../common/pg-pool';

/** Storage of dashboard sessions: only token hashes, each tied to the API key it was made from. */
@Injectable()
export class DashboardSessionRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async insert(keyId: string, tokenHash: string, expiresAt: Date): Promise<void> {
    await this.dataSource.query(`INSERT INTO dashboard_sessions (key_id, token_hash, expires_at) VALUES ($1, $2, $3)`, [
      keyId,
      tokenHash,
      expiresAt,
    ]);
  }

  /**
   * The principal of an unexpired session whose key is still active: asked by every
   * cookie-authenticated request, so one named prepared statement on the unique token index.
   */
  async findActivePrincipalByTokenHash(tokenHash: string): Promise<Principal | null> {
    const { rows } = await pgPoolOf(this.dataSource).query<[string, Role, string | null, string | null]>({
      name: 'concord_dashboard_session_by_hash',
      text: `SELECT k.id, k.role, k.project_id, k.vendor
             FROM dashboard_sessions s JOIN api_keys k ON k.id = s.key_id
             WHERE s.token_hash = $1 AND s.expires_at > now() AND k.revoked_at IS NULL`,
      values: [tokenHash],
      rowMode: 'array',
    });
    const row = rows[0];
    return row === undefined ? null : { keyId: row[0], role: row[1], projectId: row[2], vendor: row[3] };
  }

  async deleteByTokenHash(tokenHash: string): Promise<void> {
    await this.dataSource.query(`DELETE FROM dashboard_sessions WHERE token_hash = $1`, [tokenHash]);
  }

  /** Removes expired sessions (they are refused anyway; this only keeps the table small). */
  async deleteExpired(): Promise<void> {
    await this.dataSource.query(`DELETE FROM dashboard_sessions WHERE expires_at <= now()`);
  }
}
