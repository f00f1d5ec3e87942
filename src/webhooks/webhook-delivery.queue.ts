import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import type { JobsOptions, Queue } from 'bullmq';
import { AppConfig } from '../config/app.config';
import { JOB_WEBHOOK_DELIVERY, QUEUE_WEBHOOKS } from '../jobs/jobs.constants';

/**
 * Payload of a `webhook-delivery` job: ids only. The webhook's id lets the worker check the
 * webhook's in-flight cap before it touches the database.
 */
export interface WebhookDeliveryJobData {
  deliveryId: string;
  webhookId: string;
}

/** Deterministic, so enqueueing a delivery twice (publish, then the sweep) adds one job. */
export function deliveryJobId(deliveryId: string): string {
  return `delivery-${deliveryId}`;
}

/** The custom backoff strategy's name (the worker computes each wait: see WebhookWorkers). */
export const WEBHOOK_BACKOFF = 'webhook';

const DAY_SECONDS = 24 * 60 * 60;

/** How long a publisher waits for Redis to take its jobs before it moves on (the sweep catches up). */
const OFFER_WAIT_MS = 1000;

/** Adds delivery jobs to the `webhooks` queue (API and worker both do: publish, redeliver, sweep). */
@Injectable()
export class WebhookDeliveryQueue {
  private readonly logger = new Logger(WebhookDeliveryQueue.name);
  private readonly options: JobsOptions;

  constructor(
    config: AppConfig,
    @InjectQueue(QUEUE_WEBHOOKS) private readonly queue: Queue<WebhookDeliveryJobData>,
  ) {
    this.options = {
      attempts: config.webhookMaxAttempts,
      backoff: { type: WEBHOOK_BACKOFF },
      // The database keeps every attempt; Redis keeps finished jobs only for a look.
      removeOnComplete: { age: DAY_SECONDS, count: 10_000 },
      removeOnFail: { age: 7 * DAY_SECONDS },
    };
  }

  async enqueue(deliveries: readonly WebhookDeliveryJobData[]): Promise<void> {
    if (deliveries.length === 0) return;
    await this.queue.addBulk(
      deliveries.map(({ deliveryId, webhookId }) => ({
        name: JOB_WEBHOOK_DELIVERY,
        data: { deliveryId, webhookId },
        opts: { ...this.options, jobId: deliveryJobId(deliveryId) },
      })),
    );
  }

  /**
   * Enqueues deliveries that are already stored, for callers that must not hang on Redis (the
   * evaluate job, a flag review, a redelivery request): BullMQ's connections wait for Redis
   * forever by design, so this waits at most OFFER_WAIT_MS. A failed or unfinished enqueue is
   * logged and left to the worker's sweep, which queues every overdue pending delivery.
   */
  async offer(deliveries: readonly WebhookDeliveryJobData[]): Promise<void> {
    const enqueued = this.enqueue(deliveries).then(
      () => true,
      (error: unknown) => {
        this.logger.warn(error, `could not queue ${deliveries.length} webhook deliveries; the sweep will`);
        return true;
      },
    );
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), OFFER_WAIT_MS)));
    if (!(await Promise.race([enqueued, waited]))) this.logger.warn(`Redis did not take ${deliveries.length} webhook deliveries in time; the sweep will`);
    clearTimeout(timer);
  }

  /**
   * Enqueues deliveries the database holds as pending but Redis may not (the sweep): a job that is
   * still waiting, delayed or active is left alone; one that is missing, or finished while its
   * delivery stayed pending, is (re)added.
   */
  async requeue(deliveries: readonly WebhookDeliveryJobData[]): Promise<number> {
    let added = 0;
    for (const delivery of deliveries) {
      const jobId = deliveryJobId(delivery.deliveryId);
      const state = await this.queue.getJobState(jobId);
      if (state === 'completed' || state === 'failed') await this.queue.remove(jobId);
      else if (state !== 'unknown') continue;
      await this.enqueue([delivery]);
      added += 1;
    }
    return added;
  }
}
