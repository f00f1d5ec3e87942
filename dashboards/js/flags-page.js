// Flags: the batch's flags from GET /v1/batches/:id/flags, filtered and paged on the server (keyset
// cursor, so page 2,000 of 100,000 flags costs what page 1 does) and sorted on the server (a column
// header asks for ?sort=<key>, again for ?sort=-<key>; back to the first page),
// confirmed or dismissed with a comment (PATCH /v1/flags/:id), and one item's timeline.
import { api, query } from './api.js';
import { drawTimeline } from './timeline.js';
import { el, param, renderShell, setParams, showError, stateBox } from './ui.js';

const $ = (id) => document.getElementById(id);
const CODES = ['LABEL_CONFLICT', 'NO_MAJORITY', 'LOW_ITEM_AGREEMENT', 'TEMPORAL_MISALIGNMENT', 'UNMATCHED_SEGMENT', 'STREAM_DESYNC', 'CROSS_MODAL_CONFLICT', 'OUTLIER_ANNOTATOR', 'MISSING_ANNOTATION', 'INVALID_SPAN'];
const FILTERS = ['code', 'severity', 'modality', 'dimension', 'annotator', 'status', 'limit'];
/** Keys GET /v1/batches/:id/flags sorts by (each then by severity and id); `-key` is descending. */
const SORTS = ['severity', 'item', 'code', 'modality', 'dimension', 'status', 'start'];

/** The server's sort, as in ?sort= of the page's URL: { key, direction: 1 | -1 }, severity ascending by default. */
function parseSort(value) {
  const key = value?.replace(/^-/, '');
  return SORTS.includes(key) ? { key, direction: value.startsWith('-') ? -1 : 1 } : { key: 'severity', direction: 1 };
}
const sortParam = (sort) => `${sort.direction < 0 ? '-' : ''}${sort.key}`;

const state = { batchId: null, session: null, cursors: [null], page: 0, flags: [], total: 0, nextCursor: null, sort: parseSort(null) };

async function main() {
  state.session = await renderShell('flags.html');
  state.batchId = param('batch');
  const form = $('filters');
  form.elements.code.append(...CODES.map((code) => el('option', { value: code }, code)));
  for (const name of FILTERS) if (param(name)) form.elements[name].value = param(name);
  state.sort = parseSort(param('sort'));
  if (!state.batchId) {
    const project = param('project') ?? state.session.projectId;
    const newest = project ? await api(query(`/v1/projects/${project}/batches`, { limit: 1 })) : null;
    state.batchId = newest?.batches[0]?.id ?? null;
    if (!state.batchId) {
      $('flags').replaceChildren(stateBox('empty', 'No batch chosen.', 'Open a batch from the overview and follow its Flags link.'));
      return;
    }
  }
  $('batch-name').textContent = `· batch ${state.batchId.slice(0, 8)}`;
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    setParams(Object.fromEntries(FILTERS.map((name) => [name, form.elements[name].value])));
    state.cursors = [null];
    state.page = 0;
    load();
  });
  $('previous').addEventListener('click', () => {
    state.page -= 1;
    load();
  });
  $('next').addEventListener('click', () => {
    state.cursors[state.page + 1] = state.nextCursor;
    state.page += 1;
    load();
  });
  await load();
  if (param('item')) await showTimeline(param('item'));
}

function filters() {
  const form = $('filters');
  return Object.fromEntries(FILTERS.map((name) => [name, form.elements[name].value.trim()]));
}

async function load() {
  const box = $('flags');
  box.setAttribute('aria-busy', 'true');
  try {
    const page = await api(query(`/v1/batches/${state.batchId}/flags`, { ...filters(), sort: sortParam(state.sort), cursor: state.cursors[state.page] ?? '' }));
    state.flags = page.flags;
    state.total = page.total;
    state.nextCursor = page.nextCursor;
    render();
  } catch (error) {
    showError(box, 'The flags could not be loaded', error);
  } finally {
    box.removeAttribute('aria-busy');
  }
}

// `sort`: the server's sort key of the column (none: not sortable).
const COLUMNS = [
  { label: 'Severity', sort: 'severity' },
  { label: 'Code', sort: 'code' },
  { label: 'Item', sort: 'item' },
  { label: 'Modality / dimension', sort: 'modality' },
  { label: 'Annotators' },
  { label: 'Message' },
  { label: 'Status', sort: 'status' },
];

/** A header click: the server sorts every flag by the column (again: reversed), from the first page. */
function sortBy(key) {
  state.sort = { key, direction: state.sort.key === key && state.sort.direction === 1 ? -1 : 1 };
  setParams({ sort: sortParam(state.sort) === 'severity' ? '' : sortParam(state.sort) });
  state.cursors = [null];
  state.page = 0;
  load();
}

function render() {
  const box = $('flags');
  const limit = Number(filters().limit);
  const pages = Math.max(1, Math.ceil(state.total / limit));
  $('page').textContent = `Page ${state.page + 1} of ${pages} · ${state.total} flags`;
  $('previous').disabled = state.page === 0;
  $('next').disabled = state.nextCursor === null;
  if (state.flags.length === 0) {
    const filtered = Object.entries(filters()).some(([name, value]) => name !== 'limit' && value);
    box.replaceChildren(
      stateBox('empty', filtered ? 'No flag matches these filters.' : 'This batch has no flags.', filtered ? 'Clear a filter to see more.' : 'Nothing needs review: every item passed every check (or the evaluation is still running).'),
    );
    return;
  }
  const canReview = state.session.role !== 'vendor';
  const header = el(
    'tr',
    {},
    COLUMNS.map((column) => {
      if (!column.sort) return el('th', { scope: 'col' }, column.label);
      const direction = state.sort.key === column.sort ? state.sort.direction : 0;
      return el(
        'th',
        { scope: 'col', 'aria-sort': direction === 0 ? 'none' : direction > 0 ? 'ascending' : 'descending' },
        el('button', { type: 'button', class: 'link', 'data-sort': column.sort, onclick: () => sortBy(column.sort) }, `${column.label}${direction === 0 ? '' : direction > 0 ? ' ▲' : ' ▼'}`),
      );
    }),
    canReview ? el('th', { scope: 'col' }, 'Review') : null,
  );
  const rows = state.flags.map((flag) =>
    el(
      'tr',
      { 'data-flag': flag.id },
      el('td', { class: `sev-${flag.severity}` }, flag.severity),
      el('td', {}, flag.code),
      el('td', {}, flag.item === null ? 'batch' : el('button', { type: 'button', class: 'link', 'data-item': flag.item, onclick: () => showTimeline(flag.item) }, flag.item)),
      el('td', {}, `${flag.modality ?? 'cross-modal'}/${flag.dimension ?? '—'}`),
      el('td', {}, flag.annotators.join(', ')),
      el('td', {}, flag.message),
      el('td', { class: `status-${flag.status}`, 'data-status': flag.status }, flag.status, flag.comment ? el('div', { class: 'hint' }, `“${flag.comment}”`) : null),
      canReview ? el('td', {}, reviewControls(flag)) : null,
    ),
  );
  box.replaceChildren(
    el('table', { id: 'flag-table' }, el('caption', {}, captionOf(state.sort)), el('thead', {}, header), el('tbody', {}, rows)),
  );
}

function captionOf(sort) {
  if (sort.key === 'severity') return sort.direction > 0 ? 'Flags, most severe first' : 'Flags, least severe first';
  const label = sort.key === 'start' ? 'span start' : sort.key;
  return `Flags sorted by ${label}, ${sort.direction > 0 ? 'ascending (ties most severe first)' : 'descending (ties least severe first)'}`;
}

function reviewControls(flag) {
  const comment = el('input', { type: 'text', placeholder: 'comment', 'aria-label': `Comment on flag ${flag.code} ${flag.item ?? ''}`, value: flag.comment ?? '' });
  const message = el('span', { role: 'status' });
  const review = (status) => async () => {
    try {
      const updated = await api(`/v1/flags/${flag.id}`, { method: 'PATCH', body: { status, comment: comment.value.trim() || null } });
      Object.assign(state.flags.find((candidate) => candidate.id === flag.id), updated);
      render();
    } catch (error) {
      message.textContent = `${error.message} ${error.status === 403 ? 'This key may not review flags.' : 'Try again.'}`;
    }
  };
  return el(
    'div',
    { class: 'review' },
    comment,
    el('button', { type: 'button', 'data-action': 'confirmed', onclick: review('confirmed'), disabled: flag.status === 'confirmed' }, 'Confirm'),
    el('button', { type: 'button', class: 'secondary', 'data-action': 'dismissed', onclick: review('dismissed'), disabled: flag.status === 'dismissed' }, 'Dismiss'),
    message,
  );
}

async function showTimeline(item) {
  const box = $('timeline');
  for (const row of document.querySelectorAll('tr.selected')) row.classList.remove('selected');
  for (const button of document.querySelectorAll(`button[data-item]`)) if (button.dataset.item === item) button.closest('tr').classList.add('selected');
  box.replaceChildren(stateBox('loading', `Loading the timeline of ${item}…`));
  setParams({ item });
  try {
    const timeline = await api(query(`/v1/batches/${state.batchId}/timeline`, { item }));
    drawTimeline(box, timeline);
  } catch (error) {
    showError(box, `The timeline of ${item} could not be loaded`, error);
  }
  $('timeline-card').scrollIntoView({ block: 'nearest' });
}

main().catch((error) => {
  console.error(error);
  showError($('flags'), 'The flags could not be shown', error);
});
