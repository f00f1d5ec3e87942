import { createHash } from 'node:crypto';
import { Client } from 'pg';
import { dropDatabase, withDatabase } from '../../src/database/ensure-database';
import { type SpawnedEntry, spawnEntry } from '../helpers/spawn-entry';
import { currentTestRun } from '../helpers/test-env';

/** The real entry points, started as separate processes, as `npm run start:api|start:worker` would. */
describe('start-up', () => {
  const run = currentTestRun();
  const { CONCORD_ADMIN_KEY: _ignored, ...baseEnv } = process.env;

  describe('with a bad environment', () => {
    it.each(['src/main.ts', 'src/worker.ts'])('%s names every bad variable and exits with 1', async (entry) => {
      const spawned = spawnEntry(entry, {
        ...baseEnv,
        PORT: 'eighty',
        DATABASE_URL: 'mysql://localhost/concord',
        LOG_LEVEL: 'loud',
      });
      expect(await spawned.exited).toBe(1);
      expect(spawned.stderr()).toBe(
        'Invalid configuration (3 problems):\n' +
          '  DATABASE_URL: must be a URL starting with postgres:// or postgresql://\n' +
          '  PORT: must be a whole number\n' +
          '  LOG_LEVEL: Invalid option: expected one of "fatal"|"error"|"warn"|"info"|"debug"|"trace"|"silent"\n',
      );
      expect(spawned.stdout()).toBe('');
    });
  });

  describe('on an empty server', () => {
    const databaseUrl = withDatabase(run.databaseUrl, `concord_test_${run.runId}_startup`);
    const env = {
      ...baseEnv,
      DATABASE_URL: databaseUrl,
      PORT: '0',
      LOG_LEVEL: 'info',
      CONCORD_QUEUE_PREFIX: `${run.queuePrefix}-startup`,
    };

    beforeAll(() => dropDatabase(databaseUrl));
    afterAll(() => dropDatabase(databaseUrl));

    async function adminHashes(): Promise<string[]> {
      const client = new Client({ connectionString: databaseUrl });
      await client.connect();
      try {
        const result = await client.query<{ key_hash: string }>(`SELECT key_hash FROM api_keys WHERE role = 'admin'`);
        return result.rows.map((row) => row.key_hash);
      } finally {
        await client.end();
      }
    }

    it('creates and migrates the database, prints a generated admin key once, and stops on SIGTERM', async () => {
      const first = spawnEntry('src/main.ts', env);
      const [, key] = await first.waitForStdout(/Concord admin key \(shown once, store it now\): (cnc_[A-Za-z0-9_-]{43})\n/);
      const [listening] = await first.waitForStdout(/\{[^\n]*"msg":"Concord API listening"[^\n]*\}/);
      const url = (JSON.parse(listening) as { url: string }).url;

      expect((await fetch(`${url}/health`)).status).toBe(200);
      expect((await fetch(`${url}/v1/projects`, { headers: { authorization: `Bearer ${key}` } })).status).toBe(200);
      expect(await adminHashes()).toEqual([createHash('sha256').update(key!).digest('hex')]);

      // The key is printed once, as plain text: never inside a JSON log line.
      const jsonLines = first.stdout().split('\n').filter((line) => line.startsWith('{'));
      expect(jsonLines.length).toBeGreaterThan(0);
      expect(jsonLines.join('\n')).not.toContain(key);
      expect(first.stdout().split(key!).length - 1).toBe(1);

      await stopGracefully(first);

      // Second start: an admin key exists, so none is generated or printed.
      const second = spawnEntry('src/main.ts', env);
      await second.waitForStdout(/"msg":"Concord API listening"/);
      expect(second.stdout()).not.toContain('Concord admin key');
      expect(await adminHashes()).toHaveLength(1);
      await stopGracefully(second);
    });

    it('starts the worker without HTTP, and stops it on SIGTERM', async () => {
      const worker = spawnEntry('src/worker.ts', env);
      await worker.waitForStdout(/"msg":"Concord worker started"/);
      await stopGracefully(worker);
    });
  });
});

/**
 * SIGTERM runs Nest's shutdown hooks (HTTP server, queues, workers, connections closed); Nest then
 * re-raises the signal, so the process ends by SIGTERM after logging the end of the shutdown.
 */
async function stopGracefully(spawned: SpawnedEntry): Promise<void> {
  spawned.child.kill('SIGTERM');
  expect(await spawned.exited).toBe('SIGTERM');
  expect(spawned.stdout()).toMatch(/"signal":"SIGTERM"[^\n]*"msg":"shut down"/);
}
