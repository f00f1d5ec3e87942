import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { WebhookDeliveryRepository } from '../../src/webhooks/webhook-delivery.repository';
import { WebhookDeliverySweeper } from '../../src/webhooks/webhook-delivery.sweeper';
import { WebhookPublisher } from '../../src/webhooks/webhook-publisher.service';
import { nominalBatch } from '../factories/canonical-csv.factory';
import { createProjectWithKeys, issueKey } from '../factories/project.factory';
import { auth, createTestApp, type TestApp } from '../helpers/test-app';
import { waitForBatch } from '../helpers/wait-for-batch';

/**
 * Webhooks end to end: the API and the worker in this process, and real HTTP receivers on
 * loopback (allowed by CONCORD_WEBHOOK_ALLOWLIST) that verify every request as the Standard
 * Webhooks specification says, with their own code — not the service's signer.
 */

const ENV = {
  CONCORD_SECRET_KEY: 'e2e-webhooks-secret-key-0123456789abcdef',
  CONCORD_WEBHOOK_ALLOWLIST: '127.0.0.1/32',
  WEBHOOK_TIMEOUT_MS: '400',
  WEBHOOK_MAX_ATTEMPTS: '5',
  WEBHOOK_BACKOFF_BASE_MS: '100',
  WEBHOOK_BACKOFF_MAX_MS: '400',
  WEBHOOK_CONCURRENCY: '4',
  WEBHOOK_MAX_IN_FLIGHT: '1',
};
const TOLERANCE_SECONDS = 300;

/** Standard Webhooks verification, from the spec: HMAC-SHA256 of `id.timestamp.body`, any `v1,` entry, timestamp tolerance. */
function verifiedWith(secret: string, headers: IncomingHttpHeaders, body: string): boolean {
  const id = headers['webhook-id'];
  const timestamp = headers['webhook-timestamp'];
  const signatures = headers['webhook-signature'];
  if (typeof id !== 'string' || typeof timestamp !== 'string' || typeof signatures !== 'string') return false;
  if (Math.abs(Date.now() / 1000 - Number(timestamp)) > TOLERANCE_SECONDS) return false;
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest();
  return signatures.split(' ').some((entry) => {
    const [version, signature] = entry.split(',');
    if (version !== 'v1' || signature === undefined) return false;
    const given = Buffer.from(signature, 'base64');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

type Reply = { status: number; body?: string; delayMs?: number };

/** A receiver: every request is recorded; each path answers by its script (call number → reply), default 200. */
class Receiver {
  readonly requests: Received[] = [];
  private readonly scripts = new Map<string, (call: number) => Reply>();
  private readonly open = new Map<string, number>();
  readonly maxOpen = new Map<string, number>();
  private server!: Server;
  port = 0;

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const path = request.url ?? '/';
        const calls = this.requests.filter((r) => r.path === path).length;
        this.requests.push({ path, headers: request.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() });
        const reply = this.scripts.get(path)?.(calls + 1) ?? { status: 200 };
        const now = (this.open.get(path) ?? 0) + 1;
        this.open.set(path, now);
        this.maxOpen.set(path, Math.max(this.maxOpen.get(path) ?? 0, now));
        setTimeout(() => {
          this.open.set(path, (this.open.get(path) ?? 1) - 1);
          if (!response.destroyed) response.writeHead(reply.status, { 'content-type': 'text/plain' }).end(reply.body ?? `ok ${path}`);
        }, reply.delayMs ?? 0);
      });
    });
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.port = (this.server.address() as AddressInfo).port;
  }

  url(path: string): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  script(path: string, reply: (call: number) => Reply): void {
    this.scripts.set(path, reply);
  }

  at(path: string): Received[] {
    return this.requests.filter((r) => r.path === path);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

interface Attempt {
  attempt: number;
  statusCode: number | null;
  error: string | null;
  latencyMs: number;
  responseExcerpt: string | null;
  outcome: string;
}

interface Delivery {
  id: string;
  eventId: string;
  eventType: string;
  status: string;
  attemptCount: number;
  redeliveryOf: string | null;
  lastError: string | null;
  attempts: Attempt[];
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('webhooks', () => {
  let t: TestApp;
  let receiver: Receiver;
  let projectId: string;
  let qaLead: string;
  let vendor: string;

  beforeAll(async () => {
    t = await createTestApp({ env: ENV });
    receiver = new Receiver();
    await receiver.start();
    const setup = await createProjectWithKeys(t);
    projectId = setup.project.id;
    qaLead = setup.qaLead;
    vendor = setup.vendorA;
  });

  afterAll(async () => {
    await t?.close();
    await receiver?.stop();
  });

  const base = () => `/v1/projects/${projectId}/webhooks`;

  async function subscribe(path: string, events: string[] = ['batch.completed', 'batch.passed', 'batch.failed', 'flag.reviewed']) {
    const response = await t.agent.post(base()).set(auth(qaLead)).send({ url: receiver.url(path), events });
    expect(response.status).toBe(201);
    return response.body as { id: string; secret: string; status: string };
  }

  async function deliveries(webhookId: string): Promise<Delivery[]> {
    const response = await t.agent.get(`${base()}/${webhookId}/deliveries`).set(auth(qaLead));
    expect(response.status).toBe(200);
    return (response.body as { deliveries: Delivery[] }).deliveries;
  }

  /** The webhook's one delivery, once it is no longer pending. */
  function finished(webhookId: string, count = 1): Promise<Delivery[]> {
    return waitFor(`${count} finished deliveries of ${webhookId}`, async () => {
      const list = await deliveries(webhookId);
      return list.length >= count && list.every((d) => d.status !== 'pending') ? list : undefined;
    });
  }

  const publisher = () => t.app.get(WebhookPublisher);

  it('has entities that match migrations/1764320000000-webhooks.ts (the schema builder has nothing to change)', async () => {
    const pending = await t.dataSource.driver.createSchemaBuilder().log();
    expect(pending.upQueries.map((query) => query.query).filter((query) => /webhook/i.test(query))).toEqual([]);
  });

  it('documents its routes in the OpenAPI document', async () => {
    const response = await t.agent.get('/v1/openapi.json');
    const paths = response.body.paths as Record<string, Record<string, { responses: Record<string, unknown> }>>;
    const prefix = '/v1/projects/{projectId}/webhooks';
    expect(Object.keys(paths[prefix]!).sort()).toEqual(['get', 'post']);
    expect(Object.keys(paths[`${prefix}/{webhookId}`]!).sort()).toEqual(['delete', 'get', 'patch']);
    expect(paths[`${prefix}/{webhookId}/rotate-secret`]).toHaveProperty('post');
    expect(paths[`${prefix}/{webhookId}/deliveries`]).toHaveProperty('get');
    expect(paths[`${prefix}/{webhookId}/deliveries/{deliveryId}`]).toHaveProperty('get');
    expect(paths[`${prefix}/{webhookId}/deliveries/{deliveryId}/redeliver`]).toHaveProperty('post');
    expect(JSON.stringify(paths[prefix]!.post!.responses['201'])).toContain('CreatedWebhook');
    expect(response.body.components.schemas.CreatedWebhook.properties.secret.description).toContain('Shown only in this response');
  });

  describe('managing subscriptions', () => {
    it('creates a webhook and shows its whsec_ secret once', async () => {
      const created = await subscribe('/managed', ['batch.failed']);
      expect(created).toMatchObject({ status: 'active', events: ['batch.failed'], url: receiver.url('/managed') });
      expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);

      const listed = await t.agent.get(base()).set(auth(qaLead));
      expect(listed.status).toBe(200);
      const one = await t.agent.get(`${base()}/${created.id}`).set(auth(t.adminKey));
      expect(one.status).toBe(200);
      for (const body of [listed.body, one.body]) {
        expect(JSON.stringify(body)).not.toContain(created.secret);
        expect(JSON.stringify(body)).not.toContain('secret"');
      }
      const [row] = await t.dataSource.query<{ secret: string }[]>('SELECT secret FROM webhooks WHERE id = $1', [created.id]);
      expect(row!.secret).toMatch(/^v1\./);
      expect(row!.secret).not.toContain(created.secret.slice(6));
    });

    it.each([
      ['ftp://127.0.0.1/x', 'must start with http:// or https://'],
      ['http://user:pw@127.0.0.1/x', 'must not contain credentials'],
      ['http://10.1.2.3/hook', '10.1.2.3 is a private address'],
      ['http://169.254.169.254/latest/meta-data', 'link-local'],
      ['http://127.0.0.2/hook', '127.0.0.2 is a loopback address'],
      ['http://[::1]/hook', '::1 is a loopback address'],
      ['http://localhost.invalid/hook', 'does not resolve'],
    ])('refuses %s with 422 on `url`', async (url, message) => {
      const response = await t.agent.post(base()).set(auth(qaLead)).send({ url, events: ['batch.passed'] });
      expect(response.status).toBe(422);
      expect(response.body.errors).toEqual([{ path: 'url', message: expect.stringContaining(message) }]);
    });

    it('validates events', async () => {
      for (const events of [[], ['batch.exploded'], ['batch.passed', 'batch.passed']]) {
        const response = await t.agent.post(base()).set(auth(qaLead)).send({ url: receiver.url('/x'), events });
        expect(response.status).toBe(422);
        expect(response.body.errors[0].path).toMatch(/^events/);
      }
    });

    it('is for admins and QA leads: a vendor of the project gets 403, other projects\' keys 404', async () => {
      const created = await subscribe('/private');
      expect((await t.agent.get(base()).set(auth(vendor))).status).toBe(403);
      expect((await t.agent.post(base()).set(auth(vendor)).send({ url: receiver.url('/v'), events: ['batch.passed'] })).status).toBe(403);
      const other = await createProjectWithKeys(t);
      expect((await t.agent.get(base()).set(auth(other.qaLead))).status).toBe(404);
      expect((await t.agent.get(`/v1/projects/${other.project.id}/webhooks/${created.id}`).set(auth(other.qaLead))).status).toBe(404);
      expect((await t.agent.get(`/v1/projects/${other.project.id}/webhooks/${created.id}`).set(auth(t.adminKey))).status).toBe(404);
    });

    it('disables, enables and deletes', async () => {
      const created = await subscribe('/toggled');
      const disabled = await t.agent.patch(`${base()}/${created.id}`).set(auth(qaLead)).send({ status: 'disabled' });
      expect(disabled.status).toBe(200);
      expect(disabled.body).toMatchObject({ status: 'disabled', disabledReason: 'disabled by an API key', disabledAt: expect.any(String) });
      const enabled = await t.agent.patch(`${base()}/${created.id}`).set(auth(qaLead)).send({ status: 'active' });
      expect(enabled.body).toMatchObject({ status: 'active', disabledReason: null, disabledAt: null });
      expect((await t.agent.patch(`${base()}/${created.id}`).set(auth(qaLead)).send({})).status).toBe(422);
      expect((await t.agent.patch(`${base()}/${created.id}`).set(auth(qaLead)).send({ url: 'http://10.0.0.1/' })).status).toBe(422);
      expect((await t.agent.delete(`${base()}/${created.id}`).set(auth(qaLead))).status).toBe(204);
      expect((await t.agent.get(`${base()}/${created.id}`).set(auth(qaLead))).status).toBe(404);
      expect((await t.agent.delete(`${base()}/${created.id}`).set(auth(qaLead))).status).toBe(404);
    });
  });

  describe('delivery', () => {
    it('retries 500s with backoff; the same event id arrives signed every time, and every attempt is recorded', async () => {
      receiver.script('/flaky', (call) => (call <= 3 ? { status: 500, body: `down for maintenance (${call})` } : { status: 200, body: 'thanks' }));
      const webhook = await subscribe('/flaky', ['batch.passed']);
      await publisher().publish(projectId, 'batch.passed', { batchId: 'b-1', verdict: 'pass' });

      const [delivery] = await finished(webhook.id);
      expect(delivery).toMatchObject({ status: 'succeeded', eventType: 'batch.passed', attemptCount: 4, lastError: null });
      expect(delivery!.attempts.map((a) => [a.attempt, a.statusCode, a.outcome])).toEqual([
        [1, 500, 'retrying'],
        [2, 500, 'retrying'],
        [3, 500, 'retrying'],
        [4, 200, 'succeeded'],
      ]);
      expect(delivery!.attempts[0]!.responseExcerpt).toBe('down for maintenance (1)');
      expect(delivery!.attempts[3]!.responseExcerpt).toBe('thanks');
      for (const attempt of delivery!.attempts) expect(attempt.latencyMs).toBeGreaterThanOrEqual(0);

      const requests = receiver.at('/flaky');
      expect(requests).toHaveLength(4);
      expect(new Set(requests.map((r) => r.headers['webhook-id']))).toEqual(new Set([delivery!.eventId]));
      expect(new Set(requests.map((r) => r.body)).size).toBe(1);
      for (const request of requests) {
        expect(verifiedWith(webhook.secret, request.headers, request.body)).toBe(true);
        expect(request.headers['content-type']).toBe('application/json');
      }
      expect(verifiedWith(`whsec_${Buffer.alloc(32).toString('base64')}`, requests[0]!.headers, requests[0]!.body)).toBe(false);
      // Backoff: each wait is at least half its (100 ms, doubling, 400 ms cap) ceiling.
      const gaps = requests.slice(1).map((r, index) => r.at - requests[index]!.at);
      expect(gaps[0]).toBeGreaterThanOrEqual(45);
      expect(gaps[1]).toBeGreaterThanOrEqual(95);
      expect(gaps[2]).toBeGreaterThanOrEqual(195);

      expect(JSON.parse(requests[0]!.body)).toEqual({ type: 'batch.passed', timestamp: expect.any(String), data: { batchId: 'b-1', verdict: 'pass' } });
    });

    it('a receiver that is down (connection refused) gets every event once it is back', async () => {
      const late = new Receiver();
      await late.start();
      const port = late.port;
      await late.stop();
      const created = await t.agent.post(base()).set(auth(qaLead)).send({ url: `http://127.0.0.1:${port}/back`, events: ['flag.reviewed'] });
      expect(created.status).toBe(201);
      await publisher().publish(projectId, 'flag.reviewed', { flagId: 'down-1' });
      await publisher().publish(projectId, 'flag.reviewed', { flagId: 'down-2' });
      await waitFor('a refused attempt', async () => {
        const list = await deliveries(created.body.id);
        return list.some((d) => d.attempts.some((a) => a.error?.startsWith('ECONNREFUSED'))) ? true : undefined;
      });
      const back = createServer((request, response) => {
        request.resume();
        request.on('end', () => response.writeHead(204).end());
      });
      back.listen(port, '127.0.0.1');
      await once(back, 'listening');
      try {
        const list = await finished(created.body.id, 2);
        expect(list.map((d) => d.status)).toEqual(['succeeded', 'succeeded']);
        for (const delivery of list) {
          expect(delivery.attempts.at(-1)).toMatchObject({ statusCode: 204, outcome: 'succeeded' });
          expect(delivery.attempts.slice(0, -1).every((a) => a.statusCode === null && a.outcome === 'retrying')).toBe(true);
        }
        expect(list.some((d) => d.attemptCount > 1)).toBe(true);
      } finally {
        back.closeAllConnections();
        await new Promise((resolve) => back.close(resolve));
      }
    });

    it('retries a receiver that answers after the timeout', async () => {
      receiver.script('/slow', (call) => (call === 1 ? { status: 200, delayMs: 1_000 } : { status: 200 }));
      const webhook = await subscribe('/slow', ['flag.reviewed']);
      await publisher().publish(projectId, 'flag.reviewed', { flagId: 'f-1' });
      const [delivery] = await finished(webhook.id);
      expect(delivery!.status).toBe('succeeded');
      expect(delivery!.attempts.map((a) => [a.statusCode, a.outcome])).toEqual([
        [null, 'retrying'],
        [200, 'succeeded'],
      ]);
      expect(delivery!.attempts[0]!.error).toMatch(/timed out after 400 ms/);
      expect(delivery!.attempts[0]!.latencyMs).toBeGreaterThanOrEqual(380);
      const ids = receiver.at('/slow').map((r) => r.headers['webhook-id']);
      expect(ids).toEqual([delivery!.eventId, delivery!.eventId]);
    });

    it('does not retry a 4xx; a redelivery sends the same event again as a new chain', async () => {
      receiver.script('/strict', (call) => (call === 1 ? { status: 400, body: 'bad payload' } : { status: 204 }));
      const webhook = await subscribe('/strict', ['batch.failed']);
      await publisher().publish(projectId, 'batch.failed', { batchId: 'b-2', verdict: 'fail' });
      const [failed] = await finished(webhook.id);
      expect(failed).toMatchObject({ status: 'failed', attemptCount: 1, lastError: 'HTTP 400' });
      expect(failed!.attempts).toEqual([expect.objectContaining({ statusCode: 400, outcome: 'failed', responseExcerpt: 'bad payload' })]);

      const redelivered = await t.agent.post(`${base()}/${webhook.id}/deliveries/${failed!.id}/redeliver`).set(auth(qaLead));
      expect(redelivered.status).toBe(202);
      expect(redelivered.body).toMatchObject({ eventId: failed!.eventId, redeliveryOf: failed!.id, status: 'pending', attempts: [] });
      const list = await finished(webhook.id, 2);
      const again = list.find((d) => d.id === redelivered.body.id)!;
      expect(again).toMatchObject({ status: 'succeeded', attemptCount: 1, eventId: failed!.eventId });
      const one = await t.agent.get(`${base()}/${webhook.id}/deliveries/${failed!.id}`).set(auth(qaLead));
      expect(one.body).toMatchObject({ id: failed!.id, status: 'failed', attempts: [expect.objectContaining({ attempt: 1 })] });

      const requests = receiver.at('/strict');
      expect(requests.map((r) => r.headers['webhook-id'])).toEqual([failed!.eventId, failed!.eventId]);
      expect(requests[1]!.body).toBe(requests[0]!.body);
      expect(requests.every((r) => verifiedWith(webhook.secret, r.headers, r.body))).toBe(true);
    });

    it('disables the subscription when the receiver answers 410 Gone', async () => {
      receiver.script('/gone', () => ({ status: 410, body: 'gone' }));
      const webhook = await subscribe('/gone', ['batch.completed']);
      await publisher().publish(projectId, 'batch.completed', { batchId: 'b-3' });
      const [delivery] = await finished(webhook.id);
      expect(delivery).toMatchObject({ status: 'failed', attemptCount: 1, lastError: 'HTTP 410' });
      const after = await t.agent.get(`${base()}/${webhook.id}`).set(auth(qaLead));
      expect(after.body).toMatchObject({ status: 'disabled', disabledReason: expect.stringContaining('410 Gone') });
      await publisher().publish(projectId, 'batch.completed', { batchId: 'b-4' });
      expect(await deliveries(webhook.id)).toHaveLength(1);
      const redeliver = await t.agent.post(`${base()}/${webhook.id}/deliveries/${delivery!.id}/redeliver`).set(auth(qaLead));
      expect(redeliver.status).toBe(409);
      expect(receiver.at('/gone')).toHaveLength(1);
    });

    it('a slow subscriber holds one slot at a time and does not stall another subscriber', async () => {
      const project = await createProjectWithKeys(t);
      const create = async (path: string, events: string[]) =>
        (await t.agent.post(`/v1/projects/${project.project.id}/webhooks`).set(auth(project.qaLead)).send({ url: receiver.url(path), events })).body as { id: string };
      receiver.script('/sluggish', () => ({ status: 200, delayMs: 300 }));
      await create('/sluggish', ['flag.reviewed']);
      await create('/brisk', ['batch.completed']);
      for (let i = 0; i < 4; i += 1) await publisher().publish(project.project.id, 'flag.reviewed', { flagId: `f-${i}` });
      await publisher().publish(project.project.id, 'batch.completed', { batchId: 'b-fast' });

      await waitFor('the brisk delivery', async () => (receiver.at('/brisk').length === 1 ? true : undefined));
      const brisk = receiver.at('/brisk')[0]!;
      await waitFor('the four sluggish deliveries', async () => (receiver.at('/sluggish').length === 4 ? true : undefined));
      // Four deliveries of 300 ms each, one at a time (WEBHOOK_MAX_IN_FLIGHT=1), while the brisk
      // subscriber's delivery, published after them, took a free slot and went through.
      expect(receiver.maxOpen.get('/sluggish')).toBe(1);
      expect(brisk.at).toBeLessThan(receiver.at('/sluggish')[2]!.at);
      const sluggish = receiver.at('/sluggish');
      expect(sluggish[3]!.at - sluggish[0]!.at).toBeGreaterThanOrEqual(3 * 290);
    });

    it('checks the destination again before every attempt (DNS rebinding): a URL now reaching a refused address is not contacted', async () => {
      const webhook = await subscribe('/rebound', ['batch.passed']);
      // As if the host name now resolved to 127.0.0.2, outside CONCORD_WEBHOOK_ALLOWLIST.
      await t.dataSource.query('UPDATE webhooks SET url = $2 WHERE id = $1', [webhook.id, `http://127.0.0.2:${receiver.port}/rebound`]);
      await publisher().publish(projectId, 'batch.passed', { batchId: 'b-5' });
      const [delivery] = await finished(webhook.id);
      expect(delivery!.status).toBe('failed');
      expect(delivery!.attempts).toHaveLength(5);
      for (const attempt of delivery!.attempts) {
        expect(attempt).toMatchObject({ statusCode: null, error: expect.stringContaining('refused: 127.0.0.2 is a loopback address') });
      }
      expect(delivery!.lastError).toContain('gave up after 5 attempts');
      expect(receiver.at('/rebound')).toHaveLength(0);
    });

    it('signs with the old and the new secret during a rotation\'s grace period, then with the new one only', async () => {
      const webhook = await subscribe('/rotated', ['flag.reviewed']);
      const rotated = await t.agent.post(`${base()}/${webhook.id}/rotate-secret`).set(auth(qaLead)).send({});
      expect(rotated.status).toBe(200);
      expect(rotated.body).toMatchObject({ id: webhook.id, secret: expect.stringMatching(/^whsec_/), previousSecretExpiresAt: expect.any(String) });
      await publisher().publish(projectId, 'flag.reviewed', { flagId: 'f-r1' });
      await finished(webhook.id);
      const first = receiver.at('/rotated')[0]!;
      expect((first.headers['webhook-signature'] as string).split(' ')).toHaveLength(2);
      expect(verifiedWith(rotated.body.secret, first.headers, first.body)).toBe(true);
      expect(verifiedWith(webhook.secret, first.headers, first.body)).toBe(true);

      const again = await t.agent.post(`${base()}/${webhook.id}/rotate-secret`).set(auth(qaLead)).send({ previousSecretTtlSeconds: 0 });
      expect(again.body.previousSecretExpiresAt).toBeNull();
      await publisher().publish(projectId, 'flag.reviewed', { flagId: 'f-r2' });
      await finished(webhook.id, 2);
      const second = receiver.at('/rotated')[1]!;
      expect((second.headers['webhook-signature'] as string).split(' ')).toHaveLength(1);
      expect(verifiedWith(again.body.secret, second.headers, second.body)).toBe(true);
      expect(verifiedWith(rotated.body.secret, second.headers, second.body)).toBe(false);
    });

    it('loses nothing when the queue missed a publish: the sweep queues the stored delivery', async () => {
      const webhook = await subscribe('/swept', ['batch.completed']);
      // Stored as the publisher stores it, but never queued (as if Redis had been away).
      const stored = await t.app.get(WebhookDeliveryRepository).insertEventWithDeliveries(projectId, 'batch.completed', '{"type":"batch.completed","timestamp":"2026-11-27T00:00:00.000Z","data":{}}');
      const deliveryId = stored!.deliveries.find((delivery) => delivery.webhookId === webhook.id)!.deliveryId;
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(receiver.at('/swept')).toHaveLength(0);
      await t.dataSource.query(`UPDATE webhook_deliveries SET next_attempt_at = now() - interval '2 minutes' WHERE event_id = $1`, [stored!.eventId]);
      expect(await t.app.get(WebhookDeliverySweeper).sweep()).toBeGreaterThanOrEqual(1);
      const [delivery] = await finished(webhook.id);
      expect(delivery).toMatchObject({ id: deliveryId, status: 'succeeded', eventId: stored!.eventId });
      expect(receiver.at('/swept')[0]!.headers['webhook-id']).toBe(stored!.eventId);
      // A second sweep finds nothing left to do.
      expect(await t.app.get(WebhookDeliverySweeper).sweep()).toBe(0);
    });

    it('keeps the first KiB of a long response body', async () => {
      receiver.script('/verbose', () => ({ status: 200, body: 'é'.repeat(3000) }));
      const webhook = await subscribe('/verbose', ['batch.completed']);
      await publisher().publish(projectId, 'batch.completed', { batchId: 'b-long' });
      const [delivery] = await finished(webhook.id);
      const excerpt = delivery!.attempts[0]!.responseExcerpt!;
      expect(excerpt.startsWith('é'.repeat(512))).toBe(true);
      expect(Buffer.byteLength(excerpt.slice(0, 512))).toBe(1024);
      expect(excerpt.length).toBe(512);
    });

    it('lists deliveries newest first with a cursor, filtered by status', async () => {
      const webhook = await subscribe('/paged', ['batch.passed']);
      for (let i = 0; i < 3; i += 1) await publisher().publish(projectId, 'batch.passed', { batchId: `p-${i}` });
      await finished(webhook.id, 3);
      const page1 = await t.agent.get(`${base()}/${webhook.id}/deliveries?limit=2`).set(auth(qaLead));
      expect(page1.body.deliveries).toHaveLength(2);
      expect(page1.body.nextCursor).toEqual(expect.any(String));
      const page2 = await t.agent.get(`${base()}/${webhook.id}/deliveries?limit=2&cursor=${page1.body.nextCursor}`).set(auth(qaLead));
      expect(page2.body).toMatchObject({ nextCursor: null });
      expect(page2.body.deliveries).toHaveLength(1);
      const ids = [...page1.body.deliveries, ...page2.body.deliveries].map((d: Delivery) => d.id);
      expect(new Set(ids).size).toBe(3);
      const bodies = receiver.at('/paged').map((r) => JSON.parse(r.body).data.batchId);
      expect(bodies.sort()).toEqual(['p-0', 'p-1', 'p-2']);
      const failedOnly = await t.agent.get(`${base()}/${webhook.id}/deliveries?status=failed`).set(auth(qaLead));
      expect(failedOnly.body.deliveries).toEqual([]);
      expect((await t.agent.get(`${base()}/${webhook.id}/deliveries?cursor=nonsense`).set(auth(qaLead))).status).toBe(422);
    });
  });

  it('without CONCORD_SECRET_KEY, refuses to create a webhook (503 naming the variable)', async () => {
    const keyless = await createTestApp({ worker: false, env: { ...ENV, CONCORD_SECRET_KEY: '' } });
    try {
      const response = await keyless.agent.post(base()).set(auth(qaLead)).send({ url: receiver.url('/keyless'), events: ['batch.passed'] });
      expect(response.status).toBe(503);
      expect(response.body.detail).toContain('CONCORD_SECRET_KEY');
    } finally {
      await keyless.close();
    }
  });

  describe('events of the service', () => {
    let project: { id: string };
    let lead: { id: string; key: string };
    let batchId: string;

    beforeAll(async () => {
      project = (await createProjectWithKeys(t)).project;
      lead = await issueKey(t, project.id, { role: 'qa_lead' });
      const created = await t.agent
        .post(`/v1/projects/${project.id}/webhooks`)
        .set(auth(lead.key))
        .send({ url: receiver.url('/service'), events: ['batch.completed', 'batch.passed', 'batch.failed', 'flag.reviewed'] });
      expect(created.status).toBe(201);
      secrets.set('/service', created.body.secret);
    });

    const secrets = new Map<string, string>();
    const events = () => receiver.at('/service').map((r) => ({ ...(JSON.parse(r.body) as { type: string; data: Record<string, unknown> }), request: r }));

    it('a real batch upload publishes batch.completed and its verdict event, with the verdict, reasons and report link', async () => {
      const { csv } = nominalBatch({ items: 12, itemPrefix: 'webhook', disagreement: 0.3 });
      const upload = await t.agent.post(`/v1/projects/${project.id}/batches?vendor=acme`).set(auth(lead.key)).set('content-type', 'text/csv').send(csv);
      expect(upload.status).toBe(202);
      batchId = upload.body.batch.id as string;
      await waitForBatch(t.agent, batchId, lead.key);
      const gate = (await t.agent.get(`/v1/batches/${batchId}/gate`).set(auth(lead.key))).body as { verdict: string; reasons: unknown[]; policyVersion: number | null };
      expect(['pass', 'fail']).toContain(gate.verdict);

      const received = await waitFor('the batch events', async () => (events().length >= 2 ? events() : undefined));
      expect(received.map((e) => e.type)).toEqual(['batch.completed', gate.verdict === 'pass' ? 'batch.passed' : 'batch.failed']);
      for (const event of received) {
        expect(event.data).toEqual({
          batchId,
          projectId: project.id,
          vendor: 'acme',
          verdict: gate.verdict,
          reasons: gate.reasons,
          policyVersion: gate.policyVersion,
          reportUrl: `${t.config.publicUrl}/v1/batches/${batchId}/report`,
        });
        expect(verifiedWith(secrets.get('/service')!, event.request.headers, event.request.body)).toBe(true);
      }
      expect(received[0]!.request.headers['webhook-id']).not.toBe(received[1]!.request.headers['webhook-id']);
    });

    it('a flag review publishes flag.reviewed', async () => {
      const flags = await t.agent.get(`/v1/batches/${batchId}/flags`).set(auth(lead.key));
      expect(flags.status).toBe(200);
      const flag = (flags.body as { flags: { id: string; code: string; item: string | null; status: string }[] }).flags[0]!;
      const review = await t.agent.patch(`/v1/flags/${flag.id}`).set(auth(lead.key)).send({ status: 'confirmed', comment: 'seen it' });
      expect(review.status).toBe(200);
      const event = await waitFor('flag.reviewed', async () => events().find((e) => e.type === 'flag.reviewed'));
      expect(event.data).toEqual({
        flagId: flag.id,
        batchId,
        projectId: project.id,
        code: flag.code,
        item: flag.item,
        from: flag.status,
        to: 'confirmed',
        comment: 'seen it',
        reviewer: lead.id,
      });
      expect(verifiedWith(secrets.get('/service')!, event.request.headers, event.request.body)).toBe(true);
    });
  });

  describe('the example receiver (examples/webhook-receiver.mjs)', () => {
    let child: ChildProcess | undefined;

    afterAll(() => {
      child?.kill();
    });

    it('verifies Concord\'s deliveries and prints each event once', async () => {
      const webhook = await subscribe('/placeholder', ['batch.failed']);
      child = spawn(process.execPath, [join(__dirname, '..', '..', 'examples', 'webhook-receiver.mjs')], {
        env: { ...process.env, WEBHOOK_SECRET: webhook.secret, PORT: '0' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const [listening] = (await once(createInterface({ input: child.stderr! }), 'line')) as [string];
      const url = `${/http:\/\/127\.0\.0\.1:\d+/.exec(listening)![0]}/concord`;
      const events: { id: string; type: string; data: unknown }[] = [];
      createInterface({ input: child.stdout! }).on('line', (line) => events.push(JSON.parse(line)));
      expect((await t.agent.patch(`${base()}/${webhook.id}`).set(auth(qaLead)).send({ url })).status).toBe(200);

      await publisher().publish(projectId, 'batch.failed', { batchId: 'b-example', verdict: 'fail' });
      const [delivery] = await finished(webhook.id);
      expect(delivery).toMatchObject({ status: 'succeeded', attempts: [expect.objectContaining({ statusCode: 204 })] });
      await waitFor('the printed event', async () => (events.length === 1 ? true : undefined));
      expect(events[0]).toEqual({ id: delivery!.eventId, type: 'batch.failed', timestamp: expect.any(String), data: { batchId: 'b-example', verdict: 'fail' } });

      // A forged request (wrong secret) is refused.
      const forged = await fetch(url, {
        method: 'POST',
        headers: { 'webhook-id': 'x', 'webhook-timestamp': String(Math.floor(Date.now() / 1000)), 'webhook-signature': 'v1,AAAA' },
        body: '{}',
      });
      expect(forged.status).toBe(401);
      // A redelivery reaches it again and is recognised as a duplicate (printed once).
      await t.agent.post(`${base()}/${webhook.id}/deliveries/${delivery!.id}/redeliver`).set(auth(qaLead));
      await finished(webhook.id, 2);
      expect(events).toHaveLength(1);
    });
  });
});
