import { Injectable } from '@nestjs/common';
import { DelayedError, type Job, UnrecoverableError } from 'bullmq';
import { withJobLogContext } from '../common/request-context';
import type { WebhookDeliveryJobData } from './webhook-delivery.queue';
import { WebhookDeliveryRepository } from './webhook-delivery.repository';
import { WebhookDeliveryService } from './webhook-delivery.service';
import { WebhookInFlightLimiter } from './webhook-in-flight.limiter';

/** Thrown for a retryable failed attempt; the worker's backoff strategy waits `delayMs` (see WebhookWorkers). */
export class RetryDeliveryError extends Error {
  override readonly name = 'RetryDeliveryError';

  constructor(
    message: string,
    readonly delayMs: number,
  ) {
    super(message);
  }
}

/**
 * `webhook-delivery` (queue `webhooks`): one attempt of one delivery per run. The delivery's row
 * decides whether there is anything to do (a finished or deleted delivery, a disabled webhook:
 * nothing), the in-flight limiter whether it may run now, the delivery service everything else.
 * A retry is BullMQ's own (attempts + the custom backoff), so a crashed worker's job is picked up
 * again by the stalled-job check like any other.
 */
@Injectable()
export class WebhookDeliveryProcessor {
  constructor(
    private readonly deliveries: WebhookDeliveryRepository,
    private readonly service: WebhookDeliveryService,
    private readonly limiter: WebhookInFlightLimiter,
  ) {}

  process(job: Job<WebhookDeliveryJobData>, token: string | undefined): Promise<{ outcome: string }> {
    return withJobLogContext(job, async () => {
      const { deliveryId, webhookId } = job.data;
      const jobId = job.id!;
      // First, and without touching the database: a backlog waiting on a slow receiver costs
      // Redis one script per look, nothing more.
      if (!(await this.limiter.acquire(webhookId, jobId))) {
        // Not an attempt: back to the delayed set until a slot of this webhook frees up.
        await job.moveToDelayed(Date.now() + this.limiter.waitMs(), token);
        throw new DelayedError();
      }
      let outcome;
      try {
        const work = await this.deliveries.findWork(deliveryId);
        if (work === null || work.status !== 'pending') return { outcome: 'nothing to do' };
        if (work.webhookStatus !== 'active') {
          await this.deliveries.finishPending(deliveryId, 'cancelled', 'the webhook was disabled before this delivery was made');
          return { outcome: 'cancelled' };
        }
        outcome = await this.service.attempt(work);
      } finally {
        await this.limiter.release(webhookId, jobId);
      }
      if (outcome.kind === 'retry') throw new RetryDeliveryError(outcome.reason, outcome.delayMs);
      if (outcome.kind === 'failed') throw new UnrecoverableError(outcome.reason);
      return { outcome: outcome.kind };
    });
  }
}
