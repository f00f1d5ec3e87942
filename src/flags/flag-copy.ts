/**
 * Findings as COPY text rows of `flags` (FLAG_COPY_COLUMNS, see EvaluationRepository.storeEvaluation):
 * one COPY instead of 100,000 INSERTs. Pure: it runs in the evaluation's thread, so the worker's
 * event loop only moves the bytes, and chunk by chunk, so the COPY starts on the first rows while
 * the rest are still being encoded.
 *
 * What the COPY costs PostgreSQL is mostly its five btree indexes, and an index takes rows fastest in
 * its own order (its right edge stays in cache; random positions each descend the tree). So the rows
 * go in key order (`uq_flags_batch_key`, and by code for `idx_flags_batch_code_rank`, whose keys start
 * with the code), and each row brings its id from {@link FlagIdSequence}, increasing in that order (the
 * primary key and the severity and code indexes end with the id) instead of gen_random_uuid's random
 * ones: about a third less of the COPY's CPU for a batch's 150,000 flags.
 */
import { randomBytes } from 'node:crypto';
import { SEVERITIES, type Finding } from '../agreement/evaluation.types';
import { escapeCopyText } from '../ingest/copy-writer';

export const FLAG_COPY_COLUMNS = [
  'id',
  'batch_id',
  'project_id',
  'key',
  'code',
  'severity',
  'severity_rank',
  'item',
  'modality',
  'dimension',
  'annotators',
  'start_s',
  'end_s',
  'message',
  'evidence',
] as const;

/** Rows per chunk: about 2 MB of COPY text for segment findings. */
const CHUNK_ROWS = 4096;

/** 0 high, 1 medium, 2 low. */
export function severityRank(severity: Finding['severity']): number {
  return SEVERITIES.indexOf(severity);
}

/** A PostgreSQL array literal of text (`{"a","b\\"c"}`): every element quoted, `"` and `\` escaped. */
export function textArrayLiteral(values: readonly string[]): string {
  let literal = '{';
  for (let i = 0; i < values.length; i++) {
    const value = values[i]!;
    literal += `${i === 0 ? '' : ','}"${value.includes('"') || value.includes('\\') ? value.replace(/["\\]/g, (character) => `\\${character}`) : value}"`;
  }
  return `${literal}}`;
}

function numberText(value: number | null): string {
  return value === null || !Number.isFinite(value) ? '\\N' : String(value);
}

/**
 * Flag ids in the layout of RFC 9562's UUIDv7 with a dedicated counter (method 1): 48 bits of Unix
 * milliseconds, the version, a 32-bit counter across rand_a and rand_b, then 42 random bits — so
 * ids of one evaluation increase in the order they are taken and stay unique across evaluations.
 */
export class FlagIdSequence {
  private readonly prefix: string;
  private readonly suffix: string;
  private readonly randomLow: number;
  private counter = 0;

  constructor(now = Date.now()) {
    const random = randomBytes(6);
    const time = now.toString(16).padStart(12, '0').slice(-12);
    this.prefix = `${time.slice(0, 8)}-${time.slice(8, 12)}-7`;
    // The 42 random bits: two of byte 10 (below six counter bits) and bytes 11–15.
    this.suffix = random.subarray(1).toString('hex');
    this.randomLow = random[0]! & 0x03;
  }

  /** The next id (`xxxxxxxx-xxxx-7ccc-[89ab]ccc-ccrrrrrrrrrr`, c the counter). */
  next(): string {
    const n = this.counter++;
    if (n > 0xffffffff) throw new Error('more than 2^32 flag ids from one sequence');
    // Counter bits 31–20 (rand_a), then 19–14 after the variant, 13–6, and 5–0 above two random bits.
    const a = (n >>> 20).toString(16).padStart(3, '0');
    const b = (0x8000 | ((n >>> 6) & 0x3fff)).toString(16);
    const c = (((n & 0x3f) << 2) | this.randomLow).toString(16).padStart(2, '0');
    return `${this.prefix}${a}-${b}-${c}${this.suffix}`;
  }
}

/**
 * The findings' COPY rows, one per key (a key is unique per batch in `flags`): should the core ever
 * report a key twice, the first — the most severe, as findings come sorted — is kept. Rows go in key
 * order (see the file comment), in chunks.
 */
export class FlagCopyEncoder {
  /** Rows to write. */
  readonly rows: number;
  private readonly findings: Finding[];
  private readonly ids: string;
  private next = 0;

  constructor(
    batchId: string,
    projectId: string,
    findings: readonly Finding[],
    private readonly sequence = new FlagIdSequence(),
  ) {
    const keys = new Set<string>();
    const unique: Finding[] = [];
    for (const finding of findings) {
      if (keys.has(finding.key)) continue;
      keys.add(finding.key);
      unique.push(finding);
    }
    this.findings = unique.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    this.rows = unique.length;
    this.ids = `\t${batchId}\t${projectId}\t`;
  }

  /** The next rows as COPY text bytes; null after the last. */
  nextChunk(maxRows = CHUNK_ROWS): Uint8Array | null {
    if (this.next >= this.findings.length) return null;
    const to = Math.min(this.findings.length, this.next + maxRows);
    let text = '';
    for (let i = this.next; i < to; i++) {
      const finding = this.findings[i]!;
      text +=
        this.sequence.next() +
        this.ids +
        escapeCopyText(finding.key) +
        '\t' +
        finding.code +
        '\t' +
        finding.severity +
        '\t' +
        severityRank(finding.severity) +
        '\t' +
        escapeCopyText(finding.item) +
        '\t' +
        escapeCopyText(finding.modality) +
        '\t' +
        escapeCopyText(finding.dimension) +
        '\t' +
        escapeCopyText(textArrayLiteral(finding.annotators)) +
        '\t' +
        numberText(finding.start) +
        '\t' +
        numberText(finding.end) +
        '\t' +
        escapeCopyText(finding.message) +
        '\t' +
        escapeCopyText(JSON.stringify(finding.evidence)) +
        '\n';
    }
    this.next = to;
    return new TextEncoder().encode(text);
  }

  /** Every remaining chunk. */
  *chunks(): Generator<Uint8Array> {
    for (let chunk = this.nextChunk(); chunk !== null; chunk = this.nextChunk()) yield chunk;
  }
}
