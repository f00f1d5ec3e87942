import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { type Job, Worker } from 'bullmq';
import { withJobLogContext } from '../common/request-context';
import { AppConfig } from '../config/app.config';
import { redisConnectionOptions } from '../config/redis-connection';
import { QUEUE_WEBHOOKS } from '../jobs/jobs.constants';
import { RetryDeliveryError, WebhookDeliveryProcessor } from './webhook-delivery.processor';
import type { WebhookDeliveryJobData } from './webhook-delivery.queue';
import { WebhookDeliveryRepository } from './webhook-delivery.repository';
import { backoffDelayMs } from './webhook-retry-policy';

/**
 * The BullMQ worker of the `webhooks` queue, built here rather than with `@Processor()` for the
 * same reason as BatchWorkers (options from the configuration), and provided by the worker process
 * only. WEBHOOK_CONCURRENCY deliveries run at once per process (they wait on the network, not the
 * CPU); per webhook, WebhookInFlightLimiter caps them further.
 *
 * Backoff: the custom strategy waits what the failed attempt computed (RetryDeliveryError: jittered
 * exponential, or the receiver's Retry-After); any other error (the database away) gets the same
 * schedule from BullMQ's attempt count.
 */
@Injectable()
export class WebhookWorkers implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(WebhookWorkers.name);
  private worker: Worker<WebhookDeliveryJobData> | undefined;

  constructor(
    private readonly config: AppConfig,
    private readonly processor: WebhookDeliveryProcessor,
    private readonly deliveries: WebhookDeliveryRepository,
  ) {}

  onApplicationBootstrap(): void {
    const backoff = { baseMs: this.config.webhookBackoffBaseMs, maxMs: this.config.webhookBackoffMaxMs };
    const worker = new Worker<WebhookDeliveryJobData>(QUEUE_WEBHOOKS, (job, token) => this.processor.process(job, token), {
      connection: redisConnectionOptions(this.config.redisUrl),
      prefix: this.config.queuePrefix,
      concurrency: this.config.webhookConcurrency,
      lockDuration: Math.max(this.config.jobLockMs, this.config.webhookTimeoutMs + 10_000),
      stalledInterval: Math.min(this.config.jobLockMs, 30_000),
      maxStalledCount: 2,
      settings: {
        backoffStrategy: (attemptsMade, _type, error) => (error instanceof RetryDeliveryError ? error.delayMs : backoffDelayMs(attemptsMade, backoff)),
      },
    });
    worker.on('failed', (job, error) => void this.recordFailure(job, error));
    worker.on('error', (error) => this.logger.error(error, `worker ${worker.name}`));
    this.worker = worker;
  }

  async onModuleDestroy(): Promise<void> {
    await this.worker?.close();
  }

  /**
   * A job that failed for good without its attempt deciding so (errors outside the HTTP exchange
   * until BullMQ's attempts ran out, or too many stalls) leaves its delivery failed with the error;
   * a delivery the attempt already finished is left as it is.
   */
  private async recordFailure(job: Job<WebhookDeliveryJobData> | undefined, error: Error): Promise<void> {
    if (job === undefined || job.finishedOn === undefined || job.finishedOn === null) return;
    await withJobLogContext(job, async () => {
      try {
        await this.deliveries.finishPending(job.data.deliveryId, 'failed', error.message);
      } catch (storeError) {
        this.logger.error(storeError, 'could not record the failed delivery');
      }
    });
  }
}
