import { type CanActivate, type ExecutionContext, Inject, Injectable, Optional } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { DomainError } from '../common/domain-error';
import { addToLogContext } from '../common/request-context';
import { ApiKeyService } from './api-key.service';
import type { AuthenticatedRequest } from './current-principal.decorator';
import type { Principal } from './principal';
import { IS_PUBLIC } from './public.decorator';

/**
 * Resolves a request without an Authorization header from its dashboard session cookie (provided
 * globally by the dashboards module; absent, only Bearer keys are accepted). Null when the request
 * carries no valid session; throws FORBIDDEN for a cookie-authenticated change without the CSRF header.
 */
export interface SessionAuthenticator {
  authenticateRequest(request: AuthenticatedRequest): Promise<Principal | null>;
}
export const SESSION_AUTHENTICATOR = Symbol('SESSION_AUTHENTICATOR');

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

/**
 * Global guard (APP_GUARD): every route needs `Authorization: Bearer <key>` (or, without that
 * header, a dashboard session cookie) unless marked @Public(). Swagger UI, the OpenAPI document
 * and static assets are served outside Nest's router and are public by construction.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly keys: ApiKeyService,
    @Optional() @Inject(SESSION_AUTHENTICATOR) private readonly sessions?: SessionAuthenticator,
  ) {}

  /** @Public() per (controller, handler), read once: metadata is fixed once the app is built. */
  private readonly publicRoutes = new WeakMap<object, WeakMap<object, boolean>>();

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    if (this.isPublic(context)) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const header = request.headers.authorization;
    if (!header) {
      // A Bearer key wins over a cookie: the cookie is only looked at when no header is sent.
      const fromSession = (await this.sessions?.authenticateRequest(request)) ?? null;
      if (!fromSession) throw new DomainError('UNAUTHENTICATED', 'An API key is required: send "Authorization: Bearer <key>".');
      request.principal = fromSession;
      addToLogContext({ keyId: fromSession.keyId });
      return true;
    }
    const token = BEARER.exec(header)?.[1];
    if (!token) throw new DomainError('UNAUTHENTICATED', 'The Authorization header must be "Bearer <key>".');
    const principal = await this.keys.authenticate(token);
    if (!principal) throw new DomainError('UNAUTHENTICATED', 'The API key is not valid or was revoked.');
    request.principal = principal;
    addToLogContext({ keyId: principal.keyId });
    return true;
  }

  private isPublic(context: ExecutionContext): boolean {
    const controller = context.getClass();
    const handler = context.getHandler();
    let handlers = this.publicRoutes.get(controller);
    if (handlers === undefined) {
      handlers = new WeakMap();
      this.publicRoutes.set(controller, handlers);
    }
    let open = handlers.get(handler);
    if (open === undefined) {
      open = this.reflector.getAllAndOverride<boolean | undefined>(IS_PUBLIC, [handler, controller]) === true;
      handlers.set(handler, open);
    }
    return open;
  }
}
