import { createProject, issueKey, projectBody } from '../factories/project.factory';
import { auth, createTestApp, type TestApp } from '../helpers/test-app';

describe('projects', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ worker: false });
  });

  afterAll(async () => {
    await t?.close();
  });

  it('creates a project with a schema and a policy, and shows the effective policy', async () => {
    const body = projectBody({
      schema: {
        dimensions: [
          { modality: 'text', dimension: 'sentiment', level: 'ordinal', labels: ['negative', 'neutral', 'positive'] },
          { modality: 'audio', dimension: 'speech' },
        ],
        crossModal: [
          {
            concept: 'valence',
            sources: [
              { modality: 'text', dimension: 'sentiment', map: { positive: '+', negative: '-' } },
              { modality: 'audio', dimension: 'emotion', map: { happy: '+', sad: '-' } },
            ],
          },
        ],
      },
      policy: { minAlpha: 0.8, minJudgementsPerItem: 3 },
    });
    const response = await t.agent.post('/v1/projects').set(auth(t.adminKey)).send(body);
    expect(response.status).toBe(201);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      name: body.name,
      schema: body.schema,
      schemaVersion: 1,
      policy: { minAlpha: 0.8, minJudgementsPerItem: 3 },
      policyVersion: 1,
      effectivePolicy: {
        minAlpha: 0.8,
        minAlphaByDimension: {},
        minMeanIoU: 0.5,
        maxFlaggedItemShare: 0.05,
        maxStreamOffsetSeconds: 0.2,
        minJudgementsPerItem: 3,
        minGoldAccuracy: null,
        boundaryToleranceSeconds: 0.25,
        crossModalToleranceSeconds: 0.5,
        outlierMargin: 0.05,
        maxShiftSeconds: 2,
        matchThreshold: 0.5,
      },
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
  });

  it('creates a project with defaults when schema and policy are omitted', async () => {
    const project = await createProject(t);
    expect(project.schema).toBeNull();
    expect(project.schemaVersion).toBeNull();
    expect(project.policy).toBeNull();
    expect(project.policyVersion).toBeNull();
    expect(project.effectivePolicy.minAlpha).toBe(0.667);
  });

  it('lists every project for the admin, and only its own for a project key', async () => {
    const a = await createProject(t);
    const b = await createProject(t);
    const admin = await t.agent.get('/v1/projects').set(auth(t.adminKey));
    expect(admin.status).toBe(200);
    const ids = (admin.body.projects as { id: string }[]).map((p) => p.id);
    expect(ids).toEqual(expect.arrayContaining([a.id, b.id]));
    // Newest first.
    expect(ids.indexOf(b.id)).toBeLessThan(ids.indexOf(a.id));

    for (const key of [await issueKey(t, a.id, { role: 'qa_lead' }), await issueKey(t, a.id, { vendor: 'acme' })]) {
      const own = await t.agent.get('/v1/projects').set(auth(key.key));
      expect(own.status).toBe(200);
      expect((own.body.projects as { id: string }[]).map((p) => p.id)).toEqual([a.id]);
    }
  });

  it.each([
    [{}, [{ path: 'name', message: expect.any(String) }]],
    [{ name: '' }, [{ path: 'name', message: expect.stringContaining('1') }]],
    [{ name: 'x', policy: { minAlpha: 2 } }, [{ path: 'policy.minAlpha', message: expect.any(String) }]],
    [{ name: 'x', policy: { minAlfa: 0.7 } }, [{ path: 'policy', message: expect.stringContaining('minAlfa') }]],
    [
      { name: 'x', schema: { dimensions: [{ modality: 'smell', dimension: 'odour' }] } },
      [{ path: 'schema.dimensions[0].modality', message: expect.any(String) }],
    ],
    [
      { name: 'x', schema: { dimensions: [{ modality: 'image', dimension: 'd', shape: 'boxes', level: 'nominal' }] } },
      [{ path: 'schema.dimensions[0].level', message: 'a level of measurement applies to categorical dimensions, not to boxes' }],
    ],
    [[1, 2], [{ path: '(root)', message: expect.any(String) }]],
  ])('rejects the body %j with 422 and the path of each error', async (body, errors) => {
    const response = await t.agent.post('/v1/projects').set(auth(t.adminKey)).send(body as object);
    expect(response.status).toBe(422);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.body).toMatchObject({ code: 'INVALID_INPUT', status: 422, title: 'Invalid input', errors });
  });

  it('lists every error of a body at once', async () => {
    const response = await t.agent
      .post('/v1/projects')
      .set(auth(t.adminKey))
      .send({ name: 7, policy: { minMeanIoU: -1, minJudgementsPerItem: 1.5 } });
    expect(response.status).toBe(422);
    expect((response.body.errors as { path: string }[]).map((e) => e.path).sort()).toEqual([
      'name',
      'policy.minJudgementsPerItem',
      'policy.minMeanIoU',
    ]);
  });

  it('answers malformed JSON with 400 and a body over the limit with 413, as problem+json', async () => {
    const malformed = await t.agent
      .post('/v1/projects')
      .set(auth(t.adminKey))
      .set('content-type', 'application/json')
      .send('{"name": ');
    expect(malformed.status).toBe(400);
    expect(malformed.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(malformed.body).toMatchObject({ code: 'MALFORMED_REQUEST', status: 400 });

    const huge = await t.agent
      .post('/v1/projects')
      .set(auth(t.adminKey))
      .send({ name: 'big', schema: { dimensions: [], crossModal: [] }, padding: 'x'.repeat(1_100_000) });
    expect(huge.status).toBe(413);
    expect(huge.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(huge.body).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', status: 413 });
  });

  describe('keys', () => {
    it('issues a vendor key that works at once', async () => {
      const project = await createProject(t);
      const response = await t.agent
        .post(`/v1/projects/${project.id}/keys`)
        .set(auth(t.adminKey))
        .send({ role: 'vendor', vendor: 'acme', label: 'acme uploads' });
      expect(response.status).toBe(201);
      expect(response.body).toEqual({
        id: expect.any(String),
        key: expect.stringMatching(/^cnc_[A-Za-z0-9_-]{43}$/),
        keyPrefix: (response.body.key as string).slice(0, 12),
        role: 'vendor',
        projectId: project.id,
        vendor: 'acme',
        label: 'acme uploads',
        createdAt: expect.any(String),
      });
      const list = await t.agent.get('/v1/projects').set(auth(response.body.key as string));
      expect(list.status).toBe(200);
    });

    it.each([
      [{ role: 'vendor' }, 'vendor'],
      [{ role: 'qa_lead', vendor: 'acme' }, 'vendor'],
      [{ role: 'admin' }, 'role'],
      [{ role: 'vendor', vendor: 'acme', extra: 1 }, '(root)'],
    ])('rejects %j with 422 at %s', async (body, path) => {
      const project = await createProject(t);
      const response = await t.agent.post(`/v1/projects/${project.id}/keys`).set(auth(t.adminKey)).send(body);
      expect(response.status).toBe(422);
      expect(response.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ path })]));
    });

    it('answers 404 for an unknown project and for an id that is not a uuid', async () => {
      for (const id of ['00000000-0000-4000-8000-000000000000', 'not-a-uuid']) {
        const response = await t.agent.post(`/v1/projects/${id}/keys`).set(auth(t.adminKey)).send({ role: 'qa_lead' });
        expect(response.status).toBe(404);
        expect(response.body).toMatchObject({ code: 'NOT_FOUND', detail: `Project ${id} not found` });
      }
    });
  });
});
