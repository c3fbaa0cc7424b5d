/**
 * Multipart uploads left behind by a run that died (SIGKILL, power loss) keep their parts
 * stored and billed. An interrupted upload is not resumed: at the start of each run, every
 * incomplete multipart upload below the prefix that was initiated before this run started
 * is aborted, and its file is uploaded again from the start. (lib-storage aborts its own
 * multipart uploads on errors and Ctrl-C; this catches the ones no process survived to abort.)
 *
 * Not every S3-compatible store implements ListMultipartUploads (s3rver does not): then the
 * step reports `supported: false` and the run goes on; a bucket lifecycle rule
 * (AbortIncompleteMultipartUpload) is the backstop there.
 */
import { AbortMultipartUploadCommand, ListMultipartUploadsCommand, type S3Client } from '@aws-sdk/client-s3';

export interface StaleMultipartResult {
  /** false: the store does not implement ListMultipartUploads (or we may not call it). */
  supported: boolean;
  aborted: { key: string; uploadId: string }[];
  /** Why the step could not run or an abort failed (never fatal). */
  warnings: string[];
}

function errorSummary(error: unknown): { name: string; status: number | undefined; text: string } {
  const e = error as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const name = e?.name ?? 'Error';
  return { name, status: e?.$metadata?.httpStatusCode, text: `${name}: ${(e?.message ?? '').split('\n')[0]}` };
}

export async function abortStaleMultipartUploads(
  client: S3Client,
  bucket: string,
  listPrefix: string,
  initiatedBefore: Date,
  signal?: AbortSignal,
): Promise<StaleMultipartResult> {
  const result: StaleMultipartResult = { supported: true, aborted: [], warnings: [] };
  const stale: { key: string; uploadId: string }[] = [];
  let keyMarker: string | undefined;
  let uploadIdMarker: string | undefined;
  try {
    for (;;) {
      const page = await client.send(
        new ListMultipartUploadsCommand({
          Bucket: bucket,
          ...(listPrefix === '' ? {} : { Prefix: listPrefix }),
          ...(keyMarker === undefined ? {} : { KeyMarker: keyMarker }),
          ...(uploadIdMarker === undefined ? {} : { UploadIdMarker: uploadIdMarker }),
        }),
        signal === undefined ? {} : { abortSignal: signal },
      );
      for (const u of page.Uploads ?? []) {
        if (u.Key === undefined || u.UploadId === undefined) continue;
        if (u.Initiated === undefined || u.Initiated < initiatedBefore) stale.push({ key: u.Key, uploadId: u.UploadId });
      }
      if (!page.IsTruncated) break;
      keyMarker = page.NextKeyMarker;
      uploadIdMarker = page.NextUploadIdMarker;
      if (keyMarker === undefined && uploadIdMarker === undefined) break;
    }
  } catch (error) {
    const { name, status, text } = errorSummary(error);
    result.supported = false;
    if (!(name === 'NotImplemented' || status === 501 || status === 405 || name === 'MethodNotAllowed')) {
      result.warnings.push(`could not list incomplete multipart uploads (${text}); a lifecycle rule AbortIncompleteMultipartUpload cleans them up`);
    }
    return result;
  }
  for (const u of stale) {
    try {
      await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: u.key, UploadId: u.uploadId }));
      result.aborted.push(u);
    } catch (error) {
      const { name, text } = errorSummary(error);
      if (name === 'NoSuchUpload') continue; // finished or aborted meanwhile
      result.warnings.push(`could not abort the stale multipart upload of ${u.key} (${text})`);
    }
  }
  return result;
}
