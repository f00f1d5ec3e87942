import { DataSource } from 'typeorm';
import { dropDatabase, ensureDatabase, withDatabase } from '../../src/database/ensure-database';
import { revertMigrationsLocked, runMigrationsLocked } from '../../src/database/migrations';
import { buildDataSourceOptions, MIGRATION_FILES } from '../../src/database/typeorm.options';
import type { ProjectSchemaDefinition } from '../../src/projects/project-settings';
import { canonicalCsv, nominalBatch, type CanonicalRow } from '../factories/canonical-csv.factory';
import { createProject, createProjectWithKeys, issueKey } from '../factories/project.factory';
import { auth, createTestApp, type TestApp } from '../helpers/test-app';
import { currentTestRun } from '../helpers/test-env';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const EMOTION_SCHEMA: ProjectSchemaDefinition = {
  dimensions: [
    { modality: 'audio', dimension: 'emotion', labels: ['happy', 'sad', 'neutral'] },
    { modality: 'text', dimension: 'sentiment', level: 'ordinal', labels: ['negative', 'neutral', 'positive'] },
  ],
  crossModal: [
    {
      concept: 'valence',
      sources: [
        { modality: 'audio', dimension: 'emotion', map: { happy: '+', sad: '-' } },
        { modality: 'text', dimension: 'sentiment', map: { positive: '+', negative: '-' } },
      ],
    },
  ],
  goldAnnotators: ['expert'],
};

/** Rows of two dimensions: every annotator judges every clip. */
function emotionRows(annotators: readonly string[], emotionOf: (annotator: string, clip: number) => string = () => 'happy'): CanonicalRow[] {
  const rows: CanonicalRow[] = [];
  for (let clip = 1; clip <= 3; clip += 1) {
    for (const annotator of annotators) {
      rows.push({ item: `clip-${clip}`, annotator, modality: 'audio', dimension: 'emotion', label: emotionOf(annotator, clip) });
      rows.push({ item: `clip-${clip}`, annotator, modality: 'text', dimension: 'sentiment', label: clip === 1 ? 'negative' : 'positive' });
    }
  }
  return rows;
}

describe('project settings: versioned schema and policy', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ worker: false });
  });

  afterAll(async () => {
    await t?.close();
  });

  const upload = (projectId: string, key: string, csv: string) =>
    t.agent.post(`/v1/projects/${projectId}/batches`).set(auth(key)).set('content-type', 'text/csv').send(csv);

  async function annotationCount(projectId: string): Promise<number> {
    const [row] = await t.dataSource.query<{ count: number }[]>(
      `SELECT count(*)::int AS count FROM annotations a JOIN batches b ON b.id = a.batch_id WHERE b.project_id = $1`,
      [projectId],
    );
    return row!.count;
  }

  describe('schema', () => {
    it('stores each PUT as a new version; GET shows the current one, the versions newest first', async () => {
      const { project, qaLead } = await createProjectWithKeys(t);
      expect(project).toMatchObject({ schema: null, schemaVersion: null, policy: null, policyVersion: null });

      const first = await t.agent.put(`/v1/projects/${project.id}/schema`).set(auth(t.adminKey)).send(EMOTION_SCHEMA);
      expect(first.status).toBe(200);
      expect(first.body).toEqual({ version: 1, inferred: false, schema: EMOTION_SCHEMA, notes: [] });

      const changed = { ...EMOTION_SCHEMA, closed: true };
      const second = await t.agent.put(`/v1/projects/${project.id}/schema`).set(auth(qaLead)).send(changed);
      expect(second.status).toBe(200);
      expect(second.body).toEqual({ version: 2, inferred: false, schema: changed, notes: [] });

      const current = await t.agent.get(`/v1/projects/${project.id}/schema`).set(auth(qaLead));
      expect(current.status).toBe(200);
      expect(current.body).toEqual({ version: 2, inferred: false, schema: changed, notes: [] });

      const versions = await t.agent.get(`/v1/projects/${project.id}/schema/versions`).set(auth(qaLead));
      expect(versions.status).toBe(200);
      const qaLeadKeyId = (await t.dataSource.query<{ id: string }[]>(`SELECT id FROM api_keys WHERE project_id = $1 AND role = 'qa_lead'`, [project.id]))[0]!.id;
      expect(versions.body.versions).toEqual([
        { version: 2, createdAt: expect.any(String), createdBy: qaLeadKeyId },
        { version: 1, createdAt: expect.any(String), createdBy: expect.stringMatching(UUID) },
      ]);

      const one = await t.agent.get(`/v1/projects/${project.id}/schema/versions/1`).set(auth(qaLead));
      expect(one.status).toBe(200);
      expect(one.body).toEqual({ version: 1, createdAt: versions.body.versions[1].createdAt, createdBy: expect.stringMatching(UUID), schema: EMOTION_SCHEMA });

      const listed = await t.agent.get('/v1/projects').set(auth(qaLead));
      expect(listed.body.projects[0]).toMatchObject({ id: project.id, schema: changed, schemaVersion: 2, policyVersion: null });
    });

    it('gives concurrent changes distinct, consecutive versions', async () => {
      const project = await createProject(t);
      const responses = await Promise.all(
        [0.5, 0.6, 0.7, 0.8, 0.9].map((minAlpha) => t.agent.put(`/v1/projects/${project.id}/policy`).set(auth(t.adminKey)).send({ minAlpha })),
      );
      expect(responses.map((response) => response.status)).toEqual([200, 200, 200, 200, 200]);
      expect(responses.map((response) => response.body.version as number).sort()).toEqual([1, 2, 3, 4, 5]);
      const current = await t.agent.get(`/v1/projects/${project.id}/policy`).set(auth(t.adminKey));
      const last = responses.find((response) => response.body.version === 5)!;
      expect(current.body).toMatchObject({ version: 5, policy: last.body.policy });
    });

    it.each<[string, unknown, Array<{ path: string; message: unknown }>]>([
      [
        'a map key outside the labels',
        {
          dimensions: [{ modality: 'audio', dimension: 'emotion', labels: ['happy', 'sad'] }],
          crossModal: [
            {
              concept: 'valence',
              sources: [
                { modality: 'audio', dimension: 'emotion', map: { angry: '-' } },
                { modality: 'text', dimension: 'sentiment', map: {} },
              ],
            },
          ],
        },
        [{ path: 'crossModal[0].sources[0].map.angry', message: '"angry" is not one of the labels of audio/emotion' }],
      ],
      [
        'a label listed twice and an unknown shape',
        { dimensions: [{ modality: 'audio', dimension: 'emotion', labels: ['a', 'a'] }, { modality: 'video', dimension: 'x', shape: 'cubes' }] },
        [
          { path: 'dimensions[0].labels[1]', message: 'label "a" is listed twice' },
          { path: 'dimensions[1].shape', message: expect.any(String) },
        ],
      ],
      ['an unknown field', { dimension: [] }, [{ path: '(root)', message: expect.stringContaining('dimension') }]],
      ['not an object', [1], [{ path: '(root)', message: expect.any(String) }]],
    ])('refuses a schema with %s: 422 with the paths, no new version', async (_case, body, errors) => {
      const project = await createProject(t);
      const response = await t.agent.put(`/v1/projects/${project.id}/schema`).set(auth(t.adminKey)).send(body as object);
      expect(response.status).toBe(422);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.body).toMatchObject({ code: 'INVALID_INPUT', errors });
      const versions = await t.agent.get(`/v1/projects/${project.id}/schema/versions`).set(auth(t.adminKey));
      expect(versions.body.versions).toEqual([]);
    });

    it('infers the schema of a project without one from its stored batches', async () => {
      const { project, qaLead } = await createProjectWithKeys(t);
      const empty = await t.agent.get(`/v1/projects/${project.id}/schema`).set(auth(qaLead));
      expect(empty.status).toBe(200);
      expect(empty.body).toEqual({ version: null, inferred: true, schema: { dimensions: [] }, notes: [] });

      const rows: CanonicalRow[] = [
        ...emotionRows(['ann-a', 'ann-b'], (annotator, clip) => (clip === 2 && annotator === 'ann-b' ? 'sad' : 'happy')),
        { item: 'clip-1', annotator: 'ann-a', modality: 'audio', dimension: 'speech', label: 'speech', start: 0.5, end: 2 },
        { item: 'clip-1', annotator: 'ann-b', modality: 'audio', dimension: 'speech', label: 'music', start: 0.4, end: 2.1 },
        { item: 'img-1', annotator: 'ann-a', modality: 'image', dimension: 'objects', label: 'car', x: 1, y: 1, w: 5, h: 5 },
        { item: 'img-1', annotator: 'ann-b', modality: 'text', dimension: 'score', label: null, value: 3 },
      ];
      expect((await upload(project.id, qaLead, canonicalCsv(rows))).status).toBe(202);
      const second = [{ item: 'clip-9', annotator: 'ann-c', modality: 'audio', dimension: 'emotion', label: 'neutral' }];
      expect((await upload(project.id, qaLead, canonicalCsv(second))).status).toBe(202);

      const inferred = await t.agent.get(`/v1/projects/${project.id}/schema`).set(auth(qaLead));
      expect(inferred.status).toBe(200);
      expect(inferred.body).toEqual({
        version: null,
        inferred: true,
        schema: {
          dimensions: [
            { modality: 'text', dimension: 'score', shape: 'categorical', level: 'nominal' },
            { modality: 'text', dimension: 'sentiment', shape: 'categorical', level: 'nominal', labels: ['negative', 'positive'] },
            { modality: 'image', dimension: 'objects', shape: 'boxes', labels: ['car'] },
            { modality: 'audio', dimension: 'emotion', shape: 'categorical', level: 'nominal', labels: ['happy', 'neutral', 'sad'] },
            { modality: 'audio', dimension: 'speech', shape: 'intervals', labels: ['music', 'speech'] },
          ],
        },
        notes: ['text/score holds numbers without labels: set its level (interval, ratio or ordinal) to analyse them'],
      });
      // What it shows is a schema the project may adopt as it is.
      const adopted = await t.agent.put(`/v1/projects/${project.id}/schema`).set(auth(qaLead)).send(inferred.body.schema);
      expect(adopted.status).toBe(200);
      expect(adopted.body.version).toBe(1);
    });

    it.each(['1.5', 'x', '0', '99'])('answers 404 for schema version %s', async (version) => {
      const project = await createProject(t, { schema: { dimensions: [] } });
      const response = await t.agent.get(`/v1/projects/${project.id}/schema/versions/${version}`).set(auth(t.adminKey));
      expect(response.status).toBe(404);
      expect(response.body).toMatchObject({ code: 'NOT_FOUND' });
    });
  });

  describe('policy', () => {
    it('stores the policy given at creation as version 1 and each PUT as the next, with the resolved policy', async () => {
      const project = await createProject(t, { schema: EMOTION_SCHEMA, policy: { minAlpha: 0.8 } });
      expect(project).toMatchObject({ schemaVersion: 1, policyVersion: 1 });

      const initial = await t.agent.get(`/v1/projects/${project.id}/policy`).set(auth(t.adminKey));
      expect(initial.status).toBe(200);
      expect(initial.body).toEqual({ version: 1, policy: { minAlpha: 0.8 }, resolved: expect.objectContaining({ minAlpha: 0.8, minMeanIoU: 0.5 }) });

      const policy = { minAlpha: 0.7, minGoldAccuracy: 0.9, maxStreamOffsetSeconds: 0.1, crossModalToleranceSeconds: 1 };
      const second = await t.agent.put(`/v1/projects/${project.id}/policy`).set(auth(t.adminKey)).send(policy);
      expect(second.status).toBe(200);
      expect(second.body).toEqual({
        version: 2,
        policy,
        resolved: {
          minAlpha: 0.7,
          minAlphaByDimension: {},
          minMeanIoU: 0.5,
          maxFlaggedItemShare: 0.05,
          maxStreamOffsetSeconds: 0.1,
          minJudgementsPerItem: 2,
          minGoldAccuracy: 0.9,
          boundaryToleranceSeconds: 0.25,
          crossModalToleranceSeconds: 1,
          outlierMargin: 0.05,
          maxShiftSeconds: 2,
          matchThreshold: 0.5,
        },
      });
      const third = await t.agent.put(`/v1/projects/${project.id}/policy`).set(auth(t.adminKey)).send({});
      expect(third.body).toMatchObject({ version: 3, policy: {}, resolved: { minAlpha: 0.667, minGoldAccuracy: null } });

      const versions = await t.agent.get(`/v1/projects/${project.id}/policy/versions`).set(auth(t.adminKey));
      expect((versions.body.versions as { version: number }[]).map((v) => v.version)).toEqual([3, 2, 1]);
      const two = await t.agent.get(`/v1/projects/${project.id}/policy/versions/2`).set(auth(t.adminKey));
      expect(two.body).toMatchObject({ version: 2, policy, resolved: { minGoldAccuracy: 0.9 } });

      const [row] = await t.dataSource.query<{ policy: unknown; policy_version: number; schema_version: number }[]>(
        `SELECT policy, policy_version, schema_version FROM projects WHERE id = $1`,
        [project.id],
      );
      expect(row).toEqual({ policy: {}, policy_version: 3, schema_version: 1 });
    });

    it('answers a project without a policy with version null and the defaults', async () => {
      const project = await createProject(t);
      const response = await t.agent.get(`/v1/projects/${project.id}/policy`).set(auth(t.adminKey));
      expect(response.body).toEqual({ version: null, policy: null, resolved: expect.objectContaining({ minAlpha: 0.667, maxShiftSeconds: 2 }) });
    });

    it('refuses a policy out of bounds with 422 and every path', async () => {
      const project = await createProject(t);
      const response = await t.agent
        .put(`/v1/projects/${project.id}/policy`)
        .set(auth(t.adminKey))
        .send({ minAlpha: 2, matchThreshold: 0, minAlphaByDimension: { emotion: 0.5 }, minGoldAccuracy: -1 });
      expect(response.status).toBe(422);
      expect((response.body.errors as { path: string }[]).map((error) => error.path).sort()).toEqual([
        'matchThreshold',
        'minAlpha',
        'minAlphaByDimension.emotion',
        'minGoldAccuracy',
      ]);
      const crossed = await t.agent.put(`/v1/projects/${project.id}/policy`).set(auth(t.adminKey)).send({ maxShiftSeconds: 0.1 });
      expect(crossed.status).toBe(422);
      expect(crossed.body.errors).toEqual([{ path: 'maxShiftSeconds', message: expect.stringContaining('must exceed maxStreamOffsetSeconds') }]);
    });
  });

  describe('access', () => {
    it('lets a vendor read its project\'s settings but not change them (403), and hides other projects (404)', async () => {
      const { project, vendorA, qaLead } = await createProjectWithKeys(t, { schema: EMOTION_SCHEMA });
      const other = await createProject(t);
      const otherLead = (await issueKey(t, other.id, { role: 'qa_lead' })).key;

      for (const path of ['schema', 'policy', 'schema/versions', 'policy/versions']) {
        expect((await t.agent.get(`/v1/projects/${project.id}/${path}`).set(auth(vendorA))).status).toBe(200);
        expect((await t.agent.get(`/v1/projects/${other.id}/${path}`).set(auth(vendorA))).status).toBe(404);
      }
      for (const [path, body] of [['schema', { dimensions: [] }], ['policy', { minAlpha: 0.5 }]] as const) {
        const own = await t.agent.put(`/v1/projects/${project.id}/${path}`).set(auth(vendorA)).send(body);
        expect(own.status).toBe(403);
        expect(own.body).toMatchObject({ code: 'FORBIDDEN' });
        expect((await t.agent.put(`/v1/projects/${other.id}/${path}`).set(auth(vendorA)).send(body)).status).toBe(404);
        expect((await t.agent.put(`/v1/projects/${project.id}/${path}`).set(auth(otherLead)).send(body)).status).toBe(404);
        expect((await t.agent.put(`/v1/projects/${project.id}/${path}`).set(auth(qaLead)).send(body)).status).toBe(200);
      }
      expect((await t.agent.put('/v1/projects/00000000-0000-4000-8000-000000000000/policy').set(auth(t.adminKey)).send({})).status).toBe(404);
    });
  });

  describe('ingest against the schema', () => {
    it('refuses labels outside the schema with 422, line and field, storing nothing', async () => {
      const { project, vendorA } = await createProjectWithKeys(t, { schema: EMOTION_SCHEMA });
      const rows = emotionRows(['ann-a', 'ann-b'], (annotator, clip) => (annotator === 'ann-b' && clip > 1 ? 'angry' : 'happy'));
      const csv = canonicalCsv(rows);
      const response = await upload(project.id, vendorA, csv);
      expect(response.status).toBe(422);
      const lines = csv.split('\n').flatMap((line, index) => (line.includes('angry') ? [index + 1] : []));
      expect(lines).toHaveLength(2);
      expect(response.body).toMatchObject({
        code: 'INVALID_INPUT',
        detail: 'The upload is invalid: 2 errors. Nothing was stored.',
        errors: lines.map((line) => ({
          line,
          field: 'label',
          message: 'label "angry" is not one of the schema\'s labels for audio/emotion (happy, sad, neutral)',
        })),
      });
      const [batches] = await t.dataSource.query<{ count: number }[]>(`SELECT count(*)::int AS count FROM batches WHERE project_id = $1`, [project.id]);
      expect(batches!.count).toBe(0);
      expect(await annotationCount(project.id)).toBe(0);
    });

    it('refuses another shape, and unlisted dimensions of a closed schema, with field dimension', async () => {
      const { project, qaLead } = await createProjectWithKeys(t, {
        schema: { dimensions: [{ modality: 'audio', dimension: 'speech', shape: 'intervals' }], closed: true },
      });
      const csv = canonicalCsv([
        { item: 'c1', annotator: 'a', modality: 'audio', dimension: 'speech', label: 'speech', start: 0, end: 1 },
        { item: 'c1', annotator: 'b', modality: 'audio', dimension: 'speech', label: 'speech' },
        { item: 'c1', annotator: 'b', modality: 'audio', dimension: 'pitch', label: 'high' },
      ]);
      const response = await upload(project.id, qaLead, csv);
      expect(response.status).toBe(422);
      expect(response.body.errors).toEqual([
        { line: 3, field: 'dimension', message: 'a label/value judgement in audio/speech, whose shape in the project\'s schema is intervals' },
        { line: 4, field: 'dimension', message: 'audio/pitch is not a dimension of the project\'s schema (audio/speech)' },
      ]);
      expect(await annotationCount(project.id)).toBe(0);
    });

    it('stores a gold annotator\'s records as gold, and a named ordinal label\'s rank as its value', async () => {
      const { project, qaLead } = await createProjectWithKeys(t, { schema: EMOTION_SCHEMA });
      const response = await upload(project.id, qaLead, canonicalCsv(emotionRows(['ann-a', 'ann-b', 'expert'])));
      expect(response.status).toBe(202);
      expect(response.body.batch.counts).toMatchObject({ annotators: 2, dimensions: 2 });
      const rows = await t.dataSource.query<{ annotator: string; dimension: string; gold: boolean; values: number[] }[]>(
        `SELECT annotator, dimension, bool_and(gold) AS gold, array_agg(DISTINCT value ORDER BY value) FILTER (WHERE value IS NOT NULL) AS values
         FROM annotations WHERE batch_id = $1 GROUP BY annotator, dimension ORDER BY annotator, dimension`,
        [response.body.batch.id],
      );
      expect(rows).toEqual([
        { annotator: 'ann-a', dimension: 'emotion', gold: false, values: null },
        { annotator: 'ann-a', dimension: 'sentiment', gold: false, values: [1, 3] },
        { annotator: 'ann-b', dimension: 'emotion', gold: false, values: null },
        { annotator: 'ann-b', dimension: 'sentiment', gold: false, values: [1, 3] },
        { annotator: 'expert', dimension: 'emotion', gold: true, values: null },
        { annotator: 'expert', dimension: 'sentiment', gold: true, values: [1, 3] },
      ]);
    });

    it('applies a new schema version to the uploads after it', async () => {
      const { project, qaLead } = await createProjectWithKeys(t);
      const { csv } = nominalBatch({ labels: ['positive', 'negative'], itemPrefix: 'v1-' });
      expect((await upload(project.id, qaLead, csv)).status).toBe(202);
      const narrowed = { dimensions: [{ modality: 'text', dimension: 'label', labels: ['positive'] }] };
      expect((await t.agent.put(`/v1/projects/${project.id}/schema`).set(auth(qaLead)).send(narrowed)).status).toBe(200);
      const again = nominalBatch({ labels: ['positive', 'negative'], itemPrefix: 'v2-' });
      const refused = await upload(project.id, qaLead, again.csv);
      expect(refused.status).toBe(422);
      expect(refused.body.errors[0]).toMatchObject({ field: 'label', message: 'label "negative" is not one of the schema\'s labels for text/label (positive)' });
    });
  });

  it('documents the endpoints in OpenAPI, bodies from the zod schemas', async () => {
    const document = (await t.agent.get('/v1/openapi.json')).body as {
      paths: Record<string, Record<string, { requestBody?: unknown; responses: Record<string, unknown> }>>;
      components: { schemas: Record<string, unknown> };
    };
    const base = '/v1/projects/{projectId}';
    expect(Object.keys(document.paths[`${base}/schema`]!).sort()).toEqual(['get', 'put']);
    expect(Object.keys(document.paths[`${base}/policy`]!).sort()).toEqual(['get', 'put']);
    for (const path of ['schema/versions', 'schema/versions/{version}', 'policy/versions', 'policy/versions/{version}']) {
      expect(Object.keys(document.paths[`${base}/${path}`]!)).toEqual(['get']);
    }
    expect(JSON.stringify(document.paths[`${base}/schema`]!.put!.requestBody)).toContain('#/components/schemas/ProjectSchema');
    expect(JSON.stringify(document.components.schemas.ProjectSchema)).toContain('goldAnnotators');
    expect(JSON.stringify(document.components.schemas.Policy)).toContain('crossModalToleranceSeconds');
    expect(Object.keys(document.paths[`${base}/policy`]!.put!.responses).sort()).toEqual(['200', '400', '401', '403', '404', '413', '422']);
  });

  describe('migration', () => {
    const databaseUrl = withDatabase(currentTestRun().databaseUrl, `concord_test_${currentTestRun().runId}_settings_versions`);
    let dataSource: DataSource;

    beforeAll(async () => {
      await dropDatabase(databaseUrl);
      await ensureDatabase(databaseUrl);
      dataSource = new DataSource(buildDataSourceOptions({ databaseUrl }));
      await dataSource.initialize();
      await runMigrationsLocked(dataSource);
    });

    afterAll(async () => {
      await dataSource?.destroy();
      await dropDatabase(databaseUrl);
    });

    it('gives the existing schemas and policies of projects version 1, and reverts cleanly', async () => {
      // Back to just before this migration (and the ones after it), as a database of the last release.
      const after = MIGRATION_FILES.length - MIGRATION_FILES.indexOf('1764300000000-project-settings-versions');
      expect(await revertMigrationsLocked(dataSource, after)).toBe(after);
      await dataSource.query(
        `INSERT INTO projects (name, schema, policy, created_at) VALUES
           ('both', '{"dimensions": []}', '{"minAlpha": 0.8}', '2026-01-02T03:04:05Z'),
           ('schema only', '{"goldAnnotators": ["x"]}', NULL, now()),
           ('neither', NULL, NULL, now())`,
      );
      await runMigrationsLocked(dataSource);

      const projects = await dataSource.query<{ name: string; schema_version: number | null; policy_version: number | null }[]>(
        `SELECT name, schema_version, policy_version FROM projects ORDER BY name`,
      );
      expect(projects).toEqual([
        { name: 'both', schema_version: 1, policy_version: 1 },
        { name: 'neither', schema_version: null, policy_version: null },
        { name: 'schema only', schema_version: 1, policy_version: null },
      ]);
      const versions = await dataSource.query<{ name: string; kind: string; version: number; body: unknown; created_by: string | null; created_at: Date }[]>(
        `SELECT p.name, v.kind, v.version, v.body, v.created_by, v.created_at
         FROM project_settings_versions v JOIN projects p ON p.id = v.project_id ORDER BY p.name, v.kind`,
      );
      expect(versions).toEqual([
        { name: 'both', kind: 'policy', version: 1, body: { minAlpha: 0.8 }, created_by: null, created_at: new Date('2026-01-02T03:04:05Z') },
        { name: 'both', kind: 'schema', version: 1, body: { dimensions: [] }, created_by: null, created_at: new Date('2026-01-02T03:04:05Z') },
        { name: 'schema only', kind: 'schema', version: 1, body: { goldAnnotators: ['x'] }, created_by: null, created_at: expect.any(Date) },
      ]);

      const insertVersion = (kind: string, version: number) =>
        dataSource.query(`INSERT INTO project_settings_versions (project_id, kind, version, body) SELECT id, $1, $2, '{}' FROM projects WHERE name = 'neither'`, [kind, version]);
      await expect(insertVersion('labels', 1)).rejects.toThrow(/ck_project_settings_versions_kind/);
      await expect(insertVersion('schema', 0)).rejects.toThrow(/ck_project_settings_versions_version/);
      await dataSource.query(`DELETE FROM projects WHERE name = 'both'`);
      const [left] = await dataSource.query<{ count: number }[]>(`SELECT count(*)::int AS count FROM project_settings_versions`);
      expect(left!.count).toBe(1);

      expect(await revertMigrationsLocked(dataSource, after)).toBe(after);
      const [table] = await dataSource.query<{ exists: boolean }[]>(`SELECT to_regclass('project_settings_versions') IS NOT NULL AS exists`);
      expect(table!.exists).toBe(false);
      const columns = await dataSource.query(`SELECT column_name FROM information_schema.columns WHERE table_name = 'projects' AND column_name LIKE '%_version'`);
      expect(columns).toEqual([]);
    });
  });
});
