'use strict';
/**
 * `node -r ./test/helpers/register-ts.js src/main.ts`: runs the TypeScript sources in a child
 * process, compiled on the fly by @swc/core with the same settings as jest, while Node loads the
 * (ESM) Nest packages natively. Used by e2e tests that start the real entry points.
 */
const fs = require('node:fs');
const { transformSync } = require('@swc/core');

require.extensions['.ts'] = function compileTypeScript(module, filename) {
  const { code } = transformSync(fs.readFileSync(filename, 'utf8'), {
    filename,
    sourceMaps: 'inline',
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2023',
    },
    module: { type: 'commonjs' },
  });
  module._compile(code, filename);
};
