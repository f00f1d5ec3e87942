import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Flags and the quality-gate verdict (DESIGN.md sections 4 and 5).
 *
 * `batches` gains the verdict of its last evaluation (`pending` until one finishes, and again while
 * a re-evaluation runs), the failed checks, the policy and schema versions it was made with, when,
 * the stored evaluation (sync, cross-modal, gold, checks; per-item lists trimmed, see
 * src/flags/stored-evaluation.ts) and `flags_revision`, bumped by every evaluation and every review:
 * the flags listing caches its `total` per revision instead of counting on every page.
 * Every new column is nullable or has a constant default: adding them rewrites nothing.
 *
 * `flags`: one row per finding, unique per (batch, key) — the key is stable across evaluations, so a
 * re-evaluation upserts on it and a reviewed flag keeps its id, status and history. Read paths:
 * - the listing, severity first with a keyset cursor: (batch_id, severity_rank, id);
 * - by code (the most common filter): (batch_id, code, severity_rank, id);
 * - reviewed flags (status filters, and what a re-evaluation keeps): partial, status <> 'open';
 * - an item's flags (`?item=`): (batch_id, item).
 * Other filters (modality, dimension, annotator) are applied on the first index's scan; the page
 * stops after `limit` rows and the total is cached per revision.
 * `flag_reviews`: every status change (who = api key id, when, from, to, comment), read per flag.
 */
export class FlagsAndVerdicts1764310000000 implements MigrationInterface {
  name = 'FlagsAndVerdicts1764310000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE batches
        ADD COLUMN verdict         text        NOT NULL DEFAULT 'pending',
        ADD COLUMN verdict_reasons jsonb,
        ADD COLUMN policy_version  integer,
        ADD COLUMN schema_version  integer,
        ADD COLUMN evaluated_at    timestamptz,
        ADD COLUMN evaluation      jsonb,
        ADD COLUMN flags_revision  integer     NOT NULL DEFAULT 0,
        ADD CONSTRAINT ck_batches_verdict CHECK (verdict IN ('pending', 'pass', 'fail'))`);

    await queryRunner.query(`
      CREATE TABLE flags (
        id            uuid             NOT NULL DEFAULT gen_random_uuid(),
        batch_id      uuid             NOT NULL,
        project_id    uuid             NOT NULL,
        key           text             NOT NULL,
        code          text             NOT NULL,
        severity      text             NOT NULL,
        severity_rank smallint         NOT NULL,
        item          text,
        modality      text,
        dimension     text,
        annotators    text[]           NOT NULL,
        start_s       double precision,
        end_s         double precision,
        message       text             NOT NULL,
        evidence      jsonb            NOT NULL,
        status        text             NOT NULL DEFAULT 'open',
        comment       text,
        reviewed_by   uuid,
        reviewed_at   timestamptz,
        created_at    timestamptz      NOT NULL DEFAULT now(),
        updated_at    timestamptz      NOT NULL DEFAULT now(),
        CONSTRAINT pk_flags PRIMARY KEY (id),
        CONSTRAINT uq_flags_batch_key UNIQUE (batch_id, key),
        CONSTRAINT ck_flags_status CHECK (status IN ('open', 'confirmed', 'dismissed')),
        CONSTRAINT fk_flags_batch FOREIGN KEY (batch_id) REFERENCES batches (id) ON DELETE CASCADE
      )`);
    await queryRunner.query(`CREATE INDEX idx_flags_batch_rank ON flags (batch_id, severity_rank, id)`);
    await queryRunner.query(`CREATE INDEX idx_flags_batch_code_rank ON flags (batch_id, code, severity_rank, id)`);
    await queryRunner.query(`CREATE INDEX idx_flags_batch_reviewed ON flags (batch_id, severity_rank, id) WHERE status <> 'open'`);
    await queryRunner.query(`CREATE INDEX idx_flags_batch_item ON flags (batch_id, item)`);

    await queryRunner.query(`
      CREATE TABLE flag_reviews (
        id           bigserial   NOT NULL,
        flag_id      uuid        NOT NULL,
        actor_key_id uuid,
        from_status  text        NOT NULL,
        to_status    text        NOT NULL,
        comment      text,
        created_at   timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_flag_reviews PRIMARY KEY (id),
        CONSTRAINT fk_flag_reviews_flag FOREIGN KEY (flag_id) REFERENCES flags (id) ON DELETE CASCADE
      )`);
    await queryRunner.query(`CREATE INDEX idx_flag_reviews_flag ON flag_reviews (flag_id, id)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE flag_reviews`);
    await queryRunner.query(`DROP TABLE flags`);
    await queryRunner.query(`
      ALTER TABLE batches
        DROP CONSTRAINT ck_batches_verdict,
        DROP COLUMN flags_revision,
        DROP COLUMN evaluation,
        DROP COLUMN evaluated_at,
        DROP COLUMN schema_version,
        DROP COLUMN policy_version,
        DROP COLUMN verdict_reasons,
        DROP COLUMN verdict`);
  }
}
