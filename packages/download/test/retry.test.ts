import { describe, expect, it } from 'vitest';
import { isRetryableStatus, parseRetryAfter, planRetry, type RetryPolicy } from '../src/index.js';

const policy: RetryPolicy = { retries: 5, baseDelayMs: 1_000, maxDelayMs: 30_000, maxRetryTimeMs: 120_000 };

describe('Retry-After', () => {
  const now = Date.parse('2015-01-01T15:00:00Z');
  it('reads delay-seconds and HTTP dates', () => {
    expect(parseRetryAfter('7', now)).toBe(7_000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter('Thu, 01 Jan 2015 15:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter(['2', '9'], now)).toBe(2_000);
  });
  it('treats a past date as now and ignores what is neither', () => {
    expect(parseRetryAfter('Thu, 01 Jan 2015 14:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('1.5', now)).toBeUndefined();
    expect(parseRetryAfter('-3', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter('', now)).toBeUndefined();
  });
});

describe('planRetry: when to give up', () => {
  const half = () => 0.5;
  it('retries up to `retries` times, then gives up', () => {
    expect(planRetry(policy, { attempts: 1, elapsedMs: 0 }, half)).toBe(750);
    expect(planRetry(policy, { attempts: 5, elapsedMs: 0 }, half)).toBe(12_000);
    expect(planRetry(policy, { attempts: 6, elapsedMs: 0 }, half)).toBeUndefined();
    expect(planRetry({ ...policy, retries: 0 }, { attempts: 1, elapsedMs: 0 }, half)).toBeUndefined();
  });
  it('honours Retry-After over backoff, capped at maxDelayMs', () => {
    expect(planRetry(policy, { attempts: 1, elapsedMs: 0, retryAfterMs: 4_000 }, half)).toBe(4_000);
    expect(planRetry(policy, { attempts: 1, elapsedMs: 0, retryAfterMs: 0 }, half)).toBe(0);
    expect(planRetry(policy, { attempts: 1, elapsedMs: 0, retryAfterMs: 3_600_000 }, half)).toBe(30_000);
  });
  it('never waits past the total retry time', () => {
    expect(planRetry(policy, { attempts: 2, elapsedMs: 118_000 }, half)).toBe(1_500);
    expect(planRetry(policy, { attempts: 2, elapsedMs: 119_000 }, half)).toBeUndefined();
    expect(planRetry(policy, { attempts: 1, elapsedMs: 100_000, retryAfterMs: 30_000 }, half)).toBeUndefined();
  });
});

describe('retryable statuses', () => {
  it('retries 408, 425, 429 and 5xx; not 404, 403 or 400', () => {
    expect([408, 425, 429, 500, 502, 503, 504, 599].every(isRetryableStatus)).toBe(true);
    expect([400, 401, 403, 404, 410, 301].some(isRetryableStatus)).toBe(false);
  });
});
