import { loadConfig } from '../config/app.config';
import { dataSource } from './data-source';
import { ensureDatabase } from './ensure-database';
import { revertMigrationsLocked, runMigrationsLocked } from './migrations';

/**
 * `npm run migration:run` / `npm run migration:revert [count]`: the explicit migration step,
 * under the same advisory lock as the API's start-up migration.
 */
async function main(argv: readonly string[]): Promise<number> {
  const [command, countArgument] = argv;
  if (command !== 'run' && command !== 'revert') {
    process.stderr.write('usage: migrate.js run | revert [count|all]\n');
    return 2;
  }
  if (command === 'run') await ensureDatabase(loadConfig().databaseUrl);
  await dataSource.initialize();
  try {
    if (command === 'run') {
      const applied = await runMigrationsLocked(dataSource);
      process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'no pending migrations\n');
    } else {
      const count = countArgument === 'all' ? Infinity : Number(countArgument ?? 1);
      if (!(count >= 1)) throw new Error(`bad count ${countArgument}`);
      process.stdout.write(`reverted ${await revertMigrationsLocked(dataSource, count)} migration(s)\n`);
    }
    return 0;
  } finally {
    await dataSource.destroy();
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`migration failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
