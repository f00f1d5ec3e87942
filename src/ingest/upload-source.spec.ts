import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { DomainError } from '../common/domain-error';
import { openUploadSource, uploadSourceFromBytes, type UploadSource } from './upload-source';

/** A request as the upload source reads it: headers and a byte stream, sent in `chunks`. */
function request(headers: Record<string, string>, chunks: readonly (string | Buffer)[]): IncomingMessage {
  const stream = Readable.from(chunks.map((chunk) => Buffer.from(chunk)), { objectMode: false });
  return Object.assign(stream, { headers }) as unknown as IncomingMessage;
}

/** Every part's name, type and text, reading each to its end, and the fields seen at each part. */
async function readParts(source: UploadSource): Promise<Array<{ fileName: string | null; contentType: string | null; text: string; fields: Record<string, string> }>> {
  const read = [];
  for await (const part of source.parts) {
    const fields = Object.fromEntries(source.fields);
    const chunks: Buffer[] = [];
    for await (const chunk of part.body) chunks.push(chunk);
    read.push({ fileName: part.fileName, contentType: part.contentType, text: Buffer.concat(chunks).toString('utf8'), fields });
  }
  return read;
}

/** The text of a one-file upload. */
async function readAll(source: UploadSource): Promise<string> {
  return (await readParts(source)).map((part) => part.text).join('');
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

async function failure(promise: Promise<unknown>): Promise<DomainError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected a DomainError');
}

const BOUNDARY = 'xXxBoundaryxXx';

function multipart(parts: { name: string; filename?: string; type?: string; content: string }[], end = true): string {
  const body = parts
    .map(
      (part) =>
        `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${part.name}"` +
        (part.filename ? `; filename="${part.filename}"` : '') +
        `\r\n${part.type ? `Content-Type: ${part.type}\r\n` : ''}\r\n${part.content}\r\n`,
    )
    .join('');
  return end ? `${body}--${BOUNDARY}--\r\n` : body;
}

const multipartHeaders = { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` };

describe('openUploadSource: raw body', () => {
  it('streams the body as is, counting and hashing the bytes', async () => {
    const source = await openUploadSource(request({ 'content-type': 'text/csv; charset=utf-8' }, ['item,annotator,', 'label\n', 'a,b,c\n']), 1000);
    expect(source.kind).toBe('raw');
    expect(await readParts(source)).toEqual([{ fileName: null, contentType: 'text/csv', text: 'item,annotator,label\na,b,c\n', fields: {} }]);
    expect(source.digest()).toEqual({ bytes: 27, sha256: sha256('item,annotator,label\na,b,c\n') });
  });

  it('has no digest before the body was read to its end', async () => {
    const source = await openUploadSource(request({}, ['x']), 10);
    expect(() => source.digest()).toThrow(/not been read/);
  });

  it('refuses a declared Content-Length over the limit before reading', async () => {
    const error = await failure(openUploadSource(request({ 'content-length': '11' }, ['x']), 10));
    expect(error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('stops with PAYLOAD_TOO_LARGE as soon as the streamed bytes pass the limit', async () => {
    const source = await openUploadSource(request({}, ['12345', '67890', 'X', 'never read']), 10);
    const error = await failure(readAll(source));
    expect(error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('takes exactly the limit', async () => {
    const source = await openUploadSource(request({}, ['12345', '67890']), 10);
    expect(await readAll(source)).toBe('1234567890');
  });
});

describe('openUploadSource: multipart', () => {
  it('streams a file part, with its name and type, and the fields before it', async () => {
    const body = multipart([
      { name: 'note', content: 'hello' },
      { name: 'file', filename: 'export.csv', type: 'text/csv', content: 'item,annotator,label\r\na,b,c' },
    ]);
    // split across chunks at awkward places
    const chunks = [body.slice(0, 7), body.slice(7, 90), body.slice(90)];
    const source = await openUploadSource(request(multipartHeaders, chunks), 1000);
    expect(source.kind).toBe('multipart');
    expect(await readParts(source)).toEqual([{ fileName: 'export.csv', contentType: 'text/csv', text: 'item,annotator,label\r\na,b,c', fields: { note: 'hello' } }]);
    expect(source.digest().sha256).toBe(sha256('item,annotator,label\r\na,b,c'));
  });

  it('hashes the file part like the same bytes sent raw', async () => {
    const content = 'item,annotator,label\na,b,c\n';
    const raw = await openUploadSource(request({}, [content]), 1000);
    await readAll(raw);
    const part = await openUploadSource(request(multipartHeaders, [multipart([{ name: 'f', filename: 'a.csv', content }])]), 1000);
    await readAll(part);
    expect(part.digest()).toEqual(raw.digest());
  });

  it('refuses a body without a file part', async () => {
    const error = await failure(openUploadSource(request(multipartHeaders, [multipart([{ name: 'note', content: 'x' }])]), 1000).then(readAll));
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.message).toMatch(/no file part/);
  });

  it('streams several file parts in order, each with the fields that came before it', async () => {
    const body = multipart([
      { name: 'annotator:a.xml', content: 'alice' },
      { name: 'file', filename: 'a.xml', content: 'one' },
      { name: 'annotator:b.xml', content: 'bob' },
      { name: 'file', filename: 'b.xml', content: 'two' },
    ]);
    const source = await openUploadSource(request(multipartHeaders, [body.slice(0, 50), body.slice(50)]), 1000);
    // busboy may parse ahead of the reader: a part sees at least the fields before it.
    expect(await readParts(source)).toEqual([
      { fileName: 'a.xml', contentType: 'text/plain', text: 'one', fields: expect.objectContaining({ 'annotator:a.xml': 'alice' }) },
      { fileName: 'b.xml', contentType: 'text/plain', text: 'two', fields: { 'annotator:a.xml': 'alice', 'annotator:b.xml': 'bob' } },
    ]);
    const lines = `${sha256('one')} 3 a.xml\n${sha256('two')} 3 b.xml\n`;
    expect(source.digest()).toEqual({ bytes: 6, sha256: sha256(lines) });
  });

  it('skips a part its reader does not read, and goes on with the next', async () => {
    const body = multipart([
      { name: 'file', filename: 'a.csv', content: 'x'.repeat(5000) },
      { name: 'file', filename: 'b.csv', content: 'two' },
    ]);
    const source = await openUploadSource(request(multipartHeaders, [body]), 100_000);
    const names: Array<string | null> = [];
    let second = '';
    for await (const part of source.parts) {
      names.push(part.fileName);
      if (part.fileName === 'b.csv') for await (const chunk of part.body) second += chunk.toString();
    }
    expect(names).toEqual(['a.csv', 'b.csv']);
    expect(second).toBe('two');
  });

  it('counts the limit over all parts together', async () => {
    const body = multipart([
      { name: 'file', filename: 'a.csv', content: 'x'.repeat(15) },
      { name: 'file', filename: 'b.csv', content: 'y'.repeat(15) },
    ]);
    const source = await openUploadSource(request(multipartHeaders, [body]), 20);
    const error = await failure(readAll(source));
    expect(error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('refuses a truncated body (the closing boundary never comes)', async () => {
    const body = multipart([{ name: 'file', filename: 'a.csv', content: 'item,annotator,label\na,b,c' }], false);
    const source = await openUploadSource(request(multipartHeaders, [body.slice(0, -10)]), 1000);
    const error = await failure(readAll(source));
    expect(error.code).toBe('INVALID_INPUT');
  });

  it('refuses a multipart content type without a boundary', async () => {
    const error = await failure(openUploadSource(request({ 'content-type': 'multipart/form-data' }, ['x']), 1000));
    expect(error.code).toBe('INVALID_INPUT');
  });

  it('stops with PAYLOAD_TOO_LARGE when the file part passes the limit', async () => {
    const source = await openUploadSource(request(multipartHeaders, [multipart([{ name: 'f', filename: 'a.csv', content: 'x'.repeat(50) }])]), 20);
    const error = await failure(readAll(source));
    expect(error.code).toBe('PAYLOAD_TOO_LARGE');
  });
});

describe('uploadSourceFromBytes', () => {
  it('is an upload of bytes in memory', async () => {
    const source = uploadSourceFromBytes(Buffer.from('abc'), 'demo.csv');
    expect(await readParts(source)).toEqual([{ fileName: 'demo.csv', contentType: null, text: 'abc', fields: {} }]);
    expect(source.digest()).toEqual({ bytes: 3, sha256: sha256('abc') });
  });
});
