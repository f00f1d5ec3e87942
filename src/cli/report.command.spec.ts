import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from './main';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function run(argv: string[]): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text), isTTY: false },
  });
  return { code, stdout, stderr };
}

let scratch: string;
const scratchFile = (name: string, text: string): string => {
  const file = join(scratch, name);
  writeFileSync(file, text);
  return file;
};

/** 40 items of text/sentiment by three annotators who disagree on one item (2.5% flagged). */
function agreeingCsv(extraRows: string[] = []): string {
  const rows = ['item,annotator,modality,dimension,label'];
  for (let item = 0; item < 40; item++) {
    const label = ['pos', 'neg', 'neu'][item % 3]!;
    for (const annotator of ['alice', 'bob', 'carol']) rows.push(`r${item},${annotator},text,sentiment,${item === 7 && annotator === 'carol' ? 'pos' : label}`);
  }
  return [...rows, ...extraRows].join('\n') + '\n';
}

/** Speech (audio) and lip movement (video) on ten clips, the video half a second late. */
function laggingCsv(): string {
  const rows = ['item,annotator,modality,dimension,label,start,end'];
  for (let item = 0; item < 10; item++) {
    for (const annotator of ['alice', 'bob']) {
      for (const [start, end] of [
        [1 + item * 0.1, 3],
        [5, 6.5 + item * 0.05],
      ] as const) {
        rows.push(`c${item},${annotator},audio,speech,speech,${start},${end}`);
        rows.push(`c${item},${annotator},video,lips,moving,${start + 0.5},${end + 0.5}`);
      }
    }
  }
  return rows.join('\n') + '\n';
}

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'concord-report-'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('concord report', () => {
  it('exits 0 for a batch that meets the default policy and prints the verdict, the flag counts and the flags', async () => {
    const file = scratchFile('agreeing.csv', agreeingCsv());
    const { code, stdout, stderr } = await run(['report', file]);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toBe(
      [
        'Verdict: PASS (3 checks, policy defaults)',
        '',
        'Items: 40, flagged 1 (2.5%)',
        '',
        'Flags: 1',
        '  LABEL_CONFLICT              1  (high 0, medium 1, low 0)',
        '',
        'Flags:',
        '  [medium] LABEL_CONFLICT: Annotators disagree on item "r7" in text/sentiment: "neg" (alice and bob) against "pos" (carol).',
        '',
      ].join('\n'),
    );
  });

  it('gives one JSON object with --json: verdict, reasons, results, flags, sync, crossModal, gold, the inferred schema and the policy', async () => {
    const file = scratchFile('agreeing.csv', agreeingCsv());
    const { code, stdout, stderr } = await run(['report', file, '--json']);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const body = JSON.parse(stdout);
    expect(Object.keys(body)).toEqual([
      'verdict',
      'reasons',
      'checks',
      'results',
      'flags',
      'sync',
      'crossModal',
      'gold',
      'items',
      'flaggedItems',
      'flaggedItemShare',
      'schema',
      'schemaInferred',
      'policy',
      'ingest',
    ]);
    expect(body).toMatchObject({
      verdict: 'pass',
      reasons: [],
      results: [{ modality: 'text', dimension: 'sentiment', shape: 'categorical', items: 40 }],
      flags: [
        {
          key: 'LABEL_CONFLICT|text/sentiment|r7|carol|',
          code: 'LABEL_CONFLICT',
          severity: 'medium',
          item: 'r7',
          modality: 'text',
          dimension: 'sentiment',
          annotators: ['carol'],
          start: null,
          end: null,
          evidence: { votes: [{ label: 'neg', annotators: ['alice', 'bob'] }, { label: 'pos', annotators: ['carol'] }] },
        },
      ],
      sync: [],
      crossModal: [],
      gold: [],
      flaggedItemShare: 0.025,
      schema: { dimensions: [{ modality: 'text', dimension: 'sentiment' }] },
      schemaInferred: true,
      policy: { minAlpha: 0.667, maxFlaggedItemShare: 0.05, minGoldAccuracy: null },
    });
  });

  it('exits 1 when a policy asks for more, every failed rule a reason with threshold and measured figure', async () => {
    const file = scratchFile('agreeing.csv', agreeingCsv());
    const policy = scratchFile('strict.json', JSON.stringify({ minAlpha: 0.99, minAlphaByDimension: {}, maxFlaggedItemShare: 0.01 }));
    const { code, stdout } = await run(['report', file, '--policy', policy, '--json']);
    expect(code).toBe(1);
    const body = JSON.parse(stdout);
    expect(body.verdict).toBe('fail');
    expect(body.reasons.map(({ rule, dimension, threshold, measured }: Record<string, unknown>) => ({ rule, dimension, threshold, measured }))).toEqual([
      { rule: 'minAlpha', dimension: 'sentiment', threshold: 0.99, measured: body.results[0].alpha },
      { rule: 'maxFlaggedItemShare', dimension: null, threshold: 0.01, measured: 0.025 },
    ]);
    expect(body.policy).toMatchObject({ minAlpha: 0.99, maxFlaggedItemShare: 0.01, minMeanIoU: 0.5 });

    const text = await run(['report', file, '--policy', policy]);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain(`Verdict: FAIL (3 checks, policy ${policy})`);
    expect(text.stdout).toContain('Failed rules:\n  minAlpha: Alpha of text/sentiment is ');
    expect(text.stdout).toContain('  maxFlaggedItemShare: The share of flagged items (1 of 40) is 0.025, above 0.01.');
  });

  it('flags missing judgements and fails minJudgementsPerItem', async () => {
    const file = scratchFile('missing.csv', agreeingCsv(['r40,alice,text,sentiment,pos']));
    const { code, stdout } = await run(['report', file, '--json']);
    expect(code).toBe(1);
    const body = JSON.parse(stdout);
    expect(body.flags.filter((flag: { code: string }) => flag.code === 'MISSING_ANNOTATION')).toEqual([
      expect.objectContaining({ item: 'r40', severity: 'high', evidence: { judged: ['alice'], notJudged: ['bob', 'carol'], required: 2 } }),
    ]);
    expect(body.reasons).toEqual([
      expect.objectContaining({ rule: 'minJudgementsPerItem', subject: 'r40', threshold: 2, measured: 1 }),
    ]);
  });

  it('reports a systematic lag between two modalities', async () => {
    const file = scratchFile('lagging.csv', laggingCsv());
    const { code, stdout } = await run(['report', file, '--json']);
    expect(code).toBe(1);
    const body = JSON.parse(stdout);
    expect(body.sync).toEqual([expect.objectContaining({ systematic: true, items: 10 })]);
    expect(body.flags[0]).toMatchObject({ key: 'STREAM_DESYNC|audio/speech~video/lips|||systematic', severity: 'high', item: null });
    expect(body.reasons.map((reason: { rule: string }) => reason.rule)).toEqual(['maxStreamOffsetSeconds']);
  });

  it('takes a schema: its gold annotators are measured against, never peers', async () => {
    const file = scratchFile('gold.csv', agreeingCsv(['r0,expert,text,sentiment,pos', 'r1,expert,text,sentiment,neg', 'r2,expert,text,sentiment,pos']));
    const schema = scratchFile('schema.json', JSON.stringify({ dimensions: [{ modality: 'text', dimension: 'sentiment', labels: ['pos', 'neg', 'neu'] }], goldAnnotators: ['expert'] }));
    const { code, stdout, stderr } = await run(['report', file, '--schema', schema, '--json']);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const body = JSON.parse(stdout);
    expect(body.schemaInferred).toBe(false);
    expect(body.results[0]).toMatchObject({ annotators: 3, goldJudgements: 3 });
    expect(body.gold).toEqual([
      { modality: 'text', dimension: 'sentiment', annotator: 'alice', items: 3, accuracy: 2 / 3, measure: 'label-accuracy', undefinedReason: null },
      { modality: 'text', dimension: 'sentiment', annotator: 'bob', items: 3, accuracy: 2 / 3, measure: 'label-accuracy', undefinedReason: null },
      { modality: 'text', dimension: 'sentiment', annotator: 'carol', items: 3, accuracy: 2 / 3, measure: 'label-accuracy', undefinedReason: null },
    ]);
  });

  it('takes a schema’s cross-modal mappings: each conflict a CROSS_MODAL_CONFLICT flag', async () => {
    const rows = ['item,annotator,modality,dimension,label,start,end'];
    for (const annotator of ['alice', 'bob']) {
      rows.push(`c1,${annotator},audio,emotion,happy,0,10`, `c1,${annotator},video,face,smile,0,4`, `c1,${annotator},video,face,frown,4,10`);
    }
    const file = scratchFile('valence.csv', rows.join('\n') + '\n');
    const schema = scratchFile(
      'valence.json',
      JSON.stringify({
        crossModal: [
          {
            concept: 'valence',
            sources: [
              { modality: 'audio', dimension: 'emotion', map: { happy: '+', sad: '-' } },
              { modality: 'video', dimension: 'face', map: { smile: '+', frown: '-' } },
            ],
          },
        ],
      }),
    );
    const { stdout } = await run(['report', file, '--schema', schema, '--json']);
    const body = JSON.parse(stdout);
    expect(body.crossModal).toEqual([expect.objectContaining({ concept: 'valence', conflicts: [expect.objectContaining({ item: 'c1', start: 4, end: 10 })] })]);
    expect(body.flags.filter((flag: { code: string }) => flag.code === 'CROSS_MODAL_CONFLICT')).toEqual([
      expect.objectContaining({ key: 'CROSS_MODAL_CONFLICT|valence|c1||4.000-10.000', modality: null, dimension: 'valence', start: 4, end: 10 }),
    ]);
  });

  it('exits 2 for a label outside the schema, naming the line', async () => {
    const file = scratchFile('outside.csv', agreeingCsv(['r0,dave,text,sentiment,angry']));
    const schema = scratchFile('closed.json', JSON.stringify({ dimensions: [{ modality: 'text', dimension: 'sentiment', labels: ['pos', 'neg', 'neu'] }] }));
    const { code, stdout, stderr } = await run(['report', file, '--schema', schema]);
    expect({ code, stdout }).toEqual({ code: 2, stdout: '' });
    expect(stderr).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:122: label: `));
  });

  it.each([
    { name: 'a syntax error, by line', text: '{\n  "minAlpha": 0.8,\n}\n', expected: /^.*bad\.json:3: not valid JSON: / },
    { name: 'a value out of range, by JSON path', text: '{"minAlpha": 2}', expected: /^.*bad\.json: minAlpha: .*1/ },
    { name: 'a bad per-dimension key, by JSON path', text: '{"minAlphaByDimension": {"sentiment": 0.7}}', expected: /^.*bad\.json: minAlphaByDimension\.sentiment: / },
    { name: 'an unknown rule', text: '{"minKappa": 0.5}', expected: /^.*bad\.json: \(root\): .*minKappa/ },
  ])('exits 2 for a policy with $name', async ({ text, expected }) => {
    const file = scratchFile('agreeing.csv', agreeingCsv());
    const policy = scratchFile('bad.json', text);
    const { code, stdout, stderr } = await run(['report', file, '--policy', policy]);
    expect({ code, stdout }).toEqual({ code: 2, stdout: '' });
    expect(stderr).toMatch(expected);
  });

  it('exits 2 for a policy file that does not exist', async () => {
    const file = scratchFile('agreeing.csv', agreeingCsv());
    const { code, stderr } = await run(['report', file, '--policy', join(scratch, 'absent.json')]);
    expect(code).toBe(2);
    expect(stderr).toBe(`concord: cannot read ${join(scratch, 'absent.json')}: no such file\n`);
  });

  it('is listed in the top-level help', async () => {
    const { stdout } = await run(['--help']);
    expect(stdout).toMatch(/\n {2}report +evaluate FILE against a quality-gate policy/);
  });
});
