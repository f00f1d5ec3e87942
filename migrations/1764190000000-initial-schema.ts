import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The initial schema (shared service contract). Hand-written and reviewed; the entities match it
 * exactly (test/e2e/migrations.e2e-spec.ts checks that the schema builder has nothing left to do).
 *
 * Read paths and their indexes:
 * - auth: api_keys by key_hash (unique constraint);
 * - batch listings: by project, newest first, cursor (created_at, id) → idx_batches_project_created;
 *   a vendor's own batches → idx_batches_project_vendor_created;
 * - duplicate uploads: (project_id, content_hash) unique;
 * - analysis: annotations of one (batch, modality, dimension) → idx_annotations_batch_dimension;
 * - results and per-annotator figures: their primary keys start with batch_id;
 * - jobs of a batch → idx_batch_jobs_batch.
 * `annotations` has no primary key on purpose: it is written only by COPY, and a key would slow it.
 * `annotations` and `items` have no foreign key to `batches` on purpose: both are written by COPY in
 * the same transaction that inserts their batch row, and the per-row FK check cost about 8 s per
 * million annotations (and ~2 s for 200,000 items) here. Deleting batches — directly or by the
 * cascade from `projects` — deletes their annotations and items through the statement-level trigger
 * trg_batches_delete_rows (one set-based DELETE per table and statement, through
 * idx_annotations_batch_dimension and pk_items).
 * gen_random_uuid() is built into PostgreSQL 13+, so no extension is needed.
 */
export class InitialSchema1764190000000 implements MigrationInterface {
  name = 'InitialSchema1764190000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE projects (
        id         uuid        NOT NULL DEFAULT gen_random_uuid(),
        name       text        NOT NULL,
        schema     jsonb,
        policy     jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_projects PRIMARY KEY (id)
      )`);

    await queryRunner.query(`
      CREATE TABLE api_keys (
        id         uuid        NOT NULL DEFAULT gen_random_uuid(),
        project_id uuid,
        role       text        NOT NULL,
        vendor     text,
        key_hash   text        NOT NULL,
        key_prefix text        NOT NULL,
        label      text,
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz,
        CONSTRAINT pk_api_keys PRIMARY KEY (id),
        CONSTRAINT uq_api_keys_key_hash UNIQUE (key_hash),
        CONSTRAINT ck_api_keys_role CHECK (role IN ('admin', 'qa_lead', 'vendor')),
        CONSTRAINT ck_api_keys_vendor CHECK ((role = 'vendor') = (vendor IS NOT NULL)),
        CONSTRAINT ck_api_keys_project CHECK ((role = 'admin') = (project_id IS NULL)),
        CONSTRAINT fk_api_keys_project FOREIGN KEY (project_id) REFERENCES projects (id) ON DELETE CASCADE
      )`);
    await queryRunner.query(`CREATE INDEX idx_api_keys_project ON api_keys (project_id)`);

    await queryRunner.query(`
      CREATE TABLE batches (
        id              uuid        NOT NULL DEFAULT gen_random_uuid(),
        project_id      uuid        NOT NULL,
        vendor          text,
        status          text        NOT NULL DEFAULT 'queued',
        format          text        NOT NULL,
        file_name       text,
        content_hash    text        NOT NULL,
        record_count    integer     NOT NULL,
        item_count      integer     NOT NULL,
        annotator_count integer     NOT NULL,
        dimension_count integer     NOT NULL,
        progress        real        NOT NULL DEFAULT 0,
        error           text,
        created_at      timestamptz NOT NULL DEFAULT now(),
        updated_at      timestamptz NOT NULL DEFAULT now(),
        completed_at    timestamptz,
        CONSTRAINT pk_batches PRIMARY KEY (id),
        CONSTRAINT uq_batches_project_content_hash UNIQUE (project_id, content_hash),
        CONSTRAINT ck_batches_status CHECK (status IN ('queued', 'processing', 'completed', 'failed')),
        CONSTRAINT fk_batches_project FOREIGN KEY (project_id) REFERENCES projects (id) ON DELETE CASCADE
      )`);
    await queryRunner.query(
      `CREATE INDEX idx_batches_project_created ON batches (project_id, created_at DESC, id DESC)`,
    );
    await queryRunner.query(
      `CREATE INDEX idx_batches_project_vendor_created ON batches (project_id, vendor, created_at DESC)`,
    );

    await queryRunner.query(`
      CREATE TABLE items (
        batch_id   uuid    NOT NULL,
        item       text    NOT NULL,
        judgements integer NOT NULL,
        CONSTRAINT pk_items PRIMARY KEY (batch_id, item)
      )`);

    await queryRunner.query(`
      CREATE TABLE annotations (
        batch_id  uuid             NOT NULL,
        line      integer          NOT NULL,
        item      text             NOT NULL,
        annotator text             NOT NULL,
        modality  text             NOT NULL,
        dimension text             NOT NULL,
        label     text,
        value     double precision,
        start_s   double precision,
        end_s     double precision,
        frame     integer,
        box_x     double precision,
        box_y     double precision,
        box_w     double precision,
        box_h     double precision
      )`);
    await queryRunner.query(
      `CREATE INDEX idx_annotations_batch_dimension ON annotations (batch_id, modality, dimension)`,
    );
    // What ON DELETE CASCADE would do for annotations and items, without the per-row FK check on
    // COPY. The cascade from projects deletes batches through SPI statements, which fire
    // statement-level triggers too.
    await queryRunner.query(`
      CREATE FUNCTION delete_batch_rows() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        DELETE FROM annotations a USING deleted_batches d WHERE a.batch_id = d.id;
        DELETE FROM items i USING deleted_batches d WHERE i.batch_id = d.id;
        RETURN NULL;
      END
      $$`);
    await queryRunner.query(`
      CREATE TRIGGER trg_batches_delete_rows AFTER DELETE ON batches
      REFERENCING OLD TABLE AS deleted_batches
      FOR EACH STATEMENT EXECUTE FUNCTION delete_batch_rows()`);

    await queryRunner.query(`
      CREATE TABLE agreement_results (
        batch_id    uuid        NOT NULL,
        modality    text        NOT NULL,
        dimension   text        NOT NULL,
        shape       text        NOT NULL,
        level       text,
        result      jsonb       NOT NULL,
        computed_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_agreement_results PRIMARY KEY (batch_id, modality, dimension),
        CONSTRAINT fk_agreement_results_batch FOREIGN KEY (batch_id) REFERENCES batches (id) ON DELETE CASCADE
      )`);

    await queryRunner.query(`
      CREATE TABLE annotator_stats (
        batch_id            uuid             NOT NULL,
        modality            text             NOT NULL,
        dimension           text             NOT NULL,
        annotator           text             NOT NULL,
        judgements          integer          NOT NULL,
        drop_one_alpha      double precision,
        mean_pairwise_alpha double precision,
        stats               jsonb            NOT NULL,
        CONSTRAINT pk_annotator_stats PRIMARY KEY (batch_id, modality, dimension, annotator),
        CONSTRAINT fk_annotator_stats_batch FOREIGN KEY (batch_id) REFERENCES batches (id) ON DELETE CASCADE
      )`);

    await queryRunner.query(`
      CREATE TABLE batch_jobs (
        job_id      text        NOT NULL,
        batch_id    uuid        NOT NULL,
        name        text        NOT NULL,
        modality    text,
        dimension   text,
        status      text        NOT NULL,
        attempts    integer     NOT NULL DEFAULT 0,
        progress    real        NOT NULL DEFAULT 0,
        error       text,
        started_at  timestamptz,
        finished_at timestamptz,
        duration_ms integer,
        CONSTRAINT pk_batch_jobs PRIMARY KEY (job_id),
        CONSTRAINT ck_batch_jobs_status CHECK (status IN ('waiting', 'active', 'completed', 'failed')),
        CONSTRAINT fk_batch_jobs_batch FOREIGN KEY (batch_id) REFERENCES batches (id) ON DELETE CASCADE
      )`);
    await queryRunner.query(`CREATE INDEX idx_batch_jobs_batch ON batch_jobs (batch_id)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    // Reverse order of creation: children before the tables they reference.
    await queryRunner.query(`DROP TABLE batch_jobs`);
    await queryRunner.query(`DROP TABLE annotator_stats`);
    await queryRunner.query(`DROP TABLE agreement_results`);
    await queryRunner.query(`DROP TABLE annotations`);
    await queryRunner.query(`DROP TABLE items`);
    await queryRunner.query(`DROP TABLE batches`);
    await queryRunner.query(`DROP FUNCTION delete_batch_rows()`);
    await queryRunner.query(`DROP TABLE api_keys`);
    await queryRunner.query(`DROP TABLE projects`);
  }
}
