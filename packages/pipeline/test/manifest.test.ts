import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ERROR_CODES, GhlakeError, manifestPath, type HourKey } from '@ghlake/core';
import { ManifestStore, emptyManifest, goldFingerprint, readManifest, type HourRecord } from '../src/manifest.js';
import { missingOutputs } from '../src/hour-files.js';

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
    const store = await ManifestStore.open(lake, { minIntervalMs: 60_000 });
    for (let h = 0; h < 24; h++) store.update(`2015-01-01-${h}` as HourKey, () => ({ state: 'downloaded', download: { bytes: h, at: 'now' } }));
    store.update('2015-01-01-23' as HourKey, (r) => ({ ...r, state: 'missing' }));
    // Writes are spaced (here a minute apart): flush writes the latest state at once.
    await store.flush();
    const back = await readManifest(lake);
    expect(Object.keys(back.hours)).toHaveLength(24);
    expect(back.hours['2015-01-01-23']!.state).toBe('missing');
    expect(back.hours['2015-01-01-5']).toEqual({ state: 'downloaded', download: { bytes: 5, at: 'now' } });
    expect(await fs.readdir(path.dirname(manifestPath(lake)))).toEqual(['manifest.json']);
  });

  it('a corrupt manifest is MANIFEST_CORRUPT with a way out, never silently reset', async () => {
    await fs.mkdir(path.dirname(manifestPath(lake)), { recursive: true });
    await fs.writeFile(manifestPath(lake), '{"version":1,"hours":{');
    const error = (await readManifest(lake).catch((e: unknown) => e)) as GhlakeError;
    expect(error).toBeInstanceOf(GhlakeError);
    expect(error.code).toBe(ERROR_CODES.MANIFEST_CORRUPT);
    expect(error.hint).toMatch(/move it aside/);
  });

  it('the gold fingerprint changes when an hour is added or re-transformed, and only then', () => {
    const m = emptyManifest();
    m.hours['2015-01-01-0'] = transformed('t1');
    const a = goldFingerprint(m);
    m.hours['2015-01-01-1'] = { state: 'missing' };
    expect(goldFingerprint(m)).toEqual(a);
    m.hours['2015-01-01-0'] = { ...transformed('t1'), state: 'published', publishedAt: 'p' };
    expect(goldFingerprint(m)).toEqual(a);
    m.hours['2015-01-01-2'] = transformed('t2');
    const b = goldFingerprint(m);
    expect(b.fingerprint).not.toBe(a.fingerprint);
    expect(b.hours).toBe(2);
    m.hours['2015-01-01-0'] = transformed('t3');
    expect(goldFingerprint(m).fingerprint).not.toBe(b.fingerprint);
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
