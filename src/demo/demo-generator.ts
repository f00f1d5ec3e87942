/**
 * A seeded generator of a realistic multimodal annotation export in the canonical CSV format, for the
 * demo (`npm start`), the tests and the examples. One seed gives byte-identical output everywhere.
 *
 * The hidden truth per clip is a conversation: speech turns of two speakers, each turn with a mood.
 * From it, three annotators (two careful, one sloppy) write:
 * - text `sentiment`: one label per clip (`negative` | `neutral` | `positive`), the clip's overall mood;
 * - audio `speech`: speaker-turn segments labelled `host` / `guest` (seconds);
 * - video `expression`: facial expression segments (`smile` | `neutral` | `frown`) that follow the
 *   turns' moods — and the video stream lags: every video time is `videoLagSeconds` (≈ 0.4 s) late;
 * - image `objects`: boxes on the clip's key frame (`person`, `car`, `dog`, `bicycle`), in pixels
 *   of a 1280×720 frame.
 * The sloppy annotator picks random labels now and then, jitters boundaries and boxes, and misses
 * segments, so agreement is visibly lower with them than without (drop-one alpha rises).
 */
import { createRandom } from '../agreement/random';
import type { ProjectSchemaDefinition } from '../projects/project-settings';

export interface DemoOptions {
  /** PRNG seed (default 20240611). */
  seed?: number;
  /** Number of clips (default 240). */
  clips?: number;
  /** Constant lag of the video stream behind audio and text, in seconds (default 0.4). */
  videoLagSeconds?: number;
}

export const DEMO_ANNOTATORS = ['ann-alice', 'ann-bruno', 'ann-chen'] as const;
/** The annotator whose work is sloppy. */
export const SLOPPY_ANNOTATOR = 'ann-chen';

export const DEMO_HEADER = 'item,annotator,modality,dimension,label,value,start,end,frame,x,y,w,h';

/**
 * The project schema that fits the demo data: the cross-modal valence mapping of transcript
 * sentiment and facial expression (levels default to nominal; sentiment stays nominal until the
 * analysis orders named ordinal labels by the schema).
 */
export const DEMO_SCHEMA: ProjectSchemaDefinition = {
  dimensions: [{ modality: 'text', dimension: 'sentiment', level: 'nominal' }],
  crossModal: [
    {
      concept: 'valence',
      sources: [
        { modality: 'text', dimension: 'sentiment', map: { negative: '-', neutral: '0', positive: '+' } },
        { modality: 'video', dimension: 'expression', map: { frown: '-', neutral: '0', smile: '+' } },
      ],
    },
  ],
};

type Mood = 'negative' | 'neutral' | 'positive';
const MOODS: readonly Mood[] = ['negative', 'neutral', 'positive'];
const EXPRESSION: Record<Mood, string> = { negative: 'frown', neutral: 'neutral', positive: 'smile' };
const SPEAKERS = ['host', 'guest'] as const;
const OBJECT_CLASSES = ['person', 'car', 'dog', 'bicycle'] as const;
const FRAME_WIDTH = 1280;
const FRAME_HEIGHT = 720;

interface Turn {
  speaker: string;
  mood: Mood;
  start: number;
  end: number;
}

interface TruthBox {
  label: string;
  x: number;
  y: number;
  w: number;
  h: number;
}

interface Clip {
  id: string;
  duration: number;
  mood: Mood;
  turns: Turn[];
  boxes: TruthBox[];
}

interface Row {
  item: string;
  annotator: string;
  modality: string;
  dimension: string;
  label: string;
  start?: number;
  end?: number;
  box?: { x: number; y: number; w: number; h: number };
}

/** Generates the demo CSV (header included, `\n` line ends, trailing newline). */
export function generateDemoCsv(options: DemoOptions = {}): string {
  return [DEMO_HEADER, ...generateDemoRows(options).map(formatRow)].join('\n') + '\n';
}

/** The rows of the demo file, in file order (clip by clip, annotator by annotator). */
export function generateDemoRows(options: DemoOptions = {}): Row[] {
  const seed = options.seed ?? 20240611;
  const clipCount = options.clips ?? 240;
  const lag = options.videoLagSeconds ?? 0.4;
  const random = createRandom(seed);
  const uniform = (low: number, high: number): number => low + (high - low) * random();
  const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)]!;
  const gaussian = (sd: number): number => {
    // Box–Muller from two uniforms in (0, 1].
    const u = 1 - random();
    const v = random();
    return sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };

  const rows: Row[] = [];
  for (let index = 1; index <= clipCount; index++) {
    const clip = truthClip(`clip-${String(index).padStart(4, '0')}`, uniform, pick);
    for (const annotator of DEMO_ANNOTATORS) {
      const sloppy = annotator === SLOPPY_ANNOTATOR;
      const labelError = sloppy ? 0.35 : 0.04;
      const timeJitter = sloppy ? 0.45 : 0.06;
      const missRate = sloppy ? 0.15 : 0.02;

      // text: one sentiment label per clip
      rows.push({
        item: clip.id, annotator, modality: 'text', dimension: 'sentiment',
        label: random() < labelError ? pick(MOODS) : clip.mood,
      });

      // audio: speaker turns
      for (const turn of clip.turns) {
        if (random() < missRate) continue;
        const span = jittered(turn.start, turn.end, timeJitter, clip.duration, gaussian);
        if (span === null) continue;
        rows.push({
          item: clip.id, annotator, modality: 'audio', dimension: 'speech',
          label: random() < labelError / 2 ? pick(SPEAKERS) : turn.speaker, ...span,
        });
      }

      // video: expressions follow the turns' moods, but the stream lags by `lag` seconds
      for (const turn of clip.turns) {
        if (random() < missRate) continue;
        const span = jittered(turn.start + lag, turn.end + lag, timeJitter, clip.duration + lag, gaussian);
        if (span === null) continue;
        rows.push({
          item: clip.id, annotator, modality: 'video', dimension: 'expression',
          label: random() < labelError ? EXPRESSION[pick(MOODS)] : EXPRESSION[turn.mood], ...span,
        });
      }

      // image: boxes on the key frame
      for (const truth of clip.boxes) {
        if (random() < missRate) continue;
        const spread = sloppy ? 0.12 : 0.025;
        const x = clamp(truth.x + gaussian(spread * truth.w), 0, FRAME_WIDTH - 2);
        const y = clamp(truth.y + gaussian(spread * truth.h), 0, FRAME_HEIGHT - 2);
        const w = clamp(truth.w * (1 + gaussian(spread)), 2, FRAME_WIDTH - x);
        const h = clamp(truth.h * (1 + gaussian(spread)), 2, FRAME_HEIGHT - y);
        rows.push({
          item: clip.id, annotator, modality: 'image', dimension: 'objects',
          label: random() < labelError / 2 ? pick(OBJECT_CLASSES) : truth.label,
          box: { x: round(x, 1), y: round(y, 1), w: round(w, 1), h: round(h, 1) },
        });
      }
      // now and then the sloppy annotator draws a box around nothing
      if (sloppy && random() < 0.2) {
        rows.push({
          item: clip.id, annotator, modality: 'image', dimension: 'objects', label: pick(OBJECT_CLASSES),
          box: { x: round(uniform(0, 1000), 1), y: round(uniform(0, 560), 1), w: round(uniform(40, 200), 1), h: round(uniform(40, 150), 1) },
        });
      }
    }
  }
  return rows;
}

function truthClip(
  id: string,
  uniform: (low: number, high: number) => number,
  pick: <T>(values: readonly T[]) => T,
): Clip {
  const duration = round(uniform(8, 20), 3);
  const mood = pick(MOODS);
  const turns: Turn[] = [];
  let time = uniform(0.2, 1.2);
  let speaker = 0;
  while (time < duration - 1.5) {
    const end = Math.min(duration - 0.3, time + uniform(1.2, 4.5));
    // a turn's mood mostly follows the clip's
    const turnMood = uniform(0, 1) < 0.75 ? mood : pick(MOODS);
    turns.push({ speaker: SPEAKERS[speaker]!, mood: turnMood, start: round(time, 3), end: round(end, 3) });
    time = end + uniform(0.25, 1.0);
    speaker = 1 - speaker;
  }
  const boxes: TruthBox[] = [];
  const objectCount = 1 + Math.floor(uniform(0, 4));
  for (let i = 0; i < objectCount; i++) {
    const w = uniform(60, 360);
    const h = uniform(60, 300);
    boxes.push({ label: pick(OBJECT_CLASSES), x: uniform(0, FRAME_WIDTH - w), y: uniform(0, FRAME_HEIGHT - h), w, h });
  }
  return { id, duration, mood, turns, boxes };
}

function jittered(
  start: number,
  end: number,
  sd: number,
  limit: number,
  gaussian: (sd: number) => number,
): { start: number; end: number } | null {
  const a = round(clamp(start + gaussian(sd), 0, limit), 3);
  const b = round(clamp(end + gaussian(sd), 0, limit), 3);
  return b - a >= 0.1 ? { start: a, end: b } : null;
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

function formatRow(row: Row): string {
  const cell = (value: number | undefined): string => (value === undefined ? '' : String(value));
  return [
    row.item, row.annotator, row.modality, row.dimension, row.label, '',
    cell(row.start), cell(row.end), '',
    cell(row.box?.x), cell(row.box?.y), cell(row.box?.w), cell(row.box?.h),
  ].join(',');
}
