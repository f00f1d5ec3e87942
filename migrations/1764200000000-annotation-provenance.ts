import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the format adapters (issue 4) know about each record besides the judgement, on `annotations`:
 *
 * - `ordinal`: the record's index in the upload, in the order it was read (file by file, record by
 *   record). The analysis reads a dimension `ORDER BY ordinal, line` so that it adds records in the
 *   order the CLI does (first-appearance ids, hence the results, depend on it): `line` alone cannot
 *   order them, as Label Studio records have no line (0) and the files of a multi-file batch each
 *   start at line 1. Rows stored before this migration have ordinal 0 and keep their line order.
 * - `gold`: a gold (ground-truth) judgement, never a peer in agreement.
 * - `text`: free text (Label Studio textarea), stored, never analysed.
 * - `source_file` and `source_task`, `source_annotation`, `source_region`, `source_track`,
 *   `source_tier`: where the record came from, in the source tool's terms (ParsedRecord.provenance).
 *   Separate text columns rather than one jsonb: COPY of 600,000 rows took ~1 s longer with a jsonb
 *   column (jsonb input parsing) than with these text columns on this machine.
 *
 * Every column is nullable or has a constant default, so adding them rewrites nothing
 * (PostgreSQL ≥ 11 stores the default in the catalog).
 */
export class AnnotationProvenance1764200000000 implements MigrationInterface {
  name = 'AnnotationProvenance1764200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE annotations
        ADD COLUMN ordinal           integer NOT NULL DEFAULT 0,
        ADD COLUMN gold              boolean NOT NULL DEFAULT false,
        ADD COLUMN text              text,
        ADD COLUMN source_file       text,
        ADD COLUMN source_task       text,
        ADD COLUMN source_annotation text,
        ADD COLUMN source_region     text,
        ADD COLUMN source_track      text,
        ADD COLUMN source_tier       text`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE annotations
        DROP COLUMN source_tier,
        DROP COLUMN source_track,
        DROP COLUMN source_region,
        DROP COLUMN source_annotation,
        DROP COLUMN source_task,
        DROP COLUMN source_file,
        DROP COLUMN text,
        DROP COLUMN gold,
        DROP COLUMN ordinal`);
  }
}
