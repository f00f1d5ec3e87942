// Annotators: per annotator of a batch, agreement with the others, alpha without them (drop-one:
// a rise means they lower agreement), flag counts; and the trend over the project's batches.
import { api, query } from './api.js';
import { DASHES, PALETTE, SERIES, drawChart } from './charts.js';
import { date, el, fmt, param, renderShell, shortId, showError, stateBox, table } from './ui.js';

const $ = (id) => document.getElementById(id);

function alternative(caption, columns, rows) {
  return el('details', { class: 'alt', open: true }, el('summary', {}, 'Data table'), table(caption, columns, rows));
}

/** The figure that says how well an annotator agrees with the others in a dimension. */
function agreementOf(dimension) {
  return dimension.meanPairwiseAlpha ?? dimension.meanIoU ?? dimension.meanF1 ?? null;
}

async function main() {
  const session = await renderShell('annotators.html');
  let batchId = param('batch');
  const projectId = param('project') ?? session.projectId;
  if (!batchId && projectId) batchId = (await api(query(`/v1/projects/${projectId}/batches`, { limit: 1 }))).batches[0]?.id ?? null;
  if (!batchId) {
    $('annotators').replaceChildren(stateBox('empty', 'No batch chosen.', 'Open a batch from the overview and follow its Annotators link.'));
    $('trend').replaceChildren();
    return;
  }
  $('batch-name').textContent = `· batch ${shortId(batchId)}`;
  const [batch, stats, agreement] = await Promise.all([
    api(`/v1/batches/${batchId}`),
    api(`/v1/batches/${batchId}/annotators`),
    api(`/v1/batches/${batchId}/agreement`),
  ]).catch((error) => {
    showError($('annotators'), 'The annotators could not be loaded', error);
    $('trend').replaceChildren();
    throw error;
  });
  if (stats.annotators.length === 0) {
    $('annotators').replaceChildren(stateBox('empty', 'No per-annotator figures yet: the batch is still being analysed.', 'Watch the Live view; this page fills in when the analysis is stored.'));
    $('trend').replaceChildren();
    return;
  }
  const flagCounts = await countFlags(batchId, stats.annotators.map((entry) => entry.annotator));
  const keys = [...new Set(stats.annotators.flatMap((entry) => entry.dimensions.map((d) => `${d.modality}/${d.dimension}`)))];
  const select = $('dimension');
  select.replaceChildren(...keys.map((key) => el('option', { value: key }, key)));
  const trend = await api(query(`/v1/projects/${batch.projectId}/annotators/trend`, {})).catch((error) => error);
  const draw = () => {
    drawBatch(stats, agreement, select.value, flagCounts);
    if (trend instanceof Error) showError($('trend'), 'The trend could not be loaded', trend);
    else drawTrend(trend, select.value);
  };
  select.addEventListener('change', draw);
  draw();
}

/** Flags involving each annotator: the flags listing's total with an annotator filter (one page of 1). */
async function countFlags(batchId, annotators) {
  const counts = new Map();
  await Promise.all(
    annotators.map(async (annotator) => {
      const page = await api(query(`/v1/batches/${batchId}/flags`, { annotator, limit: 1 })).catch(() => null);
      counts.set(annotator, page?.total ?? null);
    }),
  );
  return counts;
}

function drawBatch(stats, agreement, key, flagCounts) {
  const rows = stats.annotators
    .map((entry) => ({ annotator: entry.annotator, flags: flagCounts.get(entry.annotator), dimension: entry.dimensions.find((d) => `${d.modality}/${d.dimension}` === key) }))
    .filter((row) => row.dimension !== undefined);
  const result = agreement.results.find((r) => `${r.modality}/${r.dimension}` === key);
  const overall = result?.shape === 'categorical' ? result.alpha : null;
  const worst = rows.filter((row) => row.dimension.dropOneChange !== null).sort((a, b) => b.dimension.dropOneChange - a.dimension.dropOneChange)[0];
  drawChart('annotators', $('annotators'), {
    summary:
      `${rows.length} annotators in ${key}.` +
      (worst ? ` Without ${worst.annotator} alpha would be ${fmt(worst.dimension.dropOneAlpha)} (${worst.dimension.dropOneChange >= 0 ? '+' : ''}${fmt(worst.dimension.dropOneChange)} against ${fmt(overall)}): the largest rise.` : ''),
    config: {
      type: 'bar',
      data: {
        labels: rows.map((row) => row.annotator),
        datasets: [
          { label: 'Mean agreement with the others', data: rows.map((row) => agreementOf(row.dimension)), backgroundColor: PALETTE.blue },
          { label: 'Alpha without this annotator', data: rows.map((row) => row.dimension.dropOneAlpha), backgroundColor: PALETTE.orange },
          ...(overall === null ? [] : [{ label: 'Overall alpha', type: 'line', data: rows.map(() => overall), borderColor: PALETTE.black, borderDash: [6, 3], pointRadius: 0 }]),
        ],
      },
      options: { scales: { y: { suggestedMin: 0, max: 1 } } },
    },
    alternative: alternative(`Annotators, ${key}`, [
      { label: 'Annotator', value: (row) => row.annotator },
      { label: 'Judgements', value: (row) => row.dimension.judgements, numeric: true },
      { label: 'Mean agreement', value: (row) => fmt(agreementOf(row.dimension)), numeric: true },
      { label: 'Drop-one alpha', value: (row) => fmt(row.dimension.dropOneAlpha), numeric: true },
      { label: 'Change', value: (row) => fmt(row.dimension.dropOneChange), numeric: true },
      { label: 'Flags (all dimensions)', value: (row) => (row.flags === null ? '—' : String(row.flags)), numeric: true },
    ], rows),
  });
}

function drawTrend(trend, key) {
  const points = trend.points.filter((point) => `${point.modality}/${point.dimension}` === key);
  if (points.length === 0) {
    $('trend').replaceChildren(stateBox('empty', `No completed batch has figures for ${key}.`, 'The trend fills in as batches of this project complete.'));
    return;
  }
  const annotators = [...new Set(points.map((point) => point.annotator))].sort();
  const batches = trend.batches;
  const figure = (point) => point?.meanPairwiseAlpha ?? point?.meanIoU ?? null;
  const at = (annotator, batch) => points.find((point) => point.annotator === annotator && point.batchId === batch.id);
  drawChart('annotator-trend', $('trend'), {
    summary: `Mean agreement of ${annotators.length} annotators with the others in ${key}, over ${batches.length} completed batch${batches.length === 1 ? '' : 'es'}.`,
    config: {
      type: 'line',
      data: {
        labels: batches.map((batch) => `${date(batch.createdAt)} ${shortId(batch.id)}`),
        datasets: annotators.map((annotator, k) => ({
          label: annotator,
          data: batches.map((batch) => figure(at(annotator, batch))),
          borderColor: SERIES[k % SERIES.length],
          backgroundColor: SERIES[k % SERIES.length],
          borderDash: DASHES[k % DASHES.length],
          pointStyle: ['circle', 'rect', 'triangle', 'rectRot', 'star'][k % 5],
          pointRadius: 5,
          spanGaps: true,
        })),
      },
      options: { scales: { y: { suggestedMin: 0, max: 1 } } },
    },
    alternative: alternative(`Trend, ${key}`, [
      { label: 'Batch', value: (row) => `${date(row.batch.createdAt)} ${shortId(row.batch.id)}` },
      { label: 'Annotator', value: (row) => row.annotator },
      { label: 'Mean agreement', value: (row) => fmt(figure(row.point)), numeric: true },
      { label: 'Drop-one change', value: (row) => fmt(row.point?.dropOneChange ?? null), numeric: true },
      { label: 'Flags', value: (row) => String(trend.flags.find((f) => f.batchId === row.batch.id && f.annotator === row.annotator)?.count ?? 0), numeric: true },
    ], batches.flatMap((batch) => annotators.map((annotator) => ({ batch, annotator, point: at(annotator, batch) })))),
  });
}

main().catch((error) => console.error(error));
