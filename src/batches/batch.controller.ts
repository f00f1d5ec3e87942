import { Controller, Get, HttpCode, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal } from '../auth/current-principal.decorator';
import type { Principal } from '../auth/principal';
import type { HttpRequest, HttpResponse } from '../common/http.types';
import { sendJsonDocument } from '../common/json-response';
import { ApiProblemResponses } from '../common/openapi';
import { IdParam } from '../common/uuid-param';
import { toUploadBatchResponse } from './batch.mapper';
import { BatchService } from './batch.service';
import {
  BatchAgreementResponse,
  BatchAnnotatorsResponse,
  BatchDetailResponse,
  BatchListResponse,
  UploadBatchResponse,
} from './dto/batch.response';
import { ListBatchesQuery } from './dto/list-batches.query';
import { UploadBatchQuery } from './dto/upload-batch.query';

@ApiTags('batches')
@ApiBearerAuth()
@ApiProblemResponses(401)
@Controller('v1')
export class BatchController {
  constructor(private readonly batches: BatchService) {}

  @Post('projects/:projectId/batches')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Upload an export as a new batch',
    description:
      'The body is the file itself (any content type) or `multipart/form-data` with one or more file parts ' +
      '(one file per part); any file may be a zip of exports (read entry by entry; directories and `__MACOSX/` ' +
      'are skipped; entry count, sizes and compression ratio are bounded). All the files form ONE batch. Each ' +
      'file\'s format is detected from its content (Label Studio JSON, CVAT XML, ELAN EAF, canonical CSV/JSONL) ' +
      'unless `?format=` names it. A file whose format names no annotator (CVAT, ELAN one file per annotator) ' +
      'takes `?annotator=`, or its own from a form field `annotator:<file name>` placed before its part (for a zip ' +
      'entry: its name in the archive or its base name). Everything is streamed, validated record by record and ' +
      'stored in one transaction (all or nothing); the agreement jobs are then queued (gold judgements are ' +
      'stored but never a peer; free text is stored, never analysed). The same files uploaded again with the ' +
      'same options answer 200 with the existing batch. Invalid files answer 422 listing every error with its ' +
      'file (for several files), line or JSON path and field (at most 100, `moreErrors` counts the rest); a body ' +
      'over the configured limit answers 413.',
  })
  @ApiParam({ name: 'projectId', format: 'uuid' })
  @ApiConsumes('text/csv', 'application/x-ndjson', 'application/json', 'application/octet-stream', 'multipart/form-data')
  @ApiBody({
    description:
      'The export file as the raw body (any content type), or a multipart form with file parts and optional ' +
      '`annotator:<file name>` fields (other fields are ignored)',
    schema: { type: 'string', format: 'binary' },
  })
  @ApiResponse({ status: 202, description: 'Stored; the jobs are queued', standardSchema: UploadBatchResponse })
  @ApiResponse({ status: 200, description: 'This file is already a batch of the project: that batch', standardSchema: UploadBatchResponse })
  @ApiProblemResponses(404, 409, 413, 422, 503)
  async upload(
    @CurrentPrincipal() principal: Principal,
    @IdParam('projectId', 'Project') projectId: string,
    @Query({ schema: UploadBatchQuery }) query: UploadBatchQuery,
    @Req() request: HttpRequest,
    @Res({ passthrough: true }) response: HttpResponse,
  ): Promise<UploadBatchResponse> {
    const outcome = await this.batches.upload(principal, projectId, query, request);
    if (!outcome.created) response.statusCode = 200;
    return toUploadBatchResponse(outcome.batch, outcome.jobs);
  }

  @Get('projects/:projectId/batches')
  @ApiOperation({
    summary: 'List a project\'s batches, newest first',
    description: 'Filter by vendor, status and creation time; cursor-paginated. A vendor key sees only its own batches.',
  })
  @ApiParam({ name: 'projectId', format: 'uuid' })
  @ApiResponse({ status: 200, description: 'One page of batches', standardSchema: BatchListResponse })
  @ApiProblemResponses(404, 422)
  async list(
    @CurrentPrincipal() principal: Principal,
    @IdParam('projectId', 'Project') projectId: string,
    @Query({ schema: ListBatchesQuery }) query: ListBatchesQuery,
  ): Promise<BatchListResponse> {
    return this.batches.list(principal, projectId, query);
  }

  @Get('batches/:id')
  @ApiOperation({ summary: 'A batch: status, progress, counts, jobs, verdict' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiResponse({ status: 200, description: 'The batch', standardSchema: BatchDetailResponse })
  @ApiProblemResponses(404)
  async get(@CurrentPrincipal() principal: Principal, @IdParam('id', 'Batch') id: string): Promise<BatchDetailResponse> {
    return this.batches.get(principal, id);
  }

  @Get('batches/:id/agreement')
  @ApiOperation({
    summary: 'Agreement per (modality, dimension)',
    description: 'The stored analysis results, exactly as `concord agreement --json` computes them for the same file.',
  })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiResponse({ status: 200, description: 'The results', standardSchema: BatchAgreementResponse })
  @ApiProblemResponses(404)
  @ApiResponse({ status: 304, description: 'Not modified: `If-None-Match` names the current ETag' })
  async agreement(
    @CurrentPrincipal() principal: Principal,
    @IdParam('id', 'Batch') id: string,
    @Req() request: HttpRequest,
    @Res() response: HttpResponse,
  ): Promise<void> {
    // Assembled from the stored JSON text and sent as is (see BatchService.agreement). Errors
    // are thrown before anything is sent, so they still leave as problem+json. Per-key data:
    // clients may keep it but must revalidate (If-None-Match → 304 without a body).
    sendJsonDocument(request, response, await this.batches.agreement(principal, id), { cacheControl: 'private, no-cache' });
  }

  @Get('batches/:id/annotators')
  @ApiOperation({ summary: 'Per-annotator statistics (drop-one alpha, pairwise agreement, IoU/F1 with the others)' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiResponse({ status: 200, description: 'The annotators', standardSchema: BatchAnnotatorsResponse })
  @ApiProblemResponses(404)
  async annotators(@CurrentPrincipal() principal: Principal, @IdParam('id', 'Batch') id: string): Promise<BatchAnnotatorsResponse> {
    return this.batches.annotators(principal, id);
  }
}
