import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Webhooks (Standard Webhooks 1.0): subscriptions, the events published to them, one delivery per
 * (event, subscription) — or more, a redelivery being a new chain for the same event — and every
 * HTTP attempt of a delivery.
 *
 * - `webhooks.secret` (and `previous_secret` during a rotation's grace period) are sealed with
 *   AES-256-GCM under CONCORD_SECRET_KEY (src/webhooks/webhook-secret-box.ts), never stored plainly.
 * - `webhook_events.body` is the exact JSON text that is signed and sent, so every attempt and
 *   redelivery sends the same bytes under the same `webhook-id` (the event id).
 * - Read paths: a project's webhooks → idx_webhooks_project; a webhook's deliveries newest first
 *   with a keyset cursor → idx_webhook_deliveries_webhook_created; the worker's sweep for overdue
 *   pending deliveries → idx_webhook_deliveries_due (partial: only pending rows); a delivery's
 *   attempts → the primary key (delivery_id, attempt). idx_webhook_events_project,
 *   idx_webhook_deliveries_event and idx_webhook_deliveries_redelivery serve the ON DELETE actions.
 */
export class Webhooks1764320000000 implements MigrationInterface {
  name = 'Webhooks1764320000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE webhooks (
        id                         uuid        NOT NULL DEFAULT gen_random_uuid(),
        project_id                 uuid        NOT NULL,
        url                        text        NOT NULL,
        events                     text[]      NOT NULL,
        description                text,
        status                     text        NOT NULL DEFAULT 'active',
        disabled_reason            text,
        disabled_at                timestamptz,
        secret                     text        NOT NULL,
        previous_secret            text,
        previous_secret_expires_at timestamptz,
        secret_rotated_at          timestamptz,
        created_by                 uuid,
        created_at                 timestamptz NOT NULL DEFAULT now(),
        updated_at                 timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_webhooks PRIMARY KEY (id),
        CONSTRAINT ck_webhooks_status CHECK (status IN ('active', 'disabled')),
        CONSTRAINT fk_webhooks_project FOREIGN KEY (project_id) REFERENCES projects (id) ON DELETE CASCADE
      )`);
    await queryRunner.query(`CREATE INDEX idx_webhooks_project ON webhooks (project_id)`);

    await queryRunner.query(`
      CREATE TABLE webhook_events (
        id         uuid        NOT NULL DEFAULT gen_random_uuid(),
        project_id uuid        NOT NULL,
        type       text        NOT NULL,
        body       text        NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_webhook_events PRIMARY KEY (id),
        CONSTRAINT ck_webhook_events_type CHECK (type IN ('batch.completed', 'batch.passed', 'batch.failed', 'flag.reviewed')),
        CONSTRAINT fk_webhook_events_project FOREIGN KEY (project_id) REFERENCES projects (id) ON DELETE CASCADE
      )`);
    await queryRunner.query(`CREATE INDEX idx_webhook_events_project ON webhook_events (project_id)`);

    await queryRunner.query(`
      CREATE TABLE webhook_deliveries (
        id               uuid        NOT NULL DEFAULT gen_random_uuid(),
        webhook_id       uuid        NOT NULL,
        event_id         uuid        NOT NULL,
        status           text        NOT NULL DEFAULT 'pending',
        attempts         integer     NOT NULL DEFAULT 0,
        next_attempt_at  timestamptz,
        last_status_code integer,
        last_error       text,
        redelivery_of    uuid,
        created_at       timestamptz NOT NULL DEFAULT now(),
        updated_at       timestamptz NOT NULL DEFAULT now(),
        finished_at      timestamptz,
        CONSTRAINT pk_webhook_deliveries PRIMARY KEY (id),
        CONSTRAINT ck_webhook_deliveries_status CHECK (status IN ('pending', 'succeeded', 'failed', 'cancelled')),
        CONSTRAINT fk_webhook_deliveries_webhook FOREIGN KEY (webhook_id) REFERENCES webhooks (id) ON DELETE CASCADE,
        CONSTRAINT fk_webhook_deliveries_event FOREIGN KEY (event_id) REFERENCES webhook_events (id) ON DELETE CASCADE,
        CONSTRAINT fk_webhook_deliveries_redelivery FOREIGN KEY (redelivery_of) REFERENCES webhook_deliveries (id) ON DELETE SET NULL
      )`);
    await queryRunner.query(`CREATE INDEX idx_webhook_deliveries_webhook_created ON webhook_deliveries (webhook_id, created_at DESC, id DESC)`);
    await queryRunner.query(`CREATE INDEX idx_webhook_deliveries_event ON webhook_deliveries (event_id)`);
    await queryRunner.query(`CREATE INDEX idx_webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending'`);
    await queryRunner.query(`CREATE INDEX idx_webhook_deliveries_redelivery ON webhook_deliveries (redelivery_of) WHERE redelivery_of IS NOT NULL`);

    await queryRunner.query(`
      CREATE TABLE webhook_delivery_attempts (
        delivery_id      uuid        NOT NULL,
        attempt          integer     NOT NULL,
        requested_at     timestamptz NOT NULL,
        status_code      integer,
        error            text,
        latency_ms       integer     NOT NULL,
        response_excerpt text,
        outcome          text        NOT NULL,
        CONSTRAINT pk_webhook_delivery_attempts PRIMARY KEY (delivery_id, attempt),
        CONSTRAINT ck_webhook_delivery_attempts_outcome CHECK (outcome IN ('succeeded', 'retrying', 'failed')),
        CONSTRAINT fk_webhook_delivery_attempts_delivery FOREIGN KEY (delivery_id) REFERENCES webhook_deliveries (id) ON DELETE CASCADE
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE webhook_delivery_attempts`);
    await queryRunner.query(`DROP TABLE webhook_deliveries`);
    await queryRunner.query(`DROP TABLE webhook_events`);
    await queryRunner.query(`DROP TABLE webhooks`);
  }
}
