import type { CategoricalResult, DimensionResult, IntervalResult } from './analyze';
import { DEFAULT_POLICY, type GateCheck, type GoldAccuracy, type ResolvedPolicy, type StreamPairSync } from './evaluation.types';
import { applyPolicy, type GateInput } from './gate';

const categorical = (dimension: string, alpha: number | null, reason?: string): DimensionResult =>
  ({ modality: 'text', dimension, shape: 'categorical', alpha, undefinedReasons: reason === undefined ? {} : { alpha: reason } }) as unknown as CategoricalResult;
const intervals = (dimension: string, meanIoU: number | null): DimensionResult =>
  ({ modality: 'audio', dimension, shape: 'intervals', meanIoU, undefinedReasons: meanIoU === null ? { meanIoU: 'no segment of positive length' } : {} }) as unknown as IntervalResult;
const stream = (medianOffset: number | null): StreamPairSync => ({
  a: { modality: 'audio', dimension: 'speech' },
  b: { modality: 'video', dimension: 'lips' },
  items: medianOffset === null ? 0 : 10,
  medianOffset,
  offsetSpread: medianOffset === null ? null : 0.01,
  systematic: false,
  perItem: [],
});
const gold = (annotator: string, accuracy: number | null): GoldAccuracy => ({
  modality: 'text',
  dimension: 'sentiment',
  annotator,
  items: 4,
  accuracy,
  measure: 'label-accuracy',
  undefinedReason: null,
});

const input = (overrides: Partial<GateInput>): GateInput => ({
  results: [],
  sync: [],
  gold: [],
  items: 20,
  flaggedItems: 0,
  fewestJudgements: { count: 2, item: 'u1', modality: 'text', dimension: 'sentiment' },
  ...overrides,
});

const checksOf = (overrides: Partial<GateInput>, policy: Partial<ResolvedPolicy> = {}, rule?: GateCheck['rule']): GateCheck[] =>
  applyPolicy(input(overrides), { ...DEFAULT_POLICY, ...policy }).checks.filter((check) => rule === undefined || check.rule === rule);

describe('applyPolicy', () => {
  it.each([
    { alpha: 0.667, passed: true, message: 'Alpha of text/sentiment is 0.667, at least 0.667.' },
    { alpha: 0.6669, passed: false, message: 'Alpha of text/sentiment is 0.6669, below 0.667.' },
    { alpha: null, passed: false, message: 'Alpha of text/sentiment is undefined (all pairable values are identical: no variation), so it cannot reach 0.667.' },
  ])('minAlpha: alpha $alpha passes: $passed', ({ alpha, passed, message }) => {
    const results = [categorical('sentiment', alpha, alpha === null ? 'all pairable values are identical: no variation' : undefined)];
    expect(checksOf({ results }, {}, 'minAlpha')).toEqual([
      { rule: 'minAlpha', passed, modality: 'text', dimension: 'sentiment', subject: null, threshold: 0.667, measured: alpha, message },
    ]);
  });

  it('minAlpha: a dimension’s override wins over the policy’s minimum', () => {
    const results = [categorical('sentiment', 0.7), categorical('topic', 0.7)];
    const checks = checksOf({ results }, { minAlphaByDimension: { 'text/topic': 0.8 } }, 'minAlpha');
    expect(checks.map(({ dimension, threshold, passed }) => ({ dimension, threshold, passed }))).toEqual([
      { dimension: 'sentiment', threshold: 0.667, passed: true },
      { dimension: 'topic', threshold: 0.8, passed: false },
    ]);
  });

  it('minMeanIoU: per segment dimension, undefined fails', () => {
    const checks = checksOf({ results: [intervals('speech', 0.5), intervals('music', 0.4999), intervals('noise', null)] }, {}, 'minMeanIoU');
    expect(checks.map(({ dimension, measured, passed }) => ({ dimension, measured, passed }))).toEqual([
      { dimension: 'speech', measured: 0.5, passed: true },
      { dimension: 'music', measured: 0.4999, passed: false },
      { dimension: 'noise', measured: null, passed: false },
    ]);
    expect(checks[2]!.message).toBe('Mean IoU of audio/noise is undefined (no segment of positive length), so it cannot reach 0.5.');
  });

  it.each([
    { flaggedItems: 1, measured: 0.05, passed: true },
    { flaggedItems: 2, measured: 0.1, passed: false },
  ])('maxFlaggedItemShare: $flaggedItems of 20 flagged passes: $passed', ({ flaggedItems, measured, passed }) => {
    expect(checksOf({ flaggedItems }, {}, 'maxFlaggedItemShare')).toEqual([
      {
        rule: 'maxFlaggedItemShare',
        passed,
        modality: null,
        dimension: null,
        subject: null,
        threshold: 0.05,
        measured,
        message: `The share of flagged items (${flaggedItems} of 20) is ${measured}, ${passed ? 'at most' : 'above'} 0.05.`,
      },
    ]);
  });

  it('maxStreamOffsetSeconds: |median offset| of every pair with items, systematic or not', () => {
    const checks = checksOf({ sync: [stream(-0.25), stream(0.2), stream(null)] }, {}, 'maxStreamOffsetSeconds');
    expect(checks).toEqual([
      expect.objectContaining({ passed: false, subject: 'audio/speech~video/lips', threshold: 0.2, measured: 0.25 }),
      expect.objectContaining({ passed: true, measured: 0.2 }),
    ]);
  });

  it('minJudgementsPerItem: the fewest judgements of any item, named', () => {
    const fewestJudgements = { count: 1, item: 'u7', modality: 'text' as const, dimension: 'sentiment' };
    expect(checksOf({ fewestJudgements }, {}, 'minJudgementsPerItem')).toEqual([
      {
        rule: 'minJudgementsPerItem',
        passed: false,
        modality: 'text',
        dimension: 'sentiment',
        subject: 'u7',
        threshold: 2,
        measured: 1,
        message: 'The fewest judgements of an item (item "u7" in text/sentiment) is 1, below 2.',
      },
    ]);
  });

  it('minGoldAccuracy: off by default, else per annotator and dimension', () => {
    const entries = [gold('alice', 0.75), gold('bob', 0.8)];
    expect(checksOf({ gold: entries }, {}, 'minGoldAccuracy')).toEqual([]);
    const checks = checksOf({ gold: entries }, { minGoldAccuracy: 0.8 }, 'minGoldAccuracy');
    expect(checks.map(({ subject, measured, passed }) => ({ subject, measured, passed }))).toEqual([
      { subject: 'alice', measured: 0.75, passed: false },
      { subject: 'bob', measured: 0.8, passed: true },
    ]);
  });

  it('passes when every check passes; fails with every failed check as a reason', () => {
    const passing = applyPolicy(input({ results: [categorical('sentiment', 0.9)] }), DEFAULT_POLICY);
    expect(passing).toMatchObject({ verdict: 'pass', reasons: [] });
    expect(passing.checks.map((check) => check.rule)).toEqual(['minAlpha', 'maxFlaggedItemShare', 'minJudgementsPerItem']);
    const failing = applyPolicy(input({ results: [categorical('sentiment', 0.5)], flaggedItems: 5 }), DEFAULT_POLICY);
    expect(failing.verdict).toBe('fail');
    expect(failing.reasons.map((reason) => reason.rule)).toEqual(['minAlpha', 'maxFlaggedItemShare']);
  });
});
