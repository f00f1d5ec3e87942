import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal } from '../auth/current-principal.decorator';
import type { Principal } from '../auth/principal';
import { ApiProblemResponses } from '../common/openapi';
import { IdParam } from '../common/uuid-param';
import { ListDeliveriesQuery } from './dto/list-deliveries.query';
import { CreateWebhookBody, RotateSecretBody, UpdateWebhookBody } from './dto/webhook.body';
import {
  CreatedWebhookResponse,
  DeliveryListResponse,
  DeliveryResponse,
  RotatedSecretResponse,
  WebhookListResponse,
  WebhookResponse,
} from './dto/webhook.response';
import {
  toCreatedWebhookResponse,
  toDeliveryListResponse,
  toDeliveryResponse,
  toRotatedSecretResponse,
  toWebhookResponse,
} from './webhook.mapper';
import { WebhookService } from './webhook.service';

@ApiTags('webhooks')
@ApiBearerAuth()
@ApiProblemResponses(401, 403, 404)
@ApiParam({ name: 'projectId', format: 'uuid' })
@Controller('v1/projects/:projectId/webhooks')
export class WebhookController {
  constructor(private readonly webhooks: WebhookService) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({
    summary: 'Subscribe a URL to events (admin or the project\'s QA lead)',
    description:
      'Deliveries are signed as Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature`) with ' +
      'the returned secret, which is shown only here. Only http(s) URLs; URLs resolving to private, loopback or ' +
      'link-local addresses are refused unless CONCORD_WEBHOOK_ALLOWLIST permits them (checked again before every attempt).',
  })
  @ApiResponse({ status: 201, description: 'The webhook, with its signing secret', standardSchema: CreatedWebhookResponse })
  @ApiProblemResponses(400, 409, 422, 503)
  async create(
    @CurrentPrincipal() principal: Principal,
    @IdParam('projectId', 'Project') projectId: string,
    @Body({ schema: CreateWebhookBody }) body: CreateWebhookBody,
  ): Promise<CreatedWebhookResponse> {
    const { webhook, secret } = await this.webhooks.create(principal, projectId, body);
    return toCreatedWebhookResponse(webhook, secret);
  }

  @Get()
  @ApiOperation({ summary: 'List the project\'s webhooks (never their secrets)' })
  @ApiResponse({ status: 200, description: 'The webhooks', standardSchema: WebhookListResponse })
  async list(@CurrentPrincipal() principal: Principal, @IdParam('projectId', 'Project') projectId: string): Promise<WebhookListResponse> {
    return { webhooks: (await this.webhooks.list(principal, projectId)).map(toWebhookResponse) };
  }

  @Get(':webhookId')
  @ApiOperation({ summary: 'One webhook' })
  @ApiParam({ name: 'webhookId', format: 'uuid' })
  @ApiResponse({ status: 200, description: 'The webhook', standardSchema: WebhookResponse })
  async get(
    @CurrentPrincipal() principal: Principal,
    @IdParam('projectId', 'Project') projectId: string,
    @IdParam('webhookId', 'Webhook') webhookId: string,
  ): Promise<WebhookResponse> {
    return toWebhookResponse(await this.webhooks.get(principal, projectId, webhookId));
  }

  @Patch(':webhookId')
  @ApiOperation({
    summary: 'Disable, enable or change a webhook',
    description: '`{"status": "disabled"}` disables it (pending deliveries are cancelled, new events skip it); `"active"` enables it again.',
  })
  @ApiParam({ name: 'webhookId', format: 'uuid' })
  @ApiResponse({ status: 200, description: 'The webhook', standardSchema: WebhookResponse })
  @ApiProblemResponses(400, 422)
  async update(
    @CurrentPrincipal() principal: Principal,
    @IdParam('projectId', 'Project') projectId: string,
    @IdParam('webhookId', 'Webhook') webhookId: string,
    @Body({ schema: UpdateWebhookBody }) body: UpdateWebhookBody,
  ): Promise<WebhookResponse> {
    return toWebhookResponse(await this.webhooks.update(principal, projectId, webhookId, body));
  }

  @Delete(':webhookId')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a webhook with its deliveries and their attempts' })
  @ApiParam({ name: 'webhookId', format: 'uuid' })
  @ApiResponse({ status: 204, description: 'Deleted' })
  async delete(
    @CurrentPrincipal() principal: Principal,
    @IdParam('projectId', 'Project') projectId: string,
    @IdParam('webhookId', 'Webhook') webhookId: string,
  ): Promise<void> {
    await this.webhooks.delete(principal, projectId, webhookId);
  }

  @Post(':webhookId/rotate-secret')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Rotate the signing secret (shown once)',
    description: 'The previous secret keeps signing beside the new one for `previousSecretTtlSeconds` (default one day).',
  })
  @ApiParam({ name: 'webhookId', format: 'uuid' })
  @ApiResponse({ status: 200, description: 'The new secret', standardSchema: RotatedSecretResponse })
  @ApiProblemResponses(400, 422, 503)
  async rotateSecret(
    @CurrentPrincipal() principal: Principal,
    @IdParam('projectId', 'Project') projectId: string,
    @IdParam('webhookId', 'Webhook') webhookId: string,
    @Body({ schema: RotateSecretBody }) body: RotateSecretBody,
  ): Promise<RotatedSecretResponse> {
    const rotated = await this.webhooks.rotateSecret(principal, projectId, webhookId, body);
    return toRotatedSecretResponse(rotated.webhookId, rotated.secret, rotated.previousSecretExpiresAt);
  }

  @Get(':webhookId/deliveries')
  @ApiOperation({ summary: 'A webhook\'s deliveries, newest first, each with every attempt (status, latency, response excerpt)' })
  @ApiParam({ name: 'webhookId', format: 'uuid' })
  @ApiResponse({ status: 200, description: 'One page of deliveries', standardSchema: DeliveryListResponse })
  @ApiProblemResponses(422)
  async listDeliveries(
    @CurrentPrincipal() principal: Principal,
    @IdParam('projectId', 'Project') projectId: string,
    @IdParam('webhookId', 'Webhook') webhookId: string,
    @Query({ schema: ListDeliveriesQuery }) query: ListDeliveriesQuery,
  ): Promise<DeliveryListResponse> {
    const page = await this.webhooks.listDeliveries(principal, projectId, webhookId, query);
    return toDeliveryListResponse(page.deliveries, page.attempts, page.nextCursor);
  }

  @Get(':webhookId/deliveries/:deliveryId')
  @ApiOperation({ summary: 'One delivery with its attempts' })
  @ApiParam({ name: 'webhookId', format: 'uuid' })
  @ApiParam({ name: 'deliveryId', format: 'uuid' })
  @ApiResponse({ status: 200, description: 'The delivery', standardSchema: DeliveryResponse })
  async getDelivery(
    @CurrentPrincipal() principal: Principal,
    @IdParam('projectId', 'Project') projectId: string,
    @IdParam('webhookId', 'Webhook') webhookId: string,
    @IdParam('deliveryId', 'Delivery') deliveryId: string,
  ): Promise<DeliveryResponse> {
    const { delivery, attempts } = await this.webhooks.getDelivery(principal, projectId, webhookId, deliveryId);
    return toDeliveryResponse(delivery, attempts);
  }

  @Post(':webhookId/deliveries/:deliveryId/redeliver')
  @HttpCode(202)
  @ApiOperation({ summary: 'Deliver the same event again (same webhook-id) as a new delivery' })
  @ApiParam({ name: 'webhookId', format: 'uuid' })
  @ApiParam({ name: 'deliveryId', format: 'uuid' })
  @ApiResponse({ status: 202, description: 'The new delivery, queued', standardSchema: DeliveryResponse })
  @ApiProblemResponses(409)
  async redeliver(
    @CurrentPrincipal() principal: Principal,
    @IdParam('projectId', 'Project') projectId: string,
    @IdParam('webhookId', 'Webhook') webhookId: string,
    @IdParam('deliveryId', 'Delivery') deliveryId: string,
  ): Promise<DeliveryResponse> {
    const { delivery, attempts } = await this.webhooks.redeliver(principal, projectId, webhookId, deliveryId);
    return toDeliveryResponse(delivery, attempts);
  }
}
