/**
 * Whole-object retries on top of the SDK's per-request retries: when the SDK gives up on a
 * request (its attempts or its retry quota spent under sustained throttling), the object is
 * tried again from the start after an exponential, jittered pause.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { backoffDelay } from '@ghlake/core';

/** The cap on one pause between whole-object attempts. */
const MAX_DELAY_MS = 20_000;

export interface ObjectRetryPolicy {
  /** Extra attempts after the first. */
  retries: number;
  /** First pause; doubles each retry, capped at 20 s, jittered (core's backoffDelay). */
  baseDelayMs: number;
  isRetryable: (error: unknown) => boolean;
  signal: AbortSignal;
}

/** Thrown when every attempt failed: `error` is the last failure. */
export class AttemptsExhausted extends Error {
  constructor(
    readonly error: unknown,
    readonly attempts: number,
  ) {
    super(error instanceof Error ? error.message : String(error));
    this.name = 'AttemptsExhausted';
  }
}

/** Run `fn` until it succeeds, fails with a non-retryable error, retries run out or `signal` aborts. */
export async function withRetries<T>(fn: (attempt: number) => Promise<T>, policy: ObjectRetryPolicy): Promise<{ value: T; attempts: number }> {
  for (let attempt = 1; ; attempt++) {
    try {
      return { value: await fn(attempt), attempts: attempt };
    } catch (error) {
      if (policy.signal.aborted || attempt > policy.retries || !policy.isRetryable(error)) throw new AttemptsExhausted(error, attempt);
      try {
        await sleep(backoffDelay(attempt, { baseDelayMs: policy.baseDelayMs, maxDelayMs: MAX_DELAY_MS }), undefined, { signal: policy.signal });
      } catch {
        throw new AttemptsExhausted(error, attempt); // aborted while waiting
      }
    }
  }
}
