/**
 * `ghlake upload` options: defaults < GHLAKE_S3_* environment < flags, validated up front
 * with errors that name the option. `S3_LOCATION_OPTIONS` (bucket, prefix, endpoint,
 * path style, region) is shared with the Snowflake side so both read the same place.
 */
import {
  COMMON_OPTIONS,
  defineOptions,
  invalidOption,
  parseBoolean,
  parseBytes,
  parseInteger,
  parseString,
  parseUrl,
  ERROR_CODES,
  GhlakeError,
  type ResolvedOptions,
} from '@ghlake/core';

/** S3's own limits on multipart parts. */
export const MIN_PART_SIZE = 5 * 1024 * 1024;
export const MAX_PART_SIZE = 5 * 1024 * 1024 * 1024;

/** A bucket name as S3 accepts it: 3-63 lowercase letters, digits, dots and hyphens. */
export function parseBucket(raw: string, source: string): string {
  const value = raw.trim();
  if (/^s3:\/\//i.test(value)) {
    throw new GhlakeError(ERROR_CODES.INVALID_OPTION, `${source} has invalid value '${raw}': give the bucket name only, not an s3:// URL`, {
      hint: `write ${source} ${value.replace(/^s3:\/\//i, '').split('/')[0]} and put the path after it in --prefix`,
      details: { option: source, value: raw },
    });
  }
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(value) || value.includes('..')) {
    throw invalidOption(source, raw, 'an S3 bucket name: 3-63 lowercase letters, digits, dots and hyphens');
  }
  return value;
}

/** A key prefix: slashes at either end dropped; no empty, `.` or `..` segments. `''` = bucket root. */
export function parsePrefix(raw: string, source: string): string {
  const value = raw.trim().replace(/^\/+|\/+$/g, '');
  if (value === '') return '';
  const segments = value.split('/');
  if (segments.some((s) => s === '' || s === '.' || s === '..')) {
    throw invalidOption(source, raw, 'a key prefix such as ghlake or data/ghlake (no empty, . or .. segments)');
  }
  return value;
}

export function parsePartSize(raw: string, source: string): number {
  const bytes = parseBytes(raw, source);
  if (bytes < MIN_PART_SIZE || bytes > MAX_PART_SIZE) {
    throw invalidOption(source, raw, "a part size from 5MiB to 5GiB (S3's limits for multipart parts), e.g. 16MiB");
  }
  return bytes;
}

/** Where the lake goes: shared by `ghlake upload` and `ghlake snowflake`. */
export const S3_LOCATION_OPTIONS = defineOptions({
  bucket: { flag: 'bucket', env: 'GHLAKE_S3_BUCKET', description: 'S3 bucket to publish to (required)', parse: parseBucket },
  prefix: {
    flag: 'prefix',
    env: 'GHLAKE_S3_PREFIX',
    description: 'key prefix inside the bucket; keys mirror the lake below it (empty = bucket root)',
    default: 'ghlake',
    parse: parsePrefix,
  },
  endpoint: {
    flag: 'endpoint',
    env: 'GHLAKE_S3_ENDPOINT',
    description: 'URL of an S3-compatible store (MinIO, R2, ...) instead of AWS',
    parse: parseUrl,
  },
  forcePathStyle: {
    flag: 'force-path-style',
    env: 'GHLAKE_S3_FORCE_PATH_STYLE',
    description: 'path-style requests (http://host/bucket/key); default: on when --endpoint is given',
    boolean: true,
    parse: parseBoolean,
  },
  region: {
    flag: 'region',
    env: 'GHLAKE_S3_REGION',
    description: 'AWS region (default: AWS_REGION or the AWS profile; us-east-1 with --endpoint)',
    parse: parseString,
  },
});

/**
 * Explicit AWS credentials. Without them the AWS SDK's default chain is used (environment,
 * profile, SSO, instance role). The secret ones are marked `secret`: redacted everywhere.
 */
export const S3_CREDENTIAL_OPTIONS = defineOptions({
  accessKeyId: {
    flag: 'access-key-id',
    env: 'AWS_ACCESS_KEY_ID',
    description: 'AWS access key id (with --secret-access-key); default: the AWS default credential chain',
    parse: parseString,
  },
  secretAccessKey: {
    flag: 'secret-access-key',
    env: 'AWS_SECRET_ACCESS_KEY',
    description: 'AWS secret access key; prefer the environment variable (flags show in process lists)',
    secret: true,
    parse: parseString,
  },
  sessionToken: {
    flag: 'session-token',
    env: 'AWS_SESSION_TOKEN',
    description: 'AWS session token of temporary credentials',
    secret: true,
    parse: parseString,
  },
});

/** Explicit credentials when both the key id and the secret are given; otherwise the SDK's chain. */
export function credentialsFrom(options: {
  accessKeyId?: string | undefined;
  secretAccessKey?: string | undefined;
  sessionToken?: string | undefined;
}): { accessKeyId: string; secretAccessKey: string; sessionToken?: string } | undefined {
  if (!options.accessKeyId || !options.secretAccessKey) return undefined;
  return {
    accessKeyId: options.accessKeyId,
    secretAccessKey: options.secretAccessKey,
    ...(options.sessionToken ? { sessionToken: options.sessionToken } : {}),
  };
}

export const UPLOAD_OPTIONS = defineOptions({
  lake: COMMON_OPTIONS.lake,
  ...S3_LOCATION_OPTIONS,
  ...S3_CREDENTIAL_OPTIONS,
  concurrency: {
    flag: 'concurrency',
    env: 'GHLAKE_S3_CONCURRENCY',
    description: 'objects uploaded at the same time',
    default: 4,
    parse: parseInteger(1, 64),
  },
  partSize: {
    flag: 'part-size',
    env: 'GHLAKE_S3_PART_SIZE',
    description: 'multipart part size; files larger than this are uploaded in parts (5MiB-5GiB)',
    default: 16 * 1024 * 1024,
    parse: parsePartSize,
  },
  queueSize: {
    flag: 'queue-size',
    env: 'GHLAKE_S3_QUEUE_SIZE',
    description: 'parts of one object uploaded at the same time (memory: concurrency x queue-size x part-size)',
    default: 4,
    parse: parseInteger(1, 16),
  },
  retries: {
    flag: 'retries',
    env: 'GHLAKE_S3_RETRIES',
    description: "whole-object retries after the SDK's own request retries give up (throttling, 5xx, network)",
    default: 3,
    parse: parseInteger(0, 10),
  },
  full: {
    flag: 'full',
    env: 'GHLAKE_S3_FULL',
    description:
      'walk the whole lake, list the bucket and check every object (default: only what silver commits changed since the last complete upload; a first upload is always full)',
    boolean: true,
    default: false,
    parse: parseBoolean,
  },
  json: COMMON_OPTIONS.json,
  logLevel: COMMON_OPTIONS.logLevel,
});

export type UploadOptions = ResolvedOptions<typeof UPLOAD_OPTIONS>;
