/**
 * The sha256 of each lake file, stored in object metadata (`x-amz-meta-sha256`) at upload
 * and compared on the next run: an ETag is no content hash for multipart objects, so it
 * cannot tell "unchanged" by itself.
 *
 * Hashing a whole lake on every run would cost as much as reading it, so a file's hash is
 * taken, in this order, from: the download's verification record beside a raw hour
 * (`rawMetaPath`, when its size matches), the upload record (upload-state.ts: the hash of the
 * file it uploaded, while size and mtime are unchanged), or a streaming read.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';

const SHA256_HEX = /^[0-9a-f]{64}$/;

/** sha256 (hex) of everything readable through `handle`, from byte 0, streaming. */
export async function sha256OfHandle(handle: FileHandle): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of handle.createReadStream({ start: 0, autoClose: false })) hash.update(chunk as Buffer);
  return hash.digest('hex');
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

/**
 * The hash of an open lake file, from the cheapest source that is still trustworthy: the download's
 * record beside a raw hour, the upload record's row for this file when its size and mtime are the
 * ones recorded, or a streaming read.
 */
export async function localSha256(
  handle: FileHandle,
  file: { path: string; layer: string },
  stat: { size: number; mtimeMs: number },
  recorded: { size: number; sha256: string; mtimeMs?: number | undefined } | undefined,
): Promise<{ sha256: string; source: 'raw-meta' | 'record' | 'read' }> {
  if (file.layer === 'raw') {
    const fromMeta = await rawMetaSha256(file.path, stat.size);
    if (fromMeta !== undefined) return { sha256: fromMeta, source: 'raw-meta' };
  }
  if (recorded && recorded.sha256 !== '' && recorded.size === stat.size && recorded.mtimeMs === stat.mtimeMs)
    return { sha256: recorded.sha256, source: 'record' };
  return { sha256: await sha256OfHandle(handle), source: 'read' };
}
