/**
 * One error type for the whole project (pnpm style): a stable `code`, a `hint`
 * telling the user what to do, the `cause`, and whether retrying may help.
 * Errors cross worker threads as plain data (`toPlainError` / `fromPlainError`)
 * because structured clone drops class identity and custom fields.
 */

/** Every code ghlake can raise. Codes are stable: scripts may match on them. */
export const ERROR_CODES = {
  // usage and configuration (exit code 2)
  USAGE: 'GHLAKE_USAGE',
  UNKNOWN_OPTION: 'GHLAKE_UNKNOWN_OPTION',
  INVALID_OPTION: 'GHLAKE_INVALID_OPTION',
  INVALID_HOUR: 'GHLAKE_INVALID_HOUR',
  INVALID_RANGE: 'GHLAKE_INVALID_RANGE',
  /** `ghlake query` refused a statement that is not one read-only statement confined to the lake. */
  QUERY_REFUSED: 'GHLAKE_QUERY_REFUSED',
  // lake and filesystem
  LAKE_NOT_WRITABLE: 'GHLAKE_LAKE_NOT_WRITABLE',
  LAKE_LOCKED: 'GHLAKE_LAKE_LOCKED',
  // download
  HTTP_STATUS: 'GHLAKE_HTTP_STATUS',
  HOUR_MISSING: 'GHLAKE_HOUR_MISSING',
  /** Every hour that should exist answered 404: the base URL is not GH Archive (or a mirror of it). */
  SOURCE_NOT_FOUND: 'GHLAKE_SOURCE_NOT_FOUND',
  CONNECTION: 'GHLAKE_CONNECTION',
  TIMEOUT: 'GHLAKE_TIMEOUT',
  CONTENT_LENGTH_MISMATCH: 'GHLAKE_CONTENT_LENGTH_MISMATCH',
  GZIP_CORRUPT: 'GHLAKE_GZIP_CORRUPT',
  // transform
  HOUR_DAMAGED: 'GHLAKE_HOUR_DAMAGED',
  RECONCILIATION: 'GHLAKE_RECONCILIATION',
  WORKER_FAILED: 'GHLAKE_WORKER_FAILED',
  // warehouse, storage, snowflake
  SQL: 'GHLAKE_SQL',
  S3: 'GHLAKE_S3',
  SNOWFLAKE: 'GHLAKE_SNOWFLAKE',
  INTERNAL: 'GHLAKE_INTERNAL',
  // the whole run (packages/pipeline)
  MANIFEST_CORRUPT: 'GHLAKE_MANIFEST_CORRUPT',
  /** Stopped by the user (Ctrl-C, SIGTERM): exit 130, safe to rerun. */
  INTERRUPTED: 'GHLAKE_INTERRUPTED',
  /** The lake was written by another ghlake lake format (see lake-format.ts). */
  LAKE_FORMAT: 'GHLAKE_LAKE_FORMAT',
  /** The incremental state (`_state/state.duckdb`) disagrees with the lake's files. */
  STATE_DAMAGED: 'GHLAKE_STATE_DAMAGED',
} as const;

export type ErrorCode = (typeof ERROR_CODES)[keyof typeof ERROR_CODES];

export interface GhlakeErrorOptions {
  hint?: string;
  cause?: unknown;
  retryable?: boolean;
  /** Free-form, JSON-safe facts (hour, url, option name ...) for logs and summaries. */
  details?: Record<string, unknown>;
}

export class GhlakeError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly retryable: boolean;
  readonly details: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: GhlakeErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'GhlakeError';
    this.code = code;
    this.hint = options.hint;
    this.retryable = options.retryable ?? false;
    this.details = options.details ?? {};
  }
}

export function isGhlakeError(value: unknown): value is GhlakeError {
  return value instanceof GhlakeError;
}

/** The plain-data form of an error: safe for postMessage, JSON and manifests. */
export interface PlainError {
  name: string;
  code: ErrorCode;
  message: string;
  hint?: string;
  retryable: boolean;
  details: Record<string, unknown>;
  stack?: string;
  cause?: PlainError;
}

/**
 * `stack: false` for errors kept in summaries and manifests (what failed, not where in the code);
 * crossing a thread keeps it.
 */
export function toPlainError(error: unknown, options: { stack?: boolean } = {}, depth = 0): PlainError {
  const stack = (e: Error) => (options.stack === false || e.stack === undefined ? {} : { stack: e.stack });
  const cause = (e: Error) => (e.cause !== undefined && depth < 4 ? { cause: toPlainError(e.cause, options, depth + 1) } : {});
  if (error instanceof GhlakeError) {
    return {
      name: error.name,
      code: error.code,
      message: error.message,
      ...(error.hint === undefined ? {} : { hint: error.hint }),
      retryable: error.retryable,
      details: error.details,
      ...stack(error),
      ...cause(error),
    };
  }
  if (error instanceof Error) {
    const nodeCode = (error as NodeJS.ErrnoException).code;
    return {
      name: error.name,
      code: ERROR_CODES.INTERNAL,
      message: error.message,
      retryable: false,
      details: nodeCode === undefined ? {} : { errno: nodeCode },
      ...stack(error),
      ...cause(error),
    };
  }
  return { name: 'Error', code: ERROR_CODES.INTERNAL, message: String(error), retryable: false, details: {} };
}

export function fromPlainError(plain: PlainError): GhlakeError {
  const error = new GhlakeError(plain.code, plain.message, {
    ...(plain.hint === undefined ? {} : { hint: plain.hint }),
    retryable: plain.retryable,
    details: plain.details,
    ...(plain.cause === undefined ? {} : { cause: fromPlainError(plain.cause) }),
  });
  if (plain.stack !== undefined) error.stack = plain.stack;
  return error;
}

/** Wrap anything thrown into a GhlakeError, keeping an existing one as it is. */
export function asGhlakeError(error: unknown, code: ErrorCode = ERROR_CODES.INTERNAL, hint?: string): GhlakeError {
  if (error instanceof GhlakeError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new GhlakeError(code, message, { cause: error, ...(hint === undefined ? {} : { hint }) });
}

/** One line for a terminal: `error GHLAKE_X: message\n  hint: ...`. */
export function formatErrorForUser(error: unknown): string {
  const e = asGhlakeError(error);
  return `error ${e.code}: ${e.message}${e.hint ? `\n  hint: ${e.hint}` : ''}`;
}

/** Usage errors exit with 2, everything else with 1. */
export function exitCodeFor(error: unknown): 1 | 2 {
  const usage: ErrorCode[] = [
    ERROR_CODES.USAGE,
    ERROR_CODES.UNKNOWN_OPTION,
    ERROR_CODES.INVALID_OPTION,
    ERROR_CODES.INVALID_HOUR,
    ERROR_CODES.INVALID_RANGE,
    ERROR_CODES.QUERY_REFUSED,
  ];
  return error instanceof GhlakeError && usage.includes(error.code) ? 2 : 1;
}
