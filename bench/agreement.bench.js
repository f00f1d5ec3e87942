'use strict';
/**
 * Issue 2 benchmark: the agreement core and the `concord agreement` process on 1,000,000
 * judgements (200,000 items × 5 annotators, 10% missing), seeded.
 */
const fs = require('node:fs');
const path = require('node:path');
const { seededRandom, timeIt, timeProcess, round, ensureDataDir, report } = require('./support');

const dist = path.join(__dirname, '..', 'dist');
const { ReliabilityDataBuilder } = require(path.join(dist, 'agreement/reliability.js'));
const { krippendorffAlpha } = require(path.join(dist, 'agreement/alpha.js'));
const { coverageAgreement, segmentAgreement } = require(path.join(dist, 'agreement/temporal.js'));

const ITEMS = 200_000;
const ANNOTATORS = 5;
const MISSING = 0.1;
const LABELS = 10;

/** 1M-judgement reliability data; `valueOf` draws a value for a judgement. */
function buildJudgements(seed, valueOf) {
  const random = seededRandom(seed);
  const builder = new ReliabilityDataBuilder(ANNOTATORS);
  let count = 0;
  for (let item = 0; item < ITEMS; item += 1) {
    for (let annotator = 0; annotator < ANNOTATORS; annotator += 1) {
      if (random() < MISSING) continue;
      builder.add(item, annotator, valueOf(random, item));
      count += 1;
    }
  }
  return { data: builder.build(), count };
}

/** Canonical CSV of the nominal data set, written once and reused. */
function nominalCsv() {
  const file = path.join(ensureDataDir(), 'nominal-1m.csv');
  if (fs.existsSync(file)) return file;
  const random = seededRandom(7);
  const out = fs.openSync(file, 'w');
  let chunk = 'item,annotator,label\n';
  for (let item = 0; item < ITEMS; item += 1) {
    const truth = Math.floor(random() * LABELS);
    for (let annotator = 0; annotator < ANNOTATORS; annotator += 1) {
      if (random() < MISSING) continue;
      const label = random() < 0.7 ? truth : Math.floor(random() * LABELS);
      chunk += `item-${item},annotator-${annotator},label-${label}\n`;
      if (chunk.length > 1 << 20) {
        fs.writeSync(out, chunk);
        chunk = '';
      }
    }
  }
  fs.writeSync(out, chunk);
  fs.closeSync(out);
  return file;
}

function segments(seed) {
  const random = seededRandom(seed);
  const list = [];
  for (let item = 0; item < 1000; item += 1) {
    for (let k = 0; k < 50; k += 1) {
      const start = k * 10 + random() * 2;
      const end = start + 3 + random() * 5;
      const label = random() < 0.5 ? 'speech' : 'music';
      for (const annotator of ['a', 'b']) {
        const jitter = () => (random() - 0.5) * 0.6;
        list.push({ item: `clip-${item}`, annotator, label, start: start + jitter(), end: end + jitter() });
      }
    }
  }
  return list;
}

async function run() {
  const rows = [];

  const nominal = buildJudgements(1, (random) => Math.floor(random() * LABELS));
  const nominalTime = timeIt(() => krippendorffAlpha(nominal.data, 'nominal'));
  rows.push({ name: `nominal alpha, ${nominal.count} judgements (after parsing)`, measured: `${round(nominalTime.medianMs)} ms`, target: '< 50 ms', ok: nominalTime.medianMs < 50, detail: nominalTime });

  let next = 0;
  const interval = buildJudgements(2, (random) => (next += 1) + random() * 0.5);
  const intervalTime = timeIt(() => krippendorffAlpha(interval.data, 'interval'));
  rows.push({ name: `interval alpha, ${interval.count} distinct real values`, measured: `${round(intervalTime.medianMs)} ms`, target: '< 50 ms', ok: intervalTime.medianMs < 50, detail: intervalTime });

  const csv = nominalCsv();
  const bin = path.join(__dirname, '..', 'bin', 'concord.js');
  const whole = timeProcess(process.execPath, [bin, 'agreement', csv, '--json']);
  rows.push({ name: 'concord agreement, 1M-row CSV, whole process', measured: `${whole.medianWallS} s`, target: '< 1.0 s', ok: whole.medianWallS < 1.0, detail: whole });
  rows.push({ name: 'concord agreement, 1M-row CSV, peak RSS', measured: `${whole.medianPeakRssMb} MB`, target: '< 400 MB', ok: whole.medianPeakRssMb < 400 });

  const segs = segments(3);
  const temporalTime = timeIt(() => {
    coverageAgreement(segs);
    segmentAgreement(segs, 0.5);
  }, 3);
  rows.push({ name: `coverage IoU + segment matching, ${segs.length} segments`, measured: `${round(temporalTime.medianMs)} ms`, target: '< 1000 ms', ok: temporalTime.medianMs < 1000, detail: temporalTime });

  report('agreement', rows);
}

module.exports = { run };
