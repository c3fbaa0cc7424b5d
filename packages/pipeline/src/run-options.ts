/**
 * `ghlake run` options: the stages' own declarations, composed (one source of truth per
 * option), plus the run's switches. Defaults < GHLAKE_* environment < flags.
 */
import path from 'node:path';
import { COMMON_OPTIONS, RANGE_OPTIONS, defineOptions, parseBoolean, resolveHours, type HourKey, type ResolvedOptions } from '@ghlake/core';
import { DOWNLOAD_OPTIONS, downloadConfig, type DownloadConfig } from '@ghlake/download';
import { DUCKDB_OPTIONS } from '@ghlake/gold';
import { TRANSFORM_OPTIONS } from '@ghlake/bronze';
import { S3_LOCATION_OPTIONS, resolveUploadConfig, type UploadConfig } from '@ghlake/storage';

/** GH Archive's own example hour: what `ghlake run` processes when given no range. */
export const EXAMPLE_HOUR = '2015-01-01-15' as HourKey;

const d = DOWNLOAD_OPTIONS;

export const RUN_OPTIONS = defineOptions({
  lake: COMMON_OPTIONS.lake,
  ...RANGE_OPTIONS,
  baseUrl: d.baseUrl,
  threads: { ...COMMON_OPTIONS.threads, description: 'worker threads of the shared pool that transforms hours, and DuckDB threads for gold; default: the available cores' },
  force: {
    flag: 'force',
    env: 'GHLAKE_FORCE',
    description: 'redo the range: re-verify downloaded files (sha256), re-transform every hour, rebuild gold',
    default: false,
    boolean: true,
    parse: parseBoolean,
  },
  concurrency: d.concurrency,
  retries: d.retries,
  retryDelay: d.retryDelay,
  retryMaxDelay: d.retryMaxDelay,
  retryTime: d.retryTime,
  connectTimeout: d.connectTimeout,
  headersTimeout: d.headersTimeout,
  bodyTimeout: d.bodyTimeout,
  memoryLimit: DUCKDB_OPTIONS.memoryLimit,
  workerHeapMb: TRANSFORM_OPTIONS.workerHeapMb,
  upload: {
    flag: 'upload',
    env: 'GHLAKE_UPLOAD',
    description: 'publish the lake to S3 after gold (needs --bucket; see ghlake upload --help)',
    default: false,
    boolean: true,
    parse: parseBoolean,
  },
  ...S3_LOCATION_OPTIONS,
  json: COMMON_OPTIONS.json,
  logLevel: COMMON_OPTIONS.logLevel,
});

export type RunOptions = ResolvedOptions<typeof RUN_OPTIONS>;

/** Everything the run's stages need, resolved and typed (paths absolute). */
export interface RunStageConfig {
  lake: string;
  hours: HourKey[];
  threads: number;
  force: boolean;
  memoryLimit: number;
  workerHeapMb: number;
  download: DownloadConfig;
  /** Set when --upload was given. */
  upload: UploadConfig | undefined;
}

export function runConfigFromOptions(options: RunOptions, cwd: string): RunStageConfig {
  const lake = path.resolve(cwd, options.lake);
  const hours = resolveHours(options);
  return {
    lake,
    hours: hours.length ? hours : [EXAMPLE_HOUR],
    threads: options.threads,
    force: options.force,
    memoryLimit: options.memoryLimit,
    workerHeapMb: options.workerHeapMb,
    download: downloadConfig({
      lake,
      baseUrl: options.baseUrl,
      concurrency: options.concurrency,
      retries: options.retries,
      retryDelayMs: options.retryDelay,
      retryMaxDelayMs: options.retryMaxDelay,
      retryTimeMs: options.retryTime,
      connectTimeoutMs: options.connectTimeout,
      headersTimeoutMs: options.headersTimeout,
      bodyTimeoutMs: options.bodyTimeout,
      verify: options.force,
    }),
    // Validated up front: a missing --bucket fails before any hour is downloaded.
    upload: options.upload
      ? resolveUploadConfig({
          lake,
          bucket: options.bucket ?? '',
          prefix: options.prefix,
          endpoint: options.endpoint,
          forcePathStyle: options.forcePathStyle,
          region: options.region,
        })
      : undefined,
  };
}
