import type { CanonicalRecord } from '../agreement/types';

/** A canonical record with the position it came from, so every later error can name it. */
export type ParsedRecord = CanonicalRecord & {
  /** 1-based line in the source where the record starts. */
  line: number;
};

export interface ReadOptions {
  /** Issues to keep before only counting the rest (default ISSUE_LIMIT). */
  issueLimit?: number;
}

/**
 * One input format. Adapters read a byte stream and emit canonical records in arrays (one per
 * source chunk) so the consumer's per-record work has no async overhead.
 *
 * Contract: valid records are emitted as they are found; a bad record is never silently skipped —
 * `read` collects every issue and, after the last chunk, throws an `InputError` listing them. Errors
 * that make the rest unreadable (a bad header) throw at once.
 */
export interface FormatAdapter {
  /** The name `--format` and `?format=` accept. */
  readonly format: string;
  /** One line for help output. */
  readonly description: string;
  /** Whether the first bytes of a file (decoded, without BOM) look like this format. */
  detect(head: string): boolean;
  read(source: AsyncIterable<Buffer>, options?: ReadOptions): AsyncIterable<ParsedRecord[]>;
}
