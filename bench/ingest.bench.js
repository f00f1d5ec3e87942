'use strict';
/**
 * Issue 4 benchmark: export formats.
 *
 *   (a) a Label Studio JSON export of 100,000 tasks × 3 annotators (a sentiment choice and an audio
 *       speaker region each: 600,000 records, ~235 MB) uploaded to the built API (`node dist/main.js`
 *       as a child process, on a database and Redis prefix of its own, see support.js startService):
 *       request start → 202 (streamed, parsed, validated by the DatasetBuilder and stored with COPY in
 *       one transaction), and the API's peak RSS during the upload (VmHWM, reset before each round);
 *       beside it, each in a fresh process (bench/parse-file.js), the adapter alone and the adapter +
 *       DatasetBuilder, to show where the time goes;
 *   (c) a Label Studio export of 1 GB (440,000 tasks × 3 annotators, ~2.6M records) uploaded once to
 *       the same API: the API's peak RSS (it streams: parsed, checked and COPYed as it comes);
 *   (b) a CVAT for video 1.1 XML export of 1,000 tracks × 1,000 frames (~158 MB, ~1.5M records with
 *       the pose attribute records) parsed by the adapter, in a fresh process per run.
 *
 * The files are written once into bench/data/ by the fixtures' own generators (TypeScript, compiled
 * on the fly by test/helpers/register-ts.js) and reused. No worker runs: the agreement jobs of the
 * uploaded batches wait in Redis (deleted at the end), so that they do not compete with the next
 * upload for the machine's cores. Each measurement runs ROUNDS times (a fresh project per upload,
 * so the content hash is new); medians are reported. Run `npm run build` first.
 *
 * Environment: BENCH_ROUNDS (default 3), BENCH_PG (server URL), BENCH_REDIS.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { randomBytes } = require('node:crypto');
const {
  median,
  round,
  ensureDataDir,
  report,
  httpRequest,
  procStatusMb,
  resetPeakRss,
  startService,
  stopService,
} = require('./support');

const root = path.join(__dirname, '..');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const TASKS = 100_000;
const ANNOTATORS = 3;
const RECORDS = TASKS * ANNOTATORS * 2;
const LARGE_TASKS = 440_000;
const TRACKS = 1000;
const FRAMES = 1000;
const PG_SERVER = (process.env.BENCH_PG ?? 'postgres://postgres@127.0.0.1:5432').replace(/\/+$/, '');
const REDIS_URL = process.env.BENCH_REDIS ?? 'redis://127.0.0.1:6379';
const DATABASE = `concord_bench_ingest_${process.pid}`;
const PREFIX = `concord-bench-ingest-${process.pid}`;
const ADMIN_KEY = `cnc_bench_${randomBytes(24).toString('base64url')}`;

// ---- data -----------------------------------------------------------------------------------------

/** Writes `chunks` to `file` through a temporary name (an interrupted run leaves no half file). */
function writeChunks(file, chunks) {
  const out = fs.openSync(`${file}.tmp`, 'w');
  for (const chunk of chunks) fs.writeSync(out, chunk);
  fs.closeSync(out);
  fs.renameSync(`${file}.tmp`, file);
}

function dataFiles() {
  const dir = ensureDataDir();
  const labelStudio = path.join(dir, `ingest-label-studio-${TASKS}x${ANNOTATORS}.json`);
  const largeLabelStudio = path.join(dir, `ingest-label-studio-${LARGE_TASKS}x${ANNOTATORS}.json`);
  const cvat = path.join(dir, `ingest-cvat-${TRACKS}x${FRAMES}.xml`);
  if (![labelStudio, largeLabelStudio, cvat].every((file) => fs.existsSync(file))) require(path.join(root, 'test/helpers/register-ts.js'));
  for (const [file, tasks] of [
    [labelStudio, TASKS],
    [largeLabelStudio, LARGE_TASKS],
  ]) {
    if (fs.existsSync(file)) continue;
    console.log(`writing ${path.relative(root, file)} …`);
    const { generateLabelStudioExport } = require(path.join(root, 'test/fixtures/label-studio/generate.ts'));
    writeChunks(file, generateLabelStudioExport(tasks, ANNOTATORS, 1));
  }
  if (!fs.existsSync(cvat)) {
    console.log(`writing ${path.relative(root, cvat)} …`);
    const { generateCvatVideo } = require(path.join(root, 'test/fixtures/cvat/generate.ts'));
    writeChunks(cvat, generateCvatVideo(TRACKS, FRAMES, 1));
  }
  return { labelStudio, largeLabelStudio, cvat };
}

// ---- adapter measurements --------------------------------------------------------------------------

/**
 * CPU seconds (user + system) a process has used, from /proc/<pid>/stat (clock ticks of 1/100 s).
 * The machine is shared: beside wall time, CPU time shows the work itself, whatever else runs.
 */
function procCpuSeconds(pid) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Wall and CPU seconds (this process: user + system, all its threads) of `fn`. */
/** One adapter run in a fresh process (bench/parse-file.js): no run inherits another's heap or JIT state. */
function parseInChild(adapterName, file, options, validate) {
  const child = spawnSync(process.execPath, [path.join(__dirname, 'parse-file.js'), adapterName, file, validate ? '1' : '0', JSON.stringify(options)], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  if (child.status !== 0) throw new Error(`parse-file.js ${adapterName} failed: ${child.stderr}`);
  const { records, seconds, cpuSeconds } = JSON.parse(child.stdout);
  return { seconds, cpuSeconds, value: records };
}

function medianOf(label, fn) {
  const samples = [];
  const cpuSamples = [];
  let value;
  for (let run = 1; run <= ROUNDS; run += 1) {
    const result = fn();
    samples.push(round(result.seconds, 2));
    cpuSamples.push(round(result.cpuSeconds, 2));
    value = result.value;
    console.log(`${label} ${run}/${ROUNDS}: ${round(result.seconds, 2)} s (CPU ${round(result.cpuSeconds, 2)} s)`);
  }
  return { seconds: median(samples), cpuSeconds: median(cpuSamples), samples, cpuSamples, value };
}

// ---- the upload -----------------------------------------------------------------------------------

async function uploadRound(port, apiPid, file, roundNumber, expectedRecords = RECORDS) {
  const project = await httpRequest(port, ADMIN_KEY, 'POST', '/v1/projects', {
    body: JSON.stringify({ name: `ingest bench ${process.pid} round ${roundNumber}` }),
    headers: { 'content-type': 'application/json' },
  });
  if (project.status !== 201) throw new Error(`create project: ${project.status} ${JSON.stringify(project.body)}`);
  const peakReset = resetPeakRss(apiPid);
  const cpuBefore = procCpuSeconds(apiPid);
  const loadBefore = os.loadavg()[0];
  const started = process.hrtime.bigint();
  const response = await httpRequest(port, ADMIN_KEY, 'POST', `/v1/projects/${project.body.id}/batches`, {
    body: fs.createReadStream(file, { highWaterMark: 256 * 1024 }),
    headers: { 'content-type': 'application/json', 'content-length': String(fs.statSync(file).size) },
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const peakRssMb = procStatusMb(apiPid, 'VmHWM');
  const apiCpuSeconds = procCpuSeconds(apiPid) - cpuBefore;
  if (response.status !== 202) throw new Error(`upload: ${response.status} ${JSON.stringify(response.body).slice(0, 2000)}`);
  const { counts, format } = response.body.batch;
  if (counts.records !== expectedRecords || format !== 'label-studio') throw new Error(`upload stored ${counts.records} ${format} records, expected ${expectedRecords}`);
  return { seconds: round(seconds, 2), apiCpuSeconds: round(apiCpuSeconds, 2), peakRssMb: Math.round(peakRssMb), peakReset, loadAverage: round(loadBefore, 2), counts };
}

async function run() {
  const files = dataFiles();
  const sizeMb = (file) => round(fs.statSync(file).size / 2 ** 20, 1);

  const rounds = [];
  let large;
  let idleRssMb;
  let service;
  try {
    service = await startService({ databaseUrl: `${PG_SERVER}/${DATABASE}`, redisUrl: REDIS_URL, prefix: PREFIX, adminKey: ADMIN_KEY, worker: false });
    idleRssMb = Math.round(procStatusMb(service.api.pid, 'VmRSS'));
    for (let number = 1; number <= ROUNDS; number += 1) {
      const entry = await uploadRound(service.port, service.api.pid, files.labelStudio, number);
      rounds.push(entry);
      console.log(`(a) upload ${number}/${ROUNDS}: ${entry.seconds} s (API CPU ${entry.apiCpuSeconds} s), API peak RSS ${entry.peakRssMb} MB, load ${entry.loadAverage}`);
    }
    large = await uploadRound(service.port, service.api.pid, files.largeLabelStudio, ROUNDS + 1, LARGE_TASKS * ANNOTATORS * 2);
    console.log(`(c) upload of ${sizeMb(files.largeLabelStudio)} MB: ${large.seconds} s, API peak RSS ${large.peakRssMb} MB`);
  } finally {
    await stopService(service, { pgServer: PG_SERVER, database: DATABASE, redisUrl: REDIS_URL, prefix: PREFIX });
  }

  const parseOnly = medianOf('(a) Label Studio adapter alone', () => parseInChild('labelStudio', files.labelStudio, {}, false));
  const parseValidate = medianOf('(a) Label Studio adapter + DatasetBuilder', () => parseInChild('labelStudio', files.labelStudio, {}, true));
  const cvat = medianOf('(b) CVAT adapter', () => parseInChild('cvat', files.cvat, { annotator: 'bench', fileName: path.basename(files.cvat) }, false));

  const uploadS = median(rounds.map((entry) => entry.seconds));
  const uploadCpuS = median(rounds.map((entry) => entry.apiCpuSeconds));
  const peakRss = Math.max(...rounds.map((entry) => entry.peakRssMb));
  const n = `median of ${ROUNDS}`;
  report('ingest', [
    {
      name: `(a) Label Studio ${TASKS.toLocaleString('en')} tasks × ${ANNOTATORS} (${RECORDS.toLocaleString('en')} records, ${sizeMb(files.labelStudio)} MB) → API 202 (${n})`,
      measured: `${round(uploadS, 2)} s (API CPU ${round(uploadCpuS, 2)} s)`,
      target: '< 10 s',
      ok: uploadS < 10,
      samples: rounds.map((entry) => entry.seconds),
      apiCpuSamples: rounds.map((entry) => entry.apiCpuSeconds),
      loadAverages: rounds.map((entry) => entry.loadAverage),
      counts: rounds[0]?.counts,
    },
    {
      name: '(a) API peak RSS during the upload (max over rounds)',
      measured: `${peakRss} MB`,
      target: '< 300 MB',
      ok: peakRss < 300,
      samples: rounds.map((entry) => entry.peakRssMb),
      idleRssMb,
      vmHwmResetPerRound: rounds.every((entry) => entry.peakReset),
    },
    {
      name: `(a) of which, own process: adapter alone / adapter + DatasetBuilder (${n})`,
      measured: `${round(parseOnly.seconds, 2)} s / ${round(parseValidate.seconds, 2)} s (CPU ${round(parseOnly.cpuSeconds, 2)} / ${round(parseValidate.cpuSeconds, 2)} s)`,
      target: '—',
      ok: true,
      adapterSamples: parseOnly.samples,
      validateSamples: parseValidate.samples,
      adapterCpuSamples: parseOnly.cpuSamples,
      validateCpuSamples: parseValidate.cpuSamples,
      records: parseOnly.value,
    },
    {
      name: `(c) Label Studio ${LARGE_TASKS.toLocaleString('en')} tasks × ${ANNOTATORS} (${large.counts.records.toLocaleString('en')} records, ${sizeMb(files.largeLabelStudio)} MB) → API 202: API peak RSS`,
      measured: `${large.peakRssMb} MB (${large.seconds} s)`,
      target: '< 300 MB',
      ok: large.peakRssMb < 300,
      seconds: large.seconds,
      apiCpuSeconds: large.apiCpuSeconds,
      vmHwmReset: large.peakReset,
    },
    {
      name: `(b) CVAT video ${TRACKS.toLocaleString('en')} tracks × ${TRACKS.toLocaleString('en')} frames (${sizeMb(files.cvat)} MB, ${cvat.value.toLocaleString('en')} records) parsed (${n})`,
      measured: `${round(cvat.seconds, 2)} s (CPU ${round(cvat.cpuSeconds, 2)} s)`,
      target: '< 5 s',
      ok: cvat.seconds < 5,
      samples: cvat.samples,
      cpuSamples: cvat.cpuSamples,
      records: cvat.value,
    },
  ]);
}

module.exports = { run };
