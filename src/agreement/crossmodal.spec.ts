import fc from 'fast-check';
import { krippendorffAlpha } from './alpha';
import { crossModalAgreement, streamSync, type IsTimed } from './crossmodal';
import { DatasetBuilder, type Dataset } from './dataset';
import type { CrossModalMapping } from './evaluation.types';
import { createRandom } from './random';
import { reliabilityFromMatrix } from './reliability';
import { AgreementInputError, type CanonicalRecord, type Modality } from './types';

const isTimed: IsTimed = (modality) => modality !== 'text';
const SYNC = { maxShiftSeconds: 2, maxStreamOffsetSeconds: 0.2, isTimed };

type Segment = [item: string, annotator: string, label: string, start: number, end: number];

/** Records of one interval dimension. */
function segments(modality: Modality, dimension: string, list: readonly Segment[]): CanonicalRecord[] {
  return list.map(([item, annotator, label, start, end]) => ({
    item,
    annotator,
    modality,
    dimension,
    label,
    value: null,
    start,
    end,
    frame: null,
    box: null,
  }));
}

/** Records of one categorical dimension: [item, annotator, label]. */
function labels(modality: Modality, dimension: string, list: ReadonlyArray<[string, string, string]>): CanonicalRecord[] {
  return list.map(([item, annotator, label]) => ({
    item,
    annotator,
    modality,
    dimension,
    label,
    value: null,
    start: null,
    end: null,
    frame: null,
    box: null,
  }));
}

function datasetOf(records: readonly CanonicalRecord[]): Dataset {
  const builder = new DatasetBuilder();
  records.forEach((record, index) => builder.add(record, index + 1));
  return builder.build();
}

/** An irregular speech-like track (distinct lengths and gaps, so that only one shift lines it up). */
const TRACK: ReadonlyArray<[number, number]> = [
  [0.5, 1.7],
  [2.3, 2.9],
  [3.4, 5.6],
  [6.1, 6.4],
  [7.2, 9.9],
  [10.5, 11.3],
];

/** Audio and video segments of `item` (3 annotators each), video lagging audio by `lag` seconds. */
function laggedClip(item: string, lag: number): CanonicalRecord[] {
  const audio: Segment[] = [];
  const video: Segment[] = [];
  for (const annotator of ['a1', 'a2', 'a3']) {
    for (const [start, end] of TRACK) {
      audio.push([item, annotator, 'speech', start, end]);
      video.push([item, `v-${annotator}`, 'talking', start + lag, end + lag]);
    }
  }
  return [...segments('audio', 'speech', audio), ...segments('video', 'mouth', video)];
}

describe('streamSync', () => {
  it('finds a video stream lagging audio by exactly 0.4 s, and calls it systematic over several items', () => {
    const dataset = datasetOf(['c1', 'c2', 'c3', 'c4', 'c5'].flatMap((item) => laggedClip(item, 0.4)));
    const [pair, ...rest] = streamSync(dataset, SYNC);
    expect(rest).toEqual([]);
    expect(pair!.a).toEqual({ modality: 'audio', dimension: 'speech' });
    expect(pair!.b).toEqual({ modality: 'video', dimension: 'mouth' });
    expect(pair!.items).toBe(5);
    for (const entry of pair!.perItem) {
      // Positive: b (video) lags a (audio); audio must move 0.4 s later to line up, IoU then 1.
      expect(entry.offset).toBeCloseTo(0.4, 9);
      expect(entry.iou).toBeCloseTo(1, 12);
      expect(entry.gain).toBeGreaterThan(0);
      expect(entry.gain).toBeCloseTo(1 - entry.iouAtZero!, 12);
    }
    expect(pair!.medianOffset).toBeCloseTo(0.4, 9);
    expect(pair!.offsetSpread).toBeCloseTo(0, 9);
    expect(pair!.systematic).toBe(true);
  });

  it('does not call a lag within maxStreamOffsetSeconds systematic', () => {
    const dataset = datasetOf(['c1', 'c2', 'c3'].flatMap((item) => laggedClip(item, 0.15)));
    const [pair] = streamSync(dataset, SYNC);
    expect(pair!.medianOffset).toBeCloseTo(0.15, 9);
    expect(pair!.systematic).toBe(false);
  });

  it('does not call varying lags systematic, and summarises them by median and median absolute deviation', () => {
    const random = createRandom(42);
    const lags = Array.from({ length: 21 }, () => Math.round((0.1 + 0.9 * random()) * 1000) / 1000);
    const items = lags.map((_, k) => `c${String(k).padStart(2, '0')}`);
    const dataset = datasetOf(items.flatMap((item, k) => laggedClip(item, lags[k]!)));
    const [pair] = streamSync(dataset, SYNC);
    pair!.perItem.forEach((entry, k) => expect(entry.offset).toBeCloseTo(lags[k]!, 9));

    const sorted = [...lags].sort((x, y) => x - y);
    const median = sorted[10]!;
    const spread = lags.map((lag) => Math.abs(lag - median)).sort((x, y) => x - y)[10]!;
    expect(pair!.medianOffset).toBeCloseTo(median, 9);
    expect(pair!.offsetSpread).toBeCloseTo(spread, 9);
    // All lags are positive and the median is beyond 0.2 s, but they scatter: spread > median / 4.
    expect(median).toBeGreaterThan(0.2);
    expect(spread).toBeGreaterThan(Math.max(0.05, median / 4));
    expect(pair!.systematic).toBe(false);
  });

  it('uses the consensus coverage: time covered by at least half of the annotators, any label', () => {
    // Audio, 3 annotators (≥ 2 needed): a [0,4), b [1,2) speech + [2,5) music, c [2,3) and [6,8).
    // Depth: [0,1) 1, [1,2) 2, [2,3) 3, [3,4) 2, [4,5) 1, [6,8) 1 → consensus [1,4).
    // Video, 2 annotators (≥ 1 needed: the union): [1.5,3) ∪ [2.5,4.5) = [1.5,4.5).
    // The consensus streams are [1,4) and [1.5,4.5): shifted by 0.5 they coincide (IoU 1);
    // at zero shift IoU = |[1.5,4)| / |[1,4.5)| = 2.5 / 3.5.
    const dataset = datasetOf([
      ...segments('audio', 'speech', [
        ['i1', 'a', 'speech', 0, 4],
        ['i1', 'b', 'speech', 1, 2],
        ['i1', 'b', 'music', 2, 5],
        ['i1', 'c', 'speech', 2, 3],
        ['i1', 'c', 'speech', 6, 8],
      ]),
      ...segments('video', 'face', [
        ['i1', 'x', 'smile', 1.5, 3],
        ['i1', 'y', 'frown', 2.5, 4.5],
      ]),
    ]);
    const [pair] = streamSync(dataset, SYNC);
    expect(pair!.perItem).toEqual([{ item: 'i1', offset: 0.5, iou: 1, iouAtZero: 2.5 / 3.5, gain: 1 - 2.5 / 3.5 }]);
  });

  it('counts an annotator once however its own segments overlap', () => {
    // Audio: a has [1,3) and [0,2), listed out of time order (one annotator, merged [0,3)), b has
    // [5,6): 2 annotators, so the consensus is the union [0,3) ∪ [5,6). Were a counted twice, [1,2)
    // alone would need 2 of 3.
    const dataset = datasetOf([
      ...segments('audio', 'speech', [
        ['i1', 'a', 'speech', 1, 3],
        ['i1', 'a', 'speech', 0, 2],
        ['i1', 'b', 'speech', 5, 6],
      ]),
      ...segments('video', 'face', [
        ['i1', 'x', 'smile', 0, 3],
        ['i1', 'x', 'smile', 5, 6],
      ]),
    ]);
    const [pair] = streamSync(dataset, SYNC);
    expect(pair!.perItem).toEqual([{ item: 'i1', offset: 0, iou: 1, iouAtZero: 1, gain: 0 }]);
  });

  it('pairs timed interval dimensions of different modalities only, in modality then dimension order', () => {
    const one = (modality: Modality, dimension: string): CanonicalRecord[] =>
      segments(modality, dimension, [['i1', 'a', 'x', 0, 1]]);
    const dataset = datasetOf([
      ...one('sensor', 'motion'),
      ...one('video', 'gesture'),
      ...one('video', 'face'),
      ...one('audio', 'speech'),
      ...one('text', 'spans'),
      ...labels('audio', 'mood', [['i1', 'a', 'calm']]),
    ]);
    const names = streamSync(dataset, SYNC).map((pair) => `${pair.a.modality}/${pair.a.dimension}~${pair.b.modality}/${pair.b.dimension}`);
    expect(names).toEqual([
      'audio/speech~video/face',
      'audio/speech~video/gesture',
      'audio/speech~sensor/motion',
      'video/face~sensor/motion',
      'video/gesture~sensor/motion',
    ]);
    // Text spans count once the schema says they are timed.
    expect(streamSync(dataset, { ...SYNC, isTimed: () => true })).toHaveLength(9);
  });

  it('lists the items judged in both streams, sorted; items whose streams never meet within ±D stay out of the summary', () => {
    const dataset = datasetOf([
      ...laggedClip('b', 0.4),
      ...laggedClip('a', 0.4),
      ...segments('audio', 'speech', [
        ['only-audio', 'a1', 'speech', 0, 1],
        ['far', 'a1', 'speech', 0, 1],
      ]),
      ...segments('video', 'mouth', [['far', 'v', 'talking', 10, 11]]),
    ]);
    const [pair] = streamSync(dataset, SYNC);
    expect(pair!.perItem.map((entry) => entry.item)).toEqual(['a', 'b', 'far']);
    expect(pair!.items).toBe(3);
    expect(pair!.perItem[2]).toEqual({ item: 'far', offset: 0, iou: 0, iouAtZero: 0, gain: 0 });
    expect(pair!.medianOffset).toBeCloseTo(0.4, 9);
    expect(pair!.systematic).toBe(true);
  });

  it('reports a null summary when no item has both streams', () => {
    const dataset = datasetOf([
      ...segments('audio', 'speech', [['i1', 'a', 'speech', 0, 1]]),
      ...segments('video', 'face', [['i2', 'a', 'smile', 0, 1]]),
    ]);
    expect(streamSync(dataset, SYNC)).toEqual([
      {
        a: { modality: 'audio', dimension: 'speech' },
        b: { modality: 'video', dimension: 'face' },
        items: 0,
        medianOffset: null,
        offsetSpread: null,
        systematic: false,
        perItem: [],
      },
    ]);
  });

  it('rejects a negative or non-finite maximum', () => {
    const dataset = datasetOf(laggedClip('c1', 0.4));
    expect(() => streamSync(dataset, { ...SYNC, maxShiftSeconds: -1 })).toThrow(AgreementInputError);
    expect(() => streamSync(dataset, { ...SYNC, maxStreamOffsetSeconds: Number.NaN })).toThrow(AgreementInputError);
  });
});

const VALENCE: CrossModalMapping = {
  concept: 'valence',
  sources: [
    { modality: 'text', dimension: 'sentiment', map: { positive: '+', negative: '-' } },
    { modality: 'audio', dimension: 'emotion', map: { happy: '+', sad: '-' } },
    { modality: 'video', dimension: 'expression', map: { smile: '+', frown: '-' } },
  ],
};
const AUDIO_VIDEO: CrossModalMapping = { concept: 'valence', sources: VALENCE.sources.slice(1) };
const CROSS = { toleranceSeconds: 0.5, isTimed };

/** Audio happy on [0,10) against a video track of [start, end, label] (one annotator each). */
function audioAgainstVideo(item: string, video: ReadonlyArray<[number, number, string]>): CanonicalRecord[] {
  return [
    ...segments('audio', 'emotion', [[item, 'a', 'happy', 0, 10]]),
    ...segments(
      'video',
      'expression',
      video.map(([start, end, label]): Segment => [item, 'v', label, start, end]),
    ),
  ];
}

describe('crossModalAgreement', () => {
  /**
   * Item i1. Audio (3 annotators): a1 happy [0,4) sad [4,6); a2 happy [0,3) sad [3,6);
   * a3 happy [0,4) neutral [4,6) (unmapped: a3 does not vote there). Video (1): smile [0,2) frown [2,6).
   * Text (3): positive, positive, negative → majority '+', over the timeline's extent [0,6).
   * Slices and values (text, audio, video):
   *   [0,2) +,+,+   [2,3) +,+,−   [3,4) +,+,− (audio 2 of 3)   [4,6) +,−,− (audio 2 of 2)
   * Weights: durations 2,1,1,2 over mean 1.5 → 4/3, 2/3, 2/3, 4/3; every slice has m = 3 values.
   * Coincidences o_ck = Σ w·(ordered c–k pairs)/(m − 1):
   *   o_++ = 4/3·3 + 2/3·1 + 2/3·1 = 16/3;  o_+− = o_−+ = 2/3 + 2/3 + 4/3 = 8/3;  o_−− = 4/3·1 = 4/3.
   *   n_+ = 8, n_− = 4, n = 12.  α = 1 − (n − 1)·(o_+− + o_−+) / (2·n_+·n_−) = 1 − 11·(16/3)/64 = 1/12.
   */
  const handCase = (): CanonicalRecord[] => [
    ...labels('text', 'sentiment', [
      ['i1', 't1', 'positive'],
      ['i1', 't2', 'positive'],
      ['i1', 't3', 'negative'],
    ]),
    ...segments('audio', 'emotion', [
      ['i1', 'a1', 'happy', 0, 4],
      ['i1', 'a1', 'sad', 4, 6],
      ['i1', 'a2', 'happy', 0, 3],
      ['i1', 'a2', 'sad', 3, 6],
      ['i1', 'a3', 'happy', 0, 4],
      ['i1', 'a3', 'neutral', 4, 6],
    ]),
    ...segments('video', 'expression', [
      ['i1', 'v1', 'smile', 0, 2],
      ['i1', 'v1', 'frown', 2, 6],
    ]),
  ];

  it('computes duration-weighted alpha over the common timeline as computed by hand', () => {
    const [result] = crossModalAgreement(datasetOf(handCase()), [VALENCE], CROSS);
    expect(result!.concept).toBe('valence');
    expect(result!.sources).toEqual([
      { modality: 'text', dimension: 'sentiment' },
      { modality: 'audio', dimension: 'emotion' },
      { modality: 'video', dimension: 'expression' },
    ]);
    expect(result!.alpha).toBeCloseTo(1 / 12, 12);
    expect(result!.items).toBe(1);
    expect(result!.perItem).toHaveLength(1);
    const item = result!.perItem[0]!;
    expect(item.item).toBe('i1');
    expect(item.alpha).toBeCloseTo(1 / 12, 12);
    expect(item.pairableSeconds).toBe(6);
    expect(item.disagreeingSeconds).toBe(4);
    expect(item.undefinedReason).toBeNull();
    expect(result!.undefinedReason).toBeNull();
  });

  it('matches alpha with the duration weights given to krippendorffAlpha directly', () => {
    const matrix = [
      ['+', '+', '+', '+'],
      ['+', '+', '+', '-'],
      ['+', '-', '-', '-'],
    ];
    const expected = krippendorffAlpha(reliabilityFromMatrix(matrix), 'nominal', { unitWeights: [4 / 3, 2 / 3, 2 / 3, 4 / 3] });
    const [result] = crossModalAgreement(datasetOf(handCase()), [VALENCE], CROSS);
    expect(result!.alpha).toBeCloseTo(expected.alpha.value!, 12);
    // Unweighted, the same four slices give another figure: the weighting matters.
    expect(krippendorffAlpha(reliabilityFromMatrix(matrix), 'nominal').alpha.value).not.toBeCloseTo(1 / 12, 3);
  });

  it('reports the disagreement as one conflict with each source value over it', () => {
    // [2,3), [3,4) and [4,6) disagree and touch: one conflict [2,6). Audio holds '+' on [2,4) and
    // '−' on [4,6), 2 s each: the tie goes to the earlier value.
    const [result] = crossModalAgreement(datasetOf(handCase()), [VALENCE], CROSS);
    expect(result!.conflicts).toEqual([
      {
        item: 'i1',
        start: 2,
        end: 6,
        values: [
          { modality: 'text', dimension: 'sentiment', value: '+' },
          { modality: 'audio', dimension: 'emotion', value: '+' },
          { modality: 'video', dimension: 'expression', value: '-' },
        ],
      },
    ]);
  });

  it('places conflicts at the exact disagreeing times and drops those within the tolerance', () => {
    // Video disagrees with audio's '+' on [3,3.4) (0.4 s ≤ 0.5: dropped) and [7,8.5) (kept).
    const records = audioAgainstVideo('i1', [
      [0, 3, 'smile'],
      [3, 3.4, 'frown'],
      [3.4, 7, 'smile'],
      [7, 8.5, 'frown'],
      [8.5, 10, 'smile'],
    ]);
    const [result] = crossModalAgreement(datasetOf(records), [AUDIO_VIDEO], CROSS);
    expect(result!.conflicts).toEqual([
      {
        item: 'i1',
        start: 7,
        end: 8.5,
        values: [
          { modality: 'audio', dimension: 'emotion', value: '+' },
          { modality: 'video', dimension: 'expression', value: '-' },
        ],
      },
    ]);
    expect(result!.perItem[0]!.pairableSeconds).toBe(10);
    expect(result!.perItem[0]!.disagreeingSeconds).toBeCloseTo(1.9, 12);
    // With no tolerance the short one is a conflict too.
    const strict = crossModalAgreement(datasetOf(records), [AUDIO_VIDEO], { ...CROSS, toleranceSeconds: 0 })[0]!;
    expect(strict.conflicts.map(({ start, end }) => [start, end])).toEqual([
      [3, 3.4],
      [7, 8.5],
    ]);
  });

  it('merges touching disagreements of different kinds into one conflict, valued by the longest value', () => {
    // Audio happy [0,5) sad [5,10); video smile [0,4.8) frown [4.8,5) smile [5,5.6) frown [5.6,10).
    // [4.8,5): + vs −, [5,5.6): − vs +: one conflict [4.8,5.6) (0.8 s). Audio is '−' for 0.6 of it,
    // video '+' for 0.6.
    const records = [
      ...segments('audio', 'emotion', [
        ['i1', 'a', 'happy', 0, 5],
        ['i1', 'a', 'sad', 5, 10],
      ]),
      ...segments('video', 'expression', [
        ['i1', 'v', 'smile', 0, 4.8],
        ['i1', 'v', 'frown', 4.8, 5],
        ['i1', 'v', 'smile', 5, 5.6],
        ['i1', 'v', 'frown', 5.6, 10],
      ]),
    ];
    const [result] = crossModalAgreement(datasetOf(records), [AUDIO_VIDEO], CROSS);
    expect(result!.conflicts).toEqual([
      {
        item: 'i1',
        start: 4.8,
        end: 5.6,
        values: [
          { modality: 'audio', dimension: 'emotion', value: '-' },
          { modality: 'video', dimension: 'expression', value: '+' },
        ],
      },
    ]);
  });

  it('gives a source without a majority no value: not pairable, null in a conflict', () => {
    // Audio: a1 happy, a2 sad on [0,4): a tie → no majority. Video smile [0,4). Text '−' over [0,4).
    // Only text and video have values: − vs +, a conflict where audio shows null.
    const records = [
      ...labels('text', 'sentiment', [['i1', 't', 'negative']]),
      ...segments('audio', 'emotion', [
        ['i1', 'a1', 'happy', 0, 4],
        ['i1', 'a2', 'sad', 0, 4],
      ]),
      ...segments('video', 'expression', [['i1', 'v', 'smile', 0, 4]]),
    ];
    const [result] = crossModalAgreement(datasetOf(records), [VALENCE], CROSS);
    expect(result!.conflicts).toEqual([
      {
        item: 'i1',
        start: 0,
        end: 4,
        values: [
          { modality: 'text', dimension: 'sentiment', value: '-' },
          { modality: 'audio', dimension: 'emotion', value: null },
          { modality: 'video', dimension: 'expression', value: '+' },
        ],
      },
    ]);
    // Without text, nothing is pairable.
    const [audioVideo] = crossModalAgreement(datasetOf(records), [AUDIO_VIDEO], CROSS);
    expect(audioVideo!.perItem).toEqual([
      {
        item: 'i1',
        alpha: null,
        pairableSeconds: 0,
        disagreeingSeconds: 0,
        undefinedReason: 'no stretch of the timeline where two sources have a value',
      },
    ]);
    expect(audioVideo!.alpha).toBeNull();
    expect(audioVideo!.undefinedReason).toBe('no stretch of the timeline where two sources have a value');
  });

  it('counts an annotator marking two mapped values at once as a voter without a value', () => {
    // Audio: a1 happy [0,2) and sad [1,2); a2 happy [0,2). On [1,2): voters a1 (torn) and a2 (+):
    // 1 of 2 is no majority. On [0,1): + from both. Video smile [0,2).
    const records = [
      ...segments('audio', 'emotion', [
        ['i1', 'a1', 'happy', 0, 2],
        ['i1', 'a1', 'sad', 1, 2],
        ['i1', 'a2', 'happy', 0, 2],
      ]),
      ...segments('video', 'expression', [['i1', 'v', 'smile', 0, 2]]),
    ];
    const [result] = crossModalAgreement(datasetOf(records), [AUDIO_VIDEO], CROSS);
    expect(result!.perItem[0]!.pairableSeconds).toBe(1);
  });

  it('spreads a categorical source over the extent of the timed segments, gaps included', () => {
    // Audio happy [1,2), video smile [3,4): extent [1,4). Text '+' covers [1,4), so [1,2) and [3,4)
    // are pairable (2 s) and agree; [2,3) has text only. Everything agrees: alpha undefined.
    const records = [
      ...labels('text', 'sentiment', [
        ['i1', 't1', 'positive'],
        ['i1', 't2', 'positive'],
      ]),
      ...segments('audio', 'emotion', [['i1', 'a', 'happy', 1, 2]]),
      ...segments('video', 'expression', [['i1', 'v', 'smile', 3, 4]]),
    ];
    const [result] = crossModalAgreement(datasetOf(records), [VALENCE], CROSS);
    expect(result!.perItem).toEqual([
      {
        item: 'i1',
        alpha: null,
        pairableSeconds: 2,
        disagreeingSeconds: 0,
        undefinedReason: 'all pairable values are identical: no variation',
      },
    ]);
    expect(result!.alpha).toBeNull();
    expect(result!.undefinedReason).toBe('all pairable values are identical: no variation');
    expect(result!.conflicts).toEqual([]);
  });

  it('has no timeline for an item with categorical sources only', () => {
    const records = [
      ...labels('text', 'sentiment', [['i1', 't', 'positive']]),
      ...labels('audio', 'mood', [['i1', 'a', 'cheerful']]),
    ];
    const mapping: CrossModalMapping = {
      concept: 'valence',
      sources: [VALENCE.sources[0]!, { modality: 'audio', dimension: 'mood', map: { cheerful: '+' } }],
    };
    const [result] = crossModalAgreement(datasetOf(records), [mapping], CROSS);
    expect(result!.perItem).toEqual([
      {
        item: 'i1',
        alpha: null,
        pairableSeconds: 0,
        disagreeingSeconds: 0,
        undefinedReason: 'no timed source has a segment in this item: no timeline',
      },
    ]);
    expect(result!.undefinedReason).toBe('no stretch of the timeline where two sources have a value');
  });

  it('skips interval sources that are not timed and box sources, naming them when alpha is undefined', () => {
    const mapping: CrossModalMapping = {
      concept: 'valence',
      sources: [
        { modality: 'text', dimension: 'spans', map: { praise: '+' } },
        { modality: 'image', dimension: 'faces', map: { smiling: '+' } },
        { modality: 'audio', dimension: 'emotion', map: { happy: '+' } },
      ],
    };
    const records: CanonicalRecord[] = [
      ...segments('text', 'spans', [['i1', 't', 'praise', 0, 12]]),
      { ...labels('image', 'faces', [['i1', 'p', 'smiling']])[0]!, box: { x: 0, y: 0, w: 10, h: 10 } },
      ...segments('audio', 'emotion', [['i1', 'a', 'happy', 0, 1]]),
    ];
    const [result] = crossModalAgreement(datasetOf(records), [mapping], CROSS);
    expect(result).toEqual({
      concept: 'valence',
      sources: [{ modality: 'audio', dimension: 'emotion' }],
      alpha: null,
      items: 0,
      perItem: [],
      conflicts: [],
      undefinedReason:
        'fewer than two sources that can be placed on a timeline (skipped: text/spans is not timed (character offsets), so it has no place on a timeline; image/faces holds boxes, which have no timeline)',
    });
    // Declared timed, the spans take part.
    const [timed] = crossModalAgreement(datasetOf(records), [mapping], { ...CROSS, isTimed: () => true });
    expect(timed!.sources).toHaveLength(2);
    expect(timed!.perItem[0]!.pairableSeconds).toBe(1);
  });

  it('lists only items judged in at least two sources, sorted, and pools their slices', () => {
    // i2: audio + / video − on [0,1) (disagree); i1: + / + on [0,3) (agree); i3 has audio only.
    // Pooled slices: [0,1) of i2 (w = 1/2 of the mean 2 → 0.5) and [0,3) of i1 (1.5):
    // o_++ = 1.5·2 = 3, o_+− = o_−+ = 0.5; n_+ = 3.5, n_− = 0.5, n = 4.
    // α = 1 − 3·1 / (2·3.5·0.5) = 1 − 3/3.5 = 1/7. Alone, i1 has no variation (null) and i2 one
    // disagreeing pair: α = 1 − 1·2 / (2·1·1) = 0.
    const records = [
      ...segments('audio', 'emotion', [
        ['i3', 'a', 'happy', 0, 1],
        ['i2', 'a', 'happy', 0, 1],
        ['i1', 'a', 'happy', 0, 3],
      ]),
      ...segments('video', 'expression', [
        ['i2', 'v', 'frown', 0, 1],
        ['i1', 'v', 'smile', 0, 3],
      ]),
    ];
    const [result] = crossModalAgreement(datasetOf(records), [AUDIO_VIDEO], { ...CROSS, toleranceSeconds: 0.25 });
    expect(result!.perItem.map((item) => [item.item, item.alpha, item.pairableSeconds, item.disagreeingSeconds])).toEqual([
      ['i1', null, 3, 0],
      ['i2', 0, 1, 1],
    ]);
    expect(result!.perItem[0]!.undefinedReason).toBe('all pairable values are identical: no variation');
    expect(result!.items).toBe(2);
    expect(result!.alpha).toBeCloseTo(1 / 7, 12);
    expect(result!.conflicts.map(({ item, start, end }) => [item, start, end])).toEqual([['i2', 0, 1]]);
  });

  it('equals plain nominal alpha when every slice lasts as long (property)', () => {
    const cell = fc.option(fc.constantFrom('+', '-', '0'), { nil: null, freq: 4 });
    const cases = fc.record({
      duration: fc.constantFrom(0.25, 0.37, 1, 2.5),
      // rows: sources (2–4), columns: unit-length slices, null = the source is silent there.
      matrix: fc
        .tuple(fc.integer({ min: 2, max: 4 }), fc.integer({ min: 1, max: 12 }))
        .chain(([sources, slices]) => fc.array(fc.array(cell, { minLength: slices, maxLength: slices }), { minLength: sources, maxLength: sources })),
    });
    const modalities: Modality[] = ['audio', 'video', 'sensor', 'image'];
    fc.assert(
      fc.property(cases, ({ duration, matrix }) => {
        const records = matrix.flatMap((row, source) =>
          segments(
            modalities[source]!,
            'valence',
            row.flatMap((value, slice): Segment[] => (value === null ? [] : [['i1', 'a', value, slice * duration, (slice + 1) * duration]])),
          ),
        );
        const mapping: CrossModalMapping = {
          concept: 'valence',
          sources: matrix.map((_, source) => ({ modality: modalities[source]!, dimension: 'valence', map: { '+': '+', '-': '-', '0': '0' } })),
        };
        const sourcesWithValues = matrix.filter((row) => row.some((value) => value !== null)).length;
        const plain = krippendorffAlpha(reliabilityFromMatrix(matrix), 'nominal').alpha;
        const [result] = crossModalAgreement(datasetOf(records), [mapping], CROSS);
        if (sourcesWithValues < 2) {
          expect(result!.alpha).toBeNull();
          expect(plain.value).toBeNull();
          return;
        }
        const item = result!.perItem[0]!;
        if (plain.value === null) {
          expect(item.alpha).toBeNull();
          expect(item.undefinedReason).not.toBeNull();
        } else {
          expect(item.alpha).toBeCloseTo(plain.value, 9);
          expect(result!.alpha).toBeCloseTo(plain.value, 9);
        }
      }),
      { seed: 20261127, numRuns: 300 },
    );
  });

  it('gives the same result whatever the order of the records', () => {
    const records = [
      ...handCase(),
      ...audioAgainstVideo('i0', [
        [0, 3, 'smile'],
        [3, 4, 'frown'],
      ]),
    ];
    const random = createRandom(9);
    const shuffled = [...records];
    for (let k = shuffled.length - 1; k > 0; k--) {
      const j = Math.floor(random() * (k + 1));
      [shuffled[k], shuffled[j]] = [shuffled[j]!, shuffled[k]!];
    }
    const first = crossModalAgreement(datasetOf(records), [VALENCE, AUDIO_VIDEO], CROSS);
    expect(crossModalAgreement(datasetOf(shuffled), [VALENCE, AUDIO_VIDEO], CROSS)).toEqual(first);
    expect(crossModalAgreement(datasetOf(records), [VALENCE, AUDIO_VIDEO], CROSS)).toEqual(first);
    expect(streamSync(datasetOf(shuffled), SYNC)).toEqual(streamSync(datasetOf(records), SYNC));
    expect(first[0]!.perItem.map((item) => item.item)).toEqual(['i0', 'i1']);
  });

  it('reports a mapping without any item in two sources', () => {
    const records = segments('audio', 'emotion', [['i1', 'a', 'happy', 0, 1]]);
    const [result] = crossModalAgreement(datasetOf(records), [AUDIO_VIDEO], CROSS);
    expect(result).toEqual({
      concept: 'valence',
      sources: [
        { modality: 'audio', dimension: 'emotion' },
        { modality: 'video', dimension: 'expression' },
      ],
      alpha: null,
      items: 0,
      perItem: [],
      conflicts: [],
      undefinedReason: "no item was judged in two of the concept's sources",
    });
  });

  it('rejects a negative tolerance and a source listed twice', () => {
    const dataset = datasetOf(handCase());
    expect(() => crossModalAgreement(dataset, [VALENCE], { ...CROSS, toleranceSeconds: -0.1 })).toThrow(AgreementInputError);
    const twice: CrossModalMapping = { concept: 'valence', sources: [VALENCE.sources[1]!, VALENCE.sources[1]!] };
    expect(() => crossModalAgreement(dataset, [twice], CROSS)).toThrow('concept "valence" lists audio/emotion twice');
  });
});
