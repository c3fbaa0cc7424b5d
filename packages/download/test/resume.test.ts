/**
 * Reruns: what the lake already holds in, what is fetched again out. A complete hour (file +
 * matching record) is skipped without a request; anything partial, damaged or unrecorded is
 * verified or fetched again; temporary files of killed runs are removed.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { rawDir, rawMetaPath, rawPath, type HourKey } from '@ghlake/core';
import { downloadHours, readRawMeta } from '../src/index.js';
import { listFiles, mirrorRoot, REAL, startMirror, tempDir, testConfig, type Mirror } from './helpers.js';

const H0 = '2015-01-01-0' as HourKey;
const H15 = '2015-01-01-15' as HourKey;
const R0 = REAL['2015-01-01-0'];
const R15 = REAL['2015-01-01-15'];
let mirror: Mirror | undefined;
afterEach(async () => {
  await mirror?.close();
  mirror = undefined;
});

/** A mirror with both real hours and a lake where a first run downloaded both. */
async function downloadedLake() {
  mirror = await startMirror({ root: await mirrorRoot({ [H0]: R0.file, [H15]: R15.file }) });
  const lake = tempDir('lake');
  const first = await downloadHours(testConfig(lake, mirror.url), [H0, H15]);
  expect(first.downloaded).toBe(2);
  return { lake, config: testConfig(lake, mirror.url), gets: () => mirror!.requests.filter((r) => r.method === 'GET').length };
}

describe('rerunning a download', () => {
  it('skips complete hours without a single request', async () => {
    const { lake, config, gets } = await downloadedLake();
    const again = await downloadHours(config, [H0, H15]);
    expect(again.results.map((r) => [r.hour, r.status, r.bytes, r.sha256, r.attempts, r.reason])).toEqual([
      [H0, 'skipped', 2_615_399, R0.sha256, 0, 'already complete'],
      [H15, 'skipped', 3_700_037, R15.sha256, 0, 'already complete'],
    ]);
    expect(again).toMatchObject({ downloaded: 0, skipped: 2, skippedBytes: 6_315_436, receivedBytes: 0 });
    expect(gets()).toBe(2);
    expect(await listFiles(lake)).toHaveLength(4);
  });

  it('removes temporary files a killed run left, and only those of the hours it handles', async () => {
    const { lake, config } = await downloadedLake();
    const dir = rawDir(lake, H0);
    await fs.writeFile(path.join(dir, '.tmp-0a1b2c3d4e5f-2015-01-01-0.json.gz'), 'half a file');
    await fs.writeFile(path.join(dir, '.tmp-0a1b2c3d4e5f-2015-01-01-15.json.gz.meta.json'), '{');
    await fs.writeFile(path.join(dir, '.tmp-0a1b2c3d4e5f-2015-01-01-7.json.gz'), 'another run is writing hour 7');
    const again = await downloadHours(config, [H0, H15]);
    expect(again.tempFilesRemoved).toBe(2);
    expect(again.results.map((r) => r.tempFilesRemoved)).toEqual([1, 1]);
    expect((await listFiles(lake)).filter((f) => f.includes('.tmp-'))).toEqual(['raw/date=2015-01-01/.tmp-0a1b2c3d4e5f-2015-01-01-7.json.gz']);
  });

  it('fetches again a kept file whose size no longer matches its record', async () => {
    const { lake, config } = await downloadedLake();
    await fs.truncate(rawPath(lake, H0), 1_000);
    const again = await downloadHours(config, [H0]);
    expect(again.results[0]).toMatchObject({ status: 'downloaded', attempts: 1, sha256: R0.sha256, replaced: 'size 1000 differs from the recorded 2615399' });
    expect(mirror!.requestsFor(H0)).toHaveLength(2);
  });

  it('a byte changed in place passes the cheap checks; --verify re-hashes, notices and fetches again', async () => {
    const { lake, config } = await downloadedLake();
    const handle = await fs.open(rawPath(lake, H15), 'r+');
    await handle.write(Buffer.from([0x00]), 0, 1, 2_000_000);
    await handle.close();
    const cheap = await downloadHours(config, [H15]);
    expect(cheap.results[0]!.status).toBe('skipped');
    const verified = await downloadHours({ ...config, verify: true }, [H15]);
    expect(verified.results[0]).toMatchObject({ status: 'downloaded', sha256: R15.sha256 });
    expect(verified.results[0]!.replaced).toMatch(/^sha256 [0-9a-f]{12}… differs from the recorded 54feca99896f…$/);
    const clean = await downloadHours({ ...config, verify: true }, [H15]);
    expect(clean.results[0]).toMatchObject({ status: 'skipped', reason: 'already complete (sha256 re-verified)' });
    expect(mirror!.requestsFor(H15)).toHaveLength(2);
  });

  it('a changed trailer is caught without --verify (a file cut and padded back to its size)', async () => {
    const { lake, config } = await downloadedLake();
    const handle = await fs.open(rawPath(lake, H0), 'r+');
    await handle.write(Buffer.alloc(8), 0, 8, 2_615_399 - 8);
    await handle.close();
    const again = await downloadHours(config, [H0]);
    expect(again.results[0]).toMatchObject({ status: 'downloaded', replaced: 'its last 8 bytes differ from the recorded gzip trailer' });
  });

  it('adopts a valid file without a record (copied in, or a crash between rename and record) without fetching it', async () => {
    mirror = await startMirror({ root: await mirrorRoot({ [H0]: R0.file, [H15]: R15.file }) });
    const lake = tempDir('lake');
    await fs.mkdir(rawDir(lake, H0), { recursive: true });
    await fs.copyFile(R0.file, rawPath(lake, H0));
    await fs.writeFile(rawPath(lake, H15), (await fs.readFile(R15.file)).subarray(0, 500_000)); // a cut copy
    await fs.writeFile(rawMetaPath(lake, H15), 'not json');
    const summary = await downloadHours(testConfig(lake, mirror.url), [H0, H15]);
    expect(summary.results.map((r) => [r.hour, r.status, r.reason ?? r.replaced])).toEqual([
      [H0, 'skipped', 'kept file without a record: verified and recorded'],
      [H15, 'downloaded', 'kept file without a record is not a valid gzip'],
    ]);
    expect(await readRawMeta(lake, H0)).toMatchObject({ size: 2_615_399, sha256: R0.sha256, uncompressedBytes: 17_796_843, trailer: '25b67a2aeb8e0f01' });
    expect(mirror.requestsFor(H0)).toHaveLength(0);
    expect(mirror.requestsFor(H15)).toHaveLength(1);
  });

  it('an hour whose place in the lake is taken by a folder fails alone; the other hours download', async () => {
    mirror = await startMirror({ root: await mirrorRoot({ [H0]: R0.file, [H15]: R15.file }) });
    const lake = tempDir('lake');
    await fs.mkdir(path.join(rawPath(lake, H0), 'something'), { recursive: true });
    const summary = await downloadHours(testConfig(lake, mirror.url), [H0, H15]);
    expect(summary.results.map((r) => [r.hour, r.status])).toEqual([
      [H0, 'failed'],
      [H15, 'downloaded'],
    ]);
    expect(summary.failed[0]).toMatchObject({
      code: 'GHLAKE_LAKE_NOT_WRITABLE',
      hint: 'free disk space or fix the permissions of the lake folder (--lake), then run again',
    });
    expect(summary.failed[0]!.message).toMatch(/^cannot write the downloaded hour: .*2015-01-01-0\.json\.gz/);
    expect(mirror.requestsFor(H0)).toHaveLength(0);
  });

  it('a complete lake reruns offline: every hour skipped though nothing answers at the base URL', async () => {
    const { lake } = await downloadedLake();
    await mirror!.close();
    mirror = undefined;
    const offline = await downloadHours(testConfig(lake, 'http://127.0.0.1:9'), [H0, H15]);
    expect(offline).toMatchObject({ skipped: 2, failed: [], attempts: 0 });
  });
});

describe('an unreachable base URL fails the run fast', () => {
  it('connection refused: the first hour fails, the rest without an attempt, with one clear reason', async () => {
    const lake = tempDir('lake');
    const hoursWanted = ['2015-01-01-0', '2015-01-01-1', '2015-01-01-2', '2015-01-01-3', '2015-01-01-4', '2015-01-01-5'] as HourKey[];
    const summary = await downloadHours(testConfig(lake, 'http://127.0.0.1:9', { concurrency: 2, retries: 5 }), hoursWanted);
    expect(summary.failed.map((f) => f.hour)).toEqual(hoursWanted);
    expect(new Set(summary.failed.map((f) => f.message))).toEqual(new Set(['nothing answers at http://127.0.0.1:9: connection refused (ECONNREFUSED)']));
    expect(summary.failed[0]!.hint).toContain('check --base-url');
    // At most one attempt per parallel slot, no retries: seconds of backoff would follow otherwise.
    expect(summary.attempts).toBeLessThanOrEqual(2);
    expect(summary.retries).toBe(0);
    expect(await listFiles(lake)).toEqual([]);
  });
});
