/**
 * The dashboard session cookie, pure (no Nest): reading it from a Cookie header and writing the
 * Set-Cookie value. The cookie is httpOnly (scripts never see the token) and SameSite=Strict (no
 * cross-site request carries it); Secure when the service's public URL is https.
 */
export const SESSION_COOKIE = 'concord_session';

/** Cookie-authenticated requests that change something must send this header (see isSafeMethod). */
export const CSRF_HEADER = 'x-concord-dashboard';

/** How long a session lasts from sign-in (no sliding renewal: sign in again after it). */
export const SESSION_TTL_SECONDS = 12 * 60 * 60;

const TOKEN = /^[A-Za-z0-9_-]{43}$/;

/** The session token of a Cookie header, or null (absent or malformed: a token is 32 bytes base64url). */
export function sessionTokenOf(cookieHeader: string | undefined): string | null {
  if (!cookieHeader) return null;
  for (const part of cookieHeader.split(';')) {
    const index = part.indexOf('=');
    if (index < 0 || part.slice(0, index).trim() !== SESSION_COOKIE) continue;
    const value = part.slice(index + 1).trim();
    return TOKEN.test(value) ? value : null;
  }
  return null;
}

export interface CookieOptions {
  secure: boolean;
  maxAgeSeconds: number;
}

/** Set-Cookie for a new session token (path `/`: the dashboards call `/v1`). */
export function sessionCookie(token: string, options: CookieOptions): string {
  return [
    `${SESSION_COOKIE}=${token}`,
    'Path=/',
    `Max-Age=${options.maxAgeSeconds}`,
    'HttpOnly',
    'SameSite=Strict',
    ...(options.secure ? ['Secure'] : []),
  ].join('; ');
}

/** Set-Cookie that removes the session cookie. */
export function clearedSessionCookie(secure: boolean): string {
  return sessionCookie('', { secure, maxAgeSeconds: 0 });
}

/** Methods that change nothing; the others need the CSRF header when authenticated by cookie. */
export function isSafeMethod(method: string | undefined): boolean {
  return method === 'GET' || method === 'HEAD' || method === 'OPTIONS';
}
