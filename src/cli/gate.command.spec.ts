import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { main } from './main';

const BATCH = '0b5f3a52-6c1e-4f0e-9a47-1d2c3b4a5f60';
const KEY = 'cnc_test';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function run(argv: string[]): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: { write: (text: string) => (stdout += text) }, stderr: { write: (text: string) => (stderr += text) } });
  return { code, stdout, stderr };
}

function gateBody(verdict: 'pass' | 'fail' | 'pending', reasons: unknown[] = []) {
  return { batchId: BATCH, status: verdict === 'pending' ? 'processing' : 'completed', verdict, reasons, policyVersion: 2, evaluatedAt: verdict === 'pending' ? null : '2026-11-27T01:00:00.000Z' };
}

const FAILED_ALPHA = {
  rule: 'minAlpha',
  passed: false,
  modality: 'text',
  dimension: 'sentiment',
  subject: null,
  threshold: 0.667,
  measured: 0.412,
  message: 'alpha is below the policy\'s minimum',
};

/** A stand-in for the API's gate route: answers from `respond`, counting requests. */
let handler: (request: IncomingMessage, response: ServerResponse) => void;
let server: Server;
let url: string;
let requests: IncomingMessage[];

function json(response: ServerResponse, status: number, body: unknown, type = 'application/json'): void {
  response.writeHead(status, { 'content-type': type });
  response.end(JSON.stringify(body));
}

beforeAll(async () => {
  server = createServer((request, response) => {
    requests.push(request);
    handler(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  requests = [];
});

const args = (...extra: string[]) => ['gate', '--url', url, '--key', KEY, '--batch', BATCH, ...extra];

describe('concord gate', () => {
  it('exits 0 on pass, asking GET /v1/batches/ID/gate with the key', async () => {
    handler = (_request, response) => json(response, 200, gateBody('pass'));
    const result = await run(args());
    expect(result).toEqual({ code: 0, stdout: `batch ${BATCH}: PASS (policy version 2, evaluated 2026-11-27T01:00:00.000Z)\n`, stderr: '' });
    expect(requests.map((request) => [request.url, request.headers.authorization])).toEqual([[`/v1/batches/${BATCH}/gate`, `Bearer ${KEY}`]]);
  });

  it('exits 1 on fail and prints every reason with its figures and the report link', async () => {
    handler = (_request, response) => json(response, 200, gateBody('fail', [FAILED_ALPHA]));
    const result = await run(args());
    expect(result.code).toBe(1);
    expect(result.stdout.split('\n')).toEqual([
      `batch ${BATCH}: FAIL (policy version 2, evaluated 2026-11-27T01:00:00.000Z)`,
      '  ✗ minAlpha text/sentiment: 0.412 (needs ≥ 0.667) — alpha is below the policy\'s minimum',
      `rejection report: ${url}/v1/batches/${BATCH}/report`,
      '',
    ]);
  });

  it('prints the gate answer as JSON with --json', async () => {
    handler = (_request, response) => json(response, 200, gateBody('fail', [FAILED_ALPHA]));
    const result = await run(args('--json'));
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toEqual(gateBody('fail', [FAILED_ALPHA]));
  });

  it('keeps a base path of --url', async () => {
    handler = (_request, response) => json(response, 200, gateBody('pass'));
    const result = await run(['gate', '--url', `${url}/concord`, '--key', KEY, '--batch', BATCH]);
    expect(result.code).toBe(0);
    expect(requests[0]!.url).toBe(`/concord/v1/batches/${BATCH}/gate`);
  });

  it('exits 3 on pending without --wait, after one request', async () => {
    handler = (_request, response) => json(response, 200, gateBody('pending'));
    const result = await run(args());
    expect(result.code).toBe(3);
    expect(result.stdout).toBe(`batch ${BATCH}: PENDING (status processing)\n`);
    expect(requests).toHaveLength(1);
  });

  it('with --wait, polls until the verdict is in', async () => {
    let calls = 0;
    handler = (_request, response) => {
      calls += 1;
      json(response, 200, calls < 3 ? gateBody('pending') : gateBody('pass'));
    };
    const started = Date.now();
    const result = await run(args('--wait', '--timeout', '20'));
    expect(result.code).toBe(0);
    expect(requests).toHaveLength(3);
    // backoff: 1 s, then 2 s
    expect(Date.now() - started).toBeGreaterThanOrEqual(2900);
  });

  it('with --wait, exits 3 when still pending at the timeout', async () => {
    handler = (_request, response) => json(response, 200, gateBody('pending'));
    const started = Date.now();
    const result = await run(args('--wait', '--timeout', '1'));
    expect(result.code).toBe(3);
    expect(result.stderr).toBe('concord gate: still pending after 1 s\n');
    expect(Date.now() - started).toBeLessThan(3000);
    expect(requests).toHaveLength(2);
  });

  it.each([
    [401, 'the API refused the key (401): Invalid API key'],
    [404, 'batch not found, or not visible to this key (404): Batch not found'],
    [500, `GET /v1/batches/${BATCH}/gate answered 500: boom`],
  ])('exits 2 when the API answers %i', async (status, message) => {
    const detail = status === 401 ? 'Invalid API key' : status === 404 ? 'Batch not found' : 'boom';
    handler = (_request, response) => json(response, status, { detail }, 'application/problem+json');
    expect(await run(args('--wait'))).toEqual({ code: 2, stdout: '', stderr: `concord gate: ${message}\n` });
  });

  it('exits 2 on a 200 that is not a gate answer, and on a redirect (the key is never sent on)', async () => {
    handler = (_request, response) => json(response, 200, { hello: 'world' });
    expect((await run(args())).stderr).toBe(`concord gate: GET /v1/batches/${BATCH}/gate answered 200 without a verdict\n`);
    handler = (_request, response) => {
      response.writeHead(302, { location: 'http://elsewhere.invalid/' });
      response.end();
    };
    const redirected = await run(args());
    expect(redirected.code).toBe(2);
    expect(redirected.stderr).toMatch(/^concord gate: cannot reach /);
  });

  it('exits 2 when the API is unreachable', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const result = await run(['gate', '--url', `http://127.0.0.1:${port}`, '--key', KEY, '--batch', BATCH]);
    expect(result).toEqual({ code: 2, stdout: '', stderr: `concord gate: cannot reach http://127.0.0.1:${port}: ECONNREFUSED\n` });
  });

  it('takes the URL and key from CONCORD_URL and CONCORD_API_KEY', async () => {
    handler = (_request, response) => json(response, 200, gateBody('pass'));
    process.env.CONCORD_URL = url;
    process.env.CONCORD_API_KEY = 'cnc_from_env';
    try {
      expect((await run(['gate', '--batch', BATCH])).code).toBe(0);
      expect(requests[0]!.headers.authorization).toBe('Bearer cnc_from_env');
    } finally {
      delete process.env.CONCORD_URL;
      delete process.env.CONCORD_API_KEY;
    }
  });

  it.each([
    [['gate', '--url', 'http://x', '--key', 'k'], 'missing --batch ID'],
    [['gate', '--url', 'http://x', '--key', 'k', '--batch', 'nope'], '--batch must be a batch id (a UUID), got "nope"'],
    [['gate', '--key', 'k', '--batch', BATCH], 'missing --url (or CONCORD_URL)'],
    [['gate', '--url', 'ftp://x', '--key', 'k', '--batch', BATCH], '--url must be an http(s) URL, got "ftp://x"'],
    [['gate', '--url', 'http://x', '--batch', BATCH], 'missing --key (or CONCORD_API_KEY)'],
    [['gate', '--url', 'http://x', '--key', 'k', '--batch', BATCH, '--timeout', '5'], '--timeout needs --wait'],
    [['gate', '--url', 'http://x', '--key', 'k', '--batch', BATCH, '--wait', '--timeout=-1'], '--timeout must be a number from 0 to 86400, got "-1"'],
    [['gate', 'file.csv'], 'takes no FILE arguments, got "file.csv"'],
  ])('exits 2 on bad arguments: %j', async (argv, message) => {
    const result = await run(argv);
    expect(result.code).toBe(2);
    expect(result.stderr.split('\n')[0]).toBe(`concord gate: ${message}`);
  });

  it('prints its help', async () => {
    const result = await run(['gate', '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Exit codes: 0 pass, 1 fail, 3 still pending');
  });
});
