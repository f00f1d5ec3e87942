import { randomUUID } from 'node:crypto';
import { get as httpGet, type ClientRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { SaxesParser } from 'saxes';
import { main } from '../../src/cli/main';
import { MAX_CONCURRENT_REPORTS } from '../../src/reports/report.service';
import { nominalBatch, type CanonicalRow } from '../factories/canonical-csv.factory';
import { createProjectWithKeys } from '../factories/project.factory';
import { parseCsv } from '../helpers/csv-parse';
import { auth, createTestApp, type TestApp } from '../helpers/test-app';
import { waitForBatch } from '../helpers/wait-for-batch';

interface ReportFlag {
  key: string;
  code: string;
  severity: string;
  item: string | null;
  modality: string | null;
  dimension: string | null;
  annotators: string[];
  start: number | null;
  end: number | null;
  message: string;
  evidence: Record<string, unknown>;
  status: string;
  change: 'new' | 'remaining' | null;
}

interface Report {
  id: string;
  batch: { id: string; projectId: string; vendor: string | null; fileName: string | null; createdAt: string; replaces: string | null };
  policyVersion: number | null;
  evaluatedAt: string;
  verdict: 'pass' | 'fail';
  reasons: Array<{ rule: string; threshold: number; measured: number | null; passed: boolean; dimension: string | null }>;
  results: Array<{ modality: string; dimension: string; alpha: number | null; ci: { lower: number | null; upper: number | null } | null }>;
  annotators: Array<{ annotator: string; judgements: number; flags: number }>;
  flags: { total: number; flaggedItems: number; byCode: Record<string, number> };
  redelivery: null | {
    replaces: string;
    previousVerdict: string;
    counts: { resolved: number; remaining: number; new: number };
    rules: Array<{ rule: string; dimension: string | null; before: number | null; after: number | null; passedBefore: boolean | null; passedAfter: boolean | null }>;
    flags: { resolved: string[]; remaining: string[]; new: string[] };
  };
  items: Array<{ item: string | null; flags: ReportFlag[] }>;
}

// A full collection on demand, to measure what the streaming report retains (not its garbage).
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

const ACCEPT = { json: 'application/json', csv: 'text/csv', html: 'text/html' } as const;

/** Every element's text by tag, from a strict (XML) parse that throws on anything not well-formed. */
function parseXhtml(markup: string): (tag: string) => string[] {
  const parser = new SaxesParser({ xmlns: true });
  const found: Array<{ tag: string; text: string }> = [];
  const open: Array<{ tag: string; text: string }> = [];
  parser.on('error', (error) => {
    throw error;
  });
  parser.on('opentag', (node) => open.push({ tag: node.local, text: '' }));
  parser.on('text', (value) => {
    for (const element of open) element.text += value;
  });
  parser.on('closetag', () => found.push(open.pop()!));
  parser.write(markup).close();
  return (tag) => found.filter((element) => element.tag === tag).map((element) => element.text);
}

/** A CSV report's rows as records keyed by the header. */
function csvRecords(text: string): Record<string, string>[] {
  const [header, ...rows] = parseCsv(text);
  return rows.map((row) => Object.fromEntries(header!.map((column, i) => [column, row[i]!])));
}

async function runCli(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: { write: (text: string) => (stdout += text) }, stderr: { write: (text: string) => (stderr += text) } });
  return { code, stdout, stderr };
}

describe('rejection reports', () => {
  let testApp: TestApp;
  let projectId: string;
  let qaLead: string;
  let vendorA: string;
  let vendorB: string;
  let baseUrl: string;

  /** The three annotators label every item; `disagree` items get one dissenting label from ann-c. */
  function batchCsv(items: number, disagree: (item: number) => boolean, prefix = 'clip'): string {
    return nominalBatch({
      items,
      itemPrefix: prefix,
      override: (row: CanonicalRow, index: number) => {
        const item = Math.floor(index / 3) + 1;
        return row.annotator === 'ann-c' && disagree(item) ? { ...row, label: row.label === 'positive' ? 'negative' : 'positive' } : row;
      },
    }).csv;
  }

  async function upload(csv: string, key: string, query = ''): Promise<string> {
    const response = await testApp.agent.post(`/v1/projects/${projectId}/batches${query}`).set(auth(key)).set('content-type', 'text/csv').send(csv);
    if (response.status !== 202) throw new Error(`upload: ${response.status} ${JSON.stringify(response.body)}`);
    const batchId = (response.body as { batch: { id: string } }).batch.id;
    const done = await waitForBatch(testApp.agent, batchId, key, {
      until: (batch) => (batch.verdict !== 'pending' && batch.status === 'completed') || batch.status === 'failed',
    });
    expect(done).toMatchObject({ status: 'completed' });
    return batchId;
  }

  async function report(batchId: string, format: keyof typeof ACCEPT, key = qaLead) {
    return testApp.agent.get(`/v1/batches/${batchId}/report`).set(auth(key)).set('accept', ACCEPT[format]).buffer(true).parse((response, callback) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => callback(null, Buffer.concat(chunks)));
    });
  }

  async function jsonReport(batchId: string, key = qaLead): Promise<Report> {
    const response = await report(batchId, 'json', key);
    expect(response.status).toBe(200);
    return JSON.parse((response.body as Buffer).toString('utf8')) as Report;
  }

  async function flagKeys(batchId: string): Promise<string[]> {
    const rows: { key: string }[] = await testApp.dataSource.query(`SELECT key FROM flags WHERE batch_id = $1 ORDER BY key COLLATE "C"`, [batchId]);
    return rows.map((row) => row.key);
  }

  /** A batch row straight in SQL (no annotations, no jobs), for states an upload passes too quickly. */
  async function insertBatch(values: { vendor: string; verdict: 'pending' | 'fail'; status: string }): Promise<string> {
    const [row] = (await testApp.dataSource.query(
      `INSERT INTO batches (project_id, vendor, status, format, content_hash, record_count, item_count, annotator_count,
                            dimension_count, verdict, verdict_reasons, evaluated_at, evaluation)
       VALUES ($1, $2, $3, 'csv', $4, 0, 0, 0, 0, $5,
               CASE WHEN $5 = 'pending' THEN NULL ELSE '[]'::jsonb END,
               CASE WHEN $5 = 'pending' THEN NULL ELSE now() END,
               CASE WHEN $5 = 'pending' THEN NULL ELSE '{"checks": []}'::jsonb END)
       RETURNING id`,
      [projectId, values.vendor, values.status, randomUUID(), values.verdict],
    )) as { id: string }[];
    return row!.id;
  }

  beforeAll(async () => {
    testApp = await createTestApp();
    await testApp.app.listen(0, '127.0.0.1');
    baseUrl = `http://127.0.0.1:${(testApp.app.getHttpServer().address() as AddressInfo).port}`;
    const setup = await createProjectWithKeys(testApp);
    projectId = setup.project.id;
    qaLead = setup.qaLead;
    vendorA = setup.vendorA;
    vendorB = setup.vendorB;
  });

  afterAll(async () => {
    await testApp.close();
  });

  describe('a failed batch', () => {
    let batchId: string;
    let body: Report;

    beforeAll(async () => {
      // Items 1–12 of 24 have a dissenting label: alpha falls under 0.667 and half the items are flagged.
      batchId = await upload(batchCsv(24, (item) => item <= 12), vendorA);
      body = await jsonReport(batchId);
    });

    it('answers JSON: the verdict, failed rules with threshold and measured value, agreement with its interval, annotators, every flag by item', async () => {
      expect(body.id).toMatch(/^[0-9a-f]{32}$/);
      expect(body.batch).toMatchObject({ id: batchId, projectId, vendor: 'acme', replaces: null });
      expect(body.verdict).toBe('fail');
      expect(body.reasons.length).toBeGreaterThan(0);
      for (const reason of body.reasons) {
        expect(reason).toMatchObject({ passed: false, threshold: expect.any(Number) });
      }
      expect(body.reasons.map((reason) => reason.rule)).toEqual(expect.arrayContaining(['minAlpha', 'maxFlaggedItemShare']));
      expect(body.results).toEqual([expect.objectContaining({ modality: 'text', dimension: 'label', alpha: expect.any(Number) })]);
      expect(body.results[0]!.ci).toEqual(expect.objectContaining({ lower: expect.any(Number), upper: expect.any(Number) }));
      expect(body.annotators.map((annotator) => annotator.annotator)).toEqual(['ann-a', 'ann-b', 'ann-c']);
      expect(body.annotators.find((annotator) => annotator.annotator === 'ann-c')!.flags).toBeGreaterThanOrEqual(12);

      const flags = body.items.flatMap((group) => group.flags);
      expect(flags).toHaveLength(body.flags.total);
      expect(flags.map((flag) => flag.key).sort()).toEqual(await flagKeys(batchId));
      const flaggedItems = body.items.map((group) => group.item).filter((item) => item !== null);
      expect(flaggedItems).toEqual(expect.arrayContaining(Array.from({ length: 12 }, (_, i) => `clip-${i + 1}`)));
      expect(body.flags.flaggedItems).toBe(flaggedItems.length);
      expect(body.redelivery).toBeNull();
      // the gate says the same
      const gate = await testApp.agent.get(`/v1/batches/${batchId}/gate`).set(auth(vendorA));
      expect(gate.body).toMatchObject({ verdict: 'fail', policyVersion: body.policyVersion });
      expect(gate.body.reasons).toHaveLength(body.reasons.length);
    });

    it('answers CSV that round-trips to the JSON report, one row per flag', async () => {
      const response = await report(batchId, 'csv');
      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toBe('text/csv; charset=utf-8; header=present');
      expect(response.headers['content-disposition']).toBe(`attachment; filename="concord-report-${batchId}.csv"`);
      const records = csvRecords((response.body as Buffer).toString('utf8'));
      const flags = body.items.flatMap((group) => group.flags);
      expect(records).toHaveLength(flags.length);
      expect(
        records.map((record) => ({
          report: record.report_id,
          batch: record.batch_id,
          item: record.item === '' ? null : record.item,
          code: record.code,
          severity: record.severity,
          modality: record.modality === '' ? null : record.modality,
          dimension: record.dimension === '' ? null : record.dimension,
          annotators: JSON.parse(record.annotators!),
          start: record.start_s === '' ? null : Number(record.start_s),
          end: record.end_s === '' ? null : Number(record.end_s),
          message: record.message,
          evidence: JSON.parse(record.evidence!),
          status: record.status,
          change: record.change === '' ? null : record.change,
        })),
      ).toEqual(flags.map(({ key: _key, ...flag }) => ({ report: body.id, batch: batchId, ...flag })));
    });

    it('answers a well-formed, self-contained HTML page with every flagged item', async () => {
      const response = await report(batchId, 'html');
      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
      const html = (response.body as Buffer).toString('utf8');
      const texts = parseXhtml(html);
      const headings = texts('th');
      for (const group of body.items) expect(headings).toContain(group.item === null ? 'Batch-wide' : `Item ${group.item}`);
      const cells = texts('td');
      for (const flag of body.items.flatMap((group) => group.flags)) expect(cells).toContain(flag.message);
      for (const reason of body.reasons) expect(cells).toContain(reason.rule);
      expect(texts('dd')).toContain(body.id);
      expect(html).not.toMatch(/<(script|link|img)\b|\bsrc=|\bhref=/);
    });

    it('is the same document for the QA lead and the vendor, byte for byte, in every form', async () => {
      for (const format of ['json', 'csv', 'html'] as const) {
        const [lead, vendor] = await Promise.all([report(batchId, format, qaLead), report(batchId, format, vendorA)]);
        expect(vendor.status).toBe(200);
        expect(Buffer.compare(lead.body as Buffer, vendor.body as Buffer)).toBe(0);
      }
    });

    it('is not found for another vendor\'s key, in every form', async () => {
      for (const format of ['json', 'csv', 'html'] as const) {
        const response = await report(batchId, format, vendorB);
        expect(response.status).toBe(404);
        expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      }
      const gate = await runCli(['gate', '--url', baseUrl, '--key', vendorB, '--batch', batchId]);
      expect(gate.code).toBe(2);
    });

    it('answers 406 for a form it does not have', async () => {
      const response = await testApp.agent.get(`/v1/batches/${batchId}/report`).set(auth(qaLead)).set('accept', 'application/pdf');
      expect(response.status).toBe(406);
      expect(response.body.detail).toBe('A report is available as application/json, text/csv or text/html: ask for one of them in Accept.');
    });

    it('concord gate exits 1 and prints the reasons', async () => {
      const result = await runCli(['gate', '--url', baseUrl, '--key', vendorA, '--batch', batchId]);
      expect(result.code).toBe(1);
      expect(result.stdout).toContain(`batch ${batchId}: FAIL`);
      expect(result.stdout).toContain('✗ minAlpha text/label');
      expect(result.stdout).toContain(`rejection report: ${baseUrl}/v1/batches/${batchId}/report`);
    });

    describe('and its re-delivery', () => {
      let redeliveryId: string;
      let redelivery: Report;

      beforeAll(async () => {
        // Items 1–8 fixed, 9–12 still wrong, 20 newly wrong.
        redeliveryId = await upload(batchCsv(24, (item) => (item >= 9 && item <= 12) || item === 20), vendorA, `?replaces=${batchId}`);
        redelivery = await jsonReport(redeliveryId, vendorA);
      });

      it('is linked to the batch it replaces', async () => {
        const response = await testApp.agent.get(`/v1/batches/${redeliveryId}`).set(auth(vendorA));
        expect(response.body.replaces).toBe(batchId);
        expect(redelivery.batch.replaces).toBe(batchId);
      });

      it('shows which earlier flags are resolved, which remain and which are new, by key', async () => {
        const before = new Set(await flagKeys(batchId));
        const after = new Set(await flagKeys(redeliveryId));
        const expected = {
          resolved: [...before].filter((key) => !after.has(key)).sort(),
          remaining: [...after].filter((key) => before.has(key)).sort(),
          new: [...after].filter((key) => !before.has(key)).sort(),
        };
        expect(expected.resolved.length).toBeGreaterThan(0);
        expect(expected.remaining.length).toBeGreaterThan(0);
        expect(expected.new.length).toBeGreaterThan(0);
        expect(redelivery.redelivery).toMatchObject({
          replaces: batchId,
          previousVerdict: 'fail',
          counts: { resolved: expected.resolved.length, remaining: expected.remaining.length, new: expected.new.length },
          flags: expected,
        });
        for (const flag of redelivery.items.flatMap((group) => group.flags)) {
          expect(flag.change).toBe(before.has(flag.key) ? 'remaining' : 'new');
        }
        const items = (keys: string[], report: Report) =>
          new Set(report.items.flatMap((group) => group.flags).filter((flag) => keys.includes(flag.key)).map((flag) => flag.item));
        expect(items(expected.new, redelivery)).toContain('clip-20');
        expect(items(expected.resolved, body)).toContain('clip-1');
      });

      it('shows how each failed rule moved', () => {
        const alpha = redelivery.redelivery!.rules.find((rule) => rule.rule === 'minAlpha');
        expect(alpha).toMatchObject({ dimension: 'label', passedBefore: false });
        expect(alpha!.after!).toBeGreaterThan(alpha!.before!);
        expect(alpha!.before).toBe(body.reasons.find((reason) => reason.rule === 'minAlpha')!.measured);
      });

      it('marks the change in the CSV and lists the resolved flags in the HTML', async () => {
        const records = csvRecords(((await report(redeliveryId, 'csv', vendorA)).body as Buffer).toString('utf8'));
        expect(new Set(records.map((record) => record.change))).toEqual(new Set(['new', 'remaining']));
        const texts = parseXhtml(((await report(redeliveryId, 'html', vendorA)).body as Buffer).toString('utf8'));
        expect(texts('h2')).toContain(`Re-delivery of batch ${batchId}`);
        expect(texts('th')).toContain('Item clip-1');
      });

      it('refuses ?replaces= naming another vendor\'s batch, an unknown one, or for another vendor', async () => {
        const csv = batchCsv(6, () => false, 'other');
        const asB = await testApp.agent.post(`/v1/projects/${projectId}/batches?replaces=${batchId}`).set(auth(vendorB)).set('content-type', 'text/csv').send(csv);
        const unknown = await testApp.agent.post(`/v1/projects/${projectId}/batches?replaces=${randomUUID()}`).set(auth(vendorA)).set('content-type', 'text/csv').send(csv);
        expect([asB.status, unknown.status]).toEqual([422, 422]);
        expect(asB.body.detail).toBe(unknown.body.detail.replace(/\([0-9a-f-]+\)/, `(${batchId})`));
        expect(asB.body.errors).toEqual([{ path: 'replaces', message: expect.any(String) }]);
        const otherVendor = await testApp.agent
          .post(`/v1/projects/${projectId}/batches?replaces=${batchId}&vendor=globex`)
          .set(auth(qaLead))
          .set('content-type', 'text/csv')
          .send(csv);
        expect(otherVendor.status).toBe(422);
        expect(otherVendor.body.errors).toEqual([{ path: 'vendor', message: 'must be "acme", the vendor of the replaced batch' }]);
      });
    });
  });

  describe('a batch without a verdict', () => {
    it('answers 409 problem+json: the report is not ready', async () => {
      const batchId = await insertBatch({ vendor: 'acme', verdict: 'pending', status: 'processing' });
      const response = await testApp.agent.get(`/v1/batches/${batchId}/report`).set(auth(vendorA)).set('accept', 'text/csv');
      expect(response.status).toBe(409);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.body.detail).toMatch(/^The report of batch [0-9a-f-]+ is not ready: the batch is still being processed/);
    });

    it('concord gate --wait exits 3 when still pending at the timeout', async () => {
      const batchId = await insertBatch({ vendor: 'acme', verdict: 'pending', status: 'processing' });
      const result = await runCli(['gate', '--url', baseUrl, '--key', vendorA, '--batch', batchId, '--wait', '--timeout', '1']);
      expect(result).toMatchObject({ code: 3, stderr: 'concord gate: still pending after 1 s\n' });
      expect(result.stdout).toBe(`batch ${batchId}: PENDING (status processing)\n`);
    });
  });

  describe('concord gate', () => {
    it('exits 0 for a passing batch', async () => {
      const batchId = await upload(batchCsv(24, () => false, 'clean'), vendorA);
      const result = await runCli(['gate', '--url', baseUrl, '--key', vendorA, '--batch', batchId, '--wait', '--timeout', '30']);
      expect(result).toMatchObject({ code: 0, stderr: '' });
      expect(result.stdout).toMatch(new RegExp(`^batch ${batchId}: PASS`));
    });

    it('exits 2 for a key the API refuses', async () => {
      const result = await runCli(['gate', '--url', baseUrl, '--key', 'cnc_not_a_key', '--batch', randomUUID()]);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/^concord gate: the API refused the key \(401\)/);
    });
  });

  describe('100,000 flags', () => {
    const FLAGS = 100_000;
    /** Writing and reading ~100 MB of reports on a loaded CI machine. */
    const SLOW_MS = 180_000;
    let batchId: string;

    beforeAll(async () => {
      batchId = await insertBatch({ vendor: 'acme', verdict: 'fail', status: 'completed' });
      await testApp.dataSource.query(
        `INSERT INTO flags (batch_id, project_id, key, code, severity, severity_rank, item, modality, dimension, annotators,
                            start_s, end_s, message, evidence)
         SELECT $1, $2, 'LABEL_CONFLICT|text/label|' || g, 'LABEL_CONFLICT', 'medium', 1, 'item-' || lpad(g::text, 6, '0'), 'text', 'label',
                ARRAY['ann-a', 'ann-c'], g * 0.5, g * 0.5 + 1, 'Annotators disagree on item-' || g || ', "quoted", see evidence',
                jsonb_build_object('votes', jsonb_build_object('positive', 2, 'negative', 1), 'dissenters', jsonb_build_array('ann-c'))
         FROM generate_series(1, ${FLAGS}) AS g`,
        [batchId, projectId],
      );
    }, SLOW_MS);

    /**
     * Streams a report over real HTTP, counting lines as they arrive (nothing kept), and measures
     * the memory this process retains — the API runs in it — after a full garbage collection at
     * every 5 MB received: heap plus external memory (Buffers), so a report built in memory counts
     * whether it is held as a string or as bytes queued on the socket.
     */
    function stream(accept: string): Promise<{ status: number; bytes: number; lines: number; retainedGrowth: number }> {
      const retained = (): number => {
        collectGarbage();
        const usage = process.memoryUsage();
        return usage.heapUsed + usage.external;
      };
      return new Promise((resolve, reject) => {
        const baseline = retained();
        let peak = baseline;
        let nextCheck = 0;
        const request = httpGet(`${baseUrl}/v1/batches/${batchId}/report`, { headers: { ...auth(qaLead), accept } }, (response) => {
          let bytes = 0;
          let lines = 0;
          response.on('data', (chunk: Buffer) => {
            bytes += chunk.length;
            for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines += 1;
            if (bytes >= nextCheck) {
              peak = Math.max(peak, retained());
              nextCheck += 5_000_000;
            }
          });
          response.on('end', () => resolve({ status: response.statusCode!, bytes, lines, retainedGrowth: peak - baseline }));
          response.on('error', reject);
        });
        request.on('error', reject);
      });
    }

    it('streams the CSV: one row per flag, without holding the report in memory', async () => {
      const result = await stream('text/csv');
      expect(result.status).toBe(200);
      expect(result.lines).toBe(FLAGS + 1);
      expect(result.bytes).toBeGreaterThan(20_000_000);
      // Built in memory, this report retains 1.3× its size here (checked by buffering it in
      // sendReport); streamed, a few MB whatever the size (a page of rows, socket buffers, warm-up).
      expect(result.retainedGrowth).toBeLessThan(result.bytes / 3);
    }, SLOW_MS);

    it('streams the HTML and the JSON the same way', async () => {
      const html = await stream('text/html');
      expect(html.status).toBe(200);
      expect(html.bytes).toBeGreaterThan(40_000_000);
      expect(html.retainedGrowth).toBeLessThan(html.bytes / 3);
      const json = await stream('application/json');
      expect(json.status).toBe(200);
      expect(json.lines).toBe(0);
      expect(json.retainedGrowth).toBeLessThan(json.bytes / 3);
    }, SLOW_MS);

    it('streams at most MAX_CONCURRENT_REPORTS reports at once, then answers 503', async () => {
      // Clients that read one chunk and then stop: their reports stall on backpressure, holding a slot each.
      const stalled = await Promise.all(
        Array.from({ length: MAX_CONCURRENT_REPORTS }, () =>
          new Promise<ClientRequest>((resolve, reject) => {
            const request = httpGet(`${baseUrl}/v1/batches/${batchId}/report`, { headers: { ...auth(qaLead), accept: 'text/html' } }, (response) => {
              response.once('data', () => {
                response.pause();
                resolve(request);
              });
            });
            request.on('error', (error) => ((error as { code?: string }).code === 'ECONNRESET' ? undefined : reject(error)));
          }),
        ),
      );
      try {
        const refused = await testApp.agent.get(`/v1/batches/${batchId}/report`).set(auth(qaLead)).set('accept', 'text/csv');
        expect(refused.status).toBe(503);
        expect(refused.body.detail).toBe('Too many reports are being written right now; try again in a few seconds.');
      } finally {
        for (const request of stalled) request.destroy();
      }
      // The slots come back once the server has seen the clients go.
      const deadline = Date.now() + 5000;
      for (;;) {
        const response = await testApp.agent.get(`/v1/batches/${batchId}/report`).set(auth(qaLead)).set('accept', 'application/json').buffer(false);
        if (response.status === 200) break;
        if (Date.now() > deadline) throw new Error(`the report slots were not released: ${response.status}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }, SLOW_MS);

    it('releases its database connection when the client goes away mid-stream', async () => {
      const before = await testApp.dataSource.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE state = 'idle in transaction'`);
      await new Promise<void>((resolve, reject) => {
        const request = httpGet(`${baseUrl}/v1/batches/${batchId}/report`, { headers: { ...auth(qaLead), accept: 'text/html' } }, (response) => {
          response.once('data', () => {
            request.destroy();
            resolve();
          });
        });
        request.on('error', (error) => ((error as { code?: string }).code === 'ECONNRESET' ? undefined : reject(error)));
      });
      // The server notices the closed socket, ends the iteration and commits; poll instead of sleeping.
      const deadline = Date.now() + 5000;
      for (;;) {
        const now = await testApp.dataSource.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE state = 'idle in transaction'`);
        if (now[0].n <= before[0].n) break;
        if (Date.now() > deadline) throw new Error('the report kept its transaction open after the client left');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    });
  });
});
