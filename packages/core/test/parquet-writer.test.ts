import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { col, createPool, openTableWriter, runPoolTask, writeTableFile, type TableDecl } from '../src/index.js';
import { GHARCHIVE_FIXTURES, HOUR_2015_01_01_15_TYPES } from './fixtures/gharchive.js';
import { realEventColumns, realEventsTable } from './fixtures/real-events.js';
import { topLevelMember } from './fixtures/top-level-member.js';

const table: TableDecl = {
  layer: 'bronze',
  name: 'typed',
  grain: 'test',
  key: ['id'],
  partitioning: 'none',
  columns: [
    col('id', 'BIGINT', false, ''),
    col('n', 'INTEGER', true, ''),
    col('share', 'DOUBLE', true, ''),
    col('flag', 'BOOLEAN', true, ''),
    col('name', 'VARCHAR', true, ''),
    col('doc', 'JSON', true, ''),
    col('ts', 'TIMESTAMP', true, ''),
    col('day', 'DATE', true, ''),
    col('raw', 'BLOB', true, ''),
  ],
};

describe('parquet table writer', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'ghlake-parquet-'));
  afterAll(() => rm(dir, { recursive: true, force: true }));
  const db = await (await DuckDBInstance.create(':memory:')).connect();

  it('writes real logical types that DuckDB reads back exactly', async () => {
    const file = path.join(dir, 'typed.parquet');
    const written = await writeTableFile(table, file, {
      rowCount: 2,
      columns: {
        id: [2498208911, 9007199254740991n],
        n: [1, null],
        share: [0.25, null],
        flag: [true, null],
        name: ['dependabot[bot]', null],
        doc: ['{"a": [1,2], "é":"x"}', null],
        ts: [Date.UTC(2015, 0, 1, 15, 0, 3), null],
        day: ['2015-01-01', null],
        raw: [new Uint8Array([0, 255, 10, 123]), null],
      },
    });
    expect(written.rows).toBe(2);
    const types = (await db.runAndReadAll(`describe select * from read_parquet('${file}')`)).getRowObjects().map((r) => `${r.column_name}:${r.column_type}`);
    expect(types).toEqual(['id:BIGINT', 'n:INTEGER', 'share:DOUBLE', 'flag:BOOLEAN', 'name:VARCHAR', 'doc:VARCHAR', 'ts:TIMESTAMP', 'day:DATE', 'raw:BLOB']);
    const rows = (
      await db.runAndReadAll(
        `select id::varchar id, n, share, flag, name, doc::varchar doc, strftime(ts, '%Y-%m-%dT%H:%M:%S') ts, "day"::varchar "day", hex(raw) raw from read_parquet('${file}') order by id`,
      )
    ).getRowObjects();
    expect(rows[0]).toEqual({
      id: '2498208911',
      n: 1,
      share: 0.25,
      flag: true,
      name: 'dependabot[bot]',
      doc: '{"a": [1,2], "é":"x"}',
      ts: '2015-01-01T15:00:03',
      day: '2015-01-01',
      raw: '00FF0A7B',
    });
    expect(rows[1]).toEqual({ id: '9007199254740991', n: null, share: null, flag: null, name: null, doc: null, ts: null, day: null, raw: null });
  });

  it('streams several row groups and leaves no temporary file behind', async () => {
    const file = path.join(dir, 'groups.parquet');
    const writer = await openTableWriter(table, file, { rowGroupRows: 1000 });
    for (let b = 0; b < 5; b++) {
      const ids = Array.from({ length: 700 }, (_, i) => b * 700 + i);
      await writer.append({
        rowCount: 700,
        columns: {
          id: ids,
          n: ids,
          share: ids,
          flag: ids.map((i) => i % 2 === 0),
          name: ids.map(String),
          doc: ids.map(() => null),
          ts: ids.map((i) => i * 1000),
          day: ids.map(() => null),
          raw: ids.map(() => null),
        },
      });
    }
    expect(await readdir(dir)).not.toContain('groups.parquet');
    await writer.close();
    const [meta] = (
      await db.runAndReadAll(`select count(distinct row_group_id) row_groups, max(row_group_num_rows) biggest from parquet_metadata('${file}')`)
    ).getRowObjects();
    expect(meta).toEqual({ row_groups: 4n, biggest: 1000n });
    const [sum] = (await db.runAndReadAll(`select count(*) n, sum(id) s from read_parquet('${file}')`)).getRowObjects();
    expect(sum).toEqual({ n: 3500n, s: 6123250n });
    expect((await readdir(dir)).filter((f) => f.startsWith('.tmp-'))).toEqual([]);
  });

  it('writes an empty table as a valid file with its schema', async () => {
    const file = path.join(dir, 'empty.parquet');
    await writeTableFile(table, file, { rowCount: 0, columns: Object.fromEntries(table.columns.map((c) => [c.name, []])) });
    const [r] = (await db.runAndReadAll(`select count(*) n from read_parquet('${file}')`)).getRowObjects();
    expect(r).toEqual({ n: 0n });
  });
});

describe('parquet table writer on a real hour (2015-01-01-15)', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'ghlake-parquet-real-'));
  afterAll(() => rm(dir, { recursive: true, force: true }));
  const db = await (await DuckDBInstance.create(':memory:')).connect();
  const lines = gunzipSync(readFileSync(GHARCHIVE_FIXTURES.hour2015_01_01_15))
    .toString('utf8')
    .split('\n')
    .filter((l) => l !== '');
  const file = path.join(dir, 'real.parquet');
  await writeTableFile(realEventsTable, file, realEventColumns(lines), { rowGroupRows: 4096 });
  const q = async (sql: string) => (await db.runAndReadAll(sql)).getRowObjects();

  it('keeps every event: 11,351 rows, the real per-type counts, every payload byte', async () => {
    const [totals] = await q(
      `SELECT count(*)::INTEGER n, count(DISTINCT event_hash)::INTEGER hashes, sum(strlen(payload))::BIGINT payload_bytes FROM '${file}'`,
    );
    const payloadBytes = lines.reduce((s, l) => s + Buffer.byteLength(topLevelMember(l, 'payload')!), 0);
    expect(totals).toEqual({ n: 11_351, hashes: 11_351, payload_bytes: BigInt(payloadBytes) });
    const types = await q(`SELECT event_type, count(*)::INTEGER n FROM '${file}' GROUP BY ALL`);
    expect(Object.fromEntries(types.map((r) => [r.event_type, r.n]))).toEqual(HOUR_2015_01_01_15_TYPES);
    const first = JSON.parse(lines[0]!) as { id: string };
    const [row] = await q(`SELECT payload, strftime(created_at, '%Y-%m-%dT%H:%M:%SZ') created_at FROM '${file}' WHERE event_id = ${first.id}`);
    expect(row).toEqual({ payload: topLevelMember(lines[0]!, 'payload'), created_at: '2015-01-01T15:00:00Z' });
  });

  // The first 2,000 lines are enough to compare two writes row by row.
  const head = lines.slice(0, 2000);
  const headFile = path.join(dir, 'head.parquet');
  await writeTableFile(realEventsTable, headFile, realEventColumns(head), { rowGroupRows: 512 });
  const sameRows = async (other: string) =>
    (
      await q(
        `SELECT (SELECT count(*) FROM (FROM '${headFile}' EXCEPT ALL FROM '${other}'))::INTEGER a, (SELECT count(*) FROM (FROM '${other}' EXCEPT ALL FROM '${headFile}'))::INTEGER b, (SELECT count(*) FROM '${other}')::INTEGER n`,
      )
    )[0];

  it('takes text as UTF-8 bytes (Uint8Array) and writes the same content as from strings', async () => {
    const bytesFile = path.join(dir, 'head-bytes.parquet');
    await writeTableFile(realEventsTable, bytesFile, realEventColumns(head, true), { rowGroupRows: 512 });
    expect(await sameRows(bytesFile)).toEqual({ a: 0, b: 0, n: 2000 });
  });

  it('writes payload and hashes without a dictionary (all distinct) and payload without statistics; keeps dictionaries and statistics where queries filter', async () => {
    const meta =
      await q(`SELECT path_in_schema col, list_distinct(list(encodings)) enc, bool_or(stats_min_value IS NOT NULL) has_stats, min(stats_min_value) lo, max(stats_max_value) hi
      FROM parquet_metadata('${file}') GROUP BY ALL ORDER BY col`);
    const by = Object.fromEntries(meta.map((r) => [String(r.col), { enc: String(r.enc), stats: r.has_stats, lo: r.lo, hi: r.hi }]));
    expect(by.payload!.enc).not.toMatch(/DICTIONARY/);
    expect(by.payload!.stats).toBe(false);
    expect(by.event_hash!.enc).not.toMatch(/DICTIONARY/);
    expect(by.event_type!.enc).toMatch(/RLE_DICTIONARY/);
    expect([by.created_at!.lo, by.created_at!.hi]).toEqual(['2015-01-01 15:00:00', '2015-01-01 15:59:59']);
    expect(by.event_id!.stats).toBe(true);
  });

  it('works inside a pool worker thread', async () => {
    const pool = createPool({ threads: 1, maxOldGenerationSizeMb: 512 });
    try {
      const out = path.join(dir, 'from-worker.parquet');
      const task = { gz: GHARCHIVE_FIXTURES.hour2015_01_01_15, out, lines: 2000 };
      const result = await runPoolTask<typeof task, { rows: number; threadId: number }>(pool, new URL('./fixtures/parquet-worker.ts', import.meta.url), task);
      expect(result.rows).toBe(2000);
      expect(result.threadId).toBeGreaterThan(0);
      expect(await sameRows(out)).toEqual({ a: 0, b: 0, n: 2000 });
    } finally {
      await pool.destroy();
    }
  });
});
