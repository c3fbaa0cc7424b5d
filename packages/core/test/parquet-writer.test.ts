import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, describe, expect, it } from 'vitest';
import { col, openTableWriter, writeTableFile, type TableDecl } from '../src/index.js';

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
    const rows = (await db.runAndReadAll(`select id::varchar id, n, share, flag, name, doc::varchar doc, strftime(ts, '%Y-%m-%dT%H:%M:%S') ts, "day"::varchar "day", hex(raw) raw from read_parquet('${file}') order by id`)).getRowObjects();
    expect(rows[0]).toEqual({ id: '2498208911', n: 1, share: 0.25, flag: true, name: 'dependabot[bot]', doc: '{"a": [1,2], "é":"x"}', ts: '2015-01-01T15:00:03', day: '2015-01-01', raw: '00FF0A7B' });
    expect(rows[1]).toEqual({ id: '9007199254740991', n: null, share: null, flag: null, name: null, doc: null, ts: null, day: null, raw: null });
  });

  it('streams several row groups and leaves no temporary file behind', async () => {
    const file = path.join(dir, 'groups.parquet');
    const writer = await openTableWriter(table, file, { rowGroupRows: 1000 });
    for (let b = 0; b < 5; b++) {
      const ids = Array.from({ length: 700 }, (_, i) => b * 700 + i);
      await writer.append({ rowCount: 700, columns: { id: ids, n: ids, share: ids, flag: ids.map((i) => i % 2 === 0), name: ids.map(String), doc: ids.map(() => null), ts: ids.map((i) => i * 1000), day: ids.map(() => null), raw: ids.map(() => null) } });
    }
    expect(await readdir(dir)).not.toContain('groups.parquet');
    await writer.close();
    const [meta] = (await db.runAndReadAll(`select count(distinct row_group_id) row_groups, max(row_group_num_rows) biggest from parquet_metadata('${file}')`)).getRowObjects();
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
