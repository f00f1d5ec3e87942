import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Versioned project settings (issue 5): every schema and policy a project has had, in
 * `project_settings_versions` (numbered per project and kind from 1), and the current versions on
 * `projects` beside the current bodies (`projects.schema`/`projects.policy` stay what is in force,
 * so the ingest and the worker read one row). A verdict records the policy version it used.
 *
 * Projects that already have a schema or a policy get it as version 1, dated with the project.
 */
export class ProjectSettingsVersions1764300000000 implements MigrationInterface {
  name = 'ProjectSettingsVersions1764300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE project_settings_versions (
        project_id uuid        NOT NULL,
        kind       text        NOT NULL,
        version    integer     NOT NULL,
        body       jsonb       NOT NULL,
        created_by uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_project_settings_versions PRIMARY KEY (project_id, kind, version),
        CONSTRAINT ck_project_settings_versions_kind CHECK (kind IN ('schema', 'policy')),
        CONSTRAINT ck_project_settings_versions_version CHECK (version > 0),
        CONSTRAINT fk_project_settings_versions_project FOREIGN KEY (project_id) REFERENCES projects (id) ON DELETE CASCADE
      )`);
    await queryRunner.query(`
      ALTER TABLE projects
        ADD COLUMN schema_version integer,
        ADD COLUMN policy_version integer`);
    await queryRunner.query(`
      INSERT INTO project_settings_versions (project_id, kind, version, body, created_at)
      SELECT id, 'schema', 1, schema, created_at FROM projects WHERE schema IS NOT NULL
      UNION ALL
      SELECT id, 'policy', 1, policy, created_at FROM projects WHERE policy IS NOT NULL`);
    await queryRunner.query(`
      UPDATE projects
      SET schema_version = CASE WHEN schema IS NULL THEN NULL ELSE 1 END,
          policy_version = CASE WHEN policy IS NULL THEN NULL ELSE 1 END
      WHERE schema IS NOT NULL OR policy IS NOT NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE projects
        DROP COLUMN policy_version,
        DROP COLUMN schema_version`);
    await queryRunner.query(`DROP TABLE project_settings_versions`);
  }
}
