/**
 * SDK errors turned into one GhlakeError (code GHLAKE_S3) that names the object and says
 * what to do. Messages carry the service's error name and message only: never request
 * headers, signatures or credentials.
 */
import { ERROR_CODES, GhlakeError } from '@ghlake/core';

interface SdkErrorShape {
  name?: string;
  message?: string;
  code?: string;
  $retryable?: unknown;
  $metadata?: { httpStatusCode?: number; attempts?: number };
}

const RETRYABLE_NAMES = new Set([
  'SlowDown',
  'Throttling',
  'ThrottlingException',
  'RequestThrottled',
  'TooManyRequestsException',
  'RequestTimeout',
  'RequestTimeoutException',
  'InternalError',
  'ServiceUnavailable',
  'TimeoutError',
]);
const RETRYABLE_ERRNO = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'ENOTFOUND', 'ECONNABORTED', 'EHOSTUNREACH', 'ENETUNREACH']);

const HINTS: Record<string, string> = {
  NoSuchBucket: 'create the bucket first, or check --bucket (GHLAKE_S3_BUCKET) and --region',
  AccessDenied:
    'the credentials lack permission: allow s3:ListBucket, s3:GetObject, s3:PutObject, s3:DeleteObject and s3:AbortMultipartUpload on the bucket and prefix',
  Forbidden: 'the credentials lack permission for this bucket or prefix (or belong to another account)',
  InvalidAccessKeyId: 'the access key is not known to this endpoint: check AWS_ACCESS_KEY_ID / AWS_PROFILE and --endpoint',
  SignatureDoesNotMatch: 'the secret key does not match the access key: check AWS_SECRET_ACCESS_KEY / AWS_PROFILE',
  ExpiredToken: 'the session credentials expired: refresh them (e.g. aws sso login) and rerun',
  RequestTimeTooSkewed: 'the machine clock is off: synchronise it and rerun',
  CredentialsProviderError: 'no AWS credentials found: set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or run on a machine with an instance role',
  PermanentRedirect: 'the bucket is in another region: pass --region (or AWS_REGION)',
  AuthorizationHeaderMalformed: 'the bucket is in another region: pass --region (or AWS_REGION)',
};

function shape(error: unknown): SdkErrorShape {
  return typeof error === 'object' && error !== null ? (error as SdkErrorShape) : { message: String(error) };
}

/** Whether trying the same object again later may succeed (throttling, 5xx, network). */
export function isRetryableS3Error(error: unknown): boolean {
  const e = shape(error);
  if (e.name === 'AbortError') return false;
  if (e.$retryable !== undefined) return true;
  const status = e.$metadata?.httpStatusCode;
  if (status !== undefined && (status >= 500 || status === 429)) return true;
  if (e.name !== undefined && RETRYABLE_NAMES.has(e.name)) return true;
  return e.code !== undefined && RETRYABLE_ERRNO.has(e.code);
}

/** One clear error for an S3 operation on `what` (a key, or the bucket). */
export function s3Error(error: unknown, operation: string, what: string): GhlakeError {
  if (error instanceof GhlakeError) return error;
  const e = shape(error);
  const name = e.name ?? 'Error';
  const status = e.$metadata?.httpStatusCode;
  let message = (e.message ?? '').split('\n')[0]!.trim();
  if (message === '' || message === 'UnknownError') message = status === undefined ? name : `HTTP ${status}`;
  const regionMissing = /region is missing/i.test(message);
  const hint = regionMissing
    ? 'pass --region (or set AWS_REGION), or give --endpoint for an S3-compatible store'
    : (HINTS[name] ??
      (e.code !== undefined && RETRYABLE_ERRNO.has(e.code)
        ? 'the S3 endpoint could not be reached: check --endpoint / the network, then rerun (finished objects are skipped)'
        : isRetryableS3Error(error)
          ? 'the store kept failing after retries: rerun later (finished objects are skipped), or lower --concurrency'
          : 'see the message from S3; rerun after fixing it (finished objects are skipped)'));
  return new GhlakeError(ERROR_CODES.S3, `${operation} ${what} failed: ${name === 'Error' ? '' : `${name}: `}${message}`, {
    hint,
    retryable: isRetryableS3Error(error),
    cause: error,
    details: { operation, target: what, ...(status === undefined ? {} : { httpStatus: status }), ...(e.name ? { s3Error: e.name } : {}) },
  });
}
