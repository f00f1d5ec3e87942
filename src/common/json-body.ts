import type { IncomingMessage } from 'node:http';

/** Upper bound of a JSON request body (projects, keys, webhooks): small documents only. */
export const JSON_BODY_LIMIT = '1mb';

const JSON_CONTENT_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

/**
 * Routes whose body is streamed by their handler (uploads may be JSON exports of any size): the
 * JSON body parser must leave their stream untouched.
 */
const STREAMED_BODY_ROUTES: readonly RegExp[] = [/^\/v1\/projects\/[^/]+\/batches\/?$/];

/** The JSON parser's `type` predicate: JSON content types, except on streamed routes. */
export function shouldParseJsonBody(request: IncomingMessage): boolean {
  const contentType = request.headers['content-type'];
  if (!contentType || !JSON_CONTENT_TYPE.test(contentType)) return false;
  const path = (request.url ?? '').split('?')[0] ?? '';
  return !STREAMED_BODY_ROUTES.some((route) => route.test(path));
}
