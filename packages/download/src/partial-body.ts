/**
 * A body being written to its temporary file, with the checks that run over it (sha256, the
 * gzip inflate, the first and last bytes). It outlives a failed attempt when the transfer can
 * be resumed: the next request asks only for the rest (`Range: bytes=<bytes>-` with `If-Range`),
 * and appends to the same file while the same hash and inflate carry on. A resumed download is
 * therefore byte-for-byte and check-for-check the same as one uninterrupted transfer.
 *
 * Bytes are counted only once they are on disk (the sink writes, then hashes), so after any
 * failure `bytes` is exactly the file's length and the hash covers exactly those bytes.
 */
import { createHash, type Hash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { Writable } from 'node:stream';
import { GzipVerifier } from './gzip-verify.js';

export class PartialBody {
  readonly hash: Hash = createHash('sha256');
  readonly verifier: GzipVerifier | undefined;
  /** Bytes on disk, hashed and checked. */
  bytes = 0;
  /** The first two bytes (gzip magic) and the last eight (the gzip trailer) seen so far. */
  head: Buffer = Buffer.alloc(0);
  tail: Buffer = Buffer.alloc(0);
  /** The whole file's size, from the first response's Content-Length (resume needs it). */
  size: number | undefined;
  /** If-Range value: the first response's strong ETag, else its Last-Modified (resume needs one). */
  validator: string | undefined;
  /** The chunk being appended: a failed pipeline does not wait for it, `settle` does. */
  private pending: Promise<void> = Promise.resolve();

  constructor(
    readonly tmp: string,
    checkGzip: boolean,
  ) {
    this.verifier = checkGzip ? new GzipVerifier() : undefined;
  }

  /** Can the next attempt ask for the rest instead of starting over? */
  get resumable(): boolean {
    return this.bytes > 0 && this.size !== undefined && this.bytes < this.size && this.validator !== undefined;
  }

  /** Remember what identifies this version of the file (called with the first response's headers). */
  identify(size: number | undefined, etag: string | undefined, lastModified: string | undefined): void {
    this.size = size;
    // A weak ETag (W/"...") does not promise identical bytes: only Last-Modified then.
    this.validator = etag !== undefined && !etag.startsWith('W/') ? etag : lastModified;
  }

  /** A Writable that appends each chunk to the file, then feeds the checks and `onBytes`. */
  async sink(onBytes: (n: number) => void): Promise<Writable> {
    const handle = await fs.open(this.tmp, this.bytes === 0 ? 'wx' : 'a');
    let closed = false;
    const close = async () => {
      if (closed) return;
      closed = true;
      await handle.close();
    };
    return new Writable({
      highWaterMark: 1 << 20,
      write: (chunk: Buffer, _encoding, callback) => {
        this.pending = this.append(handle, chunk).then(() => onBytes(chunk.length));
        this.pending.then(() => callback(), callback);
      },
      final: (callback) => {
        close().then(() => callback(), callback);
      },
      destroy: (error, callback) => {
        // A chunk still being written finishes first: what it adds is counted, then the file closes.
        this.settle()
          .then(close)
          .then(
            () => callback(error),
            () => callback(error),
          );
      },
    });
  }

  private async append(handle: fs.FileHandle, chunk: Buffer): Promise<void> {
    for (let off = 0; off < chunk.length; ) {
      const { bytesWritten } = await handle.write(chunk, off, chunk.length - off);
      off += bytesWritten;
    }
    this.hash.update(chunk);
    if (this.head.length < 2) this.head = Buffer.concat([this.head, chunk.subarray(0, 2 - this.head.length)]);
    this.tail = chunk.length >= 8 ? Buffer.from(chunk.subarray(-8)) : Buffer.concat([this.tail, chunk]).subarray(-8);
    this.bytes += chunk.length;
    if (this.verifier) await this.verifier.push(chunk);
  }

  /** Wait for the chunk in flight (after a failed transfer): then `bytes`, the file and the hash agree. */
  async settle(): Promise<void> {
    await this.pending.catch(() => undefined);
  }

  /** Give it up: stop the inflate, remove the temporary file. */
  async discard(): Promise<void> {
    await this.settle();
    this.verifier?.destroy();
    await fs.rm(this.tmp, { force: true });
  }
}
