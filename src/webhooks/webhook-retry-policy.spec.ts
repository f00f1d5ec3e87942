import { backoffDelayMs, classifyAttempt, nextDelayMs, retryAfterMs } from './webhook-retry-policy';

describe('classifyAttempt', () => {
  it.each([
    [200, 'succeeded'],
    [204, 'succeeded'],
    [299, 'succeeded'],
    [null, 'retryable'],
    [500, 'retryable'],
    [502, 'retryable'],
    [503, 'retryable'],
    [408, 'retryable'],
    [429, 'retryable'],
    [410, 'gone'],
    [400, 'rejected'],
    [401, 'rejected'],
    [404, 'rejected'],
    [301, 'rejected'],
    [302, 'rejected'],
  ] as const)('%s → %s', (status, expected) => {
    expect(classifyAttempt(status)).toBe(expected);
  });
});

describe('backoffDelayMs', () => {
  const options = { baseMs: 10_000, maxMs: 6 * 3_600_000 };

  it('doubles from the base, capped, within the upper half of each ceiling (equal jitter)', () => {
    const ceilings = [10_000, 20_000, 40_000, 80_000, 160_000, 320_000, 640_000, 1_280_000, 2_560_000, 5_120_000, 10_240_000, 20_480_000, 21_600_000, 21_600_000];
    ceilings.forEach((ceiling, index) => {
      expect(backoffDelayMs(index + 1, options, () => 0)).toBe(ceiling / 2);
      expect(backoffDelayMs(index + 1, options, () => 1)).toBe(ceiling);
    });
  });

  it('spans hours with the defaults: 14 waits between 15 attempts', () => {
    const waits = Array.from({ length: 14 }, (_, index) => index + 1);
    const least = waits.reduce((sum, attempt) => sum + backoffDelayMs(attempt, options, () => 0), 0);
    const most = waits.reduce((sum, attempt) => sum + backoffDelayMs(attempt, options, () => 1), 0);
    expect(least / 3_600_000).toBeGreaterThan(11);
    expect(most / 3_600_000).toBeLessThan(24);
  });

  it('spreads deliveries that failed together', () => {
    const draws = new Set(Array.from({ length: 50 }, () => backoffDelayMs(3, options)));
    expect(draws.size).toBeGreaterThan(40);
    for (const draw of draws) {
      expect(draw).toBeGreaterThanOrEqual(20_000);
      expect(draw).toBeLessThanOrEqual(40_000);
    }
  });
});

describe('retryAfterMs and nextDelayMs', () => {
  const now = Date.parse('2026-11-27T10:00:00Z');

  it.each([
    [undefined, null],
    ['', null],
    ['120', 120_000],
    ['Fri, 27 Nov 2026 10:01:00 GMT', 60_000],
    ['Fri, 27 Nov 2026 09:00:00 GMT', 0],
    ['soon', null],
  ])('Retry-After %j → %j', (header, expected) => {
    expect(retryAfterMs(header, now)).toBe(expected);
  });

  it('waits at least what the receiver asked, at most the cap', () => {
    const options = { baseMs: 1000, maxMs: 60_000 };
    expect(nextDelayMs(1, options, null, () => 1)).toBe(1000);
    expect(nextDelayMs(1, options, 30_000, () => 1)).toBe(30_000);
    expect(nextDelayMs(1, options, 3_600_000, () => 1)).toBe(60_000);
    expect(nextDelayMs(5, options, 100, () => 1)).toBe(16_000);
  });
});
