import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from './main';
import { PROGRESS_MIN_BYTES } from './progress-bar';
import { formatNames } from '../ingest/detect-format';

const EXAMPLES = join(__dirname, '..', '..', 'examples');
const PUBLISHED = join(EXAMPLES, 'published-4x12.csv');
const MULTIMODAL = join(EXAMPLES, 'multimodal.csv');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function run(argv: string[], options: { tty?: boolean } = {}): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text), isTTY: options.tty ?? false },
  });
  return { code, stdout, stderr };
}

/** Paths of values JSON cannot carry faithfully: NaN, ±Infinity, undefined. */
function nonJsonValues(value: unknown, path = '$'): string[] {
  if (value === undefined || (typeof value === 'number' && !Number.isFinite(value))) return [`${path}: ${String(value)}`];
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, inner]) => nonJsonValues(inner, `${path}.${key}`));
}

let scratch: string;
const scratchFile = (name: string, text: string): string => {
  const file = join(scratch, name);
  writeFileSync(file, text);
  return file;
};

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'concord-cli-'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('concord agreement', () => {
  it('prints the published example’s interval alpha as one JSON object with the result at the top level', async () => {
    const { code, stdout, stderr } = await run(['agreement', PUBLISHED, '--level', 'interval', '--json']);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const result = JSON.parse(stdout);
    expect(result.alpha).toBeCloseTo(0.849, 3);
    expect(result).toMatchObject({
      level: 'interval',
      items: 12,
      pairableItems: 11,
      annotators: 4,
      cohenKappa: null,
      undefinedReasons: { cohenKappa: expect.any(String), fleissKappa: expect.any(String) },
    });
    expect(result.percentAgreement).toBeCloseTo(43 / 55, 12);
    expect(result.dropOne.map((entry: { annotator: string }) => entry.annotator)).toEqual(['A', 'B', 'C', 'D']);
  });

  it('prints a table with alpha to three decimals by default', async () => {
    const { code, stdout } = await run(['agreement', PUBLISHED, '--level', 'interval']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/Krippendorff's alpha\s+0\.849\n/);
    expect(stdout).toContain('text/label  interval: 12 items (11 pairable), 4 annotators, 41 judgements');
  });

  it('gives results[] for a file with several dimensions, ordered by modality', async () => {
    const { code, stdout } = await run(['agreement', MULTIMODAL, '--json']);
    expect(code).toBe(0);
    const body = JSON.parse(stdout);
    expect(body.results.map((r: { modality: string; dimension: string; shape: string }) => `${r.modality}/${r.dimension}:${r.shape}`)).toEqual([
      'text/sentiment:categorical',
      'image/objects:boxes',
      'audio/speech:intervals',
    ]);
    expect(body.results[0]).toMatchObject({ items: 12, annotators: 3, judgements: 35 });
    expect(nonJsonValues(body)).toEqual([]);
  });

  it('adds a seeded bootstrap interval that repeats exactly', async () => {
    const args = ['agreement', PUBLISHED, '--level', 'interval', '--bootstrap', '300', '--seed', '5', '--json'];
    const first = JSON.parse((await run(args)).stdout);
    const second = JSON.parse((await run(args)).stdout);
    expect(first.ci).toEqual(second.ci);
    expect(first.ci).toMatchObject({ samples: 300, seed: 5 });
  });

  it('reads canonical JSONL, detected from its content', async () => {
    const rows = [
      ['u1', 'a', 'x'],
      ['u1', 'b', 'x'],
      ['u2', 'a', 'y'],
      ['u2', 'b', 'x'],
    ];
    const file = scratchFile('judgements.data', rows.map(([item, annotator, label]) => JSON.stringify({ item, annotator, label })).join('\n'));
    const { code, stdout } = await run(['agreement', file, '--json']);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ items: 2, annotators: 2, percentAgreement: 0.5 });
  });
});

describe('concord temporal', () => {
  it('prints labels[] with pairs[] and meanIoU for the one segment dimension', async () => {
    const { code, stdout } = await run(['temporal', MULTIMODAL, '--threshold', '0.3', '--json']);
    expect(code).toBe(0);
    const result = JSON.parse(stdout);
    expect(result).toMatchObject({ modality: 'audio', dimension: 'speech', threshold: 0.3, items: 3, annotators: 3 });
    expect(result.labels.map((label: { label: string }) => label.label)).toEqual(['music', 'speech']);
    expect(result.labels[0].pairs[0]).toEqual(expect.objectContaining({ a: 'ann1', b: 'ann2', iou: expect.any(Number) }));
    expect(result.meanIoU).toBeGreaterThan(0.5);
  });

  it('exits 2 for a file without segments', async () => {
    const { code, stderr } = await run(['temporal', PUBLISHED]);
    expect(code).toBe(2);
    expect(stderr).toBe(`${PUBLISHED}: has no segments (records with start and end) to compare\n`);
  });
});

describe('bad input', () => {
  it('exits 2 naming FILE:LINE and the field of every problem', async () => {
    const file = scratchFile(
      'bad.csv',
      'item,annotator,label,start,end\n' +
        'u1,a,x,,\n' +
        ',a,x,,\n' +
        'u2,a,x,3,1\n' +
        'u3,a\n' +
        'u4,a,x,abc,\n',
    );
    const { code, stdout, stderr } = await run(['agreement', file]);
    expect({ code, stdout }).toEqual({ code: 2, stdout: '' });
    expect(stderr.trimEnd().split('\n')).toEqual([
      `${file}:3: item: is empty`,
      `${file}:4: end: end (1) must be greater than start (3)`,
      `${file}:5: expected 5 fields (as in the header), found 2`,
      `${file}:6: start: "abc" is not a finite number`,
    ]);
  });

  it('names both lines of a duplicate judgement', async () => {
    const file = scratchFile('duplicate.csv', 'item,annotator,label\nu1,a,x\nu1,b,x\nu2,a,y\nu1,a,y\n');
    const { code, stderr } = await run(['agreement', file]);
    expect(code).toBe(2);
    expect(stderr).toBe(`${file}:5: annotator "a" judged item "u1" in text/label twice (lines 2 and 5)\n`);
  });

  it('names the line of a label that is not a number at a numeric level', async () => {
    const file = scratchFile('ordinal.csv', 'item,annotator,label\nu1,a,1\nu1,b,high\n');
    const { code, stderr } = await run(['agreement', file, '--level', 'ordinal']);
    expect(code).toBe(2);
    expect(stderr).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3: label "high" is not a number`));
  });

  it('shows the first 100 problems, then how many more there are', async () => {
    const rows = Array.from({ length: 150 }, (_, index) => `,annotator${index},x`);
    const file = scratchFile('many.csv', `item,annotator,label\n${rows.join('\n')}\n`);
    const { code, stderr } = await run(['agreement', file]);
    const lines = stderr.trimEnd().split('\n');
    expect(code).toBe(2);
    expect(lines).toHaveLength(101);
    expect(lines[0]).toBe(`${file}:2: item: is empty`);
    expect(lines[100]).toBe('… and 50 more');
  });

  it.each([
    ['a missing file', ['agreement', '/nonexistent/x.csv'], 'concord: cannot read /nonexistent/x.csv: no such file'],
    ['a directory', ['agreement', EXAMPLES], `concord: cannot read ${EXAMPLES}: it is a directory`],
  ])('exits 2 for %s', async (_name, argv, message) => {
    const { code, stderr } = await run(argv);
    expect(code).toBe(2);
    expect(stderr).toBe(`${message}\n`);
  });

  it('exits 2 for an empty file and for an unknown --format', async () => {
    const empty = scratchFile('empty.csv', '');
    expect(await run(['agreement', empty])).toEqual({ code: 2, stdout: '', stderr: `${empty}: is empty\n` });
    const unknown = await run(['agreement', PUBLISHED, '--format', 'xml']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe(`${PUBLISHED}: unknown format "xml" (known: ${formatNames().join(', ')})\n`);
  });

  it('reads a file as the format --format names', async () => {
    const { code, stderr } = await run(['agreement', PUBLISHED, '--format', 'jsonl']);
    expect(code).toBe(2);
    expect(stderr).toContain(`${PUBLISHED}:1: not valid JSON`);
  });
});

describe('usage', () => {
  it.each([
    ['an unknown option', ['agreement', PUBLISHED, '--frobnicate'], "Unknown option '--frobnicate'"],
    ['a bad level', ['agreement', PUBLISHED, '--level', 'cardinal'], '--level must be one of nominal, ordinal, interval, ratio, got "cardinal"'],
    ['a bad bootstrap count', ['agreement', PUBLISHED, '--bootstrap', '2.5'], '--bootstrap must be an integer'],
    ['--seed without --bootstrap', ['agreement', PUBLISHED, '--seed', '3'], '--seed only applies with --bootstrap N'],
    ['a threshold above 1', ['temporal', MULTIMODAL, '--threshold', '1.5'], '--threshold must be a number from 0 to 1'],
    ['no FILE', ['agreement'], 'missing FILE'],
  ])('exits 2 with the usage for %s', async (_name, argv, message) => {
    const { code, stdout, stderr } = await run(argv);
    expect({ code, stdout }).toEqual({ code: 2, stdout: '' });
    expect(stderr).toContain(message);
    expect(stderr).toContain(`Usage: concord ${argv[0]} FILE`);
  });

  it('prints help on stdout and exits 0', async () => {
    const top = await run(['--help']);
    expect(top.code).toBe(0);
    expect(top.stdout).toMatch(/agreement\s+inter-annotator agreement/);
    expect(top.stdout).toMatch(/temporal\s+temporal agreement/);
    const command = await run(['temporal', '--help']);
    expect(command).toEqual({ code: 0, stdout: expect.stringContaining('--threshold T'), stderr: '' });
  });

  it('exits 2 for no command or an unknown one', async () => {
    expect((await run([])).code).toBe(2);
    const unknown = await run(['report', PUBLISHED]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command "report"');
  });
});

describe('progress bar', () => {
  let big: string;
  beforeAll(() => {
    const rows: string[] = ['item,annotator,label'];
    for (let item = 0; rows.length * 30 < PROGRESS_MIN_BYTES + 100_000; item++) {
      for (let annotator = 0; annotator < 3; annotator++) rows.push(`item${String(item).padStart(8, '0')},annotator${annotator},label${(item * annotator) % 7}`);
    }
    big = scratchFile('big.csv', `${rows.join('\n')}\n`);
  });

  it('stays off stderr when stderr is not a terminal', async () => {
    const { code, stderr } = await run(['agreement', big, '--json']);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
  });

  it('draws on stderr only, for a large file on a terminal', async () => {
    const { code, stdout, stderr } = await run(['agreement', big, '--json'], { tty: true });
    expect(code).toBe(0);
    expect(stderr).toMatch(/\r\[#*-*\] \d+% [\d.]+\/[\d.]+ MB [\d.]+ MB\/s/);
    expect(stderr.endsWith('\r\x1b[K')).toBe(true);
    expect(JSON.parse(stdout).annotators).toBe(3);
  });
});
