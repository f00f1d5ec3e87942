// Sign-in: the key goes to POST /v1/session in the body (never a URL, never storage); the
// server answers with an httpOnly cookie. Then on to the page asked for, or the overview.
import { api } from './api.js';
import { param, stateBox } from './ui.js';

/** Only pages of the dashboards themselves (`overview.html?…`), never another origin. */
function nextPage(session) {
  const next = param('next');
  if (next && /^[a-z-]+\.html(\?[^#]*)?$/.test(next)) return next;
  return session.projectId ? `overview.html?project=${session.projectId}` : 'overview.html';
}

const form = document.getElementById('signin');
const message = document.getElementById('message');

api('/v1/session', { signedOutOk: true }).then(
  (session) => location.replace(nextPage(session)),
  () => document.getElementById('apiKey').focus(),
);

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  const input = form.elements.apiKey;
  const button = form.querySelector('button');
  button.disabled = true;
  message.replaceChildren();
  try {
    const session = await api('/v1/session', { method: 'POST', body: { apiKey: input.value.trim() }, signedOutOk: true });
    input.value = '';
    location.assign(nextPage(session));
  } catch (error) {
    const hint =
      error.status === 401
        ? 'Check the key (it starts with cnc_); a revoked key no longer signs in. Ask an admin for a new one.'
        : 'Reload the page and try again.';
    message.replaceChildren(stateBox('error', error.status === 401 ? 'That API key was not accepted.' : error.message, hint));
    button.disabled = false;
  }
});
