import { CsvTokenizer } from './csv-parser';

interface Tokenized {
  rows: Array<{ line: number; fields: string[] }>;
  errors: Array<{ line: number; message: string }>;
}

function tokenize(chunks: ReadonlyArray<string | Uint8Array>): Tokenized {
  const result: Tokenized = { rows: [], errors: [] };
  const tokenizer = new CsvTokenizer({
    row: (fields, line) => result.rows.push({ line, fields: [...fields] }),
    error: (line, message) => result.errors.push({ line, message }),
  });
  for (const chunk of chunks) tokenizer.write(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk);
  tokenizer.end();
  return result;
}

const fieldsOf = (result: Tokenized): string[][] => result.rows.map((row) => row.fields);

describe('CsvTokenizer', () => {
  it.each([
    ['plain rows', 'a,b\n1,2\n', [['a', 'b'], ['1', '2']]],
    ['no final newline', 'a,b\n1,2', [['a', 'b'], ['1', '2']]],
    ['CRLF line ends', 'a,b\r\n1,2\r\n', [['a', 'b'], ['1', '2']]],
    ['empty fields', 'a,b,c\n,,\n1,,3\n', [['a', 'b', 'c'], ['', '', ''], ['1', '', '3']]],
    ['a trailing comma is one more empty field', 'a,b\n1,', [['a', 'b'], ['1', '']]],
    ['quoted fields', '"a","b"\n"1","2"\n', [['a', 'b'], ['1', '2']]],
    ['a comma inside quotes', 'a,b\n"x, y",2\n', [['a', 'b'], ['x, y', '2']]],
    ['"" inside quotes is one quote', 'a,b\n"say ""hi""",""\n', [['a', 'b'], ['say "hi"', '']]],
    ['a newline inside quotes', 'a,b\n"line 1\nline 2",2\n', [['a', 'b'], ['line 1\nline 2', '2']]],
    ['CRLF inside quotes is kept', 'a,b\r\n"x\r\ny",2\r\n', [['a', 'b'], ['x\r\ny', '2']]],
    ['a quoted field then CRLF', 'a,b\r\n1,"2"\r\n', [['a', 'b'], ['1', '2']]],
    ['a UTF-8 BOM is dropped', '\uFEFFitem,label\nx,é\n', [['item', 'label'], ['x', 'é']]],
    ['blank lines carry no row', 'a,b\n\n1,2\r\n\r\n', [['a', 'b'], ['1', '2']]],
    ['a quote inside an unquoted field is literal', 'a,b\n5" disk,2\n', [['a', 'b'], ['5" disk', '2']]],
  ])('reads %s', (_name, text, expected) => {
    const result = tokenize([text]);
    expect(result.errors).toEqual([]);
    expect(fieldsOf(result)).toEqual(expected);
  });

  it('numbers each row by the line it starts on, counting newlines inside quotes', () => {
    const result = tokenize(['h1,h2\n"a\nb\nc",1\nx,2\n\ny,3\n']);
    expect(result.rows.map((row) => row.line)).toEqual([1, 2, 5, 7]);
  });

  it('reports a row with the wrong number of fields by its line and goes on', () => {
    const result = tokenize(['a,b\n1,2\n1,2,3\n4\n5,6\n']);
    expect(result.errors).toEqual([
      { line: 3, message: 'expected 2 fields (as in the header), found 3' },
      { line: 4, message: 'expected 2 fields (as in the header), found 1' },
    ]);
    expect(fieldsOf(result)).toEqual([['a', 'b'], ['1', '2'], ['5', '6']]);
  });

  it('reports an unterminated quote at the end of input with the line it opened on', () => {
    const result = tokenize(['a,b\n1,2\n3,"never closed\n4,5\n']);
    expect(result.errors).toEqual([{ line: 3, message: expect.stringContaining('unterminated quoted field') }]);
    expect(fieldsOf(result)).toEqual([['a', 'b'], ['1', '2']]);
  });

  it('reports text after a closing quote and skips that row', () => {
    const result = tokenize(['a,b\n"x"y,1\n2,3\n']);
    expect(result.errors).toEqual([{ line: 2, message: expect.stringContaining('after a closing quote') }]);
    expect(fieldsOf(result)).toEqual([['a', 'b'], ['2', '3']]);
  });

  it('reports bytes that are not UTF-8', () => {
    const result = tokenize(['a,b\n', Buffer.from([0x31, 0x2c, 0xff, 0x0a])]);
    expect(result.errors).toEqual([{ line: 2, message: expect.stringContaining('not valid UTF-8') }]);
  });

  it('reports input that ends inside a multi-byte character', () => {
    const euro = Buffer.from('€', 'utf8');
    const result = tokenize(['a\n', euro.subarray(0, 2)]);
    expect(result.errors).toEqual([{ line: 2, message: expect.stringContaining('ends inside a character') }]);
  });

  describe('chunk boundaries', () => {
    // Multi-byte characters of 2 (é), 3 (€) and 4 (😀) bytes, quotes, escapes, CRLF and a BOM.
    const text = '\uFEFFitem,label,note\r\n"a,1",é,"say ""€"""\r\nb2,😀,"two\nlines"\r\nc3,x,\r\n';
    const bytes = Buffer.from(text, 'utf8');
    const expected = [
      ['item', 'label', 'note'],
      ['a,1', 'é', 'say "€"'],
      ['b2', '😀', 'two\nlines'],
      ['c3', 'x', ''],
    ];

    it.each(Array.from({ length: bytes.length - 1 }, (_, index) => index + 1))('gives the same rows split at byte %i', (split) => {
      const result = tokenize([bytes.subarray(0, split), bytes.subarray(split)]);
      expect(result.errors).toEqual([]);
      expect(fieldsOf(result)).toEqual(expected);
      expect(result.rows.map((row) => row.line)).toEqual([1, 2, 3, 5]);
    });

    it('gives the same rows fed one byte at a time', () => {
      const result = tokenize(Array.from(bytes, (byte) => Uint8Array.of(byte)));
      expect(result.errors).toEqual([]);
      expect(fieldsOf(result)).toEqual(expected);
    });
  });
});
