/**
 * `checkGzip: false`, as `ghlake run` downloads: the body is hashed and stored but not
 * inflated (the run's transform inflates it anyway), only its gzip magic bytes are checked,
 * and its record says `gzipChecked: false` until someone inflates it. A later checking
 * download inflates a kept unchecked file before trusting it.
 */
import { promises as fs } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { ERROR_CODES, rawPath, type HourKey } from '@ghlake/core';
import { downloadHours, markGzipChecked, markGzipDamaged, readRawMeta } from '../src/index.js';
import { mirrorRoot, REAL, startMirror, tempDir, testConfig, type Mirror } from './helpers.js';

const H0 = '2015-01-01-0' as HourKey;
const H15 = '2015-01-01-15' as HourKey;
let mirror: Mirror | undefined;
afterEach(async () => {
  await mirror?.close();
  mirror = undefined;
});

async function uncheckedLake(hours: Record<string, string | Uint8Array>) {
  mirror = await startMirror({ root: await mirrorRoot(hours) });
  const lake = tempDir('unchecked');
  return { lake, unchecked: testConfig(lake, mirror.url, { checkGzip: false }), checking: testConfig(lake, mirror.url) };
}

describe('downloading without inflating (checkGzip: false)', () => {
  it('stores the exact bytes with a record that says the gzip is not checked yet', async () => {
    const { lake, unchecked } = await uncheckedLake({ [H0]: REAL['2015-01-01-0'].file });
    const s = await downloadHours(unchecked, [H0]);
    expect(s.results[0]).toMatchObject({ status: 'downloaded', bytes: 2_615_399, sha256: REAL['2015-01-01-0'].sha256, gzipChecked: false });
    expect(await readRawMeta(lake, H0)).toMatchObject({ size: 2_615_399, sha256: REAL['2015-01-01-0'].sha256, uncompressedBytes: null, gzipChecked: false });
    // A second unchecked run trusts it as it is (its transform will inflate it).
    const again = await downloadHours(unchecked, [H0]);
    expect(again.results[0]).toMatchObject({ status: 'skipped', gzipChecked: false, reason: 'already complete, gzip not checked yet' });
    expect(mirror!.requestsFor(H0)).toHaveLength(1);
  });

  it('still refuses a body that is not gzip at all (an HTML page served with 200), as GHLAKE_GZIP_CORRUPT after its retries', async () => {
    const { lake, unchecked } = await uncheckedLake({ [H0]: Buffer.from('<html><body>maintenance</body></html>\n') });
    const s = await downloadHours(unchecked, [H0]);
    expect(s.results[0]).toMatchObject({ status: 'failed', attempts: 4, error: { code: ERROR_CODES.GZIP_CORRUPT } });
    expect(s.results[0]!.error!.message).toMatch(/^not a gzip file: it starts with 3c68, not the gzip magic bytes 1f8b/);
    await expect(fs.stat(rawPath(lake, H0))).rejects.toThrow();
  });

  it('a checking download inflates a kept unchecked file once, then records it as checked', async () => {
    const { lake, unchecked, checking } = await uncheckedLake({ [H15]: REAL['2015-01-01-15'].file });
    await downloadHours(unchecked, [H15]);
    const checked = await downloadHours(checking, [H15]);
    expect(checked.results[0]).toMatchObject({ status: 'skipped', gzipChecked: true, reason: 'already complete, gzip checked now' });
    expect(await readRawMeta(lake, H15)).toMatchObject({ uncompressedBytes: REAL['2015-01-01-15'].uncompressed, gzipChecked: true });
    const after = await downloadHours(checking, [H15]);
    expect(after.results[0]).toMatchObject({ status: 'skipped', gzipChecked: true, reason: 'already complete' });
    expect(mirror!.requestsFor(H15)).toHaveLength(1);
  });

  it('a kept unchecked file damaged inside (size and trailer intact) fails that check and is fetched again', async () => {
    const { lake, unchecked, checking } = await uncheckedLake({ [H15]: REAL['2015-01-01-15'].file });
    await downloadHours(unchecked, [H15]);
    const handle = await fs.open(rawPath(lake, H15), 'r+');
    await handle.write(Buffer.alloc(64, 0x5a), 0, 64, 1_000_000);
    await handle.close();
    const s = await downloadHours(checking, [H15]);
    expect(s.results[0]).toMatchObject({ status: 'downloaded', gzipChecked: true, sha256: REAL['2015-01-01-15'].sha256 });
    expect(s.results[0]!.replaced).toMatch(/^kept file failed its gzip check: corrupt gzip data: /);
    expect(await readRawMeta(lake, H15)).toMatchObject({ uncompressedBytes: REAL['2015-01-01-15'].uncompressed, gzipChecked: true });
    expect(mirror!.requestsFor(H15)).toHaveLength(2);
  });

  it('a file a reader found damaged (markGzipDamaged) is replaced by the next download at once, checking or not, without inflating it again', async () => {
    const { lake, unchecked } = await uncheckedLake({ [H15]: REAL['2015-01-01-15'].file });
    await downloadHours(unchecked, [H15]);
    expect(await markGzipDamaged(lake, H15, 'Z_DATA_ERROR: gzip: invalid distance too far back')).toBe(true);
    expect(await readRawMeta(lake, H15)).toMatchObject({ gzipChecked: false, gzipDamage: 'Z_DATA_ERROR: gzip: invalid distance too far back' });
    const s = await downloadHours(unchecked, [H15]);
    expect(s.results[0]).toMatchObject({
      status: 'downloaded',
      replaced: 'its gzip was found damaged when read (Z_DATA_ERROR: gzip: invalid distance too far back)',
    });
    const fresh = await readRawMeta(lake, H15);
    expect(fresh).toMatchObject({ sha256: REAL['2015-01-01-15'].sha256, gzipChecked: false });
    expect(fresh!.gzipDamage).toBeUndefined();
    expect(mirror!.requestsFor(H15)).toHaveLength(2);
    expect(await markGzipDamaged(lake, H0, 'x')).toBe(false);
  });

  it('markGzipChecked records what the transform measured, and nothing for an hour without a record', async () => {
    const { lake, unchecked } = await uncheckedLake({ [H0]: REAL['2015-01-01-0'].file });
    await downloadHours(unchecked, [H0]);
    expect(await markGzipChecked(lake, H0, 17_796_843, new Date('2026-12-01T00:00:00Z'))).toBe(true);
    expect(await readRawMeta(lake, H0)).toMatchObject({ uncompressedBytes: 17_796_843, gzipChecked: true, verifiedAt: '2026-12-01T00:00:00.000Z' });
    expect(await markGzipChecked(lake, H15, 1)).toBe(false);
  });
});
