/**
 * The S3 client every upload step shares. Credentials come from the AWS default provider
 * chain (environment, shared config/credentials profile, SSO, container and instance roles)
 * unless a caller passes its own: ghlake never handles secret material itself.
 */
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';

/** Static keys or a provider function, as the SDK takes them. */
export type S3Credentials = NonNullable<S3ClientConfig['credentials']>;

export interface S3ConnectionConfig {
  endpoint?: string | undefined;
  /** Path-style requests; default: on when an endpoint is given (S3-compatible stores). */
  forcePathStyle?: boolean | undefined;
  /** Default: the SDK's chain (AWS_REGION, profile); us-east-1 with a custom endpoint. */
  region?: string | undefined;
  /** Default: the AWS default provider chain. */
  credentials?: S3Credentials | undefined;
  /** Attempts per HTTP request, the SDK's own retries with backoff (throttling, 5xx, network). Default 3. */
  maxAttempts?: number | undefined;
}

export function createS3Client(config: S3ConnectionConfig): S3Client {
  const custom = config.endpoint !== undefined;
  return new S3Client({
    ...(custom ? { endpoint: config.endpoint } : {}),
    forcePathStyle: config.forcePathStyle ?? custom,
    ...(config.region !== undefined ? { region: config.region } : custom ? { region: 'us-east-1' } : {}),
    ...(config.credentials !== undefined ? { credentials: config.credentials } : {}),
    maxAttempts: config.maxAttempts ?? 3,
    retryMode: 'standard',
    // The SDK's default (WHEN_SUPPORTED) sends streamed bodies aws-chunked with a trailing
    // CRC32, which S3-compatible stores such as s3rver store corrupted. Payload integrity still
    // holds: SigV4 signs each body's sha256, which S3 verifies, and we compare our own sha256.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: { connectionTimeout: 10_000, requestTimeout: 120_000 },
  });
}
