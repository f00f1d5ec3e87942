import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * The parts of Express's request that this code reads. @types/express is not a dependency, so
 * requests are typed structurally over Node's IncomingMessage.
 */
export interface HttpRequest extends IncomingMessage {
  originalUrl?: string;
  baseUrl?: string;
  route?: { path?: unknown };
  params?: Record<string, string | undefined>;
  query?: Record<string, unknown>;
  body?: unknown;
  /** Set by the request-context middleware. */
  requestId?: string;
}

export type HttpResponse = ServerResponse;

/** Express's `next`. */
export type NextFunction = (error?: unknown) => void;
