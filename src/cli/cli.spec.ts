import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipArchive } from '../../test/helpers/zip-writer';
import { main } from './main';
import { PROGRESS_MIN_BYTES } from './progress-bar';
import { formatNames } from '../ingest/detect-format';

const EXAMPLES = join(__dirname, '..', '..', 'examples');
const FIXTURES = join(__dirname, '..', '..', 'test', 'fixtures');
const LS_MIXED = join(FIXTURES, 'label-studio', 'mixed-export.json');
const LS_MIXED_CSV = join(FIXTURES, 'label-studio', 'mixed-export.equivalent.csv');
const CVAT_A = join(FIXTURES, 'cvat', 'video-annotator-a.xml');
const CVAT_B = join(FIXTURES, 'cvat', 'video-annotator-b.xml');
const ELAN_TWO = join(FIXTURES, 'elan', 'two-annotators.eaf');
const ELAN_A = join(FIXTURES, 'elan', 'coder_a.eaf');
const ELAN_B = join(FIXTURES, 'elan', 'coder_b.eaf');
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

interface Result {
  modality: string;
  dimension: string;
  goldJudgements: number;
  annotators: number;
  [figure: string]: unknown;
}

/** `--json` output as results[] (one dimension's result is at the top level) and the ingest summary. */
function parsed(stdout: string): { results: Result[]; ingest: Record<string, unknown> } {
  const body = JSON.parse(stdout) as { results?: Result[]; ingest: Record<string, unknown> } & Result;
  if (body.results !== undefined) return { results: body.results, ingest: body.ingest };
  const { ingest, ...result } = body;
  return { results: [result as Result], ingest };
}

describe('concord agreement: export formats', () => {
  it('reads a Label Studio export, detected from its content, keeping gold apart and free text out', async () => {
    const { code, stdout, stderr } = await run(['agreement', LS_MIXED, '--fps', '30', '--json']);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const { results, ingest } = parsed(stdout);
    expect(results.map((r) => `${r.modality}/${r.dimension}:${r.annotators}:${r.goldJudgements}`)).toEqual([
      'text/ner:2:0',
      'text/sentiment:3:0',
      'image/objects:2:0',
      'audio/speaker:2:0',
      'video/action:1:2',
    ]);
    expect(ingest).toEqual({
      files: [
        {
          file: LS_MIXED,
          format: 'label-studio',
          records: 20,
          stats: { tasks: 5, annotations: 11, cancelledAnnotations: 1, goldAnnotations: 1, skippedRelations: 0, ignoredPredictions: 0 },
        },
      ],
      records: 20,
      goldJudgements: 2,
      textRecords: 1,
      textDimensions: [{ modality: 'audio', dimension: 'utterance', records: 1 }],
      stats: { tasks: 5, annotations: 11, cancelledAnnotations: 1, goldAnnotations: 1, skippedRelations: 0, ignoredPredictions: 0 },
    });
    expect(nonJsonValues(JSON.parse(stdout))).toEqual([]);
  });

  it('computes for a Label Studio export exactly what it computes for the same judgements as canonical CSV', async () => {
    const fromExport = await run(['agreement', LS_MIXED, '--fps', '30', '--bootstrap', '200', '--seed', '3', '--json']);
    const fromCsv = await run(['agreement', LS_MIXED_CSV, '--bootstrap', '200', '--seed', '3', '--json']);
    expect([fromExport.code, fromCsv.code]).toEqual([0, 0]);
    const exported = parsed(fromExport.stdout).results;
    const canonical = parsed(fromCsv.stdout).results;
    // The CSV cannot mark gold: it leaves out the export's ground-truth annotation, which is only counted.
    expect(exported).toEqual(canonical.map((result) => (result.dimension === 'action' ? { ...result, goldJudgements: 2 } : result)));
    expect(exported.find((result) => result.dimension === 'sentiment')).toMatchObject({ alpha: expect.any(Number), ci: { samples: 200, seed: 3 } });
  });

  it('says on stderr, in table mode, what the export skipped and set apart', async () => {
    const { code, stdout, stderr } = await run(['agreement', LS_MIXED, '--fps', '30']);
    expect(code).toBe(0);
    expect(stderr).toBe(
      `concord: ${LS_MIXED} (label-studio): 5 tasks, 11 annotations; 1 cancelled annotation skipped, 1 ground-truth annotation read as gold\n` +
        'concord: 2 gold judgements kept apart: not a peer in agreement\n' +
        'concord: 1 free-text record (audio/utterance) not analysed\n',
    );
    expect(stdout).toContain('video/action  segments: 1 items, 1 annotators, 2 segments (+ 2 gold, kept apart), match at IoU ≥ 0.5');
  });

  it('names the file and the JSON path of every problem of an export', async () => {
    const malformed = join(FIXTURES, 'label-studio', 'malformed-values.json');
    const { code, stdout, stderr } = await run(['agreement', malformed]);
    expect({ code, stdout }).toEqual({ code: 2, stdout: '' });
    const lines = stderr.trimEnd().split('\n');
    expect(lines[0]).toBe(`${malformed}: [0].annotations[0].result[0].value.start: must be a character offset (a whole number ≥ 0), got "0"`);
    expect(lines).toContain(`${malformed}:40: [3]: must be a task object`);
    const withoutFps = await run(['agreement', LS_MIXED]);
    expect(withoutFps.code).toBe(2);
    expect(withoutFps.stderr).toMatch(new RegExp(`^${escaped(LS_MIXED)}: \\[3\\]\\.annotations\\[0\\]\\.result\\[0\\]\\.value\\.ranges: timelinelabels count video frames: give the frame rate \\(fps\\)`));
  });

  it('names both places of a judgement given twice in an export', async () => {
    const task = (annotation: number, label: string): unknown => ({
      id: annotation,
      completed_by: 7,
      result: [{ id: `r${annotation}`, from_name: 'sentiment', to_name: 'text', type: 'choices', value: { choices: [label] } }],
    });
    const file = scratchFile('twice.json', JSON.stringify([{ id: 1, data: { text: 'x' }, annotations: [task(1, 'A'), task(2, 'B')] }]));
    const { code, stderr } = await run(['agreement', file]);
    expect(code).toBe(2);
    expect(stderr).toBe(
      `${file}: [0].annotations[1].result[0]: annotator "7" judged item "1" in text/sentiment twice ([0].annotations[0].result[0] and [0].annotations[1].result[0])\n`,
    );
  });

  it('reads one CVAT export per annotator as one data set, each file with its annotator', async () => {
    const { code, stdout, stderr } = await run(['agreement', CVAT_A, CVAT_B, '--annotator', 'video-annotator-a.xml=alice', '--annotator', `${CVAT_B}=bob`, '--json']);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const { results, ingest } = parsed(stdout);
    expect(results[0]).toMatchObject({ modality: 'video', dimension: 'objects', shape: 'boxes', annotators: 2, items: 1 });
    expect((results[0]!.pairs as Array<{ a: string; b: string }>).map((pair) => `${pair.a}-${pair.b}`)).toEqual(['alice-bob']);
    expect(ingest.files).toEqual([
      { file: CVAT_A, format: 'cvat', records: expect.any(Number), annotator: 'alice' },
      { file: CVAT_B, format: 'cvat', records: expect.any(Number), annotator: 'bob' },
    ]);
  });

  it('says which CVAT file lacks its annotator, and refuses an --annotator FILE that names no file', async () => {
    const missing = await run(['agreement', CVAT_A, CVAT_B, '--annotator', 'video-annotator-a.xml=alice']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(new RegExp(`^${escaped(CVAT_B)}:44: 44:3 <track>: the annotator is missing`));
    expect(missing.stderr.trimEnd().split('\n')).toHaveLength(1);
    const typo = await run(['agreement', CVAT_A, '--annotator', 'video-annotator-c.xml=carol', '--annotator', 'dave']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('--annotator video-annotator-c.xml=…: no FILE or zip entry is named "video-annotator-c.xml"');
  });

  it('reads ELAN with annotators from the tiers, from a --tier-pattern, or one file per annotator', async () => {
    const fromTiers = await run(['agreement', ELAN_TWO, '--json']);
    expect(fromTiers.code).toBe(0);
    expect(parsed(fromTiers.stdout).results[0]).toMatchObject({ modality: 'video', dimension: 'gesture', shape: 'intervals', annotators: 2, segments: 5 });

    const perFile = await run(['agreement', ELAN_A, ELAN_B, '--annotator', 'coder_a.eaf=coder_a', '--annotator', 'coder_b.eaf=coder_b', '--json']);
    expect(perFile.code).toBe(0);
    const perFileResults = parsed(perFile.stdout).results;
    expect(perFileResults.find((result) => result.dimension === 'gesture')).toMatchObject({ annotators: 2 });

    const tiers = scratchFile('tiers.eaf', readFileSync(ELAN_TWO, 'utf8').replace(/TIER_ID="gesture@(coder_[ab])"/g, 'TIER_ID="$1-gesture"').replace(/ ANNOTATOR="coder_[ab]"/g, ''));
    const patterned = await run(['agreement', tiers, '--tier-pattern', '^(?<annotator>[^-]+)-(?<dimension>.+)$', '--modality', 'gesture=audio', '--json']);
    expect(patterned.code).toBe(0);
    const [result] = parsed(patterned.stdout).results;
    const [reference] = parsed(fromTiers.stdout).results;
    expect(result).toEqual({ ...reference, modality: 'audio' });
  });

  it('reads a zip of exports as the files it holds, annotators named by entry', async () => {
    const archive = join(scratch, 'cvat-exports.zip');
    writeFileSync(
      archive,
      zipArchive([
        { name: 'exports/', content: '', method: 'store' },
        { name: 'exports/video-annotator-a.xml', content: readFileSync(CVAT_A) },
        { name: '__MACOSX/exports/._video-annotator-a.xml', content: 'resource fork' },
        { name: 'exports/video-annotator-b.xml', content: readFileSync(CVAT_B), method: 'store' },
      ]),
    );
    const zipped = await run(['agreement', archive, '--annotator', 'exports/video-annotator-a.xml=alice', '--annotator', 'video-annotator-b.xml=bob', '--json']);
    const plain = await run(['agreement', CVAT_A, CVAT_B, '--annotator', 'video-annotator-a.xml=alice', '--annotator', 'video-annotator-b.xml=bob', '--json']);
    expect({ code: zipped.code, stderr: zipped.stderr }).toEqual({ code: 0, stderr: '' });
    expect(parsed(zipped.stdout).results).toEqual(parsed(plain.stdout).results);
    expect((parsed(zipped.stdout).ingest.files as Array<{ file: string }>).map((file) => file.file)).toEqual([
      `${archive}/exports/video-annotator-a.xml`,
      `${archive}/exports/video-annotator-b.xml`,
    ]);

    const missing = await run(['agreement', archive, '--annotator', 'video-annotator-a.xml=alice']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(new RegExp(`^${escaped(archive)}/exports/video-annotator-b\\.xml:44: 44:3 <track>: the annotator is missing`));
  });

  it('refuses a zip bomb before reading it', async () => {
    const bomb = join(scratch, 'bomb.zip');
    writeFileSync(bomb, zipArchive([{ name: 'export.csv', content: Buffer.alloc(4 * 1024 * 1024, 0x20) }]));
    const { code, stderr } = await run(['agreement', bomb]);
    expect(code).toBe(2);
    expect(stderr).toMatch(new RegExp(`^${escaped(bomb)}/export\\.csv: has a compression ratio of \\d+:1, more than the limit of 200:1 \\(a zip bomb\\?\\)\\n$`));
  });

  it('reads several canonical files as one data set, naming the file of each line', async () => {
    const first = scratchFile('part1.csv', 'item,annotator,label\nu1,a,x\nu2,a,y\n');
    const second = scratchFile('part2.jsonl', '{"item":"u1","annotator":"b","label":"x"}\n{"item":"u2","annotator":"b","label":"x"}\n');
    const together = await run(['agreement', first, second, '--json']);
    expect(together.code).toBe(0);
    expect(parsed(together.stdout).results[0]).toMatchObject({ items: 2, annotators: 2, percentAgreement: 0.5 });

    const third = scratchFile('part3.csv', 'item,annotator,label\nu3,c,x\nu1,a,z\n');
    const { code, stderr } = await run(['agreement', first, second, third]);
    expect(code).toBe(2);
    expect(stderr).toBe(`${third}:3: annotator "a" judged item "u1" in text/label twice (${first} line 2 and ${third} line 3)\n`);
  });

  it.each([
    ['--modality without =', ['--modality', 'audio'], '--modality must be NAME=MODALITY with MODALITY one of text, image, audio, video, sensor, got "audio"'],
    ['--modality with an unknown modality', ['--modality', 'speaker=speech'], 'got "speaker=speech"'],
    ['a zero --fps', ['--fps', '0'], '--fps must be a number from 0.001 to 10000, got "0"'],
    ['a nested --tier-pattern', ['--tier-pattern', '^(?<annotator>a+)+$'], '--tier-pattern repeats a group that holds a quantifier'],
    ['two default annotators', ['--annotator', 'x', '--annotator', 'y'], '--annotator NAME is given twice ("x", "y")'],
    ['two annotators for one file', ['--annotator', 'f.xml=x', '--annotator', 'f.xml=y'], '--annotator names two annotators for "f.xml"'],
  ])('exits 2 with the usage for %s', async (_name, options, message) => {
    const { code, stderr } = await run(['agreement', LS_MIXED, ...options]);
    expect(code).toBe(2);
    expect(stderr).toContain(message);
    expect(stderr).toContain('Usage: concord agreement FILE...');
  });
});

function escaped(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

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
    expect(stderr).toContain(`Usage: concord ${argv[0]} FILE...`);
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
    const unknown = await run(['reprot', PUBLISHED]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command "reprot"');
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
