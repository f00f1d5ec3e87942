/** The forms of a rejection report, in the server's order of preference (on equal quality). */
export const REPORT_FORMATS = ['json', 'csv', 'html'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export const REPORT_MEDIA_TYPES: Readonly<Record<ReportFormat, string>> = {
  json: 'application/json',
  csv: 'text/csv',
  html: 'text/html',
};

interface MediaRange {
  type: string;
  subtype: string;
  q: number;
}

function parseRange(text: string): MediaRange | null {
  const [range = '', ...parameters] = text.split(';');
  const [type, subtype] = range.trim().toLowerCase().split('/');
  if (!type || !subtype) return null;
  let q = 1;
  for (const parameter of parameters) {
    const [name, value] = parameter.split('=').map((part) => part.trim());
    if (name?.toLowerCase() === 'q' && value !== undefined) {
      const parsed = Number(value);
      q = Number.isFinite(parsed) ? Math.min(1, Math.max(0, parsed)) : 0;
    }
  }
  return { type, subtype, q };
}

/** 3 for type/subtype, 2 for type/*, 1 for *\/*, 0 when the range does not match. */
function specificity(range: MediaRange, mediaType: string): number {
  const [type, subtype] = mediaType.split('/');
  if (range.type === type && range.subtype === subtype) return 3;
  if (range.type === type && range.subtype === '*') return 2;
  if (range.type === '*' && range.subtype === '*') return 1;
  return 0;
}

/**
 * The report form an `Accept` header asks for (RFC 9110 section 12.5.1): each form's quality is
 * that of the most specific range matching it; the highest quality above 0 wins, ties going to
 * JSON, then CSV, then HTML. No header (or an empty one) means JSON. null: nothing acceptable (406).
 */
export function negotiateReportFormat(accept: string | undefined): ReportFormat | null {
  if (accept === undefined || accept.trim() === '') return 'json';
  const ranges = accept.split(',').map(parseRange).filter((range): range is MediaRange => range !== null);
  let best: { format: ReportFormat; q: number } | null = null;
  for (const format of REPORT_FORMATS) {
    let match: { specificity: number; q: number } | null = null;
    for (const range of ranges) {
      const level = specificity(range, REPORT_MEDIA_TYPES[format]);
      if (level > 0 && (match === null || level > match.specificity)) match = { specificity: level, q: range.q };
    }
    if (match !== null && match.q > 0 && (best === null || match.q > best.q)) best = { format, q: match.q };
  }
  return best?.format ?? null;
}
