import type { HttpRequest, HttpResponse } from './http.types';
import { entityTagOf, ifNoneMatchMatches, jsonDocument, sendJsonDocument } from './json-response';

function fakeExchange(headers: Record<string, string> = {}) {
  const sent: { status?: number; headers: Record<string, unknown>; body?: unknown } = { headers: {} };
  const response = {
    set statusCode(value: number) {
      sent.status = value;
    },
    setHeader(name: string, value: unknown) {
      sent.headers[name.toLowerCase()] = value;
    },
    end(body?: unknown) {
      sent.body = body;
    },
  } as unknown as HttpResponse;
  return { request: { headers } as unknown as HttpRequest, response, sent };
}

describe('JSON documents', () => {
  const document = jsonDocument('{"a":"é"}');

  it('encodes once and tags the bytes (strong tag, same bytes same tag)', () => {
    expect(document.body).toEqual(Buffer.from('{"a":"é"}', 'utf8'));
    expect(document.etag).toMatch(/^"[A-Za-z0-9_-]{27}"$/);
    expect(entityTagOf(Buffer.from('{"a":"é"}'))).toBe(document.etag);
    expect(entityTagOf(Buffer.from('{"a":"e"}'))).not.toBe(document.etag);
  });

  it.each([
    [undefined, false],
    ['', false],
    ['*', true],
    ['"other"', false],
    ['"other", TAG', true],
    ['W/TAG', true],
  ])('If-None-Match %p matches: %p', (header, matches) => {
    expect(ifNoneMatchMatches(header?.replace('TAG', document.etag), document.etag)).toBe(matches);
  });

  it('sends 200 with the body, its length, type, ETag and Cache-Control', () => {
    const { request, response, sent } = fakeExchange();
    sendJsonDocument(request, response, document, { cacheControl: 'private, no-cache' });
    expect(sent).toEqual({
      status: 200,
      headers: {
        etag: document.etag,
        'cache-control': 'private, no-cache',
        'content-type': 'application/json; charset=utf-8',
        'content-length': document.body.length,
      },
      body: document.body,
    });
  });

  it('answers 304 without a body when If-None-Match names the ETag', () => {
    const { request, response, sent } = fakeExchange({ 'if-none-match': document.etag });
    sendJsonDocument(request, response, document, { cacheControl: 'private, no-cache' });
    expect(sent).toEqual({ status: 304, headers: { etag: document.etag, 'cache-control': 'private, no-cache' }, body: undefined });
  });
});
