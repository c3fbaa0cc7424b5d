import { promises as fs, readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, INFLATE_CHUNK_BYTES, createHourGunzip, type GhlakeError } from '@ghlake/core';
import { GzipVerifier, verifyGzipFile } from '../src/index.js';
import { REAL, tempDir } from './helpers.js';

async function verifyBytes(bytes: Uint8Array, chunk = 65_536) {
  const v = new GzipVerifier();
  try {
    for (let i = 0; i < bytes.length; i += chunk) await v.push(bytes.subarray(i, i + chunk));
    return await v.finish();
  } finally {
    v.destroy();
  }
}

async function failure(bytes: Uint8Array): Promise<GhlakeError> {
  return verifyBytes(bytes).then(
    () => {
      throw new Error('expected the gzip check to fail');
    },
    (e: GhlakeError) => e,
  );
}

const hour0 = readFileSync(REAL['2015-01-01-0'].file);
const hour15 = readFileSync(REAL['2015-01-01-15'].file);

describe('gzip verification', () => {
  it("regression: inflates in 1 MiB chunks, not zlib's 16 KiB default (3.0 → 1.3 CPU-s to verify 4 generated hours)", async () => {
    const gunzip = createHourGunzip();
    gunzip.end(hour0);
    const sizes: number[] = [];
    for await (const chunk of gunzip) sizes.push((chunk as Buffer).length);
    // 17,796,843 bytes: 16 full chunks and the rest, not 1,087 chunks of 16 KiB.
    expect(INFLATE_CHUNK_BYTES).toBe(1_048_576);
    expect(sizes.length).toBe(17);
    expect(sizes.slice(0, 16).every((n) => n === INFLATE_CHUNK_BYTES)).toBe(true);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(17_796_843);
  });

  it('inflates a real hour to its exact size, from a file and from chunks', async () => {
    expect(await verifyGzipFile(REAL['2015-01-01-0'].file)).toEqual({ compressedBytes: 2_615_399, uncompressedBytes: 17_796_843, trailingBytes: 0 });
    expect(await verifyBytes(hour15, 1_000)).toEqual({ compressedBytes: 3_700_037, uncompressedBytes: 25_837_379, trailingBytes: 0 });
  });

  it('checks every member of a multi-member file (two real hours concatenated)', async () => {
    const both = Buffer.concat([hour0, hour15]);
    expect(await verifyBytes(both)).toEqual({ compressedBytes: 6_315_436, uncompressedBytes: 17_796_843 + 25_837_379, trailingBytes: 0 });
  });

  it('detects a corrupt second member (the first one is fine)', async () => {
    const second = Buffer.from(gzipSync('{"id":"1"}\n'.repeat(1000)));
    second[second.length - 6]! ^= 0xff; // inside the CRC32/ISIZE trailer
    const e = await failure(Buffer.concat([hour0, second]));
    expect(e.code).toBe(ERROR_CODES.GZIP_CORRUPT);
    expect(e.message).toMatch(/^corrupt gzip data: /);
  });

  it('reports a truncated stream, in the last member or cut after the first', async () => {
    const cut = await failure(hour0.subarray(0, 1_000_000));
    expect(cut.code).toBe(ERROR_CODES.GZIP_CORRUPT);
    expect(cut.message).toBe('truncated gzip stream: it ends after 1000000 bytes, inside a member');
    const lostTrailer = await failure(hour0.subarray(0, hour0.length - 4));
    expect(lostTrailer.message).toBe(`truncated gzip stream: it ends after ${2_615_399 - 4} bytes, inside a member`);
    const secondCut = await failure(Buffer.concat([hour0, hour15.subarray(0, 50_000)]));
    expect(secondCut.message).toBe(`truncated gzip stream: it ends after ${2_615_399 + 50_000} bytes, inside a member`);
  });

  it('rejects garbage, an empty body and flipped bytes', async () => {
    expect((await failure(Buffer.from('<html>not found</html>'))).message).toBe('corrupt gzip data: incorrect header check');
    expect((await failure(new Uint8Array(0))).message).toBe('empty body: not a gzip file');
    const flipped = Buffer.from(hour0);
    for (let i = 1_000_000; i < 1_000_016; i++) flipped[i]! ^= 0xff;
    expect((await failure(flipped)).code).toBe(ERROR_CODES.GZIP_CORRUPT);
    expect((await failure(Buffer.concat([hour0, Buffer.from('garbage after the member')]))).code).toBe(ERROR_CODES.GZIP_CORRUPT);
  });

  it('tolerates and counts zero padding after the last member', async () => {
    expect(await verifyBytes(Buffer.concat([hour0, Buffer.alloc(512)]))).toEqual({
      compressedBytes: 2_615_399 + 512,
      uncompressedBytes: 17_796_843,
      trailingBytes: 512,
    });
  });

  it('regression: zero padding arriving after the last member no longer stalls the check waiting for drain', async () => {
    // 256 kB of zeros fed in 16 kB chunks after zlib has stopped consuming: push() used to wait for 'drain' forever.
    const padded = Buffer.concat([hour0, Buffer.alloc(256 * 1024)]);
    expect(await verifyBytes(padded, 16 * 1024)).toEqual({ compressedBytes: 2_615_399 + 262_144, uncompressedBytes: 17_796_843, trailingBytes: 262_144 });
  });

  it('verifies a file on disk the same way (truncated copy)', async () => {
    const dir = tempDir('gz');
    const file = path.join(dir, 'cut.json.gz');
    await fs.writeFile(file, hour15.subarray(0, 123_456));
    await expect(verifyGzipFile(file)).rejects.toMatchObject({ code: ERROR_CODES.GZIP_CORRUPT, details: { truncated: true, compressedBytes: 123_456 } });
  });
});
