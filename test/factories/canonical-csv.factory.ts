/** One row of a canonical CSV upload (DESIGN.md section 7); absent optional columns are omitted. */
export interface CanonicalRow {
  item: string;
  annotator: string;
  label: string | null;
  modality?: string;
  dimension?: string;
  value?: number | null;
  start?: number | null;
  end?: number | null;
  frame?: number | null;
  x?: number | null;
  y?: number | null;
  w?: number | null;
  h?: number | null;
}

const OPTIONAL_COLUMNS = ['modality', 'dimension', 'value', 'start', 'end', 'frame', 'x', 'y', 'w', 'h'] as const;

function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * Canonical CSV text of `rows`: header `item,annotator,label` plus every optional column some row
 * uses, in the documented order.
 */
export function canonicalCsv(rows: readonly CanonicalRow[]): string {
  const columns = ['item', 'annotator', 'label', ...OPTIONAL_COLUMNS.filter((column) => rows.some((row) => row[column] !== undefined))] as const;
  const lines = [columns.join(',')];
  for (const row of rows) lines.push(columns.map((column) => csvField(row[column as keyof CanonicalRow])).join(','));
  return `${lines.join('\n')}\n`;
}

export interface NominalBatchOptions {
  items?: number;
  annotators?: readonly string[];
  labels?: readonly string[];
  /** Share of judgements (0..1) that disagree with the item's first label; deterministic. */
  disagreement?: number;
  /** Prefix of item names (vary it to make distinct files: the same bytes are one batch). */
  itemPrefix?: string;
  /** Replace or drop (null) rows by index, after generation. */
  override?: (row: CanonicalRow, index: number) => CanonicalRow | null;
}

/**
 * A nominal batch: every annotator labels every item; the label is the item's "true" label except
 * for a deterministic share of disagreements. Returns the rows (for expectations) and the CSV.
 */
export function nominalBatch(options: NominalBatchOptions = {}): { rows: CanonicalRow[]; csv: string } {
  const annotators = options.annotators ?? ['ann-a', 'ann-b', 'ann-c'];
  const labels = options.labels ?? ['positive', 'neutral', 'negative'];
  const itemCount = options.items ?? 12;
  const disagreeEvery = options.disagreement ? Math.max(1, Math.round(1 / options.disagreement)) : 0;
  const rows: CanonicalRow[] = [];
  let index = 0;
  for (let i = 0; i < itemCount; i += 1) {
    const truth = labels[i % labels.length] ?? 'x';
    for (const annotator of annotators) {
      const disagrees = disagreeEvery > 0 && index % disagreeEvery === disagreeEvery - 1;
      const label = disagrees ? (labels[(i + 1) % labels.length] ?? 'y') : truth;
      const row: CanonicalRow = { item: `${options.itemPrefix ?? 'item'}-${i + 1}`, annotator, label };
      const replaced = options.override ? options.override(row, index) : row;
      if (replaced) rows.push(replaced);
      index += 1;
    }
  }
  return { rows, csv: canonicalCsv(rows) };
}
