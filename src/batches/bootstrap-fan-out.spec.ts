import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bootstrapResampleAlphas } from '../agreement/bootstrap';
import { createRandom, randomInt } from '../agreement/random';
import { ReliabilityDataBuilder } from '../agreement/reliability';
import { createResampleFanOut, fanOutResampleAlphas } from './bootstrap-fan-out';

const ROOT = join(__dirname, '..', '..');

function synthetic(): ReturnType<ReliabilityDataBuilder['build']> {
  const random = createRandom(3);
  const builder = new ReliabilityDataBuilder(4);
  for (let u = 0; u < 400; u++) {
    const truth = randomInt(random, 4);
    for (let coder = 0; coder < 4; coder++) if (random() < 0.9) builder.add(u, coder, random() < 0.7 ? truth : randomInt(random, 4));
  }
  return builder.build();
}

describe('fanOutResampleAlphas', () => {
  it('gives the alphas of one thread (here jest: threads cannot load the TypeScript, so it runs them inline)', () => {
    const data = synthetic();
    expect(fanOutResampleAlphas(data, 'nominal', 7, 50)).toEqual(bootstrapResampleAlphas(data, 'nominal', 7, 0, 50));
    expect(createResampleFanOut({ threads: 3, minWork: 0 })(data, 'interval', 7, 31)).toEqual(bootstrapResampleAlphas(data, 'interval', 7, 0, 31));
  });

  it('gives the alphas of one thread when the ranges run in worker threads', () => {
    // A Node process of its own, with the TypeScript loader that its threads inherit (as the e2e
    // tests run the worker): the fan-out starts threads there.
    const dir = mkdtempSync(join(tmpdir(), 'concord-fan-out-'));
    try {
      const script = join(dir, 'fan-out.js');
      writeFileSync(
        script,
        `const { createResampleFanOut } = require(${JSON.stringify(join(__dirname, 'bootstrap-fan-out.ts'))});
const { bootstrapResampleAlphas } = require(${JSON.stringify(join(ROOT, 'src/agreement/bootstrap.ts'))});
const { ReliabilityDataBuilder } = require(${JSON.stringify(join(ROOT, 'src/agreement/reliability.ts'))});
let threads = 0;
process.on('worker', () => (threads += 1));
const builder = new ReliabilityDataBuilder(3);
for (let u = 0; u < 300; u++) for (let c = 0; c < 3; c++) builder.add(u, c, (u * 7 + c * (u % 5)) % 4);
const data = builder.build();
const results = ['nominal', 'ordinal'].map((level) => {
  const fanned = createResampleFanOut({ threads: 3, minWork: 0 })(data, level, 11, 40);
  const single = bootstrapResampleAlphas(data, level, 11, 0, 40);
  return fanned.length === 40 && fanned.every((alpha, r) => Object.is(alpha, single[r]));
});
// 'worker' is emitted on a later tick.
setImmediate(() => process.stdout.write(JSON.stringify({ threads, same: results })));
`,
      );
      const output = execFileSync(process.execPath, ['-r', join(ROOT, 'test/helpers/register-ts.js'), script], { encoding: 'utf8', timeout: 60_000 });
      expect(JSON.parse(output)).toEqual({ threads: 4, same: [true, true] });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
