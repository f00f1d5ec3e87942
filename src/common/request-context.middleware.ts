import { randomUUID } from 'node:crypto';
import type { HttpRequest, HttpResponse, NextFunction } from './http.types';
import { runWithLogContext } from './request-context';

/** Accepted incoming ids: short and printable, so a client cannot inject into logs. */
const VALID_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * First middleware of the API: takes `x-request-id` from the client (or makes one), echoes it in
 * the response, and runs the rest of the request inside the log context so every log line and
 * every problem+json body carries it.
 */
export function requestContextMiddleware(request: HttpRequest, response: HttpResponse, next: NextFunction): void {
  const incoming = request.headers['x-request-id'];
  const requestId = typeof incoming === 'string' && VALID_REQUEST_ID.test(incoming) ? incoming : randomUUID();
  request.requestId = requestId;
  response.setHeader('x-request-id', requestId);
  runWithLogContext({ requestId }, () => next());
}
