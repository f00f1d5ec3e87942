// Project overview: every batch over time with its verdict, alpha per dimension per batch (lines
// with confidence bands, thresholds as dashed lines), and the flagged-item share against the
// policy. One server-side aggregate (GET /v1/projects/:id/overview); filters live in the URL.
import { api, query } from './api.js';
import { DASHES, PALETTE, SERIES, VERDICT_COLOURS, drawChart } from './charts.js';
import { minAlphaFor } from './measures.js';
import { date, el, fmt, param, pct, renderShell, setParams, shortId, showError, stateBox, table } from './ui.js';

const $ = (id) => document.getElementById(id);
const FIGURES = ['verdicts', 'alpha', 'flagged'];

function alternative(caption, columns, rows) {
  return el('details', { class: 'alt', open: true }, el('summary', {}, 'Data table'), table(caption, columns, rows));
}

/** x-axis label of a batch: when, and which (several batches may share a minute). */
const batchLabel = (batch) => `${date(batch.createdAt)} ${shortId(batch.id)}`;

async function main() {
  const session = await renderShell('overview.html');
  const { projects } = await api('/v1/projects');
  if (projects.length === 0) {
    $('status').replaceChildren(stateBox('empty', 'This key sees no project yet.', 'An admin creates projects with POST /v1/projects, then uploads batches to them.'));
    for (const figure of FIGURES) $(figure).replaceChildren();
    return;
  }
  const projectId = param('project') ?? session.projectId ?? projects[0].id;
  $('project').replaceChildren(...projects.map((project) => el('option', { value: project.id, selected: project.id === projectId }, project.name)));
  $('vendor').value = param('vendor') ?? '';
  $('from').value = param('from') ?? '';
  $('to').value = param('to') ?? '';
  if (session.role === 'vendor') $('vendor').closest('label').hidden = true;
  $('filters').addEventListener('submit', (event) => {
    event.preventDefault();
    setParams({ project: $('project').value, vendor: $('vendor').value, from: $('from').value, to: $('to').value });
    load();
  });
  $('project').addEventListener('change', () => $('filters').requestSubmit());
  await load();
}

async function load() {
  const projectId = $('project').value;
  const from = $('from').value;
  const to = $('to').value;
  let overview;
  try {
    overview = await api(
      query(`/v1/projects/${projectId}/overview`, {
        vendor: $('vendor').value,
        from: from ? new Date(`${from}T00:00:00Z`).toISOString() : '',
        // The whole "to" day is included.
        to: to ? new Date(new Date(`${to}T00:00:00Z`).getTime() + 86_400_000).toISOString() : '',
      }),
    );
  } catch (error) {
    showError($('status'), 'The overview could not be loaded', error);
    for (const figure of FIGURES) $(figure).replaceChildren();
    return;
  }
  $('status').replaceChildren();
  fillVendors(overview.batches);
  if (overview.batches.length === 0) {
    const filtered = $('vendor').value || from || to;
    $('status').replaceChildren(
      stateBox('empty', filtered ? 'No batch matches these filters.' : 'This project has no batch yet.', filtered ? 'Widen the dates or pick all vendors.' : 'Upload an export with POST /v1/projects/:projectId/batches; it appears here once stored.'),
    );
    for (const figure of FIGURES) $(figure).replaceChildren();
    return;
  }
  drawVerdicts(overview);
  drawAlpha(overview);
  drawFlagged(overview);
}

const knownVendors = new Set();
function fillVendors(batches) {
  for (const batch of batches) if (batch.vendor) knownVendors.add(batch.vendor);
  const select = $('vendor');
  const current = select.value;
  select.replaceChildren(el('option', { value: '' }, 'All vendors'), ...[...knownVendors].sort().map((vendor) => el('option', { value: vendor, selected: vendor === current }, vendor)));
}

function drawVerdicts({ batches, projectId }) {
  const labels = batches.map(batchLabel);
  const counts = { pass: 0, fail: 0, pending: 0 };
  for (const batch of batches) counts[batch.verdict] += 1;
  drawChart('verdicts', $('verdicts'), {
    summary: `${batches.length} batches from ${date(batches[0].createdAt)} to ${date(batches.at(-1).createdAt)}: ${counts.pass} passed, ${counts.fail} failed, ${counts.pending} pending. Bar height is the batch's item count.`,
    config: {
      type: 'bar',
      data: {
        labels,
        datasets: ['pass', 'fail', 'pending'].map((verdict) => ({
          label: verdict,
          data: batches.map((batch) => (batch.verdict === verdict ? batch.items : null)),
          backgroundColor: VERDICT_COLOURS[verdict],
          maxBarThickness: 48,
        })),
      },
      options: {
        plugins: { legend: { labels: { usePointStyle: false } } },
        scales: { x: { stacked: true }, y: { stacked: true, title: { display: true, text: 'items' } } },
      },
    },
    alternative: alternative('Batches', [
      { label: 'Created', value: (batch) => date(batch.createdAt) },
      { label: 'Batch', value: (batch) => el('a', { href: `batch.html?id=${batch.id}&project=${projectId}` }, shortId(batch.id)) },
      { label: 'Vendor', value: (batch) => batch.vendor ?? '—' },
      { label: 'Status', value: (batch) => batch.status },
      { label: 'Verdict', value: (batch) => batch.verdict },
      { label: 'Failed rules', value: (batch) => batch.failedRules, numeric: true },
      { label: 'Items', value: (batch) => batch.items, numeric: true },
    ], batches),
  });
}

function drawAlpha({ batches, policy }) {
  const keys = [];
  for (const batch of batches) {
    for (const dimension of batch.dimensions) {
      const key = `${dimension.modality}/${dimension.dimension}`;
      if (dimension.shape === 'categorical' && !keys.includes(key)) keys.push(key);
    }
  }
  if (keys.length === 0) {
    $('alpha').replaceChildren(stateBox('empty', 'No categorical dimension has results yet.', 'Alpha is computed per categorical dimension once a batch is analysed.'));
    return;
  }
  const find = (batch, key) => batch.dimensions.find((dimension) => `${dimension.modality}/${dimension.dimension}` === key);
  const datasets = [];
  keys.forEach((key, k) => {
    const colour = SERIES[k % SERIES.length];
    const [modality, ...rest] = key.split('/');
    datasets.push(
      { label: `${key} alpha`, type: 'line', data: batches.map((batch) => find(batch, key)?.alpha ?? null), borderColor: colour, backgroundColor: colour, borderDash: DASHES[k % DASHES.length], spanGaps: true, pointRadius: 3 },
      { label: `${key} CI lower`, type: 'line', data: batches.map((batch) => find(batch, key)?.ciLower ?? null), borderColor: 'transparent', pointRadius: 0, spanGaps: true },
      { label: `${key} CI upper`, type: 'line', data: batches.map((batch) => find(batch, key)?.ciUpper ?? null), borderColor: 'transparent', backgroundColor: `${colour}33`, fill: '-1', pointRadius: 0, spanGaps: true },
      { label: `${key} threshold`, type: 'line', data: batches.map(() => minAlphaFor(policy, modality, rest.join('/'))), borderColor: colour, borderDash: [2, 2], borderWidth: 1.5, pointRadius: 0 },
    );
  });
  const latest = batches.at(-1);
  drawChart('alpha', $('alpha'), {
    summary: `Alpha of ${keys.length} categorical dimension${keys.length === 1 ? '' : 's'} over ${batches.length} batches. Latest: ${keys.map((key) => `${key} ${fmt(find(latest, key)?.alpha ?? null)}`).join(', ')}; default minimum ${fmt(policy.minAlpha)}.`,
    config: {
      type: 'line',
      data: { labels: batches.map(batchLabel), datasets },
      options: {
        plugins: { legend: { labels: { usePointStyle: true, filter: (item) => !/CI (lower|upper)$/.test(item.text) } } },
        scales: { y: { suggestedMin: 0, max: 1, title: { display: true, text: "Krippendorff's alpha" } } },
      },
    },
    alternative: alternative(
      'Alpha per dimension per batch',
      [
        { label: 'Batch', value: (row) => row.label },
        { label: 'Dimension', value: (row) => row.key },
        { label: 'Alpha', value: (row) => fmt(row.figure?.alpha ?? null), numeric: true },
        { label: 'CI', value: (row) => (row.figure?.ciLower == null ? '—' : `${fmt(row.figure.ciLower)} – ${fmt(row.figure.ciUpper)}`), numeric: true },
        { label: 'Threshold', value: (row) => fmt(row.threshold), numeric: true },
      ],
      batches.flatMap((batch) =>
        keys.map((key) => {
          const [modality, ...rest] = key.split('/');
          return { label: batchLabel(batch), key, figure: find(batch, key), threshold: minAlphaFor(policy, modality, rest.join('/')) };
        }),
      ),
    ),
  });
}

function drawFlagged({ batches, policy }) {
  const evaluated = batches.filter((batch) => batch.flaggedItemShare !== null);
  if (evaluated.length === 0) {
    $('flagged').replaceChildren(stateBox('empty', 'No batch has been evaluated yet, so nothing is flagged.', 'Flags appear once a batch\'s evaluation finishes.'));
    return;
  }
  const over = batches.filter((batch) => batch.flaggedItemShare !== null && batch.flaggedItemShare > policy.maxFlaggedItemShare);
  drawChart('flagged', $('flagged'), {
    summary: `${over.length} of ${evaluated.length} evaluated batches flag more than ${pct(policy.maxFlaggedItemShare)} of their items (the policy maximum).`,
    config: {
      type: 'bar',
      data: {
        labels: batches.map(batchLabel),
        datasets: [
          {
            label: 'Flagged-item share',
            data: batches.map((batch) => batch.flaggedItemShare),
            backgroundColor: batches.map((batch) => (batch.flaggedItemShare !== null && batch.flaggedItemShare > policy.maxFlaggedItemShare ? PALETTE.vermillion : PALETTE.blue)),
            maxBarThickness: 48,
            order: 2,
          },
          { label: 'Policy maximum', type: 'line', data: batches.map(() => policy.maxFlaggedItemShare), borderColor: PALETTE.black, borderDash: [6, 3], pointRadius: 0, order: 1 },
        ],
      },
      options: { scales: { y: { min: 0, suggestedMax: 1, ticks: { callback: (value) => `${Math.round(value * 100)}%` } } } },
    },
    alternative: alternative('Flagged-item share per batch', [
      { label: 'Batch', value: (batch) => batchLabel(batch) },
      { label: 'Flagged items', value: (batch) => pct(batch.flaggedItemShare), numeric: true },
      { label: 'Over the maximum', value: (batch) => (batch.flaggedItemShare === null ? 'not evaluated' : batch.flaggedItemShare > policy.maxFlaggedItemShare ? 'yes' : 'no') },
    ], batches),
  });
}

main().catch((error) => {
  console.error(error);
  showError($('status'), 'The overview could not be shown', error);
});
