import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { hashApiKey } from '../auth/api-key.codec';
import type { SessionAuthenticator } from '../auth/api-key.guard';
import { ApiKeyService } from '../auth/api-key.service';
import type { AuthenticatedRequest } from '../auth/current-principal.decorator';
import type { Principal } from '../auth/principal';
import { DomainError } from '../common/domain-error';
import { DashboardSessionRepository } from './dashboard-session.repository';
import { CSRF_HEADER, isSafeMethod, SESSION_TTL_SECONDS, sessionTokenOf } from './session-cookie';

export interface NewSession {
  /** The cookie's value: shown to the browser once, only its hash is stored. */
  token: string;
  principal: Principal;
  expiresAt: Date;
}

/**
 * Dashboard sign-in: an API key is traded once for a session token that lives in an httpOnly
 * cookie, so the key never sits in the browser's storage or in a URL. The session has the key's
 * role and scope, and ends with the key (revoked or deleted) or after SESSION_TTL_SECONDS.
 */
@Injectable()
export class DashboardSessionService implements SessionAuthenticator {
  constructor(
    private readonly keys: ApiKeyService,
    private readonly sessions: DashboardSessionRepository,
  ) {}

  async signIn(apiKey: string): Promise<NewSession> {
    const principal = await this.keys.authenticate(apiKey);
    if (!principal) throw new DomainError('UNAUTHENTICATED', 'The API key is not valid or was revoked.');
    // 32 random bytes, like an API key: a fast hash is enough for a secret this long.
    const token = randomBytes(32).toString('base64url');
    const expiresAt = new Date(Date.now() + SESSION_TTL_SECONDS * 1000);
    await this.sessions.deleteExpired();
    await this.sessions.insert(principal.keyId, hashApiKey(token), expiresAt);
    return { token, principal, expiresAt };
  }

  async signOut(cookieHeader: string | undefined): Promise<void> {
    const token = sessionTokenOf(cookieHeader);
    if (token !== null) await this.sessions.deleteByTokenHash(hashApiKey(token));
  }

  /**
   * The guard's cookie path. A cookie-authenticated request that changes something must carry the
   * CSRF header (a cross-site form cannot set one, and a cross-site fetch with it needs a CORS
   * preflight the API never grants) and, when the browser sends an Origin, come from this host.
   */
  async authenticateRequest(request: AuthenticatedRequest): Promise<Principal | null> {
    const token = sessionTokenOf(request.headers.cookie);
    if (token === null) return null;
    if (!isSafeMethod(request.method)) {
      if (request.headers[CSRF_HEADER] === undefined) {
        throw new DomainError('FORBIDDEN', `A change made with a dashboard session must send the ${CSRF_HEADER} header.`);
      }
      if (!sameOrigin(request.headers.origin, request.headers.host)) {
        throw new DomainError('FORBIDDEN', 'A change made with a dashboard session must come from the dashboards\' own origin.');
      }
    }
    return this.sessions.findActivePrincipalByTokenHash(hashApiKey(token));
  }
}

/** An absent Origin passes (same-origin GETs and older browsers); a present one must name this host. */
function sameOrigin(origin: string | undefined, host: string | undefined): boolean {
  if (origin === undefined) return true;
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}
