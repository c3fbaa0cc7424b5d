/**
 * One HTTP attempt at one hour: request it (the rest of it, when an earlier attempt was cut
 * short: `Range` + `If-Range`), stream the body into its temporary file through the checks
 * (sha256, the gzip inflate or only its magic bytes), and rename it into place when status,
 * length and gzip check out. Resolves downloaded or missing; throws a classified GhlakeError
 * otherwise. The retry policy around it is fetch-hour.ts's.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Dispatcher } from 'undici';
import { ERROR_CODES, GhlakeError, commitFile, crashPoint, rawPath, tempPathFor, type HourKey } from '@ghlake/core';
import { classifyFetchError, httpStatusError, isAbortError, truncatedBody } from './errors.js';
import type { FetchContext } from './fetch-hour.js';
import { notGzipError } from './gzip-verify.js';
import { startKeptPartial } from './kept-partial.js';
import { PartialBody, validatorOf } from './partial-body.js';
import { corruptPath, trailerHex, writeRawMeta, type RawMeta } from './raw-meta.js';
import { isRetryableStatus, parseRetryAfter } from './retry.js';

export type AttemptOutcome = { kind: 'downloaded'; meta: RawMeta } | { kind: 'missing'; reason: string };

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
export interface Transfer {
  partial: PartialBody | undefined;
  /** Bytes that resumed attempts did not have to fetch again. */
  resumedBytes: number;
}

/** Failures of the transfer itself, after which the bytes already on disk are still good. */
export const RESUMABLE: ReadonlySet<string> = new Set([
  ERROR_CODES.CONNECTION,
  ERROR_CODES.TIMEOUT,
  ERROR_CODES.CONTENT_LENGTH_MISMATCH,
  ERROR_CODES.HTTP_STATUS,
]);

function parseContentRange(value: string | undefined): { start: number; end: number; size: number } | undefined {
  const m = value === undefined ? null : /^bytes (\d+)-(\d+)\/(\d+)$/.exec(value.trim());
  return m ? { start: Number(m[1]), end: Number(m[2]), size: Number(m[3]) } : undefined;
}

/**
 * One HTTP attempt. Resolves downloaded/missing; throws a classified GhlakeError otherwise.
 * With `transfer.partial` from a cut-short attempt it asks for the rest only; a server that
 * answers 200 instead (no range support, or the file changed: If-Range) sends it all again.
 */
export async function attemptOnce(hour: HourKey, url: string, ctx: FetchContext, transfer: Transfer): Promise<AttemptOutcome> {
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
      throw new GhlakeError(
        ERROR_CODES.CONTENT_LENGTH_MISMATCH,
        `asked ${url} for bytes ${resume.bytes}- of ${resume.size}, got ${header(headers, 'content-range') ?? 'no Content-Range'} of ${header(headers, 'etag') ?? 'a file without ETag'}`,
        {
          retryable: true,
          hint: 'the server answered another range or another version of the file; the hour is fetched again from the start',
          details: { url, asked: resume.bytes, contentRange: header(headers, 'content-range') ?? null },
        },
      );
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
    const etag = header(headers, 'etag');
    const lastModified = header(headers, 'last-modified');
    // Resumable by a later run too: written under the hour's stable partial name (kept-partial.ts).
    if (validatorOf(etag, lastModified) !== undefined && announced !== undefined && announced > 0) {
      part = await startKeptPartial(
        config.lake,
        {
          version: 1,
          hour,
          url,
          size: announced,
          ...(etag ? { etag } : {}),
          ...(lastModified ? { lastModified } : {}),
          startedAt: new Date(ctx.now()).toISOString(),
        },
        config.checkGzip,
      );
    } else {
      part = new PartialBody(tempPathFor(target), config.checkGzip);
      part.identify(announced, etag, lastModified);
    }
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
  crashPoint('download:renamed-before-record');
  await writeRawMeta(config.lake, meta);
  await part.completed();
  await fs.rm(corruptPath(config.lake, hour), { force: true });
  return { kind: 'downloaded', meta };
}
