/**
 * What the bucket holds below the prefix. A full upload lists it once (1,000 keys a page: which
 * objects exist, their sizes and ETags); an object whose size matches a local file costs a
 * HeadObject to read our sha256 back from its metadata.
 */
import { HeadObjectCommand, paginateListObjectsV2, type S3Client } from '@aws-sdk/client-s3';
import { SHA256_METADATA } from './put-object.js';

export interface RemoteObject {
  key: string;
  size: number;
  etag?: string | undefined;
}

/** Every object below `listPrefix`, by key. */
export async function listRemote(client: S3Client, bucket: string, listPrefix: string, signal?: AbortSignal): Promise<Map<string, RemoteObject>> {
  const out = new Map<string, RemoteObject>();
  const pages = paginateListObjectsV2({ client, pageSize: 1000 }, { Bucket: bucket, ...(listPrefix === '' ? {} : { Prefix: listPrefix }) });
  for await (const page of pages) {
    if (signal?.aborted) break;
    for (const o of page.Contents ?? []) if (o.Key !== undefined) out.set(o.Key, { key: o.Key, size: o.Size ?? 0, etag: o.ETag });
  }
  return out;
}

/** The object's size, ETag and the sha256 we stored on it (`sha256` undefined: uploaded by another tool); undefined when it does not exist. */
export async function remoteHead(
  client: S3Client,
  bucket: string,
  key: string,
  signal?: AbortSignal,
): Promise<{ size: number; etag: string | undefined; sha256: string | undefined } | undefined> {
  try {
    const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }), signal === undefined ? {} : { abortSignal: signal });
    return { size: head.ContentLength ?? -1, etag: head.ETag, sha256: head.Metadata?.[SHA256_METADATA] };
  } catch (error) {
    const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
    if (e.name === 'NotFound' || e.name === 'NoSuchKey' || e.$metadata?.httpStatusCode === 404) return undefined;
    throw error;
  }
}
