import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { HttpRequest } from '../common/http.types';
import type { Principal } from './principal';

export interface AuthenticatedRequest extends HttpRequest {
  principal?: Principal;
}

/** The caller, as resolved by the API-key guard: `list(@CurrentPrincipal() principal: Principal)`. */
export const CurrentPrincipal = createParamDecorator((_data: unknown, context: ExecutionContext): Principal => {
  const principal = context.switchToHttp().getRequest<AuthenticatedRequest>().principal;
  // Only reachable on a @Public() route, which is a programming error.
  if (!principal) throw new Error('@CurrentPrincipal() used on a route without authentication');
  return principal;
});
