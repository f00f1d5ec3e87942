import { DEMO_ANNOTATORS, DEMO_HEADER, SLOPPY_ANNOTATOR, generateDemoCsv, generateDemoRows } from './demo-generator';

describe('the demo generator', () => {
  it('gives the same bytes for the same seed, other bytes for another', () => {
    expect(generateDemoCsv()).toBe(generateDemoCsv());
    expect(generateDemoCsv({ seed: 1 })).not.toBe(generateDemoCsv({ seed: 2 }));
  });

  it('writes the canonical CSV header and four dimensions of four modalities for every clip', () => {
    const csv = generateDemoCsv({ clips: 10 });
    expect(csv.split('\n')[0]).toBe(DEMO_HEADER);
    expect(csv.endsWith('\n')).toBe(true);
    const rows = generateDemoRows({ clips: 10 });
    expect(new Set(rows.map((r) => r.item)).size).toBe(10);
    expect(new Set(rows.map((r) => r.annotator))).toEqual(new Set(DEMO_ANNOTATORS));
    expect(new Set(rows.map((r) => `${r.modality}/${r.dimension}`))).toEqual(
      new Set(['text/sentiment', 'audio/speech', 'video/expression', 'image/objects']),
    );
    // one sentiment per clip and annotator
    expect(rows.filter((r) => r.dimension === 'sentiment')).toHaveLength(30);
    for (const row of rows) {
      if (row.start !== undefined) expect(row.end!).toBeGreaterThan(row.start);
      if (row.box) expect(row.box.w > 0 && row.box.h > 0).toBe(true);
    }
  });

  it('makes the video stream lag the audio by about the configured offset', () => {
    const rows = generateDemoRows({ clips: 200 }).filter((r) => r.annotator === 'ann-alice');
    const firstStart = (dimension: string) => {
      const starts = new Map<string, number>();
      for (const row of rows) if (row.dimension === dimension && !starts.has(row.item)) starts.set(row.item, row.start!);
      return starts;
    };
    const audio = firstStart('speech');
    const video = firstStart('expression');
    const shifts = [...audio].flatMap(([item, start]) => (video.has(item) ? [video.get(item)! - start] : [])).sort((a, b) => a - b);
    const median = shifts[Math.floor(shifts.length / 2)]!;
    expect(median).toBeGreaterThan(0.3);
    expect(median).toBeLessThan(0.5);
  });

  it('has one sloppy annotator who disagrees more often', () => {
    const rows = generateDemoRows({ clips: 300 }).filter((r) => r.dimension === 'sentiment');
    const label = (annotator: string, item: string) => rows.find((r) => r.annotator === annotator && r.item === item)!.label;
    const items = [...new Set(rows.map((r) => r.item))];
    const disagreements = (x: string, y: string) => items.filter((item) => label(x, item) !== label(y, item)).length;
    expect(disagreements('ann-alice', SLOPPY_ANNOTATOR)).toBeGreaterThan(3 * disagreements('ann-alice', 'ann-bruno'));
  });
});
