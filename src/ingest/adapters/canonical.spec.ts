import type { FormatAdapter, ParsedRecord } from '../adapter';
import { InputError, type InputIssue } from '../ingest.errors';
import { DatasetBuilder, DatasetInputError } from '../../agreement/dataset';
import { canonicalCsv, canonicalJsonl, readCanonicalCsvInto } from './canonical';

async function* chunksOf(text: string, size = 7): AsyncIterable<Buffer> {
  const bytes = Buffer.from(text, 'utf8');
  for (let offset = 0; offset < bytes.length; offset += size) yield bytes.subarray(offset, offset + size);
}

/** Every record read, and the issues of the InputError thrown at the end (none when it succeeded). */
async function readAll(adapter: FormatAdapter, text: string): Promise<{ records: ParsedRecord[]; issues: InputIssue[] }> {
  const records: ParsedRecord[] = [];
  try {
    for await (const batch of adapter.read(chunksOf(text))) records.push(...batch);
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    return { records, issues: [...error.issues] };
  }
  return { records, issues: [] };
}

const base = { modality: 'text', dimension: 'label', label: null, value: null, start: null, end: null, frame: null, box: null };

describe('canonical CSV', () => {
  it('reads records with the defaults text/label and the line of each', async () => {
    const { records, issues } = await readAll(canonicalCsv, 'item,annotator,label\ni1,ann1,pos\ni1,ann2,\n');
    expect(issues).toEqual([]);
    expect(records).toEqual([
      { ...base, item: 'i1', annotator: 'ann1', label: 'pos', line: 2 },
      { ...base, item: 'i1', annotator: 'ann2', label: null, line: 3 },
    ]);
  });

  it('takes the columns in any order, with numbers, spans and boxes', async () => {
    const text = [
      'h,w,y,x,end,start,value,dimension,modality,annotator,item,label,frame',
      '4,3,2,1,,,,objects,image,a,img1,car,7',
      ',,,,2.5,0.5,,speech,audio,a,clip1,speech,',
      ',,,,,,-1.5e2,score,text,a,doc1,,',
    ].join('\n');
    const { records, issues } = await readAll(canonicalCsv, text);
    expect(issues).toEqual([]);
    expect(records).toEqual([
      { ...base, item: 'img1', annotator: 'a', modality: 'image', dimension: 'objects', label: 'car', frame: 7, box: { x: 1, y: 2, w: 3, h: 4 }, line: 2 },
      { ...base, item: 'clip1', annotator: 'a', modality: 'audio', dimension: 'speech', label: 'speech', start: 0.5, end: 2.5, line: 3 },
      { ...base, item: 'doc1', annotator: 'a', dimension: 'score', value: -150, line: 4 },
    ]);
  });

  it.each([
    ['unknown columns, naming them', 'item,annotator,label,colour,size\n', 'unknown columns "colour", "size"'],
    ['a missing annotator column', 'item,label\n', 'missing column annotator'],
    ['neither label nor value', 'item,annotator\n', 'missing column label'],
    ['a column given twice', 'item,annotator,label,item\n', 'column "item" appears twice'],
  ])('rejects a header with %s on line 1', async (_name, text, message) => {
    const { records, issues } = await readAll(canonicalCsv, `${text}i,a,b\n`);
    expect(records).toEqual([]);
    expect(issues).toEqual([expect.objectContaining({ line: 1, message: expect.stringContaining(message) })]);
  });

  const header = 'item,annotator,label,modality,value,start,end,x,y,w,h';
  it.each([
    ['an empty item', ',a,l,text,,,,,,,', 'item', 'is empty'],
    ['an empty annotator', 'i,,l,text,,,,,,,', 'annotator', 'is empty'],
    ['an unknown modality', 'i,a,l,smell,,,,,,,', 'modality', '"smell" is not one of text, image, audio, video, sensor'],
    ['a value that is not a number', 'i,a,l,text,abc,,,,,,', 'value', '"abc" is not a finite number'],
    ['a hexadecimal value', 'i,a,l,text,0x10,,,,,,', 'value', 'is not a finite number'],
    ['an infinite value', 'i,a,l,text,1e999,,,,,,', 'value', 'is not a finite number'],
    ['a start without an end', 'i,a,l,audio,,1,,,,,', 'end', 'start and end must both be given or both be empty'],
    ['an end equal to the start', 'i,a,l,audio,,2,2,,,,', 'end', 'end (2) must be greater than start (2)'],
    ['an end before the start', 'i,a,l,audio,,3,1,,,,', 'end', 'end (1) must be greater than start (3)'],
    ['a box missing h', 'i,a,l,image,,,,1,2,3,', 'box', 'x, y, w and h must all be given or all be empty'],
    ['a negative width', 'i,a,l,image,,,,1,2,-3,4', 'w', 'box width and height must be ≥ 0'],
    ['a box and a span at once', 'i,a,l,image,,1,2,1,2,3,4', 'box', 'a record has a box or start/end, not both'],
  ])('reports %s with its line and field', async (_name, row, field, message) => {
    const { records, issues } = await readAll(canonicalCsv, `${header}\ni0,a,ok,text,,,,,,,\n${row}\n`);
    expect(records.map((record) => record.line)).toEqual([2]);
    expect(issues).toEqual([{ line: 3, field, message: expect.stringContaining(message) }]);
  });

  it('collects every bad row (with the tokenizer errors) and still emits the good ones', async () => {
    const text = 'item,annotator,label\n,a,x\ni2,a,x\ni3,a\ni4,,y\ni5,a,"open\n';
    const { records, issues } = await readAll(canonicalCsv, text);
    expect(records.map((record) => record.item)).toEqual(['i2']);
    expect(issues.map((issue) => issue.line)).toEqual([2, 4, 5, 6]);
  });

  /** The dataset (or its issues) and the reader's issues, read through `read` or `readCanonicalCsvInto`. */
  async function loaded(text: string, direct: boolean): Promise<{ dataset: unknown; readerIssues: InputIssue[] }> {
    const builder = new DatasetBuilder();
    let readerIssues: InputIssue[] = [];
    try {
      if (direct) await readCanonicalCsvInto(chunksOf(text), builder);
      else for await (const batch of canonicalCsv.read(chunksOf(text))) for (const record of batch) builder.add(record, record.line);
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      readerIssues = [...error.issues];
    }
    try {
      return { dataset: builder.build(), readerIssues };
    } catch (error) {
      if (!(error instanceof DatasetInputError)) throw error;
      return { dataset: [...error.issues], readerIssues };
    }
  }

  it.each([
    ['plain rows', 'item,annotator,label\ni1,a,x\ni1,b,\ni2,a,y\r\ni2,b,"y"\n'],
    ['bad rows and duplicates', 'item,annotator,label\n,a,x\ni2,a,x\ni3,a\ni4,,y\ni2,a,z\ni5,a,"open\n'],
    ['optional columns', 'item,annotator,label,dimension,start,end\ni1,a,x,topic,,\ni1,a,s,spans,0,1\ni1,b,x,topic,,\ni1,b,t,topic,1,2\n'],
    ['a bad header', 'item,annotator,colour\ni1,a,x\n'],
  ])('readCanonicalCsvInto builds what read + add builds (%s)', async (_name, text) => {
    expect(await loaded(text, true)).toEqual(await loaded(text, false));
  });

  it('is detected from the start of a file', () => {
    expect(canonicalCsv.detect('item,annotator,label\n')).toBe(true);
    expect(canonicalCsv.detect('{"item":"a"}')).toBe(false);
    expect(canonicalCsv.detect('<xml/>')).toBe(false);
  });
});

describe('canonical JSONL', () => {
  it('reads objects with a box object or box fields, numbers as item names, and blank lines', async () => {
    const text = [
      '{"item":"img1","annotator":"a","modality":"image","dimension":"objects","label":"car","box":{"x":1,"y":2,"w":3,"h":4}}',
      '',
      '{"item":7,"annotator":"b","label":"car","x":1,"y":2,"w":3,"h":4,"modality":"image","dimension":"objects"}\r',
      '{"item":"doc","annotator":"a","value":0.5,"label":""}',
    ].join('\n');
    const { records, issues } = await readAll(canonicalJsonl, text);
    expect(issues).toEqual([]);
    expect(records).toEqual([
      { ...base, item: 'img1', annotator: 'a', modality: 'image', dimension: 'objects', label: 'car', box: { x: 1, y: 2, w: 3, h: 4 }, line: 1 },
      { ...base, item: '7', annotator: 'b', modality: 'image', dimension: 'objects', label: 'car', box: { x: 1, y: 2, w: 3, h: 4 }, line: 3 },
      { ...base, item: 'doc', annotator: 'a', value: 0.5, line: 4 },
    ]);
  });

  it.each([
    ['text that is not JSON', '{"item":', undefined, 'not valid JSON'],
    ['an array', '["a"]', undefined, 'each line must be one JSON object'],
    ['an unknown field', '{"item":"i","annotator":"a","colour":"red"}', 'colour', 'unknown field'],
    ['a missing item', '{"annotator":"a","label":"x"}', 'item', 'is missing or empty'],
    ['a value given as a string', '{"item":"i","annotator":"a","value":"3"}', 'value', 'must be a finite number or null'],
    ['an unknown modality', '{"item":"i","annotator":"a","label":"x","modality":"smell"}', 'modality', 'is not one of'],
    ['an end before the start', '{"item":"i","annotator":"a","label":"x","start":2,"end":1}', 'end', 'must be greater than start'],
    ['a box with a negative height', '{"item":"i","annotator":"a","label":"x","box":{"x":0,"y":0,"w":1,"h":-1}}', 'h', '≥ 0'],
    ['a box and box fields at once', '{"item":"i","annotator":"a","label":"x","box":{"x":0,"y":0,"w":1,"h":1},"x":0}', 'box', 'not both'],
    ['a box field that is not a number', '{"item":"i","annotator":"a","label":"x","box":{"x":"0","y":0,"w":1,"h":1}}', 'box.x', 'finite number'],
  ])('reports %s with its line', async (_name, line, field, message) => {
    const { records, issues } = await readAll(canonicalJsonl, `{"item":"ok","annotator":"a","label":"x"}\n${line}\n`);
    expect(records.map((record) => record.item)).toEqual(['ok']);
    expect(issues).toEqual([{ line: 2, ...(field === undefined ? {} : { field }), message: expect.stringContaining(message) }]);
  });

  it('is detected by a leading object', () => {
    expect(canonicalJsonl.detect('  {"item":"a"}\n')).toBe(true);
    expect(canonicalJsonl.detect('item,annotator\n')).toBe(false);
  });
});
