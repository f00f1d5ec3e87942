import type { ReportGateCheck, ReportHead, ReportRuleMovement } from './dto/report.response';
import type { ReportFlagRow, ReportSource } from './report.types';

/** Characters XML 1.0 does not allow (C0 controls but tab/LF/CR, U+FFFE/U+FFFF, lone surrogates). */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const SPECIAL: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * Text or attribute value as markup: the five special characters escaped, and characters XML
 * cannot carry replaced by U+FFFD, so the page stays well-formed XHTML whatever an item or
 * annotator is called.
 */
export function escapeHtml(text: string): string {
  return text.replace(NOT_XML, '\uFFFD').replace(/[&<>"']/g, (c) => SPECIAL[c]!);
}

const e = escapeHtml;

function num(value: number | null, digits = 3): string {
  if (value === null) return '—';
  return Number.isInteger(value) ? String(value) : value.toFixed(digits);
}

function where(modality: string | null, dimension: string | null): string {
  if (modality === null && dimension === null) return 'batch';
  return [modality, dimension].filter((part) => part !== null).join('/');
}

/** `min…` rules want the figure at or above the threshold, `max…` rules at or below. */
function bound(rule: string, threshold: number): string {
  return `${rule.startsWith('max') ? '≤' : '≥'} ${num(threshold)}`;
}

function subjectOf(check: Pick<ReportGateCheck, 'modality' | 'dimension' | 'subject'>): string {
  const place = where(check.modality, check.dimension);
  return check.subject === null ? place : `${place} · ${check.subject}`;
}

/** Seconds, or character offsets for text spans. */
function span(flag: Pick<ReportFlagRow, 'start' | 'end' | 'modality'>): string {
  if (flag.start === null && flag.end === null) return '—';
  const unit = flag.modality === 'text' ? ' chars' : ' s';
  return `${num(flag.start)}–${num(flag.end)}${unit}`;
}

const STYLE = `
:root { color-scheme: light; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1a1a1a; margin: 2rem auto; max-width: 75rem; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin: 0 0 .5rem; }
h2 { font-size: 1.2rem; margin: 2rem 0 .5rem; border-bottom: 1px solid #ccc; padding-bottom: .2rem; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: .15rem 1rem; margin: 0; }
dl.meta dt { color: #555; }
dl.meta dd { margin: 0; font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: .9em; }
.verdict { display: inline-block; font-weight: 700; padding: .1rem .6rem; border-radius: .3rem; letter-spacing: .05em; }
.verdict.pass { background: #d9f2dd; color: #0b5d1e; }
.verdict.fail { background: #fbdcdc; color: #8a1010; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0; font-size: .92em; }
th, td { border: 1px solid #d0d0d0; padding: .25rem .4rem; text-align: left; vertical-align: top; }
thead th { background: #f1f1f1; }
td.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.item th { background: #fafafa; font-weight: 600; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: .85em; white-space: pre-wrap; word-break: break-all; }
.sev-high { color: #8a1010; font-weight: 600; }
.sev-medium { color: #8a5a00; }
.sev-low { color: #555; }
.ok { color: #0b5d1e; }
.bad { color: #8a1010; }
p.note { color: #555; font-size: .9em; }
@media print {
  body { margin: 0; max-width: none; font-size: 10pt; }
  @page { margin: 1.5cm; }
  h2 { break-after: avoid; }
  thead { display: table-header-group; }
  tr { break-inside: avoid; }
  .verdict { border: 1px solid currentColor; }
}`;

function headerHtml(head: ReportHead): string {
  const { batch } = head;
  const rows: Array<[string, string]> = [
    ['Report', head.id],
    ['Batch', batch.id],
    ['Project', batch.projectId],
    ['Vendor', batch.vendor ?? '—'],
    ['File', batch.fileName ?? '—'],
    ['Uploaded', batch.createdAt],
    ['Evaluated', head.evaluatedAt],
    ['Policy version', head.policyVersion === null ? 'default policy' : String(head.policyVersion)],
    ...(batch.replaces === null ? [] : [['Replaces batch', batch.replaces] as [string, string]]),
  ];
  return (
    `<header><h1>Batch report: <span class="verdict ${head.verdict}">${head.verdict.toUpperCase()}</span></h1>` +
    `<dl class="meta">${rows.map(([term, value]) => `<dt>${e(term)}</dt><dd>${e(value)}</dd>`).join('')}</dl></header>`
  );
}

function reasonsHtml(head: ReportHead): string {
  if (head.reasons.length === 0) return '<section><h2>Failed rules</h2><p>Every rule of the policy passed.</p></section>';
  const rows = head.reasons
    .map(
      (check) =>
        `<tr><td>${e(check.rule)}</td><td>${e(subjectOf(check))}</td><td class="n">${e(bound(check.rule, check.threshold))}</td>` +
        `<td class="n bad">${e(num(check.measured))}</td><td>${e(check.message)}</td></tr>`,
    )
    .join('');
  return (
    `<section><h2>Failed rules (${head.reasons.length})</h2><table><thead><tr><th>Rule</th><th>Subject</th><th>Threshold</th>` +
    `<th>Measured</th><th>Why</th></tr></thead><tbody>${rows}</tbody></table></section>`
  );
}

function movement(rule: ReportRuleMovement): string {
  if (rule.passedAfter === null) return 'not checked any more';
  if (rule.passedBefore === null) return rule.passedAfter ? 'new check, passes' : 'new check, fails';
  if (rule.passedBefore && !rule.passedAfter) return 'now fails';
  if (!rule.passedBefore && rule.passedAfter) return 'now passes';
  return rule.passedAfter ? 'still passes' : 'still fails';
}

function redeliveryHtml(head: ReportHead): string {
  const redelivery = head.redelivery;
  if (redelivery === null) return '';
  const { counts } = redelivery;
  const rules = redelivery.rules
    .map(
      (rule) =>
        `<tr><td>${e(rule.rule)}</td><td>${e(subjectOf(rule))}</td><td class="n">${e(bound(rule.rule, rule.threshold))}</td>` +
        `<td class="n">${e(num(rule.before))}</td><td class="n">${e(num(rule.after))}</td>` +
        `<td class="${rule.passedAfter === false ? 'bad' : 'ok'}">${e(movement(rule))}</td></tr>`,
    )
    .join('');
  return (
    `<section><h2>Re-delivery of batch ${e(redelivery.replaces)}</h2>` +
    `<p>The replaced batch's verdict was <span class="verdict ${e(redelivery.previousVerdict)}">${e(redelivery.previousVerdict.toUpperCase())}</span>. ` +
    `Of its flags, ${counts.resolved} are resolved and ${counts.remaining} remain; ${counts.new} flags are new.</p>` +
    (rules === ''
      ? '<p>No rule failed in either batch.</p>'
      : `<table><thead><tr><th>Rule</th><th>Subject</th><th>Threshold</th><th>Before</th><th>After</th><th>Movement</th></tr></thead><tbody>${rules}</tbody></table>`) +
    `<h3>Resolved flags (${counts.resolved})</h3>`
  );
}

function resultsHtml(head: ReportHead): string {
  const rows = head.results
    .map((result) => {
      const ci = result.ci === null || result.ci.lower === null || result.ci.upper === null ? '—' : `${num(result.ci.lower)} – ${num(result.ci.upper)}`;
      const level = result.level === null ? result.shape : `${result.shape}, ${result.level}`;
      return (
        `<tr><td>${e(`${result.modality}/${result.dimension}`)}</td><td>${e(level)}</td><td class="n">${e(num(result.alpha))}</td>` +
        `<td class="n">${e(ci)}</td><td class="n">${e(num(result.meanIoU))}</td><td class="n">${e(num(result.f1))}</td>` +
        `<td class="n">${result.items}</td><td class="n">${result.annotators}</td></tr>`
      );
    })
    .join('');
  const confidence = head.results.find((result) => result.ci !== null)?.ci?.confidence;
  return (
    `<section><h2>Agreement per dimension</h2><table><thead><tr><th>Dimension</th><th>Measure</th><th>Alpha</th>` +
    `<th>${confidence === undefined ? '' : `${Math.round(confidence * 100)}% `}CI of alpha</th><th>Mean IoU</th><th>F1</th><th>Items</th><th>Annotators</th></tr></thead>` +
    `<tbody>${rows}</tbody></table></section>`
  );
}

function annotatorsHtml(head: ReportHead): string {
  const rows = head.annotators
    .map((annotator) => {
      const span = annotator.dimensions.length || 1;
      const cells = (annotator.dimensions.length === 0 ? [null] : annotator.dimensions).map((dimension, index) => {
        const lead =
          index === 0
            ? `<th rowspan="${span}">${e(annotator.annotator)}</th><td class="n" rowspan="${span}">${annotator.judgements}</td><td class="n" rowspan="${span}">${annotator.flags}</td>`
            : '';
        if (dimension === null) return `<tr>${lead}<td colspan="7">—</td></tr>`;
        const change = dimension.dropOneChange === null ? '' : ` (${dimension.dropOneChange > 0 ? '+' : ''}${num(dimension.dropOneChange)})`;
        return (
          `<tr>${lead}<td>${e(`${dimension.modality}/${dimension.dimension}`)}</td><td class="n">${dimension.judgements}</td>` +
          `<td class="n">${e(num(dimension.dropOneAlpha) + change)}</td><td class="n">${e(num(dimension.meanPairwiseAlpha))}</td>` +
          `<td class="n">${e(num(dimension.meanIoU))}</td><td class="n">${e(num(dimension.meanF1))}</td><td class="n">${e(num(dimension.goldAccuracy))}</td></tr>`
        );
      });
      return `<tbody>${cells.join('')}</tbody>`;
    })
    .join('');
  return (
    `<section><h2>Annotators</h2><p class="note">Drop-one alpha is the dimension's alpha without the annotator; a positive change ` +
    `means agreement rises without them.</p><table><thead><tr><th>Annotator</th><th>Judgements</th><th>Flags</th><th>Dimension</th>` +
    `<th>Judgements</th><th>Drop-one alpha (change)</th><th>Mean pairwise alpha</th><th>Mean IoU</th><th>F1</th><th>Gold accuracy</th></tr></thead>` +
    `${rows === '' ? '<tbody><tr><td colspan="10">—</td></tr></tbody>' : rows}</table></section>`
  );
}

const FLAG_HEAD =
  '<thead><tr><th>Severity</th><th>Code</th><th>Where</th><th>Annotators</th><th>Span</th><th>Message</th>' +
  '<th>Evidence</th><th>Status</th><th>Change</th></tr></thead>';

function flagRowHtml(flag: ReportFlagRow): string {
  return (
    `<tr><td class="sev-${flag.severity}">${flag.severity}</td><td>${flag.code}</td><td>${e(where(flag.modality, flag.dimension))}</td>` +
    `<td>${e(flag.annotators.join(', '))}</td><td class="n">${e(span(flag))}</td><td>${e(flag.message)}</td>` +
    `<td><code>${e(flag.evidenceJson)}</code></td><td>${flag.status}</td><td>${flag.change ?? ''}</td></tr>`
  );
}

function itemHeading(item: string | null): string {
  return `<tr class="item"><th colspan="9">${item === null ? 'Batch-wide' : `Item ${e(item)}`}</th></tr>`;
}

/** Flags grouped by item: one tbody per item, opened when the item changes, page by page. */
async function* flagTable(pages: AsyncIterable<readonly ReportFlagRow[]>, empty: string): AsyncGenerator<string> {
  let current: string | null | undefined;
  for await (const page of pages) {
    let text = '';
    for (const flag of page) {
      if (current === undefined || flag.item !== current) {
        text += `${current === undefined ? `<table>${FLAG_HEAD}` : '</tbody>'}<tbody>${itemHeading(flag.item)}`;
        current = flag.item;
      }
      text += flagRowHtml(flag);
    }
    yield text;
  }
  yield current === undefined ? `<p>${empty}</p>` : '</tbody></table>';
}

/**
 * The HTML report: one printable, self-contained page (inline CSS with print rules, no script, no
 * external asset), well-formed XHTML as well as HTML. The head's sections are written at once;
 * the flags stream in report order, each item its own tbody with its flags' evidence and spans.
 */
export async function* htmlReport(source: Pick<ReportSource, 'head' | 'flags' | 'resolved'>): AsyncGenerator<string> {
  const { head } = source;
  yield (
    '<!DOCTYPE html>\n<html xmlns="http://www.w3.org/1999/xhtml" lang="en"><head><meta charset="utf-8"/>' +
    '<meta name="viewport" content="width=device-width, initial-scale=1"/>' +
    `<title>${e(`Concord report ${head.id} — batch ${head.batch.id} — ${head.verdict.toUpperCase()}`)}</title>` +
    `<style>${STYLE}</style></head><body>` +
    headerHtml(head) +
    reasonsHtml(head) +
    redeliveryHtml(head)
  );
  if (head.redelivery !== null) {
    yield* flagTable(source.resolved, 'None.');
    yield '</section>';
  }
  yield resultsHtml(head) + annotatorsHtml(head);
  const codes = Object.entries(head.flags.byCode)
    .map(([code, count]) => `${e(code)} ${count}`)
    .join(', ');
  yield (
    `<section><h2>Flags (${head.flags.total} on ${head.flags.flaggedItems} items)</h2>` +
    (codes === '' ? '' : `<p>${codes}</p>`)
  );
  yield* flagTable(source.flags, 'No flags.');
  yield '</section><footer><p class="note">Written by Concord from the batch\'s stored evaluation; every reader of this batch gets the same document.</p></footer></body></html>\n';
}
