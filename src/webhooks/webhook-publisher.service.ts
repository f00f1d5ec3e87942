import { Inject, Injectable } from '@nestjs/common';
import { ROOT_LOGGER, type Logger } from '../common/logger';
import { AppConfig } from '../config/app.config';
import { type WebhookDeliveryJobData, WebhookDeliveryQueue } from './webhook-delivery.queue';
import { WebhookDeliveryRepository } from './webhook-delivery.repository';
import type { WebhookEventType } from './webhook.types';

/** A batch's evaluation, as the evaluate step returns it (BatchEvaluationService's outcome). */
export interface BatchEvaluatedEvent {
  batchId: string;
  projectId: string;
  vendor: string | null;
  verdict: 'pass' | 'fail' | 'pending';
  reasons: readonly unknown[];
}

/** A flag's review as `flag.reviewed` carries it (`reviewer`: the reviewing API key's id). */
export interface FlagReviewedEvent {
  flagId: string;
  batchId: string;
  projectId: string;
  code: string;
  item: string | null;
  from: string;
  to: string;
  comment: string | null;
  reviewer: string;
}

/**
 * Publishes events to a project's webhooks, from the API (flag.reviewed) and the worker (batch
 * events). Durable first: the event and one pending delivery per subscribed webhook are stored in
 * PostgreSQL in one statement, then the delivery jobs are offered to the queue (waiting at most a
 * second); if Redis is away at that moment the worker's sweep (WebhookDeliverySweeper) queues them
 * later, so nothing is dropped and the caller does not hang.
 *
 * A publish never throws: a webhook problem must not fail the evaluate job or the review that
 * caused it; it is logged. (At-least-once: if the caller's job is retried after its publish, the
 * event is published again with a new id.)
 */
@Injectable()
export class WebhookPublisher {
  constructor(
    private readonly deliveries: WebhookDeliveryRepository,
    private readonly queue: WebhookDeliveryQueue,
    private readonly config: AppConfig,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {}

  async publish(projectId: string, type: WebhookEventType, data: Record<string, unknown>): Promise<void> {
    let stored: { eventId: string; deliveries: WebhookDeliveryJobData[] } | null;
    try {
      // Standard Webhooks payload: {type, timestamp, data}; the event id travels as `webhook-id`.
      const body = JSON.stringify({ type, timestamp: new Date().toISOString(), data });
      stored = await this.deliveries.insertEventWithDeliveries(projectId, type, body);
    } catch (error) {
      this.logger.error({ err: error, projectId, type }, 'could not store a webhook event; it is not published');
      return;
    }
    if (stored !== null) await this.queue.offer(stored.deliveries);
  }

  /**
   * The events of an evaluated batch: `batch.completed`, then `batch.passed` or `batch.failed` by
   * its verdict (none for a pending one), each with the verdict, its reasons, the policy version
   * stored with the verdict (as `GET /v1/batches/:id/gate` shows it) and the report's URL.
   */
  async publishBatchEvaluated(event: BatchEvaluatedEvent): Promise<void> {
    let policyVersion: number | null;
    try {
      policyVersion = await this.deliveries.findPolicyVersionOfVerdict(event.batchId);
    } catch (error) {
      this.logger.error({ err: error, batchId: event.batchId }, 'could not read the verdict\'s policy version; the batch events are not published');
      return;
    }
    const data = {
      batchId: event.batchId,
      projectId: event.projectId,
      vendor: event.vendor,
      verdict: event.verdict,
      reasons: event.reasons,
      policyVersion,
      reportUrl: `${this.config.publicUrl}/v1/batches/${event.batchId}/report`,
    };
    await this.publish(event.projectId, 'batch.completed', data);
    if (event.verdict !== 'pending') await this.publish(event.projectId, event.verdict === 'pass' ? 'batch.passed' : 'batch.failed', data);
  }

  async publishFlagReviewed(review: FlagReviewedEvent): Promise<void> {
    await this.publish(review.projectId, 'flag.reviewed', { ...review });
  }
}
