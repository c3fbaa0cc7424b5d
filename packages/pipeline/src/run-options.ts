/**
 * `ghlake run` options: the stages' own declarations, composed (one source of truth per
 * option), plus the run's switches. Defaults < GHLAKE_* environment < flags.
 */
import path from 'node:path';
import {
  COMMON_OPTIONS,
  ERROR_CODES,
  GhlakeError,
  RANGE_OPTIONS,
  defineOptions,
  parseBoolean,
  resolveHours,
  type HourKey,
  type OptionSpec,
  type ResolvedOptions,
} from '@ghlake/core';
import { DOWNLOAD_OPTIONS, configFromOptions, type DownloadConfig } from '@ghlake/download';
import { DUCKDB_OPTIONS } from '@ghlake/gold';
import { TRANSFORM_OPTIONS } from '@ghlake/bronze';
import {
  S3_CREDENTIAL_OPTIONS,
  S3_LOCATION_OPTIONS,
  SNOWFLAKE_CONNECTION_OPTIONS,
  SNOWFLAKE_OBJECT_OPTIONS,
  connectionFrom,
  credentialsFrom,
  objectsFrom,
  resolveUploadConfig,
  type SnowflakeConnectionConfig,
  type SnowflakeObjects,
  type UploadConfig,
} from '@ghlake/storage';

/** GH Archive's own example hour: what `ghlake run` processes when given no range. */
export const EXAMPLE_HOUR = '2015-01-01-15' as HourKey;

const d = DOWNLOAD_OPTIONS;

/**
 * The same option declarations with their parser typed structurally: the Snowflake parsers live
 * in modules @ghlake/storage does not export, which an exported spec could not name (TS2742).
 */
function detached<S extends Record<string, OptionSpec<string>>>(
  spec: S,
): { [K in keyof S]: OptionSpec<string> & (S[K] extends { default: string } ? { default: string } : { default?: undefined }) } {
  return spec as never;
}

export const RUN_OPTIONS = defineOptions({
  lake: COMMON_OPTIONS.lake,
  ...RANGE_OPTIONS,
  baseUrl: d.baseUrl,
  threads: {
    ...COMMON_OPTIONS.threads,
    description: 'worker threads of the shared pool that transforms hours, and DuckDB threads for gold; default: the available cores',
  },
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
  ...S3_CREDENTIAL_OPTIONS,
  snowflake: {
    flag: 'snowflake',
    env: 'GHLAKE_SNOWFLAKE',
    description: 'load the published lake into Snowflake after the upload (needs --upload and the SNOWFLAKE_* connection; see ghlake snowflake --help)',
    default: false,
    boolean: true,
    parse: parseBoolean,
  },
  ...detached(SNOWFLAKE_CONNECTION_OPTIONS),
  ...detached(SNOWFLAKE_OBJECT_OPTIONS),
  noReport: {
    flag: 'no-report',
    env: 'GHLAKE_NO_REPORT',
    description: "do not refresh <lake>/report.html (the run's hours) at the end",
    default: false,
    boolean: true,
    parse: parseBoolean,
  },
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
  /** Set when --snowflake was given. Holds secrets: never print it. */
  snowflake: { connection: SnowflakeConnectionConfig; objects: SnowflakeObjects } | undefined;
}

export function runConfigFromOptions(options: RunOptions, cwd: string): RunStageConfig {
  const lake = path.resolve(cwd, options.lake);
  const hours = resolveHours(options);
  if (options.snowflake && !options.upload) {
    throw new GhlakeError(ERROR_CODES.USAGE, '--snowflake loads the S3 copy of the lake, but --upload is not given', {
      hint: "add --upload --bucket <bucket> (the bucket Snowflake's stage reads), or run ghlake snowflake load after ghlake upload",
      details: { option: '--snowflake' },
    });
  }
  return {
    lake,
    hours: hours.length ? hours : [EXAMPLE_HOUR],
    threads: options.threads,
    force: options.force,
    memoryLimit: options.memoryLimit,
    workerHeapMb: options.workerHeapMb,
    // --force re-verifies the hours already in the lake.
    download: configFromOptions({ ...options, lake, verify: options.force }, cwd),
    // Validated up front: a missing --bucket fails before any hour is downloaded.
    upload: options.upload
      ? resolveUploadConfig({
          lake,
          bucket: options.bucket ?? '',
          prefix: options.prefix,
          endpoint: options.endpoint,
          forcePathStyle: options.forcePathStyle,
          region: options.region,
          credentials: credentialsFrom(options),
        })
      : undefined,
    snowflake: options.snowflake ? { connection: connectionFrom(options), objects: objectsFrom(options) } : undefined,
  };
}
