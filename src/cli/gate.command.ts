import { UsageError, numberOption, stringOption, type CliIo, type Command, type OptionValues } from './command';
import { writeJson } from './write-json';

export const EXIT_GATE_PASS = 0;
export const EXIT_GATE_FAIL = 1;
export const EXIT_GATE_ERROR = 2;
export const EXIT_GATE_PENDING = 3;

/** Default and largest --timeout, seconds. */
export const DEFAULT_GATE_TIMEOUT_SECONDS = 600;
const MAX_GATE_TIMEOUT_SECONDS = 86_400;

/** --wait polls after 1 s, then twice as long each time, at most every 15 s. */
const FIRST_POLL_MS = 1000;
const MAX_POLL_MS = 15_000;
/** One request may take this long before it counts as the API being unreachable. */
const REQUEST_TIMEOUT_MS = 30_000;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `GET /v1/batches/:id/gate` (what this command reads of it). */
interface GateResponse {
  batchId: string;
  status: string;
  verdict: 'pass' | 'fail' | 'pending';
  reasons: Array<{
    rule: string;
    modality: string | null;
    dimension: string | null;
    subject: string | null;
    threshold: number;
    measured: number | null;
    message: string;
  }>;
  policyVersion: number | null;
  evaluatedAt: string | null;
}

/** Anything that ends the command with exit code 2: the message goes to stderr. */
class GateError extends Error {}

function isGateResponse(body: unknown): body is GateResponse {
  const candidate = body as Partial<GateResponse> | null;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    (candidate.verdict === 'pass' || candidate.verdict === 'fail' || candidate.verdict === 'pending') &&
    Array.isArray(candidate.reasons)
  );
}

/** The problem+json `detail` of an error answer, when it has one. */
async function problemDetail(response: Response): Promise<string> {
  const text = await response.text().catch(() => '');
  try {
    const detail = (JSON.parse(text) as { detail?: unknown }).detail;
    if (typeof detail === 'string') return detail;
  } catch {
    // not JSON: fall through to the raw text
  }
  return text.slice(0, 200);
}

async function fetchGate(url: URL, key: string): Promise<GateResponse> {
  let response: Response;
  try {
    response = await fetch(url, {
      headers: { authorization: `Bearer ${key}`, accept: 'application/json' },
      // Never follow a redirect: it would carry the key to wherever it points.
      redirect: 'error',
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    throw new GateError(`cannot reach ${url.origin}: ${cause?.code ?? cause?.message ?? (error as Error).message}`);
  }
  if (response.status === 401) throw new GateError(`the API refused the key (401): ${await problemDetail(response)}`);
  if (response.status === 404) throw new GateError(`batch not found, or not visible to this key (404): ${await problemDetail(response)}`);
  if (response.status !== 200) throw new GateError(`GET ${url.pathname} answered ${response.status}: ${await problemDetail(response)}`);
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    throw new GateError(`GET ${url.pathname} answered 200 without a JSON body`);
  }
  if (!isGateResponse(body)) throw new GateError(`GET ${url.pathname} answered 200 without a verdict`);
  return body;
}

function formatNumber(value: number | null): string {
  if (value === null) return 'undefined';
  return Number.isInteger(value) ? String(value) : value.toFixed(3);
}

function printGate(io: CliIo, gate: GateResponse, reportUrl: string): void {
  const policy = gate.policyVersion === null ? 'default policy' : `policy version ${gate.policyVersion}`;
  const when = gate.evaluatedAt === null ? '' : `, evaluated ${gate.evaluatedAt}`;
  const lines = [`batch ${gate.batchId}: ${gate.verdict.toUpperCase()}${gate.verdict === 'pending' ? ` (status ${gate.status})` : ` (${policy}${when})`}`];
  for (const reason of gate.reasons) {
    const where = [reason.modality, reason.dimension].filter((part) => part !== null).join('/') || 'batch';
    const subject = reason.subject === null ? where : `${where} ${reason.subject}`;
    const bound = reason.rule.startsWith('max') ? '≤' : '≥';
    lines.push(`  ✗ ${reason.rule} ${subject}: ${formatNumber(reason.measured)} (needs ${bound} ${formatNumber(reason.threshold)}) — ${reason.message}`);
  }
  if (gate.verdict === 'fail') lines.push(`rejection report: ${reportUrl}`);
  io.stdout.write(`${lines.join('\n')}\n`);
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The API base URL as a directory (so a base path such as https://host/concord/ is kept). */
function baseUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text.endsWith('/') ? text : `${text}/`);
  } catch {
    throw new UsageError(`--url must be an http(s) URL, got "${text}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--url must be an http(s) URL, got "${text}"`);
  return url;
}

export const gateCommand: Command = {
  name: 'gate',
  summary: 'a batch\'s quality-gate verdict from the Concord API, as an exit code (for pipelines)',
  takesFiles: false,
  usage: `Usage: concord gate --batch ID [--url URL] [--key KEY] [--wait [--timeout ${DEFAULT_GATE_TIMEOUT_SECONDS}]] [--json]

Asks the Concord API for the quality-gate verdict of a batch (GET /v1/batches/ID/gate) and prints
it with every failed rule, its measured value and threshold. With --wait it polls (after 1 s, then
twice as long each time, at most every 15 s) until the verdict is pass or fail, or the timeout.

Options:
  --batch ID       the batch id (as the upload answered it)
  --url URL        the API's base URL, e.g. https://concord.example.com (default: $CONCORD_URL)
  --key KEY        an API key that may see the batch (default: $CONCORD_API_KEY; prefer the
                   variable in CI: a key on the command line shows in process listings)
  --wait           wait while the verdict is pending
  --timeout S      with --wait, give up after S seconds (default ${DEFAULT_GATE_TIMEOUT_SECONDS})
  --json           print the gate answer as one JSON object instead
  -h, --help       this help

Exit codes: 0 pass, 1 fail, 3 still pending (at the timeout with --wait), 2 error (bad arguments,
API unreachable, key refused, batch not found or not visible to the key); errors go to stderr.`,
  options: {
    batch: { type: 'string' },
    url: { type: 'string' },
    key: { type: 'string' },
    wait: { type: 'boolean' },
    timeout: { type: 'string' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  },
  async run(_files: readonly string[], values: OptionValues, io: CliIo): Promise<number> {
    const batch = stringOption(values, 'batch');
    if (batch === undefined) throw new UsageError('missing --batch ID');
    if (!UUID.test(batch)) throw new UsageError(`--batch must be a batch id (a UUID), got "${batch}"`);
    const urlText = stringOption(values, 'url') ?? process.env.CONCORD_URL;
    if (urlText === undefined || urlText === '') throw new UsageError('missing --url (or CONCORD_URL)');
    const key = stringOption(values, 'key') ?? process.env.CONCORD_API_KEY;
    if (key === undefined || key === '') throw new UsageError('missing --key (or CONCORD_API_KEY)');
    const timeoutSeconds = numberOption(values, 'timeout', { min: 0, max: MAX_GATE_TIMEOUT_SECONDS }) ?? DEFAULT_GATE_TIMEOUT_SECONDS;
    if (values.timeout !== undefined && values.wait !== true) throw new UsageError('--timeout needs --wait');

    const base = baseUrl(urlText);
    const gateUrl = new URL(`v1/batches/${batch}/gate`, base);
    const reportUrl = new URL(`v1/batches/${batch}/report`, base).toString();
    const deadline = Date.now() + timeoutSeconds * 1000;
    let delay = FIRST_POLL_MS;
    try {
      for (;;) {
        const gate = await fetchGate(gateUrl, key);
        const remaining = deadline - Date.now();
        if (gate.verdict !== 'pending' || values.wait !== true || remaining <= 0) {
          if (values.json === true) writeJson(io, gate);
          else printGate(io, gate, reportUrl);
          if (gate.verdict === 'pending' && values.wait === true) io.stderr.write(`concord gate: still pending after ${timeoutSeconds} s\n`);
          return gate.verdict === 'pass' ? EXIT_GATE_PASS : gate.verdict === 'fail' ? EXIT_GATE_FAIL : EXIT_GATE_PENDING;
        }
        await sleep(Math.min(delay, remaining));
        delay = Math.min(delay * 2, MAX_POLL_MS);
      }
    } catch (error) {
      if (!(error instanceof GateError)) throw error;
      io.stderr.write(`concord gate: ${error.message}\n`);
      return EXIT_GATE_ERROR;
    }
  },
};
