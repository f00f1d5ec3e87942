import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { Redis } from 'ioredis';
import { AppConfig } from '../config/app.config';
import { redisConnectionOptions } from '../config/redis-connection';
import { QUEUE_WEBHOOKS } from '../jobs/jobs.constants';

/**
 * Takes a slot if fewer than ARGV[2] leases are live: a sorted set of job ids scored by lease
 * expiry (Redis time), so a worker that dies mid-request frees its slot when the lease lapses.
 * KEYS[1] the set; ARGV[1] job id, ARGV[2] cap, ARGV[3] lease ms. Returns 1 when taken.
 */
const ACQUIRE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) and redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then
  return 0
end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]))
return 1`;

/**
 * Per-subscriber concurrency (BullMQ's group concurrency is a Pro feature): at most
 * WEBHOOK_MAX_IN_FLIGHT deliveries to one webhook run at once, across every worker process. A
 * delivery that finds its webhook's slots taken goes back to the delayed set for a moment without
 * spending an attempt, so a slow receiver holds at most that many of the WEBHOOK_CONCURRENCY slots
 * (each for at most WEBHOOK_TIMEOUT_MS) and the other subscribers' deliveries keep flowing.
 */
@Injectable()
export class WebhookInFlightLimiter implements OnModuleDestroy {
  private readonly leaseMs: number;
  /** A connection of its own (BullMQ 6 keeps its clients behind its backend interface). */
  private readonly redis: Redis;

  constructor(private readonly config: AppConfig) {
    // The request's own deadline plus room for resolving, signing and recording.
    this.leaseMs = config.webhookTimeoutMs + 30_000;
    this.redis = new Redis({ ...redisConnectionOptions(config.redisUrl), connectionName: 'concord-webhook-limiter' });
    // Failures surface as rejected commands (the job is retried); without a listener ioredis logs each reconnect.
    this.redis.on('error', () => undefined);
  }

  onModuleDestroy(): void {
    this.redis.disconnect();
  }

  async acquire(webhookId: string, jobId: string): Promise<boolean> {
    const taken = await this.redis.eval(ACQUIRE, 1, this.key(webhookId), jobId, this.config.webhookMaxInFlight, this.leaseMs);
    return taken === 1;
  }

  async release(webhookId: string, jobId: string): Promise<void> {
    await this.redis.zrem(this.key(webhookId), jobId);
  }

  /** How long a delivery that found no free slot waits before it looks again (0.5–1.5 s, jittered). */
  waitMs(): number {
    return Math.round(500 + Math.random() * 1000);
  }

  private key(webhookId: string): string {
    return `${this.config.queuePrefix}:${QUEUE_WEBHOOKS}:in-flight:${webhookId}`;
  }
}
