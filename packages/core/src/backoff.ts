/**
 * The wait before a retry, for every retry loop (downloads, uploads): exponential with "equal
 * jitter". Half the step is fixed, half random, so parallel work that failed together does not
 * retry together, and no retry comes sooner than half its step.
 */

export interface BackoffPolicy {
  /** The first step; step n is baseDelayMs * 2^(n-1). */
  baseDelayMs: number;
  /** Cap on any single step. */
  maxDelayMs: number;
}

/** The wait before retry number `retry` (1 = the first retry). */
export function backoffDelay(retry: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, retry - 1));
  return Math.round(step / 2 + (random() * step) / 2);
}
