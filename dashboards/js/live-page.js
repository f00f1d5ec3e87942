// Live: a batch that is still being computed, polled (GET /v1/batches/:id, every second while it
// runs) until it fails or completes with a verdict; then the verdict and its failed rules show.
import { api, query } from './api.js';
import { el, param, pct, renderShell, shortId, showError, stateBox, table, verdictBadge } from './ui.js';

const $ = (id) => document.getElementById(id);
const POLL_MS = 1000;

async function main() {
  const session = await renderShell('live.html');
  let id = param('id');
  if (!id) {
    const project = param('project') ?? session.projectId;
    id = project ? (await api(query(`/v1/projects/${project}/batches`, { limit: 1 }))).batches[0]?.id : null;
    if (!id) {
      $('progress-state').replaceChildren(stateBox('empty', 'No batch to follow.', 'Upload a batch (POST /v1/projects/:projectId/batches) and open its Live link.'));
      return;
    }
  }
  $('batch-name').textContent = `· batch ${shortId(id)}`;
  $('verdict').replaceChildren(stateBox('loading', 'Waiting for the verdict…', 'It appears here by itself when the batch is evaluated.'));
  poll(id);
}

async function poll(id) {
  let batch;
  try {
    batch = await api(`/v1/batches/${id}`);
  } catch (error) {
    showError($('progress-state'), 'The batch could not be read', error);
    if (error.status !== 404) setTimeout(() => poll(id), POLL_MS * 5);
    return;
  }
  renderProgress(batch);
  // Completed with a pending verdict: the evaluation (or a re-evaluation) is still running.
  if (batch.status === 'failed' || (batch.status === 'completed' && batch.verdict !== 'pending')) await renderVerdict(batch);
  else setTimeout(() => poll(id), POLL_MS);
}

function renderProgress(batch) {
  const percent = Math.round(batch.progress * 100);
  $('progress').setAttribute('aria-valuenow', String(percent));
  $('progress').firstElementChild.style.width = `${percent}%`;
  $('progress-state').replaceChildren(
    el('p', { 'data-status': batch.status }, `Status: ${batch.status} · ${pct(batch.progress, 0)} of the jobs done`),
  );
  $('jobs').replaceChildren(
    table('Jobs', [
      { label: 'Job', value: (job) => (job.dimension ? `${job.name} ${job.modality}/${job.dimension}` : job.name) },
      { label: 'Status', value: (job) => job.status },
      { label: 'Progress', value: (job) => pct(job.progress, 0), numeric: true },
      { label: 'Attempts', value: (job) => job.attempts, numeric: true },
      { label: 'Error', value: (job) => job.error ?? '' },
    ], batch.jobs),
  );
}

async function renderVerdict(batch) {
  const box = $('verdict');
  if (batch.status === 'failed') {
    box.replaceChildren(verdictBadge('fail'), stateBox('error', `The batch could not be processed: ${batch.error ?? 'no reason given'}.`, 'Fix the export and upload it again; the reason above names what went wrong.'));
    return;
  }
  const gate = await api(`/v1/batches/${batch.id}/gate`).catch(() => ({ verdict: batch.verdict, reasons: [] }));
  box.replaceChildren(
    el('div', { class: 'headline', 'data-final': gate.verdict }, verdictBadge(gate.verdict), el('a', { href: `batch.html?id=${batch.id}&project=${batch.projectId}` }, 'Open the batch view')),
    gate.reasons.length === 0
      ? el('p', {}, gate.verdict === 'pass' ? 'Every rule of the policy passed.' : '')
      : el('ul', { class: 'reasons' }, gate.reasons.map((reason) => el('li', {}, el('strong', {}, reason.rule), ` — ${reason.message}`))),
  );
}

main().catch((error) => {
  console.error(error);
  showError($('progress-state'), 'The live view could not start', error);
});
