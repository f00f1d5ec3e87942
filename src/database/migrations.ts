import { DataSource } from 'typeorm';
import type { AppConfig } from '../config/app.config';
import { ensureDatabase } from './ensure-database';
import { buildDataSourceOptions } from './typeorm.options';

/**
 * Session-level advisory lock held while migrating, so two processes starting at once (two API
 * replicas, or the API and `npm run migration:run`) never migrate concurrently: the second waits,
 * then finds nothing left to do. The number is arbitrary but fixed ("Conc" in ASCII).
 */
export const MIGRATION_LOCK_KEY = 0x436f6e63;

async function withMigrationLock<T>(dataSource: DataSource, fn: () => Promise<T>): Promise<T> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      return await fn();
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    await runner.release();
  }
}

/** Runs the pending migrations under the lock, each in its own transaction; returns their names. */
export async function runMigrationsLocked(dataSource: DataSource): Promise<string[]> {
  return withMigrationLock(dataSource, async () => {
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((migration) => migration.name);
  });
}

/** Reverts the last `count` migrations (all of them with `Infinity`) under the lock; returns how many. */
export async function revertMigrationsLocked(dataSource: DataSource, count: number): Promise<number> {
  return withMigrationLock(dataSource, async () => {
    let reverted = 0;
    while (reverted < count) {
      const executed = await dataSource.query<unknown[]>(`SELECT 1 FROM ${quotedMigrationsTable(dataSource)} LIMIT 1`);
      if (executed.length === 0) break;
      await dataSource.undoLastMigration({ transaction: 'each' });
      reverted += 1;
    }
    return reverted;
  });
}

function quotedMigrationsTable(dataSource: DataSource): string {
  return `"${(dataSource.options.migrationsTableName ?? 'migrations').replace(/"/g, '""')}"`;
}

/**
 * The API's start-up step: create the database if missing, then migrate it, with a short-lived
 * DataSource of the same options (the app's own DataSource connects afterwards).
 */
export async function prepareDatabase(config: Pick<AppConfig, 'databaseUrl'>): Promise<{ created: boolean; applied: string[] }> {
  const created = await ensureDatabase(config.databaseUrl);
  const dataSource = new DataSource(buildDataSourceOptions(config));
  await dataSource.initialize();
  try {
    return { created, applied: await runMigrationsLocked(dataSource) };
  } finally {
    await dataSource.destroy();
  }
}
