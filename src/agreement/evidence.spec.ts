import { analyzeDataset, type CategoricalResult } from './analyze';
import { DatasetBuilder, type Dataset } from './dataset';
import { DEFAULT_POLICY, type CrossModalResult, type Finding, type ResolvedPolicy, type StreamPairSync } from './evaluation.types';
import { compareFindings, crossModalFindings, datasetFindings, findingKey, syncFindings } from './evidence';
import { createRandom, randomInt } from './random';
import { segmentAgreement } from './temporal';
import type { CanonicalRecord, Level } from './types';

function record(overrides: Partial<CanonicalRecord>): CanonicalRecord {
  return { item: 'i1', annotator: 'a', modality: 'text', dimension: 'sentiment', label: null, value: null, start: null, end: null, frame: null, box: null, ...overrides };
}

function datasetOf(records: ReadonlyArray<Partial<CanonicalRecord>>): Dataset {
  const builder = new DatasetBuilder();
  records.forEach((overrides, index) => builder.add(record(overrides), index + 2));
  return builder.build();
}

function findingsOf(dataset: Dataset, policy: Partial<ResolvedPolicy> = {}, levels: Record<string, Level> = {}): Finding[] {
  const resolved = { ...DEFAULT_POLICY, ...policy };
  const { results } = analyzeDataset(dataset, { levels, threshold: resolved.matchThreshold });
  return datasetFindings(dataset, results, { policy: resolved, isTimed: (modality) => modality !== 'text' }).findings.sort(compareFindings);
}

/** One label per annotator on item i1 (text/sentiment); two annotators per item, so no MISSING_ANNOTATION. */
const votes = (labels: Record<string, string>): Array<Partial<CanonicalRecord>> =>
  Object.entries(labels).map(([annotator, label]) => ({ annotator, label }));

/** `{ item, annotator, label, start, end }` segments of audio/speech. */
const segment = (item: string, annotator: string, start: number, end: number, label = 'speech'): Partial<CanonicalRecord> => ({
  item,
  annotator,
  modality: 'audio',
  dimension: 'speech',
  label,
  start,
  end,
});

const box = (annotator: string, label: string, x: number, y: number, w: number, h: number, frame: number | null = null): Partial<CanonicalRecord> => ({
  item: 'img1',
  annotator,
  modality: 'image',
  dimension: 'objects',
  label,
  frame,
  box: { x, y, w, h },
});

const summary = (finding: Finding) => ({ code: finding.code, severity: finding.severity, item: finding.item, annotators: finding.annotators });

describe('datasetFindings: nominal items', () => {
  it.each([
    {
      name: 'a majority with one dissenter in four: LABEL_CONFLICT, low',
      labels: { a: 'pos', b: 'pos', c: 'pos', d: 'neg' },
      expected: [
        {
          key: 'LABEL_CONFLICT|text/sentiment|i1|d|',
          code: 'LABEL_CONFLICT',
          severity: 'low',
          annotators: ['d'],
          evidence: { votes: [{ label: 'pos', annotators: ['a', 'b', 'c'] }, { label: 'neg', annotators: ['d'] }] },
          message: 'Annotators disagree on item "i1" in text/sentiment: "pos" (a, b and c) against "neg" (d).',
        },
      ],
    },
    {
      name: 'a dissent of a third: LABEL_CONFLICT, medium',
      labels: { a: 'pos', b: 'neg', c: 'pos' },
      expected: [
        {
          key: 'LABEL_CONFLICT|text/sentiment|i1|b|',
          code: 'LABEL_CONFLICT',
          severity: 'medium',
          annotators: ['b'],
          evidence: { votes: [{ label: 'pos', annotators: ['a', 'c'] }, { label: 'neg', annotators: ['b'] }] },
        },
      ],
    },
    {
      name: 'a 1–1 split: NO_MAJORITY, high',
      labels: { a: 'pos', b: 'neg' },
      expected: [
        {
          key: 'NO_MAJORITY|text/sentiment|i1|a,b|',
          code: 'NO_MAJORITY',
          severity: 'high',
          annotators: ['a', 'b'],
          evidence: { votes: [{ label: 'neg', annotators: ['b'] }, { label: 'pos', annotators: ['a'] }] },
          message: 'No label has a majority on item "i1" in text/sentiment: "neg" (b), "pos" (a).',
        },
      ],
    },
    {
      name: 'a 2–2 split: NO_MAJORITY, high',
      labels: { a: 'pos', b: 'neg', c: 'neg', d: 'pos' },
      expected: [{ code: 'NO_MAJORITY', severity: 'high', annotators: ['a', 'b', 'c', 'd'] }],
    },
    {
      name: 'three different labels: NO_MAJORITY, high',
      labels: { a: 'pos', b: 'neg', c: 'neu' },
      expected: [{ code: 'NO_MAJORITY', severity: 'high', annotators: ['a', 'b', 'c'] }],
    },
    { name: 'unanimous: nothing', labels: { a: 'pos', b: 'pos', c: 'pos' }, expected: [] },
  ])('$name', ({ labels, expected }) => {
    const findings = findingsOf(datasetOf(votes(labels as Record<string, string>)));
    expect(findings).toHaveLength(expected.length);
    expected.forEach((entry, index) => {
      expect(findings[index]).toMatchObject({ item: 'i1', modality: 'text', dimension: 'sentiment', start: null, end: null, ...entry });
    });
  });
});

describe('datasetFindings: numeric items', () => {
  it('flags the item whose disagreement exceeds the dimension’s expected disagreement (interval level)', () => {
    const values: Array<[string, number, number]> = [
      ['u1', 1, 1],
      ['u2', 2, 2],
      ['u3', 3, 3],
      ['u4', 1, 3],
    ];
    const dataset = datasetOf(
      values.flatMap(([item, a, b]) => [
        { item, annotator: 'a', dimension: 'score', value: a },
        { item, annotator: 'b', dimension: 'score', value: b },
      ]),
    );
    const findings = findingsOf(dataset, {}, { 'text/score': 'interval' });
    // Values 1 1 2 2 3 3 1 3: Σ_{i≠j} (v_i − v_j)² = 2 · 8 · 6 = 96 over 56 ordered pairs.
    expect(findings).toEqual([
      {
        key: 'LOW_ITEM_AGREEMENT|text/score|u4|a,b|values',
        code: 'LOW_ITEM_AGREEMENT',
        severity: 'medium',
        item: 'u4',
        modality: 'text',
        dimension: 'score',
        annotators: ['a', 'b'],
        start: null,
        end: null,
        message: expect.stringMatching(/^Values on item "u4" in text\/score disagree more than chance would \(interval disagreement 4\.000 against 1\.714 expected\): a 1, b 3\.$/),
        evidence: {
          measure: 'disagreement',
          level: 'interval',
          disagreement: 4,
          expectedDisagreement: expect.closeTo(96 / 56, 12),
          values: [
            { annotator: 'a', value: 1 },
            { annotator: 'b', value: 3 },
          ],
        },
      },
    ]);
  });

  it('does not count votes on ordinal items: a 3 next to a 4 is no label conflict', () => {
    const dataset = datasetOf([
      { item: 'u1', annotator: 'a', label: '3' },
      { item: 'u1', annotator: 'b', label: '4' },
      { item: 'u2', annotator: 'a', label: '1' },
      { item: 'u2', annotator: 'b', label: '5' },
    ]);
    const findings = findingsOf(dataset, {}, { sentiment: 'ordinal' });
    expect(findings.map((finding) => finding.code)).not.toContain('NO_MAJORITY');
    expect(findings.map(summary)).toEqual([{ code: 'LOW_ITEM_AGREEMENT', severity: expect.any(String), item: 'u2', annotators: ['a', 'b'] }]);
  });
});

describe('datasetFindings: segments', () => {
  it.each([
    {
      name: 'onsets 0.3 s apart: TEMPORAL_MISALIGNMENT, low (within twice the tolerance)',
      segments: [segment('i1', 'alice', 0, 10), segment('i1', 'bob', 0.3, 10.1)],
      expected: [
        {
          key: 'TEMPORAL_MISALIGNMENT|audio/speech|i1|alice,bob|speech|0.000-10.000|0.300-10.100',
          code: 'TEMPORAL_MISALIGNMENT',
          severity: 'low',
          annotators: ['alice', 'bob'],
          start: 0,
          end: 10.1,
          message:
            'alice\'s and bob\'s "speech" segments on item "i1" in audio/speech are misaligned: onsets differ by 0.300 s, offsets by 0.100 s (tolerance 0.25 s).',
          evidence: {
            label: 'speech',
            a: { annotator: 'alice', start: 0, end: 10 },
            b: { annotator: 'bob', start: 0.3, end: 10.1 },
            onsetDeviation: 0.3,
            offsetDeviation: expect.closeTo(0.1, 12),
            iou: expect.closeTo(9.7 / 10.1, 12),
            tolerance: 0.25,
          },
        },
      ],
    },
    {
      name: 'an offset 0.6 s apart: TEMPORAL_MISALIGNMENT, medium',
      segments: [segment('i1', 'alice', 0, 10), segment('i1', 'bob', 0, 10.6)],
      expected: [{ code: 'TEMPORAL_MISALIGNMENT', severity: 'medium', annotators: ['alice', 'bob'] }],
    },
    {
      name: 'boundaries within tolerance: nothing',
      segments: [segment('i1', 'alice', 0, 10), segment('i1', 'bob', 0.25, 9.75)],
      expected: [],
    },
    {
      name: 'overlapping at IoU 1/3: two UNMATCHED_SEGMENT (medium), then LOW_ITEM_AGREEMENT (low)',
      segments: [segment('i1', 'alice', 0, 10), segment('i1', 'bob', 5, 15)],
      expected: [
        {
          key: 'UNMATCHED_SEGMENT|audio/speech|i1|alice|speech|0.000-10.000',
          code: 'UNMATCHED_SEGMENT',
          severity: 'medium',
          annotators: ['alice', 'bob'],
          start: 0,
          end: 10,
          message: 'alice\'s "speech" segment 0.000–10.000 s on item "i1" in audio/speech has no counterpart from bob.',
          evidence: { kind: 'segment', annotator: 'alice', label: 'speech', start: 0, end: 10, missingIn: ['bob'], matchedBy: [], threshold: 0.5 },
        },
        { key: 'UNMATCHED_SEGMENT|audio/speech|i1|bob|speech|5.000-15.000', code: 'UNMATCHED_SEGMENT', severity: 'medium' },
        {
          key: 'LOW_ITEM_AGREEMENT|audio/speech|i1|alice,bob|coverage',
          code: 'LOW_ITEM_AGREEMENT',
          severity: 'low',
          annotators: ['alice', 'bob'],
          start: null,
          end: null,
          message: 'Segments on item "i1" in audio/speech overlap poorly: coverage IoU 0.333 is below 0.5.',
          evidence: { measure: 'coverage-iou', iou: 5 / 15, threshold: 0.5, intersection: 5, union: 15, pairs: [{ a: 'alice', b: 'bob', iou: 5 / 15 }] },
        },
      ],
    },
    {
      name: 'a segment two of three marked: medium for the third annotator’s own, low for each of theirs (coverage IoU 35/49 passes)',
      segments: [
        segment('i1', 'alice', 0, 5),
        segment('i1', 'bob', 0, 5),
        segment('i1', 'carol', 20, 22),
        segment('i1', 'alice', 30, 40),
        segment('i1', 'bob', 30, 40),
        segment('i1', 'carol', 30, 40),
      ],
      expected: [
        {
          key: 'UNMATCHED_SEGMENT|audio/speech|i1|carol|speech|20.000-22.000',
          severity: 'medium',
          annotators: ['alice', 'bob', 'carol'],
          message: 'carol\'s "speech" segment 20.000–22.000 s on item "i1" in audio/speech has no counterpart from alice and bob.',
        },
        { key: 'UNMATCHED_SEGMENT|audio/speech|i1|alice|speech|0.000-5.000', severity: 'low', annotators: ['alice', 'carol'], evidence: expect.objectContaining({ missingIn: ['carol'], matchedBy: ['bob'] }) },
        { key: 'UNMATCHED_SEGMENT|audio/speech|i1|bob|speech|0.000-5.000', severity: 'low', annotators: ['bob', 'carol'] },
      ],
    },
    {
      name: 'labels match only within themselves: a "music" segment is unmatched by a "speech" one',
      segments: [segment('i1', 'alice', 0, 10, 'music'), segment('i1', 'bob', 0, 10, 'speech')],
      expected: [
        { code: 'LOW_ITEM_AGREEMENT', severity: 'medium', evidence: expect.objectContaining({ iou: 0 }) },
        { key: 'UNMATCHED_SEGMENT|audio/speech|i1|alice|music|0.000-10.000' },
        { key: 'UNMATCHED_SEGMENT|audio/speech|i1|bob|speech|0.000-10.000' },
      ],
    },
  ])('$name', ({ segments, expected }) => {
    const findings = findingsOf(datasetOf(segments));
    expect(findings).toHaveLength(expected.length);
    expected.forEach((entry, index) => expect(findings[index]).toMatchObject({ item: 'i1', modality: 'audio', dimension: 'speech', ...entry }));
  });

  it('solves a pair exactly when a segment has two candidates: the better one matches, the other is unmatched', () => {
    const dataset = datasetOf([segment('i1', 'alice', 0, 10), segment('i1', 'bob', 0, 9), segment('i1', 'bob', 0.5, 10.2)]);
    expect(findingsOf(dataset).map((finding) => [finding.code, finding.key])).toEqual([
      // IoU 9.5 / 10.2 beats 9 / 10.
      ['UNMATCHED_SEGMENT', 'UNMATCHED_SEGMENT|audio/speech|i1|bob|speech|0.000-9.000'],
      ['TEMPORAL_MISALIGNMENT', 'TEMPORAL_MISALIGNMENT|audio/speech|i1|alice,bob|speech|0.000-10.000|0.500-10.200'],
    ]);
  });

  it('finds the same unmatched and matched segments as segmentAgreement (temporal.ts) on random data', () => {
    const random = createRandom(11);
    const rows: Array<Partial<CanonicalRecord>> = [];
    for (let item = 0; item < 30; item++) {
      for (const annotator of ['alice', 'bob', 'carol']) {
        let at = random() * 2;
        for (let k = 0; k < 8; k++) {
          const length = 0.2 + random() * 2;
          // Overlapping segments now and then, so that some pairs need the exact matching.
          const start = random() < 0.2 ? at - length / 2 : at;
          rows.push(segment(`c${item}`, annotator, start, start + length, random() < 0.5 ? 'speech' : 'music'));
          at = start + length + random();
        }
      }
    }
    const dataset = datasetOf(rows);
    const findings = findingsOf(dataset, { boundaryToleranceSeconds: 0.1 });
    const reference = segmentAgreement(
      rows.map((row) => ({ item: row.item!, annotator: row.annotator!, label: row.label!, start: row.start!, end: row.end! })),
      0.5,
    );
    const expectedUnmatched = new Map<string, string[]>();
    const expectedMisaligned = new Set<string>();
    for (const detail of reference.details) {
      for (const { segment: index, other } of detail.unmatched) {
        const key = `${rows[index]!.annotator}|${rows[index]!.start}`;
        expectedUnmatched.set(key, [...(expectedUnmatched.get(key) ?? []), other].sort());
      }
      for (const match of detail.matches) {
        if (match.onsetDeviation > 0.1 || match.offsetDeviation > 0.1) expectedMisaligned.add(`${rows[match.segmentA]!.start}|${rows[match.segmentB]!.start}`);
      }
    }
    const unmatched = new Map(
      findings
        .filter((finding) => finding.code === 'UNMATCHED_SEGMENT')
        .map((finding) => [`${finding.evidence.annotator}|${finding.start}`, finding.evidence.missingIn as string[]]),
    );
    const misaligned = new Set(
      findings
        .filter((finding) => finding.code === 'TEMPORAL_MISALIGNMENT')
        .map((finding) => `${(finding.evidence.a as { start: number }).start}|${(finding.evidence.b as { start: number }).start}`),
    );
    expect(unmatched.size).toBeGreaterThan(10);
    expect(unmatched).toEqual(expectedUnmatched);
    expect(misaligned).toEqual(expectedMisaligned);
  });

  it('reads text spans as character offsets: the tolerance in characters, messages say so', () => {
    const dataset = datasetOf([
      { item: 'doc', annotator: 'a', dimension: 'entity', label: 'ORG', start: 0, end: 8 },
      { item: 'doc', annotator: 'b', dimension: 'entity', label: 'ORG', start: 0, end: 9 },
    ]);
    const [finding] = findingsOf(dataset);
    expect(finding).toMatchObject({ code: 'TEMPORAL_MISALIGNMENT', key: 'TEMPORAL_MISALIGNMENT|text/entity|doc|a,b|ORG|0.000-8.000|0.000-9.000' });
    expect(finding!.message).toContain('offsets by 1.000 characters (tolerance 0.25 characters)');
  });

  it('flags a zero-length segment as INVALID_SPAN and leaves it out of matching (the builder rejects them; other producers may not)', () => {
    const dataset = datasetOf([segment('i1', 'alice', 0, 10), segment('i1', 'bob', 0, 10), segment('i1', 'bob', 3, 4)]);
    const speech = dataset.dimensions[0]!;
    if (speech.shape !== 'intervals') throw new Error('expected segments');
    speech.end[2] = 3;
    const findings = findingsOf(dataset);
    expect(findings).toEqual([
      {
        key: 'INVALID_SPAN|audio/speech|i1|bob|speech|3.000-3.000',
        code: 'INVALID_SPAN',
        severity: 'medium',
        item: 'i1',
        modality: 'audio',
        dimension: 'speech',
        annotators: ['bob'],
        start: 3,
        end: 3,
        message: 'bob\'s "speech" segment on item "i1" in audio/speech has no length (start 3.000 s, end 3.000 s).',
        evidence: { kind: 'segment', annotator: 'bob', label: 'speech', start: 3, end: 3 },
      },
    ]);
  });
});

describe('datasetFindings: boxes', () => {
  it('reports a box another annotator of the image did not draw as UNMATCHED_SEGMENT of kind box', () => {
    const dataset = datasetOf([box('alice', 'car', 0, 0, 10, 10), box('bob', 'car', 1, 1, 10, 10), box('alice', 'person', 50, 50, 5, 20)]);
    expect(findingsOf(dataset)).toEqual([
      {
        key: 'UNMATCHED_SEGMENT|image/objects|img1|alice|person||50.000,50.000,5.000,20.000',
        code: 'UNMATCHED_SEGMENT',
        severity: 'medium',
        item: 'img1',
        modality: 'image',
        dimension: 'objects',
        annotators: ['alice', 'bob'],
        start: null,
        end: null,
        message: 'alice\'s "person" box at (50, 50, 5×20) on item "img1" in image/objects has no counterpart from bob.',
        evidence: { kind: 'box', annotator: 'alice', label: 'person', frame: null, box: { x: 50, y: 50, w: 5, h: 20 }, missingIn: ['bob'], matchedBy: [], threshold: 0.5 },
      },
    ]);
  });

  it('matches boxes frame by frame and flags a zero-area box as INVALID_SPAN', () => {
    const dataset = datasetOf([
      box('alice', 'car', 0, 0, 10, 10, 1),
      box('bob', 'car', 0, 0, 10, 10, 1),
      box('alice', 'car', 0, 0, 10, 10, 2),
      box('bob', 'car', 40, 40, 10, 10, 2),
      box('bob', 'car', 5, 5, 0, 10, 1),
    ]);
    expect(findingsOf(dataset).map((finding) => [finding.code, finding.severity, finding.key])).toEqual([
      ['INVALID_SPAN', 'medium', 'INVALID_SPAN|image/objects|img1|bob|car|@1|5.000,5.000,0.000,10.000'],
      ['UNMATCHED_SEGMENT', 'medium', 'UNMATCHED_SEGMENT|image/objects|img1|alice|car|@2|0.000,0.000,10.000,10.000'],
      ['UNMATCHED_SEGMENT', 'medium', 'UNMATCHED_SEGMENT|image/objects|img1|bob|car|@2|40.000,40.000,10.000,10.000'],
    ]);
  });
});

describe('datasetFindings: annotators and judgements', () => {
  it('flags exactly the annotator who labels at random as OUTLIER_ANNOTATOR, with alpha higher without them', () => {
    const random = createRandom(7);
    const labels = ['pos', 'neg', 'neu'];
    const records: Array<Partial<CanonicalRecord>> = [];
    for (let item = 0; item < 60; item++) {
      const truth = labels[item % 3]!;
      records.push({ item: `u${item}`, annotator: 'alice', label: truth });
      records.push({ item: `u${item}`, annotator: 'bob', label: item % 10 === 0 ? labels[(item + 1) % 3]! : truth });
      records.push({ item: `u${item}`, annotator: 'carol', label: truth });
      records.push({ item: `u${item}`, annotator: 'dave', label: labels[randomInt(random, 3)]! });
    }
    const dataset = datasetOf(records);
    const { results } = analyzeDataset(dataset);
    const result = results[0] as CategoricalResult;
    const outliers = datasetFindings(dataset, results, { policy: DEFAULT_POLICY, isTimed: () => true }).findings.filter(
      (finding) => finding.code === 'OUTLIER_ANNOTATOR',
    );
    expect(outliers).toHaveLength(1);
    const [outlier] = outliers;
    const without = result.dropOne.find((entry) => entry.annotator === 'dave')!;
    expect(outlier).toMatchObject({
      key: 'OUTLIER_ANNOTATOR|text/sentiment||dave|',
      item: null,
      annotators: ['dave'],
      evidence: { alpha: result.alpha, alphaWithout: without.alpha, change: without.change, margin: 0.05, minAlpha: 0.667 },
    });
    expect(without.alpha!).toBeGreaterThan(result.alpha! + 0.05);
    // With dave alpha fails the 0.667 floor, without him it passes: the outlier decides the gate.
    expect(result.alpha!).toBeLessThan(0.667);
    expect(outlier!.severity).toBe('high');
  });

  it('flags items with fewer judgements than required as MISSING_ANNOTATION, naming who did not judge', () => {
    const dataset = datasetOf([
      { item: 'u1', annotator: 'a', label: 'x' },
      { item: 'u1', annotator: 'b', label: 'x' },
      { item: 'u1', annotator: 'c', label: 'x' },
      { item: 'u2', annotator: 'b', label: 'x' },
      { item: 'u3', annotator: 'a', label: 'x' },
      { item: 'u3', annotator: 'c', label: 'x' },
    ]);
    const result = datasetFindings(dataset, analyzeDataset(dataset).results, { policy: { ...DEFAULT_POLICY, minJudgementsPerItem: 3 }, isTimed: () => true });
    expect(result.fewestJudgements).toEqual({ count: 1, item: 'u2', modality: 'text', dimension: 'sentiment' });
    expect(result.items).toBe(3);
    expect(result.findings.sort(compareFindings)).toEqual([
      {
        key: 'MISSING_ANNOTATION|text/sentiment|u2|b|',
        code: 'MISSING_ANNOTATION',
        severity: 'high',
        item: 'u2',
        modality: 'text',
        dimension: 'sentiment',
        annotators: ['b'],
        start: null,
        end: null,
        message: 'Item "u2" in text/sentiment has 1 judgement (b) where the policy requires 3.',
        evidence: { judged: ['b'], notJudged: ['a', 'c'], required: 3 },
      },
      expect.objectContaining({ key: 'MISSING_ANNOTATION|text/sentiment|u3|a,c|', severity: 'medium', evidence: { judged: ['a', 'c'], notJudged: ['b'], required: 3 } }),
    ]);
  });
});

describe('stream and cross-modal findings', () => {
  const pair = (overrides: Partial<StreamPairSync>): StreamPairSync => ({
    a: { modality: 'audio', dimension: 'speech' },
    b: { modality: 'video', dimension: 'lips' },
    items: 3,
    medianOffset: 0.4,
    offsetSpread: 0.01,
    systematic: true,
    perItem: [
      { item: 'c1', offset: 0.4, iou: 0.9, iouAtZero: 0.5, gain: 0.4 },
      { item: 'c2', offset: -0.5, iou: 0.8, iouAtZero: 0.4, gain: 0.4 },
      { item: 'c3', offset: 0.1, iou: 0.9, iouAtZero: 0.85, gain: 0.05 },
      { item: 'c4', offset: 0.9, iou: 0.5, iouAtZero: 0.5, gain: 0 },
    ],
    ...overrides,
  });

  it('gives one high batch-level STREAM_DESYNC per systematic pair, and a medium one per item off that lag by more than the limit that shifting improves', () => {
    const findings = syncFindings([pair({})], DEFAULT_POLICY).sort(compareFindings);
    // c1 is the systematic lag itself; c2 is 0.9 s and c3 0.3 s off it; c4 gains nothing by shifting.
    expect(findings.map((finding) => [finding.key, finding.severity, finding.item])).toEqual([
      ['STREAM_DESYNC|audio/speech~video/lips|||systematic', 'high', null],
      ['STREAM_DESYNC|audio/speech~video/lips|c2||', 'medium', 'c2'],
      ['STREAM_DESYNC|audio/speech~video/lips|c3||', 'medium', 'c3'],
    ]);
    expect(findings[0]!.message).toBe('Across 3 items video/lips lags audio/speech by 0.400 s (median; spread 0.010 s), a systematic offset beyond 0.2 s.');
    expect(findings[1]!.message).toBe(
      'On item "c2" audio/speech lags video/lips by 0.500 s, 0.900 s off the batch\'s systematic 0.400 s, more than 0.2 s (IoU 0.400 unshifted, 0.800 shifted).',
    );
    expect(findings[2]).toMatchObject({ modality: null, dimension: null, annotators: [], evidence: { offset: 0.1, gain: 0.05, maxOffset: 0.2, systematicOffset: 0.4 } });
  });

  it('flags each item beyond the limit when the pair has no systematic lag', () => {
    const findings = syncFindings([pair({ systematic: false })], DEFAULT_POLICY).sort(compareFindings);
    expect(findings.map((finding) => finding.item)).toEqual(['c1', 'c2']);
    expect(findings[1]!.message).toBe('On item "c2" audio/speech lags video/lips by 0.500 s, beyond 0.2 s (IoU 0.400 unshifted, 0.800 shifted).');
    expect(findings[0]!.evidence).toMatchObject({ offset: 0.4, systematicOffset: null });
  });

  it('gives no batch-level finding for a pair that is not systematic', () => {
    expect(syncFindings([pair({ systematic: false, perItem: [] })], DEFAULT_POLICY)).toEqual([]);
  });

  it('gives one CROSS_MODAL_CONFLICT per conflict, the concept as dimension and each source’s value as evidence', () => {
    const result: CrossModalResult = {
      concept: 'valence',
      sources: [
        { modality: 'audio', dimension: 'emotion' },
        { modality: 'video', dimension: 'face' },
      ],
      alpha: 0.2,
      items: 1,
      perItem: [],
      conflicts: [
        {
          item: 'c1',
          start: 1,
          end: 3.5,
          values: [
            { modality: 'audio', dimension: 'emotion', value: '+' },
            { modality: 'video', dimension: 'face', value: null },
          ],
        },
      ],
      undefinedReason: null,
    };
    expect(crossModalFindings([result])).toEqual([
      {
        key: 'CROSS_MODAL_CONFLICT|valence|c1||1.000-3.500',
        code: 'CROSS_MODAL_CONFLICT',
        severity: 'medium',
        item: 'c1',
        modality: null,
        dimension: 'valence',
        annotators: [],
        start: 1,
        end: 3.5,
        message: 'On item "c1" from 1.000 to 3.500 s the modalities disagree on valence: audio/emotion "+", video/face no majority.',
        evidence: { concept: 'valence', start: 1, end: 3.5, duration: 2.5, values: result.conflicts[0]!.values },
      },
    ]);
  });
});

describe('keys and order', () => {
  it('escapes the separators inside names', () => {
    expect(findingKey('LABEL_CONFLICT', 'text/a|b', 'item,1', ['x\\y', 'z'], 'd')).toBe('LABEL_CONFLICT|text/a\\|b|item\\,1|x\\\\y,z|d');
  });

  it('orders by severity, then item (batch-level first), code and key', () => {
    const finding = (severity: Finding['severity'], item: string | null, code: Finding['code'], key: string): Finding => ({
      key,
      code,
      severity,
      item,
      modality: null,
      dimension: null,
      annotators: [],
      start: null,
      end: null,
      message: '',
      evidence: {},
    });
    const sorted = [
      finding('low', 'a', 'LABEL_CONFLICT', 'k1'),
      finding('high', 'b', 'NO_MAJORITY', 'k2'),
      finding('high', null, 'OUTLIER_ANNOTATOR', 'k3'),
      finding('high', 'b', 'MISSING_ANNOTATION', 'k5'),
      finding('high', 'b', 'MISSING_ANNOTATION', 'k4'),
    ].sort(compareFindings);
    expect(sorted.map((entry) => entry.key)).toEqual(['k3', 'k4', 'k5', 'k2', 'k1']);
  });
});
