import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { ResolvedAddress } from './webhook-destination';

/** The most of a response body kept with an attempt. */
export const RESPONSE_EXCERPT_BYTES = 1024;

export interface WebhookRequest {
  url: URL;
  /** The addresses checked by the destination policy: the connection goes to these, never to a fresh DNS answer. */
  addresses: readonly ResolvedAddress[];
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
}

/** How one POST went: a status (and excerpt) when the receiver answered, else the error. */
export interface WebhookExchange {
  statusCode: number | null;
  error: string | null;
  latencyMs: number;
  responseExcerpt: string | null;
  retryAfter: string | undefined;
}

/**
 * A `lookup` that answers with the already checked addresses, so the socket connects to exactly
 * what the policy approved (no second DNS query for a rebinding attacker to answer differently).
 */
function pinnedLookup(addresses: readonly ResolvedAddress[]): LookupFunction {
  return (_hostname, options, callback) => {
    if (options.all) {
      (callback as (error: null, addresses: ResolvedAddress[]) => void)(null, [...addresses]);
    } else {
      callback(null, addresses[0]!.address, addresses[0]!.family);
    }
  };
}

/**
 * POSTs one webhook: no redirects followed, no connection reuse, one deadline of `timeoutMs` for
 * connecting, the response headers and the body excerpt; the rest of a body beyond the excerpt is
 * not read. Never throws: failures are results.
 */
export function postWebhook(request: WebhookRequest): Promise<WebhookExchange> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  return new Promise((resolve) => {
    let settled = false;
    // Once the status line is in, the response's own handlers settle (a deadline hit while the
    // excerpt is read ends the body, not the verdict: the receiver did answer).
    let responded = false;
    const settle = (exchange: WebhookExchange) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(exchange);
    };
    const client = request.url.protocol === 'https:' ? https : http;
    const outgoing = client.request(
      request.url,
      {
        method: 'POST',
        agent: false,
        lookup: pinnedLookup(request.addresses),
        headers: { ...request.headers, 'content-length': Buffer.byteLength(request.body) },
      },
      (response) => {
        responded = true;
        const latencyMs = elapsed();
        const chunks: Buffer[] = [];
        let kept = 0;
        const done = () => {
          // PostgreSQL text cannot hold NUL; a binary body keeps the rest.
          const excerpt = Buffer.concat(chunks).toString('utf8').replaceAll('\u0000', '');
          settle({
            statusCode: response.statusCode ?? null,
            error: null,
            latencyMs,
            responseExcerpt: excerpt === '' ? null : excerpt,
            retryAfter: response.headers['retry-after'],
          });
          response.destroy();
        };
        response.on('data', (chunk: Buffer) => {
          const room = RESPONSE_EXCERPT_BYTES - kept;
          if (room > 0) {
            chunks.push(chunk.subarray(0, room));
            kept += Math.min(room, chunk.length);
          }
          if (kept >= RESPONSE_EXCERPT_BYTES) done();
        });
        response.on('end', done);
        response.on('error', done);
        response.on('close', done);
      },
    );
    const timer = setTimeout(() => outgoing.destroy(new Error(`timed out after ${request.timeoutMs} ms`)), request.timeoutMs);
    outgoing.on('error', (error: NodeJS.ErrnoException) => {
      if (responded) return;
      settle({ statusCode: null, error: error.code ? `${error.code}: ${error.message}` : error.message, latencyMs: elapsed(), responseExcerpt: null, retryAfter: undefined });
    });
    outgoing.end(request.body);
  });
}
