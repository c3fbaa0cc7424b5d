/**
 * When to try an hour again, and how long to wait first. Pure functions (the clock and the
 * random source are parameters) so the policy is unit-tested exactly; `fetch-hour.ts` runs
 * the loop.
 *
 * Backoff is core's backoffDelay (exponential, equal jitter). A server's Retry-After (seconds or
 * an HTTP date) replaces the computed delay, capped like any other delay so one header cannot
 * stall a run.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { backoffDelay } from '@ghlake/core';

export interface RetryPolicy {
  /** Retries after the first attempt (attempts = retries + 1). */
  retries: number;
  /** The first backoff step; step n is baseDelayMs * 2^(n-1). */
  baseDelayMs: number;
  /** Cap on any single wait, Retry-After included. */
  maxDelayMs: number;
  /** No retry starts later than this after the hour's first attempt began. */
  maxRetryTimeMs: number;
}

/**
 * Retry-After in milliseconds: `120` (seconds) or an HTTP date. A date in the past means
 * "now" (0). Anything unparseable is ignored (undefined) and backoff applies.
 */
export function parseRetryAfter(value: string | string[] | undefined, nowMs: number): number | undefined {
  const text = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!text) return undefined;
  if (/^\d+$/.test(text)) return Number(text) * 1_000;
  if (!/[a-z]/i.test(text)) return undefined; // "1.5", "-3": not a delay-seconds, not a date
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

export interface RetryInput {
  /** Attempts made so far (1 after the first failure). */
  attempts: number;
  /** Time since the hour's first attempt started. */
  elapsedMs: number;
  /** The server's Retry-After, already parsed. */
  retryAfterMs?: number | undefined;
}

/** How long to wait before the next attempt, or undefined to give up. */
export function planRetry(policy: RetryPolicy, input: RetryInput, random: () => number = Math.random): number | undefined {
  if (input.attempts > policy.retries) return undefined;
  const wait = input.retryAfterMs === undefined ? backoffDelay(input.attempts, policy, random) : Math.min(input.retryAfterMs, policy.maxDelayMs);
  if (input.elapsedMs + wait > policy.maxRetryTimeMs) return undefined;
  return wait;
}

/** HTTP statuses worth another attempt: timeouts, rate limits and server-side failures. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || (status >= 500 && status <= 599);
}

/** Wait, unless the signal aborts first (then reject with its reason). */
export async function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0) {
    signal?.throwIfAborted();
    return;
  }
  await delay(ms, undefined, signal ? { signal } : undefined);
}
