/**
 * The one way ghlake inflates an hour file. Node's zlib streams run each step on a libuv
 * thread and hand every output chunk back to the JavaScript thread; at zlib's default 16 KiB
 * chunks a 1 GB hour costs ~65,000 thread round trips. Verifying the 4 × 215 MB hours of
 * pipeline:bench that way took 3.0 CPU-s (1.4 of them in the kernel); 1 MiB chunks take 1.3
 * (docs/bench-download.md). Every reader of raw hours uses this size.
 */
import { createGunzip, type Gunzip } from 'node:zlib';

export const INFLATE_CHUNK_BYTES = 1 << 20;

/** A gunzip stream (multi-member, like `zlib.createGunzip`) that inflates in 1 MiB chunks. */
export function createHourGunzip(): Gunzip {
  return createGunzip({ chunkSize: INFLATE_CHUNK_BYTES });
}

/** Does `head` start with the gzip magic bytes 1f 8b? (Every gzip member does; an HTML error page does not.) */
export function hasGzipMagic(head: Uint8Array): boolean {
  return head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
}
