import { Client } from 'pg';

const DUPLICATE_DATABASE = '42P04';

function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** The database name of a postgres:// URL. */
export function databaseNameOf(databaseUrl: string): string {
  return decodeURIComponent(new URL(databaseUrl).pathname.replace(/^\//, ''));
}

/** The same server, database `name` (by default the maintenance database `postgres`). */
export function withDatabase(databaseUrl: string, name = 'postgres'): string {
  const url = new URL(databaseUrl);
  url.pathname = `/${encodeURIComponent(name)}`;
  return url.toString();
}

/**
 * Creates the database of `databaseUrl` if it does not exist (connecting to the `postgres`
 * database of the same server). Safe when several processes race: losing CREATE DATABASE is fine.
 * Returns true when it created the database.
 */
export async function ensureDatabase(databaseUrl: string): Promise<boolean> {
  const name = databaseNameOf(databaseUrl);
  if (!name) throw new Error('DATABASE_URL names no database');
  const client = new Client({ connectionString: withDatabase(databaseUrl) });
  await client.connect();
  try {
    const existing = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (existing.rowCount) return false;
    await client.query(`CREATE DATABASE ${quoteIdentifier(name)}`);
    return true;
  } catch (error) {
    if ((error as { code?: unknown }).code === DUPLICATE_DATABASE) return false;
    throw error;
  } finally {
    await client.end();
  }
}

/** Drops a database (tests only), disconnecting whoever is still connected. */
export async function dropDatabase(databaseUrl: string): Promise<void> {
  const client = new Client({ connectionString: withDatabase(databaseUrl) });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(databaseNameOf(databaseUrl))} WITH (FORCE)`);
  } finally {
    await client.end();
  }
}
