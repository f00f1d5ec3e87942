import { Body, Controller, Delete, Get, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal } from '../auth/current-principal.decorator';
import type { Principal } from '../auth/principal';
import { Public } from '../auth/public.decorator';
import { ApiProblemResponses } from '../common/openapi';
import type { HttpRequest, HttpResponse } from '../common/http.types';
import { AppConfig } from '../config/app.config';
import { DashboardSessionService } from './dashboard-session.service';
import { CreateSessionBody, SessionResponse } from './dto/session.dto';
import { clearedSessionCookie, SESSION_TTL_SECONDS, sessionCookie } from './session-cookie';

const toSessionResponse = (principal: Principal, expiresAt: Date | null): SessionResponse => ({
  role: principal.role,
  projectId: principal.projectId,
  vendor: principal.vendor,
  expiresAt: expiresAt === null ? null : expiresAt.toISOString(),
});

/** Dashboard sign-in: an API key in, an httpOnly SameSite=Strict session cookie out. */
@ApiTags('dashboards')
@Controller('v1/session')
export class SessionController {
  /** Secure cookies when the service is reached over https (PUBLIC_URL). */
  private readonly secureCookie: boolean;

  constructor(
    private readonly sessions: DashboardSessionService,
    config: AppConfig,
  ) {
    this.secureCookie = config.publicUrl.startsWith('https:');
  }

  @Post()
  @Public()
  @HttpCode(201)
  @ApiOperation({
    summary: 'Sign in to the dashboards with an API key',
    description:
      'Sets the `concord_session` cookie (httpOnly, SameSite=Strict, Secure behind https) that stands for the key ' +
      `for ${SESSION_TTL_SECONDS / 3600} hours. Requests authenticated by the cookie that change something must ` +
      'send the `X-Concord-Dashboard` header.',
  })
  @ApiResponse({ status: 201, description: 'Signed in; the cookie is set', standardSchema: SessionResponse })
  @ApiProblemResponses(401, 422)
  async create(
    @Body({ schema: CreateSessionBody }) body: CreateSessionBody,
    @Res({ passthrough: true }) response: HttpResponse,
  ): Promise<SessionResponse> {
    const session = await this.sessions.signIn(body.apiKey);
    response.setHeader('set-cookie', sessionCookie(session.token, { secure: this.secureCookie, maxAgeSeconds: SESSION_TTL_SECONDS }));
    response.setHeader('cache-control', 'no-store');
    return toSessionResponse(session.principal, session.expiresAt);
  }

  @Get()
  @ApiOperation({ summary: 'Who the session (or Bearer key) is' })
  @ApiResponse({ status: 200, description: 'The caller', standardSchema: SessionResponse })
  @ApiProblemResponses(401)
  current(@CurrentPrincipal() principal: Principal): SessionResponse {
    return toSessionResponse(principal, null);
  }

  @Delete()
  @Public()
  @HttpCode(204)
  @ApiOperation({ summary: 'Sign out: ends the session and clears the cookie' })
  @ApiResponse({ status: 204, description: 'Signed out (also when there was no session)' })
  async remove(@Req() request: HttpRequest, @Res({ passthrough: true }) response: HttpResponse): Promise<void> {
    await this.sessions.signOut(request.headers.cookie);
    response.setHeader('set-cookie', clearedSessionCookie(this.secureCookie));
  }
}
