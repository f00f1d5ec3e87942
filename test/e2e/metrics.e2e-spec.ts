import { createProject } from '../factories/project.factory';
import { auth, createTestApp, type TestApp } from '../helpers/test-app';

/** The value of one sample line of a Prometheus text exposition, or undefined. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const body = line.slice(name.length + 1, line.lastIndexOf('}'));
    const found = Object.fromEntries([...body.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([key, value]) => found[key] === value)) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

describe('metrics', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ worker: false });
  });

  afterAll(async () => {
    await t?.close();
  });

  async function scrape(): Promise<string> {
    const response = await t.agent.get('/metrics');
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    return response.text;
  }

  it('times HTTP requests by route pattern and status', async () => {
    await t.agent.get('/v1/projects').set(auth(t.adminKey));
    await t.agent.post('/v1/projects/not-a-uuid/keys').set(auth(t.adminKey)).send({ role: 'qa_lead' });
    await t.agent.get('/no/such/route');
    const text = await scrape();
    expect(sample(text, 'concord_http_request_duration_seconds_count', { method: 'GET', route: '/v1/projects', status_code: '200' })).toBeGreaterThanOrEqual(1);
    expect(
      sample(text, 'concord_http_request_duration_seconds_count', { method: 'POST', route: '/v1/projects/:projectId/keys', status_code: '404' }),
    ).toBe(1);
    expect(sample(text, 'concord_http_request_duration_seconds_count', { method: 'GET', route: 'unmatched', status_code: '404' })).toBeGreaterThanOrEqual(1);
    expect(text).not.toContain('not-a-uuid');
  });

  it('reports queue depth per queue and state', async () => {
    const text = await scrape();
    for (const queue of ['agreement', 'evaluate']) {
      for (const state of ['waiting', 'active', 'delayed', 'failed', 'completed']) {
        expect([queue, state, sample(text, 'concord_queue_jobs', { queue, state })]).toEqual([queue, state, expect.any(Number)]);
      }
    }
  });

  it('reports batches by status and the durations of finished jobs, from the database', async () => {
    const project = await createProject(t);
    const before = await scrape();
    const queuedBefore = sample(before, 'concord_batches', { status: 'queued' }) ?? 0;
    const jobsBefore = sample(before, 'concord_job_duration_seconds_count', { queue: 'agreement', status: 'completed' }) ?? 0;

    const [batch] = await t.dataSource.query<{ id: string }[]>(
      `INSERT INTO batches (project_id, format, content_hash, record_count, item_count, annotator_count, dimension_count)
       VALUES ($1, 'canonical-csv', md5(random()::text), 3, 1, 3, 1) RETURNING id`,
      [project.id],
    );
    await t.dataSource.query(
      `INSERT INTO batch_jobs (job_id, batch_id, name, modality, dimension, status, started_at, finished_at, duration_ms)
       VALUES ($1, $2, 'agreement-dimension', 'text', 'label', 'completed', now() - interval '1.5 seconds', now(), 1500)`,
      [`${batch!.id}-text-label`, batch!.id],
    );

    const after = await scrape();
    expect(sample(after, 'concord_batches', { status: 'queued' })).toBe(queuedBefore + 1);
    expect(sample(after, 'concord_batches', { status: 'failed' })).toEqual(expect.any(Number));
    expect(sample(after, 'concord_job_duration_seconds_count', { queue: 'agreement', status: 'completed' })).toBe(jobsBefore + 1);
    expect(sample(after, 'concord_job_duration_seconds_bucket', { queue: 'agreement', status: 'completed', le: '1' })).toBe(jobsBefore);
    expect(sample(after, 'concord_job_duration_seconds_bucket', { queue: 'agreement', status: 'completed', le: '2.5' })).toBe(jobsBefore + 1);

    // A job is counted once, however often Prometheus scrapes.
    const again = await scrape();
    expect(sample(again, 'concord_job_duration_seconds_count', { queue: 'agreement', status: 'completed' })).toBe(jobsBefore + 1);
  });
});
