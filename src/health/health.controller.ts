import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Public } from '../auth/public.decorator';
import type { HttpResponse } from '../common/http.types';
import { HealthService } from './health.service';

const CHECK_SCHEMA = {
  type: 'object',
  required: ['status', 'latencyMs'],
  properties: {
    status: { type: 'string', enum: ['up', 'down'] },
    latencyMs: { type: 'integer' },
    error: { type: 'string' },
  },
};
const READINESS_SCHEMA = {
  type: 'object',
  required: ['status', 'checks'],
  properties: {
    status: { type: 'string', enum: ['ok', 'unavailable'] },
    checks: { type: 'object', properties: { database: CHECK_SCHEMA, redis: CHECK_SCHEMA } },
  },
};

@ApiTags('operations')
@Public()
@Controller('health')
export class HealthController {
  constructor(private readonly health: HealthService) {}

  /**
   * Readiness (default): 200 when PostgreSQL and Redis answer, else 503 with the same body.
   * `?probe=live`: liveness only (the process serves HTTP), never touches a dependency.
   */
  @Get()
  @ApiOperation({ summary: 'Liveness and readiness', description: 'No API key needed.' })
  @ApiQuery({ name: 'probe', required: false, enum: ['live', 'ready'] })
  @ApiResponse({ status: 200, description: 'Ready (or alive, with probe=live)', schema: READINESS_SCHEMA })
  @ApiResponse({ status: 503, description: 'A dependency is down', schema: READINESS_SCHEMA })
  async check(@Query('probe') probe: string | undefined, @Res() response: HttpResponse): Promise<void> {
    const body = probe === 'live' ? { status: 'ok' } : await this.health.readiness();
    response.statusCode = body.status === 'ok' ? 200 : 503;
    response.setHeader('content-type', 'application/json; charset=utf-8');
    response.setHeader('cache-control', 'no-store');
    response.end(JSON.stringify(body));
  }
}
