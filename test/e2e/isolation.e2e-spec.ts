import { nominalBatch } from '../factories/canonical-csv.factory';
import { createProjectWithKeys } from '../factories/project.factory';
import { auth, createTestApp, type TestApp } from '../helpers/test-app';
import { waitForBatch } from '../helpers/wait-for-batch';

interface ListBody {
  batches: { id: string; vendor: string | null; status: string; createdAt: string }[];
  nextCursor: string | null;
}

/**
 * Who sees which batch: a vendor only its own (another vendor's batch is 404 by id and absent from
 * lists, so ids don't leak), a QA lead its project's, a key of another project nothing.
 */
describe('batches: role isolation and listings', () => {
  let testApp: TestApp;
  let projectId: string;
  let qaLead: string;
  let vendorA: string;
  let vendorB: string;
  let otherProjectVendor: string;
  let batchA: string;
  let batchB: string;
  const fileA = nominalBatch({ itemPrefix: 'iso-a', items: 6, disagreement: 0.3 }).csv;
  const fileB = nominalBatch({ itemPrefix: 'iso-b', items: 6 }).csv;

  beforeAll(async () => {
    testApp = await createTestApp();
    const setup = await createProjectWithKeys(testApp);
    projectId = setup.project.id;
    ({ qaLead, vendorA, vendorB } = setup);
    otherProjectVendor = (await createProjectWithKeys(testApp)).vendorA;

    const a = await testApp.agent.post(`/v1/projects/${projectId}/batches`).set(auth(vendorA)).type('text/csv').send(fileA);
    const b = await testApp.agent.post(`/v1/projects/${projectId}/batches`).set(auth(vendorB)).type('text/csv').send(fileB);
    expect([a.status, b.status]).toEqual([202, 202]);
    batchA = a.body.batch.id;
    batchB = b.body.batch.id;
    await waitForBatch(testApp.agent, batchA, vendorA);
    await waitForBatch(testApp.agent, batchB, vendorB);
  });

  afterAll(async () => {
    await testApp.close();
  });

  it("attributes a vendor's upload to its own vendor", async () => {
    const response = await testApp.agent.get(`/v1/batches/${batchA}`).set(auth(vendorA));
    expect(response.status).toBe(200);
    expect(response.body.vendor).toBe('acme');
  });

  it.each(['', '/agreement', '/annotators'])("answers 404 for another vendor's batch at /v1/batches/:id%s", async (suffix) => {
    const response = await testApp.agent.get(`/v1/batches/${batchA}${suffix}`).set(auth(vendorB));
    expect(response.status).toBe(404);
    expect(response.body.code).toBe('NOT_FOUND');
    // indistinguishable from an id that does not exist
    const missing = await testApp.agent
      .get(`/v1/batches/00000000-0000-4000-8000-000000000000${suffix}`)
      .set(auth(vendorB));
    expect(missing.status).toBe(404);
    expect(Object.keys(response.body).sort()).toEqual(Object.keys(missing.body).sort());
  });

  it('lists only the vendor\'s own batches for a vendor key', async () => {
    const listA = await testApp.agent.get(`/v1/projects/${projectId}/batches`).set(auth(vendorA));
    expect(listA.status).toBe(200);
    expect((listA.body as ListBody).batches.map((b) => b.id)).toEqual([batchA]);
    const listB = await testApp.agent.get(`/v1/projects/${projectId}/batches`).set(auth(vendorB));
    expect((listB.body as ListBody).batches.map((b) => b.id)).toEqual([batchB]);
    // naming the other vendor in the filter does not widen the view
    const sneaky = await testApp.agent.get(`/v1/projects/${projectId}/batches?vendor=acme`).set(auth(vendorB));
    expect((sneaky.body as ListBody).batches).toEqual([]);
  });

  it('shows a QA lead and the admin every batch of the project, filterable by vendor and status', async () => {
    for (const key of [qaLead, testApp.adminKey]) {
      const all = await testApp.agent.get(`/v1/projects/${projectId}/batches`).set(auth(key));
      expect((all.body as ListBody).batches.map((b) => b.id)).toEqual([batchB, batchA]);
      const acme = await testApp.agent.get(`/v1/projects/${projectId}/batches?vendor=acme`).set(auth(key));
      expect((acme.body as ListBody).batches.map((b) => b.id)).toEqual([batchA]);
      const failed = await testApp.agent.get(`/v1/projects/${projectId}/batches?status=failed`).set(auth(key));
      expect((failed.body as ListBody).batches).toEqual([]);
      const reading = await testApp.agent.get(`/v1/batches/${batchA}/agreement`).set(auth(key));
      expect(reading.status).toBe(200);
    }
  });

  it('answers 404 to a key of another project, for reads, lists and uploads', async () => {
    expect((await testApp.agent.get(`/v1/batches/${batchA}`).set(auth(otherProjectVendor))).status).toBe(404);
    expect((await testApp.agent.get(`/v1/projects/${projectId}/batches`).set(auth(otherProjectVendor))).status).toBe(404);
    const upload = await testApp.agent
      .post(`/v1/projects/${projectId}/batches`)
      .set(auth(otherProjectVendor))
      .type('text/csv')
      .send(nominalBatch({ itemPrefix: 'intruder' }).csv);
    expect(upload.status).toBe(404);
  });

  it('refuses a vendor key naming another vendor', async () => {
    const response = await testApp.agent
      .post(`/v1/projects/${projectId}/batches?vendor=globex`)
      .set(auth(vendorA))
      .type('text/csv')
      .send(nominalBatch({ itemPrefix: 'impostor' }).csv);
    expect(response.status).toBe(422);
    expect(response.body.errors[0].path).toBe('vendor');
  });

  it("answers 409 (without the id) when a vendor uploads a file another vendor's batch already holds", async () => {
    const response = await testApp.agent.post(`/v1/projects/${projectId}/batches`).set(auth(vendorB)).type('text/csv').send(fileA);
    expect(response.status).toBe(409);
    expect(JSON.stringify(response.body)).not.toContain(batchA);
    // the owner gets its batch back
    const own = await testApp.agent.post(`/v1/projects/${projectId}/batches`).set(auth(vendorA)).type('text/csv').send(fileA);
    expect(own.status).toBe(200);
    expect(own.body.batch.id).toBe(batchA);
  });

  it('needs a key', async () => {
    expect((await testApp.agent.get(`/v1/batches/${batchA}`)).status).toBe(401);
    expect((await testApp.agent.post(`/v1/projects/${projectId}/batches`).type('text/csv').send(fileA)).status).toBe(401);
  });

  describe('pagination and date filters', () => {
    let pagedProject: string;
    let key: string;
    const ids: string[] = [];

    beforeAll(async () => {
      const setup = await createProjectWithKeys(testApp);
      pagedProject = setup.project.id;
      key = setup.qaLead;
      for (let i = 0; i < 5; i += 1) {
        const response = await testApp.agent
          .post(`/v1/projects/${pagedProject}/batches`)
          .set(auth(key))
          .type('text/csv')
          .send(nominalBatch({ itemPrefix: `page-${i}`, items: 2 }).csv);
        ids.unshift(response.body.batch.id as string); // newest first
      }
    });

    it('walks every batch once, newest first, with the cursor', async () => {
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const query: string = cursor === null ? '?limit=2' : `?limit=2&cursor=${cursor}`;
        const response = await testApp.agent.get(`/v1/projects/${pagedProject}/batches${query}`).set(auth(key));
        expect(response.status).toBe(200);
        const body = response.body as ListBody;
        seen.push(...body.batches.map((b) => b.id));
        cursor = body.nextCursor;
        pages += 1;
      } while (cursor !== null && pages < 10);
      expect(pages).toBe(3);
      expect(seen).toEqual(ids);
    });

    it('filters by creation time', async () => {
      const all = (await testApp.agent.get(`/v1/projects/${pagedProject}/batches`).set(auth(key))).body as ListBody;
      const third = all.batches[2]!;
      const from = await testApp.agent
        .get(`/v1/projects/${pagedProject}/batches`)
        .query({ from: third.createdAt })
        .set(auth(key));
      expect((from.body as ListBody).batches.map((b) => b.id)).toEqual(ids.slice(0, 3));
      const to = await testApp.agent.get(`/v1/projects/${pagedProject}/batches`).query({ to: third.createdAt }).set(auth(key));
      expect((to.body as ListBody).batches.map((b) => b.id)).toEqual(ids.slice(3));
    });

    it('refuses a forged cursor and a bad limit with 422', async () => {
      const forged = await testApp.agent.get(`/v1/projects/${pagedProject}/batches?cursor=bm9wZQ`).set(auth(key));
      expect(forged.status).toBe(422);
      expect(forged.body.errors[0].path).toBe('cursor');
      const limit = await testApp.agent.get(`/v1/projects/${pagedProject}/batches?limit=0`).set(auth(key));
      expect(limit.status).toBe(422);
    });
  });
});
