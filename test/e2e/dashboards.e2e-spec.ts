import { createProject, issueKey } from '../factories/project.factory';
import { auth, createTestApp, type TestApp } from '../helpers/test-app';
import { waitForBatch } from '../helpers/wait-for-batch';

/**
 * The dashboards' server side: static pages, cookie sessions (httpOnly, SameSite, CSRF header,
 * revocation, expiry) and the aggregate endpoints, with exact numbers on a small batch.
 */
const CSV = [
  'item,annotator,modality,dimension,label,start,end',
  'i1,ann-a,text,sentiment,pos,,',
  'i1,ann-b,text,sentiment,pos,,',
  'i2,ann-a,text,sentiment,neg,,',
  'i2,ann-b,text,sentiment,pos,,',
  'i3,ann-a,text,sentiment,neg,,',
  'i3,ann-b,text,sentiment,neg,,',
  'c1,ann-a,audio,speech,host,0,2',
  'c1,ann-b,audio,speech,host,0,2',
  'c2,ann-a,audio,speech,host,0,2',
  'c2,ann-b,audio,speech,host,1,3',
  'c3,ann-a,audio,speech,guest,0,4',
  'c3,ann-b,audio,speech,guest,0.3,4',
  '',
].join('\n');

const cookieOf = (setCookie: string[] | string | undefined): string => {
  const header = Array.isArray(setCookie) ? setCookie[0]! : setCookie!;
  return header.split(';')[0]!;
};

describe('dashboards (server side)', () => {
  let app: TestApp;
  let projectId: string;
  let batchId: string;

  beforeAll(async () => {
    app = await createTestApp();
    projectId = (await createProject(app)).id;
    const upload = await app.agent
      .post(`/v1/projects/${projectId}/batches?vendor=acme`)
      .set(auth(app.adminKey))
      .set('content-type', 'text/csv')
      .send(CSV);
    expect(upload.status).toBe(202);
    batchId = upload.body.batch.id;
    await waitForBatch(app.agent, batchId, app.adminKey, { until: (batch) => batch.status === 'failed' || (batch.status === 'completed' && batch.verdict !== 'pending') });
  });

  afterAll(async () => {
    await app?.close();
  });

  async function signIn(key: string): Promise<string> {
    const response = await app.agent.post('/v1/session').send({ apiKey: key });
    expect(response.status).toBe(201);
    return cookieOf(response.headers['set-cookie']);
  }

  describe('static pages', () => {
    it('redirects /dashboards to /dashboards/ and serves the sign-in page under a strict CSP', async () => {
      const redirect = await app.agent.get('/dashboards');
      expect(redirect.status).toBe(301);
      expect(redirect.headers.location).toBe('/dashboards/');
      const page = await app.agent.get('/dashboards/');
      expect(page.status).toBe(200);
      expect(page.headers['content-type']).toMatch(/^text\/html/);
      expect(page.headers['content-security-policy']).toContain("script-src 'self'");
      expect(page.headers['x-content-type-options']).toBe('nosniff');
      expect(page.text).toContain('id="apiKey"');
    });

    it('serves chart.js from the npm package and the pages\' modules', async () => {
      const chart = await app.agent.get('/dashboards/vendor/chart.umd.min.js');
      expect(chart.status).toBe(200);
      expect(chart.headers['content-type']).toMatch(/javascript/);
      const module = await app.agent.get('/dashboards/js/batch-page.js');
      expect(module.status).toBe(200);
      expect(module.headers['content-type']).toMatch(/javascript/);
    });

    it.each(['/dashboards/nope.html', '/dashboards/..%2Fpackage.json', '/dashboards/vendor/chart.js', '/dashboards/.env'])('answers 404 for %s', async (path) => {
      const response = await app.agent.get(path);
      expect(response.status).toBe(404);
      expect(response.headers['content-type']).toMatch(/problem\+json/);
    });
  });

  describe('sessions', () => {
    it('refuses an unknown key', async () => {
      const response = await app.agent.post('/v1/session').send({ apiKey: 'cnc_unknown' });
      expect(response.status).toBe(401);
      expect(response.headers['set-cookie']).toBeUndefined();
    });

    it('sets an httpOnly SameSite=Strict cookie that authenticates like the key', async () => {
      const response = await app.agent.post('/v1/session').send({ apiKey: app.adminKey });
      expect(response.status).toBe(201);
      expect(response.body).toMatchObject({ role: 'admin', projectId: null, vendor: null });
      const header = String(response.headers['set-cookie']);
      expect(header).toMatch(/^concord_session=[A-Za-z0-9_-]{43}; Path=\/; Max-Age=43200; HttpOnly; SameSite=Strict$/);
      expect(header).not.toContain(app.adminKey);
      const cookie = cookieOf(response.headers['set-cookie']);
      expect((await app.agent.get('/v1/session').set('cookie', cookie)).body).toMatchObject({ role: 'admin' });
      expect((await app.agent.get(`/v1/batches/${batchId}`).set('cookie', cookie)).status).toBe(200);
      expect((await app.agent.get('/v1/session')).status).toBe(401);
    });

    it('stores only the token\'s hash', async () => {
      const cookie = await signIn(app.adminKey);
      const token = cookie.split('=')[1]!;
      const rows = await app.dataSource.query(`SELECT count(*)::int AS n FROM dashboard_sessions WHERE token_hash = $1`, [token]);
      expect(rows[0].n).toBe(0);
    });

    it('requires the CSRF header, and a same origin, on changes made with the cookie', async () => {
      const cookie = await signIn(app.adminKey);
      const body = { name: 'made from the dashboards' };
      const bare = await app.agent.post('/v1/projects').set('cookie', cookie).send(body);
      expect(bare.status).toBe(403);
      expect(bare.body.detail).toContain('x-concord-dashboard');
      const foreign = await app.agent.post('/v1/projects').set('cookie', cookie).set('x-concord-dashboard', '1').set('origin', 'https://evil.example').send(body);
      expect(foreign.status).toBe(403);
      const allowed = await app.agent.post('/v1/projects').set('cookie', cookie).set('x-concord-dashboard', '1').send(body);
      expect(allowed.status).toBe(201);
    });

    it('prefers a Bearer key to the cookie', async () => {
      const vendor = await issueKey(app, projectId, { vendor: 'acme' });
      const adminCookie = await signIn(app.adminKey);
      const response = await app.agent.get('/v1/session').set('cookie', adminCookie).set(auth(vendor.key));
      expect(response.body).toMatchObject({ role: 'vendor', vendor: 'acme' });
    });

    it('ends on sign-out, when its key is revoked, and when it expires', async () => {
      const out = await signIn(app.adminKey);
      const signOut = await app.agent.delete('/v1/session').set('cookie', out);
      expect(signOut.status).toBe(204);
      expect(String(signOut.headers['set-cookie'])).toContain('Max-Age=0');
      expect((await app.agent.get('/v1/session').set('cookie', out)).status).toBe(401);

      const key = await issueKey(app, projectId, { role: 'qa_lead' });
      const revoked = await signIn(key.key);
      expect((await app.agent.get('/v1/session').set('cookie', revoked)).status).toBe(200);
      await app.dataSource.query(`UPDATE api_keys SET revoked_at = now() WHERE id = $1`, [key.id]);
      expect((await app.agent.get('/v1/session').set('cookie', revoked)).status).toBe(401);

      const expiring = await signIn(app.adminKey);
      await app.dataSource.query(`UPDATE dashboard_sessions SET expires_at = now() - interval '1 second' WHERE expires_at > now() + interval '11 hours'`);
      expect((await app.agent.get('/v1/session').set('cookie', expiring)).status).toBe(401);
    });
  });

  describe('aggregates', () => {
    it('counts the confusion matrix of two annotators in SQL', async () => {
      const response = await app.agent
        .get(`/v1/batches/${batchId}/confusion?modality=text&dimension=sentiment&a=ann-a&b=ann-b`)
        .set(auth(app.adminKey));
      expect(response.status).toBe(200);
      expect(response.body).toEqual({
        batchId,
        modality: 'text',
        dimension: 'sentiment',
        a: 'ann-a',
        b: 'ann-b',
        labels: ['neg', 'pos'],
        matrix: [
          [1, 1],
          [0, 1],
        ],
        items: 3,
        agreeing: 2,
      });
    });

    it('bins per-item temporal IoU and boundary deviations', async () => {
      const response = await app.agent.get(`/v1/batches/${batchId}/temporal?modality=audio&dimension=speech`).set(auth(app.adminKey));
      expect(response.status).toBe(200);
      // c1: IoU 1; c2: 1/3 (not matched at 0.5); c3: 3.7/4 = 0.925, onset 0.3.
      expect(response.body.itemIoU.map((bin: { count: number }) => bin.count)).toEqual([0, 0, 0, 1, 0, 0, 0, 0, 0, 2]);
      expect(response.body.onsetDeviation.map((bin: { count: number }) => bin.count)).toEqual([1, 0, 0, 1, 0, 0, 0]);
      expect(response.body).toMatchObject({ threshold: 0.5, pairs: 3, matches: 2 });
      const categorical = await app.agent.get(`/v1/batches/${batchId}/temporal?modality=text&dimension=sentiment`).set(auth(app.adminKey));
      expect(categorical.status).toBe(404);
    });

    it('gives the overview: verdict, per-dimension alpha and CI from the stored results, and the thresholds', async () => {
      const agreement = await app.agent.get(`/v1/batches/${batchId}/agreement`).set(auth(app.adminKey));
      const sentiment = agreement.body.results.find((result: { dimension: string }) => result.dimension === 'sentiment');
      const gate = await app.agent.get(`/v1/batches/${batchId}/gate`).set(auth(app.adminKey));
      const response = await app.agent.get(`/v1/projects/${projectId}/overview`).set(auth(app.adminKey));
      expect(response.status).toBe(200);
      expect(response.body.policy).toMatchObject({ minAlpha: 0.667, minMeanIoU: 0.5, maxFlaggedItemShare: 0.05 });
      const [batch] = response.body.batches;
      expect(batch).toMatchObject({ id: batchId, vendor: 'acme', verdict: gate.body.verdict, items: 6, failedRules: gate.body.reasons.length });
      expect(batch.dimensions.find((d: { dimension: string }) => d.dimension === 'sentiment')).toEqual({
        modality: 'text',
        dimension: 'sentiment',
        shape: 'categorical',
        alpha: sentiment.alpha,
        ciLower: sentiment.ci.lower,
        ciUpper: sentiment.ci.upper,
        meanIoU: null,
        f1: null,
      });
      const filtered = await app.agent.get(`/v1/projects/${projectId}/overview?vendor=someone-else`).set(auth(app.adminKey));
      expect(filtered.body.batches).toEqual([]);
    });

    it('gives each annotator\'s trend with flag counts, and one item\'s timeline', async () => {
      const trend = await app.agent.get(`/v1/projects/${projectId}/annotators/trend`).set(auth(app.adminKey));
      expect(trend.status).toBe(200);
      expect(trend.body.batches.map((batch: { id: string }) => batch.id)).toEqual([batchId]);
      expect(new Set(trend.body.points.map((point: { annotator: string }) => point.annotator))).toEqual(new Set(['ann-a', 'ann-b']));
      const timeline = await app.agent.get(`/v1/batches/${batchId}/timeline?item=c2`).set(auth(app.adminKey));
      expect(timeline.status).toBe(200);
      expect(timeline.body.segments).toEqual([
        { annotator: 'ann-a', modality: 'audio', dimension: 'speech', label: 'host', start: 0, end: 2, gold: false },
        { annotator: 'ann-b', modality: 'audio', dimension: 'speech', label: 'host', start: 1, end: 3, gold: false },
      ]);
      expect((await app.agent.get(`/v1/batches/${batchId}/timeline?item=nope`).set(auth(app.adminKey))).status).toBe(404);
    });

    it('shows a vendor only its own batches', async () => {
      const other = await issueKey(app, projectId, { vendor: 'other' });
      const own = await issueKey(app, projectId, { vendor: 'acme' });
      const cookie = await signIn(other.key);
      expect((await app.agent.get(`/v1/projects/${projectId}/overview`).set('cookie', cookie)).body.batches).toEqual([]);
      for (const path of [`confusion?modality=text&dimension=sentiment&a=ann-a&b=ann-b`, `temporal?modality=audio&dimension=speech`, `timeline?item=c1`]) {
        expect((await app.agent.get(`/v1/batches/${batchId}/${path}`).set('cookie', cookie)).status).toBe(404);
      }
      expect((await app.agent.get(`/v1/projects/${projectId}/annotators/trend`).set('cookie', cookie)).body.points).toEqual([]);
      const ownCookie = await signIn(own.key);
      expect((await app.agent.get(`/v1/projects/${projectId}/overview`).set('cookie', ownCookie)).body.batches).toHaveLength(1);
    });
  });
});
