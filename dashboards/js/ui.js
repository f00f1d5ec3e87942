// Small DOM helpers shared by the pages: elements, the navigation bar, states, numbers.
import { api } from './api.js';

/** `el('td', { class: 'num' }, '0.81')`: attributes (on* are listeners) and children (strings or nodes). */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') node.addEventListener(name.slice(2), value);
    else if (name === 'dataset') Object.assign(node.dataset, value);
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

export function param(name) {
  return new URLSearchParams(location.search).get(name);
}

/** Replaces the page's query string (filters live in the URL, so a view can be shared and reloaded). */
export function setParams(params) {
  const search = new URLSearchParams(location.search);
  for (const [name, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === '') search.delete(name);
    else search.set(name, String(value));
  }
  history.replaceState(null, '', `${location.pathname}?${search}`);
}

/** A number for people: fixed digits, `—` for null (an undefined figure). */
export function fmt(value, digits = 3) {
  return value === null || value === undefined || Number.isNaN(value) ? '—' : Number(value).toFixed(digits);
}

export function pct(value, digits = 1) {
  return value === null || value === undefined ? '—' : `${(value * 100).toFixed(digits)}%`;
}

export function shortId(id) {
  return id.slice(0, 8);
}

export function date(iso) {
  return iso ? new Date(iso).toISOString().replace('T', ' ').slice(0, 16) : '—';
}

/** Verdict badge: colour plus a symbol and a word, so it reads without colour too. */
export function verdictBadge(verdict) {
  const symbol = { pass: '✓', fail: '✗', pending: '…' }[verdict] ?? '?';
  return el('span', { class: `badge verdict-${verdict}`, 'data-verdict': verdict }, `${symbol} ${verdict}`);
}

/**
 * What to show instead of data: `kind` is `loading`, `empty` or `error`; `hint` says what to do.
 * Returns the element (role=status/alert so screen readers announce it).
 */
export function stateBox(kind, message, hint) {
  return el(
    'div',
    { class: `state state-${kind}`, role: kind === 'error' ? 'alert' : 'status', 'data-state': kind },
    el('p', {}, message),
    hint ? el('p', { class: 'hint' }, hint) : null,
  );
}

export function errorHint(error) {
  if (error?.status === 404) return 'It may have been deleted, or this key may not see it. Go back to the overview and pick another.';
  if (error?.status === 403) return 'This key may not do that. Ask a QA lead or an admin.';
  if (error?.status === 0) return 'Check the connection and reload the page.';
  return 'Reload the page; if it keeps failing, quote the request id to whoever runs Concord.';
}

/** Replaces a section's content with an error state for `error` (an ApiError or any Error). */
export function showError(container, what, error) {
  container.replaceChildren(stateBox('error', `${what}: ${error.message}`, errorHint(error)));
}

/** A table from columns `{ label, value(row), numeric? }` and rows; the caption names it. */
export function table(caption, columns, rows, attributes = {}) {
  return el(
    'table',
    attributes,
    el('caption', {}, caption),
    el('thead', {}, el('tr', {}, columns.map((column) => el('th', { scope: 'col', class: column.numeric ? 'num' : null }, column.label)))),
    el(
      'tbody',
      {},
      rows.map((row) =>
        el(
          'tr',
          {},
          columns.map((column, index) => {
            const value = column.value(row);
            const cell = index === 0 && column.header !== false ? 'th' : 'td';
            return el(cell, { class: column.numeric ? 'num' : null, scope: cell === 'th' ? 'row' : null }, value);
          }),
        ),
      ),
    ),
  );
}

const PAGES = [
  ['overview.html', 'Overview'],
  ['batch.html', 'Batch'],
  ['flags.html', 'Flags'],
  ['annotators.html', 'Annotators'],
  ['live.html', 'Live'],
];

/**
 * The header of every signed-in page: the views (carrying the current project and batch along),
 * who is signed in, and sign-out. Resolves with the session (role, projectId, vendor).
 */
export async function renderShell(active) {
  const session = await api('/v1/session');
  const project = param('project') ?? session.projectId ?? '';
  const batch = param('batch') ?? param('id') ?? '';
  const link = (page) => {
    const search = new URLSearchParams();
    if (project) search.set('project', project);
    if (batch) search.set(page === 'batch.html' || page === 'live.html' ? 'id' : 'batch', batch);
    return `${page}?${search}`;
  };
  const signOut = async () => {
    await api('/v1/session', { method: 'DELETE', signedOutOk: true }).catch(() => null);
    location.assign('./');
  };
  const header = el(
    'header',
    { class: 'shell' },
    el('a', { class: 'brand', href: link('overview.html') }, 'Concord QA'),
    el(
      'nav',
      { 'aria-label': 'Views' },
      PAGES.map(([page, label]) => el('a', { href: link(page), 'aria-current': page === active ? 'page' : null }, label)),
    ),
    el(
      'span',
      { class: 'who' },
      `${session.role}${session.vendor ? ` · ${session.vendor}` : ''}`,
      el('button', { type: 'button', class: 'link', onclick: signOut }, 'Sign out'),
    ),
  );
  document.body.prepend(header);
  return session;
}
