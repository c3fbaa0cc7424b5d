/**
 * The record kept beside each downloaded hour (`rawMetaPath`): what was verified when it was
 * downloaded. A raw file counts as complete only when its record exists and matches, so a
 * rerun can skip it after cheap checks (size, gzip magic, the last member's 8-byte trailer:
 * CRC32 + length) without reading 100+ MB; `--verify` re-hashes the whole file.
 */
import { createHash } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import { hasGzipMagic, rawMetaPath, rawPath, writeFileAtomic, type HourKey } from '@ghlake/core';

export const RAW_META_VERSION = 1;

export interface RawMeta {
  version: number;
  hour: HourKey;
  url: string;
  /** Bytes of the .json.gz file. */
  size: number;
  sha256: string;
  /** Bytes all gzip members inflate to; null until the gzip stream has been checked. */
  uncompressedBytes: number | null;
  /**
   * false: stored without inflating it (`checkGzip: false`, as `ghlake run` downloads), so the
   * gzip stream is still to be checked — by the transform that reads it, or by the next
   * checking download. Records without the field were checked.
   */
  gzipChecked?: boolean;
  /** Set when a reader found the gzip stream damaged (`markGzipDamaged`): the next download replaces the file. */
  gzipDamage?: string;
  /** Hex of the file's last 8 bytes (the last member's CRC32 and ISIZE). */
  trailer: string;
  etag?: string;
  lastModified?: string;
  /** ISO time the hour was verified (sha256, size; and the gzip stream when `gzipChecked`). */
  verifiedAt: string;
}

/** The kept file's gzip stream has been checked end to end (records older than the field were). */
export function isGzipChecked(meta: RawMeta): boolean {
  return meta.gzipChecked !== false;
}

/** Record that the kept file inflated completely (the transform read it without damage). */
export async function markGzipChecked(lake: string, hour: HourKey, uncompressedBytes: number, now = new Date()): Promise<boolean> {
  const meta = await readRawMeta(lake, hour);
  if (!meta) return false;
  await writeRawMeta(lake, { ...meta, uncompressedBytes, gzipChecked: true, verifiedAt: now.toISOString() });
  return true;
}

/**
 * Record that a reader (the run's transform) found the kept file's gzip damaged. The next
 * download replaces it at once, without inflating it again to learn what is already known.
 */
export async function markGzipDamaged(lake: string, hour: HourKey, damage: string): Promise<boolean> {
  const meta = await readRawMeta(lake, hour);
  if (!meta) return false;
  await writeRawMeta(lake, { ...meta, gzipChecked: false, gzipDamage: damage });
  return true;
}

/** The file a complete-but-corrupt body is kept under (no reader globs `*.corrupt`). */
export function corruptPath(lake: string, hour: HourKey): string {
  return `${rawPath(lake, hour)}.corrupt`;
}

export async function readRawMeta(lake: string, hour: HourKey): Promise<RawMeta | undefined> {
  let text: string;
  try {
    text = await fs.readFile(rawMetaPath(lake, hour), 'utf8');
  } catch {
    return undefined;
  }
  try {
    const meta = JSON.parse(text) as RawMeta;
    return typeof meta.size === 'number' && typeof meta.sha256 === 'string' && typeof meta.trailer === 'string' ? meta : undefined;
  } catch {
    return undefined; // a damaged record counts as no record
  }
}

export async function writeRawMeta(lake: string, meta: RawMeta): Promise<void> {
  await writeFileAtomic(rawMetaPath(lake, meta.hour), `${JSON.stringify(meta, null, 2)}\n`);
}

export async function sha256File(file: string, signal?: AbortSignal): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20, ...(signal ? { signal } : {}) })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Head bytes (gzip magic) and the 8-byte trailer of a file. */
async function readEnds(file: string, size: number): Promise<{ head: Buffer; trailer: Buffer }> {
  const handle = await fs.open(file, 'r');
  try {
    const head = Buffer.alloc(Math.min(2, size));
    const trailer = Buffer.alloc(Math.min(8, size));
    await handle.read(head, 0, head.length, 0);
    await handle.read(trailer, 0, trailer.length, size - trailer.length);
    return { head, trailer };
  } finally {
    await handle.close();
  }
}

export function trailerHex(lastBytes: Uint8Array): string {
  return Buffer.from(lastBytes.subarray(Math.max(0, lastBytes.length - 8))).toString('hex');
}

export type KeptHour =
  | { state: 'absent' }
  /** A file without a (valid) record: a crash between rename and record, or copied in by hand. */
  | { state: 'unrecorded'; size: number }
  | { state: 'complete'; meta: RawMeta }
  /** Complete as recorded, but its gzip stream was never inflated (`gzipChecked: false`). */
  | { state: 'unchecked'; meta: RawMeta }
  | { state: 'damaged'; reason: string };

/** What the lake already holds for an hour. */
export async function inspectKeptHour(lake: string, hour: HourKey, options: { rehash: boolean; signal?: AbortSignal }): Promise<KeptHour> {
  const file = rawPath(lake, hour);
  let size: number;
  try {
    const stat = await fs.stat(file);
    if (!stat.isFile()) return { state: 'damaged', reason: `${file} is not a regular file` };
    size = stat.size;
  } catch {
    return { state: 'absent' };
  }
  const meta = await readRawMeta(lake, hour);
  if (!meta) return { state: 'unrecorded', size };
  if (meta.gzipDamage !== undefined) return { state: 'damaged', reason: `its gzip was found damaged when read (${meta.gzipDamage})` };
  if (size !== meta.size) return { state: 'damaged', reason: `size ${size} differs from the recorded ${meta.size}` };
  const { head, trailer } = await readEnds(file, size);
  if (!hasGzipMagic(head)) return { state: 'damaged', reason: 'does not start with the gzip magic bytes' };
  if (trailer.toString('hex') !== meta.trailer) return { state: 'damaged', reason: 'its last 8 bytes differ from the recorded gzip trailer' };
  if (options.rehash) {
    const sha256 = await sha256File(file, options.signal);
    if (sha256 !== meta.sha256) return { state: 'damaged', reason: `sha256 ${sha256.slice(0, 12)}… differs from the recorded ${meta.sha256.slice(0, 12)}…` };
  }
  return isGzipChecked(meta) ? { state: 'complete', meta } : { state: 'unchecked', meta };
}
