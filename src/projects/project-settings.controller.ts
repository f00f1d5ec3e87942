import { Body, Controller, Get, Param, ParseIntPipe, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal } from '../auth/current-principal.decorator';
import type { Principal } from '../auth/principal';
import { DomainError } from '../common/domain-error';
import { ApiProblemResponses } from '../common/openapi';
import { IdParam } from '../common/uuid-param';
import {
  PolicyVersionResponse,
  ProjectPolicyResponse,
  ProjectSchemaResponse,
  SchemaVersionResponse,
  SettingsVersionListResponse,
} from './dto/project-settings.response';
import { PolicySchema, ProjectSchemaDefinitionSchema, type Policy, type ProjectSchemaDefinition } from './project-settings';
import {
  toPolicyVersionResponse,
  toProjectPolicyResponse,
  toProjectSchemaResponse,
  toSchemaVersionResponse,
  toSettingsVersionListResponse,
} from './project-settings.mapper';
import { ProjectSettingsService } from './project-settings.service';

/** A version number in the path that is not a positive integer names nothing: 404, like an unknown one. */
const versionPipe = (what: string): ParseIntPipe =>
  new ParseIntPipe({ exceptionFactory: () => DomainError.notFound(`${what} version`) });

const CHANGE_ACCESS = 'An admin or the project\'s qa_lead key; a vendor key gets 403.';

@ApiTags('projects')
@ApiBearerAuth()
@ApiProblemResponses(401)
@Controller('v1/projects/:projectId')
@ApiParam({ name: 'projectId', format: 'uuid' })
export class ProjectSettingsController {
  constructor(private readonly settings: ProjectSettingsService) {}

  @Get('schema')
  @ApiOperation({
    summary: 'The project\'s schema',
    description:
      'The current schema and its version; for a project without one, the schema inferred from its stored batches ' +
      '(`inferred: true`, `version: null`): each dimension\'s shape, level nominal for categorical ones, and its labels ' +
      'sorted (left out past 200, with a note).',
  })
  @ApiResponse({ status: 200, description: 'The schema', standardSchema: ProjectSchemaResponse })
  @ApiProblemResponses(404)
  async getSchema(@CurrentPrincipal() principal: Principal, @IdParam('projectId', 'Project') projectId: string): Promise<ProjectSchemaResponse> {
    return toProjectSchemaResponse(await this.settings.getSchema(principal, projectId));
  }

  @Put('schema')
  @ApiOperation({
    summary: 'Set the project\'s schema (a new version)',
    description:
      'Validated as a whole (422 with the JSON path of each error). Applies to uploads from now on: a record of a ' +
      'listed dimension with another shape or a label outside its `labels` (and, with `closed`, of an unlisted ' +
      'dimension) is an ingest error; records of `goldAnnotators` are stored as gold. ' + CHANGE_ACCESS,
  })
  @ApiResponse({ status: 200, description: 'The new current schema', standardSchema: ProjectSchemaResponse })
  @ApiProblemResponses(400, 403, 404, 413, 422)
  async putSchema(
    @CurrentPrincipal() principal: Principal,
    @IdParam('projectId', 'Project') projectId: string,
    @Body({ schema: ProjectSchemaDefinitionSchema }) body: ProjectSchemaDefinition,
  ): Promise<ProjectSchemaResponse> {
    return toProjectSchemaResponse(await this.settings.setSchema(principal, projectId, body));
  }

  @Get('schema/versions')
  @ApiOperation({ summary: 'The versions of the project\'s schema, newest first' })
  @ApiResponse({ status: 200, description: 'The versions', standardSchema: SettingsVersionListResponse })
  @ApiProblemResponses(404)
  async listSchemaVersions(
    @CurrentPrincipal() principal: Principal,
    @IdParam('projectId', 'Project') projectId: string,
  ): Promise<SettingsVersionListResponse> {
    return toSettingsVersionListResponse(await this.settings.listVersions(principal, projectId, 'schema'));
  }

  @Get('schema/versions/:version')
  @ApiOperation({ summary: 'One version of the project\'s schema' })
  @ApiParam({ name: 'version', schema: { type: 'integer', minimum: 1 } })
  @ApiResponse({ status: 200, description: 'The version', standardSchema: SchemaVersionResponse })
  @ApiProblemResponses(404)
  async getSchemaVersion(
    @CurrentPrincipal() principal: Principal,
    @IdParam('projectId', 'Project') projectId: string,
    @Param('version', versionPipe('Schema')) version: number,
  ): Promise<SchemaVersionResponse> {
    return toSchemaVersionResponse(await this.settings.getVersion(principal, projectId, 'schema', version));
  }

  @Get('policy')
  @ApiOperation({ summary: 'The project\'s quality-gate policy', description: 'As set (null: none) with its version, and `resolved` with every default filled in.' })
  @ApiResponse({ status: 200, description: 'The policy', standardSchema: ProjectPolicyResponse })
  @ApiProblemResponses(404)
  async getPolicy(@CurrentPrincipal() principal: Principal, @IdParam('projectId', 'Project') projectId: string): Promise<ProjectPolicyResponse> {
    return toProjectPolicyResponse(await this.settings.getPolicy(principal, projectId));
  }

  @Put('policy')
  @ApiOperation({
    summary: 'Set the project\'s quality-gate policy (a new version)',
    description:
      'Every field is optional and defaults as in DESIGN.md section 5; validated with bounds (422 with the JSON path ' +
      'of each error). Batches evaluated from now on use it, and their verdict records its version. ' + CHANGE_ACCESS,
  })
  @ApiResponse({ status: 200, description: 'The new current policy', standardSchema: ProjectPolicyResponse })
  @ApiProblemResponses(400, 403, 404, 413, 422)
  async putPolicy(
    @CurrentPrincipal() principal: Principal,
    @IdParam('projectId', 'Project') projectId: string,
    @Body({ schema: PolicySchema }) body: Policy,
  ): Promise<ProjectPolicyResponse> {
    return toProjectPolicyResponse(await this.settings.setPolicy(principal, projectId, body));
  }

  @Get('policy/versions')
  @ApiOperation({ summary: 'The versions of the project\'s policy, newest first' })
  @ApiResponse({ status: 200, description: 'The versions', standardSchema: SettingsVersionListResponse })
  @ApiProblemResponses(404)
  async listPolicyVersions(
    @CurrentPrincipal() principal: Principal,
    @IdParam('projectId', 'Project') projectId: string,
  ): Promise<SettingsVersionListResponse> {
    return toSettingsVersionListResponse(await this.settings.listVersions(principal, projectId, 'policy'));
  }

  @Get('policy/versions/:version')
  @ApiOperation({ summary: 'One version of the project\'s policy (the one a verdict names, for instance)' })
  @ApiParam({ name: 'version', schema: { type: 'integer', minimum: 1 } })
  @ApiResponse({ status: 200, description: 'The version', standardSchema: PolicyVersionResponse })
  @ApiProblemResponses(404)
  async getPolicyVersion(
    @CurrentPrincipal() principal: Principal,
    @IdParam('projectId', 'Project') projectId: string,
    @Param('version', versionPipe('Policy')) version: number,
  ): Promise<PolicyVersionResponse> {
    return toPolicyVersionResponse(await this.settings.getVersion(principal, projectId, 'policy', version));
  }
}
