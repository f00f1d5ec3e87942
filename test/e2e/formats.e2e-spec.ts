import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { createProject } from '../factories/project.factory';
import { analyzeInMemory, type InMemoryOptions, type NamedFile } from '../fixtures/in-memory-analysis';
import { auth, createTestApp, type TestApp } from '../helpers/test-app';
import { waitForBatch } from '../helpers/wait-for-batch';
import { zipArchive } from '../helpers/zip-writer';

const FIXTURES = join(__dirname, '..', 'fixtures');
const fixture = (path: string): Buffer => readFileSync(join(FIXTURES, path));

/** Levels the fixtures need beyond nominal (a Label Studio `number` result has no label). */
const SCHEMA = { dimensions: [{ modality: 'text' as const, dimension: 'urgency', level: 'interval' as const }] };

interface UploadBody {
  batch: { id: string; format: string; fileName: string | null; counts: { records: number; items: number; annotators: number; dimensions: number } };
  jobs: Array<{ id: string; modality: string | null; dimension: string | null }>;
}

interface ProblemBody {
  code: string;
  detail: string;
  errors: Array<{ file?: string; line?: number; path?: string; field?: string; message: string }>;
}

/** What the project's batches own, to show that a refused upload stored nothing. */
async function storedRows(dataSource: DataSource, projectId: string): Promise<{ batches: number; annotations: number; items: number; jobs: number }> {
  const [row] = (await dataSource.query(
    `SELECT (SELECT count(*) FROM batches WHERE project_id = $1)::int AS batches,
            (SELECT count(*) FROM annotations a JOIN batches b ON b.id = a.batch_id WHERE b.project_id = $1)::int AS annotations,
            (SELECT count(*) FROM items i JOIN batches b ON b.id = i.batch_id WHERE b.project_id = $1)::int AS items,
            (SELECT count(*) FROM batch_jobs j JOIN batches b ON b.id = j.batch_id WHERE b.project_id = $1)::int AS jobs`,
    [projectId],
  )) as Array<{ batches: number; annotations: number; items: number; jobs: number }>;
  return row!;
}

describe('export formats through the API (issue 4)', () => {
  let testApp: TestApp;
  let projectId: string;
  /** The admin key: the tests use several projects. */
  let key: string;

  beforeAll(async () => {
    testApp = await createTestApp();
    key = testApp.adminKey;
    projectId = (await createProject(testApp, { schema: SCHEMA })).id;
  });

  afterAll(async () => {
    await testApp.close();
  });

  const query = (options: Record<string, string | number | undefined>): string => {
    const pairs = Object.entries(options).filter((entry): entry is [string, string | number] => entry[1] !== undefined);
    return pairs.length === 0 ? '' : `?${pairs.map(([name, value]) => `${name}=${encodeURIComponent(String(value))}`).join('&')}`;
  };

  /** The file as the raw request body (a string for JSON: superagent would serialise a Buffer as JSON). */
  function uploadRaw(bytes: Buffer, options: Record<string, string | number | undefined> = {}, contentType = 'application/octet-stream', project = projectId) {
    const body = contentType === 'application/json' ? bytes.toString('utf8') : bytes;
    return testApp.agent.post(`/v1/projects/${project}/batches${query(options)}`).set(auth(key)).set('content-type', contentType).send(body);
  }

  /** Files as multipart parts, each file's annotator field (if any) before its part. */
  function uploadParts(files: ReadonlyArray<NamedFile & { annotator?: string }>, options: Record<string, string | number | undefined> = {}, project = projectId) {
    let request = testApp.agent.post(`/v1/projects/${project}/batches${query(options)}`).set(auth(key));
    for (const file of files) {
      if (file.annotator !== undefined) request = request.field(`annotator:${file.name}`, file.annotator);
      request = request.attach('file', Buffer.from(file.bytes), file.name);
    }
    return request;
  }

  async function agreementOf(batchId: string): Promise<unknown[]> {
    const done = await waitForBatch(testApp.agent, batchId, key);
    expect({ status: done.status, error: done.error }).toEqual({ status: 'completed', error: null });
    const response = await testApp.agent.get(`/v1/batches/${batchId}/agreement`).set(auth(key));
    expect(response.status).toBe(200);
    return response.body.results as unknown[];
  }

  describe('each fixture format, uploaded as it is (a part named as the file): /agreement is what the CLI computes for the same file', () => {
    it.each<[string, string, Record<string, string | number | undefined>, InMemoryOptions]>([
      ['Label Studio: choices, text and audio spans, video timeline, boxes, gold, textarea, cancelled', 'label-studio/mixed-export.json', { fps: 30 }, { read: { fps: 30 } }],
      ['Label Studio: multi-select, rating, number, taxonomy', 'label-studio/classification-extras.json', {}, {}],
      ['Label Studio: regions sharing ids, rotated boxes', 'label-studio/regions.json', {}, {}],
      ['Label Studio: video timelines and video rectangles', 'label-studio/video.json', { fps: 25 }, { read: { fps: 25 } }],
      ['Label Studio: time series', 'label-studio/timeseries.json', {}, {}],
      ['CVAT for images, the annotator named by ?annotator=', 'cvat/images.xml', { annotator: 'alice' }, { annotator: 'alice' }],
      ['CVAT for video, a job export naming its assignee', 'cvat/video-job.xml', {}, {}],
      ['ELAN, two annotator tiers', 'elan/two-annotators.eaf', {}, {}],
      ['ELAN, REF annotations', 'elan/ref-annotations.eaf', {}, {}],
      ['ELAN, unaligned time slots', 'elan/unaligned.eaf', {}, {}],
      ['ELAN 2.8, audio', 'elan/eaf-2.8-audio.eaf', {}, {}],
    ])('%s', async (_name, path, options, inMemory) => {
      const file = { name: path.split('/')[1]!, bytes: fixture(path) };
      const response = await uploadParts([file], options);
      expect(response.status).toBe(202);
      const { batch } = response.body as UploadBody;
      expect(batch.format).toBe(path.split('/')[0]);
      const results = await agreementOf(batch.id);
      const expected = await analyzeInMemory([file], { schema: SCHEMA }, inMemory);
      expect(results).toEqual(expected);
      expect(results.length).toBeGreaterThan(0);
    });
  });

  it('stores gold, free text and provenance; only dimensions with peer judgements get jobs', async () => {
    const project = (await createProject(testApp)).id;
    const response = await uploadParts([{ name: 'mixed-export.json', bytes: fixture('label-studio/mixed-export.json') }], { fps: 30 }, project);
    expect(response.status).toBe(202);
    const { batch, jobs } = response.body as UploadBody;
    expect(batch).toMatchObject({ format: 'label-studio', fileName: 'mixed-export.json', counts: { records: 20, items: 5, annotators: 3, dimensions: 5 } });
    // audio/utterance holds only free text: stored, but no job.
    expect(jobs.map((job) => `${job.modality}/${job.dimension}`).sort()).toEqual(
      ['audio/speaker', 'image/objects', 'text/ner', 'text/sentiment', 'video/action', 'null/null'].sort(),
    );
    const rows = await testApp.dataSource.query<Array<Record<string, unknown>>>(
      `SELECT dimension, annotator, gold, text, source_file, source_task, source_annotation, source_region, ordinal
       FROM annotations WHERE batch_id = $1 AND (gold OR text IS NOT NULL OR ordinal IN (0, 19)) ORDER BY ordinal`,
      [batch.id],
    );
    expect(rows).toEqual([
      { dimension: 'sentiment', annotator: '11', gold: false, text: null, source_file: 'mixed-export.json', source_task: '101', source_annotation: '9001', source_region: 'c1', ordinal: 0 },
      { dimension: 'utterance', annotator: '11', gold: false, text: 'thanks for calling', source_file: 'mixed-export.json', source_task: '103', source_annotation: '9021', source_region: 'r1', ordinal: 9 },
      { dimension: 'action', annotator: '12', gold: true, text: null, source_file: 'mixed-export.json', source_task: '104', source_annotation: '9031', source_region: 't1', ordinal: 13 },
      { dimension: 'action', annotator: '12', gold: true, text: null, source_file: 'mixed-export.json', source_task: '104', source_annotation: '9031', source_region: 't2', ordinal: 14 },
      { dimension: 'objects', annotator: '12', gold: false, text: null, source_file: 'mixed-export.json', source_task: '105', source_annotation: '9042', source_region: 'b3', ordinal: 19 },
    ]);
    const results = (await agreementOf(batch.id)) as Array<{ dimension: string; annotators: number; goldJudgements: number }>;
    expect(results.find((result) => result.dimension === 'action')).toMatchObject({ annotators: 1, goldJudgements: 2 });
  });

  it('refuses a malformed Label Studio export with 422, naming each JSON path, and stores nothing', async () => {
    const project = (await createProject(testApp)).id;
    const response = await uploadRaw(fixture('label-studio/malformed-values.json'), {}, 'application/json', project);
    expect(response.status).toBe(422);
    const body = response.body as ProblemBody;
    expect(body.code).toBe('INVALID_INPUT');
    expect(body.errors[0]).toEqual({ path: '[0].annotations[0].result[0].value.start', message: 'must be a character offset (a whole number ≥ 0), got "0"' });
    expect(body.errors).toContainEqual({ line: 40, path: '[3]', message: 'must be a task object' });
    expect(body.errors.every((error) => error.file === undefined)).toBe(true);
    expect(await storedRows(testApp.dataSource, project)).toEqual({ batches: 0, annotations: 0, items: 0, jobs: 0 });

    const truncated = await uploadRaw(fixture('label-studio/malformed-truncated.json'), {}, 'application/json', project);
    expect(truncated.status).toBe(422);
    expect((truncated.body as ProblemBody).errors).toEqual([expect.objectContaining({ path: '[1].annotations[1].result[1].value', message: expect.stringContaining('cut off') })]);

    const withoutFps = await uploadRaw(fixture('label-studio/mixed-export.json'), {}, 'application/json', project);
    expect(withoutFps.status).toBe(422);
    expect((withoutFps.body as ProblemBody).errors[0]).toMatchObject({ path: '[3].annotations[0].result[0].value.ranges', message: expect.stringContaining('fps') });
    expect(await storedRows(testApp.dataSource, project)).toEqual({ batches: 0, annotations: 0, items: 0, jobs: 0 });
  });

  describe('several files, one batch', () => {
    const cvat = (annotatorA?: string, annotatorB?: string) => [
      { name: 'video-annotator-a.xml', bytes: fixture('cvat/video-annotator-a.xml'), ...(annotatorA === undefined ? {} : { annotator: annotatorA }) },
      { name: 'video-annotator-b.xml', bytes: fixture('cvat/video-annotator-b.xml'), ...(annotatorB === undefined ? {} : { annotator: annotatorB }) },
    ];

    it('takes two annotators\' CVAT exports as one batch, each file with its annotator field', async () => {
      const project = (await createProject(testApp)).id;
      const response = await uploadParts(cvat('alice', 'bob'), {}, project);
      expect(response.status).toBe(202);
      const { batch } = response.body as UploadBody;
      expect(batch).toMatchObject({ format: 'cvat', fileName: 'video-annotator-a.xml, video-annotator-b.xml', counts: { annotators: 2, items: 1 } });
      const results = await agreementOf(batch.id);
      expect(results).toEqual(await analyzeInMemory(cvat(), {}, { annotators: { 'video-annotator-a.xml': 'alice', 'video-annotator-b.xml': 'bob' } }));
      expect((results[0] as { pairs: Array<{ a: string; b: string }> }).pairs.map((pair) => `${pair.a}-${pair.b}`)).toEqual(['alice-bob']);
      const files = await testApp.dataSource.query<Array<{ source_file: string; annotator: string; n: number }>>(
        `SELECT source_file, annotator, count(*)::int AS n FROM annotations WHERE batch_id = $1 GROUP BY 1, 2 ORDER BY 1`,
        [batch.id],
      );
      expect(files.map((row) => `${row.source_file}:${row.annotator}`)).toEqual(['video-annotator-a.xml:alice', 'video-annotator-b.xml:bob']);

      // The same files with the same fields: the same batch.
      const again = await uploadParts(cvat('alice', 'bob'), {}, project);
      expect(again.status).toBe(200);
      expect((again.body as UploadBody).batch.id).toBe(batch.id);
    });

    it('refuses the whole batch when one file lacks its annotator, naming that file, and stores nothing', async () => {
      const project = (await createProject(testApp)).id;
      const response = await uploadParts(cvat('alice'), {}, project);
      expect(response.status).toBe(422);
      const body = response.body as ProblemBody;
      expect(body.errors).toEqual([
        { file: 'video-annotator-b.xml', line: 44, path: '44:3 <track>', message: expect.stringContaining('the annotator is missing') },
      ]);
      const typo = await uploadParts([{ ...cvat('alice')[0]!, annotator: 'alice' }, { name: 'video-annotator-c.xml', bytes: Buffer.from(''), annotator: 'carol' }], {}, project);
      expect(typo.status).toBe(422);
      expect((typo.body as ProblemBody).errors).toEqual([{ file: 'video-annotator-c.xml', message: 'is empty' }]);
      expect(await storedRows(testApp.dataSource, project)).toEqual({ batches: 0, annotations: 0, items: 0, jobs: 0 });
    });

    it('reads a zip of exports (in a part, with annotator fields by entry name) as one batch', async () => {
      const project = (await createProject(testApp)).id;
      const zip = zipArchive([
        { name: 'exports/', content: '', method: 'store' },
        { name: 'exports/coder_a.eaf', content: fixture('elan/coder_a.eaf') },
        { name: '__MACOSX/exports/._coder_a.eaf', content: 'resource fork' },
        { name: 'exports/coder_b.eaf', content: fixture('elan/coder_b.eaf'), method: 'store' },
      ]);
      let request = testApp.agent.post(`/v1/projects/${project}/batches`).set(auth(key));
      request = request.field('annotator:coder_a.eaf', 'coder_a').field('annotator:exports/coder_b.eaf', 'coder_b');
      const response = await request.attach('file', zip, 'elan-exports.zip');
      expect(response.status).toBe(202);
      const { batch } = response.body as UploadBody;
      expect(batch).toMatchObject({ format: 'elan', fileName: 'elan-exports.zip', counts: { annotators: 2 } });
      const results = await agreementOf(batch.id);
      expect(results).toEqual(await analyzeInMemory([{ name: 'elan-exports.zip', bytes: zip }], {}, { annotators: { 'coder_a.eaf': 'coder_a', 'exports/coder_b.eaf': 'coder_b' } }));
    });

    it('reads a zip sent as the raw body, exports of several formats together', async () => {
      const project = (await createProject(testApp)).id;
      const zip = zipArchive([
        { name: 'ls/mixed-export.json', content: fixture('label-studio/mixed-export.json') },
        { name: 'elan/two-annotators.eaf', content: fixture('elan/two-annotators.eaf') },
      ]);
      const response = await uploadRaw(zip, { fps: 30 }, 'application/zip', project);
      expect(response.status).toBe(202);
      const { batch } = response.body as UploadBody;
      expect(batch.format).toBe('label-studio+elan');
      expect(await agreementOf(batch.id)).toEqual(await analyzeInMemory([{ name: 'upload', bytes: zip }], {}, { read: { fps: 30 } }));
    });

    it('refuses a zip bomb before reading it, and a bad file inside a zip by its entry name', async () => {
      const project = (await createProject(testApp)).id;
      const bomb = zipArchive([{ name: 'export.csv', content: Buffer.alloc(4 * 1024 * 1024, 0x20) }]);
      const bombed = await uploadParts([{ name: 'bomb.zip', bytes: bomb }], {}, project);
      expect(bombed.status).toBe(422);
      expect((bombed.body as ProblemBody).errors).toEqual([{ file: 'bomb.zip/export.csv', message: expect.stringMatching(/^has a compression ratio of \d+:1/) }]);

      const bad = zipArchive([
        { name: 'good.csv', content: 'item,annotator,label\nu1,a,x\nu1,b,x\n' },
        { name: 'bad.csv', content: 'item,annotator,label\n,a,x\n' },
      ]);
      const refused = await uploadRaw(bad, {}, 'application/zip', project);
      expect(refused.status).toBe(422);
      expect((refused.body as ProblemBody).errors).toEqual([{ file: 'upload/bad.csv', line: 2, field: 'item', message: 'is empty' }]);
      expect(await storedRows(testApp.dataSource, project)).toEqual({ batches: 0, annotations: 0, items: 0, jobs: 0 });
    });
  });

  describe('reading options', () => {
    it('reads ELAN tiers with a ?tierPattern=', async () => {
      const renamed = fixture('elan/two-annotators.eaf')
        .toString('utf8')
        .replace(/TIER_ID="gesture@(coder_[ab])"/g, 'TIER_ID="$1-gesture"')
        .replace(/ ANNOTATOR="coder_[ab]"/g, '');
      const pattern = '^(?<annotator>[^-]+)-(?<dimension>.+)$';
      const response = await uploadRaw(Buffer.from(renamed), { tierPattern: pattern });
      expect(response.status).toBe(202);
      const results = await agreementOf((response.body as UploadBody).batch.id);
      expect(results).toEqual(await analyzeInMemory(Buffer.from(renamed), { schema: SCHEMA }, { read: { tierPattern: pattern } }));
      expect(results).toEqual(await analyzeInMemory(fixture('elan/two-annotators.eaf'), { schema: SCHEMA }));
    });

    it.each([
      ['a nested quantifier', { tierPattern: '^(?<annotator>a+)+$' }, 'tierPattern', /repeats a group/],
      ['a backreference', { tierPattern: '(?<annotator>a)\\1' }, 'tierPattern', /backreference/],
      ['too long a pattern', { tierPattern: `(?<annotator>${'a'.repeat(200)})` }, 'tierPattern', /200/],
      ['a zero fps', { fps: 0 }, 'fps', /./],
      ['an fps that is not a number', { fps: 'fast' }, 'fps', /./],
      ['an empty annotator', { annotator: ' ' }, 'annotator', /./],
    ])('refuses %s in the query with 422 before reading', async (_name, options, path, message) => {
      const response = await uploadRaw(fixture('elan/two-annotators.eaf'), options);
      expect(response.status).toBe(422);
      expect((response.body as ProblemBody).errors).toEqual([expect.objectContaining({ path, message: expect.stringMatching(message) })]);
    });
  });
});
