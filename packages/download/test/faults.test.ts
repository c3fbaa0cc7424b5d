/**
 * Every fault the mirror can inject, against the real undici client on 127.0.0.1: what the
 * server did (its request log) in, what the runner concluded (per-hour results, files in the
 * lake) out. Backoff is milliseconds here (testConfig).
 */
import { existsSync, promises as fs } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { ERROR_CODES, rawMetaPath, rawPath, type HourKey } from '@ghlake/core';
import { downloadHours, type DownloadHooks, type RetryEvent } from '../src/index.js';
import { fileSha256, PACED, hours, listFiles, mirrorRoot, REAL, smallHour, startMirror, tempDir, testConfig, type Mirror } from './helpers.js';
import type { MirrorFaults } from '../../../tools/mirror/faults.js';

const H0 = '2015-01-01-0' as HourKey;
const R0 = REAL['2015-01-01-0'];
const H15 = '2015-01-01-15' as HourKey;
const R15 = REAL['2015-01-01-15'];
let mirror: Mirror | undefined;
afterEach(async () => {
  await mirror?.close();
  mirror = undefined;
});

/** Serve the real hours 0 and 15 with `faults`, download `wanted`, return everything a test asserts on. */
async function run(faults: MirrorFaults, wanted: HourKey[], config: Parameters<typeof testConfig>[2] = {}, hooks: DownloadHooks = {}) {
  const root = await mirrorRoot({ [H0]: R0.file, [H15]: R15.file });
  mirror = await startMirror({ root, faults });
  const lake = tempDir('lake');
  const retries: RetryEvent[] = [];
  const summary = await downloadHours(testConfig(lake, mirror.url, config), wanted, { random: () => 0.5, onRetry: (e) => retries.push(e), ...hooks });
  return { lake, summary, retries, result: summary.results[0]!, served: (h: HourKey) => mirror!.requestsFor(h).map((r) => r.status) };
}

describe('download against a faulty mirror', () => {
  it('a 503 burst, then success: retried with backoff, the file is byte-identical', async () => {
    const { lake, result, retries, served } = await run({ [H0]: { status: { code: 503, times: 2 } } }, [H0]);
    expect(result).toMatchObject({ hour: H0, status: 'downloaded', attempts: 3, bytes: 2_615_399, sha256: R0.sha256 });
    expect(served(H0)).toEqual([503, 503, 200]);
    expect(retries.map((r) => [r.attempt, r.delayMs, r.error.code])).toEqual([
      [1, 4, ERROR_CODES.HTTP_STATUS], // backoff step 5 ms, equal jitter at 0.5 -> 3.75 -> 4
      [2, 8, ERROR_CODES.HTTP_STATUS],
    ]);
    expect(retries[0]!.error.message).toBe(`HTTP 503 from ${mirror!.url}/2015-01-01-0.json.gz`);
    expect(await fileSha256(rawPath(lake, H0))).toBe(R0.sha256);
    expect(JSON.parse(await fs.readFile(rawMetaPath(lake, H0), 'utf8'))).toMatchObject({ size: 2_615_399, sha256: R0.sha256, uncompressedBytes: 17_796_843 });
  });

  it('429 with Retry-After in seconds: waits what the server asked, not the backoff', async () => {
    const { result, retries, served } = await run({ [H0]: { status: { code: 429, times: 1, retryAfter: '1' } } }, [H0], { retryMaxDelayMs: 5_000 });
    expect(result).toMatchObject({ status: 'downloaded', attempts: 2 });
    expect(served(H0)).toEqual([429, 200]);
    expect(retries.map((r) => r.delayMs)).toEqual([1_000]);
    const [first, second] = mirror!.requestsFor(H0);
    expect(second!.startedAt - first!.startedAt).toBeGreaterThanOrEqual(990);
  });

  it('429 with Retry-After as an HTTP date, and a huge Retry-After capped at --retry-max-delay', async () => {
    const at = new Date(Date.now() + 2_000).toUTCString();
    const dated = await run({ [H0]: { status: { code: 429, times: 1, retryAfter: at } } }, [H0], { retryMaxDelayMs: 5_000 });
    expect(dated.result.status).toBe('downloaded');
    expect(dated.retries[0]!.delayMs).toBeGreaterThan(0);
    expect(dated.retries[0]!.delayMs).toBeLessThanOrEqual(2_000);
    await mirror!.close();
    const capped = await run({ [H0]: { status: { code: 503, times: 1, retryAfter: '3600' } } }, [H0], { retryMaxDelayMs: 30 });
    expect(capped.retries.map((r) => r.delayMs)).toEqual([30]);
    expect(capped.result).toMatchObject({ status: 'downloaded', attempts: 2 });
  });

  it('a connection reset mid-body is resumed: the second request asks only for the rest (Range + If-Range), no byte is fetched twice', async () => {
    const { lake, result, retries, served, summary } = await run({ [H15]: { reset: { afterBytes: 1_000_000, times: 1 }, bytesPerSecond: PACED } }, [H15]);
    expect(result).toMatchObject({ status: 'downloaded', attempts: 2, bytes: 3_700_037, sha256: R15.sha256 });
    expect(served(H15)).toEqual([200, 206]);
    const kept = retries[0]!.keptBytes;
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThanOrEqual(1_000_000);
    expect(mirror!.requestsFor(H15)[1]!.range).toBe(`bytes=${kept}-`);
    expect(result.resumedBytes).toBe(kept);
    expect(summary.receivedBytes).toBe(3_700_037);
    // The resumed file went through the same checks as one transfer: sha256 above, the full gzip inflate here.
    expect(JSON.parse(await fs.readFile(rawMetaPath(lake, H15), 'utf8'))).toMatchObject({
      sha256: R15.sha256,
      uncompressedBytes: 25_837_379,
      gzipChecked: true,
    });
    expect(mirror!.requestsFor(H15)[0]).toMatchObject({ fault: `reset@1000000, slow ${PACED}B/s`, completed: false });
    expect(retries[0]!.error.code).toBe(ERROR_CODES.CONTENT_LENGTH_MISMATCH);
    expect(retries[0]!.error.message).toMatch(/^truncated body: got \d+ of 3700037 bytes \(connection closed: /);
    expect(await listFiles(lake)).toEqual(['raw/date=2015-01-01/2015-01-01-15.json.gz', 'raw/date=2015-01-01/2015-01-01-15.json.gz.meta.json']);
  });

  it('a body always cut short of its Content-Length: resumed, cut again, then failed with the reason, nothing kept', async () => {
    const { lake, result, summary, served } = await run({ [H0]: { truncate: { afterBytes: 1_000_000 } } }, [H0], { retries: 2 });
    expect(result).toMatchObject({ status: 'failed', attempts: 3, bytes: 0 });
    expect(result.error).toMatchObject({
      code: ERROR_CODES.CONTENT_LENGTH_MISMATCH,
      message: expect.stringMatching(/^truncated body: got \d+ of 2615399 bytes \(connection closed: other side closed\) \(gave up after 3 attempts\)$/),
      hint: 'the transfer was cut short; it is retried automatically',
      // The whole error, not only what a terminal prints: whether to retry, the facts, the cause.
      retryable: true,
      details: { url: `${mirror!.url}/2015-01-01-0.json.gz`, contentLength: 2_615_399 },
      cause: { message: 'other side closed' },
    });
    expect(result.error).not.toHaveProperty('stack');
    // The server's copy ends at byte 1,000,000 for every request: the resumed requests get nothing more.
    expect(served(H0)).toEqual([200, 206, 206]);
    expect(summary.receivedBytes).toBeLessThanOrEqual(1_000_000);
    expect(summary.failed.map((f) => f.hour)).toEqual([H0]);
    expect(await listFiles(lake)).toEqual([]);
  });

  it('a short body without Content-Length is caught by the gzip check: retried, then downloaded', async () => {
    const { result, retries } = await run({ [H0]: { truncate: { afterBytes: 1_000_000, contentLength: false, times: 1 } } }, [H0]);
    expect(result).toMatchObject({ status: 'downloaded', attempts: 2, sha256: R0.sha256 });
    expect(retries[0]!.error).toMatchObject({ code: ERROR_CODES.GZIP_CORRUPT, message: 'truncated gzip stream: it ends after 1000000 bytes, inside a member' });
  });

  it('a body that is always short without Content-Length fails, keeping the received bytes aside as .corrupt', async () => {
    const { lake, result } = await run({ [H0]: { truncate: { afterBytes: 1_000_000, contentLength: false } } }, [H0], { retries: 1 });
    expect(result).toMatchObject({ status: 'failed', attempts: 2, keptAs: `${rawPath(lake, H0)}.corrupt` });
    expect(result.error!.code).toBe(ERROR_CODES.GZIP_CORRUPT);
    expect(await listFiles(lake)).toEqual(['raw/date=2015-01-01/2015-01-01-0.json.gz.corrupt']);
    expect((await fs.stat(result.keptAs!)).size).toBe(1_000_000);
  });

  it('corrupt bytes in the body: the gzip check fails it, retried, then reported failed', async () => {
    const { lake, result, served } = await run({ [H0]: { corrupt: { offset: 1_000_000 } } }, [H0], { retries: 1 });
    expect(result).toMatchObject({ status: 'failed', attempts: 2 });
    expect(result.error!.code).toBe(ERROR_CODES.GZIP_CORRUPT);
    expect(result.error!.message).toMatch(/^corrupt gzip data: .+ \(gave up after 2 attempts\)$/);
    expect(served(H0)).toEqual([200, 200]);
    expect(existsSync(rawPath(lake, H0))).toBe(false);
    expect(existsSync(rawMetaPath(lake, H0))).toBe(false);
    expect((await listFiles(lake)).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  it('corrupt bytes once, then a clean copy: downloaded on the second attempt', async () => {
    const { lake, result } = await run({ [H0]: { corrupt: { offset: 2_000_000, times: 1 } } }, [H0]);
    expect(result).toMatchObject({ status: 'downloaded', attempts: 2, sha256: R0.sha256 });
    expect(await listFiles(lake)).toEqual(['raw/date=2015-01-01/2015-01-01-0.json.gz', 'raw/date=2015-01-01/2015-01-01-0.json.gz.meta.json']);
  });

  it('a slow body within --body-timeout downloads; one that stalls longer fails with TIMEOUT', async () => {
    const root = await mirrorRoot({ '2015-01-01-3': smallHour(40) });
    const size = (await fs.stat(`${root}/2015-01-01-3.json.gz`)).size;
    // Half a second for the whole body, in 20 pieces a second.
    mirror = await startMirror({ root, faults: { '*': { bytesPerSecond: size * 2 } } });
    const ok = await downloadHours(testConfig(tempDir('lake'), mirror.url, { bodyTimeoutMs: 1_000 }), hours('2015-01-01-3'));
    expect(ok.results[0]).toMatchObject({ status: 'downloaded', attempts: 1, bytes: size });
    expect(mirror.requestsFor('2015-01-01-3')[0]!.fault).toBe(`slow ${size * 2}B/s`);
    // One byte every 4 s: silence far longer than a 1 s body timeout (undici's body timer ticks about every 0.5 s).
    mirror.setFaults({ '*': { bytesPerSecond: 0.25 } });
    const stalled = await downloadHours(testConfig(tempDir('lake'), mirror.url, { bodyTimeoutMs: 1_000, retries: 1 }), hours('2015-01-01-3'));
    expect(stalled.results[0]).toMatchObject({ status: 'failed', attempts: 2 });
    expect(stalled.results[0]!.error!.code).toBe(ERROR_CODES.TIMEOUT);
    // The second attempt resumed after the first byte and got one more before stalling: 2 bytes held.
    expect(stalled.results[0]!.error!.message).toBe('body stalled: no data for 1.00s after 2 bytes (gave up after 2 attempts)');
    expect(
      mirror
        .requestsFor('2015-01-01-3')
        .slice(-2)
        .map((r) => [r.status, r.range ?? null]),
    ).toEqual([
      [200, null],
      [206, 'bytes=1-'],
    ]);
    expect(await listFiles(stalled.lake)).toEqual([]);
  });

  it('regression: a body that ends by closing the connection, read under backpressure, no longer crashes the process (undici#5360)', async () => {
    // No Content-Length and the whole file: the response ends when the mirror closes the connection.
    const { result } = await run({ [H15]: { truncate: { afterBytes: Number.MAX_SAFE_INTEGER, contentLength: false } } }, [H15]);
    expect(result).toMatchObject({ status: 'downloaded', attempts: 1, bytes: 3_700_037, sha256: R15.sha256 });
    expect(mirror!.requestsFor(H15)[0]).toMatchObject({ bytesSent: 3_700_037, completed: true });
  });

  it("follows a mirror's redirect to another server; a redirect loop fails with the hint", async () => {
    const target = await startMirror({ root: await mirrorRoot({ [H0]: R0.file }) });
    try {
      mirror = await startMirror({ root: tempDir('empty'), faults: { '*': { redirect: { to: target.url } } } });
      const lake = tempDir('lake');
      const summary = await downloadHours(testConfig(lake, mirror.url), [H0]);
      expect(summary.results[0]).toMatchObject({ status: 'downloaded', attempts: 1, sha256: R0.sha256 });
      expect(mirror.requestsFor(H0).map((r) => r.status)).toEqual([302]);
      expect(target.requestsFor(H0).map((r) => r.status)).toEqual([200]);
      // Two mirrors redirecting to each other: undici stops when an address comes back.
      mirror.setFaults({ '*': { redirect: { to: target.url } } });
      target.setFaults({ '*': { redirect: { to: mirror.url } } });
      const pingPong = await downloadHours(testConfig(tempDir('lake'), mirror.url), [H15]);
      expect(pingPong.failed).toEqual([
        {
          hour: H15,
          code: ERROR_CODES.HTTP_STATUS,
          message: `redirect loop: ${mirror.url}/2015-01-01-15.json.gz leads back to an address already visited`,
          hint: 'too many redirects (a loop?); give --base-url the final address',
          name: 'GhlakeError',
          retryable: false,
          details: { url: `${mirror.url}/2015-01-01-15.json.gz`, bytes: 0, errno: 'UND_ERR_INVALID_ARG' },
          cause: expect.objectContaining({ name: 'InvalidArgumentError', details: { errno: 'UND_ERR_INVALID_ARG' } }),
        },
      ]);
      // A mirror that redirects to itself: undici notices the loop at once.
      mirror.setFaults({ '*': { redirect: { to: mirror.url } } });
      const loop = await downloadHours(testConfig(tempDir('lake'), mirror.url), hours('2015-01-01-9'));
      expect(loop.failed).toEqual([
        {
          hour: '2015-01-01-9',
          code: ERROR_CODES.HTTP_STATUS,
          message: `redirect loop: ${mirror.url}/2015-01-01-9.json.gz leads back to an address already visited`,
          hint: 'too many redirects (a loop?); give --base-url the final address',
          name: 'GhlakeError',
          retryable: false,
          details: { url: `${mirror.url}/2015-01-01-9.json.gz`, bytes: 0, errno: 'UND_ERR_INVALID_ARG' },
          cause: expect.objectContaining({ name: 'InvalidArgumentError', details: { errno: 'UND_ERR_INVALID_ARG' } }),
        },
      ]);
    } finally {
      await target.close();
    }
  });

  it('404 means missing: recorded with the reason, asked once, never retried', async () => {
    const { summary, served } = await run({ [H15]: { missing: true } }, hours('2015-01-01-15', '2015-01-01-16'));
    expect(summary.results.map((r) => [r.hour, r.status, r.reason, r.attempts])).toEqual([
      ['2015-01-01-15', 'missing', 'HTTP 404', 1],
      ['2015-01-01-16', 'missing', 'HTTP 404', 1],
    ]);
    expect(served(H15)).toEqual([404]);
    expect(summary.missing).toEqual([
      { hour: '2015-01-01-15', reason: 'HTTP 404' },
      { hour: '2015-01-01-16', reason: 'HTTP 404' },
    ]);
    expect(summary.failed).toEqual([]);
  });

  it('an empty 200 (the 2020-08-21 outage files) is missing, not retried', async () => {
    const root = await mirrorRoot({ '2020-08-21-0': new Uint8Array(0) });
    mirror = await startMirror({ root });
    const summary = await downloadHours(testConfig(tempDir('lake'), mirror.url), hours('2020-08-21-0'));
    expect(summary.results[0]).toMatchObject({ status: 'missing', reason: 'empty file (0 bytes) served with HTTP 200', attempts: 1 });
    expect(await listFiles(summary.lake)).toEqual([]);
  });

  it('a 500 that never recovers fails after --retries; a 403 is not retried', async () => {
    const { summary } = await run({ [H0]: { status: { code: 500 } }, [H15]: { status: { code: 403 } } }, [H0, H15], { retries: 2 });
    expect(summary.failed).toEqual([
      {
        hour: H0,
        code: ERROR_CODES.HTTP_STATUS,
        message: `HTTP 500 from ${mirror!.url}/2015-01-01-0.json.gz (gave up after 3 attempts)`,
        hint: 'the server is overloaded or failing; it is retried with backoff',
        name: 'GhlakeError',
        retryable: true,
        details: { status: 500, url: `${mirror!.url}/2015-01-01-0.json.gz` },
      },
      {
        hour: H15,
        code: ERROR_CODES.HTTP_STATUS,
        message: `HTTP 403 from ${mirror!.url}/2015-01-01-15.json.gz`,
        hint: 'the server refuses access; check --base-url points at a public GH Archive mirror',
        name: 'GhlakeError',
        retryable: false,
        details: { status: 403, url: `${mirror!.url}/2015-01-01-15.json.gz` },
      },
    ]);
    expect(mirror!.requestsFor(H0)).toHaveLength(3);
    expect(mirror!.requestsFor(H15)).toHaveLength(1);
  });

  it('--retry-time bounds the total time spent retrying one hour, whatever --retries says', async () => {
    const { result } = await run({ [H0]: { status: { code: 503 } } }, [H0], { retries: 100, retryDelayMs: 50, retryMaxDelayMs: 10_000, retryTimeMs: 300 });
    expect(result.status).toBe('failed');
    // Waits of 38, 75, 150 ms fit in 300 ms; the next (300 ms) would not.
    expect(result.attempts).toBeGreaterThanOrEqual(2);
    expect(result.attempts).toBeLessThanOrEqual(4);
  });
});

describe('the runner contract the pipeline builds on', () => {
  it('reports each hour through onHourDone with its file already in place, and progress up to the last hour', async () => {
    const seen: [string, string, boolean][] = [];
    let last = { hoursDone: 0, receivedBytes: 0 };
    const { summary } = await run(
      {},
      hours('2015-01-01-0', '2015-01-01-1', '2015-01-01-15'),
      {},
      {
        onHourDone: (r) => seen.push([r.hour, r.status, r.path ? existsSync(r.path) && existsSync(rawMetaPath(summary0Lake(r.path), r.hour)) : false]),
        onProgress: (p) => (last = p),
      },
    );
    expect(seen.sort()).toEqual([
      ['2015-01-01-0', 'downloaded', true],
      ['2015-01-01-1', 'missing', false],
      ['2015-01-01-15', 'downloaded', true],
    ]);
    expect(last).toMatchObject({ hoursTotal: 3, hoursDone: 3, downloaded: 2, missing: 1, receivedBytes: 2_615_399 + 3_700_037 });
    expect(summary).toMatchObject({
      hoursTotal: 3,
      downloaded: 2,
      skipped: 0,
      downloadedBytes: 6_315_436,
      receivedBytes: 6_315_436,
      attempts: 3,
      retries: 0,
      interrupted: false,
    });
  });

  it('aborting the signal stops mid-transfer: interrupted, nothing complete-looking left, only the partial a rerun resumes', async () => {
    const controller = new AbortController();
    const { lake, summary } = await run(
      { '*': { bytesPerSecond: 500_000 } },
      [H0],
      {},
      {
        signal: controller.signal,
        progressIntervalMs: 0,
        onProgress: (p) => {
          if (p.receivedBytes > 100_000) controller.abort();
        },
      },
    );
    expect(summary).toMatchObject({ interrupted: true, downloaded: 0, results: [] });
    expect(await listFiles(lake)).toEqual(['raw/date=2015-01-01/.partial-2015-01-01-0.json.gz', 'raw/date=2015-01-01/.partial-2015-01-01-0.json.gz.json']);
  });

  it('a body without ETag or Last-Modified cannot be resumed later: a stop leaves nothing of it', async () => {
    const controller = new AbortController();
    const { lake, summary } = await run(
      { '*': { bytesPerSecond: 500_000, noValidators: true } },
      [H0],
      {},
      {
        signal: controller.signal,
        progressIntervalMs: 0,
        onProgress: (p) => {
          if (p.receivedBytes > 100_000) controller.abort();
        },
      },
    );
    expect(summary).toMatchObject({ interrupted: true, downloaded: 0, results: [] });
    expect(await listFiles(lake)).toEqual([]);
  });
});

/** The lake a raw file path belongs to (…/raw/date=…/file). */
function summary0Lake(file: string): string {
  return file.split('/raw/')[0]!;
}
