import type {
  BoxResult,
  CategoricalResult,
  DimensionResult,
  IntervalResult,
  UndefinedReasons,
} from '../agreement/analyze';
import type { DeviationSummary } from '../agreement/temporal';

/** The readable (non-JSON) output: one block per dimension, figures in aligned columns. */

const NONE = '—';

function fixed(value: number | null, digits = 3): string {
  return value === null ? NONE : value.toFixed(digits);
}

function signed(value: number | null): string {
  return value === null ? NONE : `${value >= 0 ? '+' : ''}${value.toFixed(3)}`;
}

/** Columns padded to their widest cell; numeric columns (by index) align right. */
function table(header: string[], rows: string[][], numeric: ReadonlySet<number>): string[] {
  const widths = header.map((cell, column) => Math.max(cell.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: string[]): string =>
    cells
      .map((cell, column) => (numeric.has(column) ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].map((text) => `  ${text}`);
}

/** `label  value  (reason)` lines, the reason only when the value is undefined. */
function figures(entries: Array<[label: string, value: string, reason: string | undefined]>): string[] {
  const width = Math.max(...entries.map(([label]) => label.length));
  return entries.map(([label, value, reason]) => `  ${label.padEnd(width)}  ${value}${reason === undefined ? '' : `  (${reason})`}`);
}

function reasonIf(value: number | null, reasons: UndefinedReasons, name: string): string | undefined {
  return value === null ? reasons[name] : undefined;
}

/** `(+ 2 gold, kept apart)` after a dimension's counts, when it has gold judgements. */
function goldNote(gold: number): string {
  return gold > 0 ? ` (+ ${gold} gold, kept apart)` : '';
}

function deviation(summary: DeviationSummary | null): string {
  return summary === null ? NONE : `median ${fixed(summary.median)}, p90 ${fixed(summary.p90)}, max ${fixed(summary.max)}`;
}

function categoricalBlock(result: CategoricalResult): string[] {
  const reasons = result.undefinedReasons;
  let alphaText = fixed(result.alpha);
  if (result.ci !== null) {
    const { ci } = result;
    alphaText +=
      `   ${Math.round(ci.confidence * 100)}% CI [${fixed(ci.lower)}, ${fixed(ci.upper)}]` +
      `, P(alpha < ${ci.alphaMin}) = ${fixed(ci.probabilityBelowMin)}  (${ci.samples} resamples, seed ${ci.seed})`;
  }
  const lines = [
    `${result.modality}/${result.dimension}  ${result.level}: ${result.items} items (${result.pairableItems} pairable), ` +
      `${result.annotators} annotators, ${result.judgements} judgements${goldNote(result.goldJudgements)}`,
    ...figures([
      ["Krippendorff's alpha", alphaText, reasonIf(result.alpha, reasons, 'alpha')],
      ['percent agreement', fixed(result.percentAgreement), reasonIf(result.percentAgreement, reasons, 'percentAgreement')],
      ["Cohen's kappa", fixed(result.cohenKappa), reasonIf(result.cohenKappa, reasons, 'cohenKappa')],
      ["Fleiss' kappa", fixed(result.fleissKappa), reasonIf(result.fleissKappa, reasons, 'fleissKappa')],
    ]),
    '',
    ...table(
      ['annotator', 'alpha without', 'change'],
      result.dropOne.map((entry) => [entry.annotator, fixed(entry.alpha), signed(entry.change)]),
      new Set([1, 2]),
    ),
    '',
    ...table(
      ['pair', 'items', 'alpha', 'agreement'],
      result.pairwise.map((pair) => [`${pair.a} – ${pair.b}`, String(pair.items), fixed(pair.alpha), fixed(pair.percentAgreement)]),
      new Set([1, 2, 3]),
    ),
  ];
  if (result.itemDisagreement.length > 0) {
    const shown = result.itemDisagreement.length;
    lines.push(
      '',
      `  most disagreed items (${shown === result.disagreeingItems ? `all ${shown}` : `top ${shown} of ${result.disagreeingItems}`} with any disagreement):`,
      ...table(
        ['item', 'disagreement'],
        result.itemDisagreement.map((entry) => [entry.item, fixed(entry.disagreement)]),
        new Set([1]),
      ).map((line) => `  ${line}`),
    );
  }
  return lines;
}

function intervalBlock(result: IntervalResult): string[] {
  const reasons = result.undefinedReasons;
  const rows = result.labels.flatMap((label) =>
    label.pairs.length === 0
      ? [[label.label, NONE, String(0), NONE, NONE, NONE]]
      : label.pairs.map((pair) => [
          label.label,
          `${pair.a} – ${pair.b}`,
          String(pair.items),
          fixed(pair.iou),
          fixed(pair.f1),
          `${pair.matched} (${pair.countA}, ${pair.countB})`,
        ]),
  );
  return [
    `${result.modality}/${result.dimension}  segments: ${result.items} items, ${result.annotators} annotators, ` +
      `${result.segments} segments${goldNote(result.goldJudgements)}, match at IoU ≥ ${result.threshold}`,
    ...figures([
      ['mean IoU', fixed(result.meanIoU), reasonIf(result.meanIoU, reasons, 'meanIoU')],
      ['F1', fixed(result.f1), reasonIf(result.f1, reasons, 'f1')],
      ['onset deviation', deviation(result.onsetDeviation), result.onsetDeviation === null ? reasons.onsetDeviation : undefined],
      ['offset deviation', deviation(result.offsetDeviation), result.offsetDeviation === null ? reasons.offsetDeviation : undefined],
    ]),
    '',
    ...table(
      ['label', 'pair', 'items', 'IoU', 'F1', 'matched (A, B)'],
      rows,
      new Set([2, 3, 4, 5]),
    ),
    '',
    ...table(
      ['label', 'mean IoU', 'F1'],
      result.labels.map((label) => [label.label, fixed(label.meanIoU), fixed(label.f1)]),
      new Set([1, 2]),
    ),
  ];
}

function boxBlock(result: BoxResult): string[] {
  const reasons = result.undefinedReasons;
  return [
    `${result.modality}/${result.dimension}  boxes: ${result.items} items, ${result.annotators} annotators, ` +
      `${result.boxes} boxes${goldNote(result.goldJudgements)}, match at IoU ≥ ${result.threshold}`,
    ...figures([
      ['F1', fixed(result.f1), reasonIf(result.f1, reasons, 'f1')],
      ['mean IoU', fixed(result.meanIoU), reasonIf(result.meanIoU, reasons, 'meanIoU')],
      ['class alpha', fixed(result.classAlpha), reasonIf(result.classAlpha, reasons, 'classAlpha')],
      ['matched objects', String(result.matchedObjects), undefined],
      ['unmatched boxes', String(result.unmatchedBoxes), undefined],
    ]),
    '',
    ...table(
      ['pair', 'images', 'matched (A, B)', 'F1', 'mean IoU'],
      result.pairs.map((pair) => [
        `${pair.a} – ${pair.b}`,
        String(pair.units),
        `${pair.matched} (${pair.boxesA}, ${pair.boxesB})`,
        fixed(pair.f1),
        fixed(pair.meanIoU),
      ]),
      new Set([1, 2, 3, 4]),
    ),
  ];
}

export function renderResults(results: readonly DimensionResult[]): string {
  const blocks = results.map((result) => {
    switch (result.shape) {
      case 'categorical':
        return categoricalBlock(result);
      case 'intervals':
        return intervalBlock(result);
      case 'boxes':
        return boxBlock(result);
    }
  });
  return `${blocks.map((lines) => lines.join('\n')).join('\n\n')}\n`;
}
