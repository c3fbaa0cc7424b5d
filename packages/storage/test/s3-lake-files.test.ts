/** Which lake files `ghlake upload` publishes, and where their sha256 comes from. */
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, open, readFile, rename, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { rawMetaPath, rawPath } from '@ghlake/core';
import { HashCache, goldVersionKey, goldVersionOf, listLakeFiles, localGoldVersion, objectKey, parsePrefix, publishedRel } from '../src/index.js';
import { localSha256, rawMetaSha256 } from '../src/s3/checksum.js';
import { buildLake, HOUR, writeGold } from './fixtures/s3/lake.js';

let work: string;
beforeEach(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'ghlake-lakefiles-'));
});
afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('listLakeFiles', () => {
  it('lists the data files of the four layers and skips temp files, records, _state, the warehouse and other folders', async () => {
    const lake = path.join(work, 'lake');
    await buildLake(lake);
    const { files, ignored } = await listLakeFiles(lake);
    expect(files.map((f) => f.rel)).toEqual([
      'raw/date=2015-01-01/2015-01-01-15.json.gz',
      'bronze/events/date=2015-01-01/hour=15/part-0.parquet',
      'silver/actors/part-0.parquet',
      'silver/events/date=2015-01-01/hour=15/part-0.parquet',
      'silver/payload_details/date=2015-01-01/hour=15/part-0.parquet',
      'gold/actor_metrics/part-0.parquet',
      'gold/daily_summary/part-0.parquet',
      'gold/event_type_metrics/part-0.parquet',
      'gold/org_metrics/part-0.parquet',
      'gold/repo_metrics/part-0.parquet',
    ]);
    expect(ignored).toBe(2); // the .tmp- file and the raw hour's .meta.json
    const raw = files[0]!;
    expect(raw.size).toBe((await readFile(rawPath(lake, HOUR))).length);
  });

  it('follows a gold symlink to the current local version, once, and never uploads the versions folder', async () => {
    const lake = path.join(work, 'lake');
    await buildLake(lake);
    // The gold package's layout: <lake>/gold -> gold-versions/<id>
    await rename(path.join(lake, 'gold'), path.join(lake, 'gold-versions', 'v7'));
    await symlink(path.join('gold-versions', 'v7'), path.join(lake, 'gold'), 'dir');
    const { files } = await listLakeFiles(lake);
    const gold = files.filter((f) => f.layer === 'gold');
    expect(gold.map((f) => f.rel)).toHaveLength(5);
    expect(gold.every((f) => f.rel.startsWith('gold/') && f.path.startsWith(path.join(lake, 'gold-versions', 'v7')))).toBe(true);
    expect(files.some((f) => f.rel.includes('gold-versions'))).toBe(false);
  });

  it('a lake without layers lists nothing', async () => {
    expect(await listLakeFiles(work)).toEqual({ files: [], ignored: 0 });
  });
});

describe('local sha256', () => {
  it("reuses the download's verification record of a raw hour instead of reading the file", async () => {
    const lake = path.join(work, 'lake');
    await buildLake(lake);
    const file = rawPath(lake, HOUR);
    const bytes = await readFile(file);
    expect(await rawMetaSha256(file, bytes.length)).toBe(sha256(bytes));
    // A record for another size is not trusted.
    expect(await rawMetaSha256(file, bytes.length + 1)).toBeUndefined();
    // Proof the record, not the bytes, is used: a record naming another hash wins.
    const recorded = 'ab'.repeat(32);
    await writeFile(rawMetaPath(lake, HOUR), JSON.stringify({ size: bytes.length, sha256: recorded }));
    const cache = await HashCache.load(lake);
    const handle = await open(file, 'r');
    try {
      expect(await localSha256(handle, { path: file, rel: 'raw/x', layer: 'raw' }, { size: bytes.length, mtimeMs: 1 }, cache)).toEqual({
        sha256: recorded,
        source: 'raw-meta',
      });
    } finally {
      await handle.close();
    }
  });

  it('caches hashes in _state/upload-hashes.json and rereads a file whose mtime or size changed', async () => {
    const lake = path.join(work, 'lake');
    await mkdir(path.join(lake, 'silver', 'actors'), { recursive: true });
    const file = path.join(lake, 'silver', 'actors', 'part-0.parquet');
    await writeFile(file, 'first');
    const hashOnce = async () => {
      const cache = await HashCache.load(lake);
      const handle = await open(file, 'r');
      try {
        const st = await stat(file);
        const out = await localSha256(
          handle,
          { path: file, rel: 'silver/actors/part-0.parquet', layer: 'silver' },
          { size: st.size, mtimeMs: st.mtimeMs },
          cache,
        );
        await cache.save(true);
        return out;
      } finally {
        await handle.close();
      }
    };
    expect(await hashOnce()).toEqual({ sha256: sha256(Buffer.from('first')), source: 'read' });
    expect(await hashOnce()).toEqual({ sha256: sha256(Buffer.from('first')), source: 'cache' });
    await writeFile(file, 'other');
    await utimes(file, new Date(), new Date(Date.now() + 5000));
    expect(await hashOnce()).toEqual({ sha256: sha256(Buffer.from('other')), source: 'read' });
    const saved = JSON.parse(await readFile(HashCache.pathFor(lake), 'utf8')) as { files: Record<string, { sha256: string }> };
    expect(Object.keys(saved.files)).toEqual(['silver/actors/part-0.parquet']);
  });
});

describe('keys', () => {
  it('mirror the lake below the prefix; gold goes inside its version', () => {
    expect(objectKey('ghlake', 'silver/events/date=2015-01-01/hour=15/part-0.parquet')).toBe('ghlake/silver/events/date=2015-01-01/hour=15/part-0.parquet');
    expect(objectKey('', 'raw/date=2015-01-01/2015-01-01-15.json.gz')).toBe('raw/date=2015-01-01/2015-01-01-15.json.gz');
    expect(goldVersionKey('a/b', '0123456789abcdef', 'daily_summary/part-0.parquet')).toBe('a/b/gold/_v/0123456789abcdef/daily_summary/part-0.parquet');
    expect(parsePrefix('/data/ghlake/', '--prefix')).toBe('data/ghlake');
    expect(parsePrefix('', '--prefix')).toBe('');
    expect(publishedRel('silver/events/date=2015-01-01/hour=15/part-0.parquet', undefined)).toBe('silver/events/date=2015-01-01/hour=15/part-0.parquet');
    expect(publishedRel('gold/repo_metrics/part-0.parquet', '0123456789abcdef')).toBe('gold/_v/0123456789abcdef/repo_metrics/part-0.parquet');
  });

  it('the gold version is a content hash: same files, same version, in any order; any change, a new one', async () => {
    const a = { relInGold: 'actor_metrics/part-0.parquet', size: 10, sha256: '1'.repeat(64) };
    const b = { relInGold: 'daily_summary/part-0.parquet', size: 20, sha256: '2'.repeat(64) };
    expect(goldVersionOf([a, b])).toBe(goldVersionOf([b, a]));
    expect(goldVersionOf([a, b])).toMatch(/^[0-9a-f]{16}$/);
    expect(goldVersionOf([a, { ...b, sha256: '3'.repeat(64) }])).not.toBe(goldVersionOf([a, b]));
    expect(goldVersionOf([a])).not.toBe(goldVersionOf([a, b]));
    // Rebuilding gold with the same content gives the same version (nothing to upload).
    const lake = path.join(work, 'lake');
    await writeGold(lake, 1);
    const v1 = await localGoldVersion(lake);
    await writeGold(lake, 1);
    expect(await localGoldVersion(lake)).toBe(v1);
    await writeGold(lake, 2);
    expect(await localGoldVersion(lake)).not.toBe(v1);
  });
});
