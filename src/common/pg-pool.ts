import type { Pool } from 'pg';
import type { DataSource } from 'typeorm';

/**
 * The `pg` Pool under TypeORM's PostgreSQL driver (`driver.master`), for hot read paths that want
 * one round trip without TypeORM's per-query work (a query runner per call, its broadcaster and
 * result wrapping) and with named prepared statements (`pool.query({ name, text, values })`:
 * parsed and planned once per connection). Same connections, same limits as the DataSource.
 * Resolved per call: the driver creates the pool when the DataSource initialises.
 */
export function pgPoolOf(dataSource: DataSource): Pool {
  const pool = (dataSource.driver as { master?: Pool }).master;
  if (pool === undefined) throw new Error('the DataSource has no PostgreSQL pool (not a postgres driver, or not initialised)');
  return pool;
}
