/**
 * `ghlake download` options: the declaration is the documentation (help text and docs table).
 * Defaults suit data.gharchive.org from a laptop: 4 parallel downloads over kept-alive
 * connections, patient timeouts for 100+ MB hours, and a bounded retry budget so a dead
 * mirror costs seconds, not hours.
 */
import path from 'node:path';
import { COMMON_OPTIONS, RANGE_OPTIONS, defineOptions, parseBoolean, parseDuration, parseInteger, parseUrl, type ResolvedOptions } from '@ghlake/core';

export const DEFAULT_BASE_URL = 'https://data.gharchive.org';

export const DOWNLOAD_OPTIONS = defineOptions({
  lake: COMMON_OPTIONS.lake,
  ...RANGE_OPTIONS,
  baseUrl: {
    flag: 'base-url',
    env: 'GHLAKE_BASE_URL',
    description: 'where hours are fetched from: GH Archive or a mirror with the same file names',
    default: DEFAULT_BASE_URL,
    parse: parseUrl,
  },
  concurrency: {
    flag: 'concurrency',
    env: 'GHLAKE_CONCURRENCY',
    description: 'hours downloaded at the same time (one kept-alive connection each)',
    default: 4,
    parse: parseInteger(1, 64),
  },
  retries: {
    flag: 'retries',
    env: 'GHLAKE_RETRIES',
    description: 'retries per hour after a network error, timeout, 5xx, 429, truncated or corrupt body (a body cut short resumes where it stopped)',
    default: 5,
    parse: parseInteger(0, 100),
  },
  retryDelay: {
    flag: 'retry-delay',
    env: 'GHLAKE_RETRY_DELAY',
    description: 'first backoff delay, doubled at each retry, with jitter',
    default: 1_000,
    parse: parseDuration(0),
  },
  retryMaxDelay: {
    flag: 'retry-max-delay',
    env: 'GHLAKE_RETRY_MAX_DELAY',
    description: "longest single wait between attempts, also the cap on a server's Retry-After",
    default: 30_000,
    parse: parseDuration(0),
  },
  retryTime: {
    flag: 'retry-time',
    env: 'GHLAKE_RETRY_TIME',
    description: 'give up retrying an hour once this long has passed since its first attempt',
    default: 120_000,
    parse: parseDuration(0),
  },
  connectTimeout: {
    flag: 'connect-timeout',
    env: 'GHLAKE_CONNECT_TIMEOUT',
    description: 'time allowed to open a connection',
    default: 10_000,
    parse: parseDuration(1),
  },
  headersTimeout: {
    flag: 'headers-timeout',
    env: 'GHLAKE_HEADERS_TIMEOUT',
    description: 'time allowed from sending a request to receiving the response headers (undici checks it about once a second)',
    default: 30_000,
    parse: parseDuration(1_000),
  },
  bodyTimeout: {
    flag: 'body-timeout',
    env: 'GHLAKE_BODY_TIMEOUT',
    description: 'longest silence allowed between two chunks of a body (undici checks it about once a second)',
    default: 30_000,
    parse: parseDuration(1_000),
  },
  verify: {
    flag: 'verify',
    env: 'GHLAKE_VERIFY',
    description: 're-hash hours already in the lake (sha256) instead of trusting their size and trailer',
    default: false,
    boolean: true,
    parse: parseBoolean,
  },
  json: COMMON_OPTIONS.json,
  logLevel: COMMON_OPTIONS.logLevel,
});

export type DownloadOptions = ResolvedOptions<typeof DOWNLOAD_OPTIONS>;

/** What the runner needs: resolved, typed, paths absolute. Times in milliseconds. */
export interface DownloadConfig {
  lake: string;
  baseUrl: string;
  concurrency: number;
  retries: number;
  retryDelayMs: number;
  retryMaxDelayMs: number;
  retryTimeMs: number;
  connectTimeoutMs: number;
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
  verify: boolean;
  /**
   * Inflate every body as it arrives to check the gzip stream end to end (each member's CRC32
   * and length). Default true. `ghlake run` turns it off: its transform inflates the file anyway
   * and checks it then, and a file that turns out damaged is fetched again with this check on.
   * Without it only the gzip magic bytes are checked here and the record says `gzipChecked: false`.
   */
  checkGzip: boolean;
}

/** The runner's defaults, for library callers (the pipeline) that pass only what they change. */
export function downloadConfig(overrides: Partial<DownloadConfig> & { lake: string }, cwd = process.cwd()): DownloadConfig {
  const d = DOWNLOAD_OPTIONS;
  return {
    baseUrl: d.baseUrl.default,
    concurrency: d.concurrency.default,
    retries: d.retries.default,
    retryDelayMs: d.retryDelay.default,
    retryMaxDelayMs: d.retryMaxDelay.default,
    retryTimeMs: d.retryTime.default,
    connectTimeoutMs: d.connectTimeout.default,
    headersTimeoutMs: d.headersTimeout.default,
    bodyTimeoutMs: d.bodyTimeout.default,
    verify: d.verify.default,
    checkGzip: true,
    ...overrides,
    lake: path.resolve(cwd, overrides.lake),
  };
}

/** The download's options as resolved (by `ghlake download`, or by `ghlake run`, which shares them) → the runner's config. */
export function configFromOptions(
  options: Pick<
    DownloadOptions,
    | 'lake'
    | 'baseUrl'
    | 'concurrency'
    | 'retries'
    | 'retryDelay'
    | 'retryMaxDelay'
    | 'retryTime'
    | 'connectTimeout'
    | 'headersTimeout'
    | 'bodyTimeout'
    | 'verify'
  >,
  cwd: string,
): DownloadConfig {
  return downloadConfig(
    {
      lake: options.lake,
      baseUrl: options.baseUrl,
      concurrency: options.concurrency,
      retries: options.retries,
      retryDelayMs: options.retryDelay,
      retryMaxDelayMs: options.retryMaxDelay,
      retryTimeMs: options.retryTime,
      connectTimeoutMs: options.connectTimeout,
      headersTimeoutMs: options.headersTimeout,
      bodyTimeoutMs: options.bodyTimeout,
      verify: options.verify,
    },
    cwd,
  );
}
