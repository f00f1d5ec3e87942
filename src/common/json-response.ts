import { createHash } from 'node:crypto';
import type { HttpRequest, HttpResponse } from './http.types';

/** A response body that is JSON text already, encoded (UTF-8) once, with its entity tag. */
export interface JsonDocument {
  body: Buffer;
  etag: string;
}

/**
 * A strong entity tag for a body: the SHA-1 of its bytes, base64url (a cache validator, not a
 * security measure; the same bytes always give the same tag, in every API process).
 */
export function entityTagOf(body: Uint8Array): string {
  return `"${createHash('sha1').update(body).digest('base64url')}"`;
}

export function jsonDocument(json: string): JsonDocument {
  const body = Buffer.from(json, 'utf8');
  return { body, etag: entityTagOf(body) };
}

/**
 * Whether `If-None-Match` matches `tag` (RFC 9110 section 13.1.2: weak comparison, `*` matches
 * any current representation, and the header may list several tags).
 */
export function ifNoneMatchMatches(header: string | undefined, tag: string): boolean {
  if (header === undefined || header === '') return false;
  const wanted = tag.startsWith('W/') ? tag.slice(2) : tag;
  for (const part of header.split(',')) {
    const candidate = part.trim();
    if (candidate === '*') return true;
    if ((candidate.startsWith('W/') ? candidate.slice(2) : candidate) === wanted) return true;
  }
  return false;
}

export interface JsonDocumentOptions {
  /** Cache-Control of the 200 and of the 304; e.g. `private, no-cache` for per-key data. */
  cacheControl: string;
}

/**
 * Sends a JSON document (assembled from stored JSON text, so it is not parsed and serialised
 * again) with its ETag, or 304 without a body when `If-None-Match` names the ETag. For handlers
 * that take the response (`@Res()`), after every check that may refuse the request.
 */
export function sendJsonDocument(request: HttpRequest, response: HttpResponse, document: JsonDocument, options: JsonDocumentOptions): void {
  response.setHeader('etag', document.etag);
  response.setHeader('cache-control', options.cacheControl);
  if (ifNoneMatchMatches(request.headers['if-none-match'], document.etag)) {
    response.statusCode = 304;
    response.end();
    return;
  }
  response.statusCode = 200;
  response.setHeader('content-type', 'application/json; charset=utf-8');
  response.setHeader('content-length', document.body.length);
  response.end(document.body);
}
