/**
 * The download stage's errors: every way a fetch can fail, turned into one GhlakeError with
 * a stable code, a message that says what happened to which bytes, a hint, and whether
 * another attempt may help (`retryable`). Undici and Node report the same failure under
 * several codes; this is the one place that knows them.
 */
import { ERROR_CODES, GhlakeError, formatDuration } from '@ghlake/core';

/** Connection-level failures that mean "nothing answers at this address". */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'UND_ERR_CONNECT_TIMEOUT']);
/** The connection broke while a response was under way. */
const CONNECTION_LOST = new Set(['UND_ERR_SOCKET', 'ECONNRESET', 'EPIPE', 'ECONNABORTED', 'UND_ERR_CLOSED', 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH']);
/** The local disk refused: retrying the network will not help. */
const LOCAL_WRITE = new Set(['EACCES', 'EPERM', 'EROFS', 'ENOSPC', 'EDQUOT', 'ENOTDIR', 'EISDIR', 'ERR_FS_EISDIR']);

function errorCode(error: unknown): string | undefined {
  const e = error as { code?: unknown; errors?: { code?: unknown }[] } | null;
  if (typeof e?.code === 'string') return e.code;
  // Happy-eyeballs connects (localhost -> ::1 and 127.0.0.1) fail with an AggregateError.
  const inner = e?.errors?.find((x) => typeof x?.code === 'string')?.code;
  return typeof inner === 'string' ? inner : undefined;
}

function describe(error: unknown): string {
  return error instanceof Error && error.message ? error.message : String(error);
}

export function isAbortError(error: unknown): boolean {
  const e = error as { name?: string; code?: string } | null;
  return e?.name === 'AbortError' || e?.code === 'ABORT_ERR' || e?.code === 'UND_ERR_ABORTED';
}

export interface TransferState {
  url: string;
  /** Body bytes received before the failure. */
  bytes: number;
  /** The response's Content-Length, when it had one. */
  contentLength?: number | undefined;
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
}

/** Any failure of one attempt as a GhlakeError; GhlakeErrors pass through unchanged. */
export function classifyFetchError(error: unknown, state: TransferState): GhlakeError {
  if (error instanceof GhlakeError) return error;
  const code = errorCode(error);
  const details = { url: state.url, bytes: state.bytes, ...(code ? { errno: code } : {}) };
  if (code !== undefined && UNREACHABLE.has(code)) {
    const what = code === 'UND_ERR_CONNECT_TIMEOUT' ? 'connection timed out' : code === 'ECONNREFUSED' ? 'connection refused' : 'host not reachable';
    return new GhlakeError(ERROR_CODES.CONNECTION, `cannot connect to ${new URL(state.url).origin}: ${what} (${code})`, {
      cause: error,
      retryable: true,
      hint: 'check --base-url (or GHLAKE_BASE_URL) and your network; for a local mirror, check that it is running',
      details: { ...details, unreachable: true },
    });
  }
  if (code === 'UND_ERR_HEADERS_TIMEOUT') {
    return new GhlakeError(ERROR_CODES.TIMEOUT, `no response headers within ${formatDuration(state.headersTimeoutMs)}`, {
      cause: error,
      retryable: true,
      hint: 'the server is slow to answer; raise --headers-timeout if this persists',
      details,
    });
  }
  if (code === 'UND_ERR_BODY_TIMEOUT') {
    return new GhlakeError(ERROR_CODES.TIMEOUT, `body stalled: no data for ${formatDuration(state.bodyTimeoutMs)} after ${state.bytes} bytes`, {
      cause: error,
      retryable: true,
      hint: 'the connection is too slow or stalled; raise --body-timeout or lower --concurrency',
      details,
    });
  }
  if (code !== undefined && CONNECTION_LOST.has(code)) {
    if (state.contentLength !== undefined && state.bytes < state.contentLength) {
      return truncatedBody(state.bytes, state.contentLength, `connection closed: ${describe(error)}`, details, error);
    }
    return new GhlakeError(ERROR_CODES.CONNECTION, `connection lost after ${state.bytes} bytes: ${describe(error)}`, {
      cause: error,
      retryable: true,
      hint: 'a network interruption; it is retried automatically',
      details,
    });
  }
  if (code === 'UND_ERR_INVALID_ARG' && /redirect loop/i.test(describe(error))) {
    return new GhlakeError(ERROR_CODES.HTTP_STATUS, `redirect loop: ${state.url} leads back to an address already visited`, {
      cause: error,
      retryable: false,
      hint: 'too many redirects (a loop?); give --base-url the final address',
      details,
    });
  }
  if (code !== undefined && LOCAL_WRITE.has(code)) {
    return new GhlakeError(ERROR_CODES.LAKE_NOT_WRITABLE, `cannot write the downloaded hour: ${describe(error)}`, {
      cause: error,
      retryable: false,
      hint: 'free disk space or fix the permissions of the lake folder (--lake), then run again',
      details,
    });
  }
  return new GhlakeError(ERROR_CODES.INTERNAL, `download failed: ${describe(error)}`, { cause: error, retryable: false, details });
}

export function truncatedBody(bytes: number, contentLength: number, why: string, details: Record<string, unknown> = {}, cause?: unknown): GhlakeError {
  return new GhlakeError(ERROR_CODES.CONTENT_LENGTH_MISMATCH, `truncated body: got ${bytes} of ${contentLength} bytes (${why})`, {
    ...(cause === undefined ? {} : { cause }),
    retryable: true,
    hint: 'the transfer was cut short; it is retried automatically',
    details: { ...details, bytes, contentLength },
  });
}

export function httpStatusError(status: number, url: string, retryable: boolean, retryAfterMs?: number, location?: string): GhlakeError {
  const redirect = status >= 300 && status < 400;
  return new GhlakeError(ERROR_CODES.HTTP_STATUS, `HTTP ${status} from ${url}${redirect && location ? ` (redirects to ${location})` : ''}`, {
    retryable,
    hint: retryable
      ? 'the server is overloaded or failing; it is retried with backoff'
      : redirect
        ? 'too many redirects (a loop?); give --base-url the final address'
        : status === 401 || status === 403
          ? 'the server refuses access; check --base-url points at a public GH Archive mirror'
          : 'the server rejects this request; check --base-url',
    details: { status, url, ...(retryAfterMs === undefined ? {} : { retryAfterMs }), ...(location ? { location } : {}) },
  });
}

/** Every hour fails with this once nothing answered at the base URL (fail fast, not per hour). */
export function unreachableError(baseUrl: string, cause: GhlakeError): GhlakeError {
  return new GhlakeError(ERROR_CODES.CONNECTION, `nothing answers at ${baseUrl}: ${cause.message.replace(/^cannot connect to \S+: /, '')}`, {
    cause,
    retryable: false,
    hint: 'check --base-url (or GHLAKE_BASE_URL) and your network; for a local mirror, start it first (npm run mirror -w @ghlake/tools)',
    details: { ...cause.details, baseUrl },
  });
}

export function lakeNotWritable(lake: string, cause: unknown): GhlakeError {
  return new GhlakeError(ERROR_CODES.LAKE_NOT_WRITABLE, `cannot write to the lake ${lake}: ${describe(cause)}`, {
    cause,
    hint: 'give --lake (or GHLAKE_LAKE) a folder you can write to; it is created if absent',
    details: { lake, errno: errorCode(cause) },
  });
}
