import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { HttpResponse } from '../common/http.types';
import type { ReportDocument } from './report.service';

/** How long a report's client may read nothing before the connection is closed. */
export const REPORT_IDLE_TIMEOUT_MS = 60_000;

/** `first`, then the rest of the document; ending early ends the document too (it was started by the first read). */
async function* prepend(first: string, rest: AsyncGenerator<string>): AsyncGenerator<string> {
  try {
    yield first;
    yield* rest;
  } finally {
    await rest.return(undefined);
  }
}

/**
 * Streams a report with backpressure (the next page is fetched only once the client took the
 * previous one). The first chunk is read before anything is sent, so an error found while opening
 * the document (e.g. the batch went back to pending) still leaves as problem+json; an error later
 * aborts the connection (the filter destroys it: the client sees a truncated body, never a
 * complete-looking wrong one). A client that goes away, or stops reading for
 * REPORT_IDLE_TIMEOUT_MS, ends the iteration, which releases the document's database connection.
 */
export async function sendReport(response: HttpResponse, document: ReportDocument): Promise<void> {
  const first = await document.chunks.next();
  // A client that stops reading would hold the document's connection for good: drop it after a
  // minute without progress (the socket's inactivity timer restarts on every write that drains).
  response.setTimeout(REPORT_IDLE_TIMEOUT_MS, () => response.destroy());
  response.statusCode = 200;
  response.setHeader('content-type', document.contentType);
  response.setHeader('vary', 'Accept');
  response.setHeader('cache-control', 'private, no-cache');
  if (document.format !== 'json') {
    const disposition = document.format === 'csv' ? 'attachment' : 'inline';
    response.setHeader('content-disposition', `${disposition}; filename="${document.fileName}"`);
  }
  if (first.done === true) {
    response.end();
    return;
  }
  try {
    await pipeline(Readable.from(prepend(first.value, document.chunks), { objectMode: false }), response);
  } catch (error) {
    // The client went away: nothing to answer, nobody to tell.
    if ((error as { code?: string }).code === 'ERR_STREAM_PREMATURE_CLOSE') return;
    throw error;
  }
}
