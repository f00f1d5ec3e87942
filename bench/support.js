'use strict';
/** Helpers shared by the benchmark suites: seeded data, timing, tables and result files. */
const fs = require('node:fs');
const path = require('node:path');
const net = require('node:net');
const http = require('node:http');
const { spawn, spawnSync, execFileSync } = require('node:child_process');
const { setTimeout: sleep } = require('node:timers/promises');

const root = path.join(__dirname, '..');
const resultsDir = path.join(__dirname, 'results');
const dataDir = path.join(__dirname, 'data');

/** mulberry32: a tiny seeded generator so every run benchmarks the same data. */
function seededRandom(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Median wall time (ms) of `runs` calls of fn after one warm-up, with every sample. */
function timeIt(fn, runs = 5) {
  fn();
  const samples = [];
  for (let i = 0; i < runs; i += 1) {
    const started = process.hrtime.bigint();
    fn();
    samples.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  return { medianMs: median(samples), samplesMs: samples.map(round) };
}

/** Runs a whole command under /usr/bin/time: median wall seconds and peak RSS in MB. */
function timeProcess(command, args, runs = 3) {
  const walls = [];
  const rss = [];
  for (let i = 0; i < runs + 1; i += 1) {
    const run = spawnSync('/usr/bin/time', ['-f', '%e %M', command, ...args], {
      stdio: ['ignore', 'ignore', 'pipe'],
      encoding: 'utf8',
    });
    if (run.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${run.stderr}`);
    const [wall, maxKb] = run.stderr.trim().split('\n').pop().split(' ').map(Number);
    if (i > 0) {
      walls.push(wall);
      rss.push(maxKb / 1024);
    }
  }
  return { medianWallS: median(walls), medianPeakRssMb: round(median(rss)), samplesWallS: walls };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function round(value, digits = 2) {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

function ensureDataDir() {
  fs.mkdirSync(dataDir, { recursive: true });
  return dataDir;
}

/** Prints rows as an aligned table and writes them with the machine's description to results/. */
function report(suite, rows) {
  const headers = ['benchmark', 'measured', 'target', 'ok'];
  const lines = rows.map((r) => [r.name, r.measured, r.target, r.ok ? 'yes' : 'NO']);
  const widths = headers.map((h, i) => Math.max(h.length, ...lines.map((l) => String(l[i]).length)));
  const fmt = (cells) => cells.map((c, i) => String(c).padEnd(widths[i])).join('  ');
  console.log(`\n${suite}`);
  console.log(fmt(headers));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const l of lines) console.log(fmt(l));
  fs.mkdirSync(resultsDir, { recursive: true });
  const file = path.join(resultsDir, `${suite}.json`);
  const os = require('node:os');
  fs.writeFileSync(
    file,
    JSON.stringify(
      {
        suite,
        date: new Date().toISOString(),
        machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, memoryGb: round(os.totalmem() / 2 ** 30), node: process.version },
        rows,
      },
      null,
      2,
    ) + '\n',
  );
  console.log(`written ${path.relative(process.cwd(), file)}`);
}

// ---- the service as child processes (service and ingest suites) -----------------------------------

/** `psql <server>/<database> -c sql`, the output trimmed. */
function psqlAt(pgServer, database, sql) {
  return execFileSync('psql', [`${pgServer}/${database}`, '-v', 'ON_ERROR_STOP=1', '-qAtc', sql], { encoding: 'utf8' }).trim();
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** `node dist/<entry>` with `env` added; its stderr's tail is printed if it exits unasked. */
function startChild(name, entry, env) {
  const child = spawn(process.execPath, [path.join(root, 'dist', entry)], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  child.on('exit', (code, signal) => {
    if (!child.stopping) console.error(`${name} exited (${code ?? signal}); stderr:\n${stderr}`);
  });
  return child;
}

async function stopChild(child) {
  if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
  child.stopping = true;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

/**
 * One HTTP request with `Authorization: Bearer <key>`; resolves { status, body (parsed JSON when it
 * is JSON) }. `body` may be a string, a Buffer or a readable stream.
 */
function httpRequest(port, key, method, urlPath, { body, headers = {} } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request(
      // agent: false — a kept-alive socket that the server closed meanwhile would hang up.
      { host: '127.0.0.1', port, method, path: urlPath, agent: false, headers: { authorization: `Bearer ${key}`, ...headers } },
      (res) => {
        const chunks = [];
        res.on('data', (chunk) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed = text;
          try {
            parsed = JSON.parse(text);
          } catch {
            // not JSON
          }
          resolve({ status: res.statusCode, body: parsed });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    if (body === undefined) req.end();
    else if (typeof body === 'string' || Buffer.isBuffer(body)) req.end(body);
    else body.pipe(req);
  });
}

async function waitFor(what, check, timeoutMs, intervalMs = 50) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(intervalMs);
  }
}

/** kB → MB from a /proc/<pid>/status field (VmHWM = peak resident set size). */
function procStatusMb(pid, field) {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : NaN;
}

/** Resets VmHWM to the current RSS (Linux ≥ 4.0, `echo 5 > clear_refs`); false when not permitted. */
function resetPeakRss(pid) {
  try {
    fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/**
 * The built API and worker (`node dist/main.js`, `node dist/worker.js`) on a database of their own
 * (`databaseUrl`; the API creates and migrates it) and a Redis prefix of their own. Resolves once the
 * API answers /health and the worker has had time to connect. `worker: false` starts the API only;
 * `env` adds to (or overrides) both processes' environment.
 */
async function startService({ databaseUrl, redisUrl, prefix, adminKey, worker = true, env: extraEnv = {} }) {
  const port = await freePort();
  const env = {
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    PORT: String(port),
    CONCORD_ADMIN_KEY: adminKey,
    CONCORD_QUEUE_PREFIX: prefix,
    LOG_LEVEL: 'warn',
    ...extraEnv,
  };
  const service = { port, api: startChild('api', 'main.js', env), worker: undefined };
  try {
    await waitFor('the API', async () => (await httpRequest(port, adminKey, 'GET', '/health')).status === 200, 60_000, 200);
    if (worker) {
      service.worker = startChild('worker', 'worker.js', env);
      await sleep(2000);
    }
  } catch (error) {
    await stopChild(service.api);
    throw error;
  }
  return service;
}

/** Deletes the Redis keys under `prefix:`; resolves how many. */
async function cleanRedis(redisUrl, prefix) {
  const { Redis } = require('ioredis');
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  let deleted = 0;
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) deleted += await redis.del(...keys);
  } while (cursor !== '0');
  await redis.quit();
  return deleted;
}

/** Stops what startService started (if anything), drops its database and deletes its Redis keys. */
async function stopService(service, { pgServer, database, redisUrl, prefix }) {
  await stopChild(service?.worker);
  await stopChild(service?.api);
  try {
    psqlAt(pgServer, 'postgres', `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  } catch (error) {
    console.error(`could not drop ${database}: ${error.message}`);
  }
  try {
    await cleanRedis(redisUrl, prefix);
  } catch (error) {
    console.error(`could not delete the Redis keys ${prefix}:*: ${error.message}`);
  }
}

/** One autocannon run: 50 connections on `GET urlPath` with the key for `durationS` seconds; `onResponse` sees each response. */
function autocannonRun(port, adminKey, urlPath, durationS, onResponse = () => undefined) {
  const autocannon = require('autocannon');
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      { url: `http://127.0.0.1:${port}${urlPath}`, connections: 50, duration: durationS, headers: { authorization: `Bearer ${adminKey}` } },
      (error, res) => (error ? reject(error) : resolve(res)),
    );
    instance.on('response', (_client, statusCode, _bytes, responseTime) => onResponse(statusCode, responseTime));
  });
}

/** Seconds of load before each measured run (JIT, caches, connection pools), not counted. */
const WARM_UP_S = 3;

/**
 * `GET urlPath` under autocannon (programmatic), 50 connections for `durationS` seconds after a
 * WARM_UP_S warm-up, with the key. autocannon's summary has no p95 (it gives p90, p97.5, p99), so
 * every 200 response's time is recorded and p50/p95/p99 are computed from them (nearest rank);
 * autocannon's own histogram figures are kept beside them as a check.
 */
async function loadTest(port, adminKey, urlPath, durationS) {
  await autocannonRun(port, adminKey, urlPath, WARM_UP_S);
  const times = [];
  const result = await autocannonRun(port, adminKey, urlPath, durationS, (statusCode, responseTime) => {
    if (statusCode === 200) times.push(responseTime);
  });
  times.sort((a, b) => a - b);
  const rank = (q) => times[Math.min(times.length - 1, Math.ceil(q * times.length) - 1)];
  return {
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    rps: result.requests.average,
    bytesPerResponse: Math.round(result.throughput.total / Math.max(1, result.requests.total)),
    p50: rank(0.5),
    p95: rank(0.95),
    p99: rank(0.99),
    autocannon: { p50: result.latency.p50, p90: result.latency.p90, p97_5: result.latency.p97_5, p99: result.latency.p99, max: result.latency.max },
    warmUpS: WARM_UP_S,
  };
}

module.exports = {
  loadTest,
  seededRandom,
  timeIt,
  timeProcess,
  median,
  round,
  ensureDataDir,
  report,
  psqlAt,
  freePort,
  startChild,
  stopChild,
  httpRequest,
  waitFor,
  procStatusMb,
  resetPeakRss,
  startService,
  stopService,
  cleanRedis,
};
