import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../config/app.config';
import { WebhookDestinationGuard } from './webhook-destination.guard';
import { UnsafeDestinationError } from './webhook-destination';
import type { DeliveryWork } from './webhook-delivery.repository';
import { WebhookDeliveryRepository } from './webhook-delivery.repository';
import { postWebhook, type WebhookExchange } from './webhook-http';
import { classifyAttempt, nextDelayMs, retryAfterMs } from './webhook-retry-policy';
import { WebhookSecretBox } from './webhook-secret-box';
import { webhookSignatureHeader } from './webhook-signer';
import { WebhookRepository } from './webhook.repository';

/** What became of a delivery after one attempt. */
export type DeliveryOutcome =
  | { kind: 'succeeded' }
  | { kind: 'retry'; delayMs: number; reason: string }
  | { kind: 'failed'; reason: string };

const USER_AGENT = 'Concord-Webhooks/1';

/**
 * One attempt of one delivery: check the destination again, sign (Standard Webhooks), POST,
 * record the attempt, and decide: done, retry after a backoff, or failed for good (4xx, 410 —
 * which also disables the webhook — or the last attempt).
 */
@Injectable()
export class WebhookDeliveryService {
  private readonly logger = new Logger(WebhookDeliveryService.name);

  constructor(
    private readonly config: AppConfig,
    private readonly deliveries: WebhookDeliveryRepository,
    private readonly webhooks: WebhookRepository,
    private readonly guard: WebhookDestinationGuard,
    private readonly secrets: WebhookSecretBox,
  ) {}

  async attempt(work: DeliveryWork): Promise<DeliveryOutcome> {
    const attempt = work.attempts + 1;
    const requestedAt = new Date();
    const exchange = await this.exchange(work);
    const verdict = classifyAttempt(exchange.statusCode);
    const last = attempt >= this.config.webhookMaxAttempts;
    const reason = exchange.error ?? `HTTP ${exchange.statusCode}`;
    let outcome: DeliveryOutcome;
    if (verdict === 'succeeded') outcome = { kind: 'succeeded' };
    else if (verdict === 'retryable' && !last) {
      const delayMs = nextDelayMs(attempt, this.backoff(), retryAfterMs(exchange.retryAfter, Date.now()));
      outcome = { kind: 'retry', delayMs, reason };
    } else outcome = { kind: 'failed', reason: verdict === 'retryable' ? `${reason}; gave up after ${attempt} attempts` : reason };

    await this.deliveries.recordAttempt(work.deliveryId, {
      attempt,
      requestedAt,
      statusCode: exchange.statusCode,
      error: exchange.error,
      latencyMs: exchange.latencyMs,
      responseExcerpt: exchange.responseExcerpt,
      outcome: outcome.kind === 'retry' ? 'retrying' : outcome.kind,
      nextAttemptAt: outcome.kind === 'retry' ? new Date(Date.now() + outcome.delayMs) : null,
      deliveryError: outcome.kind === 'succeeded' ? null : outcome.reason,
    });
    if (verdict === 'gone') {
      await this.webhooks.disableActive(work.webhookId, `the receiver answered 410 Gone on ${requestedAt.toISOString()}`);
      await this.deliveries.cancelPendingOfWebhook(work.webhookId, 'the webhook was disabled: its receiver answered 410 Gone');
      this.logger.warn(`webhook ${work.webhookId} disabled: its receiver answered 410 Gone`);
    }
    return outcome;
  }

  private backoff() {
    return { baseMs: this.config.webhookBackoffBaseMs, maxMs: this.config.webhookBackoffMaxMs };
  }

  /** The POST, or the reason it could not be made (refused destination, unreadable secret) as an error result. */
  private async exchange(work: DeliveryWork): Promise<WebhookExchange> {
    const failed = (error: string): WebhookExchange => ({ statusCode: null, error, latencyMs: 0, responseExcerpt: null, retryAfter: undefined });
    const url = new URL(work.url);
    let addresses;
    try {
      addresses = await this.guard.resolve(url);
    } catch (error) {
      if (error instanceof UnsafeDestinationError) return failed(`refused: ${error.message}`);
      throw error;
    }
    let secrets: string[];
    try {
      secrets = this.signingSecrets(work);
    } catch (error) {
      return failed((error as Error).message);
    }
    const timestamp = Math.floor(Date.now() / 1000);
    return postWebhook({
      url,
      addresses,
      body: work.body,
      timeoutMs: this.config.webhookTimeoutMs,
      headers: {
        'content-type': 'application/json',
        'user-agent': USER_AGENT,
        'webhook-id': work.eventId,
        'webhook-timestamp': String(timestamp),
        'webhook-signature': webhookSignatureHeader(secrets, work.eventId, timestamp, work.body),
      },
    });
  }

  /** The current secret, and the previous one while its grace period after a rotation lasts. */
  private signingSecrets(work: DeliveryWork): string[] {
    const secrets = [this.secrets.open(work.webhookId, work.sealedSecret)];
    if (work.sealedPreviousSecret !== null && work.previousSecretExpiresAt !== null && work.previousSecretExpiresAt.getTime() > Date.now()) {
      secrets.push(this.secrets.open(work.webhookId, work.sealedPreviousSecret));
    }
    return secrets;
  }
}
