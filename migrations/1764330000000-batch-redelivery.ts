import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A vendor's re-delivery of a batch (`?replaces=<batchId>` on upload): `batches.replaces_batch_id`
 * names the batch it replaces, so the new batch's rejection report can show which of the earlier
 * flags are resolved, which remain and which are new. ON DELETE SET NULL: deleting the earlier
 * batch keeps the re-delivery, which then simply has nothing to compare with.
 *
 * The partial index serves that SET NULL (without it every deleted batch — a project's deletion
 * cascades to all of them — would scan `batches`) and stays empty for the batches that replace
 * nothing. The column is nullable without a default, so adding it rewrites nothing.
 */
export class BatchRedelivery1764330000000 implements MigrationInterface {
  name = 'BatchRedelivery1764330000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE batches
        ADD COLUMN replaces_batch_id uuid,
        ADD CONSTRAINT fk_batches_replaces FOREIGN KEY (replaces_batch_id) REFERENCES batches (id) ON DELETE SET NULL`);
    await queryRunner.query(
      `CREATE INDEX idx_batches_replaces ON batches (replaces_batch_id) WHERE replaces_batch_id IS NOT NULL`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX idx_batches_replaces`);
    await queryRunner.query(`ALTER TABLE batches DROP CONSTRAINT fk_batches_replaces, DROP COLUMN replaces_batch_id`);
  }
}
