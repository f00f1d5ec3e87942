import { createHash } from 'node:crypto';
import { createProject, createProjectWithKeys, issueKey } from '../factories/project.factory';
import { auth, createTestApp, type TestApp } from '../helpers/test-app';

describe('auth', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ worker: false });
  });

  afterAll(async () => {
    await t?.close();
  });

  describe('every /v1 route needs a key', () => {
    it.each([
      ['no Authorization header', {}, 'An API key is required'],
      ['a non-Bearer scheme', { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` }, 'must be "Bearer <key>"'],
      ['an empty Bearer', { authorization: 'Bearer ' }, 'must be "Bearer <key>"'],
      ['an unknown key', { authorization: 'Bearer cnc_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }, 'not valid'],
    ])('answers 401 problem+json for %s', async (_case, headers, detail) => {
      for (const call of [t.agent.get('/v1/projects'), t.agent.post('/v1/projects').send({ name: 'x' })]) {
        const response = await call.set(headers);
        expect(response.status).toBe(401);
        expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(response.headers['www-authenticate']).toBe('Bearer');
        expect(response.body).toMatchObject({ code: 'UNAUTHENTICATED', status: 401, detail: expect.stringContaining(detail) });
      }
    });

    it('checks the key before validating the body', async () => {
      const response = await t.agent.post('/v1/projects').send({});
      expect(response.status).toBe(401);
    });

    it('refuses a revoked key', async () => {
      const project = await createProject(t);
      const key = await issueKey(t, project.id);
      expect((await t.agent.get('/v1/projects').set(auth(key.key))).status).toBe(200);
      await t.dataSource.query('UPDATE api_keys SET revoked_at = now() WHERE id = $1', [key.id]);
      expect((await t.agent.get('/v1/projects').set(auth(key.key))).status).toBe(401);
    });

    it('leaves /health, /metrics, /docs and /v1/openapi.json open', async () => {
      for (const path of ['/health?probe=live', '/metrics', '/docs', '/v1/openapi.json']) {
        expect([path, (await t.agent.get(path)).status]).toEqual([path, 200]);
      }
    });
  });

  describe('roles', () => {
    it('lets only the admin create projects: 403 for qa_lead and vendor keys', async () => {
      const { qaLead, vendorA } = await createProjectWithKeys(t);
      for (const key of [qaLead, vendorA]) {
        const response = await t.agent.post('/v1/projects').set(auth(key)).send({ name: 'not allowed' });
        expect(response.status).toBe(403);
        expect(response.body).toMatchObject({ code: 'FORBIDDEN', detail: 'This action needs an admin key.' });
      }
    });

    it('lets a qa_lead issue vendor keys for its project only', async () => {
      const { project, qaLead } = await createProjectWithKeys(t);
      const other = await createProject(t);
      const vendor = await issueKey(t, project.id, { vendor: 'initech' }, qaLead);
      expect(vendor).toMatchObject({ role: 'vendor', vendor: 'initech', projectId: project.id });

      const qaLeadKey = await t.agent.post(`/v1/projects/${project.id}/keys`).set(auth(qaLead)).send({ role: 'qa_lead' });
      expect(qaLeadKey.status).toBe(403);
      // Another project is invisible to this key: 404, so ids do not leak.
      const elsewhere = await t.agent.post(`/v1/projects/${other.id}/keys`).set(auth(qaLead)).send({ role: 'vendor', vendor: 'x' });
      expect(elsewhere.status).toBe(404);
    });

    it('lets a vendor issue no keys: 403 on its project, 404 on others', async () => {
      const { project, vendorA } = await createProjectWithKeys(t);
      const other = await createProject(t);
      const own = await t.agent.post(`/v1/projects/${project.id}/keys`).set(auth(vendorA)).send({ role: 'vendor', vendor: 'acme' });
      expect(own.status).toBe(403);
      const elsewhere = await t.agent.post(`/v1/projects/${other.id}/keys`).set(auth(vendorA)).send({ role: 'vendor', vendor: 'acme' });
      expect(elsewhere.status).toBe(404);
    });
  });

  describe('keys are shown once and stored hashed', () => {
    it('stores only the SHA-256 and a 12-character prefix', async () => {
      const project = await createProject(t);
      const issued = await issueKey(t, project.id, { role: 'qa_lead', label: 'lead' });
      const rows = await t.dataSource.query<Record<string, unknown>[]>('SELECT * FROM api_keys WHERE id = $1', [issued.id]);
      expect(rows).toHaveLength(1);
      const row = rows[0]!;
      expect(row.key_hash).toBe(createHash('sha256').update(issued.key).digest('hex'));
      expect(row.key_prefix).toBe(issued.key.slice(0, 12));
      expect(Object.values(row).map(String)).not.toContain(issued.key);
    });

    it('never shows the key again', async () => {
      const project = await createProject(t);
      const issued = await issueKey(t, project.id);
      const listing = await t.agent.get('/v1/projects').set(auth(t.adminKey));
      expect(JSON.stringify(listing.body)).not.toContain(issued.key);
      expect(JSON.stringify(listing.body)).not.toContain(issued.keyPrefix);
    });

    it('upserts CONCORD_ADMIN_KEY as an active admin key at start', async () => {
      const rows = await t.dataSource.query<{ role: string; revoked_at: Date | null }[]>(
        'SELECT role, revoked_at FROM api_keys WHERE key_hash = $1',
        [createHash('sha256').update(t.adminKey).digest('hex')],
      );
      expect(rows).toEqual([{ role: 'admin', revoked_at: null }]);
    });
  });
});
