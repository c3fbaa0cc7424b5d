/**
 * One hour, start to finish: skip it if the lake already holds it verified (a kept file stored
 * without a gzip check is checked first when `checkGzip` is on), otherwise make HTTP attempts
 * (http-attempt.ts: stream to a temporary file through sha256 and the gzip check, rename when
 * everything checks out) under the retry policy of `retry.ts`, resuming a body cut short where
 * it stopped. The result is always a value, never a throw (except for Ctrl-C, which rethrows
 * the abort).
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Dispatcher } from 'undici';
import {
  ERROR_CODES,
  GhlakeError,
  archiveFileName,
  partialIdentityPath,
  rawDir,
  rawMetaPath,
  rawPath,
  TMP_MARK,
  toPlainError,
  type HourKey,
  type PlainError,
} from '@ghlake/core';
import { classifyFetchError, isAbortError, unreachableError } from './errors.js';
import { verifyGzipFile } from './gzip-verify.js';
import { attemptOnce, RESUMABLE, type Transfer } from './http-attempt.js';
import type { DownloadConfig } from './options.js';
import { removeKeptPartial, reopenKeptPartial } from './kept-partial.js';
import { corruptPath, inspectKeptHour, markGzipChecked, sha256File, trailerHex, writeRawMeta, type RawMeta } from './raw-meta.js';
import { planRetry, sleep } from './retry.js';

export type DownloadStatus = 'downloaded' | 'skipped' | 'missing' | 'failed';

export interface HourResult {
  hour: HourKey;
  status: DownloadStatus;
  /** Size of the hour's file in the lake (downloaded or skipped); 0 otherwise. */
  bytes: number;
  sha256?: string;
  /** HTTP attempts made in this run (0 for a skipped hour). */
  attempts: number;
  durationMs: number;
  url: string;
  /** Where the verified file is (downloaded or skipped). */
  path?: string;
  /**
   * Downloaded or skipped: has the file's gzip stream been inflated end to end? false only with
   * `checkGzip: false`: whoever reads the file next checks it.
   */
  gzipChecked?: boolean;
  /** Why an hour is missing (HTTP 404, empty file) or how a skip was decided. */
  reason?: string;
  /** Bytes not fetched again because an attempt cut short was resumed (HTTP Range). */
  resumedBytes?: number;
  /** A kept file that failed its checks and was fetched again: what was wrong with it. */
  replaced?: string;
  /** A failed hour whose complete but corrupt body was kept for inspection (never read as data). */
  keptAs?: string;
  /** Temporary files a killed earlier run left for this hour, removed first. */
  tempFilesRemoved?: number;
  /** Bytes of this hour an earlier, stopped run had fetched, taken up by this run (kept-partial.ts). */
  keptFromEarlierRun?: number;
  /** A partial download an earlier run left that could not be continued: why (it was removed). */
  partialDiscarded?: string;
  error?: PlainError;
}

export interface RetryEvent {
  hour: HourKey;
  /** The attempt that failed (1-based). */
  attempt: number;
  delayMs: number;
  error: PlainError;
  /** Bytes of the cut-short body kept on disk: the next attempt asks only for the rest (0: it starts over). */
  keptBytes: number;
}

/** Shared by the hours of one run: the fail-fast switch for an unreachable base URL. */
export interface RunState {
  /** Some request of this run got an HTTP response: the base URL is alive. */
  responded: boolean;
  /** Set when the base URL refused every connection before anything answered. */
  unreachable?: GhlakeError;
}

export interface FetchContext {
  config: DownloadConfig;
  dispatcher: Dispatcher;
  signal: AbortSignal;
  run: RunState;
  random: () => number;
  now: () => number;
  /** Body bytes as they arrive (for progress), including attempts that later fail. */
  onBytes: (hour: HourKey, bytes: number) => void;
  onRetry: (event: RetryEvent) => void;
}

export function hourUrl(baseUrl: string, hour: HourKey): string {
  return `${baseUrl.replace(/\/+$/, '')}/${archiveFileName(hour)}`;
}

/** A failure as plain data for results, summaries and manifests: the whole error (code, hint, retryable, details, cause), without the stack. */
export function toHourError(error: GhlakeError): PlainError {
  return toPlainError(error, { stack: false });
}

/** Remove what a killed run left for this hour: `.tmp-<random>-<file>` data and record temporaries. */
async function removeHourTemps(lake: string, hour: HourKey): Promise<number> {
  const dir = rawDir(lake, hour);
  const names = [archiveFileName(hour), path.basename(rawMetaPath(lake, hour)), path.basename(partialIdentityPath(lake, hour))];
  let entries: string[];
  try {
    entries = await fs.readdir(dir);
  } catch {
    return 0;
  }
  const stale = entries.filter((e) => e.startsWith(TMP_MARK) && names.some((n) => e.endsWith(`-${n}`)));
  await Promise.all(stale.map((e) => fs.rm(path.join(dir, e), { force: true })));
  return stale.length;
}

async function removeKept(lake: string, hour: HourKey): Promise<void> {
  await fs.rm(rawMetaPath(lake, hour), { force: true });
  await fs.rm(rawPath(lake, hour), { force: true });
}

/** A file without a record is adopted if it is a complete, valid gzip (its record is then written). */
async function adopt(lake: string, hour: HourKey, url: string, signal: AbortSignal): Promise<RawMeta | undefined> {
  const file = rawPath(lake, hour);
  try {
    const check = await verifyGzipFile(file, signal);
    const handle = await fs.open(file, 'r');
    const tail = Buffer.alloc(Math.min(8, check.compressedBytes));
    try {
      await handle.read(tail, 0, tail.length, check.compressedBytes - tail.length);
    } finally {
      await handle.close();
    }
    const meta: RawMeta = {
      version: 1,
      hour,
      url,
      size: check.compressedBytes,
      sha256: await sha256File(file, signal),
      uncompressedBytes: check.uncompressedBytes,
      trailer: trailerHex(tail),
      verifiedAt: new Date().toISOString(),
    };
    await writeRawMeta(lake, meta);
    return meta;
  } catch (error) {
    if (signal.aborted) throw error;
    return undefined;
  }
}

/** Download (or skip) one hour. Never throws, except when the run is aborted. */
export async function fetchHour(hour: HourKey, ctx: FetchContext): Promise<HourResult> {
  const started = ctx.now();
  const url = hourUrl(ctx.config.baseUrl, hour);
  try {
    return await fetchHourOrThrow(hour, url, started, ctx);
  } catch (error) {
    if (isAbortError(error) || ctx.signal.aborted) throw error;
    // The lake itself failed us (permissions, disk full while inspecting or recording): this hour fails, the run goes on.
    const failure = classifyFetchError(error, { url, bytes: 0, headersTimeoutMs: ctx.config.headersTimeoutMs, bodyTimeoutMs: ctx.config.bodyTimeoutMs });
    return { hour, url, durationMs: ctx.now() - started, status: 'failed', bytes: 0, attempts: 0, error: toHourError(failure) };
  }
}

async function fetchHourOrThrow(hour: HourKey, url: string, started: number, ctx: FetchContext): Promise<HourResult> {
  const { config } = ctx;
  const target = rawPath(config.lake, hour);
  const removedTemps = await removeHourTemps(config.lake, hour);
  const done = (fields: Omit<HourResult, 'hour' | 'url' | 'durationMs'>): HourResult => ({
    hour,
    url,
    durationMs: ctx.now() - started,
    ...fields,
    ...(removedTemps ? { tempFilesRemoved: removedTemps } : {}),
  });

  // A skipped hour needs nothing an earlier run may have kept half-downloaded.
  const skip = async (fields: Omit<HourResult, 'hour' | 'url' | 'durationMs' | 'status' | 'attempts'>): Promise<HourResult> => {
    await removeKeptPartial(config.lake, hour);
    return done({ status: 'skipped', attempts: 0, ...fields });
  };
  const kept = await inspectKeptHour(config.lake, hour, { rehash: config.verify, signal: ctx.signal });
  let replaced: string | undefined;
  const complete = config.verify ? 'already complete (sha256 re-verified)' : 'already complete';
  if (kept.state === 'complete') {
    return skip({ bytes: kept.meta.size, sha256: kept.meta.sha256, path: target, gzipChecked: true, reason: complete });
  }
  if (kept.state === 'unchecked') {
    const skipped = { bytes: kept.meta.size, sha256: kept.meta.sha256, path: target };
    if (!config.checkGzip) return skip({ ...skipped, gzipChecked: false, reason: `${complete}, gzip not checked yet` });
    // Stored unchecked by an earlier run (killed before its transform read the file): check it now.
    try {
      const check = await verifyGzipFile(target, ctx.signal);
      await markGzipChecked(config.lake, hour, check.uncompressedBytes, new Date(ctx.now()));
      return skip({ ...skipped, gzipChecked: true, reason: `${complete}, gzip checked now` });
    } catch (error) {
      if (isAbortError(error) || ctx.signal.aborted) throw error;
      replaced = `kept file failed its gzip check: ${error instanceof Error ? error.message : String(error)}`;
    }
  }
  if (kept.state === 'unrecorded') {
    const meta = await adopt(config.lake, hour, url, ctx.signal);
    if (meta)
      return skip({ bytes: meta.size, sha256: meta.sha256, path: target, gzipChecked: true, reason: 'kept file without a record: verified and recorded' });
    replaced = 'kept file without a record is not a valid gzip';
  }
  if (kept.state === 'damaged') replaced = kept.reason;
  if (replaced !== undefined) await removeKept(config.lake, hour);

  // What a stopped earlier run fetched of this hour is continued, not fetched again.
  const reopened = await reopenKeptPartial(config.lake, hour, url, config.checkGzip, ctx.signal);
  const transfer: Transfer = { partial: reopened.kind === 'reopened' ? reopened.part : undefined, resumedBytes: 0 };
  const extra = {
    ...(replaced === undefined ? {} : { replaced }),
    ...(reopened.kind === 'reopened' ? { keptFromEarlierRun: reopened.part.bytes } : {}),
    ...(reopened.kind === 'discarded' ? { partialDiscarded: reopened.reason } : {}),
  };
  const resumed = () => (transfer.resumedBytes > 0 ? { resumedBytes: transfer.resumedBytes } : {});
  try {
    for (let attempt = 1; ; attempt++) {
      if (ctx.run.unreachable) {
        return done({ status: 'failed', bytes: 0, attempts: attempt - 1, error: toHourError(ctx.run.unreachable), ...extra });
      }
      let failure: GhlakeError;
      try {
        const outcome = await attemptOnce(hour, url, ctx, transfer);
        if (outcome.kind === 'missing') return done({ status: 'missing', bytes: 0, attempts: attempt, reason: outcome.reason, ...extra });
        return done({
          status: 'downloaded',
          bytes: outcome.meta.size,
          sha256: outcome.meta.sha256,
          attempts: attempt,
          path: target,
          gzipChecked: outcome.meta.gzipChecked !== false,
          ...resumed(),
          ...extra,
        });
      } catch (error) {
        if (isAbortError(error) || ctx.signal.aborted) throw error;
        failure =
          error instanceof GhlakeError
            ? error
            : classifyFetchError(error, { url, bytes: 0, headersTimeoutMs: config.headersTimeoutMs, bodyTimeoutMs: config.bodyTimeoutMs });
      }
      // Keep the bytes on disk for the next attempt only after a failure of the transfer itself.
      if (transfer.partial && !(RESUMABLE.has(failure.code) && transfer.partial.resumable)) {
        await transfer.partial.discard();
        transfer.partial = undefined;
      }
      // Nothing has ever answered at the base URL: fail this run fast instead of retrying every hour for minutes.
      if (failure.details.unreachable === true && !ctx.run.responded) {
        ctx.run.unreachable ??= unreachableError(config.baseUrl, failure);
        return done({ status: 'failed', bytes: 0, attempts: attempt, error: toHourError(ctx.run.unreachable), ...extra });
      }
      const wait = failure.retryable
        ? planRetry(
            { retries: config.retries, baseDelayMs: config.retryDelayMs, maxDelayMs: config.retryMaxDelayMs, maxRetryTimeMs: config.retryTimeMs },
            { attempts: attempt, elapsedMs: ctx.now() - started, retryAfterMs: failure.details.retryAfterMs as number | undefined },
            ctx.random,
          )
        : undefined;
      if (wait === undefined) {
        const kept =
          failure.code === ERROR_CODES.GZIP_CORRUPT
            ? await fs.stat(corruptPath(config.lake, hour)).then(
                () => corruptPath(config.lake, hour),
                () => undefined,
              )
            : undefined;
        const error = toHourError(failure);
        if (failure.retryable && attempt > 1) error.message = `${error.message} (gave up after ${attempt} attempts)`;
        return done({ status: 'failed', bytes: 0, attempts: attempt, error, ...resumed(), ...extra, ...(kept ? { keptAs: kept } : {}) });
      }
      ctx.onRetry({ hour, attempt, delayMs: wait, error: toHourError(failure), keptBytes: transfer.partial?.bytes ?? 0 });
      await sleep(wait, ctx.signal);
    }
  } finally {
    // Given up or missing: a body kept for resuming goes. Stopped (Ctrl-C): a body a later run
    // can resume stays under its partial name (kept-partial.ts); the next run continues it.
    if (ctx.signal.aborted) await transfer.partial?.leave();
    else await transfer.partial?.discard();
  }
}
