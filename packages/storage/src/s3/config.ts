/**
 * The typed configuration of an upload run, as library callers (the pipeline) give it.
 * Defaults are the ones documented in UPLOAD_OPTIONS; `resolveUploadConfig` validates
 * everything up front so a bad value fails before any request, naming the option.
 */
import { ERROR_CODES, GhlakeError, invalidOption } from '@ghlake/core';
import type { S3Credentials } from './client.js';
import { MAX_PART_SIZE, MIN_PART_SIZE, UPLOAD_OPTIONS, credentialsFrom, parseBucket, parsePrefix, type UploadOptions } from './options.js';

export interface UploadConfig {
  /** The lake folder. */
  lake: string;
  bucket: string;
  /** Key prefix, no slashes at the ends; '' = bucket root. Default 'ghlake'. */
  prefix: string;
  /** S3-compatible endpoint URL; default AWS. */
  endpoint?: string | undefined;
  /** Default: on when `endpoint` is set. */
  forcePathStyle?: boolean | undefined;
  /** Default: the SDK's chain; us-east-1 with an endpoint. */
  region?: string | undefined;
  /** Objects in flight. Default 4. */
  concurrency: number;
  /** Multipart part size in bytes (5 MiB - 5 GiB). Default 16 MiB. */
  partSize: number;
  /** Parts of one object in flight. Default 4. */
  queueSize: number;
  /** Whole-object retries after the SDK's request retries. Default 3. */
  retries: number;
  /** First pause between whole-object retries, doubled each time. Default 500 ms. */
  retryBaseDelayMs: number;
  /** Attempts per HTTP request (the SDK's retries). Default 3. */
  maxAttempts: number;
  /** Default: the AWS default provider chain (environment, profile, SSO, instance role). */
  credentials?: S3Credentials | undefined;
  /**
   * Walk the whole lake, list the bucket and prove every file is there (default false: incremental
   * once a complete upload to this bucket and prefix is recorded).
   */
  full: boolean;
}

export type UploadConfigInput = Pick<UploadConfig, 'lake' | 'bucket'> & Partial<UploadConfig>;

function checkInteger(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) throw invalidOption(name, String(value), `an integer from ${min} to ${max}`);
  return value;
}

/** Fill defaults and validate; errors name the option (`--bucket`, `--part-size`, ...). */
export function resolveUploadConfig(input: UploadConfigInput): UploadConfig {
  if (typeof input.bucket !== 'string' || input.bucket.trim() === '') {
    throw new GhlakeError(ERROR_CODES.USAGE, 'no bucket given: upload needs --bucket', {
      hint: 'pass --bucket <name> or set GHLAKE_S3_BUCKET',
      details: { option: '--bucket' },
    });
  }
  const partSize = input.partSize ?? UPLOAD_OPTIONS.partSize.default;
  if (partSize < MIN_PART_SIZE || partSize > MAX_PART_SIZE) {
    throw invalidOption('--part-size', String(partSize), 'a part size from 5MiB (5242880 bytes) to 5GiB');
  }
  return {
    lake: input.lake,
    bucket: parseBucket(input.bucket, '--bucket'),
    prefix: parsePrefix(input.prefix ?? UPLOAD_OPTIONS.prefix.default, '--prefix'),
    endpoint: input.endpoint,
    forcePathStyle: input.forcePathStyle,
    region: input.region,
    concurrency: checkInteger('--concurrency', input.concurrency ?? UPLOAD_OPTIONS.concurrency.default, 1, 64),
    partSize,
    queueSize: checkInteger('--queue-size', input.queueSize ?? UPLOAD_OPTIONS.queueSize.default, 1, 16),
    retries: checkInteger('--retries', input.retries ?? UPLOAD_OPTIONS.retries.default, 0, 10),
    retryBaseDelayMs: input.retryBaseDelayMs ?? 500,
    maxAttempts: checkInteger('maxAttempts', input.maxAttempts ?? 3, 1, 20),
    credentials: input.credentials,
    full: input.full ?? false,
  };
}

/** The config of `ghlake upload` from its resolved options. */
export function uploadConfigFromOptions(options: UploadOptions): UploadConfig {
  const { accessKeyId: _id, secretAccessKey: _secret, sessionToken: _token, ...rest } = options;
  return resolveUploadConfig({ ...rest, bucket: options.bucket ?? '', credentials: credentialsFrom(options) });
}
