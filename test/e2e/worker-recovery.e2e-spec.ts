import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { generateDemoCsv } from '../../src/demo/demo-generator';
import { JOB_TEST_DELAY_VARIABLE } from '../../src/jobs/job-test-hooks';
import { createProjectWithKeys } from '../factories/project.factory';
import { analyzeInMemory } from '../fixtures/in-memory-analysis';
import { auth, createTestApp, type TestApp } from '../helpers/test-app';
import { waitForBatch, type BatchStatusBody } from '../helpers/wait-for-batch';

const ROOT = join(__dirname, '..', '..');

interface WorkerProcess {
  child: ChildProcess;
  output: () => string;
}

/**
 * The real worker entry point (src/worker.ts) in a child process, on this test's database and
 * queue prefix, compiled on the fly (test/helpers/register-ts.js), so the test can SIGKILL it.
 */
function startWorker(queuePrefix: string, env: Record<string, string> = {}): WorkerProcess {
  const child = spawn(process.execPath, ['-r', join(ROOT, 'test/helpers/register-ts.js'), join(ROOT, 'src/worker.ts')], {
    cwd: ROOT,
    env: { ...process.env, CONCORD_QUEUE_PREFIX: queuePrefix, LOG_LEVEL: 'info', WORKER_CONCURRENCY: '4', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return { child, output: () => output };
}

async function stop(worker: WorkerProcess, signal: NodeJS.Signals): Promise<void> {
  if (worker.child.exitCode !== null || worker.child.signalCode !== null) return;
  const exited = once(worker.child, 'exit');
  worker.child.kill(signal);
  await exited;
}

interface Counts {
  results: number;
  stats: number;
}

describe('a worker killed mid-job', () => {
  let api: TestApp;
  const workers: WorkerProcess[] = [];

  beforeAll(async () => {
    // The API only: jobs run in the child processes below.
    api = await createTestApp({ worker: false });
  });

  afterAll(async () => {
    for (const worker of workers) await stop(worker, 'SIGKILL');
    await api.close();
  });

  async function counts(batchId: string): Promise<Counts> {
    const [row] = (await api.dataSource.query(
      `SELECT (SELECT count(*) FROM agreement_results WHERE batch_id = $1)::int AS results,
              (SELECT count(*) FROM annotator_stats WHERE batch_id = $1)::int AS stats`,
      [batchId],
    )) as Counts[];
    return row!;
  }

  it('is replaced by a new worker that completes the batch with exactly one set of results', async () => {
    const csv = generateDemoCsv({ clips: 30, seed: 11 });
    const { project, qaLead } = await createProjectWithKeys(api);
    const upload = await api.agent.post(`/v1/projects/${project.id}/batches`).set(auth(qaLead)).type('text/csv').send(csv);
    expect(upload.status).toBe(202);
    const batchId = upload.body.batch.id as string;

    // Worker 1 stores each dimension's results, then (test hook) stalls before completing the job.
    const first = startWorker(api.config.queuePrefix, { [JOB_TEST_DELAY_VARIABLE]: '600000' });
    workers.push(first);
    const midJob = await waitForBatch(api.agent, batchId, qaLead, {
      timeoutMs: 45_000,
      pollMs: 100,
      until: (batch: BatchStatusBody) =>
        (batch.jobs as { name: string; status: string; progress: number }[])
          .filter((job) => job.name === 'agreement-dimension')
          .every((job) => job.status === 'active' && job.progress === 1),
    }).catch((error: Error) => {
      throw new Error(`${error.message}\nworker output:\n${first.output()}`);
    });
    expect(midJob.status).toBe('processing');
    expect(await counts(batchId)).toEqual({ results: 4, stats: 12 });
    const firstWrite = (await api.dataSource.query(
      `SELECT modality, dimension, computed_at FROM agreement_results WHERE batch_id = $1 ORDER BY 1, 2`,
      [batchId],
    )) as { computed_at: Date }[];

    await stop(first, 'SIGKILL');
    expect(first.child.signalCode).toBe('SIGKILL');

    // Worker 2: the jobs' locks lapse (JOB_LOCK_MS), its stalled-job check moves them back to wait,
    // it runs them again and the parent completes the batch.
    const second = startWorker(api.config.queuePrefix);
    workers.push(second);
    const done = await waitForBatch(api.agent, batchId, qaLead, { timeoutMs: 45_000, pollMs: 100 }).catch((error: Error) => {
      throw new Error(`${error.message}\nworker output:\n${second.output()}`);
    });
    expect(done).toMatchObject({ status: 'completed', progress: 1, error: null });

    // One set of results, rewritten by the rerun (upserts), equal to the in-memory analysis.
    expect(await counts(batchId)).toEqual({ results: 4, stats: 12 });
    const secondWrite = (await api.dataSource.query(
      `SELECT modality, dimension, computed_at FROM agreement_results WHERE batch_id = $1 ORDER BY 1, 2`,
      [batchId],
    )) as { computed_at: Date }[];
    secondWrite.forEach((row, index) => expect(row.computed_at.getTime()).toBeGreaterThan(firstWrite[index]!.computed_at.getTime()));
    const agreement = await api.agent.get(`/v1/batches/${batchId}/agreement`).set(auth(qaLead));
    expect(agreement.body.results).toEqual(await analyzeInMemory(csv));

    // Each agreement job was started twice: once by the killed worker, once by its successor.
    const jobs = done.jobs as { name: string; status: string; attempts: number }[];
    for (const job of jobs.filter((j) => j.name === 'agreement-dimension')) {
      expect(job).toMatchObject({ status: 'completed', attempts: 2 });
    }
    expect(second.output()).toMatch(/stalled/);

    // Graceful stop: Nest's shutdown hooks close the workers, then re-raise the signal.
    await stop(second, 'SIGTERM');
    expect([second.child.exitCode, second.child.signalCode]).toEqual([null, 'SIGTERM']);
  }, 120_000);
});
