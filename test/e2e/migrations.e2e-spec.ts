import { DataSource } from 'typeorm';
import { dropDatabase, ensureDatabase, withDatabase } from '../../src/database/ensure-database';
import { MIGRATION_LOCK_KEY, revertMigrationsLocked, runMigrationsLocked } from '../../src/database/migrations';
import { buildDataSourceOptions, MIGRATION_FILES } from '../../src/database/typeorm.options';
import { currentTestRun } from '../helpers/test-env';

const TABLES = [
  'agreement_results',
  'annotations',
  'annotator_stats',
  'api_keys',
  'batch_jobs',
  'batches',
  'dashboard_sessions',
  'flag_reviews',
  'flags',
  'items',
  'project_settings_versions',
  'projects',
  'webhook_deliveries',
  'webhook_delivery_attempts',
  'webhook_events',
  'webhooks',
];
/** The migration classes, in the order they apply. */
const MIGRATIONS = [
  'InitialSchema1764190000000',
  'AnnotationProvenance1764200000000',
  'ProjectSettingsVersions1764300000000',
  'FlagsAndVerdicts1764310000000',
  'Webhooks1764320000000',
  'BatchRedelivery1764330000000',
  'DashboardSessions1764340000000',
];

/** The migrations, run on an empty database of their own: up, compared with the entities, down. */
describe('migrations', () => {
  const databaseUrl = withDatabase(currentTestRun().databaseUrl, `concord_test_${currentTestRun().runId}_migrations`);
  let dataSource: DataSource;

  beforeAll(async () => {
    await dropDatabase(databaseUrl);
    expect(await ensureDatabase(databaseUrl)).toBe(true);
    expect(await ensureDatabase(databaseUrl)).toBe(false);
    dataSource = new DataSource(buildDataSourceOptions({ databaseUrl }));
    await dataSource.initialize();
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await dropDatabase(databaseUrl);
  });

  async function tables(): Promise<string[]> {
    const rows = await dataSource.query<{ table_name: string }[]>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> 'migrations' ORDER BY 1`,
    );
    return rows.map((row) => row.table_name);
  }

  it('applies every migration to an empty database, once', async () => {
    expect(await tables()).toEqual([]);
    expect(await runMigrationsLocked(dataSource)).toEqual(MIGRATIONS);
    expect(MIGRATION_FILES).toHaveLength(MIGRATIONS.length);
    expect(await tables()).toEqual(TABLES);
    expect(await runMigrationsLocked(dataSource)).toEqual([]);
  });

  it('leaves nothing for the schema builder to change: the entities match the migrations', async () => {
    const pending = await dataSource.driver.createSchemaBuilder().log();
    expect(pending.upQueries.map((query) => query.query)).toEqual([]);
  });

  it('creates the indexes the read paths need', async () => {
    const rows = await dataSource.query<{ indexname: string; indexdef: string }[]>(
      `SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY indexname`,
    );
    const definitions = Object.fromEntries(rows.map((row) => [row.indexname, row.indexdef.replace(/^.* USING /, '')]));
    expect(definitions).toMatchObject({
      idx_annotations_batch_dimension: 'btree (batch_id, modality, dimension)',
      idx_batches_project_created: 'btree (project_id, created_at DESC, id DESC)',
      idx_batches_project_vendor_created: 'btree (project_id, vendor, created_at DESC)',
      idx_batch_jobs_batch: 'btree (batch_id)',
      idx_api_keys_project: 'btree (project_id)',
      uq_api_keys_key_hash: 'btree (key_hash)',
      uq_batches_project_content_hash: 'btree (project_id, content_hash)',
      pk_agreement_results: 'btree (batch_id, modality, dimension)',
      pk_annotator_stats: 'btree (batch_id, modality, dimension, annotator)',
    });
  });

  it('enforces the constraints of the contract', async () => {
    const [project] = await dataSource.query<{ id: string }[]>(`INSERT INTO projects (name) VALUES ('p') RETURNING id`);
    const insertKey = (role: string, projectId: string | null, vendor: string | null, hash: string) =>
      dataSource.query(`INSERT INTO api_keys (project_id, role, vendor, key_hash, key_prefix) VALUES ($1, $2, $3, $4, 'cnc_x')`, [
        projectId,
        role,
        vendor,
        hash,
      ]);
    await insertKey('vendor', project!.id, 'acme', 'h1');
    await expect(insertKey('vendor', project!.id, null, 'h2')).rejects.toThrow(/ck_api_keys_vendor/);
    await expect(insertKey('qa_lead', project!.id, 'acme', 'h3')).rejects.toThrow(/ck_api_keys_vendor/);
    await expect(insertKey('owner', project!.id, null, 'h4')).rejects.toThrow(/ck_api_keys_role/);
    await expect(insertKey('qa_lead', null, null, 'h5')).rejects.toThrow(/ck_api_keys_project/);
    await expect(insertKey('admin', null, null, 'h1')).rejects.toThrow(/uq_api_keys_key_hash/);
    await dataSource.query(`DELETE FROM projects`);
    expect(await dataSource.query(`SELECT * FROM api_keys`)).toEqual([]);
  });

  it('deletes a batch\'s annotations and items with the batch, directly or by the cascade from its project (trigger, no FK)', async () => {
    const foreignKeys = await dataSource.query<{ table: string }[]>(
      `SELECT conrelid::regclass::text AS table FROM pg_constraint WHERE conrelid IN ('annotations'::regclass, 'items'::regclass) AND contype = 'f'`,
    );
    expect(foreignKeys).toEqual([]); // COPY into these tables pays no per-row FK check
    const [project] = await dataSource.query<{ id: string }[]>(`INSERT INTO projects (name) VALUES ('p') RETURNING id`);
    const batch = async (hash: string): Promise<string> => {
      const [row] = await dataSource.query<{ id: string }[]>(
        `INSERT INTO batches (project_id, format, content_hash, record_count, item_count, annotator_count, dimension_count)
         VALUES ($1, 'csv', $2, 2, 1, 2, 1) RETURNING id`,
        [project!.id, hash],
      );
      await dataSource.query(
        `INSERT INTO annotations (batch_id, line, item, annotator, modality, dimension, label)
         VALUES ($1, 2, 'i', 'a', 'text', 'label', 'x'), ($1, 3, 'i', 'b', 'text', 'label', 'y')`,
        [row!.id],
      );
      await dataSource.query(`INSERT INTO items (batch_id, item, judgements) VALUES ($1, 'i', 2)`, [row!.id]);
      return row!.id;
    };
    const [first, second, third] = [await batch('h1'), await batch('h2'), await batch('h3')];
    const counts = async (): Promise<Record<string, string>> => {
      const rows = await dataSource.query<{ batch_id: string; n: string }[]>(
        `SELECT batch_id, count(*) || ' annotations, ' || (SELECT count(*) FROM items i WHERE i.batch_id = a.batch_id) || ' items' AS n
         FROM annotations a GROUP BY batch_id`,
      );
      return Object.fromEntries(rows.map((row) => [row.batch_id, row.n]));
    };
    const both = '2 annotations, 1 items';
    expect(await counts()).toEqual({ [first]: both, [second]: both, [third]: both });
    await dataSource.query(`DELETE FROM batches WHERE id = $1`, [first]);
    expect(await counts()).toEqual({ [second]: both, [third]: both });
    await dataSource.query(`DELETE FROM projects WHERE id = $1`, [project!.id]);
    expect(await counts()).toEqual({});
    expect(await dataSource.query(`SELECT * FROM items`)).toEqual([]);
  });

  it('gives annotations the provenance columns, with defaults that need no rewrite, and reverts them with what follows', async () => {
    const columns = async (): Promise<string[]> =>
      (
        await dataSource.query<{ column_name: string; spec: string }[]>(
          `SELECT column_name, data_type || ' ' || is_nullable || ' ' || coalesce(column_default, '-') AS spec
           FROM information_schema.columns WHERE table_name = 'annotations' AND ordinal_position > 15 ORDER BY ordinal_position`,
        )
      ).map((row) => `${row.column_name} ${row.spec}`);
    const added = [
      'ordinal integer NO 0',
      'gold boolean NO false',
      'text text YES -',
      'source_file text YES -',
      'source_task text YES -',
      'source_annotation text YES -',
      'source_region text YES -',
      'source_track text YES -',
      'source_tier text YES -',
    ];
    expect(await columns()).toEqual(added);
    const later = MIGRATIONS.slice(1);
    expect(await revertMigrationsLocked(dataSource, later.length)).toBe(later.length);
    expect(await columns()).toEqual([]);
    expect(await runMigrationsLocked(dataSource)).toEqual(later);
    expect(await columns()).toEqual(added);
  });

  it('waits for the migration lock held by another session', async () => {
    const other = dataSource.createQueryRunner();
    await other.connect();
    await other.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    let finished = false;
    const migrating = runMigrationsLocked(dataSource).then((applied) => {
      finished = true;
      return applied;
    });
    // The lock is visibly awaited by the migrating session before it is released.
    await waitFor(async () => {
      const waiting = await dataSource.query<unknown[]>(
        `SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND objid = $1`,
        [MIGRATION_LOCK_KEY],
      );
      return waiting.length > 0;
    });
    expect(finished).toBe(false);
    await other.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    await other.release();
    expect(await migrating).toEqual([]);
  });

  it('reverts every migration, leaving an empty schema', async () => {
    expect(await revertMigrationsLocked(dataSource, Infinity)).toBe(MIGRATION_FILES.length);
    expect(await tables()).toEqual([]);
    expect(await revertMigrationsLocked(dataSource, Infinity)).toBe(0);
  });
});

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
