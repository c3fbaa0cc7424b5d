/**
 * The sha256 of each lake file, stored in object metadata (`x-amz-meta-sha256`) at upload
 * and compared on the next run: an ETag is no content hash for multipart objects, so it
 * cannot tell "unchanged" by itself.
 *
 * Hashing a whole lake on every run would cost as much as reading it, so a file's hash is
 * taken, in this order, from: the download's verification record beside a raw hour
 * (`rawMetaPath`, when its size matches), the upload's own cache in
 * `_state/upload-hashes.json` (keyed by path, size and mtime), or a streaming read.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { STATE_FILE_MODE, stateDir, writeFileAtomic } from '@ghlake/core';

const SHA256_HEX = /^[0-9a-f]{64}$/;

/** sha256 (hex) of everything readable through `handle`, from byte 0, streaming. */
export async function sha256OfHandle(handle: FileHandle): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of handle.createReadStream({ start: 0, autoClose: false })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export async function sha256OfFile(file: string): Promise<string> {
  const handle = await fs.open(file, 'r');
  try {
    return await sha256OfHandle(handle);
  } finally {
    await handle.close();
  }
}

/**
 * The sha256 the download recorded beside a raw hour, if the record exists and describes a
 * file of this size (the record is `<file>.meta.json` with `sha256` and `bytes` or `size`).
 */
export async function rawMetaSha256(file: string, size: number): Promise<string | undefined> {
  let meta: unknown;
  try {
    meta = JSON.parse(await fs.readFile(`${file}.meta.json`, 'utf8'));
  } catch {
    return undefined;
  }
  if (typeof meta !== 'object' || meta === null) return undefined;
  const record = meta as { sha256?: unknown; bytes?: unknown; size?: unknown };
  const recordedSize = typeof record.bytes === 'number' ? record.bytes : record.size;
  if (typeof record.sha256 !== 'string' || !SHA256_HEX.test(record.sha256) || recordedSize !== size) return undefined;
  return record.sha256;
}

interface CacheEntry {
  size: number;
  mtimeMs: number;
  sha256: string;
}

/** `_state/upload-hashes.json`: hashes of lake files by path, valid while size and mtime hold. */
export class HashCache {
  private readonly seen = new Map<string, CacheEntry>();
  private dirty = false;

  private constructor(
    readonly file: string,
    private readonly entries: Map<string, CacheEntry>,
  ) {}

  static pathFor(lake: string): string {
    return path.join(stateDir(lake), 'upload-hashes.json');
  }

  /** A missing or unreadable cache is an empty one: it only saves work. */
  static async load(lake: string): Promise<HashCache> {
    const file = HashCache.pathFor(lake);
    const entries = new Map<string, CacheEntry>();
    try {
      const parsed = JSON.parse(await fs.readFile(file, 'utf8')) as { files?: Record<string, CacheEntry> };
      for (const [rel, e] of Object.entries(parsed.files ?? {})) {
        if (typeof e?.size === 'number' && typeof e.mtimeMs === 'number' && typeof e.sha256 === 'string' && SHA256_HEX.test(e.sha256)) entries.set(rel, e);
      }
    } catch {
      // no cache yet
    }
    return new HashCache(file, entries);
  }

  get(rel: string, size: number, mtimeMs: number): string | undefined {
    const e = this.entries.get(rel);
    if (e === undefined || e.size !== size || e.mtimeMs !== mtimeMs) return undefined;
    this.seen.set(rel, e);
    return e.sha256;
  }

  set(rel: string, size: number, mtimeMs: number, sha256: string): void {
    const e = { size, mtimeMs, sha256 };
    this.entries.set(rel, e);
    this.seen.set(rel, e);
    this.dirty = true;
  }

  /**
   * Write the cache. `prune` (a run that saw the whole lake) keeps only the files used in this
   * run, so files gone from the lake drop out; an interrupted run keeps everything.
   */
  async save(prune: boolean): Promise<void> {
    const keep = prune ? this.seen : this.entries;
    if (!this.dirty && keep.size === this.entries.size) return;
    const files = Object.fromEntries([...keep.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    await writeFileAtomic(this.file, `${JSON.stringify({ version: 1, files }, null, 1)}\n`, { mode: STATE_FILE_MODE });
    this.dirty = false;
  }
}

/** The hash of an open lake file, from the cheapest source that is still trustworthy. */
export async function localSha256(
  handle: FileHandle,
  file: { path: string; rel: string; layer: string },
  stat: { size: number; mtimeMs: number },
  cache: HashCache,
): Promise<{ sha256: string; source: 'raw-meta' | 'cache' | 'read' }> {
  if (file.layer === 'raw') {
    const fromMeta = await rawMetaSha256(file.path, stat.size);
    if (fromMeta !== undefined) return { sha256: fromMeta, source: 'raw-meta' };
  }
  const cached = cache.get(file.rel, stat.size, stat.mtimeMs);
  if (cached !== undefined) return { sha256: cached, source: 'cache' };
  const sha256 = await sha256OfHandle(handle);
  cache.set(file.rel, stat.size, stat.mtimeMs, sha256);
  return { sha256, source: 'read' };
}
