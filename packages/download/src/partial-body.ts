/**
 * A body being written to its temporary file, with the checks that run over it (sha256, the
 * gzip inflate, the first and last bytes). It outlives a failed attempt when the transfer can
 * be resumed: the next request asks only for the rest (`Range: bytes=<bytes>-` with `If-Range`),
 * and appends to the same file while the same hash and inflate carry on. A resumed download is
 * therefore byte-for-byte and check-for-check the same as one uninterrupted transfer.
 *
 * Bytes are counted only once they are on disk, hashed and inflated; a chunk that fails any of the
 * three breaks the body (no resume), so a resumable body's `bytes` is exactly the file's length
 * and its hash and inflate cover exactly those bytes.
 *
 * A body that could be resumed is written under the hour's stable `.partial-` name with its
 * identity beside it (kept-partial.ts): a run stopped by Ctrl-C or killed leaves it, and the next
 * run reopens it (`readBack` re-hashes and re-inflates the bytes on disk) and asks for the rest.
 */
import { createHash, type Hash } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import { Writable } from 'node:stream';
import { INFLATE_CHUNK_BYTES } from '@ghlake/core';
import { GzipVerifier } from './gzip-verify.js';

/** The If-Range value for a response's ETag and Last-Modified, if it allows resuming. */
export function validatorOf(etag: string | undefined, lastModified: string | undefined): string | undefined {
  // A weak ETag (W/"...") does not promise identical bytes: only Last-Modified then.
  return etag !== undefined && !etag.startsWith('W/') ? etag : lastModified;
}

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
  /** The first response's ETag and Last-Modified: a 206 that names another version is not appended. */
  etag: string | undefined;
  lastModified: string | undefined;
  /** A chunk failed to be written or inflated: never resume from this body. */
  private broken = false;
  /** The chunk being appended: a failed pipeline does not wait for it, `settle` does. */
  private pending: Promise<void> = Promise.resolve();

  constructor(
    readonly tmp: string,
    checkGzip: boolean,
    /** The identity file of a body kept across runs (`.partial-…json`), removed with it. */
    readonly identityFile?: string,
  ) {
    this.verifier = checkGzip ? new GzipVerifier() : undefined;
  }

  /**
   * Take in the bytes a stopped run left in `tmp` (all of them: every byte on disk arrived in
   * order): hash them, inflate them when the gzip is checked, and count them. Throws when they do
   * not inflate (the caller then starts over).
   */
  async readBack(signal: AbortSignal): Promise<void> {
    for await (const chunk of createReadStream(this.tmp, { highWaterMark: INFLATE_CHUNK_BYTES, signal })) {
      const c = chunk as Buffer;
      if (this.verifier) await this.verifier.push(c);
      this.hash.update(c);
      this.noteEnds([c]);
      this.bytes += c.length;
    }
    await this.verifier?.settled();
  }

  /** If-Range value: the first response's strong ETag, else its Last-Modified (resume needs one). */
  get validator(): string | undefined {
    return validatorOf(this.etag, this.lastModified);
  }

  /** Can the next attempt ask for the rest instead of starting over? */
  get resumable(): boolean {
    return !this.broken && this.bytes > 0 && this.size !== undefined && this.bytes < this.size && this.validator !== undefined;
  }

  /** Remember what identifies this version of the file (called with the first response's headers). */
  identify(size: number | undefined, etag: string | undefined, lastModified: string | undefined): void {
    this.size = size;
    this.etag = etag;
    this.lastModified = lastModified;
  }

  /** A Writable that appends chunks to the file while feeding the checks, then reports them to `onBytes`. */
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
      // Chunks that queued while the previous ones were written go down together (one writev).
      writev: (entries, callback) => {
        const chunks = entries.map((e) => e.chunk as Buffer);
        this.pending = this.append(handle, chunks).then((n) => onBytes(n));
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

  /**
   * Write, inflate and hash one chunk at once (disk and zlib on libuv's threads, sha256 here).
   * Any failure breaks the body for good: the file, the hash and the inflate may then disagree.
   */
  private async append(handle: fs.FileHandle, chunks: Buffer[]): Promise<number> {
    const verifier = this.verifier;
    let n = 0;
    try {
      const written = writeAll(handle, chunks);
      const inflated = verifier ? pushAll(verifier, chunks) : undefined;
      for (const c of chunks) {
        this.hash.update(c);
        n += c.length;
      }
      await Promise.all([written, inflated]);
    } catch (error) {
      this.broken = true;
      throw error;
    }
    this.noteEnds(chunks);
    this.bytes += n;
    return n;
  }

  /** Keep the first two and the last eight bytes seen. */
  private noteEnds(chunks: Buffer[]): void {
    for (const chunk of chunks) {
      if (this.head.length < 2) this.head = Buffer.concat([this.head, chunk.subarray(0, 2 - this.head.length)]);
      this.tail = chunk.length >= 8 ? Buffer.from(chunk.subarray(-8)) : Buffer.concat([this.tail, chunk]).subarray(-8);
    }
  }

  /**
   * Is a 206 answer the same version of the file? Its Content-Range must continue ours exactly,
   * and an ETag or Last-Modified it sends must be the first response's (a server that applies
   * Range but ignores If-Range would otherwise splice two versions).
   */
  continuedBy(contentRange: { start: number; size: number } | undefined, etag: string | undefined, lastModified: string | undefined): boolean {
    if (!contentRange || contentRange.start !== this.bytes || contentRange.size !== this.size) return false;
    if (etag !== undefined && this.etag !== undefined && etag !== this.etag) return false;
    return lastModified === undefined || this.lastModified === undefined || lastModified === this.lastModified;
  }

  /** Wait for the chunk in flight (after a failed transfer): then `bytes`, the file and the hash agree. */
  async settle(): Promise<void> {
    await this.pending.catch(() => undefined);
  }

  /** Give it up: stop the inflate, remove the temporary file (and its identity). */
  async discard(): Promise<void> {
    await this.settle();
    this.verifier?.destroy();
    await fs.rm(this.tmp, { force: true });
    if (this.identityFile) await fs.rm(this.identityFile, { force: true });
  }

  /**
   * The run is stopping (Ctrl-C): leave a body kept across runs on disk for the next run to
   * resume; anything else is discarded.
   */
  async leave(): Promise<void> {
    await this.settle();
    if (!this.identityFile || !this.resumable) return this.discard();
    this.verifier?.destroy();
  }

  /** The body became the hour's file (renamed into place): its identity goes too. */
  async completed(): Promise<void> {
    this.verifier?.destroy();
    if (this.identityFile) await fs.rm(this.identityFile, { force: true });
  }
}

async function pushAll(verifier: GzipVerifier, chunks: Buffer[]): Promise<void> {
  for (const c of chunks) await verifier.push(c);
}

/** All of `chunks`, in order, however many bytes each writev call takes. */
async function writeAll(handle: fs.FileHandle, chunks: Buffer[]): Promise<void> {
  let rest = chunks;
  while (rest.length > 0) {
    let { bytesWritten } = await handle.writev(rest);
    let i = 0;
    while (i < rest.length && bytesWritten >= rest[i]!.length) bytesWritten -= rest[i++]!.length;
    rest = i < rest.length ? [rest[i]!.subarray(bytesWritten), ...rest.slice(i + 1)] : [];
  }
}
