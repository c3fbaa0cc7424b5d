import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ERROR_CODES, GhlakeError, manifestDir, manifestMonthPath, manifestPath, type HourKey } from '@ghlake/core';
import { ManifestStore, emptyManifest, readManifest, type HourRecord } from '../src/manifest.js';
import { missingOutputs } from '../src/hour-outputs.js';

let lake: string;
beforeEach(async () => {
  lake = await fs.mkdtemp(path.join(tmpdir(), 'ghlake-manifest-'));
});
afterEach(async () => {
  await fs.rm(lake, { recursive: true, force: true });
});

const transformed = (at: string, files: string[] = []): HourRecord => ({
  state: 'transformed',
  transform: { at, files, accounting: { lines: 1, events: 1, silverEvents: 1, quarantined: 0, quarantinedByReason: {}, blankLines: 0, duplicates: 0 } },
});

describe('manifest', () => {
  it('a lake without one has an empty manifest', async () => {
    expect(await readManifest(lake)).toEqual(emptyManifest());
  });

  it('every update reaches disk, written whole (last state wins, no temp file left)', async () => {
    const store = await ManifestStore.open(lake, { minIntervalMs: 60_000, hours: ['2015-01-01-0' as HourKey] });
    for (let h = 0; h < 24; h++) store.update(`2015-01-01-${h}` as HourKey, () => ({ state: 'downloaded', download: { bytes: h, at: 'now' } }));
    store.update('2015-01-01-23' as HourKey, (r) => ({ ...r, state: 'missing' }));
    // Writes are spaced (here a minute apart): flush writes the latest state at once.
    await store.flush();
    const back = await readManifest(lake);
    expect(Object.keys(back.hours)).toHaveLength(24);
    expect(back.hours['2015-01-01-23']!.state).toBe('missing');
    expect(back.hours['2015-01-01-5']).toEqual({ state: 'downloaded', download: { bytes: 5, at: 'now' } });
    expect((await fs.readdir(manifestDir(lake))).sort()).toEqual(['hours-2015-01.json', 'lake.json']);
  });

  it('read for some hours, it reads only their months (a corrupt other month is not even opened)', async () => {
    const written = ['2015-01-31-23', '2015-02-01-0', '2015-03-05-7'] as HourKey[];
    const store = await ManifestStore.open(lake, { minIntervalMs: 0, hours: written });
    for (const h of written) store.update(h, () => ({ state: 'missing' }));
    await store.flush();
    await fs.writeFile(manifestMonthPath(lake, '2015-03'), '{"version":2,"hours":{');
    const some = await readManifest(lake, { hours: ['2015-01-31-23', '2015-02-01-0'] as HourKey[] });
    expect(Object.keys(some.hours).sort()).toEqual(['2015-01-31-23', '2015-02-01-0']);
    await expect(readManifest(lake)).rejects.toMatchObject({ code: ERROR_CODES.MANIFEST_CORRUPT });
  });

  it('a corrupt manifest is MANIFEST_CORRUPT with a way out, never silently reset', async () => {
    await fs.mkdir(manifestDir(lake), { recursive: true });
    await fs.writeFile(manifestMonthPath(lake, '2015-01'), '{"version":2,"hours":{');
    const error = (await readManifest(lake).catch((e: unknown) => e)) as GhlakeError;
    expect(error).toBeInstanceOf(GhlakeError);
    expect(error.code).toBe(ERROR_CODES.MANIFEST_CORRUPT);
    expect(error.hint).toMatch(/move it aside/);
  });

  it('splits by month: a run writes only the months it touched, and a single-file manifest of an earlier ghlake is split on open', async () => {
    // An earlier ghlake's manifest: one file, three months.
    const legacy = {
      version: 1,
      updatedAt: 'x',
      hours: { '2015-01-31-23': transformed('a'), '2015-02-01-0': { state: 'missing' }, '2015-03-01-0': transformed('b') },
      publishedAt: 'p',
    };
    await fs.mkdir(path.dirname(manifestPath(lake)), { recursive: true });
    await fs.writeFile(manifestPath(lake), JSON.stringify(legacy));
    const store = await ManifestStore.open(lake, { hours: ['2015-02-01-1' as HourKey] });
    await expect(fs.stat(manifestPath(lake))).rejects.toMatchObject({ code: 'ENOENT' });
    expect((await fs.readdir(manifestDir(lake))).sort()).toEqual(['hours-2015-01.json', 'hours-2015-02.json', 'hours-2015-03.json', 'lake.json']);
    expect(await readManifest(lake)).toMatchObject({ hours: legacy.hours, publishedAt: 'p' });
    const before = await Promise.all(['2015-01', '2015-03'].map(async (m) => (await fs.stat(manifestMonthPath(lake, m))).mtimeMs));
    store.update('2015-02-01-1' as HourKey, () => transformed('c'));
    await store.flush();
    expect(await Promise.all(['2015-01', '2015-03'].map(async (m) => (await fs.stat(manifestMonthPath(lake, m))).mtimeMs))).toEqual(before);
    // An upload marks every transformed hour published: the months that have them, wherever they are.
    await store.markPublished('now');
    await store.flush();
    const after = await readManifest(lake);
    expect(['2015-01-31-23', '2015-02-01-1', '2015-03-01-0'].map((h) => after.hours[h]!.state)).toEqual(['published', 'published', 'published']);
    expect(after.hours['2015-02-01-0']!.state).toBe('missing');
  });

  it('an hour whose recorded partition files are gone is not trusted', async () => {
    const rel = 'silver/events/date=2015-01-01/hour=0/part-0.parquet';
    await fs.mkdir(path.join(lake, path.dirname(rel)), { recursive: true });
    await fs.writeFile(path.join(lake, rel), 'x');
    const record = transformed('t', [rel, 'bronze/events/date=2015-01-01/hour=0/part-0.parquet']);
    expect(await missingOutputs(lake, record)).toEqual(['bronze/events/date=2015-01-01/hour=0/part-0.parquet']);
    expect(await missingOutputs(lake, transformed('t', [rel]))).toEqual([]);
    expect(await missingOutputs(lake, transformed('t', []))).toEqual(['(no files recorded)']);
  });
});
