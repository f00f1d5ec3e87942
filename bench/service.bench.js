'use strict';
/**
 * Issue 3 benchmark: the service end to end on the real PostgreSQL and Redis of this machine.
 *
 * On a database of its own (`concord_bench_<pid>`, dropped at the end) and a Redis prefix of its
 * own (`concord-bench-<pid>`, deleted at the end) it starts the built API and worker
 * (`node dist/main.js`, `node dist/worker.js`) and measures, on a seeded 1,000,000-row canonical
 * CSV (bench/data/service-1m.csv, written once and reused; see {@link writeCsv} for its content):
 *   (a) upload: request start → 202 (accepted and stored), and the API's peak RSS during it;
 *   (b) a bare `psql \copy` of the same rows into the same `annotations` table, and the ratio;
 *   (c) agreement: 202 → every dimension's agreement job completed (and, for information, → the batch
 *       `completed`, the evaluate step's flags and verdict included);
 *   (d) `GET /v1/batches/:id/agreement` under autocannon, 50 connections, ~10 s: p95 latency.
 * (a)–(c) run ROUNDS times (psql, then the upload, then its jobs; a fresh project each round, so
 * the content hash is new), and the medians are reported. Run `npm run build` first.
 *
 * Environment: BENCH_ROUNDS (default 3), BENCH_DURATION_S (autocannon, default 10),
 * BENCH_PG (server URL, default postgres://postgres@127.0.0.1:5432), BENCH_REDIS.
 */
const fs = require('node:fs');
const path = require('node:path');
const readline = require('node:readline');
const { randomBytes } = require('node:crypto');
const { execFileSync } = require('node:child_process');
const {
  seededRandom,
  median,
  round,
  ensureDataDir,
  report,
  psqlAt,
  httpRequest,
  loadTest,
  waitFor,
  procStatusMb,
  resetPeakRss,
  startService,
  stopService,
} = require('./support');

const root = path.join(__dirname, '..');
const ROWS = 1_000_000;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 10);
const PG_SERVER = (process.env.BENCH_PG ?? 'postgres://postgres@127.0.0.1:5432').replace(/\/+$/, '');
const REDIS_URL = process.env.BENCH_REDIS ?? 'redis://127.0.0.1:6379';
const DATABASE = `concord_bench_${process.pid}`;
const DATABASE_URL = `${PG_SERVER}/${DATABASE}`;
const PREFIX = `concord-bench-${process.pid}`;
const ADMIN_KEY = `cnc_bench_${randomBytes(24).toString('base64url')}`;
/** The batch row that the bare `psql \copy` rows belong to (a fixed id: the COPY file is reused). */
const PSQL_BATCH = '00000000-0000-4000-8000-00000000b0b0';

const CSV_HEADER = 'item,annotator,modality,dimension,label,start,end,x,y,w,h';
const COPY_COLUMNS = 'batch_id, line, item, annotator, modality, dimension, label, value, start_s, end_s, frame, box_x, box_y, box_w, box_h';

// ---- data -----------------------------------------------------------------------------------------

/**
 * The 1,000,000-row canonical CSV, seeded (written once, reused):
 * - text/sentiment, nominal (positive/neutral/negative/mixed): items × 5 annotators, 10% missing,
 *   70% of judgements agree with the item's hidden truth — 900,000 rows (~200,000 items);
 * - audio/speech, intervals (labels speech/music/noise): 2,000 clips × 3 annotators, ~8 segments
 *   each with 0.3 s boundary jitter, one in ten dropped — 50,000 rows;
 * - image/objects, boxes (car/person/sign): 5,000 images × 3 annotators, ~3 boxes each with a few
 *   pixels of jitter, one in ten dropped — 50,000 rows.
 */
function writeCsv(file) {
  const random = seededRandom(20260101);
  const out = fs.openSync(`${file}.tmp`, 'w');
  let buffer = `${CSV_HEADER}\n`;
  let rows = 0;
  const emit = (line) => {
    buffer += line + '\n';
    rows += 1;
    if (buffer.length > 1 << 20) {
      fs.writeSync(out, buffer);
      buffer = '';
    }
  };
  const SENTIMENTS = ['positive', 'neutral', 'negative', 'mixed'];
  for (let item = 0; rows < 900_000; item += 1) {
    const truth = SENTIMENTS[Math.floor(random() * 4)];
    for (let a = 0; a < 5 && rows < 900_000; a += 1) {
      if (random() < 0.1) continue;
      const label = random() < 0.7 ? truth : SENTIMENTS[Math.floor(random() * 4)];
      emit(`doc-${item},annotator-${a},text,sentiment,${label},,,,,,`);
    }
  }
  const SOUNDS = ['speech', 'music', 'noise'];
  for (let clip = 0; rows < 950_000; clip += 1) {
    const segments = [];
    for (let k = 0; k < 8; k += 1) {
      const start = k * 6 + random() * 1.5;
      segments.push({ label: SOUNDS[Math.floor(random() * 3)], start, end: start + 1.5 + random() * 3 });
    }
    for (let a = 0; a < 3; a += 1) {
      for (const s of segments) {
        if (rows >= 950_000) break;
        if (random() < 0.1) continue;
        const jitter = () => (random() - 0.5) * 0.6;
        const start = Math.max(0, s.start + jitter());
        const end = Math.max(start + 0.1, s.end + jitter());
        emit(`clip-${clip},annotator-${a},audio,speech,${s.label},${start.toFixed(3)},${end.toFixed(3)},,,,`);
      }
    }
  }
  const CLASSES = ['car', 'person', 'sign'];
  for (let image = 0; rows < ROWS; image += 1) {
    const objects = [];
    const count = 2 + Math.floor(random() * 3);
    for (let k = 0; k < count; k += 1) {
      objects.push({ label: CLASSES[Math.floor(random() * 3)], x: random() * 600, y: random() * 400, w: 20 + random() * 100, h: 20 + random() * 100 });
    }
    for (let a = 0; a < 3; a += 1) {
      for (const o of objects) {
        if (rows >= ROWS) break;
        if (random() < 0.1) continue;
        const j = () => (random() - 0.5) * 6;
        emit(`img-${image},annotator-${a},image,objects,${o.label},,,${(o.x + j()).toFixed(1)},${(o.y + j()).toFixed(1)},${(o.w + j()).toFixed(1)},${(o.h + j()).toFixed(1)}`);
      }
    }
  }
  fs.writeSync(out, buffer);
  fs.closeSync(out);
  fs.renameSync(`${file}.tmp`, file);
}

/**
 * The same rows in the layout `COPY annotations (COPY_COLUMNS) FROM … (FORMAT text)` reads: tab
 * separated, `\N` for null, `line` = the CSV's physical line (the header is line 1), as the upload
 * stores them. The generated CSV has no quotes, commas in values, tabs or backslashes.
 */
async function writeCopyFile(csvFile, file) {
  const out = fs.createWriteStream(`${file}.tmp`);
  const lines = readline.createInterface({ input: fs.createReadStream(csvFile), crlfDelay: Infinity });
  const nullable = (text) => (text === '' ? '\\N' : text);
  let line = 0;
  let buffer = '';
  for await (const text of lines) {
    line += 1;
    if (line === 1) continue;
    const [item, annotator, modality, dimension, label, start, end, x, y, w, h] = text.split(',');
    buffer +=
      `${PSQL_BATCH}\t${line}\t${item}\t${annotator}\t${modality}\t${dimension}\t${nullable(label)}\t\\N\t` +
      `${nullable(start)}\t${nullable(end)}\t\\N\t${nullable(x)}\t${nullable(y)}\t${nullable(w)}\t${nullable(h)}\n`;
    if (buffer.length > 1 << 20) {
      if (!out.write(buffer)) await new Promise((resolve) => out.once('drain', resolve));
      buffer = '';
    }
  }
  out.end(buffer);
  await new Promise((resolve, reject) => out.on('finish', resolve).on('error', reject));
  fs.renameSync(`${file}.tmp`, file);
}

async function dataFiles() {
  const dir = ensureDataDir();
  const csv = path.join(dir, 'service-1m.csv');
  const copy = path.join(dir, 'service-1m.copy.tsv');
  if (!fs.existsSync(csv)) {
    console.log(`writing ${path.relative(root, csv)} …`);
    writeCsv(csv);
  }
  if (!fs.existsSync(copy) || fs.statSync(copy).mtimeMs < fs.statSync(csv).mtimeMs) {
    console.log(`writing ${path.relative(root, copy)} …`);
    await writeCopyFile(csv, copy);
  }
  return { csv, copy };
}

// ---- processes and HTTP ---------------------------------------------------------------------------

const psql = (database, sql) => psqlAt(PG_SERVER, database, sql);
const request = (port, method, urlPath, options) => httpRequest(port, ADMIN_KEY, method, urlPath, options);

// ---- the measurements -----------------------------------------------------------------------------

async function createProject(port, name) {
  const response = await request(port, 'POST', '/v1/projects', {
    body: JSON.stringify({ name }),
    headers: { 'content-type': 'application/json' },
  });
  if (response.status !== 201) throw new Error(`create project: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body.id;
}

/** (b): the bare COPY of the same rows by psql into the same table, timed around the psql process. */
function psqlCopy(copyFile, projectId) {
  psql(DATABASE, `DELETE FROM batches WHERE id = '${PSQL_BATCH}'`);
  psql(
    DATABASE,
    `INSERT INTO batches (id, project_id, format, content_hash, record_count, item_count, annotator_count, dimension_count)
     VALUES ('${PSQL_BATCH}', '${projectId}', 'psql', 'psql-bench', ${ROWS}, 0, 0, 0)`,
  );
  const started = process.hrtime.bigint();
  execFileSync('psql', [DATABASE_URL, '-v', 'ON_ERROR_STOP=1', '-qc', `\\copy annotations (${COPY_COLUMNS}) FROM '${copyFile}' (FORMAT text)`], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const copied = Number(psql(DATABASE, `SELECT count(*) FROM annotations WHERE batch_id = '${PSQL_BATCH}'`));
  if (copied !== ROWS) throw new Error(`psql copied ${copied} rows, expected ${ROWS}`);
  return seconds;
}

/** (a): POST the CSV (raw body, streamed from disk) → 202; the API's peak RSS over the upload. */
async function upload(port, apiPid, csvFile, projectId) {
  const peakReset = resetPeakRss(apiPid);
  const started = process.hrtime.bigint();
  const response = await request(port, 'POST', `/v1/projects/${projectId}/batches`, {
    body: fs.createReadStream(csvFile, { highWaterMark: 256 * 1024 }),
    headers: { 'content-type': 'text/csv', 'content-length': String(fs.statSync(csvFile).size) },
  });
  const acceptedAt = process.hrtime.bigint();
  const peakRssMb = procStatusMb(apiPid, 'VmHWM');
  if (response.status !== 202) throw new Error(`upload: ${response.status} ${JSON.stringify(response.body).slice(0, 2000)}`);
  const batch = response.body.batch;
  if (batch.counts.records !== ROWS) throw new Error(`upload stored ${batch.counts.records} records, expected ${ROWS}`);
  return { batchId: batch.id, seconds: Number(acceptedAt - started) / 1e9, acceptedAt, peakRssMb, peakReset, dimensions: batch.counts.dimensions };
}

/**
 * (c): from the 202 to the moment every agreement job (one per dimension) is completed — "agreement
 * for all dimensions computed" — and, beside it, to the batch being `completed` (the evaluate step's
 * flags and verdict included), polling the batch every 50 ms; with each job's own duration.
 */
async function agreement(port, batchId, acceptedAt) {
  let agreedAt = null;
  const detail = await waitFor(
    `batch ${batchId} to finish`,
    async () => {
      const response = await request(port, 'GET', `/v1/batches/${batchId}`);
      const dimensionJobs = response.body.jobs.filter((job) => job.name !== 'evaluate');
      if (agreedAt === null && dimensionJobs.length > 0 && dimensionJobs.every((job) => job.status === 'completed')) {
        agreedAt = process.hrtime.bigint();
      }
      return response.body.status === 'completed' || response.body.status === 'failed' ? response.body : undefined;
    },
    300_000,
  );
  const completedAt = process.hrtime.bigint();
  if (detail.status !== 'completed') throw new Error(`batch ${batchId} failed: ${detail.error}`);
  const jobs = Object.fromEntries(
    detail.jobs.map((job) => [job.name === 'evaluate' ? 'evaluate' : `${job.modality}/${job.dimension}`, { ms: job.durationMs, attempts: job.attempts }]),
  );
  return { seconds: Number((agreedAt ?? completedAt) - acceptedAt) / 1e9, completedSeconds: Number(completedAt - acceptedAt) / 1e9, jobs };
}

/** (d): `GET /v1/batches/:id/agreement` under load (support.js loadTest). */
function loadAgreement(port, batchId) {
  return loadTest(port, ADMIN_KEY, `/v1/batches/${batchId}/agreement`, DURATION_S);
}

/**
 * Where (c)'s time goes: the analysis of the largest dimension (text/sentiment, 900,000 judgements)
 * as the worker runs it — the same core, options and bootstrap (SERVICE_BOOTSTRAP) — timed in this
 * process once with the bootstrap and once without.
 */
function bootstrapShare(csvFile) {
  const dist = path.join(root, 'dist');
  const { DatasetBuilder } = require(path.join(dist, 'agreement/dataset.js'));
  const { analyzeDataset } = require(path.join(dist, 'agreement/analyze.js'));
  const { analysisOptionsFor } = require(path.join(dist, 'batches/analysis-options.js'));
  const builder = new DatasetBuilder();
  const lines = fs.readFileSync(csvFile, 'utf8').split('\n');
  for (let i = 1; i < lines.length; i += 1) {
    const [item, annotator, modality, dimension, label] = lines[i].split(',');
    if (modality !== 'text') continue;
    builder.add({ item, annotator, modality, dimension, label, value: null, start: null, end: null, frame: null, box: null }, i + 1);
  }
  const dataset = builder.build();
  const options = analysisOptionsFor(null, null);
  const time = (fn) => {
    const started = process.hrtime.bigint();
    fn();
    return Number(process.hrtime.bigint() - started) / 1e9;
  };
  const withoutBootstrapS = time(() => analyzeDataset(dataset, { ...options, bootstrap: undefined }));
  const withBootstrapS = time(() => analyzeDataset(dataset, options));
  return { judgements: dataset.dimensions[0].size, resamples: options.bootstrap.samples, withBootstrapS, withoutBootstrapS };
}

async function run() {
  const { csv, copy } = await dataFiles();
  const rounds = [];
  let load;
  let service;
  try {
    service = await startService({ databaseUrl: DATABASE_URL, redisUrl: REDIS_URL, prefix: PREFIX, adminKey: ADMIN_KEY });
    const { port, api } = service;
    const idleRssMb = procStatusMb(api.pid, 'VmRSS');

    for (let round = 1; round <= ROUNDS; round += 1) {
      const projectId = await createProject(port, `bench ${process.pid} round ${round}`);
      psql(DATABASE, 'VACUUM ANALYZE annotations');
      const psqlSeconds = psqlCopy(copy, projectId);
      psql(DATABASE, `DELETE FROM batches WHERE id = '${PSQL_BATCH}'; DELETE FROM annotations WHERE batch_id = '${PSQL_BATCH}'`);
      psql(DATABASE, 'VACUUM ANALYZE annotations');
      console.log(`round ${round}: psql ${round2(psqlSeconds)} s; uploading …`);
      const up = await upload(port, api.pid, csv, projectId);
      console.log(`round ${round}: upload ${round2(up.seconds)} s, API peak RSS ${Math.round(up.peakRssMb)} MB; waiting for the jobs …`);
      const agreed = await agreement(port, up.batchId, up.acceptedAt);
      const entry = {
        round,
        uploadS: round2(up.seconds),
        psqlS: round2(psqlSeconds),
        ratio: round2(up.seconds / psqlSeconds),
        apiPeakRssMb: Math.round(up.peakRssMb),
        peakRssOfUploadOnly: up.peakReset,
        agreementS: round2(agreed.seconds),
        completedS: round2(agreed.completedSeconds),
        jobsMs: agreed.jobs,
        batchId: up.batchId,
        projectId,
      };
      rounds.push(entry);
      console.log(JSON.stringify(entry));
      if (round < ROUNDS) {
        // Each round starts from the same table: the previous round's project goes, with its
        // batches and (through the batches' delete trigger) their annotations.
        psql(DATABASE, `DELETE FROM projects WHERE id = '${projectId}'`);
        const left = Number(psql(DATABASE, `SELECT count(*) FROM annotations`));
        if (left !== 0) throw new Error(`deleting the project left ${left} annotations`);
      }
    }

    load = await loadAgreement(port, rounds.at(-1).batchId);
    console.log(JSON.stringify({ load }));

    const breakdown = bootstrapShare(csv);
    console.log(JSON.stringify({ breakdown }));

    const pick = (key) => median(rounds.map((r) => r[key]));
    const uploadS = pick('uploadS');
    const psqlS = pick('psqlS');
    const ratio = pick('ratio');
    const rss = Math.max(...rounds.map((r) => r.apiPeakRssMb));
    const agreementS = pick('agreementS');
    const n = `median of ${rounds.length}`;
    report('service', [
      { name: `(a) upload 1M rows → 202 (${n})`, measured: `${round2(uploadS)} s`, target: '≤ 3 × psql', ok: ratio <= 3, samples: rounds.map((r) => r.uploadS) },
      { name: `(b) psql \\copy same rows (${n})`, measured: `${round2(psqlS)} s`, target: '—', ok: true, samples: rounds.map((r) => r.psqlS) },
      { name: '(a)/(b) upload ÷ psql (median of per-round ratios)', measured: `${round2(ratio)} ×`, target: '≤ 3 ×', ok: ratio <= 3, samples: rounds.map((r) => r.ratio) },
      { name: '(a) API peak RSS during upload (max over rounds)', measured: `${rss} MB`, target: '< 300 MB', ok: rss < 300, samples: rounds.map((r) => r.apiPeakRssMb), idleRssMb: Math.round(idleRssMb), vmHwmResetPerRound: rounds.every((r) => r.peakRssOfUploadOnly) },
      { name: `(c) agreement, 202 → all dimensions computed (${n})`, measured: `${round2(agreementS)} s`, target: '< 10 s', ok: agreementS < 10, samples: rounds.map((r) => r.agreementS), jobsMs: rounds.map((r) => r.jobsMs) },
      { name: `(c) 202 → batch completed, flags and verdict included (${n})`, measured: `${round2(pick('completedS'))} s`, target: '—', ok: true, samples: rounds.map((r) => r.completedS) },
      {
        name: '(c) of which text/sentiment analysis in-process, 1000 resamples (no resampling)',
        measured: `${round2(breakdown.withBootstrapS)} s (${round2(breakdown.withoutBootstrapS)} s)`,
        target: '—',
        ok: true,
        ...breakdown,
      },
      { name: `(d) GET agreement p95, 50 conns, ${DURATION_S} s`, measured: `${round2(load.p95)} ms`, target: '< 20 ms', ok: load.p95 < 20 && load.non2xx === 0 && load.errors === 0, ...load },
    ]);
    console.log(
      `data: ${path.relative(root, csv)} — ${ROWS} rows: text/sentiment nominal (900,000), audio/speech intervals (50,000), image/objects boxes (50,000)\n` +
        `p95 is computed from every 200 response's time (autocannon has no p95; its p90 ${load.autocannon.p90} ms, p97.5 ${load.autocannon.p97_5} ms, p99 ${load.autocannon.p99} ms); ${load.requests} requests, ${load.bytesPerResponse} bytes each`,
    );
  } finally {
    await stopService(service, { pgServer: PG_SERVER, database: DATABASE, redisUrl: REDIS_URL, prefix: PREFIX });
  }
}

function round2(value) {
  return round(value, 2);
}

module.exports = { run, writeCsv, writeCopyFile };
