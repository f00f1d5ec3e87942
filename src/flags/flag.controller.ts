import { Body, Controller, Get, HttpCode, Patch, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal } from '../auth/current-principal.decorator';
import type { Principal } from '../auth/principal';
import type { HttpRequest, HttpResponse } from '../common/http.types';
import { sendJsonDocument } from '../common/json-response';
import { ApiProblemResponses } from '../common/openapi';
import { IdParam } from '../common/uuid-param';
import {
  EvaluationRequestedResponse,
  EvaluationResponse,
  FlagDetailResponse,
  FlagListResponse,
  GateResponse,
} from './dto/flag.response';
import { ListFlagsQuery } from './dto/list-flags.query';
import { ReviewFlagBody } from './dto/review-flag.body';
import { FlagService } from './flag.service';

@ApiTags('flags')
@ApiBearerAuth()
@ApiProblemResponses(401)
@Controller('v1')
export class FlagController {
  constructor(private readonly flags: FlagService) {}

  @Get('batches/:id/flags')
  @ApiOperation({
    summary: 'A batch\'s flags, most severe first or in the order `sort` names',
    description:
      'Every finding of the batch\'s evaluation as a flag with its reason code (DESIGN.md section 4), severity, item, ' +
      'modality, dimension, annotators, span and evidence (times and offsets in seconds). Filters take comma-separated ' +
      'lists; `sort` orders by severity (default), item, code, modality, dimension, status or start (`-` for descending), ' +
      'then by severity and id; pages follow `nextCursor` (of the same sort); `total` counts every flag matching the filters.',
  })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiResponse({ status: 200, description: 'One page of flags', standardSchema: FlagListResponse })
  @ApiProblemResponses(404, 422)
  @ApiResponse({ status: 304, description: 'Not modified: `If-None-Match` names the current ETag' })
  async list(
    @CurrentPrincipal() principal: Principal,
    @IdParam('id', 'Batch') id: string,
    @Query({ schema: ListFlagsQuery }) query: ListFlagsQuery,
    @Req() request: HttpRequest,
    @Res() response: HttpResponse,
  ): Promise<void> {
    // Sent as the bytes the service built (or cached); errors are thrown before anything is sent.
    sendJsonDocument(request, response, await this.flags.list(principal, id, query), { cacheControl: 'private, no-cache' });
  }

  @Get('flags/:id')
  @ApiOperation({ summary: 'A flag with its review history' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiResponse({ status: 200, description: 'The flag', standardSchema: FlagDetailResponse })
  @ApiProblemResponses(404)
  async get(@CurrentPrincipal() principal: Principal, @IdParam('id', 'Flag') id: string): Promise<FlagDetailResponse> {
    return this.flags.get(principal, id);
  }

  @Patch('flags/:id')
  @ApiOperation({
    summary: 'Confirm or dismiss a flag (qa_lead, admin)',
    description:
      'Sets the status (and comment); every change is kept in the flag\'s history (who, when, from, to, comment). ' +
      'A reviewed flag keeps its status and history when the batch is evaluated again. A vendor key gets 403 on its ' +
      'own batch\'s flags.',
  })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiResponse({ status: 200, description: 'The flag as reviewed, with its history', standardSchema: FlagDetailResponse })
  @ApiProblemResponses(400, 403, 404, 422)
  async review(
    @CurrentPrincipal() principal: Principal,
    @IdParam('id', 'Flag') id: string,
    @Body({ schema: ReviewFlagBody }) body: ReviewFlagBody,
  ): Promise<FlagDetailResponse> {
    return this.flags.review(principal, id, body);
  }

  @Post('batches/:id/evaluate')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Evaluate a completed batch again (qa_lead, admin)',
    description:
      'Queues the evaluate step with the project\'s current schema and policy (e.g. after a policy change). The verdict ' +
      'is `pending` until it finishes; open flags are then replaced, reviewed ones kept with their history. 409 while ' +
      'the batch\'s jobs or another evaluation run.',
  })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiResponse({ status: 202, description: 'Queued', standardSchema: EvaluationRequestedResponse })
  @ApiProblemResponses(403, 404, 409, 503)
  async evaluate(@CurrentPrincipal() principal: Principal, @IdParam('id', 'Batch') id: string): Promise<EvaluationRequestedResponse> {
    return this.flags.requestEvaluation(principal, id);
  }

  @Get('batches/:id/gate')
  @ApiOperation({
    summary: 'The quality-gate verdict, for pipelines',
    description: '`pass` or `fail` with every failed rule (rule, threshold, measured value, dimension); `pending` while jobs run.',
  })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiResponse({ status: 200, description: 'The verdict', standardSchema: GateResponse })
  @ApiProblemResponses(404)
  async gate(@CurrentPrincipal() principal: Principal, @IdParam('id', 'Batch') id: string): Promise<GateResponse> {
    return this.flags.gate(principal, id);
  }

  @Get('batches/:id/evaluation')
  @ApiOperation({
    summary: 'The stored evaluation: stream sync, cross-modal agreement, gold accuracy, gate checks, counts',
    description: 'Per-item lists are trimmed for dashboards: offset histograms and the largest offsets, the lowest cross-modal item alphas, the longest conflicts.',
  })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiResponse({ status: 200, description: 'The evaluation (null until the batch has been evaluated)', standardSchema: EvaluationResponse })
  @ApiResponse({ status: 304, description: 'Not modified: `If-None-Match` names the current ETag' })
  @ApiProblemResponses(404)
  async evaluation(
    @CurrentPrincipal() principal: Principal,
    @IdParam('id', 'Batch') id: string,
    @Req() request: HttpRequest,
    @Res() response: HttpResponse,
  ): Promise<void> {
    // Spliced from the stored JSON text and sent as is; errors are thrown before anything is sent.
    sendJsonDocument(request, response, await this.flags.evaluation(principal, id), { cacheControl: 'private, no-cache' });
  }
}
