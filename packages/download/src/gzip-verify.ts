/**
 * A full gzip integrity check without keeping any output: every member is inflated (GH
 * Archive files may hold several concatenated members), each member's CRC32 and length are
 * checked by zlib, and a stream that stops before its last member's trailer is reported as
 * truncated. Bytes are fed as they arrive from the network, so verifying costs no extra
 * pass over the file; zlib's async stream runs on libuv's thread pool, off the event loop.
 *
 * Bytes after the last member that start with a zero byte (padding some tools leave) are
 * ignored, as zlib and gzip(1) do, and counted in `trailingBytes`; any other trailing bytes
 * are parsed as a next member and rejected as a bad header.
 */
import { createReadStream } from 'node:fs';
import type { Gunzip } from 'node:zlib';
import { ERROR_CODES, GhlakeError, INFLATE_CHUNK_BYTES, createHourGunzip, hasGzipMagic } from '@ghlake/core';

export interface GzipCheck {
  /** Bytes fed in. */
  compressedBytes: number;
  /** Bytes the members inflate to. */
  uncompressedBytes: number;
  /** Bytes after the last member that zlib ignored (zero padding). */
  trailingBytes: number;
}

function corrupt(error: NodeJS.ErrnoException, fedBytes: number): GhlakeError {
  const truncated = error.code === 'Z_BUF_ERROR';
  const message = truncated
    ? fedBytes === 0
      ? 'empty body: not a gzip file'
      : `truncated gzip stream: it ends after ${fedBytes} bytes, inside a member`
    : `corrupt gzip data: ${error.message}`;
  return new GhlakeError(ERROR_CODES.GZIP_CORRUPT, message, {
    cause: error,
    retryable: true,
    hint: 'the file was damaged in transit or is damaged at the source; it is retried, then reported',
    details: { zlib: error.code, compressedBytes: fedBytes, truncated },
  });
}

/** Resolve when `emitter` emits any of `events` (listeners removed after, so nothing piles up). */
function firstOf(emitter: NodeJS.EventEmitter, events: string[]): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      for (const e of events) emitter.off(e, done);
      resolve();
    };
    for (const e of events) emitter.on(e, done);
  });
}

/**
 * The check a download makes without inflating (`checkGzip: false`): the body starts with the
 * gzip magic bytes. Catches an HTML error page or a plain file served with HTTP 200 at once;
 * damage inside the stream is left to whoever inflates the file.
 */
export function notGzipError(head: Uint8Array, fedBytes: number): GhlakeError | undefined {
  if (hasGzipMagic(head)) return undefined;
  const message =
    fedBytes < 2
      ? `a ${fedBytes}-byte body is not a gzip file`
      : `not a gzip file: it starts with ${Buffer.from(head.subarray(0, 2)).toString('hex')}, not the gzip magic bytes 1f8b`;
  return new GhlakeError(ERROR_CODES.GZIP_CORRUPT, message, {
    retryable: true,
    hint: 'the server answered 200 with something that is not an hour file; it is retried, then reported',
    details: { compressedBytes: fedBytes, truncated: false },
  });
}

/** Feed chunks with `push` (awaiting it applies backpressure), then `finish` for the verdict. */
export class GzipVerifier {
  private readonly gunzip: Gunzip;
  private readonly failed: Promise<never>;
  private error: GhlakeError | undefined;
  /** zlib saw the end of the last member followed by padding: it consumes nothing more. */
  private ended = false;
  private readonly endedPromise: Promise<void>;
  private fed = 0;
  private inflated = 0;

  constructor() {
    this.gunzip = createHourGunzip();
    this.gunzip.on('data', (chunk: Buffer) => {
      this.inflated += chunk.length;
    });
    this.endedPromise = new Promise((resolve) =>
      this.gunzip.once('end', () => {
        this.ended = true;
        resolve();
      }),
    );
    this.failed = new Promise<never>((_resolve, reject) => {
      this.gunzip.on('error', (error: NodeJS.ErrnoException) => {
        this.error ??= corrupt(error, this.fed);
        reject(this.error);
      });
    });
    this.failed.catch(() => undefined); // observed through push/finish
  }

  async push(chunk: Uint8Array): Promise<void> {
    if (this.error) throw this.error;
    this.fed += chunk.length;
    if (this.ended) return; // padding after the last member: counted, not inflated
    // zlib stops reading at padding after the last member, so 'drain' may never come: 'end' also releases the wait.
    if (!this.gunzip.write(chunk)) await Promise.race([firstOf(this.gunzip, ['drain', 'end', 'close']), this.failed]);
  }

  /** Wait until every byte pushed so far has gone through the inflate: damage in them has failed by then. */
  async settled(): Promise<void> {
    if (this.error) throw this.error;
    if (this.ended) return;
    await Promise.race([new Promise<void>((resolve) => this.gunzip.flush(() => resolve())), this.endedPromise, this.failed]);
  }

  async finish(): Promise<GzipCheck> {
    if (this.error) throw this.error;
    if (!this.ended) {
      this.gunzip.end();
      await Promise.race([this.endedPromise, this.failed]);
    }
    return { compressedBytes: this.fed, uncompressedBytes: this.inflated, trailingBytes: this.fed - this.gunzip.bytesWritten };
  }

  /** Stop early (the download failed for another reason). */
  destroy(): void {
    this.gunzip.destroy();
  }
}

/** Verify a gzip file on disk, streaming. */
export async function verifyGzipFile(file: string, signal?: AbortSignal): Promise<GzipCheck> {
  const verifier = new GzipVerifier();
  try {
    for await (const chunk of createReadStream(file, { highWaterMark: INFLATE_CHUNK_BYTES, ...(signal ? { signal } : {}) })) {
      await verifier.push(chunk as Buffer);
    }
    return await verifier.finish();
  } finally {
    verifier.destroy();
  }
}
