import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateLabelStudioExport } from '../../../test/fixtures/label-studio/generate';
import type { ParsedRecord, ReadOptions } from '../adapter';
import { InputError, type InputIssue } from '../ingest.errors';
import { INGEST_LIMITS } from '../limits';
import { labelStudioAdapter, readLabelStudio, type LabelStudioReadStats } from './label-studio';

const MAX_TASK_CHARS = INGEST_LIMITS.maxTaskChars;

const FIXTURES = join(__dirname, '../../../test/fixtures/label-studio');

function fixture(name: string): string {
  return readFileSync(join(FIXTURES, name), 'utf8');
}

async function* chunksOf(text: string | Buffer, size: number): AsyncIterable<Buffer> {
  const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  for (let offset = 0; offset < bytes.length; offset += size) yield bytes.subarray(offset, offset + size);
}

interface ReadOutcome {
  records: ParsedRecord[];
  issues: InputIssue[];
  omitted: number;
  stats: LabelStudioReadStats | undefined;
}

/** Every record read, the issues of the InputError thrown at the end, and the stats reported. */
async function readAll(text: string | Buffer, options: ReadOptions = {}, chunkSize = 4096): Promise<ReadOutcome> {
  const records: ParsedRecord[] = [];
  let stats: LabelStudioReadStats | undefined;
  try {
    for await (const batch of readLabelStudio(chunksOf(text, chunkSize), { ...options, onStats: (reported) => (stats = reported as LabelStudioReadStats) })) records.push(...batch);
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    return { records, issues: [...error.issues], omitted: error.omitted, stats };
  }
  return { records, issues: [], omitted: 0, stats };
}

const none = { label: null, value: null, start: null, end: null, frame: null, box: null, line: 0 };

/** A record of `task`/`annotation`/`region`, with the given fields over the empty ones. */
function record(task: string, annotation: string, region: string, fields: Partial<ParsedRecord> & Pick<ParsedRecord, 'annotator' | 'modality' | 'dimension' | 'path'>): ParsedRecord {
  return { ...none, item: task, ...fields, provenance: { task, annotation, region } };
}

const noneSkipped = { cancelledAnnotations: 0, goldAnnotations: 0, skippedRelations: 0, ignoredPredictions: 0 };

describe('Label Studio export: the FORMATS.md five-task snippet', () => {
  const text = fixture('mixed-export.json');

  it('reads choices, text and audio spans, video timelines and image boxes record by record', async () => {
    const { records, issues, stats } = await readAll(text, { fps: 30 });
    expect(issues).toEqual([]);
    const choice = (annotator: string, annotation: string, region: string, index: number, label: string): ParsedRecord =>
      record('101', annotation, region, { annotator, modality: 'text', dimension: 'sentiment', label, path: `[0].annotations[${index}].result[0]` });
    const span = (annotation: string, region: string, at: string, annotator: string, label: string, start: number, end: number): ParsedRecord =>
      record('102', annotation, region, { annotator, modality: 'text', dimension: 'ner', label, start, end, path: `[1].annotations[${at}]` });
    const speech = (annotation: string, region: string, at: string, annotator: string, fields: Partial<ParsedRecord>): ParsedRecord =>
      record('103', annotation, region, { annotator, modality: 'audio', dimension: 'speaker', path: `[2].annotations[${at}]`, ...fields });
    const action = (annotation: string, region: string, at: string, annotator: string, label: string, start: number, end: number): ParsedRecord =>
      record('104', annotation, region, { annotator, modality: 'video', dimension: 'action', label, start, end, path: `[3].annotations[${at}].value.ranges[0]` });
    const object = (annotation: string, region: string, at: string, annotator: string, label: string, box: ParsedRecord['box']): ParsedRecord =>
      record('105', annotation, region, { annotator, modality: 'image', dimension: 'objects', label, box, path: `[4].annotations[${at}]` });
    expect(records).toEqual([
      choice('11', '9001', 'c1', 0, 'Negative'),
      choice('12', '9002', 'c2', 1, 'Negative'),
      choice('13', '9003', 'c3', 2, 'Neutral'),
      span('9011', 'n1', '0].result[0', '11', 'PER', 0, 11),
      span('9011', 'n2', '0].result[1', '11', 'LOC', 22, 28),
      span('9012', 'n3', '1].result[0', '12', 'PER', 6, 11),
      span('9012', 'n4', '1].result[1', '12', 'ORG', 22, 28),
      span('9012', 'n5', '1].result[2', '12', 'LOC', 32, 36),
      speech('9021', 'r1', '0].result[0', '11', { label: 'Agent', start: 0.4, end: 3.95 }),
      speech('9021', 'r1', '0].result[1', '11', { dimension: 'utterance', text: 'thanks for calling', start: 0.4, end: 3.95 }),
      speech('9021', 'r2', '0].result[2', '11', { label: 'Customer', start: 4.1, end: 7.6 }),
      speech('9022', 'r7', '1].result[0', '13', { label: 'Agent', start: 0.55, end: 4.2 }),
      speech('9022', 'r8', '1].result[1', '13', { label: 'Agent', start: 4.25, end: 7.1 }),
      { ...action('9031', 't1', '0].result[0', '12', 'Walking', 0, 1.5), gold: true },
      { ...action('9031', 't2', '0].result[1', '12', 'Sitting', 1.5, 3), gold: true },
      action('9032', 't3', '1].result[0', '13', 'Walking', 0, 2),
      action('9032', 't4', '1].result[1', '13', 'Sitting', 2, 3),
      object('9041', 'b1', '0].result[0', '11', 'Person', { x: 128, y: 144, w: 320, h: 288 }),
      object('9042', 'b2', '1].result[0', '12', 'Person', { x: 160, y: 151.2, w: 307.2, h: 277.2 }),
      object('9042', 'b3', '1].result[1', '12', 'Bicycle', { x: 768, y: 396, w: 128, h: 86.4 }),
    ]);
    expect(stats).toEqual({ ...noneSkipped, tasks: 5, annotations: 11, cancelledAnnotations: 1, goldAnnotations: 1 });
  });

  it('reads the same records whatever the chunk size, down to one byte', async () => {
    const whole = await readAll(text, { fps: 30 }, 1 << 20);
    const byByte = await readAll(text, { fps: 30 }, 1);
    expect(byByte).toEqual(whole);
  });

  it('reads the same records from one task per line (cut by line), one line, and pretty-printed layouts', async () => {
    const tasks = JSON.parse(text) as unknown[];
    const whole = await readAll(text, { fps: 30 }, 1 << 20);
    const perLine = `[\n${tasks.map((task) => JSON.stringify(task)).join(',\r\n')}]\n`;
    const tricky = `[${JSON.stringify(tasks[0])},\n${JSON.stringify(tasks[1])}, ${JSON.stringify(tasks[2])}\n,${tasks.slice(3).map((task) => JSON.stringify(task)).join(',\n')}]`;
    for (const layout of [perLine, JSON.stringify(tasks), JSON.stringify(tasks, null, 2), tricky]) {
      const read = await readAll(layout, { fps: 30 }, 1 << 20);
      expect(read.records.map(({ line: _line, ...rest }) => rest)).toEqual(whole.records.map(({ line: _line, ...rest }) => rest));
      expect(read.issues).toEqual(whole.issues);
      expect(await readAll(layout, { fps: 30 }, 97)).toEqual(read);
    }
  });

  it('names the source file in the provenance', async () => {
    const { records } = await readAll(text, { fps: 30, fileName: 'project-7.json' });
    expect(records[0]!.provenance).toEqual({ file: 'project-7.json', task: '101', annotation: '9001', region: 'c1' });
  });

  it('needs the frame rate for timelinelabels: one error at the first of them, with the count', async () => {
    const { records, issues } = await readAll(text);
    expect(records).toHaveLength(16);
    expect(issues).toEqual([
      {
        path: '[3].annotations[0].result[0].value.ranges',
        message: 'timelinelabels count video frames: give the frame rate (fps) to turn them into seconds (4 timelinelabels results need it)',
      },
    ]);
  });

  it('takes the modality from the modalities option first (from_name, then to_name)', async () => {
    const { records, issues } = await readAll(text, { fps: 30, modalities: { utterance: 'audio', audio: 'video' } });
    expect(issues).toEqual([]);
    const task103 = records.filter((each) => each.item === '103');
    expect(task103.map((each) => `${each.dimension}:${each.modality}`)).toEqual([
      'speaker:video',
      'utterance:audio',
      'speaker:video',
      'speaker:video',
      'speaker:video',
    ]);
  });
});

describe('Label Studio export: choices, rating, number, taxonomy, textarea and users', () => {
  it('reads multi-select choices as the sorted set, taxonomy paths, numbers and text; skips cancelled, relations and predictions', async () => {
    const { records, issues, stats } = await readAll(fixture('classification-extras.json'));
    expect(issues).toEqual([]);
    const at = (task: string, annotation: string, region: string, annotator: string, dimension: string, path: string, fields: Partial<ParsedRecord>): ParsedRecord =>
      record(task, annotation, region, { annotator, modality: 'text', dimension, path, ...fields });
    expect(records).toEqual([
      at('201', '9101', 'q1', 'ana@example.com', 'topics', '[0].annotations[0].result[0]', { label: 'Packaging|Shipping|Support' }),
      at('201', '9101', 'q2', 'ana@example.com', 'stars', '[0].annotations[0].result[1]', { label: '2', value: 2 }),
      at('201', '9101', 'q3', 'ana@example.com', 'urgency', '[0].annotations[0].result[2]', { value: 3.5 }),
      at('201', '9101', 'q4', 'ana@example.com', 'category', '[0].annotations[0].result[3]', { label: 'Logistics / Damage|Service / No reply' }),
      at('201', '9101', 'q5', 'ana@example.com', 'summary', '[0].annotations[0].result[4]', { text: 'Damaged box.\nNo reply from support.' }),
      at('201', '9102', 'q6', '12', 'topics', '[0].annotations[1].result[0]', { label: 'Shipping|Support' }),
      at('201', '9102', 'q7', '12', 'stars', '[0].annotations[1].result[1]', { label: '1', value: 1 }),
      at('201', '9102', 'q8', '12', 'category', '[0].annotations[1].result[2]', { label: 'Logistics / Damage' }),
      { ...at('201', '9103', 'q9', '13', 'topics', '[0].annotations[2].result[0]', { label: 'Packaging|Shipping|Support' }), gold: true },
      at('202', '9111', 'q11', '11', 'topics', '[1].annotations[0].result[0]', { label: 'Shipping' }),
      at('202', '9112', 'q12', '12', 'urgency', '[1].annotations[1].result[0]', { value: 0 }),
    ]);
    expect(stats).toEqual({ tasks: 2, annotations: 5, cancelledAnnotations: 1, goldAnnotations: 1, skippedRelations: 1, ignoredPredictions: 1 });
  });
});

describe('Label Studio export: regions', () => {
  it('gives results sharing a region id the region extent, audio channels their own dimension, rotated boxes their bounds', async () => {
    const { records, issues } = await readAll(fixture('regions.json'));
    expect(issues).toEqual([]);
    const audio = (annotation: string, region: string, annotator: string, dimension: string, at: number, fields: Partial<ParsedRecord>): ParsedRecord =>
      record('301', annotation, region, { annotator, modality: 'audio', dimension, path: `[0].annotations[${annotation === '9201' ? 0 : 1}].result[${at}]`, ...fields });
    const image = (annotation: string, region: string, annotator: string, dimension: string, at: number, fields: Partial<ParsedRecord>): ParsedRecord =>
      record('302', annotation, region, { annotator, modality: 'image', dimension, path: `[1].annotations[${annotation === '9211' ? 0 : 1}].result[${at}]`, ...fields });
    const turned = { x: 0, y: 100, w: 300 * Math.cos(Math.PI / 6) + 100, h: 300 * 0.5 + 200 * Math.cos(Math.PI / 6) };
    expect(records).toEqual([
      audio('9201', 'r1', '21', 'speaker', 0, { label: 'Agent', start: 0.5, end: 2.25 }),
      audio('9201', 'r1', '21', 'transcript', 1, { text: 'hello, how can I help?', start: 0.5, end: 2.25 }),
      audio('9201', 'r1', '21', 'tone', 2, { label: 'Friendly', start: 0.5, end: 2.25 }),
      audio('9201', 'r2', '21', 'transcript#1', 3, { text: 'my order is late', start: 2.5, end: 4 }),
      audio('9201', 'r2', '21', 'speaker#1', 4, { label: 'Customer', start: 2.5, end: 4 }),
      audio('9202', 'r5', '22', 'speaker', 0, { label: 'Agent', start: 0.6, end: 2 }),
      audio('9202', 'r5', '22', 'speaker', 0, { label: 'Supervisor', start: 0.6, end: 2 }),
      audio('9202', 'r6', '22', 'speaker#1', 1, { start: 2, end: 4.1 }),
      image('9211', 'b1', '21', 'objects', 0, { label: 'Car', box: closeBox(turned) }),
      image('9211', 'b1', '21', 'occluded', 1, { label: 'No', box: closeBox(turned) }),
      image('9212', 'b2', '22', 'objects', 0, { label: 'Car', box: { x: 110, y: 105, w: 290, h: 190 } }),
      image('9212', 'b3', '22', 'quality', 1, { label: 'Blurry', box: { x: 500, y: 250, w: 100, h: 50 } }),
    ]);
  });
});

/** A box matcher tolerant of the rounding of rotations. */
function closeBox(box: { x: number; y: number; w: number; h: number }): ParsedRecord['box'] {
  return {
    x: expect.closeTo(box.x, 9),
    y: expect.closeTo(box.y, 9),
    w: expect.closeTo(box.w, 9),
    h: expect.closeTo(box.h, 9),
  } as unknown as ParsedRecord['box'];
}

describe('Label Studio export: video', () => {
  it('reads one box per videorectangle keyframe (enabled:false ones too) and timeline ranges in seconds', async () => {
    const { records, issues } = await readAll(fixture('video.json'), { fps: 30 });
    expect(issues).toEqual([]);
    const video = (annotation: string, region: string, annotator: string, dimension: string, path: string, fields: Partial<ParsedRecord>): ParsedRecord =>
      record('401', annotation, region, { annotator, modality: 'video', dimension, path, ...fields });
    const first = '[0].annotations[0].result';
    const second = '[0].annotations[1].result';
    expect(records).toEqual([
      video('9301', 'v1', '31', 'box', `${first}[0].value.sequence[0]`, { label: 'Person', frame: 1, box: { x: 10, y: 20, w: 30, h: 40 } }),
      video('9301', 'v1', '31', 'box', `${first}[0].value.sequence[1]`, { label: 'Person', frame: 20, box: { x: 15, y: 22, w: 30, h: 40 } }),
      video('9301', 'v1', '31', 'box', `${first}[0].value.sequence[2]`, { label: 'Person', frame: 40, box: { x: 20, y: 25, w: 28, h: 38 } }),
      video('9301', 'v2', '31', 'box', `${first}[1].value.sequence[0]`, { frame: 5, box: { x: 50, y: 50, w: 10, h: 10 } }),
      video('9301', 't1', '31', 'action', `${first}[2].value.ranges[0]`, { label: 'Running', start: 0, end: 1 }),
      video('9301', 't1', '31', 'action', `${first}[2].value.ranges[1]`, { label: 'Running', start: 2, end: 2.5 }),
      { ...video('9302', 'v3', '32', 'box', `${second}[0].value.sequence[0]`, { label: 'Person', frame: 1, box: { x: 192, y: 216, w: 576, h: 432 } }), gold: true },
      { ...video('9302', 't2', '32', 'action', `${second}[1].value.ranges[0]`, { label: 'Running', start: 0, end: 31 / 30 }), gold: true },
    ]);
  });
});

describe('Label Studio export: time series', () => {
  it('turns epoch milliseconds and ISO times (Z, offsets, no zone as UTC) into epoch seconds', async () => {
    const { records, issues } = await readAll(fixture('timeseries.json'));
    expect(issues).toEqual([]);
    const sensor = (annotation: string, region: string, annotator: string, dimension: string, path: string, fields: Partial<ParsedRecord>): ParsedRecord =>
      record('501', annotation, region, { annotator, modality: 'sensor', dimension, path, ...fields });
    expect(records).toEqual([
      sensor('9401', 's1', '41', 'activity', '[0].annotations[0].result[0]', { label: 'Jump', start: 1712000000, end: 1712000004.5 }),
      sensor('9401', 's2', '41', 'activity', '[0].annotations[0].result[1]', { label: 'Walk', start: 1712000005, end: 1712000010.25 }),
      sensor('9401', 's2', '41', 'intensity', '[0].annotations[0].result[2]', { label: 'High', start: 1712000005, end: 1712000010.25 }),
      sensor('9402', 's3', '42', 'activity', '[0].annotations[1].result[0]', { label: 'Jump', start: 1712000000, end: 1712000004.5 }),
    ]);
  });
});

/** A one-task export with the given results from one annotator, and the task's data. */
function oneTask(results: unknown[], data: Record<string, unknown> = { text: 'Some text to label.' }, annotation: Record<string, unknown> = {}): string {
  return JSON.stringify([{ id: 1, data, annotations: [{ id: 10, completed_by: 5, result: results, ...annotation }] }]);
}

function choices(id: string, options: unknown[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { id, from_name: 'sentiment', to_name: 'text', type: 'choices', value: { choices: options }, ...extra };
}

describe('Label Studio export: malformed input', () => {
  it('reports a syntax error inside a task with its line, column and path, and still reads the other tasks', async () => {
    const text = fixture('malformed-syntax.json');
    const { records, issues } = await readAll(text, {}, 16);
    expect(records.map((each) => `${each.item}:${each.label}`)).toEqual(['1:Positive', '3:Neutral']);
    const line = text.split('\n')[6]!;
    expect(issues).toEqual([
      { line: 7, path: '[1].annotations[0].result[0].to_name', message: `not valid JSON at column ${line.indexOf('"type"') + 1}: expected ','` },
    ]);
  });

  it('reports a file cut off inside a task with the path reached and the end position', async () => {
    const { records, issues } = await readAll(fixture('malformed-truncated.json'));
    expect(records.map((each) => each.item)).toEqual(['101', '101', '101']);
    expect(issues).toEqual([
      { line: 36, path: '[1].annotations[1].result[1].value', message: 'the JSON ends inside this task (column 48): the file is cut off' },
    ]);
  });

  it('rejects a root that is not an array at once', async () => {
    const { records, issues } = await readAll(fixture('malformed-root-object.json'));
    expect(records).toEqual([]);
    expect(issues).toEqual([{ line: 1, message: 'is a JSON object; a Label Studio export is an array of tasks (column 1)' }]);
  });

  it('reports every bad value with its JSON path and emits the good records', async () => {
    const { records, issues } = await readAll(fixture('malformed-values.json'));
    expect(records).toEqual([
      record('602', '4', 'e6', { annotator: '1', modality: 'image', dimension: 'objects', label: 'Car', box: { x: 6.4, y: 9.6, w: 19.2, h: 19.2 }, path: '[1].annotations[0].result[2]' }),
    ]);
    expect(issues).toEqual([
      { path: '[0].annotations[0].result[0].value.start', message: 'must be a character offset (a whole number ≥ 0), got "0"' },
      { path: '[0].annotations[1].result[0].value.end', message: 'must be greater than start (start 5, end 5)' },
      { path: '[0].annotations[2].completed_by', message: 'is missing (the annotator (a user id or user object))' },
      {
        path: '[1].annotations[0].result[0].type',
        message: '"polygonlabels" is not a supported result type (supported: choices, labels, rectanglelabels, timelinelabels, videorectangle, timeserieslabels, rating, number, taxonomy, textarea; relation is skipped)',
      },
      { path: '[1].annotations[0].result[1].original_width', message: 'must be the image size in pixels (a number > 0), got nothing' },
      {
        path: '[2].annotations[0].result[0].to_name',
        message: 'cannot tell the modality of "pair" from the task data; map "verdict" or "pair" to one of text, image, audio, video, sensor in the modalities option',
      },
      { line: 40, path: '[3]', message: 'must be a task object' },
    ]);
  });

  it.each([
    ['trailing text after the array', '[]\n{"id": 1}', { line: 2, message: "unexpected '{' after the closing ']' of the task array (column 1)" }],
    ['a missing comma between tasks', '[{"id": 1, "annotations": []}\n {"id": 2}]', { line: 2, message: "expected ',' or ']' after task [0] (found '{') (column 2)" }],
    ['a trailing comma', '[{"id": 1, "annotations": []},\n]', { line: 2, message: "expected a task after ',' (found ']') (column 1)" }],
    ['an unclosed array', '[{"id": 1, "annotations": []}', { line: 1, message: "the JSON ends before the closing ']' of the task array (column 30): the file is cut off" }],
    ['an empty input', '  \n', { message: 'is empty' }],
    ['text that is not JSON', 'item,annotator,label\n', { line: 1, message: 'must be a JSON array of tasks (a Label Studio JSON export) (column 1)' }],
  ])('rejects %s', async (_name, text, issue) => {
    const { issues } = await readAll(text);
    expect(issues).toEqual([issue]);
  });

  it('rejects invalid UTF-8', async () => {
    const bytes = Buffer.concat([Buffer.from('[{"id": 1, "data": {"text": "caf'), Buffer.from([0xe9]), Buffer.from('"}, "annotations": []}]')]);
    const { issues } = await readAll(bytes);
    expect(issues).toEqual([{ line: 1, message: 'is not valid UTF-8 (here or in the next 64 KB)' }]);
  });

  it.each([
    ['a result with the same region and control twice', [choices('a', ['Positive']), choices('a', ['Negative'])], '[0].annotations[0].result[1]', 'region "a" already has a result from "sentiment" ([0].annotations[0].result[0])'],
    ['an empty choice list', [choices('a', [])], '[0].annotations[0].result[0].value.choices', 'is empty'],
    ['a choice that is not a string', [choices('a', [3])], '[0].annotations[0].result[0].value.choices[0]', 'must be a non-empty string, got 3'],
    [
      'too many labels in one result',
      [choices('a', Array.from({ length: INGEST_LIMITS.maxLabelsPerResult + 1 }, (_, index) => `option ${index}`))],
      '[0].annotations[0].result[0].value.choices',
      `has ${INGEST_LIMITS.maxLabelsPerResult + 1} labels, more than the limit of ${INGEST_LIMITS.maxLabelsPerResult}`,
    ],
    ['a label that is too long', [choices('a', ['x'.repeat(INGEST_LIMITS.maxNameLength + 1)])], '[0].annotations[0].result[0].value.choices[0]', `is ${INGEST_LIMITS.maxNameLength + 1} characters long, more than the limit of ${INGEST_LIMITS.maxNameLength}`],
    [
      'too much text',
      [{ id: 't', from_name: 'notes', to_name: 'text', type: 'textarea', value: { text: ['x'.repeat(INGEST_LIMITS.maxTextLength + 1)] } }],
      '[0].annotations[0].result[0].value.text',
      `is ${INGEST_LIMITS.maxTextLength + 1} characters long, more than the limit of ${INGEST_LIMITS.maxTextLength}`,
    ],
    ['a missing type', [{ id: 'a', from_name: 'sentiment', to_name: 'text', value: {} }], '[0].annotations[0].result[0].type', 'is missing'],
    ['a rating that is not a number', [{ id: 'a', from_name: 'stars', to_name: 'text', type: 'rating', value: { rating: '4' } }], '[0].annotations[0].result[0].value.rating', 'must be a number, got "4"'],
    ['a labels result without a span or box', [{ id: 'a', from_name: 'ner', to_name: 'text', type: 'labels', value: { labels: ['PER'] } }], '[0].annotations[0].result[0].value', 'a labels result needs start and end or x, y, width and height'],
    ['a text offset that is a fraction', [{ id: 'a', from_name: 'ner', to_name: 'text', type: 'labels', value: { start: 0.5, end: 3, labels: ['PER'] } }], '[0].annotations[0].result[0].value.start', 'must be a character offset (a whole number ≥ 0), got 0.5'],
    [
      'an ISO time that is not one',
      [{ id: 'a', from_name: 'activity', to_name: 'ts', type: 'timeserieslabels', value: { start: '2024-13-01T00:00:00Z', end: 5, timeserieslabels: ['Run'] } }],
      '[0].annotations[0].result[0].value.start',
      'must be epoch milliseconds or an ISO 8601 time, got "2024-13-01T00:00:00Z"',
    ],
    [
      'a date that does not exist',
      [{ id: 'a', from_name: 'activity', to_name: 'ts', type: 'timeserieslabels', value: { start: '2024-02-28', end: '2024-02-30', timeserieslabels: ['Run'] } }],
      '[0].annotations[0].result[0].value.end',
      'must be epoch milliseconds or an ISO 8601 time, got "2024-02-30"',
    ],
    [
      'an instant time-series label',
      [{ id: 'a', from_name: 'activity', to_name: 'ts', type: 'timeserieslabels', value: { start: 5, end: 5, instant: true, timeserieslabels: ['Tap'] } }],
      '[0].annotations[0].result[0].value.end',
      'must be greater than start (start 5, end 5) (an instant label has no length to compare)',
    ],
    [
      'a timeline range ending before it starts',
      [{ id: 'a', from_name: 'action', to_name: 'video', type: 'timelinelabels', value: { ranges: [{ start: 9, end: 3 }], timelinelabels: ['Run'] } }],
      '[0].annotations[0].result[0].value.ranges[0].end',
      'must not be before start (frames 9 to 3)',
    ],
    [
      'a rotated video box without the frame size',
      [{ id: 'a', from_name: 'box', to_name: 'video', type: 'videorectangle', value: { sequence: [{ frame: 1, x: 1, y: 1, width: 2, height: 2, rotation: 15, enabled: true }] } }],
      '[0].annotations[0].result[0].value.sequence[0].rotation',
      'a rotated box needs the frame size in pixels (original_width/original_height) to find its bounds',
    ],
    ['a negative audio channel', [{ id: 'a', from_name: 'speaker', to_name: 'audio', type: 'labels', value: { start: 1, end: 2, channel: -1, labels: ['A'] } }], '[0].annotations[0].result[0].value.channel', 'must be a whole number ≥ 0, got -1'],
  ])('reports %s at its path', async (_name, results, path, message) => {
    const { records, issues } = await readAll(oneTask(results, { text: 'Some text to label.', audio: '/media/a.wav', ts: '/data/a.csv', video: '/media/a.mp4' }), { fps: 25 });
    expect(issues).toEqual([{ path, message }]);
    expect(records.filter((each) => each.provenance?.region === 'a' && each.path === path)).toEqual([]);
  });

  it('reports an annotation id, a task id or a flag of the wrong type', async () => {
    const text = JSON.stringify([
      { id: 1.5, data: {}, annotations: [] },
      { id: 2, data: 'text', annotations: [{ id: 3, completed_by: 5, ground_truth: 'yes', result: [] }] },
      { id: 3, annotations: 'none' },
    ]);
    const { issues } = await readAll(text);
    expect(issues).toEqual([
      { path: '[0].id', message: 'must be the task id, got 1.5' },
      { path: '[1].data', message: 'must be an object, got "text"' },
      { path: '[1].annotations[0].ground_truth', message: 'must be true or false, got "yes"' },
      { path: '[2].annotations', message: 'must be an array, got "none"' },
    ]);
  });

  it('limits the results of an annotation and the annotations of a task', async () => {
    const tooMany = INGEST_LIMITS.maxResultsPerTask + 1;
    const { issues } = await readAll(oneTask(Array.from({ length: tooMany }, () => 0)));
    expect(issues).toEqual([{ path: '[0].annotations[0].result', message: `has ${tooMany} results, more than the limit of ${INGEST_LIMITS.maxResultsPerTask}` }]);
    const annotations = JSON.stringify([{ id: 1, annotations: Array.from({ length: tooMany }, () => 0) }]);
    const second = await readAll(annotations);
    expect(second.issues).toEqual([{ path: '[0].annotations', message: `has ${tooMany} annotations, more than the limit of ${INGEST_LIMITS.maxResultsPerTask}` }]);
  });

  it('does not keep a task larger than INGEST_LIMITS.maxTaskChars, and reads the next one', async () => {
    const huge = JSON.stringify({ id: 1, data: { text: 'x'.repeat(MAX_TASK_CHARS) }, annotations: [] });
    const text = `[${huge},\n${oneTask([choices('a', ['Positive'])]).slice(1)}`;
    const { records, issues } = await readAll(text, {}, 1 << 20);
    expect(records.map((each) => each.label)).toEqual(['Positive']);
    expect(issues).toEqual([{ line: 1, path: '[0]', message: `is larger than ${MAX_TASK_CHARS} characters of JSON; split the export into smaller tasks` }]);
  });

  it('keeps the first issueLimit issues and counts the rest', async () => {
    const results = Array.from({ length: 5 }, (_, index) => choices(`r${index}`, []));
    const records: ParsedRecord[] = [];
    await expect(async () => {
      for await (const batch of readLabelStudio(chunksOf(oneTask(results), 64), { issueLimit: 2 })) records.push(...batch);
    }).rejects.toMatchObject({ issues: [expect.anything(), expect.anything()], omitted: 3 });
  });
});

describe('Label Studio export: modality of an object', () => {
  it.each([
    ['a data key with a media URL', { clip: 'https://cdn.example.com/a/b.WAV?x=1#t' }, 'clip', 'audio'],
    ['a data: URI', { snap: 'data:image/png;base64,AAAA' }, 'snap', 'image'],
    ['the name of the data key', { image_url: 'https://cdn.example.com/photo' }, 'image_url', 'image'],
    ['the object name when the data has no such key', { url: 'https://cdn.example.com/x' }, 'videoPlayer', 'video'],
    ['the only data key when the object name says nothing', { url: '/uploads/sensor_7.csv' }, 'chart', 'sensor'],
    ['a plain string value as the text itself', { review: 'Loved it. Would buy again.' }, 'review', 'text'],
  ])('is told by %s', async (_name, data, toName, modality) => {
    const { records, issues } = await readAll(oneTask([{ id: 'a', from_name: 'verdict', to_name: toName, type: 'choices', value: { choices: ['Yes'] } }], data));
    expect(issues).toEqual([]);
    expect(records.map((each) => each.modality)).toEqual([modality]);
  });

  it('is reported once per object when it cannot be told', async () => {
    const result = { id: 'a', from_name: 'verdict', to_name: 'pair', type: 'choices', value: { choices: ['Left'] } };
    const task = (id: number): unknown => ({ id, data: { left: 1, right: 2 }, annotations: [{ id, completed_by: 1, result: [result] }] });
    const { issues } = await readAll(JSON.stringify([task(1), task(2)]));
    expect(issues.map((issue) => issue.path)).toEqual(['[0].annotations[0].result[0].to_name']);
  });
});

describe('Label Studio export: strings and chunk boundaries', () => {
  it('finds task boundaries whatever brackets, quotes and backslashes the strings hold, at any chunk size', async () => {
    const awkward = 'a "quoted" {brace} [bracket] back\\slash \\" end \\\\';
    const text = JSON.stringify([
      { id: 'task "one" ]}', data: { text: awkward }, annotations: [{ id: 1, completed_by: { id: 2, email: 'é@example.com' }, result: [choices('x', ['ü ]'])] }] },
      { id: 2, data: { text: awkward }, annotations: [{ id: 2, completed_by: 3, result: [choices('y', ['\\'])] }] },
    ], null, 1);
    for (const size of [1, 2, 3, 5, 64]) {
      const { records, issues } = await readAll(text, {}, size);
      expect(issues).toEqual([]);
      expect(records.map((each) => [each.item, each.annotator, each.label])).toEqual([
        ['task "one" ]}', 'é@example.com', 'ü ]'],
        ['2', '3', '\\'],
      ]);
    }
  });

  it('removes a leading byte order mark', async () => {
    const { records, issues } = await readAll(`\uFEFF${oneTask([choices('a', ['Positive'])])}`);
    expect(issues).toEqual([]);
    expect(records).toHaveLength(1);
  });

  it('reads an empty export as no records', async () => {
    const { records, issues, stats } = await readAll('[ ]');
    expect({ records, issues }).toEqual({ records: [], issues: [] });
    expect(stats).toEqual({ ...noneSkipped, tasks: 0, annotations: 0 });
  });
});

describe('Label Studio format detection', () => {
  it('claims a JSON array of task objects and nothing else', () => {
    expect(labelStudioAdapter.format).toBe('label-studio');
    expect(labelStudioAdapter.detect(fixture('mixed-export.json').slice(0, 200))).toBe(true);
    expect(labelStudioAdapter.detect('[{"id":1,"annotations":[')).toBe(true);
    expect(labelStudioAdapter.detect('{"item":"a","annotator":"b","label":"c"}\n')).toBe(false);
    expect(labelStudioAdapter.detect('{"id":1,"annotations":[]}')).toBe(false);
    expect(labelStudioAdapter.detect('[1, 2, 3]')).toBe(false);
    expect(labelStudioAdapter.detect('item,annotator,label\n')).toBe(false);
    expect(labelStudioAdapter.detect('<annotations>')).toBe(false);
  });
});

describe('Label Studio benchmark generator', () => {
  it('yields a valid export of choices and audio regions, the same for the same seed', async () => {
    const text = [...generateLabelStudioExport(40, 3, 7)].join('');
    expect([...generateLabelStudioExport(40, 3, 7)].join('')).toBe(text);
    const { records, issues, stats } = await readAll(text);
    expect(issues).toEqual([]);
    expect(records).toHaveLength(40 * 3 * 2);
    expect(stats?.annotations).toBe(120);
    expect(new Set(records.map((each) => `${each.modality}/${each.dimension}`))).toEqual(new Set(['audio/sentiment', 'audio/speaker']));
  });
});
