/**
 * What the bucket already holds below the prefix. One listing per run (1,000 keys a page)
 * tells which objects exist and their sizes; only objects whose size matches a local file
 * cost a HeadObject to read our sha256 back from their metadata.
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

/** The sha256 we stored on the object, `undefined` when it has none (uploaded by another tool) or is gone. */
export async function remoteSha256(client: S3Client, bucket: string, key: string, signal?: AbortSignal): Promise<string | undefined> {
  try {
    const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }), signal === undefined ? {} : { abortSignal: signal });
    return head.Metadata?.[SHA256_METADATA];
  } catch (error) {
    const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
    if (e.name === 'NotFound' || e.name === 'NoSuchKey' || e.$metadata?.httpStatusCode === 404) return undefined;
    throw error;
  }
}
