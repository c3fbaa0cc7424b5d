/**
 * Gold is published so that a reader never sees half-new gold:
 *
 *   1. every file of the local gold version that the bucket does not hold yet is uploaded to
 *      `<prefix>/gold/<table>/part-<seq>[-full].parquet` — the lake's own keyed files (core's
 *      keyed-files.ts), immutable: a version shares every unchanged file with the one before, so an
 *      hour's new gold costs its deltas, not the tables;
 *   2. only when every file of the version is in the bucket, the pointer `<prefix>/gold/_current.json`
 *      is written (a single PUT: readers see the old or the new pointer, never a mix). It lists each
 *      table's files, oldest first;
 *   3. files that the new pointer no longer lists are deleted by the NEXT upload run, so a reader
 *      that read the previous pointer just before the switch can still read its files.
 *
 * Readers read the pointer, then each table's listed files with the keyed rule: a key's row is the
 * one in the last listed file that holds it.
 */
import { createHash } from 'node:crypto';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { goldPointerKey, objectKey } from './keys.js';
import { SHA256_METADATA } from './put-object.js';

export const GOLD_POINTER_FORMAT = 'ghlake-gold-pointer/2';

/** A gold file as the pointer lists it: path below `gold/`, size and sha256. */
export interface GoldFile {
  /** `actor_metrics/part-0000000040.parquet` */
  relInGold: string;
  size: number;
  sha256: string;
}

/** The content of `<prefix>/gold/_current.json`. */
export interface GoldPointer {
  format: typeof GOLD_POINTER_FORMAT;
  /** The local gold version (`<lake>/gold-versions/<version>`; the gold commit, zero-padded). */
  version: string;
  /** Table name -> its object keys in seq order (the full file first). */
  tables: Record<string, string[]>;
  files: { key: string; size: number; sha256: string }[];
  publishedAt: string;
}

/** A content hash of gold files (path, size, sha256), order-free: the version of a gold folder that is no local version. */
export function goldVersionOf(files: readonly GoldFile[]): string {
  const lines = files.map((f) => `${f.relInGold}\0${f.size}\0${f.sha256}\n`).sort();
  const hash = createHash('sha256');
  for (const line of lines) hash.update(line);
  return hash.digest('hex').slice(0, 16);
}

export function buildGoldPointer(prefix: string, version: string, files: readonly GoldFile[], publishedAt: Date): GoldPointer {
  // Keyed names sort by seq (10 digits), so name order is the reading order.
  const sorted = [...files].sort((a, b) => (a.relInGold < b.relInGold ? -1 : a.relInGold > b.relInGold ? 1 : 0));
  const tables: Record<string, string[]> = {};
  for (const f of sorted) (tables[f.relInGold.split('/')[0]!] ??= []).push(objectKey(prefix, `gold/${f.relInGold}`));
  return {
    format: GOLD_POINTER_FORMAT,
    version,
    tables,
    files: sorted.map((f) => ({ key: objectKey(prefix, `gold/${f.relInGold}`), size: f.size, sha256: f.sha256 })),
    publishedAt: publishedAt.toISOString(),
  };
}

/** The same gold: same version and the same files. */
export function samePointer(a: Pick<GoldPointer, 'version' | 'files'> | undefined, b: Pick<GoldPointer, 'version' | 'files'>): boolean {
  if (a === undefined || a.version !== b.version || a.files.length !== b.files.length) return false;
  return a.files.every((f, i) => f.key === b.files[i]!.key && f.sha256 === b.files[i]!.sha256);
}

/** The current pointer (either format), or undefined when there is none or it is not ours. */
export async function readGoldPointer(
  client: S3Client,
  bucket: string,
  prefix: string,
): Promise<{ version: string; format: string; files: GoldPointer['files'] } | undefined> {
  let text: string;
  try {
    const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key: goldPointerKey(prefix) }));
    text = (await got.Body?.transformToString('utf-8')) ?? '';
  } catch (error) {
    const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
    if (e.name === 'NoSuchKey' || e.name === 'NotFound' || e.$metadata?.httpStatusCode === 404) return undefined;
    throw error;
  }
  try {
    const parsed = JSON.parse(text) as Partial<GoldPointer> & { format?: string };
    if (typeof parsed.format !== 'string' || !parsed.format.startsWith('ghlake-gold-pointer/') || typeof parsed.version !== 'string') return undefined;
    return { version: parsed.version, format: parsed.format, files: Array.isArray(parsed.files) ? parsed.files : [] };
  } catch {
    return undefined;
  }
}

/** Step 2: switch readers to `pointer.version` with one PUT. */
export async function writeGoldPointer(client: S3Client, bucket: string, prefix: string, pointer: GoldPointer): Promise<void> {
  const body = `${JSON.stringify(pointer, null, 2)}\n`;
  await client.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: goldPointerKey(prefix),
      Body: body,
      ContentType: 'application/json',
      CacheControl: 'no-cache',
      Metadata: { [SHA256_METADATA]: createHash('sha256').update(body).digest('hex') },
    }),
  );
}
