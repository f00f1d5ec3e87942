'use strict';
/**
 * Issue 6 benchmark: a batch's evaluation (flags and verdict) and the flags listing, on the built
 * service (`node dist/main.js`, `node dist/worker.js`) with the real PostgreSQL and Redis of this
 * machine, on a database and a Redis prefix of its own (dropped and deleted at the end).
 *
 * Data (bench/data/evaluate-<clips>.csv, seeded, written once and reused; see {@link writeCsv}):
 * BENCH_CLIPS (default 10,000) clips × 3 modalities (audio/speech and video/expression, timed;
 * text/entities, character spans) × 3 annotators × ~30 segments — 2.7 million rows by default —
 * with defects sprinkled in (late boundaries, dropped segments, clips whose video lags).
 * Measured, once (the machine is shared; its load average is recorded beside the figures):
 *   (a) upload: request start → 202;
 *   (b) 202 → the batch is `completed` (every agreement job, then the evaluate step);
 *   (c) the evaluate job alone (its `batch_jobs.duration_ms`) — target < 30 s;
 *   (d) `GET /v1/batches/:id/flags` (first page, 50 flags) under autocannon, 50 connections,
 *       BENCH_DURATION_S seconds: p95 — target < 30 ms; and the same with a filter and a deep cursor.
 * Writes bench/results/evaluate.json. Run `npm run build` first.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { randomBytes } = require('node:crypto');
const { seededRandom, round, ensureDataDir, report, httpRequest, loadTest, waitFor, startService, stopService } = require('./support');

const root = path.join(__dirname, '..');
const CLIPS = Number(process.env.BENCH_CLIPS ?? 10_000);
const SEGMENTS = 30;
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 10);
const PG_SERVER = (process.env.BENCH_PG ?? 'postgres://postgres@127.0.0.1:5432').replace(/\/+$/, '');
const REDIS_URL = process.env.BENCH_REDIS ?? 'redis://127.0.0.1:6379';
const DATABASE = `concord_bench_eval_${process.pid}`;
const PREFIX = `concord-bench-eval-${process.pid}`;
const ADMIN_KEY = `cnc_bench_${randomBytes(24).toString('base64url')}`;

const ANNOTATORS = ['annotator-0', 'annotator-1', 'annotator-2'];
const STREAMS = [
  { modality: 'text', dimension: 'entities', labels: ['PER', 'ORG', 'LOC'], unit: 40, length: 12, jitter: 0 },
  { modality: 'audio', dimension: 'speech', labels: ['speech', 'music', 'noise'], unit: 2, length: 0.6, jitter: 0.04 },
  { modality: 'video', dimension: 'expression', labels: ['smile', 'neutral', 'frown'], unit: 2, length: 0.6, jitter: 0.04 },
];

/**
 * Per clip and stream, 30 true segments (labels at random; times in seconds, text spans in
 * characters; audio and video at the same times, as one scene seen and heard); each annotator marks every one with a little jitter, except that 2% come 0.4 s late
 * (TEMPORAL_MISALIGNMENT) and 1% are left out (UNMATCHED_SEGMENT); every 50th clip's video lags its
 * audio by 0.4 s (STREAM_DESYNC).
 */
function writeCsv(file) {
  const random = seededRandom(20261127);
  const out = fs.openSync(`${file}.tmp`, 'w');
  let buffer = 'item,annotator,modality,dimension,label,start,end\n';
  let rows = 0;
  for (let c = 0; c < CLIPS; c += 1) {
    const item = `clip-${c}`;
    // The clip's events: where its timed streams (audio, video) both have segments.
    const events = Array.from({ length: SEGMENTS }, () => [random(), random()]);
    for (const stream of STREAMS) {
      const lag = stream.modality === 'video' && c % 50 === 0 ? 0.4 : 0;
      const truth = events.map(([at, length], k) => {
        const start = k * stream.unit + at * stream.unit * 0.25;
        return { label: stream.labels[Math.floor(random() * 3)], start, end: start + stream.length * (1 + length) };
      });
      for (const annotator of ANNOTATORS) {
        for (const segment of truth) {
          const draw = random();
          if (draw < 0.01) continue;
          const late = draw < 0.03 && stream.jitter > 0 ? 0.4 : 0;
          const jitter = () => (random() - 0.5) * 2 * stream.jitter;
          const digits = stream.jitter > 0 ? 3 : 0;
          const start = (segment.start + lag + late + jitter()).toFixed(digits);
          const end = (segment.end + lag + late + jitter()).toFixed(digits);
          buffer += `${item},${annotator},${stream.modality},${stream.dimension},${segment.label},${start},${end}\n`;
          rows += 1;
        }
      }
    }
    if (buffer.length > 1 << 20) {
      fs.writeSync(out, buffer);
      buffer = '';
    }
  }
  fs.writeSync(out, buffer);
  fs.closeSync(out);
  fs.renameSync(`${file}.tmp`, file);
  return rows;
}

function dataFile() {
  const file = path.join(ensureDataDir(), `evaluate-${CLIPS}.csv`);
  if (!fs.existsSync(file)) {
    console.log(`writing ${path.relative(root, file)} …`);
    writeCsv(file);
  }
  return file;
}

const request = (port, method, urlPath, options) => httpRequest(port, ADMIN_KEY, method, urlPath, options);

function flagsLoad(port, urlPath) {
  return loadTest(port, ADMIN_KEY, urlPath, DURATION_S);
}

async function run() {
  const csv = dataFile();
  const records = fs.readFileSync(csv, 'utf8').split('\n').length - 2;
  let service;
  const loadBefore = os.loadavg();
  try {
    service = await startService({ databaseUrl: `${PG_SERVER}/${DATABASE}`, redisUrl: REDIS_URL, prefix: PREFIX, adminKey: ADMIN_KEY });
    const { port } = service;
    const project = await request(port, 'POST', '/v1/projects', { body: JSON.stringify({ name: `bench ${process.pid}` }), headers: { 'content-type': 'application/json' } });
    if (project.status !== 201) throw new Error(`create project: ${project.status} ${JSON.stringify(project.body)}`);

    console.log(`uploading ${records} rows …`);
    const started = process.hrtime.bigint();
    const upload = await request(port, 'POST', `/v1/projects/${project.body.id}/batches`, {
      body: fs.createReadStream(csv, { highWaterMark: 256 * 1024 }),
      headers: { 'content-type': 'text/csv', 'content-length': String(fs.statSync(csv).size) },
    });
    const acceptedAt = process.hrtime.bigint();
    if (upload.status !== 202) throw new Error(`upload: ${upload.status} ${JSON.stringify(upload.body).slice(0, 2000)}`);
    const batchId = upload.body.batch.id;
    const uploadS = Number(acceptedAt - started) / 1e9;
    console.log(`upload ${round(uploadS)} s; waiting for the jobs …`);

    const detail = await waitFor(
      `batch ${batchId} to finish`,
      async () => {
        const response = await request(port, 'GET', `/v1/batches/${batchId}`);
        return response.body.status === 'completed' || response.body.status === 'failed' ? response.body : undefined;
      },
      900_000,
      200,
    );
    const completedS = Number(process.hrtime.bigint() - acceptedAt) / 1e9;
    if (detail.status !== 'completed') throw new Error(`batch failed: ${detail.error}`);
    const jobsMs = Object.fromEntries(detail.jobs.map((job) => [job.name === 'evaluate' ? 'evaluate' : `${job.modality}/${job.dimension}`, job.durationMs]));
    const evaluateS = jobsMs.evaluate / 1000;
    const first = await request(port, 'GET', `/v1/batches/${batchId}/flags?limit=50`);
    const total = first.body.total;
    const evaluation = await request(port, 'GET', `/v1/batches/${batchId}/evaluation`);
    console.log(JSON.stringify({ completedS, jobsMs, flags: total, verdict: detail.verdict, byCode: evaluation.body.evaluation?.flags?.byCode }));

    // A cursor deep in the list (page 200), to show the keyset scan does not slow down with depth.
    let cursor = first.body.nextCursor;
    for (let page = 1; page < 200 && cursor; page += 1) cursor = (await request(port, 'GET', `/v1/batches/${batchId}/flags?limit=50&cursor=${cursor}`)).body.nextCursor;

    const loads = {
      first: await flagsLoad(port, `/v1/batches/${batchId}/flags?limit=50`),
      filtered: await flagsLoad(port, `/v1/batches/${batchId}/flags?limit=50&code=TEMPORAL_MISALIGNMENT,UNMATCHED_SEGMENT&modality=audio,video`),
      deep: cursor ? await flagsLoad(port, `/v1/batches/${batchId}/flags?limit=50&cursor=${cursor}`) : null,
    };
    console.log(JSON.stringify({ loads }));
    const loadAfter = os.loadavg();
    const machine = { loadAverageBefore: loadBefore.map((v) => round(v)), loadAverageAfter: loadAfter.map((v) => round(v)) };
    const ok = (load) => load !== null && load.p95 < 30 && load.non2xx === 0 && load.errors === 0;
    report('evaluate', [
      { name: `(a) upload ${records} rows → 202`, measured: `${round(uploadS)} s`, target: '—', ok: true, records, ...machine },
      { name: '(b) 202 → completed (agreement jobs + evaluate)', measured: `${round(completedS)} s`, target: '—', ok: true, jobsMs },
      { name: '(c) evaluate job alone (batch_jobs.duration_ms)', measured: `${round(evaluateS)} s`, target: '< 30 s', ok: evaluateS < 30, flags: total, verdict: detail.verdict },
      { name: `(d) GET flags p95, first page, 50 conns, ${DURATION_S} s`, measured: `${round(loads.first.p95)} ms`, target: '< 30 ms', ok: ok(loads.first), ...loads.first },
      { name: '(d) GET flags p95, code+modality filters', measured: `${round(loads.filtered.p95)} ms`, target: '< 30 ms', ok: ok(loads.filtered), ...loads.filtered },
      { name: '(d) GET flags p95, page 200 (keyset cursor)', measured: loads.deep ? `${round(loads.deep.p95)} ms` : 'n/a', target: '< 30 ms', ok: ok(loads.deep), ...(loads.deep ?? {}) },
    ]);
    console.log(`load average (1, 5, 15 min): before ${machine.loadAverageBefore.join(', ')}; after ${machine.loadAverageAfter.join(', ')} (${os.cpus().length} cpus)`);
  } finally {
    await stopService(service, { pgServer: PG_SERVER, database: DATABASE, redisUrl: REDIS_URL, prefix: PREFIX });
  }
}

module.exports = { run, writeCsv };
