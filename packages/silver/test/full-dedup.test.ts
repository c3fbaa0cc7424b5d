import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseHour, partitionDir, partitionFile, silverEvents, silverPayloadDetails, writeTableFile } from '@ghlake/core';
import { DEDUP_METADATA_KEY, dedupPartitionedTable } from '../src/consolidate/rebuild/index.js';
import { duckdbTempDir, openDuckDB, type OpenDuckDB } from '@ghlake/core/duckdb';
import { TEST_SETTINGS, eventRow, iso, sql, tempLake, writePartition, writeSilverHour } from './silver-lake.js';

let lake: string;
let cleanup: () => Promise<void>;
let db: OpenDuckDB;

beforeEach(async () => {
  ({ lake, cleanup } = await tempLake());
  db = await openDuckDB({ ...TEST_SETTINGS, tempDirectory: duckdbTempDir(lake) });
});
afterEach(async () => {
  db.close();
  await cleanup();
});

const eventsOf = (hour: string) =>
  sql(`SELECT event_id, event_type, created_at FROM read_parquet('${partitionFile(lake, 'silver', 'events', parseHour(hour))}') ORDER BY event_id, event_type`);

describe('cross-hour dedup of silver events', () => {
  it('keeps an event present in two hour files in the earlier hour and rewrites only the later one', async () => {
    await writeSilverHour(lake, '2015-01-01-0', {
      events: [
        { id: 1, at: '2015-01-01T00:10:00' },
        { id: 2, at: '2015-01-01T00:59:59' },
      ],
    });
    await writeSilverHour(lake, '2015-01-01-1', {
      events: [
        { id: 2, at: '2015-01-01T00:59:59' },
        { id: 3, at: '2015-01-01T01:00:01' },
      ],
    });
    await writeSilverHour(lake, '2015-01-01-2', { events: [{ id: 4, at: '2015-01-01T02:00:00' }] });
    const untouched = await fs.stat(partitionFile(lake, 'silver', 'events', parseHour('2015-01-01-2')));
    const keeper = await fs.stat(partitionFile(lake, 'silver', 'events', parseHour('2015-01-01-0')));

    const result = await dedupPartitionedTable(db.connection, lake, silverEvents);

    expect(result).toEqual({ table: 'events', partitions: 3, rows: 4, duplicateKeys: 1, rowsRemoved: 1, rewrittenHours: ['2015-01-01-1'] });
    expect((await eventsOf('2015-01-01-0')).map((r) => r.event_id)).toEqual([1, 2]);
    expect((await eventsOf('2015-01-01-1')).map((r) => r.event_id)).toEqual([3]);
    expect((await eventsOf('2015-01-01-2')).map((r) => r.event_id)).toEqual([4]);
    // Partitions that lose nothing are not rewritten (same inode, same mtime).
    const after2 = await fs.stat(partitionFile(lake, 'silver', 'events', parseHour('2015-01-01-2')));
    const after0 = await fs.stat(partitionFile(lake, 'silver', 'events', parseHour('2015-01-01-0')));
    expect([after2.ino, after2.mtimeMs]).toEqual([untouched.ino, untouched.mtimeMs]);
    expect([after0.ino, after0.mtimeMs]).toEqual([keeper.ino, keeper.mtimeMs]);

    const payload = await dedupPartitionedTable(db.connection, lake, silverPayloadDetails);
    expect(payload).toMatchObject({ rows: 4, duplicateKeys: 1, rowsRemoved: 1, rewrittenHours: ['2015-01-01-1'] });
  });

  it('keeps the earliest hour even when the later hour sorts first as a string (hour=10 vs hour=9)', async () => {
    await writeSilverHour(lake, '2015-01-01-10', { events: [{ id: 7, at: '2015-01-01T09:59:00' }] });
    await writeSilverHour(lake, '2015-01-01-9', { events: [{ id: 7, at: '2015-01-01T09:59:00' }] });
    const result = await dedupPartitionedTable(db.connection, lake, silverEvents);
    expect(result.rewrittenHours).toEqual(['2015-01-01-10']);
    expect(await eventsOf('2015-01-01-9')).toHaveLength(1);
    expect(await eventsOf('2015-01-01-10')).toHaveLength(0);
  });

  it('treats the key as (event_id, event_type, created_at): a reused id with another type or time is another event', async () => {
    await writeSilverHour(lake, '2017-03-01-5', { events: [{ id: 6_700_000_001, type: 'IssueCommentEvent', at: '2017-03-01T05:00:00' }] });
    await writeSilverHour(lake, '2025-12-01-5', {
      events: [
        { id: 6_700_000_001, type: 'PushEvent', at: '2025-12-01T05:00:00' },
        { id: 6_700_000_001, type: 'IssueCommentEvent', at: '2025-12-01T05:00:00' },
      ],
    });
    const result = await dedupPartitionedTable(db.connection, lake, silverEvents);
    expect(result).toMatchObject({ rows: 3, duplicateKeys: 0, rowsRemoved: 0, rewrittenHours: [] });
  });

  it('removes a duplicate inside one hour file, keeping its first copy (issue #191: IssueCommentEvent twice in 2017-04-09-5)', async () => {
    const dup = { id: 5_654_131_736, type: 'IssueCommentEvent', at: '2017-04-09T05:12:00', actor: 9 };
    const file = await writePartition(lake, silverEvents, '2017-04-09-5', [
      eventRow(dup),
      eventRow({ id: 5_654_131_737, at: '2017-04-09T05:13:00' }),
      { ...eventRow(dup), event_hash: 'second-copy' },
    ]);
    const result = await dedupPartitionedTable(db.connection, lake, silverEvents);
    expect(result).toMatchObject({ rows: 2, duplicateKeys: 1, rowsRemoved: 1, rewrittenHours: ['2017-04-09-5'] });
    expect(await sql(`SELECT event_id, event_hash FROM read_parquet('${file}')`)).toEqual([
      { event_id: 5_654_131_736, event_hash: `hash-${5_654_131_736}` },
      { event_id: 5_654_131_737, event_hash: `hash-${5_654_131_737}` },
    ]);
  });

  it('keeps every column, its declared type and the row order of the rewritten file', async () => {
    await writeSilverHour(lake, '2015-01-01-3', { events: [{ id: 30, at: '2015-01-01T03:00:00' }] });
    await writeSilverHour(lake, '2015-01-01-4', {
      events: [
        { id: 43, at: '2015-01-01T04:03:00', actor: 5, repo: 50, org: 500, bot: true },
        { id: 30, at: '2015-01-01T03:00:00' },
        { id: 41, at: '2015-01-01T04:01:00', actor: null, repo: null },
      ],
    });
    await dedupPartitionedTable(db.connection, lake, silverEvents);
    const file = partitionFile(lake, 'silver', 'events', parseHour('2015-01-01-4'));
    const schema = await sql(`SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet('${file}', hive_partitioning = false))`);
    expect(schema.map((c) => `${String(c.column_name)} ${String(c.column_type)}`)).toEqual(silverEvents.columns.map((c) => `${c.name} ${c.type}`));
    const rows = await sql(`SELECT * FROM read_parquet('${file}')`);
    expect(rows.map((r) => [r.event_id, r.actor_id, r.repo_id, r.org_id, r.is_bot, iso(r.created_at), iso(r.hour_bucket)])).toEqual([
      [43, 5, 50, 500, true, '2015-01-01T04:03:00Z', '2015-01-01T04:00:00Z'],
      [41, null, null, null, null, '2015-01-01T04:01:00Z', '2015-01-01T04:00:00Z'],
    ]);
  });

  it("carries the transform's key/value metadata over and records the rows it removed", async () => {
    await writeSilverHour(lake, '2015-01-01-0', { events: [{ id: 1, at: '2015-01-01T00:30:00' }] });
    const file = partitionFile(lake, 'silver', 'events', parseHour('2015-01-01-1'));
    const rows = [eventRow({ id: 1, at: '2015-01-01T00:30:00' }), eventRow({ id: 2, at: '2015-01-01T01:30:00' })];
    await writeTableFile(
      silverEvents,
      file,
      { rowCount: 2, columns: Object.fromEntries(silverEvents.columns.map((c) => [c.name, rows.map((r) => r[c.name])])) },
      { metadata: { 'ghlake.lines': '2' } },
    );
    await dedupPartitionedTable(db.connection, lake, silverEvents);
    const kv = await sql(`SELECT decode(key) AS k, decode(value) AS v FROM parquet_kv_metadata('${file}') ORDER BY k`);
    expect(kv).toEqual([
      { k: DEDUP_METADATA_KEY, v: '1' },
      { k: 'ghlake.lines', v: '2' },
    ]);
  });

  it("never reads a writer's half-written .tmp- file beside a partition (DuckDB globs match dot-files)", async () => {
    await writeSilverHour(lake, '2015-01-01-0', { events: [{ id: 1, at: '2015-01-01T00:30:00' }] });
    await writeSilverHour(lake, '2015-01-01-1', { events: [{ id: 2, at: '2015-01-01T01:30:00' }] });
    // A transform rewriting hour 1 right now: its temp file holds a copy of event 1 and is incomplete.
    await fs.writeFile(path.join(partitionDir(lake, 'silver', 'events', parseHour('2015-01-01-1')), '.tmp-abc123-part-0.parquet'), 'PAR1 half written');
    const result = await dedupPartitionedTable(db.connection, lake, silverEvents);
    expect(result).toMatchObject({ partitions: 2, rows: 2, duplicateKeys: 0, rowsRemoved: 0 });
  });

  it('is a no-op on a lake without silver events', async () => {
    expect(await dedupPartitionedTable(db.connection, lake, silverEvents)).toEqual({
      table: 'events',
      partitions: 0,
      rows: 0,
      duplicateKeys: 0,
      rowsRemoved: 0,
      rewrittenHours: [],
    });
  });
});
