import { analyzeDataset } from '../agreement/analyze';
import { DatasetBuilder, type JudgementRecord } from '../agreement/dataset';
import { DEFAULT_POLICY } from '../agreement/evaluation.types';
import type { CanonicalRecord } from '../agreement/types';
import { formatIssuePath } from '../common/schema-issues';
import { compileSchema, inferSchema, inferSchemaFromSummaries, MAX_INFERRED_LABELS, summariesOf } from './project-schema';
import { PolicySchema, ProjectSchemaDefinitionSchema, resolvePolicy, type ProjectSchemaDefinition } from './project-settings';

function record(overrides: Partial<JudgementRecord> = {}): JudgementRecord {
  return {
    item: 'clip-1',
    annotator: 'ann-a',
    modality: 'audio',
    dimension: 'emotion',
    label: 'happy',
    value: null,
    start: null,
    end: null,
    frame: null,
    box: null,
    ...overrides,
  };
}

const segment = { start: 1, end: 2.5 };
const box = { box: { x: 1, y: 2, w: 3, h: 4 } };

const SCHEMA: ProjectSchemaDefinition = ProjectSchemaDefinitionSchema.parse({
  dimensions: [
    { modality: 'audio', dimension: 'emotion', shape: 'categorical', labels: ['happy', 'sad', 'neutral'] },
    { modality: 'text', dimension: 'sentiment', level: 'ordinal', labels: ['negative', 'neutral', 'positive'] },
    { modality: 'audio', dimension: 'speech', shape: 'intervals', timed: true },
    { modality: 'text', dimension: 'entity', shape: 'intervals', labels: ['PER', 'ORG'] },
    { modality: 'sensor', dimension: 'gait', shape: 'intervals', timed: false },
    { modality: 'image', dimension: 'objects', shape: 'boxes' },
    { modality: 'text', dimension: 'score', level: 'interval' },
  ],
  crossModal: [
    {
      concept: 'valence',
      sources: [
        { modality: 'text', dimension: 'sentiment', map: { positive: '+', negative: '-' } },
        { modality: 'audio', dimension: 'emotion', map: { happy: '+', sad: '-' } },
      ],
    },
  ],
  goldAnnotators: ['expert'],
});

describe('compileSchema', () => {
  const compiled = compileSchema(SCHEMA);

  it('keys levels and ordinal label orders by modality/dimension', () => {
    expect(compiled.levels).toEqual({ 'text/sentiment': 'ordinal', 'text/score': 'interval' });
    expect(compiled.labelOrders).toEqual({ 'text/sentiment': ['negative', 'neutral', 'positive'] });
  });

  it('passes on the cross-modal mappings and the gold annotators', () => {
    expect(compiled.crossModal).toEqual(SCHEMA.crossModal);
    expect(compiled.crossModal).not.toBe(SCHEMA.crossModal);
    expect([...compiled.goldAnnotators]).toEqual(['expert']);
  });

  it.each([
    ['audio', 'speech', true],
    ['sensor', 'gait', false],
    ['text', 'entity', false],
    ['video', 'unlisted', true],
    ['text', 'unlisted', false],
  ] as const)('isTimed(%s, %s) is %s', (modality, dimension, timed) => {
    expect(compiled.isTimed(modality, dimension)).toBe(timed);
  });

  it.each<[string, Partial<CanonicalRecord>, string | null]>([
    ['an allowed label', { label: 'sad' }, null],
    ['no label (a value only)', { label: null, value: 3 }, null],
    ['a label outside the schema', { label: 'angry' }, 'label "angry" is not one of the schema\'s labels for audio/emotion (happy, sad, neutral)'],
    ['a label in another case', { label: 'Happy' }, 'label "Happy" is not one of the schema\'s labels for audio/emotion (happy, sad, neutral)'],
    ['a segment in a categorical dimension', { ...segment }, 'a segment (start/end) in audio/emotion, whose shape in the project\'s schema is categorical'],
    ['a box in an interval dimension', { dimension: 'speech', ...box }, 'a box in audio/speech, whose shape in the project\'s schema is intervals'],
    ['a segment of an interval dimension', { dimension: 'speech', label: 'anything', ...segment }, null],
    ['a segment label outside the schema', { modality: 'text', dimension: 'entity', label: 'LOC', ...segment }, 'label "LOC" is not one of the schema\'s labels for text/entity (PER, ORG)'],
    ['a box of a box dimension', { modality: 'image', dimension: 'objects', label: 'car', ...box }, null],
    ['any record of a dimension without a shape', { modality: 'text', dimension: 'sentiment', label: 'neutral', ...segment }, null],
    ['a dimension the open schema does not list', { dimension: 'pitch', label: 'high' }, null],
  ])('checkRecord: %s', (_case, overrides, message) => {
    expect(compiled.checkRecord(record(overrides))).toBe(message);
  });

  it('refuses dimensions a closed schema does not list, naming those it lists', () => {
    const closed = compileSchema({ ...SCHEMA, closed: true });
    expect(closed.checkRecord(record({ dimension: 'pitch' }))).toBe(
      'audio/pitch is not a dimension of the project\'s schema (audio/emotion, text/sentiment, audio/speech, text/entity, sensor/gait, image/objects, text/score)',
    );
    expect(closed.checkRecord(record())).toBeNull();
    expect(compileSchema({ dimensions: [], closed: true }).checkRecord(record())).toBe(
      'audio/emotion is not a dimension of the project\'s schema (it lists none)',
    );
  });

  it('lists at most ten labels in a message', () => {
    const labels = Array.from({ length: 12 }, (_, i) => `l${i}`);
    const many = compileSchema({ dimensions: [{ modality: 'audio', dimension: 'emotion', labels }] });
    expect(many.checkRecord(record({ label: 'x' }))).toBe(
      'label "x" is not one of the schema\'s labels for audio/emotion (l0, l1, l2, l3, l4, l5, l6, l7, l8, l9, … 2 more)',
    );
  });

  it('checks records of alternating dimensions each against their own rule', () => {
    const records = [record(), record({ modality: 'text', dimension: 'sentiment', label: 'happy' }), record({ label: 'positive' })];
    expect(records.map((r) => compiled.checkRecord(r))).toEqual([
      null,
      'label "happy" is not one of the schema\'s labels for text/sentiment (negative, neutral, positive)',
      'label "positive" is not one of the schema\'s labels for audio/emotion (happy, sad, neutral)',
    ]);
  });

  describe('prepareRecord', () => {
    it('marks the records of a gold annotator gold, and no one else\'s', () => {
      const gold = record({ annotator: 'expert' });
      const peer = record();
      expect(compiled.prepareRecord(gold)).toBeNull();
      expect(compiled.prepareRecord(peer)).toBeNull();
      expect(gold.gold).toBe(true);
      expect(peer.gold).toBeUndefined();
    });

    it('leaves a gold annotator\'s free text as free text', () => {
      const text = record({ annotator: 'expert', label: null, text: 'a note' });
      expect(compiled.prepareRecord(text)).toBeNull();
      expect(text.gold).toBeUndefined();
    });

    it('gives a named ordinal label its rank as value, keeping a value the record has', () => {
      const ranked = ['negative', 'neutral', 'positive'].map((label) => record({ modality: 'text', dimension: 'sentiment', label }));
      for (const r of ranked) expect(compiled.prepareRecord(r)).toBeNull();
      expect(ranked.map((r) => r.value)).toEqual([1, 2, 3]);
      const valued = record({ modality: 'text', dimension: 'sentiment', label: 'positive', value: 7 });
      compiled.prepareRecord(valued);
      expect(valued.value).toBe(7);
      const nominal = record({ label: 'sad' });
      compiled.prepareRecord(nominal);
      expect(nominal.value).toBeNull();
    });

    it('lets the analysis read named ordinal labels in the schema\'s order', () => {
      const builder = new DatasetBuilder();
      const votes: Array<[string, string, string]> = [
        ['c1', 'ann-a', 'negative'], ['c1', 'ann-b', 'negative'],
        ['c2', 'ann-a', 'neutral'], ['c2', 'ann-b', 'positive'],
        ['c3', 'ann-a', 'positive'], ['c3', 'ann-b', 'positive'],
      ];
      votes.forEach(([item, annotator, label], index) => {
        const r = record({ item, annotator, modality: 'text', dimension: 'sentiment', label });
        expect(compiled.prepareRecord(r)).toBeNull();
        builder.add(r, index + 2);
      });
      const [result] = analyzeDataset(builder.build(), { levels: compiled.levels }).results;
      expect(result).toMatchObject({ level: 'ordinal', alpha: expect.any(Number) });
      // ranks 1..3: the one disagreement (2 vs 3) is one step, as with the numbers themselves
      const numeric = new DatasetBuilder();
      votes.forEach(([item, annotator, label], index) =>
        numeric.add(record({ item, annotator, modality: 'text', dimension: 'sentiment', label: null, value: ['negative', 'neutral', 'positive'].indexOf(label) + 1 }), index + 2),
      );
      const [expected] = analyzeDataset(numeric.build(), { levels: compiled.levels }).results;
      expect((result as { alpha: number }).alpha).toBe((expected as { alpha: number }).alpha);
    });

    it('returns the violation with the field at fault, changing nothing', () => {
      const bad = record({ annotator: 'expert', label: 'angry' });
      expect(compiled.prepareRecord(bad)).toEqual({ field: 'label', message: expect.stringContaining('"angry"') });
      expect(bad.gold).toBeUndefined();
      expect(compiled.prepareRecord(record({ ...segment }))).toEqual({ field: 'dimension', message: expect.stringContaining('categorical') });
      expect(compileSchema({ dimensions: [], closed: true }).prepareRecord(record())).toEqual({ field: 'dimension', message: expect.any(String) });
    });
  });
});

describe('inferSchema', () => {
  function datasetOf(records: readonly JudgementRecord[]) {
    const builder = new DatasetBuilder();
    records.forEach((r, index) => builder.add(r, index + 2));
    return builder.build();
  }

  it('infers each dimension\'s shape and sorted labels; categorical ones nominal', () => {
    const dataset = datasetOf([
      record({ label: 'sad' }),
      record({ annotator: 'ann-b', label: 'happy' }),
      record({ dimension: 'speech', label: 'speech', ...segment }),
      record({ modality: 'image', dimension: 'objects', label: 'car', ...box }),
      record({ modality: 'image', dimension: 'objects', label: 'bus', ...box }),
      record({ modality: 'text', dimension: 'sentiment', label: 'positive' }),
      // gold judgements count: their labels and their dimensions
      record({ annotator: 'expert', label: 'neutral', gold: true }),
      record({ modality: 'video', dimension: 'expression', label: 'smile', gold: true }),
      record({ annotator: 'ann-b', modality: 'text', dimension: 'sentiment', label: 'negative' }),
    ]);
    const schema = inferSchema(dataset);
    expect(schema).toEqual({
      dimensions: [
        { modality: 'text', dimension: 'sentiment', shape: 'categorical', level: 'nominal', labels: ['negative', 'positive'] },
        { modality: 'image', dimension: 'objects', shape: 'boxes', labels: ['bus', 'car'] },
        { modality: 'audio', dimension: 'emotion', shape: 'categorical', level: 'nominal', labels: ['happy', 'neutral', 'sad'] },
        { modality: 'audio', dimension: 'speech', shape: 'intervals', labels: ['speech'] },
        { modality: 'video', dimension: 'expression', shape: 'categorical', level: 'nominal', labels: ['smile'] },
      ],
    });
    // What it infers is a valid schema that the data fits.
    expect(ProjectSchemaDefinitionSchema.safeParse(schema).success).toBe(true);
  });

  it('leaves out labels past the cap and names numbers without labels, in notes', () => {
    const labels = Array.from({ length: MAX_INFERRED_LABELS + 1 }, (_, i) => `l${i}`);
    const records = [
      ...labels.map((label, i) => record({ item: `i${i}`, label })),
      record({ modality: 'text', dimension: 'score', label: null, value: 4 }),
      record({ modality: 'text', dimension: 'span', label: null, ...segment }),
    ];
    const { schema, notes } = inferSchemaFromSummaries(summariesOf(datasetOf(records)));
    expect(schema.dimensions).toEqual([
      { modality: 'text', dimension: 'score', shape: 'categorical', level: 'nominal' },
      { modality: 'text', dimension: 'span', shape: 'intervals' },
      { modality: 'audio', dimension: 'emotion', shape: 'categorical', level: 'nominal' },
    ]);
    expect(notes).toEqual([
      'text/score holds numbers without labels: set its level (interval, ratio or ordinal) to analyse them',
      'audio/emotion has 201 distinct labels: they are not listed (more than 200)',
    ]);
  });

  it('sorts labels by code unit, as the database\'s "C" collation does', () => {
    const { schema } = inferSchemaFromSummaries([
      { modality: 'text', dimension: 'd', shape: 'categorical', labels: ['b', 'B', 'a', '10', '9'], labelCount: 5 },
    ]);
    expect(schema.dimensions?.[0]?.labels).toEqual(['10', '9', 'B', 'a', 'b']);
  });
});

/** Each issue of a failed parse as `path: message`. */
function issuesOf(result: { success: boolean; error?: { issues: ReadonlyArray<{ path: PropertyKey[]; message: string }> } }): string[] {
  return (result.error?.issues ?? []).map((issue) => `${formatIssuePath(issue.path)}: ${issue.message}`);
}

describe('ProjectSchemaDefinitionSchema', () => {
  const sentiment = { modality: 'text', dimension: 'sentiment' } as const;
  const emotion = { modality: 'audio', dimension: 'emotion' } as const;

  it('accepts allowed labels at any level, and labels as an order for ordinal', () => {
    for (const level of ['nominal', 'ordinal', undefined]) {
      expect(ProjectSchemaDefinitionSchema.safeParse({ dimensions: [{ ...sentiment, level, labels: ['a', 'b'] }] }).success).toBe(true);
    }
  });

  it.each<[string, unknown, string[]]>([
    ['a label listed twice', { dimensions: [{ ...sentiment, labels: ['a', 'b', 'a'] }] }, ['dimensions[0].labels[2]: label "a" is listed twice']],
    ['a level for boxes', { dimensions: [{ ...sentiment, shape: 'boxes', level: 'nominal' }] }, ['dimensions[0].level: a level of measurement applies to categorical dimensions, not to boxes']],
    ['timed for categorical', { dimensions: [{ ...sentiment, shape: 'categorical', timed: true }] }, ['dimensions[0].timed: timed applies to intervals, not to categorical']],
    ['an unknown shape', { dimensions: [{ ...sentiment, shape: 'polygons' }] }, [expect.stringMatching(/^dimensions\[0\]\.shape: /)]],
    ['a dimension listed twice', { dimensions: [sentiment, emotion, sentiment] }, ['dimensions[2].dimension: text/sentiment is listed twice']],
    ['closed without dimensions', { closed: true }, ['closed: a closed schema lists its dimensions']],
    [
      'a map key outside the labels',
      {
        dimensions: [{ ...emotion, labels: ['happy', 'sad'] }],
        crossModal: [{ concept: 'valence', sources: [{ ...emotion, map: { happy: '+', angry: '-' } }, { ...sentiment, map: { positive: '+' } }] }],
      },
      ['crossModal[0].sources[0].map.angry: "angry" is not one of the labels of audio/emotion'],
    ],
    [
      'a source a closed schema does not list',
      { dimensions: [emotion], closed: true, crossModal: [{ concept: 'valence', sources: [{ ...emotion, map: {} }, { ...sentiment, map: {} }] }] },
      ['crossModal[0].sources[1].dimension: text/sentiment is not a dimension of the schema'],
    ],
    [
      'a source of boxes',
      {
        dimensions: [{ modality: 'image', dimension: 'objects', shape: 'boxes' }],
        crossModal: [{ concept: 'c', sources: [{ modality: 'image', dimension: 'objects', map: {} }, { ...sentiment, map: {} }] }],
      },
      ['crossModal[0].sources[0].dimension: image/objects holds boxes: only labels and labelled segments map onto a concept'],
    ],
    [
      'a source twice and a concept twice',
      {
        crossModal: [
          { concept: 'c', sources: [{ ...emotion, map: {} }, { ...emotion, map: {} }] },
          { concept: 'c', sources: [{ ...emotion, map: {} }, { ...sentiment, map: {} }] },
        ],
      },
      ['crossModal[0].sources[1].dimension: audio/emotion is a source twice', 'crossModal[1].concept: concept "c" is mapped twice'],
    ],
    ['a gold annotator twice', { goldAnnotators: ['x', 'y', 'x'] }, ['goldAnnotators[2]: annotator "x" is listed twice']],
    ['an unknown field', { dimensions: [], golden: [] }, [expect.stringMatching(/^\(root\): .*golden/)]],
  ])('refuses %s, with the path', (_case, body, issues) => {
    expect(issuesOf(ProjectSchemaDefinitionSchema.safeParse(body))).toEqual(issues);
  });

  it('lets an open schema map dimensions it does not list', () => {
    const body = { dimensions: [emotion], crossModal: [{ concept: 'valence', sources: [{ ...emotion, map: {} }, { ...sentiment, map: {} }] }] };
    expect(ProjectSchemaDefinitionSchema.safeParse(body).success).toBe(true);
  });
});

describe('policy', () => {
  it('resolves an absent or empty policy to the core\'s defaults', () => {
    expect(resolvePolicy(null)).toEqual(DEFAULT_POLICY);
    expect(resolvePolicy({})).toEqual(DEFAULT_POLICY);
  });

  it('takes what the policy sets, and the defaults for the rest', () => {
    const resolved = resolvePolicy(PolicySchema.parse({ minAlpha: 0.8, minGoldAccuracy: 0.9, minAlphaByDimension: { 'audio/emotion': 0.5 }, matchThreshold: 0.3 }));
    expect(resolved).toEqual({ ...DEFAULT_POLICY, minAlpha: 0.8, minGoldAccuracy: 0.9, minAlphaByDimension: { 'audio/emotion': 0.5 }, matchThreshold: 0.3 });
    expect(resolvePolicy({ minGoldAccuracy: null }).minGoldAccuracy).toBeNull();
    expect(DEFAULT_POLICY.minAlphaByDimension).toEqual({});
  });

  it('accepts every field of the resolved policy', () => {
    expect(PolicySchema.parse({ ...DEFAULT_POLICY })).toEqual(DEFAULT_POLICY);
  });

  it.each<[Record<string, unknown>, string]>([
    [{ minAlpha: 1.2 }, 'minAlpha'],
    [{ minAlpha: -1.5 }, 'minAlpha'],
    [{ minAlphaByDimension: { emotion: 0.5 } }, 'minAlphaByDimension.emotion'],
    [{ minAlphaByDimension: { 'smell/odour': 0.5 } }, 'minAlphaByDimension.smell/odour'],
    [{ minMeanIoU: 1.01 }, 'minMeanIoU'],
    [{ maxFlaggedItemShare: -0.1 }, 'maxFlaggedItemShare'],
    [{ maxStreamOffsetSeconds: -1 }, 'maxStreamOffsetSeconds'],
    [{ minJudgementsPerItem: 0 }, 'minJudgementsPerItem'],
    [{ minJudgementsPerItem: 2.5 }, 'minJudgementsPerItem'],
    [{ minGoldAccuracy: 2 }, 'minGoldAccuracy'],
    [{ boundaryToleranceSeconds: -0.1 }, 'boundaryToleranceSeconds'],
    [{ crossModalToleranceSeconds: 7200 }, 'crossModalToleranceSeconds'],
    [{ outlierMargin: -0.01 }, 'outlierMargin'],
    [{ maxShiftSeconds: 0 }, 'maxShiftSeconds'],
    [{ matchThreshold: 0 }, 'matchThreshold'],
    [{ matchThreshold: 1.5 }, 'matchThreshold'],
    [{ minAlfa: 0.7 }, '(root)'],
  ])('refuses %j at %s', (policy, path) => {
    const result = PolicySchema.safeParse(policy);
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((issue) => formatIssuePath(issue.path))).toEqual([path]);
  });

  it('needs the searched shift to exceed the stream offset limit', () => {
    expect(issuesOf(PolicySchema.safeParse({ maxStreamOffsetSeconds: 3 }))).toEqual([
      'maxStreamOffsetSeconds: maxShiftSeconds (2) must exceed maxStreamOffsetSeconds (3): offsets are searched only up to it',
    ]);
    expect(issuesOf(PolicySchema.safeParse({ maxShiftSeconds: 0.1 }))).toEqual([
      'maxShiftSeconds: maxShiftSeconds (0.1) must exceed maxStreamOffsetSeconds (0.2): offsets are searched only up to it',
    ]);
    expect(PolicySchema.safeParse({ maxStreamOffsetSeconds: 3, maxShiftSeconds: 5 }).success).toBe(true);
  });
});
