/**
 * Reads a raw hour file's decompressed bytes inside the worker, and says how the stream ended:
 * cleanly, or damaged — and then exactly where. The rule (docs/transform.md, "gzip damage"):
 * every byte gunzip produced before the damage is delivered; nothing after it is.
 *
 * Two readers, one rule:
 * - `readRawHour`, the fast path: Node's zlib stream (libuv thread, 1 MiB chunks). On a clean
 *   file (every hour, in practice) it is the only read. But when zlib fails, Node drops the
 *   output of the step that failed — up to a whole chunk of complete lines (504 of them for 15
 *   bytes of trailing garbage after a real 2015 hour) — and it cannot say where in the file.
 * - `readRawHourExactly`, on damage: pako's port of the same inflate, member by member, which
 *   leaves its output position valid when it fails. It delivers every byte decoded before the
 *   damage and reports the damage's kind and byte offset in the file. For a member whose own
 *   check fails (corrupt deflate data, CRC32 or length mismatch) or is never reached (the file
 *   ends inside it), everything it decoded is unverified: `unverifiedFrom` says from where.
 *
 * GH Archive files may hold several gzip members. As zlib and gzip(1) do, bytes after a member
 * that start with a zero byte are padding (ignored); other bytes must be another member — if
 * they are not, that is damage (`trailing_garbage`), after everything before it was verified.
 * A 0-byte file is an empty hour (GH Archive published 0-byte files in 2020), not damage.
 */
import { createReadStream, promises as fs } from 'node:fs';
import { pipeline } from 'node:stream';
import { INFLATE_CHUNK_BYTES, createHourGunzip, hasGzipMagic } from '@ghlake/core';

/** How the stream is damaged: `truncated` (ends inside a member), `corrupt` (a member fails its own check), `trailing_garbage`, `not_gzip`. */
export type DamageKind = 'truncated' | 'corrupt' | 'trailing_garbage' | 'not_gzip';

export interface RawDamage {
  // eslint-disable-next-line @typescript-eslint/no-redundant-type-constituents -- names the known kinds for readers; other codes pass through
  code: DamageKind | string;
  message: string;
  /** Byte offset in the gzip file where the damage was found (the exact reader's; absent when not known). */
  offset?: number;
}

export interface RawReadResult {
  compressedBytes: number;
  damage: RawDamage | undefined;
  /** Decompressed bytes delivered. */
  decompressedBytes: number;
  /**
   * With `corrupt` or `truncated` damage: the decompressed offset where the damaged member's
   * output starts. Its bytes decoded, but the member's check failed or was never reached: they
   * may be garbled anywhere.
   */
  unverifiedFrom?: number;
}

type OnChunk = (chunk: Buffer) => void | Promise<void>;

async function notGzip(rawPath: string, size: number): Promise<RawReadResult | undefined> {
  const head = Buffer.alloc(2);
  const fh = await fs.open(rawPath, 'r');
  try {
    await fh.read(head, 0, 2, 0);
  } finally {
    await fh.close();
  }
  if (hasGzipMagic(head)) return undefined;
  return {
    compressedBytes: size,
    decompressedBytes: 0,
    damage: { code: 'not_gzip', message: 'the file does not start with the gzip magic bytes 1f 8b', offset: 0 },
  };
}

/** The fast path: calls `onChunk` for every decompressed chunk (awaiting it: backpressure), in order. */
export async function readRawHour(rawPath: string, onChunk: OnChunk): Promise<RawReadResult> {
  const { size } = await fs.stat(rawPath);
  if (size === 0) return { compressedBytes: 0, decompressedBytes: 0, damage: undefined };
  const wrong = await notGzip(rawPath, size);
  if (wrong) return wrong;
  const gunzip = createHourGunzip();
  pipeline(createReadStream(rawPath, { highWaterMark: INFLATE_CHUNK_BYTES }), gunzip, () => undefined);
  let delivered = 0;
  try {
    for await (const chunk of gunzip) {
      delivered += (chunk as Buffer).length;
      await onChunk(chunk as Buffer);
    }
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    if (e.code === undefined || !/^Z_|^ERR_ZLIB/.test(e.code)) throw error;
    // Where and what exactly is for the exact reader: Node lost the failing step's output.
    return {
      compressedBytes: size,
      decompressedBytes: delivered,
      damage: { code: e.code === 'Z_BUF_ERROR' ? 'truncated' : 'corrupt', message: `gzip: ${e.message}` },
    };
  }
  return { compressedBytes: size, decompressedBytes: delivered, damage: undefined };
}

/**
 * The exact reader: every byte decoded before the damage is delivered, and the damage is
 * located (kind, byte offset). Slower than zlib (pure JavaScript); used only for damaged files.
 */
export async function readRawHourExactly(rawPath: string, onChunk: OnChunk): Promise<RawReadResult> {
  const { size } = await fs.stat(rawPath);
  if (size === 0) return { compressedBytes: 0, decompressedBytes: 0, damage: undefined };
  const wrong = await notGzip(rawPath, size);
  if (wrong) return wrong;

  // Loaded only for a damaged file: every worker would pay pako's import at start (~10 ms CPU) for a rare path.
  const { ZStream, Z_BUF_ERROR, Z_NO_FLUSH, Z_OK, Z_STREAM_END, zlibInflate, zlibInflateInit2, zlibInflateReset } = await import('pako');
  const strm = new ZStream();
  zlibInflateInit2(strm, 16 + 15); // gzip wrapper only: header, CRC32 and length checked per member
  const output = new Uint8Array(INFLATE_CHUNK_BYTES);
  strm.output = output;
  strm.next_out = 0;
  strm.avail_out = output.length;

  let fileOffset = 0; // file offset of the current input chunk
  let decoded = 0; // bytes delivered
  let members = 0;
  let memberStartOut = 0;
  let memberStartIn = 0;
  let betweenMembers = false; // a member just ended: what follows decides
  let ended = false; // zero padding after a member: the rest is ignored, as zlib does
  const flush = async () => {
    if (strm.next_out === 0) return;
    const chunk = Buffer.from(output.subarray(0, strm.next_out));
    strm.next_out = 0;
    strm.avail_out = output.length;
    decoded += chunk.length;
    await onChunk(chunk);
  };
  const damaged = async (code: DamageKind, message: string, offset: number, unverifiedFrom?: number): Promise<RawReadResult> => {
    await flush();
    return {
      compressedBytes: size,
      decompressedBytes: decoded,
      damage: { code, message, offset },
      ...(unverifiedFrom === undefined ? {} : { unverifiedFrom }),
    };
  };

  for await (const chunk of createReadStream(rawPath, { highWaterMark: INFLATE_CHUNK_BYTES })) {
    const input = chunk as Buffer;
    strm.input = input;
    strm.next_in = 0;
    strm.avail_in = input.length;
    while (strm.avail_in > 0 && !ended) {
      if (betweenMembers) {
        if (input[strm.next_in] === 0) {
          ended = true;
          break;
        }
        zlibInflateReset(strm);
        betweenMembers = false;
        memberStartIn = fileOffset + strm.next_in;
        memberStartOut = decoded + strm.next_out;
      }
      const status = zlibInflate(strm, Z_NO_FLUSH);
      if (strm.avail_out === 0 || status === Z_STREAM_END) await flush();
      if (status === Z_STREAM_END) {
        members++;
        betweenMembers = true;
        continue;
      }
      if (status === Z_BUF_ERROR) break; // more input needed
      if (status === Z_OK) continue; // more output to take
      // An error: strm.next_out still says what was decoded before it (Node's zlib cannot say that).
      const at = fileOffset + strm.next_in;
      const producedNothing = decoded + strm.next_out === memberStartOut;
      if (members > 0 && producedNothing && at - memberStartIn <= 10) {
        return damaged(
          'trailing_garbage',
          `${size - memberStartIn} bytes after the last complete gzip member are not a gzip member (${strm.msg})`,
          memberStartIn,
        );
      }
      return damaged('corrupt', `corrupt gzip data: ${strm.msg} (member ${members + 1}, which starts at byte ${memberStartIn})`, at, memberStartOut);
    }
    fileOffset += input.length;
    if (ended) break;
  }
  await flush();
  if (!betweenMembers && !ended) {
    // Its CRC was never reached: what it decoded is unverified too (bytes replaced by garbage
    // before the cut decode without an error as often as not).
    return damaged('truncated', `the gzip stream ends inside member ${members + 1} (unexpected end of file after ${size} bytes)`, size, memberStartOut);
  }
  return { compressedBytes: size, decompressedBytes: decoded, damage: undefined };
}
