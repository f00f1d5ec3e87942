import { analyzeDataset } from './analyze';
import { DatasetBuilder, type Dataset, type JudgementRecord } from './dataset';
import { evaluateDataset, type EvaluateOptions } from './evaluate';
import { DEFAULT_POLICY, type CrossModalMapping } from './evaluation.types';

type Row = Partial<JudgementRecord>;

function datasetOf(records: readonly Row[]): Dataset {
  const builder = new DatasetBuilder();
  records.forEach((overrides, index) =>
    builder.add(
      { item: 'i1', annotator: 'a', modality: 'text', dimension: 'sentiment', label: null, value: null, start: null, end: null, frame: null, box: null, ...overrides },
      index + 2,
    ),
  );
  return builder.build();
}

function evaluate(records: readonly Row[], options: Partial<EvaluateOptions> = {}) {
  const dataset = datasetOf(records);
  const policy = options.policy ?? DEFAULT_POLICY;
  const { results } = analyzeDataset(dataset, { threshold: policy.matchThreshold });
  return evaluateDataset(dataset, results, { policy, crossModal: [], ...options });
}

/** 40 items, three annotators agreeing except on one item (2.5% flagged). */
function mostlyAgreeing(): Row[] {
  const rows: Row[] = [];
  for (let item = 0; item < 40; item++) {
    const label = ['pos', 'neg', 'neu'][item % 3]!;
    for (const annotator of ['alice', 'bob', 'carol']) rows.push({ item: `r${item}`, annotator, label: item === 7 && annotator === 'carol' ? 'pos' : label });
  }
  return rows;
}

/** Speech in audio and lip movement in video, the video `lag` seconds late, on `items` clips. */
function streams(items: number, lag: number): Row[] {
  const rows: Row[] = [];
  for (let item = 0; item < items; item++) {
    const spans: Array<[number, number]> = [
      [1 + item * 0.1, 3],
      [5, 6.5 + item * 0.05],
    ];
    for (const annotator of ['alice', 'bob']) {
      for (const [start, end] of spans) {
        rows.push({ item: `c${item}`, annotator, modality: 'audio', dimension: 'speech', label: 'speech', start, end });
        rows.push({ item: `c${item}`, annotator, modality: 'video', dimension: 'lips', label: 'moving', start: start + lag, end: end + lag });
      }
    }
  }
  return rows;
}

describe('evaluateDataset', () => {
  it('passes a batch that meets the policy and fails it when the policy asks for more', () => {
    const passing = evaluate(mostlyAgreeing());
    expect(passing).toMatchObject({ items: 40, flaggedItems: 1, flaggedItemShare: 0.025, sync: [], crossModal: [], gold: [], policy: DEFAULT_POLICY });
    expect(passing.verdict.verdict).toBe('pass');
    expect(passing.flags.map((flag) => flag.key)).toEqual(['LABEL_CONFLICT|text/sentiment|r7|carol|']);

    const alpha = passing.verdict.checks.find((check) => check.rule === 'minAlpha')!.measured!;
    const strict = { ...DEFAULT_POLICY, minAlpha: 0.99, maxFlaggedItemShare: 0.01 };
    const failing = evaluate(mostlyAgreeing(), { policy: strict });
    expect(failing.verdict.verdict).toBe('fail');
    expect(failing.verdict.reasons.map(({ rule, threshold, measured }) => ({ rule, threshold, measured }))).toEqual([
      { rule: 'minAlpha', threshold: 0.99, measured: alpha },
      { rule: 'maxFlaggedItemShare', threshold: 0.01, measured: 0.025 },
    ]);
    expect(failing.policy).toBe(strict);
  });

  it('is deterministic: the records in another order give the same evaluation', () => {
    const single = (item: string, annotator: string): Row => ({ item, annotator, label: 'pos' });
    const rows = [...mostlyAgreeing(), single('r50', 'alice'), single('r51', 'bob'), ...streams(4, 0.5)];
    const forward = evaluate(rows);
    const backward = evaluate([...rows].reverse());
    expect(JSON.stringify(backward)).toBe(JSON.stringify(forward));
    expect(forward.flags.map((flag) => flag.code)).toContain('MISSING_ANNOTATION');
    expect(forward.verdict.reasons.find((reason) => reason.rule === 'minJudgementsPerItem')).toMatchObject({ subject: 'r50', measured: 1 });
  });

  it('flags a systematic stream offset once, at batch level, and fails maxStreamOffsetSeconds', () => {
    const evaluation = evaluate(streams(10, 0.5));
    expect(evaluation.sync).toHaveLength(1);
    expect(evaluation.sync[0]).toMatchObject({ systematic: true, medianOffset: expect.closeTo(0.5, 9) });
    const desync = evaluation.flags.filter((flag) => flag.code === 'STREAM_DESYNC');
    // Every item lags by the same 0.5 s: one pipeline defect, not ten item defects.
    expect(desync).toEqual([expect.objectContaining({ key: 'STREAM_DESYNC|audio/speech~video/lips|||systematic', severity: 'high', item: null })]);
    expect(evaluation.flaggedItemShare).toBe(0);
    expect(evaluation.verdict.reasons.map((reason) => reason.rule)).toEqual(['maxStreamOffsetSeconds']);
  });

  it('leaves text spans out of the streams unless isTimed says otherwise', () => {
    const rows = streams(3, 0).map((row) => (row.modality === 'video' ? { ...row, modality: 'text' as const } : row));
    expect(evaluate(rows).sync).toEqual([]);
    expect(evaluate(rows, { isTimed: () => true }).sync).toHaveLength(1);
  });

  it('turns each cross-modal conflict into a CROSS_MODAL_CONFLICT flag', () => {
    const mapping: CrossModalMapping = {
      concept: 'valence',
      sources: [
        { modality: 'audio', dimension: 'emotion', map: { happy: '+', sad: '-' } },
        { modality: 'video', dimension: 'face', map: { smile: '+', frown: '-' } },
      ],
    };
    const rows: Row[] = [];
    for (const annotator of ['alice', 'bob']) {
      rows.push({ item: 'c1', annotator, modality: 'audio', dimension: 'emotion', label: 'happy', start: 0, end: 10 });
      rows.push({ item: 'c1', annotator, modality: 'video', dimension: 'face', label: 'smile', start: 0, end: 4 });
      rows.push({ item: 'c1', annotator, modality: 'video', dimension: 'face', label: 'frown', start: 4, end: 10 });
    }
    const evaluation = evaluate(rows, { crossModal: [mapping] });
    const conflicts = evaluation.crossModal[0]!.conflicts;
    expect(conflicts.length).toBeGreaterThan(0);
    expect(evaluation.flags.filter((flag) => flag.code === 'CROSS_MODAL_CONFLICT').map((flag) => [flag.item, flag.start, flag.end])).toEqual(
      conflicts.map((conflict) => [conflict.item, conflict.start, conflict.end]),
    );
  });
});
