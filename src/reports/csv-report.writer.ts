import type { ReportSource } from './report.types';

/** The columns of the CSV report: one row per flag (one flagged item and reason). */
export const CSV_COLUMNS = [
  'report_id',
  'batch_id',
  'item',
  'code',
  'severity',
  'modality',
  'dimension',
  'annotators',
  'start_s',
  'end_s',
  'message',
  'evidence',
  'status',
  'change',
] as const;

const NEEDS_QUOTES = /[",\r\n]/;

/**
 * One RFC 4180 field: quoted when it holds a comma, a double quote, CR or LF (quotes doubled);
 * null is the empty field. Values are written as they are — no spreadsheet-formula escaping, which
 * would change them: the CSV round-trips to the JSON report.
 */
export function csvField(value: string | number | null): string {
  if (value === null) return '';
  const text = typeof value === 'number' ? String(value) : value;
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * The CSV report (RFC 4180: CRLF line ends, a header row), one row per flag in report order, ready
 * for a vendor's re-work queue. `annotators` is a JSON array of names (names may hold any
 * character but NUL, so no separator would be unambiguous); `evidence` is JSON; `change` is `new`
 * or `remaining` for a re-delivery, empty otherwise. Written page by page as the flags arrive.
 */
export async function* csvReport(source: Pick<ReportSource, 'head' | 'flags'>): AsyncGenerator<string> {
  const { id, batch } = source.head;
  const prefix = `${csvField(id)},${csvField(batch.id)},`;
  yield `${CSV_COLUMNS.join(',')}\r\n`;
  for await (const page of source.flags) {
    let text = '';
    for (const flag of page) {
      text +=
        prefix +
        [
          flag.item,
          flag.code,
          flag.severity,
          flag.modality,
          flag.dimension,
          JSON.stringify(flag.annotators),
          flag.start,
          flag.end,
          flag.message,
          flag.evidenceJson,
          flag.status,
          flag.change,
        ]
          .map(csvField)
          .join(',') +
        '\r\n';
    }
    if (text !== '') yield text;
  }
}
