/**
 * Gold is published so that a reader never sees half-new gold:
 *
 *   1. every gold file goes to an immutable version: `<prefix>/gold/_v/<version>/<table>/part-0.parquet`,
 *      where <version> is a content hash of all gold files (same gold -> same version -> nothing to upload);
 *   2. only when every file of the version is in the bucket, the pointer `<prefix>/gold/_current.json`
 *      is written (a single PUT: readers see the old or the new pointer, never a mix);
 *   3. then the objects of every other version are deleted.
 *
 * Readers (Snowflake, Spark, DuckDB over httpfs) read the pointer first and then only the keys
 * it lists, or the version prefix it names. A reader still holding the previous pointer may find
 * its objects gone after step 3: it rereads the pointer and starts over.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { GOLD_VERSIONS_DIR, goldPointerKey, goldVersionKey, goldVersionPrefix, keyPrefix, objectKey } from './keys.js';
import { SHA256_METADATA } from './put-object.js';
import { listLakeFiles } from './lake-files.js';
import { HashCache, localSha256 } from './checksum.js';

export const GOLD_POINTER_FORMAT = 'ghlake-gold-pointer/1';

/** A gold file as the version is computed from: path below `gold/`, size and sha256. */
export interface GoldFile {
  /** `actor_metrics/part-0.parquet` */
  relInGold: string;
  size: number;
  sha256: string;
}

/** The content of `<prefix>/gold/_current.json`. */
export interface GoldPointer {
  format: typeof GOLD_POINTER_FORMAT;
  version: string;
  /** Key prefix of the version's objects, ending in `/`: `<prefix>/gold/_v/<version>/`. */
  prefix: string;
  /** Table name -> its object keys, e.g. `actor_metrics` -> [`<prefix>/gold/_v/<version>/actor_metrics/part-0.parquet`]. */
  tables: Record<string, string[]>;
  files: { key: string; size: number; sha256: string }[];
  publishedAt: string;
}

/** The version id of a set of gold files: the first 16 hex digits of a sha256 over (path, size, sha256), order-free. */
export function goldVersionOf(files: readonly GoldFile[]): string {
  const lines = files.map((f) => `${f.relInGold}\0${f.size}\0${f.sha256}\n`).sort();
  const hash = createHash('sha256');
  for (const line of lines) hash.update(line);
  return hash.digest('hex').slice(0, 16);
}

export function buildGoldPointer(prefix: string, files: readonly GoldFile[], publishedAt: Date): GoldPointer {
  const version = goldVersionOf(files);
  const sorted = [...files].sort((a, b) => (a.relInGold < b.relInGold ? -1 : a.relInGold > b.relInGold ? 1 : 0));
  const tables: Record<string, string[]> = {};
  for (const f of sorted) (tables[f.relInGold.split('/')[0]!] ??= []).push(goldVersionKey(prefix, version, f.relInGold));
  return {
    format: GOLD_POINTER_FORMAT,
    version,
    prefix: goldVersionPrefix(prefix, version),
    tables,
    files: sorted.map((f) => ({ key: goldVersionKey(prefix, version, f.relInGold), size: f.size, sha256: f.sha256 })),
    publishedAt: publishedAt.toISOString(),
  };
}

/**
 * The gold version `ghlake upload` publishes for the lake as it is now (undefined without gold).
 * Lets a loader find `<prefix>/gold/_v/<version>/` from the local lake without asking S3.
 */
export async function localGoldVersion(lake: string): Promise<string | undefined> {
  const { files } = await listLakeFiles(lake);
  const gold = files.filter((f) => f.layer === 'gold');
  if (gold.length === 0) return undefined;
  const cache = await HashCache.load(lake);
  const hashed: GoldFile[] = [];
  for (const f of gold) {
    const handle = await fs.open(f.path, 'r');
    try {
      const st = await handle.stat();
      const { sha256 } = await localSha256(handle, f, { size: st.size, mtimeMs: st.mtimeMs }, cache);
      hashed.push({ relInGold: f.rel.slice('gold/'.length), size: st.size, sha256 });
    } finally {
      await handle.close();
    }
  }
  await cache.save(false).catch(() => undefined); // only an optimisation
  return goldVersionOf(hashed);
}

/** The current pointer, or undefined when there is none (or it is not ours). */
export async function readGoldPointer(client: S3Client, bucket: string, prefix: string): Promise<GoldPointer | undefined> {
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
    const parsed = JSON.parse(text) as Partial<GoldPointer>;
    return parsed.format === GOLD_POINTER_FORMAT && typeof parsed.version === 'string' ? (parsed as GoldPointer) : undefined;
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

/**
 * Step 3: delete every object below `gold/_v/` that is not in `keepVersion`. `existingKeys` are
 * the keys the run listed at its start (objects of this run's version are never candidates).
 * Returns the deleted keys.
 */
export async function removeOtherGoldVersions(
  client: S3Client,
  bucket: string,
  prefix: string,
  keepVersion: string,
  existingKeys: Iterable<string>,
  concurrency: number,
  onError: (key: string, error: unknown) => void,
): Promise<string[]> {
  const keep = goldVersionPrefix(prefix, keepVersion);
  const versions = keyPrefix(objectKey(prefix, GOLD_VERSIONS_DIR));
  const doomed = [...existingKeys].filter((k) => k.startsWith(versions) && !k.startsWith(keep)).sort();
  const deleted: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < doomed.length) {
      const key = doomed[next++]!;
      try {
        await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
        deleted.push(key);
      } catch (error) {
        onError(key, error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, doomed.length) }, worker));
  return deleted.sort();
}
