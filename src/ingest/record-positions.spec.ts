import { DatasetInputError } from '../agreement/dataset';
import { RecordPositions } from './record-positions';

describe('RecordPositions', () => {
  it('keeps the lines of a single file as they are, naming no file', () => {
    const positions = new RecordPositions();
    expect(positions.startFile('a.csv')).toBe(0);
    expect(positions.of({ line: 12 })).toBe(12);
    expect(positions.locate(12)).toEqual({ line: 12 });
    expect(positions.describe(12)).toBeUndefined();
  });

  it('names the file, line or JSON path of every position once there are several files', () => {
    const positions = new RecordPositions();
    positions.startFile('a.csv');
    const line = positions.of({ line: 5 });
    positions.startFile('b.json');
    const paths = ['[12].annotations[3].result[0]', '[0].annotations[0].result[1].value.ranges[2]', '[07]x', '[12]', 'no.task', '[99999999999].a', '[12].annotations[3].result[0]'];
    const located = paths.map((path) => positions.of({ line: 0, path }));
    const unknown = positions.of({ line: 0 });
    positions.startFile('c.xml');
    const xml = positions.of({ line: 44, path: '44:3 <track>' });

    expect(positions.locate(line)).toEqual({ file: 'a.csv', line: 5 });
    expect(located.map((position) => positions.locate(position))).toEqual(paths.map((path) => ({ file: 'b.json', path })));
    expect(positions.locate(unknown)).toEqual({ file: 'b.json' });
    expect(positions.locate(xml)).toEqual({ file: 'c.xml', line: 44 });
    expect(positions.describe(line)).toBe('a.csv line 5');
    expect(positions.describe(located[0]!)).toBe('b.json [12].annotations[3].result[0]');
    expect([...positions.fileNames]).toEqual(['a.csv', 'b.json', 'c.xml']);
    // Positions sort file by file, then by line or read order.
    expect([...located].sort((a, b) => a - b)).toEqual(located);
    expect(line < located[0]! && located.at(-1)! < xml).toBe(true);
  });

  it('keeps a path only when asked: a record left unkept lends its number to the next one', () => {
    const positions = new RecordPositions();
    positions.startFile('a.json');
    const skipped = positions.next({ line: 0, path: '[0].annotations[0].result[0]' });
    const kept = positions.next({ line: 0, path: '[0].annotations[0].result[1]' });
    positions.keep({ line: 0, path: '[0].annotations[0].result[1]' });
    const after = positions.next({ line: 0, path: '[1].annotations[0].result[0]' });
    positions.keep({ line: 0, path: '[1].annotations[0].result[0]' });
    expect(kept).toBe(skipped);
    expect(positions.locate(kept)).toEqual({ path: '[0].annotations[0].result[1]' });
    expect(positions.locate(after)).toEqual({ path: '[1].annotations[0].result[0]' });
    // Lines cost nothing either way.
    expect(positions.next({ line: 7 })).toBe(7);
    expect(positions.locate(7)).toEqual({ line: 7 });
  });

  it('names the file of a single file taken out of an archive', () => {
    const positions = new RecordPositions();
    positions.nameFiles = true;
    positions.startFile('x.zip/a.json');
    const position = positions.of({ line: 0, path: '[1]' });
    expect(positions.locate(position)).toEqual({ file: 'x.zip/a.json', path: '[1]' });
  });

  it('turns a DatasetInputError into an InputError of files, lines and paths', () => {
    const positions = new RecordPositions();
    positions.startFile('a.csv');
    const first = positions.of({ line: 2 });
    positions.startFile('b.json');
    const second = positions.of({ line: 0, path: '[0].annotations[1].result[0]' });
    const error = positions.inputError(new DatasetInputError([{ position: second, message: 'twice' }, { position: first, message: 'bad' }], 3));
    expect(error.issues).toEqual([
      { file: 'b.json', path: '[0].annotations[1].result[0]', message: 'twice' },
      { file: 'a.csv', line: 2, message: 'bad' },
    ]);
    expect(error.omitted).toBe(3);
  });

  it('keeps many paths in typed arrays (they grow)', () => {
    const positions = new RecordPositions();
    positions.startFile('big.json');
    const all = Array.from({ length: 5000 }, (_, task) => positions.of({ line: 0, path: `[${task}].annotations[${task % 3}].result[0]` }));
    expect(positions.locate(all[4321]!)).toEqual({ path: '[4321].annotations[1].result[0]' });
  });
});
