// Batch view: verdict and failed rules, agreement per dimension against the policy, the pairwise
// heat map, a confusion matrix, temporal distributions and stream offsets. Every figure comes
// from /v1 (stored results and server-side aggregates); the first chart is drawn from the stored
// agreement alone, the rest load after it.
import { api, query } from './api.js';
import { PALETTE, drawChart, drawMatrix } from './charts.js';
import { dimensionKey, headline, pairFigures } from './measures.js';
import { date, el, fmt, param, renderShell, showError, stateBox, table, verdictBadge } from './ui.js';

const $ = (id) => document.getElementById(id);

function options(select, values, selected) {
  select.replaceChildren(...values.map(([value, label]) => el('option', { value, selected: value === selected }, label)));
}

function alternative(caption, columns, rows) {
  return el('details', { class: 'alt', open: true }, el('summary', {}, 'Data table'), table(caption, columns, rows));
}

async function main() {
  const shell = renderShell('batch.html');
  let id = param('id');
  if (!id) {
    const session = await shell;
    const project = param('project') ?? session.projectId;
    const newest = project ? await api(query(`/v1/projects/${project}/batches`, { limit: 1 })) : null;
    id = newest?.batches[0]?.id;
    if (!id) {
      $('headline').replaceChildren(stateBox('empty', 'No batch to show.', 'Open a batch from the overview, or upload one: POST /v1/projects/:projectId/batches.'));
      for (const figure of ['agreement', 'pairwise', 'confusion', 'temporal-iou', 'sync']) $(figure).replaceChildren();
      return;
    }
  }
  const [batch, agreement, projects] = await Promise.all([
    api(`/v1/batches/${id}`),
    api(`/v1/batches/${id}/agreement`),
    api('/v1/projects'),
  ]).catch((error) => {
    showError($('headline'), 'The batch could not be loaded', error);
    for (const figure of ['agreement', 'pairwise', 'confusion', 'temporal-iou', 'sync']) $(figure).replaceChildren();
    throw error;
  });
  const policy = projects.projects.find((project) => project.id === batch.projectId)?.effectivePolicy ?? null;
  $('batch-name').textContent = `${batch.fileName ?? id.slice(0, 8)} · ${batch.vendor ?? 'no vendor'}`;
  drawAgreement(agreement.results, policy);
  renderHeadline(batch);
  await shell;
  setUpPairwise(agreement.results);
  setUpConfusion(id, agreement.results);
  setUpTemporal(id, agreement.results);
  setUpSync(id);
}

function drawAgreement(results, policy) {
  const figure = $('agreement');
  if (results.length === 0) {
    figure.replaceChildren(stateBox('empty', 'No agreement results yet: the batch is still being analysed.', 'Watch it on the Live view; this page shows the results once they are stored.'));
    return;
  }
  const rows = results.map((result) => ({ result, ...headline(result, policy) }));
  const labels = rows.map((row) => `${dimensionKey(row.result)} (${row.measure})`);
  const failing = rows.filter((row) => row.threshold !== null && (row.value === null || row.value < row.threshold));
  drawChart('agreement', figure, {
    summary:
      `${rows.length} dimensions. ` +
      rows.map((row) => `${dimensionKey(row.result)} ${row.measure} ${fmt(row.value)}${row.threshold === null ? '' : ` (minimum ${fmt(row.threshold)})`}`).join('; ') +
      `. ${failing.length === 0 ? 'All meet their thresholds.' : `Below threshold: ${failing.map((row) => dimensionKey(row.result)).join(', ')}.`}`,
    config: {
      type: 'bar',
      data: {
        labels,
        datasets: [
          {
            label: 'Measured',
            data: rows.map((row) => row.value),
            backgroundColor: rows.map((row) => (row.threshold !== null && (row.value === null || row.value < row.threshold) ? PALETTE.vermillion : PALETTE.blue)),
            grouped: false,
            order: 3,
          },
          {
            label: '95% confidence interval',
            data: rows.map((row) => (row.lower === null || row.upper === null ? null : [row.lower, row.upper])),
            // Drawn over the bar, narrower: the interval around the value.
            backgroundColor: 'rgba(230, 159, 0, 0.45)',
            borderColor: PALETTE.orange,
            borderWidth: 2,
            grouped: false,
            barPercentage: 0.3,
            order: 2,
          },
          {
            label: 'Policy threshold',
            type: 'line',
            data: rows.map((row) => row.threshold),
            showLine: false,
            pointStyle: 'line',
            pointRadius: 22,
            pointBorderWidth: 3,
            borderColor: PALETTE.black,
            backgroundColor: PALETTE.black,
            order: 1,
          },
        ],
      },
      options: { scales: { y: { min: Math.min(0, ...rows.map((row) => row.lower ?? row.value ?? 0)), max: 1, title: { display: true, text: 'agreement' } } } },
    },
    alternative: alternative(
      'Agreement per dimension',
      [
        { label: 'Dimension', value: (row) => dimensionKey(row.result) },
        { label: 'Measure', value: (row) => row.measure },
        { label: 'Value', value: (row) => fmt(row.value), numeric: true },
        { label: 'CI', value: (row) => (row.lower === null ? '—' : `${fmt(row.lower)} – ${fmt(row.upper)}`), numeric: true },
        { label: 'Items', value: (row) => row.result.items, numeric: true },
        { label: 'Annotators', value: (row) => row.result.annotators, numeric: true },
        { label: 'Threshold', value: (row) => fmt(row.threshold), numeric: true },
        { label: 'Meets it', value: (row) => (row.threshold === null ? 'no rule' : row.value !== null && row.value >= row.threshold ? 'yes' : 'no') },
      ],
      rows,
    ),
  });
}

async function renderHeadline(batch) {
  const box = $('headline');
  const facts = el(
    'dl',
    {},
    [
      ['Status', batch.status],
      ['Created', date(batch.createdAt)],
      ['Items', batch.counts.items],
      ['Judgements', batch.counts.records],
      ['Annotators', batch.counts.annotators],
    ].map(([term, value]) => el('div', {}, el('dt', {}, term), el('dd', {}, String(value)))),
  );
  const links = el(
    'p',
    {},
    el('a', { href: `flags.html?batch=${batch.id}&project=${batch.projectId}` }, 'Flags'),
    ' · ',
    el('a', { href: `annotators.html?batch=${batch.id}&project=${batch.projectId}` }, 'Annotators'),
    ' · ',
    el('a', { href: `live.html?id=${batch.id}&project=${batch.projectId}` }, 'Live progress'),
  );
  box.replaceChildren(el('div', { class: 'headline' }, verdictBadge(batch.verdict), facts), links);
  let gate;
  try {
    gate = await api(`/v1/batches/${batch.id}/gate`);
  } catch (error) {
    box.append(stateBox('error', `The quality gate could not be read: ${error.message}`, 'The verdict above is the batch\'s own; reload to try the gate again.'));
    return;
  }
  box.querySelector('.badge').replaceWith(verdictBadge(gate.verdict));
  if (gate.verdict === 'pending') {
    box.append(stateBox('empty', 'No verdict yet: the batch is still being evaluated.', 'The Live view shows its progress and the verdict when it arrives.'));
  } else if (gate.reasons.length === 0) {
    box.append(el('p', { 'data-reasons': '0' }, 'Every rule of the policy passed.'));
  } else {
    box.append(
      el('h3', {}, `Failed rules (${gate.reasons.length})`),
      el('ul', { class: 'reasons', 'data-reasons': gate.reasons.length }, gate.reasons.map((reason) => el('li', {}, el('strong', {}, reason.rule), ` — ${reason.message}`))),
    );
  }
}

function setUpPairwise(results) {
  const select = $('pairwise-dimension');
  const candidates = results.filter((result) => pairFigures(result).annotators.length >= 2);
  if (candidates.length === 0) {
    $('pairwise').replaceChildren(stateBox('empty', 'No dimension has two annotators to compare.', 'Pairwise agreement needs items judged by at least two annotators.'));
    return;
  }
  options(select, candidates.map((result) => [dimensionKey(result), dimensionKey(result)]), param('dimension') ?? dimensionKey(candidates[0]));
  const draw = () => {
    const result = candidates.find((candidate) => dimensionKey(candidate) === select.value) ?? candidates[0];
    const { annotators, value, measure } = pairFigures(result);
    const values = annotators.map((a) => annotators.map((b) => value(a, b)));
    const defined = values.flat().filter((x) => x !== null);
    const worst = defined.length === 0 ? null : Math.min(...defined);
    const worstPair = worst === null ? null : annotators.flatMap((a, i) => annotators.slice(i + 1).map((b) => [a, b])).find(([a, b]) => value(a, b) === worst);
    drawMatrix('pairwise', $('pairwise'), {
      caption: `Pairwise ${measure}, ${dimensionKey(result)}`,
      rowLabel: 'Annotator',
      rows: annotators,
      columns: annotators,
      values,
      scale: (x) => Math.max(0, x),
      summary: worstPair ? `Lowest pairwise ${measure}: ${worstPair[0]} with ${worstPair[1]}, ${fmt(worst)}. Darker cells agree more.` : `No defined pairwise ${measure}.`,
    });
  };
  select.addEventListener('change', draw);
  draw();
}

function setUpConfusion(id, results) {
  const categorical = results.filter((result) => result.shape === 'categorical' && (result.pairwise ?? []).length > 0);
  const [dimension, a, b] = [$('confusion-dimension'), $('confusion-a'), $('confusion-b')];
  if (categorical.length === 0) {
    $('confusion').replaceChildren(stateBox('empty', 'No categorical dimension with two annotators.', 'A confusion matrix compares two annotators\' labels on the items both judged.'));
    return;
  }
  options(dimension, categorical.map((result) => [dimensionKey(result), dimensionKey(result)]), dimensionKey(categorical[0]));
  const fillAnnotators = () => {
    const result = categorical.find((candidate) => dimensionKey(candidate) === dimension.value);
    const names = pairFigures(result).annotators;
    options(a, names.map((name) => [name, name]), names[0]);
    options(b, names.map((name) => [name, name]), names[1]);
  };
  const load = async () => {
    const [modality, ...rest] = dimension.value.split('/');
    const figure = $('confusion');
    try {
      const matrix = await api(query(`/v1/batches/${id}/confusion`, { modality, dimension: rest.join('/'), a: a.value, b: b.value }));
      if (matrix.items === 0) {
        figure.replaceChildren(stateBox('empty', `${matrix.a} and ${matrix.b} judged no item in common.`, 'Pick another pair of annotators.'));
        return;
      }
      const biggest = Math.max(...matrix.matrix.flat());
      drawMatrix('confusion', figure, {
        caption: `${matrix.a} (rows) × ${matrix.b} (columns), ${dimension.value}`,
        rowLabel: `${matrix.a} \\ ${matrix.b}`,
        rows: matrix.labels,
        columns: matrix.labels,
        values: matrix.matrix,
        scale: (x) => x / biggest,
        digits: 0,
        summary: `${matrix.items} items judged by both; they agree on ${matrix.agreeing} (${fmt((100 * matrix.agreeing) / matrix.items, 1)}%). The diagonal counts agreements.`,
      });
    } catch (error) {
      showError(figure, 'The confusion matrix could not be loaded', error);
    }
  };
  dimension.addEventListener('change', () => {
    fillAnnotators();
    load();
  });
  a.addEventListener('change', load);
  b.addEventListener('change', load);
  fillAnnotators();
  return load();
}

function binLabel(bin, digits) {
  return bin.to === null ? `≥ ${bin.from}` : `${bin.from.toFixed(digits)}–${bin.to.toFixed(digits)}`;
}

function setUpTemporal(id, results) {
  const intervals = results.filter((result) => result.shape === 'intervals');
  const select = $('temporal-dimension');
  if (intervals.length === 0) {
    $('temporal-iou').replaceChildren(stateBox('empty', 'This batch has no time-coded (interval) dimension.', 'Temporal IoU applies to segments in audio, video, sensor or text spans.'));
    return;
  }
  options(select, intervals.map((result) => [dimensionKey(result), dimensionKey(result)]), dimensionKey(intervals[0]));
  const load = async () => {
    const result = intervals.find((candidate) => dimensionKey(candidate) === select.value);
    try {
      const data = await api(query(`/v1/batches/${id}/temporal`, { modality: result.modality, dimension: result.dimension }));
      drawChart('temporal-iou', $('temporal-iou'), {
        summary: `${data.pairs} item–label–pair comparisons in ${select.value}; mean IoU ${fmt(result.meanIoU)}, ${data.itemIoU.slice(0, 5).reduce((sum, bin) => sum + bin.count, 0)} below 0.5.`,
        config: {
          type: 'bar',
          data: { labels: data.itemIoU.map((bin) => binLabel(bin, 1)), datasets: [{ label: 'Comparisons', data: data.itemIoU.map((bin) => bin.count), backgroundColor: PALETTE.blue }] },
          options: { scales: { x: { title: { display: true, text: 'coverage IoU per item, label and pair' } }, y: { title: { display: true, text: 'count' } } } },
        },
        alternative: alternative('Temporal IoU distribution', [
          { label: 'IoU', value: (bin) => binLabel(bin, 1) },
          { label: 'Count', value: (bin) => bin.count, numeric: true },
        ], data.itemIoU),
      });
      const deviation = data.onsetDeviation.map((bin, k) => ({ bin, onset: bin.count, offset: data.offsetDeviation[k].count }));
      drawChart('temporal-deviation', $('temporal-deviation'), {
        summary: `${data.matches} matched segments. Onset deviation median ${fmt(result.onsetDeviation?.median)} s, p90 ${fmt(result.onsetDeviation?.p90)} s; offset median ${fmt(result.offsetDeviation?.median)} s, p90 ${fmt(result.offsetDeviation?.p90)} s.`,
        config: {
          type: 'bar',
          data: {
            labels: deviation.map((row) => `${binLabel(row.bin, 2)} s`),
            datasets: [
              { label: 'Onset', data: deviation.map((row) => row.onset), backgroundColor: PALETTE.orange },
              { label: 'Offset', data: deviation.map((row) => row.offset), backgroundColor: PALETTE.blue },
            ],
          },
          options: { scales: { x: { title: { display: true, text: 'boundary deviation of matched segments' } } } },
        },
        alternative: alternative('Boundary deviations', [
          { label: 'Deviation', value: (row) => `${binLabel(row.bin, 2)} s` },
          { label: 'Onsets', value: (row) => row.onset, numeric: true },
          { label: 'Offsets', value: (row) => row.offset, numeric: true },
        ], deviation),
      });
    } catch (error) {
      showError($('temporal-iou'), 'The temporal distribution could not be loaded', error);
    }
  };
  select.addEventListener('change', load);
  return load();
}

async function setUpSync(id) {
  const figure = $('sync');
  let evaluation;
  try {
    evaluation = (await api(`/v1/batches/${id}/evaluation`)).evaluation;
  } catch (error) {
    showError(figure, 'The evaluation could not be loaded', error);
    return;
  }
  if (evaluation === null) {
    figure.replaceChildren(stateBox('empty', 'No evaluation yet, so no stream offsets.', 'Offsets are measured when the batch is evaluated; the Live view shows when that is done.'));
    return;
  }
  const pairs = evaluation.sync ?? [];
  if (pairs.length === 0) {
    figure.replaceChildren(stateBox('empty', 'No pair of time-coded modalities to line up in this batch.', 'Stream offsets compare two timed modalities of the same items (e.g. audio and video).'));
    return;
  }
  const limit = evaluation.policy?.maxStreamOffsetSeconds ?? null;
  const select = $('sync-pair');
  const name = (pair) => `${pair.a.modality}/${pair.a.dimension} ~ ${pair.b.modality}/${pair.b.dimension}`;
  options(select, pairs.map((pair, k) => [String(k), name(pair)]), '0');
  const draw = () => {
    const pair = pairs[Number(select.value)];
    const { from, binSeconds, counts } = pair.offsets.histogram;
    const bins = counts.map((count, k) => ({ centre: from + (k + 0.5) * binSeconds, count })).filter((bin) => bin.count > 0 || Math.abs(bin.centre) <= Math.max(1, (limit ?? 0) * 3));
    drawChart('sync', figure, {
      summary:
        `${pair.items} items; median offset ${fmt(pair.medianOffset, 2)} s (spread ${fmt(pair.offsetSpread, 2)} s)` +
        `${limit === null ? '' : `, policy maximum ±${limit} s`}; ${pair.systematic ? 'a systematic offset (one stream lags the other)' : 'no systematic offset'}.`,
      config: {
        type: 'bar',
        data: {
          labels: bins.map((bin) => bin.centre.toFixed(2)),
          datasets: [{
            label: 'Items',
            data: bins.map((bin) => bin.count),
            backgroundColor: bins.map((bin) => (limit !== null && Math.abs(bin.centre) > limit ? PALETTE.vermillion : PALETTE.blue)),
          }],
        },
        options: {
          plugins: { legend: { display: false } },
          scales: { x: { title: { display: true, text: `offset of ${pair.b.modality} behind ${pair.a.modality}, s (beyond ±${limit} s in vermillion)` } } },
        },
      },
      alternative: alternative(`Per-item offsets, ${name(pair)}`, [
        { label: 'Offset (s, bin centre)', value: (bin) => bin.centre.toFixed(2) },
        { label: 'Items', value: (bin) => bin.count, numeric: true },
        { label: 'Beyond the limit', value: (bin) => (limit !== null && Math.abs(bin.centre) > limit ? 'yes' : 'no') },
      ], bins.filter((bin) => bin.count > 0)),
    });
  };
  select.addEventListener('change', draw);
  draw();
}

main().catch((error) => console.error(error));
