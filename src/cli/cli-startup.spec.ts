import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '../..');

/** The node_modules packages `require`d by loading the CLI (its sources compiled on the fly, as in the e2e tests). */
function packagesLoadedByCli(): string[] {
  const script = `require('./src/cli/main.ts');
    const names = Object.keys(require.cache).flatMap((file) => /node_modules\\/((?:@[^/]+\\/)?[^/]+)/.exec(file)?.[1] ?? []);
    process.stdout.write(JSON.stringify([...new Set(names)].filter((name) => name !== '@swc/core' && !name.startsWith('@swc/')).sort()));`;
  return JSON.parse(execFileSync(process.execPath, ['-r', './test/helpers/register-ts.js', '-e', script], { cwd: ROOT, encoding: 'utf8' })) as string[];
}

describe('the concord CLI at start', () => {
  it('loads no schema library: every command pays for what it loads, `agreement` on a million rows included', () => {
    const packages = packagesLoadedByCli();
    expect(packages).not.toContain('zod');
    // What it does load: the streaming readers of the export formats.
    expect(packages).toEqual(expect.arrayContaining(['stream-json', 'yauzl']));
  });
});
