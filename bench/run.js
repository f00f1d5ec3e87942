#!/usr/bin/env node
'use strict';
/**
 * Benchmark entry point: `npm run bench [suite ...]`. Each suite prints a table and writes
 * bench/results/<suite>.json. Suites run on the compiled code in dist/ (npm run build first).
 */
const suites = {
  agreement: () => require('./agreement.bench.js').run(),
  service: () => require('./service.bench.js').run(),
  ingest: () => require('./ingest.bench.js').run(),
  evaluate: () => require('./evaluate.bench.js').run(),
  dashboards: () => require('./dashboards.bench.js').run(),
};

async function main() {
  const requested = process.argv.slice(2);
  const names = requested.length > 0 ? requested : Object.keys(suites);
  for (const name of names) {
    const suite = suites[name];
    if (!suite) {
      console.error(`unknown suite "${name}"; known: ${Object.keys(suites).join(', ')}`);
      process.exitCode = 2;
      return;
    }
    await suite();
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
