// One item's timeline: a lane per (modality/dimension, annotator) with its segments coloured by
// label, the item's flagged spans hatched across the lanes, and the stream offsets stated. SVG
// (drawn here), with a table of every segment as its text alternative.
import { PALETTE, SERIES, registerDrawing } from './charts.js';
import { el, fmt, table } from './ui.js';

const SVG = 'http://www.w3.org/2000/svg';
const LANE = 24;
const GUTTER = 230;
const WIDTH = 1200;
/** Text on each SERIES colour with a contrast of at least 4.5:1 (black on the light ones). */
const INK = ['#fff', '#000', '#000', '#000', '#000', '#000', '#000', '#fff'];

function svg(tag, attributes = {}, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) if (value !== null && value !== undefined) node.setAttribute(name, String(value));
  for (const child of children) if (child) node.append(child);
  return node;
}

export function drawTimeline(container, timeline) {
  const { item, segments, flags, offsets } = timeline;
  if (segments.length === 0) {
    container.replaceChildren(el('div', { class: 'state state-empty', role: 'status', 'data-state': 'empty' }, el('p', {}, `${item} has no timed segments (its flags are about labels, not times).`)));
    registerDrawing('timeline', { kind: 'timeline', item, lanes: [], flags: flags.length, offsets });
    return;
  }
  const lanes = new Map();
  for (const segment of segments) {
    const lane = `${segment.modality}/${segment.dimension} · ${segment.annotator}${segment.gold ? ' (gold)' : ''}`;
    if (!lanes.has(lane)) lanes.set(lane, []);
    lanes.get(lane).push(segment);
  }
  const spans = flags.filter((flag) => flag.start !== null && flag.end !== null);
  const start = Math.min(...segments.map((s) => s.start), ...spans.map((f) => f.start));
  const end = Math.max(...segments.map((s) => s.end), ...spans.map((f) => f.end));
  const x = (t) => GUTTER + ((t - start) / Math.max(end - start, 1e-9)) * (WIDTH - GUTTER - 10);
  const labels = [...new Set(segments.map((s) => s.label ?? ''))].sort();
  const colour = (label) => SERIES[labels.indexOf(label ?? '') % SERIES.length];
  const height = 30 + lanes.size * LANE + 24;

  const drawing = svg(
    'svg',
    { class: 'timeline', viewBox: `0 0 ${WIDTH} ${height}`, role: 'img', 'aria-label': `Timeline of ${item}: ${lanes.size} lanes, ${segments.length} segments, ${spans.length} flagged spans` },
    svg('defs', {}, svg('pattern', { id: 'hatch', width: 6, height: 6, patternUnits: 'userSpaceOnUse', patternTransform: 'rotate(45)' }, svg('rect', { width: 6, height: 6, fill: 'rgba(213,94,0,0.12)' }), svg('line', { x1: 0, y1: 0, x2: 0, y2: 6, stroke: PALETTE.vermillion, 'stroke-width': 1.5, 'stroke-opacity': 0.7 }))),
  );
  // Time axis: about eight ticks.
  const step = niceStep((end - start) / 8);
  for (let t = Math.ceil(start / step) * step; t <= end + 1e-9; t += step) {
    drawing.append(svg('line', { x1: x(t), x2: x(t), y1: 20, y2: height - 20, stroke: '#e0e0e0' }), svg('text', { x: x(t), y: 14, 'text-anchor': 'middle' }, document.createTextNode(`${fmt(t, step < 1 ? 1 : 0)} s`)));
  }
  const laneList = [...lanes.entries()];
  // Flagged spans first, so segments stay readable on top: hatched on the lanes the flag is about
  // (its modality/dimension and annotators; a cross-modal flag covers every lane).
  for (const flag of spans) {
    laneList.forEach(([, list], k) => {
      const first = list[0];
      const sameDimension = flag.modality === null || (flag.modality === first.modality && flag.dimension === first.dimension);
      const involved = flag.annotators.length === 0 || flag.annotators.includes(first.annotator);
      if (!sameDimension || !involved) return;
      const rect = svg('rect', { class: 'conflict', x: x(flag.start), y: 24 + k * LANE + 1, width: Math.max(2, x(flag.end) - x(flag.start)), height: LANE - 2, 'data-flag': flag.id });
      rect.append(svg('title', {}, document.createTextNode(`${flag.code}: ${flag.message}`)));
      drawing.append(rect);
    });
  }
  laneList.forEach(([lane, list], k) => {
    const y = 24 + k * LANE;
    drawing.append(svg('text', { x: 4, y: y + 15 }, document.createTextNode(lane)));
    for (const segment of list) {
      const index = labels.indexOf(segment.label ?? '') % SERIES.length;
      const rect = svg('rect', { x: x(segment.start), y: y + 6, width: Math.max(1, x(segment.end) - x(segment.start)), height: LANE - 12, fill: colour(segment.label), rx: 2, 'data-label': segment.label ?? '' });
      rect.append(svg('title', {}, document.createTextNode(`${lane}: ${segment.label ?? '—'} ${fmt(segment.start, 2)}–${fmt(segment.end, 2)} s`)));
      drawing.append(rect);
      if (x(segment.end) - x(segment.start) > 40) {
        drawing.append(svg('text', { x: x(segment.start) + 3, y: y + 16, fill: INK[index] }, document.createTextNode(segment.label ?? '')));
      }
    }
  });
  const legend = el('p', { class: 'summary' }, 'Labels: ', labels.map((label) => el('span', { class: 'badge', dataset: { label } }, label || '(none)')), ' Hatched: flagged spans.');
  // Badge colours through the CSSOM (no inline style attributes under the page's CSP).
  legend.querySelectorAll('.badge').forEach((badge, k) => {
    badge.style.background = SERIES[k % SERIES.length];
    badge.style.color = INK[k % SERIES.length];
  });
  const offsetText = offsets.length === 0
    ? 'No stream offset was measured for this item.'
    : offsets.map((offset) => `${offset.b} is ${fmt(Math.abs(offset.offset), 2)} s ${offset.offset >= 0 ? 'behind' : 'ahead of'} ${offset.a} (${offset.source === 'item' ? 'this item' : 'the batch median'})`).join('; ') + '.';
  container.replaceChildren(
    el('h3', {}, item),
    drawing,
    legend,
    el('p', { class: 'summary', 'data-offsets': offsets.length }, `Stream offsets: ${offsetText}`),
    flags.length === 0 ? el('p', {}, 'No flags on this item.') : el('ul', { class: 'reasons' }, flags.map((flag) => el('li', {}, el('strong', {}, flag.code), ` (${flag.severity}, ${flag.status}) — ${flag.message}`))),
    el('details', { class: 'alt' }, el('summary', {}, 'Segments table'), table(`Segments of ${item}`, [
      { label: 'Lane', value: (row) => row.lane },
      { label: 'Label', value: (row) => row.label ?? '—' },
      { label: 'Start (s)', value: (row) => fmt(row.start, 2), numeric: true },
      { label: 'End (s)', value: (row) => fmt(row.end, 2), numeric: true },
    ], [...lanes.entries()].flatMap(([lane, list]) => list.map((segment) => ({ lane, ...segment }))))),
  );
  registerDrawing('timeline', {
    kind: 'timeline',
    item,
    lanes: [...lanes.entries()].map(([lane, list]) => ({ lane, segments: list.map(({ label, start: from, end: to }) => ({ label, start: from, end: to })) })),
    flags: spans.length,
    offsets,
  });
}

function niceStep(raw) {
  const power = 10 ** Math.floor(Math.log10(Math.max(raw, 1e-6)));
  for (const factor of [1, 2, 5, 10]) if (raw <= factor * power) return factor * power;
  return 10 * power;
}
