import type { GateCheck } from '../agreement/evaluation.types';
import { checksOf, reportIdOf, ruleMovements, toReportDimension } from './report.mapper';

function check(overrides: Partial<GateCheck>): GateCheck {
  return { rule: 'minAlpha', passed: true, modality: 'text', dimension: 'sentiment', subject: null, threshold: 0.667, measured: 0.8, message: '', ...overrides };
}

describe('reportIdOf', () => {
  it('is 32 hex digits, the same for the same evaluation, another for another evaluation or policy', () => {
    const at = new Date('2026-11-27T01:05:00.123Z');
    const id = reportIdOf('11111111-1111-4111-8111-111111111111', at, 3);
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(reportIdOf('11111111-1111-4111-8111-111111111111', new Date(at), 3)).toBe(id);
    expect(reportIdOf('11111111-1111-4111-8111-111111111111', new Date(at.getTime() + 1), 3)).not.toBe(id);
    expect(reportIdOf('11111111-1111-4111-8111-111111111111', at, null)).not.toBe(id);
  });
});

describe('ruleMovements', () => {
  it('lists every rule that failed in either batch, with its figure before and after', () => {
    const before = [
      check({ measured: 0.4, passed: false }),
      check({ rule: 'minMeanIoU', modality: 'audio', dimension: 'speech', threshold: 0.5, measured: 0.7 }),
      check({ rule: 'minGoldAccuracy', subject: 'ann-c', threshold: 0.9, measured: 0.5, passed: false }),
      check({ rule: 'maxFlaggedItemShare', modality: null, dimension: null, threshold: 0.05, measured: 0.2, passed: false }),
    ];
    const after = [
      check({ measured: 0.75 }),
      check({ rule: 'minMeanIoU', modality: 'audio', dimension: 'speech', threshold: 0.5, measured: 0.3, passed: false }),
      check({ rule: 'maxFlaggedItemShare', modality: null, dimension: null, threshold: 0.05, measured: 0.1, passed: false }),
      check({ rule: 'minAlpha', dimension: 'topic', measured: 0.2, passed: false }),
    ];
    expect(ruleMovements(before, after)).toEqual([
      { rule: 'minAlpha', modality: 'text', dimension: 'sentiment', subject: null, threshold: 0.667, before: 0.4, after: 0.75, passedBefore: false, passedAfter: true },
      { rule: 'minMeanIoU', modality: 'audio', dimension: 'speech', subject: null, threshold: 0.5, before: 0.7, after: 0.3, passedBefore: true, passedAfter: false },
      { rule: 'maxFlaggedItemShare', modality: null, dimension: null, subject: null, threshold: 0.05, before: 0.2, after: 0.1, passedBefore: false, passedAfter: false },
      { rule: 'minAlpha', modality: 'text', dimension: 'topic', subject: null, threshold: 0.667, before: null, after: 0.2, passedBefore: null, passedAfter: false },
      { rule: 'minGoldAccuracy', modality: 'text', dimension: 'sentiment', subject: 'ann-c', threshold: 0.9, before: 0.5, after: null, passedBefore: false, passedAfter: null },
    ]);
  });

  it('is empty when every rule passed in both', () => {
    expect(ruleMovements([check({})], [check({ measured: 0.9 })])).toEqual([]);
  });
});

describe('checksOf', () => {
  it('reads every check of the stored evaluation, else the failed ones', () => {
    const failed = check({ passed: false, measured: 0.1 });
    expect(checksOf({ evaluation: { checks: [check({}), failed] }, verdictReasons: [failed] })).toHaveLength(2);
    expect(checksOf({ evaluation: null, verdictReasons: [failed] })).toEqual([failed]);
    expect(checksOf({ evaluation: null, verdictReasons: null })).toEqual([]);
  });
});

describe('toReportDimension', () => {
  it('takes alpha and its interval from categorical results, IoU and F1 from intervals, class alpha from boxes', () => {
    const base = { items: 10, annotators: 3, undefinedReasons: {} };
    expect(
      toReportDimension({
        modality: 'text',
        dimension: 'sentiment',
        result: { ...base, shape: 'categorical', level: 'nominal', alpha: 0.5, ci: { lower: 0.4, upper: 0.6, confidence: 0.95, samples: 1000 } },
      }),
    ).toEqual({ modality: 'text', dimension: 'sentiment', shape: 'categorical', level: 'nominal', alpha: 0.5, ci: { lower: 0.4, upper: 0.6, confidence: 0.95 }, meanIoU: null, f1: null, ...base });
    expect(toReportDimension({ modality: 'audio', dimension: 'speech', result: { ...base, shape: 'intervals', meanIoU: 0.7, f1: 0.8 } })).toMatchObject({
      shape: 'intervals',
      alpha: null,
      ci: null,
      meanIoU: 0.7,
      f1: 0.8,
    });
    expect(toReportDimension({ modality: 'image', dimension: 'objects', result: { ...base, shape: 'boxes', classAlpha: 0.9, meanIoU: 0.6, f1: 0.7 } })).toMatchObject({
      shape: 'boxes',
      alpha: 0.9,
    });
  });
});
