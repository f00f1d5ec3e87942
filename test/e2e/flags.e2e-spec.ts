import { createProjectWithKeys } from '../factories/project.factory';
import { DEFECTS, defectsCsv } from '../fixtures/evaluation/evaluation-fixtures';
import { auth, createTestApp, type TestApp } from '../helpers/test-app';
import { waitForBatch } from '../helpers/wait-for-batch';

interface Flag {
  id: string;
  batchId: string;
  key: string;
  code: string;
  severity: 'high' | 'medium' | 'low';
  item: string | null;
  modality: string | null;
  dimension: string | null;
  annotators: string[];
  start: number | null;
  status: string;
  comment: string | null;
  reviewedBy: string | null;
  reviewedAt: string | null;
}

interface FlagPage {
  flags: Flag[];
  nextCursor: string | null;
  total: number;
}

const RANK = { high: 0, medium: 1, low: 2 } as const;
const SORT_KEYS = ['severity', 'item', 'code', 'modality', 'dimension', 'status', 'start'] as const;

/** The listing's order in JS: the key (missing text '', missing start first, texts bytewise), then severity and id. */
function sortFlags(flags: Flag[], sort: string): Flag[] {
  const descending = sort.startsWith('-');
  const key = sort.replace(/^-/, '') as (typeof SORT_KEYS)[number];
  const value = (flag: Flag): string | number =>
    key === 'severity' ? 0 : key === 'start' ? (flag.start ?? -Infinity) : (flag[key] ?? '');
  const compare = (a: string | number, b: string | number): number => (a < b ? -1 : a > b ? 1 : 0);
  const order = (a: Flag, b: Flag): number => compare(value(a), value(b)) || RANK[a.severity] - RANK[b.severity] || compare(a.id, b.id);
  return [...flags].sort((a, b) => (descending ? -order(a, b) : order(a, b)));
}

describe('flags: listing, filters, review', () => {
  let t: TestApp;
  let keys: Awaited<ReturnType<typeof createProjectWithKeys>>;
  let batchId: string;
  let all: Flag[];

  const list = async (query: Record<string, string | number>, key = keys.qaLead): Promise<FlagPage> => {
    const response = await t.agent.get(`/v1/batches/${batchId}/flags`).query(query).set(auth(key));
    expect(response.status).toBe(200);
    return response.body as FlagPage;
  };

  beforeAll(async () => {
    t = await createTestApp();
    keys = await createProjectWithKeys(t);
    // Uploaded by vendor acme: its own batch.
    const upload = await t.agent.post(`/v1/projects/${keys.project.id}/batches`).set(auth(keys.vendorA)).set('content-type', 'text/csv').send(defectsCsv());
    expect(upload.status).toBe(202);
    batchId = upload.body.batch.id;
    await waitForBatch(t.agent, batchId, keys.qaLead);
    all = (await list({ limit: 500 })).flags;
  });

  afterAll(async () => {
    await t.close();
  });

  it('lists every flag most severe first, then by id, with the total', async () => {
    const page = await list({ limit: 500 });
    expect(page.total).toBe(all.length);
    expect(page.nextCursor).toBeNull();
    expect(all.length).toBeGreaterThan(10);
    const order = all.map((flag) => [RANK[flag.severity], flag.id] as const);
    const sorted = [...order].sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
    expect(order).toEqual(sorted);
    expect(all[0]).toMatchObject({ batchId, status: 'open', comment: null, reviewedBy: null });
  });

  it('pages with a keyset cursor: the pages together are the whole list, each with the same total', async () => {
    const seen: Flag[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: FlagPage = await list({ limit: 7, ...(cursor === null ? {} : { cursor }) });
      expect(page.total).toBe(all.length);
      expect(page.flags.length).toBeLessThanOrEqual(7);
      seen.push(...page.flags);
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor !== null);
    expect(pages).toBe(Math.ceil(all.length / 7));
    expect(seen.map((flag) => flag.id)).toEqual(all.map((flag) => flag.id));
  });

  describe('sorted by a column (?sort=), ~300 flags with missing values and ties', () => {
    let sortKeys: Awaited<ReturnType<typeof createProjectWithKeys>>;
    let sortBatchId: string;
    let sortAll: Flag[];
    const listSorted = async (query: Record<string, string | number>): Promise<FlagPage> => {
      const response = await t.agent.get(`/v1/batches/${sortBatchId}/flags`).query(query).set(auth(sortKeys.qaLead));
      expect(response.status).toBe(200);
      return response.body as FlagPage;
    };

    beforeAll(async () => {
      // Its own project: the same upload again in the first project would be the same batch.
      sortKeys = await createProjectWithKeys(t);
      const upload = await t.agent.post(`/v1/projects/${sortKeys.project.id}/batches`).set(auth(sortKeys.vendorA)).set('content-type', 'text/csv').send(defectsCsv());
      expect(upload.status).toBe(202);
      sortBatchId = upload.body.batch.id;
      await waitForBatch(t.agent, sortBatchId, sortKeys.qaLead);
      // 300 more flags with few distinct values (ties), NULLs, mixed case and the texts' edge cases.
      await t.dataSource.query(
        `INSERT INTO flags (batch_id, project_id, key, code, severity, severity_rank, item, modality, dimension, annotators, start_s, end_s, message, evidence, status)
         SELECT b.id, b.project_id, 'sort-' || g, (ARRAY['NO_MAJORITY','LABEL_CONFLICT','STREAM_DESYNC','INVALID_SPAN'])[1 + g % 4],
                (ARRAY['high','medium','low'])[1 + g % 3], g % 3,
                CASE WHEN g % 11 = 0 THEN NULL ELSE (ARRAY['clip-b','Clip-a','clip-a','clip-10','clip-9',''])[1 + g % 6] END,
                CASE WHEN g % 5 = 0 THEN NULL ELSE (ARRAY['video','text','audio'])[1 + g % 3] END,
                CASE WHEN g % 7 = 0 THEN NULL ELSE (ARRAY['sentiment','speaker','Topic'])[1 + g % 3] END,
                ARRAY['ann-a'], CASE WHEN g % 9 = 0 THEN NULL ELSE (g % 13) * 0.5 - 1 END, NULL, 'sorted', '{}'::jsonb,
                (ARRAY['open','confirmed','dismissed'])[1 + g % 3]
         FROM batches b, generate_series(1, 300) g WHERE b.id = $1`,
        [sortBatchId],
      );
      await t.dataSource.query(`UPDATE batches SET flags_revision = flags_revision + 1 WHERE id = $1`, [sortBatchId]);
      sortAll = (await listSorted({ limit: 500 })).flags;
      expect(sortAll.length).toBeGreaterThan(300);
    });

    it('pages through every sort and direction (limit 7) without skipping or repeating a flag, in the full order', async () => {
      for (const key of SORT_KEYS) {
        for (const sort of [key, `-${key}`]) {
          const expected = sortFlags(sortAll, sort).map((flag) => flag.id);
          expect((await listSorted({ sort, limit: 500 })).flags.map((flag) => flag.id)).toEqual(expected);
          const seen: string[] = [];
          let cursor: string | null = null;
          do {
            const page: FlagPage = await listSorted({ sort, limit: 7, ...(cursor === null ? {} : { cursor }) });
            expect(page.total).toBe(sortAll.length);
            seen.push(...page.flags.map((flag) => flag.id));
            cursor = page.nextCursor;
          } while (cursor !== null);
          expect({ sort, seen }).toEqual({ sort, seen: expected });
        }
      }
    });

    it('sorts the filtered flags, keeps the filtered total, and reverses exactly with a leading -', async () => {
      const ascending = await listSorted({ sort: 'item', status: 'open', limit: 500 });
      const expected = sortFlags(sortAll.filter((flag) => flag.status === 'open'), 'item');
      expect(ascending.flags.map((flag) => flag.id)).toEqual(expected.map((flag) => flag.id));
      expect(ascending.total).toBe(expected.length);
      const descending = await listSorted({ sort: '-item', status: 'open', limit: 500 });
      expect(descending.flags.map((flag) => flag.id)).toEqual(ascending.flags.map((flag) => flag.id).reverse());
      // The default is severity; missing starts come first ascending, last descending.
      expect((await listSorted({ limit: 500 })).flags).toEqual((await listSorted({ sort: 'severity', limit: 500 })).flags);
      const byStart = (await listSorted({ sort: 'start', limit: 500 })).flags;
      expect(byStart[0]!.start).toBeNull();
      expect((await listSorted({ sort: '-start', limit: 500 })).flags.at(-1)!.start).toBeNull();
    });

    it('answers 422 for an unknown sort and for a cursor of another sort or direction', async () => {
      const first = await listSorted({ sort: 'item', limit: 7 });
      expect(first.nextCursor).not.toBeNull();
      for (const query of [{ sort: 'annotators' }, { sort: '+item' }, { sort: '--item' }, { sort: '-item', cursor: first.nextCursor! }, { sort: 'code', cursor: first.nextCursor! }, { cursor: first.nextCursor! }]) {
        const response = await t.agent.get(`/v1/batches/${sortBatchId}/flags`).query(query).set(auth(sortKeys.qaLead));
        expect({ query, status: response.status }).toEqual({ query, status: 422 });
        expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
      }
      expect((await listSorted({ sort: 'item', limit: 7, cursor: first.nextCursor! })).flags).toHaveLength(7);
    });
  });

  it('filters by code, severity, modality, dimension, annotator, item and status (comma lists match any)', async () => {
    const expectFilter = async (query: Record<string, string>, keep: (flag: Flag) => boolean): Promise<void> => {
      const page = await list({ ...query, limit: 500 });
      const expected = all.filter(keep);
      expect(expected.length).toBeGreaterThan(0);
      expect(page.flags.map((flag) => flag.id)).toEqual(expected.map((flag) => flag.id));
      expect(page.total).toBe(expected.length);
    };
    await expectFilter({ code: 'STREAM_DESYNC' }, (flag) => flag.code === 'STREAM_DESYNC');
    await expectFilter({ code: 'MISSING_ANNOTATION,OUTLIER_ANNOTATOR' }, (flag) => ['MISSING_ANNOTATION', 'OUTLIER_ANNOTATOR'].includes(flag.code));
    await expectFilter({ severity: 'high' }, (flag) => flag.severity === 'high');
    await expectFilter({ severity: 'medium,low' }, (flag) => flag.severity !== 'high');
    await expectFilter({ modality: 'text' }, (flag) => flag.modality === 'text');
    await expectFilter({ dimension: 'sentiment' }, (flag) => flag.dimension === 'sentiment');
    await expectFilter({ annotator: DEFECTS.randomAnnotator }, (flag) => flag.annotators.includes(DEFECTS.randomAnnotator));
    await expectFilter({ item: `${DEFECTS.desyncClip},${DEFECTS.missingClip}` }, (flag) => flag.item === DEFECTS.desyncClip || flag.item === DEFECTS.missingClip);
    await expectFilter({ status: 'open' }, () => true);
    await expectFilter({ code: 'LABEL_CONFLICT,NO_MAJORITY', annotator: DEFECTS.randomAnnotator, modality: 'text' }, (flag) =>
      ['LABEL_CONFLICT', 'NO_MAJORITY'].includes(flag.code) && flag.annotators.includes(DEFECTS.randomAnnotator) && flag.modality === 'text',
    );
    const none = await list({ status: 'dismissed' });
    expect(none).toEqual({ flags: [], nextCursor: null, total: 0 });
  });

  it('answers 422 for unknown filter values, a bad limit or a forged cursor', async () => {
    for (const query of [{ code: 'NOT_A_CODE' }, { severity: 'urgent' }, { status: 'done' }, { limit: 501 }, { limit: 0 }, { cursor: 'bm90LWEtY3Vyc29y' }]) {
      const response = await t.agent.get(`/v1/batches/${batchId}/flags`).query(query).set(auth(keys.qaLead));
      expect(response.status).toBe(422);
      expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
    }
  });

  it('shows a vendor its own batch\'s flags, and nothing of other vendors\' (404)', async () => {
    expect((await list({ limit: 1 }, keys.vendorA)).total).toBe(all.length);
    const response = await t.agent.get(`/v1/batches/${batchId}/flags`).set(auth(keys.vendorB));
    expect(response.status).toBe(404);
    expect((await t.agent.get(`/v1/flags/${all[0]!.id}`).set(auth(keys.vendorB))).status).toBe(404);
  });

  it('confirms a flag with a comment (qa_lead), keeping every change in its history', async () => {
    const flag = all.find((candidate) => candidate.code === 'OUTLIER_ANNOTATOR')!;
    const confirmed = await t.agent.patch(`/v1/flags/${flag.id}`).set(auth(keys.qaLead)).send({ status: 'confirmed', comment: 'random labels, retrain' });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body).toMatchObject({ id: flag.id, status: 'confirmed', comment: 'random labels, retrain', reviewedBy: expect.any(String), reviewedAt: expect.any(String) });
    expect(confirmed.body.history).toEqual([{ actorKeyId: confirmed.body.reviewedBy, from: 'open', to: 'confirmed', comment: 'random labels, retrain', at: expect.any(String) }]);

    // Listings of the batch in flight while the review lands (they share their read of the
    // batch's revision); the listings made after it still see the review.
    const inFlight = Array.from({ length: 20 }, () => list({ status: 'dismissed' }));
    const dismissed = await t.agent.patch(`/v1/flags/${flag.id}`).set(auth(t.adminKey)).send({ status: 'dismissed' });
    await Promise.all(inFlight);
    expect(dismissed.status).toBe(200);
    expect(dismissed.body).toMatchObject({ status: 'dismissed', comment: null });
    expect(dismissed.body.reviewedBy).not.toBe(confirmed.body.reviewedBy);

    const detail = await t.agent.get(`/v1/flags/${flag.id}`).set(auth(keys.vendorA));
    expect(detail.status).toBe(200);
    expect(detail.body.history.map((h: { from: string; to: string }) => `${h.from}→${h.to}`)).toEqual(['open→confirmed', 'confirmed→dismissed']);

    // The listing's totals follow the review at once.
    expect((await list({ status: 'dismissed' })).flags.map((f) => f.id)).toEqual([flag.id]);
    expect((await list({ status: 'open' })).total).toBe(all.length - 1);
  });

  it('refuses a review to the batch\'s own vendor (403), hides the flag from another vendor (404), checks the body (422)', async () => {
    const flag = all.find((candidate) => candidate.code !== 'OUTLIER_ANNOTATOR')!; // not reviewed above
    expect((await t.agent.patch(`/v1/flags/${flag.id}`).set(auth(keys.vendorA)).send({ status: 'dismissed' })).status).toBe(403);
    expect((await t.agent.patch(`/v1/flags/${flag.id}`).set(auth(keys.vendorB)).send({ status: 'dismissed' })).status).toBe(404);
    expect((await t.agent.patch(`/v1/flags/${flag.id}`).set(auth(keys.qaLead)).send({ status: 'fixed' })).status).toBe(422);
    expect((await t.agent.patch(`/v1/flags/${flag.id}`).set(auth(keys.qaLead)).send({ status: 'open', extra: 1 })).status).toBe(422);
    expect((await t.agent.patch('/v1/flags/00000000-0000-4000-8000-000000000000').set(auth(keys.qaLead)).send({ status: 'open' })).status).toBe(404);
    const detail = await t.agent.get(`/v1/flags/${flag.id}`).set(auth(keys.qaLead));
    expect(detail.body).toMatchObject({ status: 'open', history: [] });
  });

  it('is documented in OpenAPI: routes, filters, bodies and problem responses', async () => {
    const document = (await t.agent.get('/v1/openapi.json')).body as {
      paths: Record<string, Record<string, { parameters?: { name: string; in: string }[]; responses: Record<string, unknown>; requestBody?: unknown }>>;
    };
    const listing = document.paths['/v1/batches/{id}/flags']!.get!;
    expect(listing.parameters!.filter((p) => p.in === 'query').map((p) => p.name).sort()).toEqual(
      ['annotator', 'code', 'cursor', 'dimension', 'item', 'limit', 'modality', 'severity', 'sort', 'status'],
    );
    const sort = listing.parameters!.find((p) => p.name === 'sort') as unknown as { description?: string; schema: { enum?: string[]; default?: string } };
    expect(sort.schema.enum).toEqual(expect.arrayContaining(['severity', 'item', '-item', 'code', 'modality', 'dimension', 'status', 'start', '-start']));
    expect(sort.schema.default).toBe('severity');
    expect(sort.description ?? '').toMatch(/descending|reverses/);
    expect(Object.keys(listing.responses)).toEqual(expect.arrayContaining(['200', '401', '404', '422']));
    expect(Object.keys(document.paths['/v1/flags/{id}']!).sort()).toEqual(['get', 'patch']);
    expect(document.paths['/v1/flags/{id}']!.patch!.requestBody).toBeDefined();
    expect(Object.keys(document.paths['/v1/flags/{id}']!.patch!.responses)).toEqual(expect.arrayContaining(['200', '403', '404', '422']));
    expect(Object.keys(document.paths['/v1/batches/{id}/evaluate']!.post!.responses)).toEqual(expect.arrayContaining(['202', '403', '404', '409']));
    expect(document.paths['/v1/batches/{id}/gate']!.get!.responses['200']).toBeDefined();
    expect(document.paths['/v1/batches/{id}/evaluation']!.get!.responses['200']).toBeDefined();
  });

  it('hides another project\'s flags from a qa_lead (404)', async () => {
    const other = await createProjectWithKeys(t);
    expect((await t.agent.get(`/v1/batches/${batchId}/flags`).set(auth(other.qaLead))).status).toBe(404);
    expect((await t.agent.patch(`/v1/flags/${all[0]!.id}`).set(auth(other.qaLead)).send({ status: 'confirmed' })).status).toBe(404);
  });
});
