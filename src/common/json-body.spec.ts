import type { IncomingMessage } from 'node:http';
import { shouldParseJsonBody } from './json-body';

function request(url: string, contentType?: string): IncomingMessage {
  return { url, headers: contentType ? { 'content-type': contentType } : {} } as IncomingMessage;
}

describe('shouldParseJsonBody', () => {
  it.each([
    ['/v1/projects', 'application/json', true],
    ['/v1/projects', 'application/json; charset=utf-8', true],
    ['/v1/projects/p/webhooks', 'application/merge-patch+json', true],
    ['/v1/projects', 'text/csv', false],
    ['/v1/projects', 'application/jsonl', false],
    ['/v1/projects', undefined, false],
    // Uploads are streamed by their handler, whatever their type.
    ['/v1/projects/4b0c/batches', 'application/json', false],
    ['/v1/projects/4b0c/batches/?format=label-studio', 'application/json', false],
    ['/v1/projects/4b0c/batches/x', 'application/json', true],
  ])('%s with %s → %s', (url, contentType, expected) => {
    expect(shouldParseJsonBody(request(url, contentType))).toBe(expected);
  });
});
