/**
 * What an attempt's result means for its delivery (pure; the processor and the tests share it).
 * Success is 2xx only. Retried: no response (timeout, connection error, refused destination), 5xx,
 * 408 and 429. 410 Gone: the receiver asks to be forgotten, so the subscription is disabled.
 * Anything else (3xx — redirects are not followed — and the other 4xx) will not get better by
 * itself: the delivery fails at once and can be redelivered by hand.
 */
export type AttemptClass = 'succeeded' | 'retryable' | 'gone' | 'rejected';

export function classifyAttempt(statusCode: number | null): AttemptClass {
  if (statusCode === null) return 'retryable';
  if (statusCode >= 200 && statusCode < 300) return 'succeeded';
  if (statusCode === 410) return 'gone';
  if (statusCode >= 500 || statusCode === 408 || statusCode === 429) return 'retryable';
  return 'rejected';
}

export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
}

/**
 * The wait after the `attempt`-th failed attempt (1-based): exponential from `baseMs`, doubling,
 * capped at `maxMs`, with "equal jitter" (a uniform draw in the upper half) so that the retries of
 * many deliveries that failed together (a receiver coming back) spread out instead of arriving
 * as one wave. With the defaults (10 s base, 6 h cap, 15 attempts) the 14 waits add up to about
 * 17½ h on average (between 11.7 h and 23.4 h).
 */
export function backoffDelayMs(attempt: number, options: BackoffOptions, random: () => number = Math.random): number {
  const ceiling = Math.min(options.maxMs, options.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** `Retry-After` (delay seconds or an HTTP date) in milliseconds from `now`, or null when absent or invalid. */
export function retryAfterMs(header: string | undefined, now: number): number | null {
  if (header === undefined || header.trim() === '') return null;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

/** The wait before the next attempt: the backoff, or longer when the receiver asked for it (capped). */
export function nextDelayMs(attempt: number, options: BackoffOptions, requestedMs: number | null, random: () => number = Math.random): number {
  const backoff = backoffDelayMs(attempt, options, random);
  return requestedMs === null ? backoff : Math.min(options.maxMs, Math.max(backoff, requestedMs));
}
