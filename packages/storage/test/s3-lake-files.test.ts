/** Which lake files `ghlake upload` publishes, and where their sha256 comes from. */
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, open, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseHour, partitionFile, rawMetaPath, rawPath, writeTableFile, silverEvents } from '@ghlake/core';
import { changedLakeFiles, goldVersionOf, listLakeFiles, objectKey, parsePrefix } from '../src/index.js';
import { localSha256, rawMetaSha256 } from '../src/s3/checksum.js';
import { buildLake, HOUR, sampleBatch, writeGold } from './fixtures/s3/lake.js';

let work: string;
beforeEach(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'ghlake-lakefiles-'));
});
afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('listLakeFiles', () => {
  it('lists the data files of the four layers, keyed tables by their live files, and skips temp files, records, _state, the warehouse and other folders', async () => {
    const lake = path.join(work, 'lake');
    await buildLake(lake);
    const { files, keyed, gold, ignored } = await listLakeFiles(lake);
    expect(files.map((f) => f.rel)).toEqual([
      'raw/date=2015-01-01/2015-01-01-15.json.gz',
      'bronze/events/date=2015-01-01/hour=15/part-0.parquet',
      'silver/events/date=2015-01-01/hour=15/part-0.parquet',
      'silver/payload_details/date=2015-01-01/hour=15/part-0.parquet',
    ]);
    // The obsolete part-0000000000-full.parquet (older than the newest full file) is not part of the table.
    expect(keyed.map((t) => [t.dir, t.live.map((f) => [f.rel, f.seq, f.full])])).toEqual([
      ['silver/actors', [['silver/actors/part-0000000001-full.parquet', 1, true]]],
    ]);
    expect(gold?.version).toBe('0000000001');
    expect(gold?.tables.map((t) => t.live.map((f) => f.rel))).toEqual(
      ['actor_metrics', 'daily_summary', 'event_type_metrics', 'org_metrics', 'repo_metrics'].map((t) => [`gold/${t}/part-0000000001-full.parquet`]),
    );
    expect(ignored).toBe(3); // the .tmp- file, the raw hour's .meta.json, the obsolete keyed file
    const raw = files[0]!;
    expect(raw.size).toBe((await readFile(rawPath(lake, HOUR))).length);
  });

  it('follows the gold symlink to the current local version, once, and never uploads the versions folder', async () => {
    const lake = path.join(work, 'lake');
    await buildLake(lake);
    await writeGold(lake, 7);
    const { files, gold } = await listLakeFiles(lake);
    expect(gold?.version).toBe('0000000007');
    const goldFiles = gold!.tables.flatMap((t) => t.live);
    expect(goldFiles).toHaveLength(5);
    expect(goldFiles.every((f) => f.rel.startsWith('gold/') && f.path.startsWith(path.join(lake, 'gold-versions', '0000000007')))).toBe(true);
    expect(files.some((f) => f.rel.includes('gold-versions'))).toBe(false);
  });

  it('a lake without layers lists nothing', async () => {
    expect(await listLakeFiles(work)).toEqual({ files: [], keyed: [], gold: undefined, ignored: 0 });
  });
});

describe('changedLakeFiles', () => {
  it('looks only at the given hours (raw and every hour partition that exists), plus the keyed tables and gold', async () => {
    const lake = path.join(work, 'lake');
    await buildLake(lake);
    const other = parseHour('2015-01-02-3');
    await writeTableFile(silverEvents, partitionFile(lake, 'silver', 'events', other), sampleBatch(silverEvents, 3, 1));
    const listing = await changedLakeFiles(lake, [other]);
    expect(listing.files.map((f) => f.rel)).toEqual(['silver/events/date=2015-01-02/hour=3/part-0.parquet']);
    expect(listing.keyed.map((t) => t.dir)).toEqual(['silver/actors']);
    expect(listing.gold?.tables).toHaveLength(5);
    expect((await changedLakeFiles(lake, [HOUR])).files.map((f) => f.rel)).toEqual([
      'raw/date=2015-01-01/2015-01-01-15.json.gz',
      'bronze/events/date=2015-01-01/hour=15/part-0.parquet',
      'silver/events/date=2015-01-01/hour=15/part-0.parquet',
      'silver/payload_details/date=2015-01-01/hour=15/part-0.parquet',
    ]);
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
    const handle = await open(file, 'r');
    try {
      expect(await localSha256(handle, { path: file, layer: 'raw' }, { size: bytes.length, mtimeMs: 1 }, undefined)).toEqual({
        sha256: recorded,
        source: 'raw-meta',
      });
    } finally {
      await handle.close();
    }
  });

  it("takes the upload record's hash while the file's size and mtime are the recorded ones, and reads it otherwise", async () => {
    const lake = path.join(work, 'lake');
    await mkdir(path.join(lake, 'silver', 'events'), { recursive: true });
    const file = path.join(lake, 'silver', 'events', 'part-0.parquet');
    await writeFile(file, 'first');
    const hash = async (recorded: { size: number; sha256: string; mtimeMs?: number } | undefined) => {
      const handle = await open(file, 'r');
      try {
        const st = await stat(file);
        return await localSha256(handle, { path: file, layer: 'silver' }, { size: st.size, mtimeMs: st.mtimeMs }, recorded);
      } finally {
        await handle.close();
      }
    };
    const first = await hash(undefined);
    expect(first).toEqual({ sha256: sha256(Buffer.from('first')), source: 'read' });
    const { mtimeMs, size } = await stat(file);
    // Proof the record, not the bytes, is used: a recorded hash wins while size and mtime match.
    expect(await hash({ size, mtimeMs, sha256: 'cd'.repeat(32) })).toEqual({ sha256: 'cd'.repeat(32), source: 'record' });
    await writeFile(file, 'other');
    await utimes(file, new Date(), new Date(Date.now() + 5000));
    expect(await hash({ size, mtimeMs, sha256: 'cd'.repeat(32) })).toEqual({ sha256: sha256(Buffer.from('other')), source: 'read' });
  });
});

describe('keys', () => {
  it('mirror the lake below the prefix, gold included', () => {
    expect(objectKey('ghlake', 'silver/events/date=2015-01-01/hour=15/part-0.parquet')).toBe('ghlake/silver/events/date=2015-01-01/hour=15/part-0.parquet');
    expect(objectKey('', 'raw/date=2015-01-01/2015-01-01-15.json.gz')).toBe('raw/date=2015-01-01/2015-01-01-15.json.gz');
    expect(objectKey('a/b', 'gold/daily_summary/part-0000000003-full.parquet')).toBe('a/b/gold/daily_summary/part-0000000003-full.parquet');
    expect(parsePrefix('/data/ghlake/', '--prefix')).toBe('data/ghlake');
    expect(parsePrefix('', '--prefix')).toBe('');
  });

  it('a gold folder that is no local version is named by a content hash: same files, same version, in any order; any change, a new one', () => {
    const a = { relInGold: 'actor_metrics/part-0000000001-full.parquet', size: 10, sha256: '1'.repeat(64) };
    const b = { relInGold: 'daily_summary/part-0000000001-full.parquet', size: 20, sha256: '2'.repeat(64) };
    expect(goldVersionOf([a, b])).toBe(goldVersionOf([b, a]));
    expect(goldVersionOf([a, b])).toMatch(/^[0-9a-f]{16}$/);
    expect(goldVersionOf([a, { ...b, sha256: '3'.repeat(64) }])).not.toBe(goldVersionOf([a, b]));
    expect(goldVersionOf([a])).not.toBe(goldVersionOf([a, b]));
  });
});
