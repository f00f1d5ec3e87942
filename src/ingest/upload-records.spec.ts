import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { zipArchive } from '../../test/helpers/zip-writer';
import type { ParsedRecord } from './adapter';
import { InputError, type InputIssue } from './ingest.errors';
import { UploadRecords } from './upload-records';
import { uploadSourceFromBytes, type UploadPart, type UploadSource } from './upload-source';

const FIXTURES = join(__dirname, '../../test/fixtures');
const fixture = (path: string): Buffer => readFileSync(join(FIXTURES, path));

/** A multipart-like upload of `files`, with form fields that all come before the first part. */
function partsUpload(files: Array<{ name: string; bytes: Buffer | string; type?: string }>, fields: Record<string, string> = {}): UploadSource {
  return {
    kind: 'multipart',
    fields: new Map(Object.entries(fields)),
    parts: {
      async *[Symbol.asyncIterator](): AsyncGenerator<UploadPart> {
        for (const file of files) {
          yield { fileName: file.name, contentType: file.type ?? null, body: (async function* () { yield Buffer.from(file.bytes); })() };
        }
      },
    },
    digest: () => ({ bytes: 0, sha256: '' }),
  };
}

async function readAll(reading: UploadRecords): Promise<ParsedRecord[]> {
  const records: ParsedRecord[] = [];
  for await (const chunk of reading.records()) records.push(...chunk);
  return records;
}

function issuesOf(fn: () => unknown): InputIssue[] {
  try {
    fn();
  } catch (error) {
    if (error instanceof InputError) return [...error.issues];
    throw error;
  }
  throw new Error('expected an InputError');
}

describe('UploadRecords', () => {
  it('reads one raw body as before: its issues name no file', async () => {
    const reading = new UploadRecords(uploadSourceFromBytes(Buffer.from('item,annotator,label\nu1,a,x\n,b,y\n'), null));
    await readAll(reading);
    expect(issuesOf(() => reading.finish())).toEqual([{ line: 3, field: 'item', message: 'is empty' }]);
  });

  it('names the JSON paths of both judgements of a duplicate, and of a segment in a label dimension, though it keeps only the paths it may name', async () => {
    const result = (id: string, fromName: string, type: string, value: object) => ({ id, from_name: fromName, to_name: 'audio', type, value });
    const task = (id: number, annotations: object[]) => ({ id, data: { audio: `${id}.wav` }, annotations });
    const exported = [
      task(1, [
        { id: 11, completed_by: 1, result: [result('r1', 'mood', 'choices', { choices: ['calm'] }), result('r2', 'speech', 'labels', { start: 0, end: 1, labels: ['speech'] })] },
        { id: 12, completed_by: 1, result: [result('r3', 'speech', 'labels', { start: 1, end: 2, labels: ['speech'] }), result('r4', 'mood', 'choices', { choices: ['angry'] })] },
      ]),
      task(2, [{ id: 21, completed_by: 2, result: [result('r5', 'speech', 'labels', { start: 0, end: 3, labels: ['speech'] }), result('r6', 'mood', 'labels', { start: 0, end: 1, labels: ['calm'] })] }]),
    ];
    const reading = new UploadRecords(uploadSourceFromBytes(Buffer.from(JSON.stringify(exported)), 'export.json'));
    await readAll(reading);
    expect(issuesOf(() => reading.finish())).toEqual([
      { path: '[0].annotations[1].result[1]', message: 'annotator "1" judged item "1" in audio/mood twice ([0].annotations[0].result[0] and [0].annotations[1].result[1])' },
      { path: '[1].annotations[0].result[1]', message: 'a segment (start/end) in audio/mood, which holds categorical judgements since [0].annotations[0].result[0]' },
    ]);
  });

  it('reads several files as one data set, each with its annotator from a field or the default', async () => {
    const reading = new UploadRecords(
      partsUpload(
        [
          { name: 'video-annotator-a.xml', bytes: fixture('cvat/video-annotator-a.xml') },
          { name: 'video-annotator-b.xml', bytes: fixture('cvat/video-annotator-b.xml') },
        ],
        { 'annotator:video-annotator-a.xml': 'alice', note: 'ignored' },
      ),
      { annotator: 'bob' },
    );
    const records = await readAll(reading);
    const dataset = reading.finish();
    expect(dataset.annotators).toEqual(['alice', 'bob']);
    expect(new Set(records.map((record) => record.provenance?.file))).toEqual(new Set(['video-annotator-a.xml', 'video-annotator-b.xml']));
    expect(reading.files.map((file) => [file.file, file.format, file.annotator])).toEqual([
      ['video-annotator-a.xml', 'cvat', 'alice'],
      ['video-annotator-b.xml', 'cvat', 'bob'],
    ]);
    expect(reading.formats).toBe('cvat');
    expect(reading.partNames).toEqual(['video-annotator-a.xml', 'video-annotator-b.xml']);
  });

  it('collects every file\'s problems, naming the file, and a field that names no file', async () => {
    const reading = new UploadRecords(
      partsUpload(
        [
          { name: 'a.csv', bytes: 'item,annotator,label\nu1,a,x\n' },
          { name: 'b.csv', bytes: '' },
          { name: 'c.csv', bytes: 'item,annotator,label\nu1,a,y\n' },
        ],
        { 'annotator:d.xml': 'dora' },
      ),
    );
    await readAll(reading);
    expect(issuesOf(() => reading.finish())).toEqual([
      { field: 'annotator:d.xml', message: 'names the annotator of "d.xml", but no file of that name came after it (the field must precede its file\'s part)' },
      { file: 'b.csv', message: 'is empty' },
      { file: 'c.csv', line: 2, message: 'annotator "a" judged item "u1" in text/label twice (a.csv line 2 and c.csv line 2)' },
    ]);
  });

  it('reads each part that is a zip entry by entry, naming entries inside the archive', async () => {
    const zip = zipArchive([
      { name: 'ls/mixed-export.json', content: fixture('label-studio/mixed-export.json') },
      { name: 'bad.csv', content: 'item,annotator,label\nu1,,x\n' },
    ]);
    const reading = new UploadRecords(partsUpload([{ name: 'exports.zip', bytes: zip }]), { read: { fps: 30 } });
    const records = await readAll(reading);
    expect(records).toHaveLength(20);
    expect(issuesOf(() => reading.finish())).toEqual([{ file: 'exports.zip/bad.csv', line: 2, field: 'annotator', message: 'is empty' }]);
    expect(reading.files.map((file) => file.file)).toEqual(['exports.zip/ls/mixed-export.json', 'exports.zip/bad.csv']);
  });

  it('refuses an upload of gold and free text only: nothing to compare', async () => {
    const gold = JSON.stringify([
      { id: 1, data: { text: 'x' }, annotations: [{ id: 1, completed_by: 1, ground_truth: true, result: [{ id: 'r', from_name: 's', to_name: 'text', type: 'choices', value: { choices: ['A'] } }] }] },
    ]);
    const reading = new UploadRecords(uploadSourceFromBytes(Buffer.from(gold), 'gold.json'));
    await readAll(reading);
    expect(issuesOf(() => reading.finish())).toEqual([{ message: 'holds no judgements to compare: every record is gold or free text' }]);
  });
});
