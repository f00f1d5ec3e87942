import type { CliIo } from './command';

/** Files at least this large show a progress bar (when stderr is a terminal). */
export const PROGRESS_MIN_BYTES = 4 * 1024 * 1024;
const REDRAW_MS = 100;
const BAR_WIDTH = 24;

function megabytes(bytes: number): string {
  return (bytes / (1024 * 1024)).toFixed(1);
}

/**
 * Passes the chunks through and draws `[#####-----] 42% 12.0/28.6 MB 95.3 MB/s` on stderr, redrawn
 * at most every 100 ms and erased at the end. Only for a terminal: a log or a pipe gets nothing.
 */
export async function* withProgress(
  source: AsyncIterable<Buffer>,
  total: number,
  io: CliIo,
  now: () => number = Date.now,
): AsyncIterable<Buffer> {
  if (io.stderr.isTTY !== true || total < PROGRESS_MIN_BYTES) {
    yield* source;
    return;
  }
  const started = now();
  let read = 0;
  let drawn = Number.NEGATIVE_INFINITY;
  try {
    for await (const chunk of source) {
      read += chunk.length;
      const time = now();
      if (time - drawn >= REDRAW_MS) {
        drawn = time;
        const share = Math.min(1, read / total);
        const filled = Math.round(share * BAR_WIDTH);
        const seconds = Math.max((time - started) / 1000, 0.001);
        io.stderr.write(
          `\r[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${Math.round(share * 100)}% ` +
            `${megabytes(read)}/${megabytes(total)} MB ${megabytes(read / seconds)} MB/s`,
        );
      }
      yield chunk;
    }
  } finally {
    io.stderr.write('\r\x1b[K');
  }
}
