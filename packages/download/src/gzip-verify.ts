/**
 * A full gzip integrity check without keeping any output: every member is inflated (GH
 * Archive files may hold several concatenated members), each member's CRC32 and length are
 * checked by zlib, and a stream that stops before its last member's trailer is reported as
 * truncated. Bytes are fed as they arrive from the network, so verifying costs no extra
 * pass over the file; zlib's async stream runs on libuv's thread pool, off the event loop.
 *
 * Trailing zero bytes after the last member (padding some tools leave) are tolerated and
 * counted; zlib itself rejects any other trailing bytes as a bad header.
 */
import { once } from 'node:events';
import { createReadStream } from 'node:fs';
import { createGunzip, type Gunzip } from 'node:zlib';
import { ERROR_CODES, GhlakeError } from '@ghlake/core';

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

/** Feed chunks with `push` (awaiting it applies backpressure), then `finish` for the verdict. */
export class GzipVerifier {
  private readonly gunzip: Gunzip;
  private readonly failed: Promise<never>;
  private error: GhlakeError | undefined;
  private fed = 0;
  private inflated = 0;

  constructor() {
    this.gunzip = createGunzip();
    this.gunzip.on('data', (chunk: Buffer) => {
      this.inflated += chunk.length;
    });
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
    if (!this.gunzip.write(chunk)) await Promise.race([once(this.gunzip, 'drain'), this.failed]);
  }

  async finish(): Promise<GzipCheck> {
    if (this.error) throw this.error;
    this.gunzip.end();
    await Promise.race([once(this.gunzip, 'end'), this.failed]);
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
    for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20, ...(signal ? { signal } : {}) })) {
      await verifier.push(chunk as Buffer);
    }
    return await verifier.finish();
  } finally {
    verifier.destroy();
  }
}
