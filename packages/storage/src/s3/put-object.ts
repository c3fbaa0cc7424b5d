/**
 * Upload one lake file with lib-storage's `Upload`: a single PUT up to the part size,
 * multipart above it (parts of `partSize`, `queueSize` of them in flight). The file is read
 * through the handle the caller opened and hashed, so the bytes sent are the bytes hashed
 * even if the lake replaces the file (rename) meanwhile.
 */
import type { FileHandle } from 'node:fs/promises';
import type { S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';

/** Metadata key of our content hash (sent as `x-amz-meta-sha256`). */
export const SHA256_METADATA = 'sha256';

export interface PutFileInput {
  client: S3Client;
  bucket: string;
  key: string;
  handle: FileHandle;
  size: number;
  sha256: string;
  partSize: number;
  queueSize: number;
  signal: AbortSignal;
}

export interface PutFileResult {
  multipart: boolean;
  parts: number;
  /** The object's ETag as the store answered (undefined if it sent none). */
  etag: string | undefined;
}

export function contentTypeFor(key: string): string {
  if (key.endsWith('.parquet')) return 'application/vnd.apache.parquet';
  if (key.endsWith('.json.gz')) return 'application/gzip'; // no Content-Encoding: clients must get the gzip bytes as they are
  if (key.endsWith('.json')) return 'application/json';
  return 'application/octet-stream';
}

export async function putFile(input: PutFileInput): Promise<PutFileResult> {
  const controller = new AbortController();
  const onAbort = () => controller.abort();
  if (input.signal.aborted) controller.abort();
  input.signal.addEventListener('abort', onAbort, { once: true });
  const upload = new Upload({
    client: input.client,
    params: {
      Bucket: input.bucket,
      Key: input.key,
      Body: input.handle.createReadStream({ start: 0, ...(input.size > 0 ? { end: input.size - 1 } : {}), autoClose: false }),
      ContentLength: input.size,
      ContentType: contentTypeFor(input.key),
      Metadata: { [SHA256_METADATA]: input.sha256 },
    },
    partSize: input.partSize,
    queueSize: input.queueSize,
    // On failure or abort, lib-storage aborts the multipart upload so no parts are left billed.
    leavePartsOnError: false,
    abortController: controller,
  });
  let etag: string | undefined;
  try {
    etag = (await upload.done()).ETag;
  } finally {
    input.signal.removeEventListener('abort', onAbort);
  }
  const multipart = upload.uploadId !== undefined;
  return { multipart, parts: multipart ? Math.max(1, Math.ceil(input.size / input.partSize)) : 1, etag };
}
