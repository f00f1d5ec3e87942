import type { CliIo } from './command';

/** Writes the one JSON object of a `--json` run; the analysis guarantees no NaN or undefined inside. */
export function writeJson(io: CliIo, body: unknown): void {
  io.stdout.write(`${JSON.stringify(body, null, 2)}\n`);
}
