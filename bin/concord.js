#!/usr/bin/env node
'use strict';
require('../dist/cli/main.js').main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (error) => { process.stderr.write(`concord: ${error && error.stack ? error.stack : error}\n`); process.exitCode = 2; },
);
