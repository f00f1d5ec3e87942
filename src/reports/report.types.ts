import type { ReportFlag, ReportHead } from './dto/report.response';

/**
 * A flag as the writers receive it: the evidence stays the JSON text PostgreSQL prints (compacted),
 * spliced into the JSON report and written as is into the CSV and HTML ones, never parsed.
 */
export type ReportFlagRow = Omit<ReportFlag, 'evidence'> & { evidenceJson: string };

/** One flag key of a re-delivery, as the JSON report lists them (resolved, then remaining, then new). */
export interface RedeliveryKey {
  key: string;
  change: 'resolved' | 'remaining' | 'new';
}

/**
 * What a writer turns into a document: the head (small, in memory) and the flags in report order,
 * in pages as the database cursor yields them (never all at once). Each iterable may be read once,
 * in the order the writer needs them; they share one database snapshot.
 */
export interface ReportSource {
  head: ReportHead;
  /** Every flag of the batch: batch-wide ones first, then by item (code-point order), severity, code, key. */
  flags: AsyncIterable<readonly ReportFlagRow[]>;
  /** A re-delivery's earlier flags that this batch no longer has (empty without a re-delivery). */
  resolved: AsyncIterable<readonly ReportFlagRow[]>;
  /** A re-delivery's flag keys by change (empty without a re-delivery). */
  redeliveryKeys: AsyncIterable<readonly RedeliveryKey[]>;
}
