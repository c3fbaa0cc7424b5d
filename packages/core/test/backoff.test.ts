import { describe, expect, it } from 'vitest';
import { backoffDelay, type BackoffPolicy } from '../src/index.js';

const policy: BackoffPolicy = { baseDelayMs: 1_000, maxDelayMs: 30_000 };

describe('backoff: exponential steps with equal jitter', () => {
  it('doubles the step at each retry; jitter spans the upper half of the step', () => {
    const low = () => 0;
    const high = () => 1;
    expect([1, 2, 3, 4, 5].map((n) => backoffDelay(n, policy, low))).toEqual([500, 1_000, 2_000, 4_000, 8_000]);
    expect([1, 2, 3, 4, 5].map((n) => backoffDelay(n, policy, high))).toEqual([1_000, 2_000, 4_000, 8_000, 16_000]);
    expect(backoffDelay(3, policy, () => 0.5)).toBe(3_000);
  });

  it('caps every step at maxDelayMs', () => {
    expect(backoffDelay(6, policy, () => 1)).toBe(30_000);
    expect(backoffDelay(40, policy, () => 0)).toBe(15_000);
  });
});
