// The dashboards' only way to the server: same-origin /v1 calls authenticated by the httpOnly
// session cookie. The API key is sent once, to POST /v1/session, and never stored by the page.

/** Header the API requires on cookie-authenticated changes (CSRF defence; see src/dashboards). */
const CSRF_HEADER = 'x-concord-dashboard';

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail ?? `The server answered ${status}.`);
    this.status = status;
    this.problem = problem;
  }
}

/** Where a signed-out page sends the user, coming back here after signing in. */
export function signInUrl() {
  const here = location.pathname.replace(/^.*\//, '') + location.search;
  return `./?next=${encodeURIComponent(here)}`;
}

/**
 * `await api('/v1/batches/…')`: JSON in and out; problem+json errors become ApiError. A 401 sends
 * the user to the sign-in page unless `signedOutOk` (the sign-in page itself).
 */
export async function api(path, { method = 'GET', body, signal, signedOutOk = false } = {}) {
  const headers = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && method !== 'HEAD') headers[CSRF_HEADER] = '1';
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      signal,
    });
  } catch (error) {
    if (error?.name === 'AbortError') throw error;
    throw new ApiError(0, { detail: 'The server could not be reached. Check that Concord is running, then reload the page.' });
  }
  if (response.status === 204) return null;
  const data = await response.json().catch(() => null);
  if (!response.ok) {
    if (response.status === 401 && !signedOutOk) location.assign(signInUrl());
    throw new ApiError(response.status, data);
  }
  return data;
}

/** GET with a query string built from the defined, non-empty entries of `params`. */
export function query(path, params) {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') search.set(name, String(value));
  }
  const text = search.toString();
  return text ? `${path}?${text}` : path;
}
