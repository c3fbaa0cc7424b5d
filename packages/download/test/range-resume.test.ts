/**
 * Resuming a body cut short (HTTP Range). After a failure of the transfer itself (reset, short
 * body, stall) the bytes on disk stay, and the next attempt asks for the rest with `If-Range`
 * naming the version it has; anything else starts over: a server that ignores ranges, a file
 * that changed in between, and bytes that failed the gzip check.
 */
import { createHash } from 'node:crypto';
import { promises as fs, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ERROR_CODES, rawMetaPath, type HourKey } from '@ghlake/core';
import { downloadHours, formatSummary, type RetryEvent } from '../src/index.js';
import type { MirrorFaults } from '../../../tools/mirror/faults.js';
import { PACED, listFiles, mirrorRoot, REAL, startMirror, tempDir, testConfig, type Mirror } from './helpers.js';

const H15 = '2015-01-01-15' as HourKey;
const R0 = REAL['2015-01-01-0'];
const R15 = REAL['2015-01-01-15'];
let mirror: Mirror | undefined;
afterEach(async () => {
  await mirror?.close();
  mirror = undefined;
});

async function serve(faults: MirrorFaults) {
  const root = await mirrorRoot({ [H15]: R15.file });
  mirror = await startMirror({ root, faults });
  return { root, lake: tempDir('resume'), requests: () => mirror!.requestsFor(H15).map((r) => [r.status, r.range ?? null]) };
}

describe('resuming a cut-short body', () => {
  it('a server without range support answers 200: the whole file comes again, and is still exact', async () => {
    const { lake, requests } = await serve({ [H15]: { noRanges: true, reset: { afterBytes: 1_000_000, times: 1 }, bytesPerSecond: PACED } });
    const retries: RetryEvent[] = [];
    const s = await downloadHours(testConfig(lake, mirror!.url), [H15], { onRetry: (e) => retries.push(e) });
    const kept = retries[0]!.keptBytes;
    expect(kept).toBeGreaterThan(0); // a strong ETag and a length: worth asking
    expect(requests()).toEqual([
      [200, null],
      [200, `bytes=${kept}-`],
    ]);
    expect(s.results[0]).toMatchObject({ status: 'downloaded', sha256: R15.sha256, bytes: 3_700_037 });
    expect(s.results[0]!.resumedBytes).toBeUndefined();
    expect(s.receivedBytes).toBe(kept + 3_700_037);
  });

  it('a file that changed on the server in between fails If-Range: the new version comes whole, never a splice of two', async () => {
    const { root, lake, requests } = await serve({ [H15]: { reset: { afterBytes: 1_000_000, times: 1 }, bytesPerSecond: PACED } });
    const s = await downloadHours(testConfig(lake, mirror!.url), [H15], {
      // Between the attempts, the server's file becomes another hour's bytes (other size, other ETag).
      onRetry: () => writeFileSync(path.join(root, `${H15}.json.gz`), readFileSync(R0.file)),
    });
    expect(requests().map(([status]) => status)).toEqual([200, 200]);
    expect(requests()[1]![1]).toMatch(/^bytes=\d+-$/);
    expect(s.results[0]).toMatchObject({ status: 'downloaded', sha256: R0.sha256, bytes: 2_615_399 });
    expect(JSON.parse(await fs.readFile(rawMetaPath(lake, H15), 'utf8'))).toMatchObject({ size: 2_615_399, uncompressedBytes: R0.uncompressed });
  });

  it('a server that ignores If-Range and answers 206 from a changed file (same size, new ETag) is not spliced: the next attempt starts over', async () => {
    const { root, lake, requests } = await serve({ [H15]: { ignoreIfRange: true, reset: { afterBytes: 1_000_000, times: 1 }, bytesPerSecond: PACED } });
    const changed = Buffer.from(readFileSync(R15.file));
    changed[2_000_000] = changed[2_000_000]! ^ 0xff; // same size; a new mtime gives a new ETag
    const retries: RetryEvent[] = [];
    const s = await downloadHours(testConfig(lake, mirror!.url, { checkGzip: false }), [H15], {
      onRetry: (e) => {
        retries.push(e);
        if (e.attempt === 1) writeFileSync(path.join(root, `${H15}.json.gz`), changed);
      },
    });
    expect(requests().map(([status]) => status)).toEqual([200, 206, 200]);
    expect(retries[1]!.error.message).toMatch(/^asked .* for bytes \d+- of 3700037, got bytes \d+-3700036\/3700037 of "/);
    expect(retries[1]!.keptBytes).toBe(0);
    expect(s.results[0]).toMatchObject({ status: 'downloaded', bytes: 3_700_037, sha256: createHash('sha256').update(changed).digest('hex') });
  });

  it('bytes that failed the gzip check are never resumed: the next attempt starts from byte 0', async () => {
    const { lake, requests } = await serve({ [H15]: { corrupt: { offset: 500_000, length: 64, times: 1 } } });
    const retries: RetryEvent[] = [];
    const s = await downloadHours(testConfig(lake, mirror!.url), [H15], { onRetry: (e) => retries.push(e) });
    expect(retries.map((r) => [r.error.code, r.keptBytes])).toEqual([[ERROR_CODES.GZIP_CORRUPT, 0]]);
    expect(requests()).toEqual([
      [200, null],
      [200, null],
    ]);
    expect(s.results[0]).toMatchObject({ status: 'downloaded', sha256: R15.sha256 });
  });

  it('downloads without the gzip check (as ghlake run does) resume too, and a run that gives up keeps no partial file', async () => {
    // What reaches the client before a clean close can be less than the server sent (the rest
    // was still in the socket's buffers): every range is asked from what is actually on disk.
    const resumed = await serve({ [H15]: { truncate: { afterBytes: 2_000_000, times: 1 } } });
    const retries: RetryEvent[] = [];
    const ok = await downloadHours(testConfig(resumed.lake, mirror!.url, { checkGzip: false }), [H15], { onRetry: (e) => retries.push(e) });
    const kept = retries[0]!.keptBytes;
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThanOrEqual(2_000_000);
    expect(resumed.requests()).toEqual([
      [200, null],
      [206, `bytes=${kept}-`],
    ]);
    expect(ok.results[0]).toMatchObject({ status: 'downloaded', sha256: R15.sha256, gzipChecked: false, resumedBytes: kept });
    expect(ok.receivedBytes).toBe(3_700_037);
    expect(formatSummary(ok)).toMatch(/^ {2}downloaded +1 .*, after 1 retry, 1 resumed \(.+ not fetched again\)$/m);
    await mirror!.close();

    // The server's copy ends at byte 2,000,000 for good: resumed, cut again, given up, nothing left behind.
    const cut = await serve({ [H15]: { truncate: { afterBytes: 2_000_000 } } });
    const cutRetries: RetryEvent[] = [];
    const failed = await downloadHours(testConfig(cut.lake, mirror!.url, { checkGzip: false, retries: 2 }), [H15], { onRetry: (e) => cutRetries.push(e) });
    const [k1, k2] = cutRetries.map((r) => r.keptBytes);
    expect(k1).toBeGreaterThan(0);
    expect(k2).toBeGreaterThanOrEqual(k1!);
    expect(cut.requests()).toEqual([
      [200, null],
      [206, `bytes=${k1}-`],
      [206, `bytes=${k2}-`],
    ]);
    expect(failed.results[0]).toMatchObject({ status: 'failed', attempts: 3, resumedBytes: k1! + k2! });
    expect(failed.results[0]!.error!.message).toMatch(/^truncated body: got \d+ of 3700037 bytes .*\(gave up after 3 attempts\)$/);
    expect(await listFiles(cut.lake)).toEqual([]);
  });
});
