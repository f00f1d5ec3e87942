import { DataSource } from 'typeorm';
import { generateDemoCsv, SLOPPY_ANNOTATOR } from '../../src/demo/demo-generator';
import { BatchFlowBuilder } from '../../src/jobs/batch-flow.builder';
import { canonicalCsv, nominalBatch } from '../factories/canonical-csv.factory';
import { createProjectWithKeys } from '../factories/project.factory';
import { analyzeInMemory } from '../fixtures/in-memory-analysis';
import { auth, createTestApp, type TestApp } from '../helpers/test-app';
import { waitForBatch } from '../helpers/wait-for-batch';

interface Counts {
  batches: number;
  annotations: number;
  items: number;
  jobs: number;
  results: number;
  stats: number;
}

/** Row counts of everything a project's batches own. */
async function projectCounts(dataSource: DataSource, projectId: string): Promise<Counts> {
  const [row] = (await dataSource.query(
    `SELECT
       (SELECT count(*) FROM batches WHERE project_id = $1)::int AS batches,
       (SELECT count(*) FROM annotations a JOIN batches b ON b.id = a.batch_id WHERE b.project_id = $1)::int AS annotations,
       (SELECT count(*) FROM items i JOIN batches b ON b.id = i.batch_id WHERE b.project_id = $1)::int AS items,
       (SELECT count(*) FROM batch_jobs j JOIN batches b ON b.id = j.batch_id WHERE b.project_id = $1)::int AS jobs,
       (SELECT count(*) FROM agreement_results r JOIN batches b ON b.id = r.batch_id WHERE b.project_id = $1)::int AS results,
       (SELECT count(*) FROM annotator_stats s JOIN batches b ON b.id = s.batch_id WHERE b.project_id = $1)::int AS stats`,
    [projectId],
  )) as Counts[];
  return row!;
}

const NOTHING: Counts = { batches: 0, annotations: 0, items: 0, jobs: 0, results: 0, stats: 0 };

describe('batches: upload, jobs, results', () => {
  let testApp: TestApp;

  beforeAll(async () => {
    testApp = await createTestApp();
  });

  afterAll(async () => {
    await testApp.close();
  });

  describe('the demo file (four dimensions of four modalities)', () => {
    const csv = generateDemoCsv({ clips: 60, seed: 7 });
    const schema = { dimensions: [{ modality: 'text' as const, dimension: 'sentiment', level: 'nominal' as const }] };
    let projectId: string;
    let key: string;
    let batchId: string;

    beforeAll(async () => {
      const setup = await createProjectWithKeys(testApp, { schema });
      projectId = setup.project.id;
      key = setup.qaLead;
    });

    it('answers 202 with the batch and its queued flow', async () => {
      const response = await testApp.agent
        .post(`/v1/projects/${projectId}/batches?vendor=acme`)
        .set(auth(key))
        .set('content-type', 'text/csv')
        .send(csv);
      expect(response.status).toBe(202);
      const { batch, jobs } = response.body as { batch: Record<string, unknown>; jobs: Record<string, unknown>[] };
      batchId = batch.id as string;
      expect(batch).toMatchObject({
        projectId,
        vendor: 'acme',
        status: 'queued',
        verdict: 'pending',
        format: 'csv',
        counts: { records: csv.trim().split('\n').length - 1, items: 60, annotators: 3, dimensions: 4 },
      });
      expect(jobs.map((job) => job.id)).toEqual(
        expect.arrayContaining([
          `${batchId}-text-sentiment`,
          `${batchId}-audio-speech`,
          `${batchId}-video-expression`,
          `${batchId}-image-objects`,
          `${batchId}-evaluate`,
        ]),
      );
      expect(jobs).toHaveLength(5);
    });

    it('completes, and /agreement is exactly what the analysis computes in memory on the same file', async () => {
      const done = await waitForBatch(testApp.agent, batchId, key);
      expect(done).toMatchObject({ status: 'completed', progress: 1, error: null });
      expect(done.completedAt).toEqual(expect.any(String));
      expect((done.jobs as { status: string }[]).every((job) => job.status === 'completed')).toBe(true);

      const response = await testApp.agent.get(`/v1/batches/${batchId}/agreement`).set(auth(key));
      expect(response.status).toBe(200);
      expect(response.body.batchId).toBe(batchId);
      expect(response.body.status).toBe('completed');
      const expected = await analyzeInMemory(csv, { schema });
      expect(expected.map((r) => `${r.modality}/${r.dimension}`)).toEqual([
        'text/sentiment',
        'image/objects',
        'audio/speech',
        'video/expression',
      ]);
      expect(response.body.results).toEqual(expected);
    });

    it('stores one row per annotation, item, result and annotator figure', async () => {
      const records = csv.trim().split('\n').length - 1;
      expect(await projectCounts(testApp.dataSource, projectId)).toEqual({
        batches: 1,
        annotations: records,
        items: 60,
        jobs: 5,
        results: 4,
        stats: 12,
      });
    });

    it('reports per-annotator figures; the sloppy annotator stands out', async () => {
      const response = await testApp.agent.get(`/v1/batches/${batchId}/annotators`).set(auth(key));
      expect(response.status).toBe(200);
      const annotators = response.body.annotators as {
        annotator: string;
        judgements: number;
        dimensions: { modality: string; dimension: string; dropOneChange: number | null; meanIoU: number | null }[];
      }[];
      expect(annotators.map((a) => a.annotator)).toEqual(['ann-alice', 'ann-bruno', 'ann-chen']);
      for (const annotator of annotators) {
        expect(annotator.dimensions.map((d) => `${d.modality}/${d.dimension}`)).toEqual([
          'text/sentiment',
          'image/objects',
          'audio/speech',
          'video/expression',
        ]);
      }
      const sentimentChange = (name: string) =>
        annotators.find((a) => a.annotator === name)!.dimensions.find((d) => d.dimension === 'sentiment')!.dropOneChange!;
      // Without the sloppy annotator alpha rises; without a careful one it falls.
      expect(sentimentChange(SLOPPY_ANNOTATOR)).toBeGreaterThan(0);
      expect(sentimentChange('ann-alice')).toBeLessThan(0);
      const speechIoU = (name: string) =>
        annotators.find((a) => a.annotator === name)!.dimensions.find((d) => d.dimension === 'speech')!.meanIoU!;
      expect(speechIoU(SLOPPY_ANNOTATOR)).toBeLessThan(speechIoU('ann-alice'));
      const total = annotators.reduce((sum, a) => sum + a.judgements, 0);
      expect(total).toBe(csv.trim().split('\n').length - 1);
    });

    it('answers the same file uploaded again with the existing batch (200), storing nothing new', async () => {
      const before = await projectCounts(testApp.dataSource, projectId);
      const response = await testApp.agent
        .post(`/v1/projects/${projectId}/batches?vendor=acme`)
        .set(auth(key))
        .set('content-type', 'text/csv')
        .send(csv);
      expect(response.status).toBe(200);
      expect(response.body.batch.id).toBe(batchId);
      expect(response.body.batch.status).toBe('completed');
      expect(await projectCounts(testApp.dataSource, projectId)).toEqual(before);
    });

    it('recognises the same bytes sent as a multipart file part', async () => {
      const response = await testApp.agent
        .post(`/v1/projects/${projectId}/batches`)
        .set(auth(key))
        .attach('file', Buffer.from(csv), { filename: 'demo.csv', contentType: 'text/csv' });
      expect(response.status).toBe(200);
      expect(response.body.batch.id).toBe(batchId);
    });
  });

  describe('upload forms', () => {
    let projectId: string;
    let key: string;

    beforeAll(async () => {
      const setup = await createProjectWithKeys(testApp);
      projectId = setup.project.id;
      key = setup.qaLead;
    });

    it('takes a multipart upload with one file part, keeping its file name', async () => {
      const { csv } = nominalBatch({ itemPrefix: 'multipart', items: 20, disagreement: 0.2 });
      const response = await testApp.agent
        .post(`/v1/projects/${projectId}/batches`)
        .set(auth(key))
        .field('note', 'a form field is ignored')
        .attach('export', Buffer.from(csv), { filename: 'export.csv', contentType: 'text/csv' });
      expect(response.status).toBe(202);
      expect(response.body.batch).toMatchObject({ fileName: 'export.csv', vendor: null, counts: { records: 60, items: 20 } });
      const done = await waitForBatch(testApp.agent, response.body.batch.id, key);
      expect(done.status).toBe('completed');
      const agreement = await testApp.agent.get(`/v1/batches/${done.id}/agreement`).set(auth(key));
      expect(agreement.body.results).toEqual(await analyzeInMemory(csv));
    });

    it('takes JSONL as a raw body with a JSON content type (the JSON body parser leaves it alone)', async () => {
      const lines = [
        { item: 'j1', annotator: 'a', label: 'x' },
        { item: 'j1', annotator: 'b', label: 'x' },
        { item: 'j2', annotator: 'a', label: 'y' },
        { item: 'j2', annotator: 'b', label: 'x' },
      ];
      const body = lines.map((line) => JSON.stringify(line)).join('\n') + '\n';
      const response = await testApp.agent
        .post(`/v1/projects/${projectId}/batches`)
        .set(auth(key))
        .set('content-type', 'application/json')
        .send(body);
      expect(response.status).toBe(202);
      expect(response.body.batch.format).toBe('jsonl');
      const done = await waitForBatch(testApp.agent, response.body.batch.id, key);
      const agreement = await testApp.agent.get(`/v1/batches/${done.id}/agreement`).set(auth(key));
      expect(agreement.body.results).toEqual(await analyzeInMemory(body));
    });

    it('honours ?format= and refuses an unknown one', async () => {
      const { csv } = nominalBatch({ itemPrefix: 'format', items: 4 });
      const wrong = await testApp.agent
        .post(`/v1/projects/${projectId}/batches?format=jsonl`)
        .set(auth(key))
        .send(csv);
      expect(wrong.status).toBe(422);
      const unknown = await testApp.agent.post(`/v1/projects/${projectId}/batches?format=nope`).set(auth(key)).send(csv);
      expect(unknown.status).toBe(422);
      expect(unknown.body.errors[0].path).toBe('format');
    });

    it('settles two concurrent uploads of one file on one batch', async () => {
      const { csv } = nominalBatch({ itemPrefix: 'race', items: 300 });
      const [a, b] = await Promise.all(
        [0, 1].map(() => testApp.agent.post(`/v1/projects/${projectId}/batches`).set(auth(key)).type('text/csv').send(csv)),
      );
      expect([a!.status, b!.status].sort()).toEqual([200, 202]);
      expect(a!.body.batch.id).toBe(b!.body.batch.id);
      const rows = (await testApp.dataSource.query(
        `SELECT count(*)::int AS count FROM annotations WHERE batch_id = $1`,
        [a!.body.batch.id],
      )) as { count: number }[];
      expect(rows[0]?.count).toBe(900);
    });

    it('marks a batch failed, with the reason, when its data cannot be analysed', async () => {
      const setup = await createProjectWithKeys(testApp, {
        schema: { dimensions: [{ modality: 'text', dimension: 'label', level: 'interval' }] },
      });
      const { csv } = nominalBatch({ itemPrefix: 'fail', items: 5 });
      const response = await testApp.agent
        .post(`/v1/projects/${setup.project.id}/batches`)
        .set(auth(setup.qaLead))
        .type('text/csv')
        .send(csv);
      expect(response.status).toBe(202);
      const done = await waitForBatch(testApp.agent, response.body.batch.id, setup.qaLead);
      expect(done.status).toBe('failed');
      expect(done.error).toMatch(/^text\/label: line 2: label "positive" is not a number/);
      const job = (done.jobs as { name: string; status: string; attempts: number }[]).find((j) => j.name === 'agreement-dimension');
      // bad data fails for good at once: no retries
      expect(job).toMatchObject({ status: 'failed', attempts: 1 });
    });
  });

  describe('invalid files: 422 with every error, and nothing stored', () => {
    let projectId: string;
    let key: string;

    beforeAll(async () => {
      const setup = await createProjectWithKeys(testApp);
      projectId = setup.project.id;
      key = setup.qaLead;
    });

    afterEach(async () => {
      expect(await projectCounts(testApp.dataSource, projectId)).toEqual(NOTHING);
    });

    async function upload(body: string) {
      const response = await testApp.agent.post(`/v1/projects/${projectId}/batches`).set(auth(key)).type('text/csv').send(body);
      expect(response.status).toBe(422);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.body).toMatchObject({ status: 422, code: 'INVALID_INPUT' });
      return response.body as { errors: { line?: number; field?: string; message: string }[]; moreErrors?: number; detail: string };
    }

    it('a bad header', async () => {
      const body = await upload('item,annotatr,label\ni1,a1,x\ni1,a2,x\n');
      expect(body.errors).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ line: 1, message: expect.stringContaining('unknown column "annotatr"') }),
          expect.objectContaining({ line: 1, message: expect.stringContaining('missing column annotator') }),
        ]),
      );
    });

    it('wrong types, on the line and field where they are', async () => {
      const body = await upload('item,annotator,label,value\ni1,a1,x,1\ni1,a2,y,abc\ni2,a1,x,2\ni2,a2,x,1e\n');
      expect(body.errors).toEqual([
        expect.objectContaining({ line: 3, field: 'value', message: expect.stringContaining('"abc" is not a finite number') }),
        expect.objectContaining({ line: 5, field: 'value', message: expect.stringContaining('"1e" is not a finite number') }),
      ]);
    });

    it('end ≤ start', async () => {
      const body = await upload(
        'item,annotator,label,modality,dimension,start,end\n' +
          'i1,a1,x,audio,speech,1,2\ni1,a2,x,audio,speech,3,3\ni2,a1,x,audio,speech,5,4\n',
      );
      expect(body.errors).toEqual([
        expect.objectContaining({ line: 3, field: 'end' }),
        expect.objectContaining({ line: 4, field: 'end' }),
      ]);
    });

    it('a truncated file (a quote that never closes)', async () => {
      const body = await upload('item,annotator,label\ni1,a1,x\ni1,a2,"unterminated\ni2,a1,y\n');
      expect(body.errors).toEqual([expect.objectContaining({ line: 3, message: expect.stringContaining('unterminated') })]);
    });

    it('a judgement given twice (the dataset check the CLI makes too)', async () => {
      const body = await upload('item,annotator,label\ni1,a1,x\ni1,a1,y\n');
      expect(body.errors).toEqual([expect.objectContaining({ line: 3, message: expect.stringContaining('twice') })]);
    });

    it('an empty file', async () => {
      const response = await testApp.agent.post(`/v1/projects/${projectId}/batches`).set(auth(key)).type('text/csv').send('');
      expect(response.status).toBe(422);
    });

    it('caps the list at 100 errors and counts the rest, after reading every record', async () => {
      const rows = Array.from({ length: 250 }, (_, i) => ({ item: `i${i}`, annotator: 'a', label: 'x', value: 'oops' as unknown as number }));
      const body = await upload(canonicalCsv(rows));
      expect(body.errors).toHaveLength(100);
      expect(body.moreErrors).toBe(150);
      expect(body.errors[0]).toMatchObject({ line: 2, field: 'value' });
      expect(body.detail).toContain('250 errors');
    });

    it('does not leave a batch behind when the error comes late in a large file', async () => {
      const { rows } = nominalBatch({ itemPrefix: 'late', items: 5000 });
      rows.push({ item: 'late-x', annotator: 'ann-a', label: 'x', value: Number.NaN });
      const body = await upload(canonicalCsv(rows).replace(/,NaN\n$/, ',not-a-number\n'));
      expect(body.errors).toEqual([expect.objectContaining({ line: 15_002, field: 'value' })]);
    });
  });

  describe('when the jobs cannot be queued', () => {
    it('answers 503, marks the stored batch failed, and queues it when the file is uploaded again', async () => {
      // Redis refusing the flow, simulated at the flow builder (the database stays real).
      const broken = await createTestApp({
        worker: false,
        override: (builder) =>
          builder.overrideProvider(BatchFlowBuilder).useValue({
            addBatchFlow: () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:6379')),
          }),
      });
      try {
        const setup = await createProjectWithKeys(broken);
        const { csv } = nominalBatch({ itemPrefix: 'enqueue', items: 8, disagreement: 0.25 });
        const first = await broken.agent.post(`/v1/projects/${setup.project.id}/batches`).set(auth(setup.qaLead)).type('text/csv').send(csv);
        expect(first.status).toBe(503);
        const [stored] = (await testApp.dataSource.query(`SELECT id, status, error FROM batches WHERE project_id = $1`, [
          setup.project.id,
        ])) as { id: string; status: string; error: string }[];
        expect(stored).toMatchObject({ status: 'failed', error: expect.stringContaining('could not enqueue the agreement jobs') });

        const again = await testApp.agent.post(`/v1/projects/${setup.project.id}/batches`).set(auth(setup.qaLead)).type('text/csv').send(csv);
        expect(again.status).toBe(200);
        expect(again.body.batch).toMatchObject({ id: stored!.id, status: 'queued', error: null });
        const done = await waitForBatch(testApp.agent, stored!.id, setup.qaLead);
        expect(done.status).toBe('completed');
      } finally {
        await broken.close();
      }
    });
  });

  describe('size limit', () => {
    let limited: TestApp;
    let projectId: string;
    let key: string;

    beforeAll(async () => {
      limited = await createTestApp({ worker: false, env: { UPLOAD_LIMIT_BYTES: '4096' } });
      const setup = await createProjectWithKeys(limited);
      projectId = setup.project.id;
      key = setup.qaLead;
    });

    afterAll(async () => {
      await limited.close();
    });

    afterEach(async () => {
      expect(await projectCounts(limited.dataSource, projectId)).toEqual(NOTHING);
    });

    const big = nominalBatch({ itemPrefix: 'big', items: 400 }).csv;

    it('answers 413 for a raw body over UPLOAD_LIMIT_BYTES', async () => {
      expect(big.length).toBeGreaterThan(4096);
      const response = await limited.agent.post(`/v1/projects/${projectId}/batches`).set(auth(key)).type('text/csv').send(big);
      expect(response.status).toBe(413);
      expect(response.body).toMatchObject({ status: 413, code: 'PAYLOAD_TOO_LARGE' });
    });

    it('answers 413 while streaming a chunked body (no Content-Length)', async () => {
      const { request: httpRequest } = await import('node:http');
      await new Promise<void>((resolve) => limited.app.getHttpServer().listen(0, resolve));
      const address = limited.app.getHttpServer().address() as { port: number };
      const status = await new Promise<number>((resolve, reject) => {
        const req = httpRequest(
          { port: address.port, method: 'POST', path: `/v1/projects/${projectId}/batches`, headers: { ...auth(key), 'content-type': 'text/csv', 'transfer-encoding': 'chunked' } },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        req.on('error', reject);
        for (let i = 0; i < big.length; i += 1000) req.write(big.slice(i, i + 1000));
        req.end();
      });
      await new Promise<void>((resolve) => limited.app.getHttpServer().close(() => resolve()));
      expect(status).toBe(413);
    });

    it('answers 413 for a multipart file part over the limit', async () => {
      const response = await limited.agent
        .post(`/v1/projects/${projectId}/batches`)
        .set(auth(key))
        .attach('file', Buffer.from(big), { filename: 'big.csv', contentType: 'text/csv' });
      expect(response.status).toBe(413);
    });

    it('still takes a file under the limit', async () => {
      const small = nominalBatch({ itemPrefix: 'small', items: 10 }).csv;
      const response = await limited.agent.post(`/v1/projects/${projectId}/batches`).set(auth(key)).type('text/csv').send(small);
      expect(response.status).toBe(202);
      await limited.dataSource.query(`DELETE FROM batches WHERE id = $1`, [response.body.batch.id]);
    });
  });
});
