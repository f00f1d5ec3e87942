'use strict';
/** Helpers shared by the benchmark suites: seeded data, timing, tables and result files. */
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

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

module.exports = { seededRandom, timeIt, timeProcess, median, round, ensureDataDir, report };
