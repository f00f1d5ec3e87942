import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { WebhookDeliveryQueue } from './webhook-delivery.queue';
import { WebhookDeliveryRepository } from './webhook-delivery.repository';

/** How often the worker looks for deliveries that Redis does not hold, and how overdue they must be. */
const SWEEP_INTERVAL_MS = 30_000;
const OVERDUE_GRACE_MS = 60_000;
const SWEEP_BATCH = 500;

/**
 * The other half of durable publishing: every pending delivery is in PostgreSQL with its due time,
 * so one that is overdue by more than a minute has no live job (its enqueue failed while Redis was
 * away, or Redis lost it) and is queued again. Each worker process sweeps; the deterministic job
 * ids make concurrent sweeps add each job once.
 */
@Injectable()
export class WebhookDeliverySweeper implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(WebhookDeliverySweeper.name);
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;

  constructor(
    private readonly deliveries: WebhookDeliveryRepository,
    private readonly queue: WebhookDeliveryQueue,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.sweepQuietly(), SWEEP_INTERVAL_MS);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** Queues the overdue pending deliveries; returns how many it added. */
  async sweep(graceMs = OVERDUE_GRACE_MS): Promise<number> {
    const overdue = await this.deliveries.findOverdue(graceMs, SWEEP_BATCH);
    const added = await this.queue.requeue(overdue);
    if (added > 0) this.logger.warn(`queued ${added} overdue webhook deliveries again`);
    return added;
  }

  private async sweepQuietly(): Promise<void> {
    if (this.running) return;
    this.running = this.sweep().finally(() => (this.running = undefined));
    try {
      await this.running;
    } catch (error) {
      this.logger.error(error, 'webhook sweep failed; the next one will try again');
    }
  }
}
