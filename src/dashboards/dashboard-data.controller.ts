import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal } from '../auth/current-principal.decorator';
import type { Principal } from '../auth/principal';
import { ApiProblemResponses } from '../common/openapi';
import { IdParam } from '../common/uuid-param';
import { DashboardDataService } from './dashboard-data.service';
import {
  ConfusionQuery,
  ConfusionResponse,
  OverviewQuery,
  OverviewResponse,
  TemporalQuery,
  TemporalResponse,
  TimelineQuery,
  TimelineResponse,
  TrendQuery,
  TrendResponse,
} from './dto/dashboard.dto';

/** Aggregates for the dashboards (summaries only: no endpoint sends a batch's annotations). */
@ApiTags('dashboards')
@ApiBearerAuth()
@ApiProblemResponses(401)
@Controller('v1')
export class DashboardDataController {
  constructor(private readonly data: DashboardDataService) {}

  @Get('projects/:projectId/overview')
  @ApiOperation({
    summary: 'Project overview: batches with verdict, flagged-item share and per-dimension alpha/CI',
    description: 'The newest `limit` batches (oldest first) in the key\'s scope, and the policy thresholds to draw against.',
  })
  @ApiParam({ name: 'projectId', format: 'uuid' })
  @ApiResponse({ status: 200, description: 'The overview', standardSchema: OverviewResponse })
  @ApiProblemResponses(404, 422)
  overview(
    @CurrentPrincipal() principal: Principal,
    @IdParam('projectId', 'Project') projectId: string,
    @Query({ schema: OverviewQuery }) query: OverviewQuery,
  ): Promise<OverviewResponse> {
    return this.data.overview(principal, projectId, query);
  }

  @Get('projects/:projectId/annotators/trend')
  @ApiOperation({ summary: 'Per-annotator figures over the project\'s completed batches, with flag counts' })
  @ApiParam({ name: 'projectId', format: 'uuid' })
  @ApiResponse({ status: 200, description: 'The trend', standardSchema: TrendResponse })
  @ApiProblemResponses(404, 422)
  annotatorTrend(
    @CurrentPrincipal() principal: Principal,
    @IdParam('projectId', 'Project') projectId: string,
    @Query({ schema: TrendQuery }) query: TrendQuery,
  ): Promise<TrendResponse> {
    return this.data.annotatorTrend(principal, projectId, query);
  }

  @Get('batches/:id/confusion')
  @ApiOperation({ summary: 'Confusion matrix of two annotators in one categorical dimension (counted in SQL)' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiResponse({ status: 200, description: 'The matrix', standardSchema: ConfusionResponse })
  @ApiProblemResponses(404, 422)
  confusion(
    @CurrentPrincipal() principal: Principal,
    @IdParam('id', 'Batch') id: string,
    @Query({ schema: ConfusionQuery }) query: ConfusionQuery,
  ): Promise<ConfusionResponse> {
    return this.data.confusion(principal, id, query);
  }

  @Get('batches/:id/temporal')
  @ApiOperation({ summary: 'Distribution of per-item temporal IoU and of boundary deviations in one interval dimension' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiResponse({ status: 200, description: 'The histograms', standardSchema: TemporalResponse })
  @ApiProblemResponses(404, 422)
  temporal(
    @CurrentPrincipal() principal: Principal,
    @IdParam('id', 'Batch') id: string,
    @Query({ schema: TemporalQuery }) query: TemporalQuery,
  ): Promise<TemporalResponse> {
    return this.data.temporal(principal, id, query);
  }

  @Get('batches/:id/timeline')
  @ApiOperation({ summary: 'One item\'s timed segments per annotator and modality, its flags and stream offsets' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiResponse({ status: 200, description: 'The timeline', standardSchema: TimelineResponse })
  @ApiProblemResponses(404, 422)
  timeline(
    @CurrentPrincipal() principal: Principal,
    @IdParam('id', 'Batch') id: string,
    @Query({ schema: TimelineQuery }) query: TimelineQuery,
  ): Promise<TimelineResponse> {
    return this.data.itemTimeline(principal, id, query.item);
  }
}
