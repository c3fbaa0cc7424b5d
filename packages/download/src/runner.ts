/**
 * `downloadHours`: the download stage as a library call. Hours go in, a summary with
 * per-hour results and metrics comes out; it never logs and never reads env or argv.
 *
 * Hours are fetched `concurrency` at a time over one keep-alive connection pool. Each hour
 * is reported through `onHourDone` the moment it is verified (or skipped, missing, failed),
 * so a caller such as the pipeline can start transforming it while the rest download.
 * Aborting the signal stops in-flight transfers, removes their temporary files and
 * resolves with `interrupted: true` and the results finished so far.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { Agent, interceptors, type Dispatcher } from 'undici';
import { compareHours, rawRoot, type HourKey, type PlainError } from '@ghlake/core';
import { isAbortError, lakeNotWritable } from './errors.js';
import { fetchHour, type FetchContext, type HourResult, type RetryEvent, type RunState } from './fetch-hour.js';
import type { DownloadConfig } from './options.js';

export interface DownloadProgress {
  hoursTotal: number;
  /** Hours finished in any way (downloaded, skipped, missing, failed). */
  hoursDone: number;
  downloaded: number;
  skipped: number;
  missing: number;
  failed: number;
  /** Body bytes received in this run so far, partial transfers included. */
  receivedBytes: number;
  elapsedMs: number;
  /** receivedBytes / elapsed time. */
  bytesPerSecond: number;
  /** Estimated time left, once one hour has been downloaded to estimate sizes from. */
  etaMs?: number;
  /** Hours being transferred now. */
  active: HourKey[];
}

export interface DownloadHooks {
  signal?: AbortSignal;
  /** Called at most every `progressIntervalMs` while bytes flow, and after every hour. */
  onProgress?: (progress: DownloadProgress) => void;
  /** Called once per hour as soon as its outcome is final (the file is in place if downloaded). */
  onHourDone?: (result: HourResult) => void;
  /** Called before each retry wait. */
  onRetry?: (event: RetryEvent) => void;
  progressIntervalMs?: number;
  /** Reuse a connection pool (e.g. the pipeline's); default: one Agent per run, closed at the end. */
  dispatcher?: Dispatcher;
  /** Jitter source (tests pin it). */
  random?: () => number;
  now?: () => number;
}

export interface DownloadSummary {
  hoursTotal: number;
  from?: HourKey;
  to?: HourKey;
  baseUrl: string;
  lake: string;
  downloaded: number;
  skipped: number;
  /** Hours the archive does not have (404, empty file), in order. */
  missing: { hour: HourKey; reason: string }[];
  failed: ({ hour: HourKey } & PlainError)[];
  /** Bytes of the hours downloaded in this run. */
  downloadedBytes: number;
  /** Bytes already in the lake for the skipped hours. */
  skippedBytes: number;
  /** Every body byte received, failed attempts included. */
  receivedBytes: number;
  /** HTTP attempts, and how many of them were retries. */
  attempts: number;
  retries: number;
  elapsedMs: number;
  /** downloadedBytes / elapsed time. */
  bytesPerSecond: number;
  hoursPerSecond: number;
  /** Temporary files left by killed earlier runs, removed before their hours were fetched. */
  tempFilesRemoved: number;
  /** The signal aborted the run before every hour finished. */
  interrupted: boolean;
  /** Every finished hour, in hour order. */
  results: HourResult[];
}

/** Mirrors may redirect to a CDN or object store; more hops than this is a loop. */
export const MAX_REDIRECTIONS = 5;

/** Create the raw folder and prove we can write in it, before any network traffic. */
export async function ensureLakeWritable(lake: string): Promise<void> {
  const raw = rawRoot(lake);
  const probe = path.join(raw, `.tmp-probe-${process.pid}-${Date.now()}`);
  try {
    await fs.mkdir(raw, { recursive: true });
    await fs.writeFile(probe, '');
    await fs.rm(probe, { force: true });
  } catch (error) {
    throw lakeNotWritable(lake, error);
  }
}

export async function downloadHours(config: DownloadConfig, hours: readonly HourKey[], hooks: DownloadHooks = {}): Promise<DownloadSummary> {
  const now = hooks.now ?? Date.now;
  const started = now();
  const signal = hooks.signal ?? new AbortController().signal;
  const queue = [...new Set(hours)].sort(compareHours);
  await ensureLakeWritable(config.lake);

  const dispatcher =
    hooks.dispatcher ??
    new Agent({
      connections: config.concurrency,
      connect: { timeout: config.connectTimeoutMs },
      headersTimeout: config.headersTimeoutMs,
      bodyTimeout: config.bodyTimeoutMs,
      keepAliveTimeout: 30_000,
    }).compose(interceptors.redirect({ maxRedirections: MAX_REDIRECTIONS }));
  const results: HourResult[] = [];
  const counts = { downloaded: 0, skipped: 0, missing: 0, failed: 0 };
  const active = new Map<HourKey, number>();
  let receivedBytes = 0;
  let downloadedBytes = 0;
  let lastProgress = 0;
  const interval = hooks.progressIntervalMs ?? 200;

  const progress = (): DownloadProgress => {
    const elapsedMs = Math.max(1, now() - started);
    const bytesPerSecond = (receivedBytes * 1000) / elapsedMs;
    const hoursDone = results.length;
    let etaMs: number | undefined;
    if (counts.downloaded > 0 && bytesPerSecond > 0) {
      const perHour = downloadedBytes / counts.downloaded;
      const inFlight = [...active.values()].reduce((a, b) => a + b, 0);
      const left = Math.max(0, perHour * (queue.length - hoursDone) - inFlight);
      etaMs = (left * 1000) / bytesPerSecond;
    }
    return {
      hoursTotal: queue.length,
      hoursDone,
      ...counts,
      receivedBytes,
      elapsedMs,
      bytesPerSecond,
      ...(etaMs === undefined ? {} : { etaMs }),
      active: [...active.keys()],
    };
  };
  const emitProgress = (force: boolean) => {
    if (!hooks.onProgress) return;
    const t = now();
    if (!force && t - lastProgress < interval) return;
    lastProgress = t;
    hooks.onProgress(progress());
  };

  const run: RunState = { responded: false };
  const ctx: FetchContext = {
    config,
    dispatcher,
    signal,
    run,
    random: hooks.random ?? Math.random,
    now,
    onBytes: (hour, n) => {
      receivedBytes += n;
      active.set(hour, (active.get(hour) ?? 0) + n);
      emitProgress(false);
    },
    onRetry: (event) => {
      active.set(event.hour, event.keptBytes);
      hooks.onRetry?.(event);
    },
  };

  let next = 0;
  let interrupted = false;
  const worker = async () => {
    while (next < queue.length && !signal.aborted) {
      const hour = queue[next++]!;
      active.set(hour, 0);
      try {
        const result = await fetchHour(hour, ctx);
        results.push(result);
        counts[result.status]++;
        if (result.status === 'downloaded') downloadedBytes += result.bytes;
        hooks.onHourDone?.(result);
      } catch (error) {
        if (!(isAbortError(error) || signal.aborted)) throw error;
        interrupted = true;
        return;
      } finally {
        active.delete(hour);
      }
      emitProgress(true);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(config.concurrency, queue.length) }, worker));
  } finally {
    if (!hooks.dispatcher) {
      if (signal.aborted) await dispatcher.destroy().catch(() => undefined);
      else await dispatcher.close();
    }
  }
  interrupted ||= signal.aborted && results.length < queue.length;

  results.sort((a, b) => compareHours(a.hour, b.hour));
  const elapsedMs = Math.max(1, now() - started);
  const attempts = results.reduce((a, r) => a + r.attempts, 0);
  return {
    hoursTotal: queue.length,
    ...(queue.length ? { from: queue[0]!, to: queue[queue.length - 1]! } : {}),
    baseUrl: config.baseUrl,
    lake: config.lake,
    downloaded: counts.downloaded,
    skipped: counts.skipped,
    missing: results.filter((r) => r.status === 'missing').map((r) => ({ hour: r.hour, reason: r.reason ?? 'missing' })),
    failed: results.filter((r) => r.status === 'failed').map((r) => ({ hour: r.hour, ...r.error! })),
    downloadedBytes,
    skippedBytes: results.filter((r) => r.status === 'skipped').reduce((a, r) => a + r.bytes, 0),
    receivedBytes,
    attempts,
    retries: results.reduce((a, r) => a + Math.max(0, r.attempts - 1), 0),
    elapsedMs,
    bytesPerSecond: (downloadedBytes * 1000) / elapsedMs,
    hoursPerSecond: (counts.downloaded * 1000) / elapsedMs,
    tempFilesRemoved: results.reduce((a, r) => a + (r.tempFilesRemoved ?? 0), 0),
    interrupted,
    results,
  };
}
