import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal } from '../auth/current-principal.decorator';
import type { Principal } from '../auth/principal';
import { ApiProblemResponses } from '../common/openapi';
import { IdParam } from '../common/uuid-param';
import { CreateProjectBody } from './dto/create-project.dto';
import { IssueKeyBody } from './dto/issue-key.dto';
import {
  IssuedKeyResponse,
  ProjectListResponse,
  ProjectResponse,
} from './dto/project.response';
import { toIssuedKeyResponse, toProjectListResponse, toProjectResponse } from './project.mapper';
import { ProjectService } from './project.service';

@ApiTags('projects')
@ApiBearerAuth()
@ApiProblemResponses(401)
@Controller('v1/projects')
export class ProjectController {
  constructor(private readonly projects: ProjectService) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Create a project (admin)', description: 'Schema and policy are optional; policy fields default as in DESIGN.md section 5.' })
  @ApiResponse({ status: 201, description: 'The project', standardSchema: ProjectResponse })
  @ApiProblemResponses(400, 403, 413, 422)
  async create(
    @CurrentPrincipal() principal: Principal,
    @Body({ schema: CreateProjectBody }) body: CreateProjectBody,
  ): Promise<ProjectResponse> {
    return toProjectResponse(await this.projects.create(principal, body));
  }

  @Get()
  @ApiOperation({ summary: 'List the projects this key may see' })
  @ApiResponse({ status: 200, description: 'The projects', standardSchema: ProjectListResponse })
  async list(@CurrentPrincipal() principal: Principal): Promise<ProjectListResponse> {
    return toProjectListResponse(await this.projects.listVisible(principal));
  }

  @Post(':projectId/keys')
  @HttpCode(201)
  @ApiOperation({
    summary: 'Issue a project key (shown once)',
    description: 'Admins issue qa_lead and vendor keys; a qa_lead of the project issues vendor keys. The key is returned once; only its SHA-256 is stored.',
  })
  @ApiParam({ name: 'projectId', format: 'uuid' })
  @ApiResponse({ status: 201, description: 'The new key', standardSchema: IssuedKeyResponse })
  @ApiProblemResponses(400, 403, 404, 422)
  async issueKey(
    @CurrentPrincipal() principal: Principal,
    @IdParam('projectId', 'Project') projectId: string,
    @Body({ schema: IssueKeyBody }) body: IssueKeyBody,
  ): Promise<IssuedKeyResponse> {
    return toIssuedKeyResponse(await this.projects.issueKey(principal, projectId, body));
  }
}
