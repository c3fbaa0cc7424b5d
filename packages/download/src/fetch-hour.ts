/**
 * One hour, start to finish: skip it if the lake already holds it verified, otherwise
 * request it, stream the body to a temporary file beside the target while hashing it and
 * inflating it to nowhere (the gzip check), and rename it into place only when status,
 * Content-Length and gzip all check out. With `checkGzip: false` (`ghlake run`, whose transform
 * inflates the file anyway) only the gzip magic bytes are checked here and the record says so;
 * a kept file recorded that way is checked by the next download that has `checkGzip` on. Failures are retried per `retry.ts`; the result is
 * always a value, never a throw (except for Ctrl-C, which rethrows the abort).
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Dispatcher } from 'undici';
import { ERROR_CODES, GhlakeError, archiveFileName, commitFile, rawDir, rawMetaPath, rawPath, TMP_MARK, tempPathFor, type HourKey } from '@ghlake/core';
import { classifyFetchError, httpStatusError, isAbortError, truncatedBody, unreachableError } from './errors.js';
import { notGzipError, verifyGzipFile } from './gzip-verify.js';
import { PartialBody } from './partial-body.js';
import type { DownloadConfig } from './options.js';
import { inspectKeptHour, markGzipChecked, sha256File, trailerHex, writeRawMeta, type RawMeta } from './raw-meta.js';
import { isRetryableStatus, parseRetryAfter, planRetry, sleep } from './retry.js';

export type HourStatus = 'downloaded' | 'skipped' | 'missing' | 'failed';

/** A failure as plain data (JSON summaries, manifests). */
export interface HourError {
  code: string;
  message: string;
  hint?: string;
}

export interface HourResult {
  hour: HourKey;
  status: HourStatus;
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
  error?: HourError;
}

export interface RetryEvent {
  hour: HourKey;
  /** The attempt that failed (1-based). */
  attempt: number;
  delayMs: number;
  error: HourError;
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

/** The file a complete-but-corrupt body is kept under (no reader globs `*.corrupt`). */
export function corruptPath(lake: string, hour: HourKey): string {
  return `${rawPath(lake, hour)}.corrupt`;
}

export function toHourError(error: GhlakeError): HourError {
  return { code: error.code, message: error.message, ...(error.hint ? { hint: error.hint } : {}) };
}

type AttemptOutcome = { kind: 'downloaded'; meta: RawMeta } | { kind: 'missing'; reason: string };

/** Remove what a killed run left for this hour: `.tmp-<random>-<file>` data and record temporaries. */
async function removeHourTemps(lake: string, hour: HourKey): Promise<number> {
  const dir = rawDir(lake, hour);
  const names = [archiveFileName(hour), path.basename(rawMetaPath(lake, hour))];
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

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * Responses that end by closing the connection (`Connection: close`, or neither
 * Content-Length nor chunked) are read eagerly, without backpressure on the socket: undici 7
 * throws an uncatchable assertion when such a socket ends while its parser is paused by
 * backpressure (nodejs/undici#5360, fixed only in undici 8, which needs Node 22). Disk and
 * zlib outpace the network, so the buffer stays small in practice; keep-alive responses,
 * which GH Archive sends, keep full backpressure.
 */
const EAGER_BUFFER = 1 << 30;
function endsWithConnection(headers: Record<string, string | string[] | undefined>): boolean {
  const connection = header(headers, 'connection')?.toLowerCase() ?? '';
  const chunked = /\bchunked\b/i.test(header(headers, 'transfer-encoding') ?? '');
  return /\bclose\b/.test(connection) || (header(headers, 'content-length') === undefined && !chunked);
}

/** The state one hour's attempts share: a body cut short that the next attempt can resume. */
interface Transfer {
  partial: PartialBody | undefined;
  /** Bytes that resumed attempts did not have to fetch again. */
  resumedBytes: number;
}

/** Failures of the transfer itself, after which the bytes already on disk are still good. */
const RESUMABLE: ReadonlySet<string> = new Set([ERROR_CODES.CONNECTION, ERROR_CODES.TIMEOUT, ERROR_CODES.CONTENT_LENGTH_MISMATCH, ERROR_CODES.HTTP_STATUS]);

function parseContentRange(value: string | undefined): { start: number; end: number; size: number } | undefined {
  const m = value === undefined ? null : /^bytes (\d+)-(\d+)\/(\d+)$/.exec(value.trim());
  return m ? { start: Number(m[1]), end: Number(m[2]), size: Number(m[3]) } : undefined;
}

/**
 * One HTTP attempt. Resolves downloaded/missing; throws a classified GhlakeError otherwise.
 * With `transfer.partial` from a cut-short attempt it asks for the rest only; a server that
 * answers 200 instead (no range support, or the file changed: If-Range) sends it all again.
 */
async function attemptOnce(hour: HourKey, url: string, ctx: FetchContext, transfer: Transfer): Promise<AttemptOutcome> {
  const { config } = ctx;
  const target = rawPath(config.lake, hour);
  let resume = transfer.partial;
  const state = { url, bytes: resume?.bytes ?? 0, contentLength: resume?.size, headersTimeoutMs: config.headersTimeoutMs, bodyTimeoutMs: config.bodyTimeoutMs };
  const { origin, pathname, search } = new URL(url);
  let response: Dispatcher.ResponseData;
  try {
    response = await ctx.dispatcher.request({
      origin,
      path: pathname + search,
      method: 'GET',
      signal: ctx.signal,
      headersTimeout: config.headersTimeoutMs,
      bodyTimeout: config.bodyTimeoutMs,
      headers: {
        'user-agent': 'ghlake-download/0.1',
        'accept-encoding': 'identity',
        ...(resume ? { range: `bytes=${resume.bytes}-`, 'if-range': resume.validator! } : {}),
      },
    });
  } catch (error) {
    if (isAbortError(error) || ctx.signal.aborted) throw error;
    throw classifyFetchError(error, state);
  }
  ctx.run.responded = true;
  const { statusCode, headers, body } = response;
  if (resume && statusCode === 206) {
    if (!resume.continuedBy(parseContentRange(header(headers, 'content-range')), header(headers, 'etag'), header(headers, 'last-modified'))) {
      await body.dump().catch(() => undefined);
      transfer.partial = undefined;
      await resume.discard();
      throw new GhlakeError(ERROR_CODES.CONTENT_LENGTH_MISMATCH, `asked ${url} for bytes ${resume.bytes}- of ${resume.size}, got ${header(headers, 'content-range') ?? 'no Content-Range'} of ${header(headers, 'etag') ?? 'a file without ETag'}`, {
        retryable: true,
        hint: 'the server answered another range or another version of the file; the hour is fetched again from the start',
        details: { url, asked: resume.bytes, contentRange: header(headers, 'content-range') ?? null },
      });
    }
    transfer.resumedBytes += resume.bytes;
  } else if (resume && (statusCode === 200 || statusCode === 416)) {
    // 200: the server ignores ranges, or the file changed since (If-Range): all of it comes again.
    transfer.partial = undefined;
    await resume.discard();
    resume = undefined;
    state.bytes = 0;
    state.contentLength = undefined;
    if (statusCode === 416) {
      await body.dump().catch(() => undefined);
      throw new GhlakeError(ERROR_CODES.CONTENT_LENGTH_MISMATCH, `${url} cannot serve the rest of the file (HTTP 416)`, {
        retryable: true,
        hint: 'the file changed on the server; it is fetched again from the start',
        details: { url },
      });
    }
  }
  if (statusCode !== 200 && !(resume && statusCode === 206)) {
    await body.dump().catch(() => undefined);
    if (statusCode === 404) return { kind: 'missing', reason: 'HTTP 404' };
    throw httpStatusError(statusCode, url, isRetryableStatus(statusCode), parseRetryAfter(headers['retry-after'], ctx.now()), header(headers, 'location'));
  }
  const lengthHeader = header(headers, 'content-length');
  const announced = lengthHeader !== undefined && /^\d+$/.test(lengthHeader) ? Number(lengthHeader) : undefined;

  let part = resume;
  if (!part) {
    await fs.mkdir(path.dirname(target), { recursive: true });
    part = new PartialBody(tempPathFor(target), config.checkGzip);
    part.identify(announced, header(headers, 'etag'), header(headers, 'last-modified'));
    state.contentLength = announced;
  }
  transfer.partial = part;
  const sink = await part.sink((n) => {
    state.bytes = part.bytes;
    ctx.onBytes(hour, n);
  });
  try {
    if (endsWithConnection(headers)) await pipeline(body, new PassThrough({ highWaterMark: EAGER_BUFFER }), sink);
    else await pipeline(body, sink);
  } catch (error) {
    await part.settle();
    state.bytes = part.bytes;
    if (isAbortError(error) || ctx.signal.aborted) throw error;
    throw classifyFetchError(error, state);
  }
  state.bytes = part.bytes;
  if (part.bytes === 0) return { kind: 'missing', reason: 'empty file (0 bytes) served with HTTP 200' };
  if (state.contentLength !== undefined && part.bytes !== state.contentLength) {
    throw truncatedBody(part.bytes, state.contentLength, 'the body ended early', { url });
  }
  let check;
  try {
    if (part.verifier) check = await part.verifier.finish();
    else {
      const notGzip = notGzipError(part.head, part.bytes);
      if (notGzip) throw notGzip;
    }
  } catch (error) {
    // The whole body arrived as announced but is not valid gzip: keep it for inspection.
    await fs.rename(part.tmp, corruptPath(config.lake, hour)).catch(() => undefined);
    throw error;
  }
  const meta: RawMeta = {
    version: 1,
    hour,
    url,
    size: part.bytes,
    sha256: part.hash.digest('hex'),
    uncompressedBytes: check ? check.uncompressedBytes : null,
    gzipChecked: check !== undefined,
    trailer: trailerHex(part.tail),
    ...(header(headers, 'etag') ? { etag: header(headers, 'etag')! } : {}),
    ...(header(headers, 'last-modified') ? { lastModified: header(headers, 'last-modified')! } : {}),
    verifiedAt: new Date(ctx.now()).toISOString(),
  };
  await commitFile(part.tmp, target);
  transfer.partial = undefined;
  part.verifier?.destroy();
  await writeRawMeta(config.lake, meta);
  await fs.rm(corruptPath(config.lake, hour), { force: true });
  return { kind: 'downloaded', meta };
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

  const kept = await inspectKeptHour(config.lake, hour, { rehash: config.verify, signal: ctx.signal });
  let replaced: string | undefined;
  const complete = config.verify ? 'already complete (sha256 re-verified)' : 'already complete';
  if (kept.state === 'complete') {
    return done({ status: 'skipped', bytes: kept.meta.size, sha256: kept.meta.sha256, attempts: 0, path: target, gzipChecked: true, reason: complete });
  }
  if (kept.state === 'unchecked') {
    const skipped = { status: 'skipped' as const, bytes: kept.meta.size, sha256: kept.meta.sha256, attempts: 0, path: target };
    if (!config.checkGzip) return done({ ...skipped, gzipChecked: false, reason: `${complete}, gzip not checked yet` });
    // Stored unchecked by an earlier run (killed before its transform read the file): check it now.
    try {
      const check = await verifyGzipFile(target, ctx.signal);
      await markGzipChecked(config.lake, hour, check.uncompressedBytes, new Date(ctx.now()));
      return done({ ...skipped, gzipChecked: true, reason: `${complete}, gzip checked now` });
    } catch (error) {
      if (isAbortError(error) || ctx.signal.aborted) throw error;
      replaced = `kept file failed its gzip check: ${error instanceof Error ? error.message : String(error)}`;
    }
  }
  if (kept.state === 'unrecorded') {
    const meta = await adopt(config.lake, hour, url, ctx.signal);
    if (meta) return done({ status: 'skipped', bytes: meta.size, sha256: meta.sha256, attempts: 0, path: target, gzipChecked: true, reason: 'kept file without a record: verified and recorded' });
    replaced = 'kept file without a record is not a valid gzip';
  }
  if (kept.state === 'damaged') replaced = kept.reason;
  if (replaced !== undefined) await removeKept(config.lake, hour);
  const extra = replaced === undefined ? {} : { replaced };

  const transfer: Transfer = { partial: undefined, resumedBytes: 0 };
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
        return done({ status: 'downloaded', bytes: outcome.meta.size, sha256: outcome.meta.sha256, attempts: attempt, path: target, gzipChecked: outcome.meta.gzipChecked !== false, ...resumed(), ...extra });
      } catch (error) {
        if (isAbortError(error) || ctx.signal.aborted) throw error;
        failure = error instanceof GhlakeError ? error : classifyFetchError(error, { url, bytes: 0, headersTimeoutMs: config.headersTimeoutMs, bodyTimeoutMs: config.bodyTimeoutMs });
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
        const kept = failure.code === ERROR_CODES.GZIP_CORRUPT ? await fs.stat(corruptPath(config.lake, hour)).then(() => corruptPath(config.lake, hour), () => undefined) : undefined;
        const error = toHourError(failure);
        if (failure.retryable && attempt > 1) error.message = `${error.message} (gave up after ${attempt} attempts)`;
        return done({ status: 'failed', bytes: 0, attempts: attempt, error, ...resumed(), ...extra, ...(kept ? { keptAs: kept } : {}) });
      }
      ctx.onRetry({ hour, attempt, delayMs: wait, error: toHourError(failure), keptBytes: transfer.partial?.bytes ?? 0 });
      await sleep(wait, ctx.signal);
    }
  } finally {
    // Given up, missing, or stopped: a body kept for resuming goes (a killed run leaves it as a .tmp-* file, removed next time).
    await transfer.partial?.discard();
  }
}
