import type { FormatAdapter } from './adapter';
import { canonicalCsv, canonicalJsonl } from './adapters/canonical';
import { cvatAdapter } from './adapters/cvat';
import { elanAdapter } from './adapters/elan';
import { labelStudioAdapter } from './adapters/label-studio';
import { InputError } from './ingest.errors';

/**
 * Every supported format, most specific first: detection takes the first adapter that recognises
 * the head, and canonical CSV (anything that is not JSON or XML) comes last as the fallback.
 * A new format is one line here.
 */
export const FORMAT_ADAPTERS: readonly FormatAdapter[] = [labelStudioAdapter, elanAdapter, cvatAdapter, canonicalJsonl, canonicalCsv];

/** Bytes of the head given to `detect`. */
const HEAD_BYTES = 64 * 1024;

export function formatNames(): string[] {
  return FORMAT_ADAPTERS.map((adapter) => adapter.format);
}

/** The adapter for `head` (the start of the input, decoded), or the one `format` names. */
export function selectFormat(head: string, format?: string): FormatAdapter {
  if (format !== undefined) {
    const named = FORMAT_ADAPTERS.find((adapter) => adapter.format === format);
    if (named === undefined) {
      throw new InputError([{ message: `unknown format "${format}" (known: ${formatNames().join(', ')})` }]);
    }
    return named;
  }
  if (head.trim() === '') throw new InputError([{ message: 'is empty' }]);
  const detected = FORMAT_ADAPTERS.find((adapter) => adapter.detect(head));
  if (detected === undefined) {
    throw new InputError([{ message: `cannot tell the format from its start; name it with a format option (${formatNames().join(', ')})` }]);
  }
  return detected;
}

/**
 * Reads the start of `source` (up to HEAD_BYTES, over as many chunks as it takes: a network upload
 * may begin with a few bytes only) to pick its adapter, and returns a source that still yields every
 * byte, so detection needs no second pass over the input (an upload stream can't be re-read).
 */
export async function detectFormat(
  source: AsyncIterable<Buffer>,
  format?: string,
): Promise<{ adapter: FormatAdapter; source: AsyncIterable<Buffer> }> {
  const iterator = source[Symbol.asyncIterator]();
  const headChunks: Buffer[] = [];
  let headBytes = 0;
  let ended = false;
  while (headBytes < HEAD_BYTES) {
    const next = await iterator.next();
    if (next.done === true) {
      ended = true;
      break;
    }
    headChunks.push(next.value);
    headBytes += next.value.length;
  }
  const head = headChunks.length === 0 ? '' : decodeHead(headChunks.length === 1 ? headChunks[0]! : Buffer.concat(headChunks));
  let adapter: FormatAdapter;
  try {
    adapter = selectFormat(head, format);
  } catch (error) {
    await iterator.return?.();
    throw error;
  }
  async function* replayed(): AsyncIterable<Buffer> {
    yield* headChunks;
    if (ended) return;
    for (let next = await iterator.next(); next.done !== true; next = await iterator.next()) yield next.value;
  }
  return { adapter, source: replayed() };
}

/** The head as text; a character cut off at the end of the chunk just becomes U+FFFD here. */
function decodeHead(chunk: Buffer): string {
  return new TextDecoder('utf-8').decode(chunk.subarray(0, HEAD_BYTES));
}
