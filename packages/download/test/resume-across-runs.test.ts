/**
 * A download stopped part-way (Ctrl-C here; SIGKILL in cli.test.ts) resumes in the next run: the
 * bytes kept under `.partial-<file>` are read back through the same checks and only the rest is
 * asked for (`Range` + `If-Range`). A partial that cannot be trusted — another URL, a broken
 * identity, bytes that do not inflate, a file changed on the server since — is never continued.
 */
import { promises as fs, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { rawPath, type HourKey } from '@ghlake/core';
import { downloadHours, formatSummary, type DownloadConfig } from '../src/index.js';
import { fileSha256, listFiles, mirrorRoot, REAL, startMirror, tempDir, testConfig, type Mirror } from './helpers.js';

const H15 = '2015-01-01-15' as HourKey;
const R0 = REAL['2015-01-01-0'];
const R15 = REAL['2015-01-01-15'];
const PARTIAL = 'raw/date=2015-01-01/.partial-2015-01-01-15.json.gz';
let mirror: Mirror | undefined;
afterEach(async () => {
  await mirror?.close();
  mirror = undefined;
});

/** A mirror serving the real hour 15, paced so a run can be stopped part-way. */
async function serve() {
  const root = await mirrorRoot({ [H15]: R15.file });
  mirror = await startMirror({ root, faults: { '*': { bytesPerSecond: 1_000_000 } } });
  const lake = tempDir('lake');
  return { root, lake, requests: () => mirror!.requestsFor(H15).map((r) => [r.status, r.range ?? null]) };
}

/** Download hour 15 and stop the run (Ctrl-C: the abort signal) once `after` bytes arrived; returns the bytes kept. */
async function stoppedRun(lake: string, config: Partial<DownloadConfig> = {}, after = 600_000): Promise<number> {
  const controller = new AbortController();
  const s = await downloadHours(testConfig(lake, mirror!.url, config), [H15], {
    signal: controller.signal,
    progressIntervalMs: 0,
    onProgress: (p) => {
      if (p.receivedBytes > after) controller.abort();
    },
  });
  expect(s.interrupted).toBe(true);
  expect(await listFiles(lake)).toEqual([PARTIAL, `${PARTIAL}.json`]);
  return (await fs.stat(path.join(lake, PARTIAL))).size;
}

describe('a download stopped part-way resumes in the next run', () => {
  for (const checkGzip of [true, false]) {
    it(`asks only for the rest and ends byte-identical (gzip ${checkGzip ? 'checked: the kept bytes are inflated again' : 'not checked, as ghlake run downloads'})`, async () => {
      const { lake, requests } = await serve();
      const kept = await stoppedRun(lake, { checkGzip });
      expect(kept).toBeGreaterThan(600_000);
      const identity = JSON.parse(await fs.readFile(path.join(lake, `${PARTIAL}.json`), 'utf8'));
      expect(identity).toMatchObject({ version: 1, hour: H15, url: `${mirror!.url}/${H15}.json.gz`, size: 3_700_037 });
      expect(identity.etag).toMatch(/^"/);

      mirror!.setFaults({});
      const s = await downloadHours(testConfig(lake, mirror!.url, { checkGzip }), [H15]);
      expect(s.results[0]).toMatchObject({
        status: 'downloaded',
        attempts: 1,
        bytes: 3_700_037,
        sha256: R15.sha256,
        resumedBytes: kept,
        keptFromEarlierRun: kept,
        gzipChecked: checkGzip,
      });
      expect(s.receivedBytes).toBe(3_700_037 - kept);
      expect(formatSummary(s)).toContain('1 resumed (');
      expect(requests()).toEqual([
        [200, null],
        [206, `bytes=${kept}-`],
      ]);
      expect(await fileSha256(rawPath(lake, H15))).toBe(R15.sha256);
      expect(await listFiles(lake)).toEqual(['raw/date=2015-01-01/2015-01-01-15.json.gz', 'raw/date=2015-01-01/2015-01-01-15.json.gz.meta.json']);
    });
  }

  it('the file changed on the server since: If-Range fails, the new version comes whole — never a splice of two', async () => {
    const { root, lake, requests } = await serve();
    const kept = await stoppedRun(lake);
    writeFileSync(path.join(root, `${H15}.json.gz`), readFileSync(R0.file)); // another size, another ETag
    mirror!.setFaults({});
    const s = await downloadHours(testConfig(lake, mirror!.url), [H15]);
    expect(requests()).toEqual([
      [200, null],
      [200, `bytes=${kept}-`],
    ]);
    expect(s.results[0]).toMatchObject({ status: 'downloaded', bytes: 2_615_399, sha256: R0.sha256, keptFromEarlierRun: kept });
    expect(s.results[0]!.resumedBytes).toBeUndefined();
    expect(await listFiles(lake)).toEqual(['raw/date=2015-01-01/2015-01-01-15.json.gz', 'raw/date=2015-01-01/2015-01-01-15.json.gz.meta.json']);
  });

  it('a partial from another base URL is removed and the hour fetched from byte 0', async () => {
    const { lake, requests } = await serve();
    await stoppedRun(lake);
    const other = await startMirror({ root: await mirrorRoot({ [H15]: R15.file }) });
    try {
      const s = await downloadHours(testConfig(lake, other.url), [H15]);
      expect(s.results[0]).toMatchObject({ status: 'downloaded', sha256: R15.sha256 });
      expect(s.results[0]!.partialDiscarded).toBe(
        `kept partial download: it came from ${mirror!.url}/${H15}.json.gz, this run fetches ${other.url}/${H15}.json.gz`,
      );
      expect(s.results[0]!.resumedBytes).toBeUndefined();
      expect(other.requestsFor(H15).map((r) => r.range ?? null)).toEqual([null]);
    } finally {
      await other.close();
    }
    expect(requests()).toHaveLength(1);
  });

  it.each([
    [
      'an identity that is not JSON',
      (dir: string) => fs.writeFile(path.join(dir, `${PARTIAL}.json`), '{"version":1,'),
      'kept partial download: its identity is not valid JSON',
    ],
    ['bytes without an identity', (dir: string) => fs.rm(path.join(dir, `${PARTIAL}.json`)), 'kept partial download: no identity beside the bytes'],
    ['an identity without its bytes', (dir: string) => fs.rm(path.join(dir, PARTIAL)), 'kept partial download: no bytes were kept'],
  ])('%s: removed, the hour fetched from byte 0', async (_what, damage, reason) => {
    const { lake, requests } = await serve();
    await stoppedRun(lake);
    await damage(lake);
    mirror!.setFaults({});
    const s = await downloadHours(testConfig(lake, mirror!.url), [H15]);
    expect(s.results[0]).toMatchObject({ status: 'downloaded', sha256: R15.sha256, partialDiscarded: reason });
    expect(requests()).toEqual([
      [200, null],
      [200, null],
    ]);
    expect(await listFiles(lake)).toEqual(['raw/date=2015-01-01/2015-01-01-15.json.gz', 'raw/date=2015-01-01/2015-01-01-15.json.gz.meta.json']);
  });

  /** Stop a run part-way, then garble the kept bytes [from, from + 64) as a crash of the machine might. */
  async function garbledPartial(from: number) {
    const served = await serve();
    const kept = await stoppedRun(served.lake);
    const file = path.join(served.lake, PARTIAL);
    const bytes = await fs.readFile(file);
    for (let i = from; i < from + 64; i++) bytes[i] = bytes[i]! ^ 0xff;
    await fs.writeFile(file, bytes);
    mirror!.setFaults({});
    return { ...served, kept };
  }

  it('kept bytes that do not inflate are not continued: the hour is fetched from byte 0', async () => {
    const { lake, requests } = await garbledPartial(0); // the gzip header itself
    const s = await downloadHours(testConfig(lake, mirror!.url), [H15]);
    expect(s.results[0]).toMatchObject({ status: 'downloaded', sha256: R15.sha256, attempts: 1 });
    expect(s.results[0]!.partialDiscarded).toMatch(/^kept partial download: the bytes kept do not inflate \(/);
    expect(requests()).toEqual([
      [200, null],
      [200, null],
    ]);
  });

  it('kept bytes garbled where they still inflate fail the gzip CRC at the end: the hour is fetched again whole, never kept garbled', async () => {
    const { lake, kept, requests } = await garbledPartial(100_000);
    const s = await downloadHours(testConfig(lake, mirror!.url), [H15]);
    expect(s.results[0]).toMatchObject({ status: 'downloaded', sha256: R15.sha256, attempts: 2, keptFromEarlierRun: kept });
    expect(requests()).toEqual([
      [200, null],
      [206, `bytes=${kept}-`],
      [200, null],
    ]);
    expect(await fileSha256(rawPath(lake, H15))).toBe(R15.sha256);
  });

  it('an hour already complete: a partial left beside it is removed, with no request', async () => {
    const { lake, requests } = await serve();
    mirror!.setFaults({});
    await downloadHours(testConfig(lake, mirror!.url), [H15]);
    await fs.writeFile(path.join(lake, PARTIAL), Buffer.alloc(10));
    await fs.writeFile(path.join(lake, `${PARTIAL}.json`), '{}');
    const s = await downloadHours(testConfig(lake, mirror!.url), [H15]);
    expect(s.results[0]).toMatchObject({ status: 'skipped', reason: 'already complete' });
    expect(requests()).toHaveLength(1);
    expect(await listFiles(lake)).toEqual(['raw/date=2015-01-01/2015-01-01-15.json.gz', 'raw/date=2015-01-01/2015-01-01-15.json.gz.meta.json']);
  });
});
