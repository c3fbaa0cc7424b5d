/**
 * Streams a raw hour file's decompressed bytes inside the worker, and says how the stream
 * ended: cleanly, or damaged (truncated or corrupt gzip) with the reason. Everything that
 * decompressed before the damage is delivered first, so no complete line is lost.
 *
 * A 0-byte file is an empty hour (GH Archive published 0-byte files in 2020), not damage.
 */
import { createReadStream, promises as fs } from 'node:fs';
import { pipeline } from 'node:stream';
import { INFLATE_CHUNK_BYTES, createHourGunzip, hasGzipMagic } from '@ghlake/core';

export interface RawDamage {
  /** zlib's code (Z_BUF_ERROR for a truncated file, Z_DATA_ERROR for corrupt data) or NOT_GZIP. */
  code: string;
  message: string;
}

export interface RawReadResult {
  compressedBytes: number;
  damage: RawDamage | undefined;
}

/** Calls `onChunk` for every decompressed chunk (awaiting it: backpressure), in order. */
export async function readRawHour(rawPath: string, onChunk: (chunk: Buffer) => void | Promise<void>): Promise<RawReadResult> {
  const { size } = await fs.stat(rawPath);
  if (size === 0) return { compressedBytes: 0, damage: undefined };
  const head = Buffer.alloc(2);
  const fh = await fs.open(rawPath, 'r');
  try {
    await fh.read(head, 0, 2, 0);
  } finally {
    await fh.close();
  }
  if (!hasGzipMagic(head)) {
    return { compressedBytes: size, damage: { code: 'NOT_GZIP', message: 'the file does not start with the gzip magic bytes 1f 8b' } };
  }
  const gunzip = createHourGunzip();
  pipeline(createReadStream(rawPath, { highWaterMark: INFLATE_CHUNK_BYTES }), gunzip, () => undefined);
  try {
    for await (const chunk of gunzip) await onChunk(chunk as Buffer);
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    if (e.code === undefined || !/^Z_|^ERR_ZLIB/.test(e.code)) throw error;
    return { compressedBytes: size, damage: { code: e.code, message: `gzip: ${e.message}` } };
  }
  return { compressedBytes: size, damage: undefined };
}
