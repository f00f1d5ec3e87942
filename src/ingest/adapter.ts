import type { CanonicalRecord, Modality } from '../agreement/types';

/** Where a record came from in the source tool's own terms, kept so a flag can point back to it. */
export interface Provenance {
  /** Source file (one of several in a multi-file batch). */
  file?: string;
  /** Label Studio task id, CVAT task/job id. */
  task?: string;
  /** Label Studio annotation id, ELAN annotation id. */
  annotation?: string;
  /** Label Studio region id (results sharing an id are one region). */
  region?: string;
  /** CVAT track id. */
  track?: string;
  /** ELAN tier id. */
  tier?: string;
}

/** A canonical record with the position it came from, so every later error can name it. */
export type ParsedRecord = CanonicalRecord & {
  /** 1-based line in the source where the record starts (XML: the element's line; 0 if unknown). */
  line: number;
  /** JSON path (`[12].annotations[3].result[0]`) or XML element path of the record, where known. */
  path?: string;
  provenance?: Provenance;
  /** A gold judgement (Label Studio `ground_truth`, or the schema's gold annotator): not a peer. */
  gold?: boolean;
  /** Free text (Label Studio `textarea`): stored with the batch, never part of agreement. */
  text?: string;
};

export interface ReadOptions {
  /** Issues to keep before only counting the rest (default ISSUE_LIMIT). */
  issueLimit?: number;
  /** Source file name, for provenance and error messages of multi-file batches. */
  fileName?: string;
  /** The annotator of a file whose format does not name one (CVAT; ELAN one-file-per-annotator). */
  annotator?: string;
  /** Frames per second, for formats that count video in frames (Label Studio `timelinelabels`). */
  fps?: number;
  /** Overrides of the modality a source's control or object name implies (`from_name`/`to_name` → modality). */
  modalities?: Readonly<Record<string, Modality>>;
  /** ELAN: how a tier id names its dimension and annotator, as a regular expression with the named
   * groups `dimension` and `annotator` (default `^(?<dimension>.+)@(?<annotator>.+)$`). */
  tierPattern?: string;
  /**
   * Called once when reading ends (also when it ends with an InputError) with what the adapter
   * counted besides the records, above all what it skipped on purpose — Label Studio: `tasks`,
   * `annotations`, `cancelledAnnotations` (skipped), `goldAnnotations` (read as gold records),
   * `skippedRelations`, `ignoredPredictions`. Adapters with nothing to say never call it.
   */
  onStats?: (stats: Readonly<Record<string, number>>) => void;
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
