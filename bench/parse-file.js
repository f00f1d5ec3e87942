#!/usr/bin/env node
'use strict';
/**
 * One adapter measurement in a fresh process, so that no run inherits another's heap or JIT state:
 * `node bench/parse-file.js ADAPTER FILE VALIDATE OPTIONS_JSON` reads FILE with the compiled adapter
 * (`labelStudio` or `cvat`), and with VALIDATE=1 also feeds every record to a DatasetBuilder as the
 * API does; prints `{records, seconds, cpuSeconds}` as one JSON line.
 */
const fs = require('node:fs');
const path = require('node:path');

const dist = path.join(__dirname, '..', 'dist');
/** As the API reads an upload: 1 MiB chunks. */
const READ_CHUNK_BYTES = 1024 * 1024;

async function readFile(adapter, file, options, validate) {
  const { DatasetBuilder } = require(path.join(dist, 'agreement/dataset.js'));
  const { RecordPositions } = require(path.join(dist, 'ingest/record-positions.js'));
  const positions = new RecordPositions();
  positions.startFile(path.basename(file));
  const builder = validate ? new DatasetBuilder({ describePosition: (position) => positions.describe(position), keeps: 'checks' }) : null;
  let records = 0;
  for await (const batch of adapter.read(fs.createReadStream(file, { highWaterMark: READ_CHUNK_BYTES }), options)) {
    records += batch.length;
    if (builder !== null) {
      for (const record of batch) {
        if (builder.add(record, positions.next(record))) positions.keep(record);
      }
    }
  }
  if (builder !== null) builder.summarize();
  return records;
}

async function main() {
  const [adapterName, file, validate, optionsJson] = process.argv.slice(2);
  const adapters = {
    labelStudio: () => require(path.join(dist, 'ingest/adapters/label-studio.js')).labelStudioAdapter,
    cvat: () => require(path.join(dist, 'ingest/adapters/cvat.js')).cvatAdapter,
  };
  const adapter = adapters[adapterName]?.();
  if (adapter === undefined || file === undefined) throw new Error('usage: parse-file.js labelStudio|cvat FILE 0|1 OPTIONS_JSON');
  const started = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  const records = await readFile(adapter, file, JSON.parse(optionsJson ?? '{}'), validate === '1');
  const used = process.cpuUsage(cpu);
  process.stdout.write(`${JSON.stringify({ records, seconds: Number(process.hrtime.bigint() - started) / 1e9, cpuSeconds: (used.user + used.system) / 1e6 })}\n`);
}

main().catch((error) => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exitCode = 1;
});
