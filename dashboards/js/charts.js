// Charts: chart.js (served from the npm package at vendor/, loaded as a classic script that
// defines window.Chart), a colour-blind-safe palette, and a registry of what each chart shows so
// tests and assistive tooling can read the numbers (window.__charts).
import { el, fmt } from './ui.js';

/** Okabe & Ito (2008): distinguishable with every common colour-vision deficiency. */
export const PALETTE = {
  orange: '#E69F00',
  sky: '#56B4E9',
  green: '#009E73',
  yellow: '#F0E442',
  blue: '#0072B2',
  vermillion: '#D55E00',
  purple: '#CC79A7',
  black: '#000000',
  grey: '#7A7A7A',
};
export const SERIES = [PALETTE.blue, PALETTE.orange, PALETTE.green, PALETTE.vermillion, PALETTE.purple, PALETTE.sky, PALETTE.yellow, PALETTE.black];
export const VERDICT_COLOURS = { pass: PALETTE.green, fail: PALETTE.vermillion, pending: PALETTE.grey };
/** Dash patterns that tell series apart without colour. */
export const DASHES = [[], [6, 3], [2, 3], [8, 3, 2, 3], [1, 2]];

/** window.__charts[name] = { kind, labels, datasets: [{ label, data }] } or a matrix for heat maps. */
window.__charts = window.__charts ?? {};

function mark(name) {
  performance.mark(`chart:${name}`);
  if (performance.getEntriesByName('first-chart').length === 0) performance.mark('first-chart');
}

function register(name, entry) {
  window.__charts[name] = entry;
  mark(name);
  document.dispatchEvent(new CustomEvent('concord:chart', { detail: { name } }));
}

/** Blends white → `to` by t ∈ [0, 1] (a one-hue sequential scale: order reads as lightness). */
export function ramp(t, to = PALETTE.blue) {
  const clamp = Math.max(0, Math.min(1, t));
  const channel = (k) => Math.round(255 + (parseInt(to.slice(1 + 2 * k, 3 + 2 * k), 16) - 255) * clamp);
  return `rgb(${channel(0)}, ${channel(1)}, ${channel(2)})`;
}

/** Text colour readable on a ramp cell. */
export function inkFor(t) {
  return t > 0.55 ? '#ffffff' : '#000000';
}

const charts = new Map();

/**
 * Draws a chart.js chart into `figure` (replacing what was there): a canvas with an aria-label
 * summary, and the text alternative `alternative` (a table) under it. Registers the data.
 */
export function drawChart(name, figure, { config, summary, alternative }) {
  charts.get(name)?.destroy();
  const canvas = el('canvas', { role: 'img', 'aria-label': summary, 'data-chart': name });
  const holder = el('div', { class: 'chart-box' }, canvas);
  figure.replaceChildren(holder, el('p', { class: 'summary', 'data-summary': name }, summary), alternative);
  const chart = new window.Chart(canvas, {
    ...config,
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      ...config.options,
      plugins: { legend: { labels: { usePointStyle: true } }, ...config.options?.plugins },
    },
  });
  charts.set(name, chart);
  register(name, {
    kind: config.type,
    labels: [...(chart.data.labels ?? [])],
    datasets: chart.data.datasets.map((dataset) => ({ label: dataset.label, type: dataset.type ?? config.type, data: [...dataset.data] })),
  });
  return chart;
}

/**
 * A heat map as a table (it is its own text alternative): rows × columns of numbers, each cell
 * shaded by `scale(value)` ∈ [0, 1], with the number printed in it.
 */
export function drawMatrix(name, figure, { caption, rowLabel, rows, columns, values, scale, digits = 3, summary }) {
  const body = rows.map((row, i) =>
    el(
      'tr',
      {},
      el('th', { scope: 'row' }, row),
      columns.map((_, j) => {
        const value = values[i][j];
        if (value === null || value === undefined) return el('td', { class: 'num empty' }, '—');
        const t = scale(value);
        return el('td', { class: 'num', style: null, dataset: { t: t.toFixed(3) } }, typeof value === 'number' && digits > 0 ? fmt(value, digits) : String(value));
      }),
    ),
  );
  const tableNode = el(
    'table',
    { class: 'matrix', 'data-chart': name },
    el('caption', {}, caption),
    el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, rowLabel), columns.map((column) => el('th', { scope: 'col' }, column)))),
    el('tbody', {}, body),
  );
  // Colours through the CSSOM (the page's CSP forbids inline style attributes, not this).
  for (const cell of tableNode.querySelectorAll('td[data-t]')) {
    const t = Number(cell.dataset.t);
    cell.style.background = ramp(t);
    cell.style.color = inkFor(t);
  }
  figure.replaceChildren(tableNode, el('p', { class: 'summary', 'data-summary': name }, summary));
  register(name, { kind: 'matrix', rows: [...rows], columns: [...columns], values: values.map((row) => [...row]) });
}

/** Registers a drawing that is neither (the timeline's SVG). */
export function registerDrawing(name, entry) {
  register(name, entry);
}
