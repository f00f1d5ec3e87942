'use strict';
/**
 * Issue 7 benchmark: the batch view (dashboards/batch.html) of a 1,000,000-judgement batch in headless
 * Chromium — its first chart in under 1.5 s.
 *
 * On a database of its own (`concord_bench_dash_<pid>`, dropped at the end) and a Redis prefix of its
 * own (`concord-bench-dash-<pid>`, deleted at the end) it starts the built API and worker as separate
 * processes, as deployed (`node dist/main.js`, `node dist/worker.js`, JOB_LOCK_MS 30000: in one
 * process the worker's CPU-bound steps would hold the API's event loop), creates a project with the
 * demo schema, uploads the demo generator's file for BENCH_DEMO_CLIPS clips (default 31,500, about
 * 1,000,000 judgements: ~31.8 per clip; bench/data/demo-<seed>-<clips>.csv, written once from
 * dist/demo/demo-generator.js and reused) and waits until the batch is completed with its verdict.
 * Then, signed in through `POST /v1/session` with the admin key (playwright-core, Debian's
 * /usr/bin/chromium), it loads /dashboards/batch.html?id=… LOADS times (default 3; the first is
 * cold: nothing cached in the API or the browser, the temporal distribution computed) and reads the
 * page's performance marks (dashboards/js/charts.js): `first-chart`, and `chart:<name>` of every
 * chart of the view — all relative to the navigation's start.
 *
 * Measured once (the machine is shared; its load average is recorded beside the figures). Writes
 * bench/results/dashboards.json. Run `npm run build` first.
 *
 * Environment: BENCH_DEMO_CLIPS, BENCH_LOADS, BENCH_PG (server URL, default
 * postgres://postgres@127.0.0.1:5432), BENCH_REDIS.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { randomBytes } = require('node:crypto');
const { round, ensureDataDir, report, httpRequest, waitFor, startService, stopService } = require('./support');

const root = path.join(__dirname, '..');
const dist = path.join(root, 'dist');
const SEED = 99;
const CLIPS = Number(process.env.BENCH_DEMO_CLIPS ?? 31_500);
const LOADS = Number(process.env.BENCH_LOADS ?? 3);
const TARGET_MS = 1500;
const PG_SERVER = (process.env.BENCH_PG ?? 'postgres://postgres@127.0.0.1:5432').replace(/\/+$/, '');
const REDIS_URL = process.env.BENCH_REDIS ?? 'redis://127.0.0.1:6379';
const DATABASE = `concord_bench_dash_${process.pid}`;
const PREFIX = `concord-bench-dash-${process.pid}`;
const ADMIN_KEY = `cnc_bench_${randomBytes(24).toString('base64url')}`;

/** Debian's Chromium (.ci/run installs it); playwright-core never downloads a browser. */
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
/** Every chart the batch view draws for the demo data (dashboards/js/batch-page.js). */
const CHARTS = ['agreement', 'pairwise', 'confusion', 'temporal-iou', 'temporal-deviation', 'sync'];

/** The demo generator's CSV (seed 99, CLIPS clips), written once from the built generator. */
function dataFile() {
  const file = path.join(ensureDataDir(), `demo-${SEED}-${CLIPS}.csv`);
  if (!fs.existsSync(file)) {
    console.log(`writing ${path.relative(root, file)} …`);
    const { generateDemoCsv } = require(path.join(dist, 'demo/demo-generator.js'));
    fs.writeFileSync(`${file}.tmp`, generateDemoCsv({ seed: SEED, clips: CLIPS }));
    fs.renameSync(`${file}.tmp`, file);
  }
  return file;
}

const request = (port, method, urlPath, options) => httpRequest(port, ADMIN_KEY, method, urlPath, options);

/** The batch is finished for the dashboards once it failed, or completed with its verdict. */
const finished = (batch) => batch.status === 'failed' || (batch.status === 'completed' && batch.verdict !== 'pending');

/** Uploads the CSV to a new project with the demo schema; waits for the verdict. */
async function seedBatch(port, csv) {
  const { DEMO_SCHEMA } = require(path.join(dist, 'demo/demo-generator.js'));
  const { DEMO_VENDOR } = require(path.join(dist, 'demo/demo-seed.js'));
  const project = await request(port, 'POST', '/v1/projects', {
    body: JSON.stringify({ name: `bench dashboards ${process.pid}`, schema: DEMO_SCHEMA }),
    headers: { 'content-type': 'application/json' },
  });
  if (project.status !== 201) throw new Error(`create project: ${project.status} ${JSON.stringify(project.body)}`);

  console.log(`uploading ${path.relative(root, csv)} …`);
  const started = process.hrtime.bigint();
  const upload = await request(port, 'POST', `/v1/projects/${project.body.id}/batches?vendor=${DEMO_VENDOR}`, {
    body: fs.createReadStream(csv, { highWaterMark: 256 * 1024 }),
    headers: { 'content-type': 'text/csv', 'content-length': String(fs.statSync(csv).size) },
  });
  const acceptedAt = process.hrtime.bigint();
  if (upload.status !== 202) throw new Error(`upload: ${upload.status} ${JSON.stringify(upload.body).slice(0, 2000)}`);
  const { id: batchId, counts } = upload.body.batch;
  if (counts.records < 1_000_000) throw new Error(`the batch has ${counts.records} judgements, fewer than 1,000,000 (BENCH_DEMO_CLIPS ${CLIPS})`);
  const uploadS = Number(acceptedAt - started) / 1e9;
  console.log(`upload ${round(uploadS)} s (${counts.records} judgements); waiting for the verdict …`);

  const detail = await waitFor(
    `batch ${batchId} to finish`,
    async () => {
      const response = await request(port, 'GET', `/v1/batches/${batchId}`);
      return finished(response.body) ? response.body : undefined;
    },
    1_500_000,
    1000,
  );
  const analysedS = Number(process.hrtime.bigint() - acceptedAt) / 1e9;
  if (detail.status !== 'completed') throw new Error(`batch ${batchId} failed: ${detail.error}`);
  console.log(`batch completed, verdict ${detail.verdict}, ${round(analysedS)} s after the 202`);
  return { batchId, counts, uploadS, analysedS, verdict: detail.verdict };
}

/**
 * LOADS loads of the batch view in one signed-in page: for each, `first-chart` and every chart's
 * `chart:<name>` mark (ms since the navigation started).
 */
async function loadBatchView(browser, baseUrl, batchId) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  const page = await context.newPage();
  const pageErrors = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  try {
    const session = await context.request.post(`${baseUrl}/v1/session`, { data: { apiKey: ADMIN_KEY } });
    if (session.status() !== 201) throw new Error(`sign-in: ${session.status()} ${await session.text()}`);
    const loads = [];
    for (let k = 0; k < LOADS; k += 1) {
      await page.goto(`${baseUrl}/dashboards/batch.html?id=${batchId}`);
      // Functions run in the page (the pages' CSP forbids evaluating strings); globalThis is the window.
      await page
        .waitForFunction((names) => names.every((name) => globalThis.__charts?.[name] !== undefined), CHARTS, { timeout: 600_000, polling: 20 })
        .catch(async (error) => {
          const drawn = await page.evaluate(() => Object.keys(globalThis.__charts ?? {})).catch(() => []);
          throw new Error(`load ${k + 1}: not every chart was drawn (drawn: ${drawn.join(', ') || 'none'}; page errors: ${pageErrors.join('; ') || 'none'}): ${error.message}`);
        });
      const marks = await page.evaluate((names) => {
        const at = (name) => performance.getEntriesByName(name)[0]?.startTime ?? null;
        return { firstChart: at('first-chart'), charts: Object.fromEntries(names.map((name) => [name, at(`chart:${name}`)])) };
      }, CHARTS);
      if (marks.firstChart === null) throw new Error(`load ${k + 1}: no first-chart mark`);
      const every = Math.max(...Object.values(marks.charts));
      const load = { load: k + 1, firstChartMs: round(marks.firstChart, 1), everyChartMs: round(every, 1), chartsMs: Object.fromEntries(Object.entries(marks.charts).map(([name, ms]) => [name, round(ms, 1)])) };
      loads.push(load);
      console.log(`load ${k + 1}${k === 0 ? ' (cold)' : ''}: first chart ${load.firstChartMs.toFixed(0)} ms, every chart by ${load.everyChartMs.toFixed(0)} ms`);
    }
    return { loads, pageErrors };
  } finally {
    await context.close();
  }
}

async function run() {
  const csv = dataFile();
  const { chromium } = require('playwright-core');
  let service;
  let browser;
  const loadBefore = os.loadavg();
  // Ctrl-C or a kill still stops the processes and drops the database.
  let cleaning;
  const cleanUp = () =>
    (cleaning ??= (async () => {
      await browser?.close().catch(() => {});
      await stopService(service, { pgServer: PG_SERVER, database: DATABASE, redisUrl: REDIS_URL, prefix: PREFIX });
    })());
  const onSignal = (signal) => {
    console.error(`${signal}: cleaning up …`);
    cleanUp().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    service = await startService({
      databaseUrl: `${PG_SERVER}/${DATABASE}`,
      redisUrl: REDIS_URL,
      prefix: PREFIX,
      adminKey: ADMIN_KEY,
      env: { JOB_LOCK_MS: '30000' },
    });
    const baseUrl = `http://127.0.0.1:${service.port}`;
    const batch = await seedBatch(service.port, csv);

    const loadAtViews = os.loadavg();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    const { loads, pageErrors } = await loadBatchView(browser, baseUrl, batch.batchId);
    const loadAfter = os.loadavg();

    const cold = loads[0];
    const worst = Math.max(...loads.map((l) => l.firstChartMs));
    const warm = loads.slice(1);
    const machine = {
      loadAverageBefore: loadBefore.map((v) => round(v)),
      loadAverageBeforeViews: loadAtViews.map((v) => round(v)),
      loadAverageAfter: loadAfter.map((v) => round(v)),
      cpus: os.cpus().length,
    };
    report('dashboards', [
      { name: 'batch view, first chart, cold (load 1)', measured: `${Math.round(cold.firstChartMs)} ms`, target: `< ${TARGET_MS} ms`, ok: cold.firstChartMs < TARGET_MS, ...cold },
      {
        name: `batch view, first chart, max of ${loads.length} loads`,
        measured: `${Math.round(worst)} ms`,
        target: `< ${TARGET_MS} ms`,
        ok: worst < TARGET_MS && pageErrors.length === 0,
        samplesMs: loads.map((l) => l.firstChartMs),
        pageErrors,
      },
      {
        name: `batch view, every chart (${CHARTS.length}) drawn, cold${warm.length > 0 ? ` (loads 2–${loads.length})` : ''}`,
        measured: `${Math.round(cold.everyChartMs)} ms${warm.length > 0 ? ` (${warm.map((l) => Math.round(l.everyChartMs)).join(', ')} ms)` : ''}`,
        target: '— (info)',
        ok: true,
        samplesMs: loads.map((l) => l.everyChartMs),
        loads,
      },
      {
        name: 'batch size',
        measured: `${batch.counts.records} judgements, ${batch.counts.items} items`,
        target: '≥ 1,000,000',
        ok: batch.counts.records >= 1_000_000,
        counts: batch.counts,
        data: path.relative(root, csv),
        uploadS: round(batch.uploadS),
        acceptedToVerdictS: round(batch.analysedS),
        verdict: batch.verdict,
      },
      {
        name: 'machine load average (1 min) before → at the views → after',
        measured: `${machine.loadAverageBefore[0]} → ${machine.loadAverageBeforeViews[0]} → ${machine.loadAverageAfter[0]} (${machine.cpus} cpus)`,
        target: '— (info)',
        ok: true,
        ...machine,
      },
    ]);
    console.log(
      `data: ${path.relative(root, csv)} — the demo generator, seed ${SEED}, ${CLIPS} clips; upload ${round(batch.uploadS)} s, 202 → verdict ${round(batch.analysedS)} s\n` +
        `load average (1, 5, 15 min): before ${machine.loadAverageBefore.join(', ')}; at the views ${machine.loadAverageBeforeViews.join(', ')}; after ${machine.loadAverageAfter.join(', ')} (${machine.cpus} cpus)`,
    );
  } finally {
    await cleanUp();
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
}

module.exports = { run };
