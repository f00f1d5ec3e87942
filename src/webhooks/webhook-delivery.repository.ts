import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Cursor } from '../batches/batch-cursor';
import type { WebhookDeliveryJobData } from './webhook-delivery.queue';
import type { AttemptOutcome, DeliveryStatus, WebhookEventType, WebhookStatus } from './webhook.types';

/** A delivery as listed, with its event's type. */
export interface DeliveryRow {
  id: string;
  webhookId: string;
  eventId: string;
  eventType: WebhookEventType;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: Date | null;
  lastStatusCode: number | null;
  lastError: string | null;
  redeliveryOf: string | null;
  createdAt: Date;
  finishedAt: Date | null;
  /** created_at as PostgreSQL prints it: the exact key of a listing cursor. */
  createdAtKey: string;
}

export interface AttemptRow {
  deliveryId: string;
  attempt: number;
  requestedAt: Date;
  statusCode: number | null;
  error: string | null;
  latencyMs: number;
  responseExcerpt: string | null;
  outcome: AttemptOutcome;
}

/** Everything one attempt needs: the delivery, its webhook (sealed secrets) and the event body. */
export interface DeliveryWork {
  deliveryId: string;
  status: DeliveryStatus;
  attempts: number;
  webhookId: string;
  webhookStatus: WebhookStatus;
  url: string;
  sealedSecret: string;
  sealedPreviousSecret: string | null;
  previousSecretExpiresAt: Date | null;
  eventId: string;
  body: string;
}

/** What one attempt did to its delivery. */
export interface AttemptRecord {
  attempt: number;
  requestedAt: Date;
  statusCode: number | null;
  error: string | null;
  latencyMs: number;
  responseExcerpt: string | null;
  outcome: AttemptOutcome;
  /** When the next attempt is due (outcome `retrying`), else null. */
  nextAttemptAt: Date | null;
  /** The delivery's `last_error`: why it is not done yet, or why it failed (`HTTP 500`, a timeout…); null on success. */
  deliveryError: string | null;
}

export interface DeliveryListFilter {
  status?: DeliveryStatus | undefined;
  cursor?: Cursor | undefined;
  limit: number;
}

const DELIVERY_COLUMNS = `
  d.id, d.webhook_id AS "webhookId", d.event_id AS "eventId", e.type AS "eventType", d.status, d.attempts,
  d.next_attempt_at AS "nextAttemptAt", d.last_status_code AS "lastStatusCode", d.last_error AS "lastError",
  d.redelivery_of AS "redeliveryOf", d.created_at AS "createdAt", d.finished_at AS "finishedAt",
  d.created_at::text AS "createdAtKey"`;

const OUTCOME_STATUS: Record<AttemptOutcome, DeliveryStatus> = { succeeded: 'succeeded', retrying: 'pending', failed: 'failed' };

/**
 * Tables `webhook_events`, `webhook_deliveries`, `webhook_delivery_attempts`. Writes that must be
 * atomic are single statements (data-modifying CTEs), so no transaction spans a network call.
 */
@Injectable()
export class WebhookDeliveryRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Stores the event and one pending delivery per active webhook of the project subscribed to its
   * type, in one statement; returns the new deliveries' ids (none, and no event, when nobody listens).
   */
  async insertEventWithDeliveries(projectId: string, type: WebhookEventType, body: string): Promise<{ eventId: string; deliveries: WebhookDeliveryJobData[] } | null> {
    const rows = await this.dataSource.query<{ eventId: string; deliveryId: string; webhookId: string }[]>(
      `WITH targets AS (
         SELECT id FROM webhooks WHERE project_id = $1 AND status = 'active' AND $2 = ANY (events)
       ), event AS (
         INSERT INTO webhook_events (project_id, type, body)
         SELECT $1, $2, $3 WHERE EXISTS (SELECT 1 FROM targets)
         RETURNING id
       )
       INSERT INTO webhook_deliveries (webhook_id, event_id, next_attempt_at)
       SELECT targets.id, event.id, now() FROM targets CROSS JOIN event
       RETURNING event_id AS "eventId", id AS "deliveryId", webhook_id AS "webhookId"`,
      [projectId, type, body],
    );
    if (rows.length === 0) return null;
    return { eventId: rows[0]!.eventId, deliveries: rows.map(({ deliveryId, webhookId }) => ({ deliveryId, webhookId })) };
  }

  /** The policy version stored with a batch's verdict (`batches.policy_version`), for the batch events. */
  async findPolicyVersionOfVerdict(batchId: string): Promise<number | null> {
    const rows = await this.dataSource.query<{ policyVersion: number | null }[]>(
      'SELECT policy_version AS "policyVersion" FROM batches WHERE id = $1',
      [batchId],
    );
    return rows[0]?.policyVersion ?? null;
  }

  /** A new pending delivery of the same event to the same webhook (a new chain of attempts). */
  async insertRedelivery(original: Pick<DeliveryRow, 'id' | 'webhookId' | 'eventId'>): Promise<string> {
    const rows = await this.dataSource.query<{ id: string }[]>(
      `INSERT INTO webhook_deliveries (webhook_id, event_id, redelivery_of, next_attempt_at)
       VALUES ($1, $2, $3, now()) RETURNING id`,
      [original.webhookId, original.eventId, original.id],
    );
    return rows[0]!.id;
  }

  async findWork(deliveryId: string): Promise<DeliveryWork | null> {
    const rows = await this.dataSource.query<DeliveryWork[]>(
      `SELECT d.id AS "deliveryId", d.status, d.attempts, w.id AS "webhookId", w.status AS "webhookStatus", w.url,
              w.secret AS "sealedSecret", w.previous_secret AS "sealedPreviousSecret",
              w.previous_secret_expires_at AS "previousSecretExpiresAt", e.id AS "eventId", e.body
         FROM webhook_deliveries d
         JOIN webhooks w ON w.id = d.webhook_id
         JOIN webhook_events e ON e.id = d.event_id
        WHERE d.id = $1`,
      [deliveryId],
    );
    return rows[0] ?? null;
  }

  /** Stores an attempt and moves its delivery on (pending with the next due time, or finished). */
  async recordAttempt(deliveryId: string, record: AttemptRecord): Promise<void> {
    const status = OUTCOME_STATUS[record.outcome];
    await this.dataSource.query(
      `WITH delivery AS (
         UPDATE webhook_deliveries
            SET attempts = GREATEST(attempts, $2), status = $8, next_attempt_at = $9,
                last_status_code = $4, last_error = $11, updated_at = now(),
                finished_at = CASE WHEN $8 = 'pending' THEN NULL ELSE now() END
          WHERE id = $1
          RETURNING id
       )
       INSERT INTO webhook_delivery_attempts (delivery_id, attempt, requested_at, status_code, error, latency_ms, response_excerpt, outcome)
       SELECT delivery.id, $2, $3, $4, $5, $6, $7, $10 FROM delivery
       ON CONFLICT (delivery_id, attempt) DO NOTHING`,
      [
        deliveryId,
        record.attempt,
        record.requestedAt,
        record.statusCode,
        record.error,
        record.latencyMs,
        record.responseExcerpt,
        status,
        record.nextAttemptAt,
        record.outcome,
        record.deliveryError,
      ],
    );
  }

  /** Ends a pending delivery without an attempt (its webhook was disabled, or its job failed for good). */
  async finishPending(deliveryId: string, status: 'cancelled' | 'failed', reason: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE webhook_deliveries
          SET status = $2, last_error = $3, next_attempt_at = NULL, finished_at = now(), updated_at = now()
        WHERE id = $1 AND status = 'pending'`,
      [deliveryId, status, reason],
    );
  }

  /** Cancels every pending delivery of a webhook that was just disabled (their jobs then find nothing to do). */
  async cancelPendingOfWebhook(webhookId: string, reason: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE webhook_deliveries
          SET status = 'cancelled', last_error = $2, next_attempt_at = NULL, finished_at = now(), updated_at = now()
        WHERE webhook_id = $1 AND status = 'pending'`,
      [webhookId, reason],
    );
  }

  /**
   * Pending deliveries whose next attempt is overdue by more than `graceMs` (index
   * idx_webhook_deliveries_due): their job never reached Redis, or was lost with it.
   */
  findOverdue(graceMs: number, limit: number): Promise<WebhookDeliveryJobData[]> {
    return this.dataSource.query<WebhookDeliveryJobData[]>(
      `SELECT id AS "deliveryId", webhook_id AS "webhookId" FROM webhook_deliveries
        WHERE status = 'pending' AND next_attempt_at < now() - make_interval(secs => $1::double precision / 1000)
        ORDER BY next_attempt_at LIMIT $2`,
      [graceMs, limit],
    );
  }

  async findInWebhook(webhookId: string, deliveryId: string): Promise<DeliveryRow | null> {
    const rows = await this.dataSource.query<DeliveryRow[]>(
      `SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id
        WHERE d.webhook_id = $1 AND d.id = $2`,
      [webhookId, deliveryId],
    );
    return rows[0] ?? null;
  }

  /** One page of a webhook's deliveries, newest first, keyset on (created_at, id). */
  async listInWebhook(webhookId: string, filter: DeliveryListFilter): Promise<DeliveryRow[]> {
    const params: unknown[] = [webhookId];
    const where = ['d.webhook_id = $1'];
    if (filter.status !== undefined) {
      params.push(filter.status);
      where.push(`d.status = $${params.length}`);
    }
    if (filter.cursor !== undefined) {
      params.push(filter.cursor.createdAt, filter.cursor.id);
      where.push(`(d.created_at, d.id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
    }
    params.push(filter.limit);
    return this.dataSource.query<DeliveryRow[]>(
      `SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id
        WHERE ${where.join(' AND ')}
        ORDER BY d.created_at DESC, d.id DESC LIMIT $${params.length}`,
      params,
    );
  }

  /** The attempts of these deliveries, in order. */
  async listAttempts(deliveryIds: readonly string[]): Promise<AttemptRow[]> {
    if (deliveryIds.length === 0) return [];
    return this.dataSource.query<AttemptRow[]>(
      `SELECT delivery_id AS "deliveryId", attempt, requested_at AS "requestedAt", status_code AS "statusCode", error,
              latency_ms AS "latencyMs", response_excerpt AS "responseExcerpt", outcome
         FROM webhook_delivery_attempts WHERE delivery_id = ANY ($1::uuid[])
        ORDER BY delivery_id, attempt`,
      [deliveryIds],
    );
  }
}
