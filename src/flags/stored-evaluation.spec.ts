import type { BatchEvaluation } from '../agreement/evaluate';
import { DEFAULT_POLICY, type CrossModalResult, type Finding, type StreamPairSync } from '../agreement/evaluation.types';
import { CROSS_MODAL_CONFLICTS, CROSS_MODAL_ITEMS, STREAM_LARGEST_OFFSETS, storedEvaluationOf } from './stored-evaluation';

const pair = (offsets: number[]): StreamPairSync => ({
  a: { modality: 'audio', dimension: 'speech' },
  b: { modality: 'video', dimension: 'expression' },
  items: offsets.length,
  medianOffset: 0,
  offsetSpread: 0,
  systematic: false,
  perItem: offsets.map((offset, i) => ({ item: `clip-${i}`, offset, iou: 1, iouAtZero: 0.5, gain: 0.5 })),
});

const concept = (items: number): CrossModalResult => ({
  concept: 'valence',
  sources: [
    { modality: 'text', dimension: 'sentiment' },
    { modality: 'audio', dimension: 'emotion' },
  ],
  alpha: 0.5,
  items,
  perItem: Array.from({ length: items }, (_, i) => ({
    item: `clip-${i}`,
    alpha: i % 7 === 0 ? null : (i % 100) / 100,
    pairableSeconds: 10,
    disagreeingSeconds: 1,
    undefinedReason: i % 7 === 0 ? 'no variation' : null,
  })),
  conflicts: Array.from({ length: items }, (_, i) => ({ item: `clip-${i}`, start: 0, end: 1 + (i % 60), values: [] })),
  undefinedReason: null,
});

function evaluation(overrides: Partial<BatchEvaluation> = {}): BatchEvaluation {
  const flag = (code: Finding['code'], severity: Finding['severity']): Finding => ({
    key: `${code}|${severity}`,
    code,
    severity,
    item: null,
    modality: null,
    dimension: null,
    annotators: [],
    start: null,
    end: null,
    message: '',
    evidence: {},
  });
  return {
    items: 10,
    flaggedItems: 2,
    flaggedItemShare: 0.2,
    sync: [],
    crossModal: [],
    gold: [],
    flags: [flag('STREAM_DESYNC', 'high'), flag('STREAM_DESYNC', 'medium'), flag('NO_MAJORITY', 'high')],
    verdict: { verdict: 'pass', reasons: [], checks: [] },
    policy: DEFAULT_POLICY,
    ...overrides,
  };
}

describe('storedEvaluationOf', () => {
  it('counts the flags by code and severity instead of keeping them', () => {
    const stored = storedEvaluationOf(evaluation());
    expect(stored).not.toHaveProperty('verdict');
    expect(stored.flags.total).toBe(3);
    expect(stored.flags.byCode).toMatchObject({ STREAM_DESYNC: 2, NO_MAJORITY: 1, LABEL_CONFLICT: 0 });
    expect(stored.flags.bySeverity).toEqual({ high: 2, medium: 1, low: 0 });
  });

  it('keeps a histogram of a stream pair\'s offsets and its largest ones', () => {
    const offsets = Array.from({ length: 200 }, (_, i) => ((i % 81) - 40) / 20); // −2 … 2 s
    const [stored] = storedEvaluationOf(evaluation({ sync: [pair(offsets)] })).sync;
    expect(stored).not.toHaveProperty('perItem');
    const { histogram, largest } = stored!.offsets;
    expect(histogram.from).toBe(-2);
    expect(histogram.counts).toHaveLength(80);
    expect(histogram.counts.reduce((sum, n) => sum + n, 0)).toBe(200);
    expect(largest).toHaveLength(STREAM_LARGEST_OFFSETS);
    expect(Math.abs(largest[0]!.offset)).toBe(2);
    const magnitudes = largest.map((entry) => Math.abs(entry.offset));
    expect(magnitudes).toEqual([...magnitudes].sort((a, b) => b - a));
  });

  it('keeps a concept\'s lowest item alphas and longest conflicts, with their counts', () => {
    const [stored] = storedEvaluationOf(evaluation({ crossModal: [concept(500)] })).crossModal;
    expect(stored!.perItem).toHaveLength(CROSS_MODAL_ITEMS);
    const alphas = stored!.perItem.map((item) => item.alpha);
    expect(alphas[0]).toBe(0);
    expect(alphas).toEqual([...alphas].sort((a, b) => a! - b!));
    expect(alphas).not.toContain(null);
    expect(stored!.conflictCount).toBe(500);
    expect(stored!.longestConflicts).toHaveLength(CROSS_MODAL_CONFLICTS);
    expect(stored!.longestConflicts[0]!.end).toBe(60);
  });
});
