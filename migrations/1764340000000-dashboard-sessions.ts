import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Dashboard sign-in sessions (issue: QA dashboards). A browser trades an API key once for a
 * session cookie; the cookie carries a random token and only its SHA-256 is stored here, like
 * api_keys. A session belongs to the key it was made from: revoking or deleting the key ends its
 * sessions (the lookup requires an active key; ON DELETE CASCADE removes the rows).
 *
 * Read path: every cookie-authenticated request looks a session up by token_hash (unique).
 * Expired rows are swept by expires_at (idx_dashboard_sessions_expires) when a session is created.
 */
export class DashboardSessions1764340000000 implements MigrationInterface {
  name = 'DashboardSessions1764340000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE dashboard_sessions (
        id           uuid        NOT NULL DEFAULT gen_random_uuid(),
        key_id       uuid        NOT NULL,
        token_hash   text        NOT NULL,
        created_at   timestamptz NOT NULL DEFAULT now(),
        expires_at   timestamptz NOT NULL,
        CONSTRAINT pk_dashboard_sessions PRIMARY KEY (id),
        CONSTRAINT uq_dashboard_sessions_token_hash UNIQUE (token_hash),
        CONSTRAINT fk_dashboard_sessions_key FOREIGN KEY (key_id) REFERENCES api_keys (id) ON DELETE CASCADE
      )`);
    await queryRunner.query(`CREATE INDEX idx_dashboard_sessions_key ON dashboard_sessions (key_id)`);
    await queryRunner.query(`CREATE INDEX idx_dashboard_sessions_expires ON dashboard_sessions (expires_at)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE dashboard_sessions`);
  }
}
