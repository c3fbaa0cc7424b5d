/**
 * ghlake writes its own Parquet (core/src/parquet), so every table of a real lake is read back by
 * three independent readers — DuckDB (C++), hyparquet (JavaScript), arrow-rs (Rust, via
 * parquet-wasm) — which must return the same rows, value for value, with the Arrow types the
 * declarations promise. The lake is built by `ghlake run` over real hours of every era, real defect
 * lines and a generated 2024-like hour (tools/verify-parquet/lake.ts). pyarrow, polars and
 * fastparquet (verify.py) are a manual step: docs/parquet-writers.md.
 */
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BRONZE_TABLES, GOLD_TABLES, SILVER_OBSERVATION_TABLES, SILVER_TABLES } from '@ghlake/core';
import { makeVerifyLake, VERIFY_HOURS } from '../verify-parquet/lake.js';
import {
  ARROW_TYPE,
  arrowRows,
  firstDifference,
  footerRows,
  lakeParquetFiles,
  readArrowTable,
  readWithDuckDB,
  readWithHyparquet,
  type LakeFile,
} from '../verify-parquet/read-lake.js';

let work: string;
let lake: string;
let stdout: Map<string, string>;
let files: LakeFile[];
let instance: DuckDBInstance;
let duck: DuckDBConnection;

beforeAll(async () => {
  work = await fs.mkdtemp(path.join(tmpdir(), 'ghlake-verify-parquet-'));
  ({ lake, stdout } = await makeVerifyLake(path.join(work, 'vp'), 2_000));
  files = await lakeParquetFiles(lake);
  instance = await DuckDBInstance.create(':memory:', { threads: '1' });
  duck = await instance.connect();
}, 600_000);
afterAll(async () => {
  duck?.closeSync();
  instance?.closeSync();
  if (work) await fs.rm(work, { recursive: true, force: true });
});

const sumOf = (re: RegExp) => [...stdout.values()].reduce((n, text) => n + Number(re.exec(text)![1]!.replaceAll(',', '')), 0);

describe('the Parquet of a lake built by ghlake run, read by DuckDB, hyparquet and arrow-rs', () => {
  it('holds every declared table, bronze as many rows as the runs reported', async () => {
    const found = new Set(files.map((f) => `${f.table.layer}.${f.table.name}`));
    for (const t of [...BRONZE_TABLES, ...SILVER_TABLES, ...SILVER_OBSERVATION_TABLES, ...GOLD_TABLES]) expect(found).toContain(`${t.layer}.${t.name}`);
    expect(stdout.size).toBe(VERIFY_HOURS.length);

    const rows = async (table: string) => {
      const [r] = (await duck.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM read_parquet('${path.join(lake, table)}/**/*.parquet')`)).getRowObjectsJS();
      return r!.n;
    };
    expect(await rows('bronze/events')).toBe(sumOf(/([\d,]+) to bronze/));
    expect(await rows('bronze/quarantine')).toBe(sumOf(/([\d,]+) lines quarantined/));
    expect(await rows('bronze/quarantine')).toBeGreaterThan(0);
    // Silver holds each bronze event once (the defect hour repeats lines of 2015-01-01-0).
    const [distinct] = (
      await duck.runAndReadAll(
        `SELECT count(DISTINCT (event_id, event_type, created_at))::INTEGER AS n FROM read_parquet('${path.join(lake, 'bronze/events')}/**/*.parquet')`,
      )
    ).getRowObjectsJS();
    expect(await rows('silver/events')).toBe(distinct!.n);
    // Several row groups in one file are read too.
    const [groups] = (
      await duck.runAndReadAll(
        `SELECT max(n)::INTEGER AS n FROM (SELECT count(DISTINCT row_group_id) AS n FROM parquet_metadata('${lake}/bronze/**/*.parquet') GROUP BY file_name)`,
      )
    ).getRowObjectsJS();
    expect(groups!.n).toBeGreaterThan(1);
  });

  it('every file: the three readers and the footer agree on the row count and every value; no NULL where declared NOT NULL', async () => {
    const problems: string[] = [];
    for (const file of files) {
      const columns = file.table.columns.map((c) => c.name);
      const where = path.relative(lake, file.path);
      const byDuck = await readWithDuckDB(duck, file);
      const footer = await footerRows(file);
      if (byDuck.length !== footer) problems.push(`${where}: duckdb read ${byDuck.length} rows, the footer says ${footer}`);
      file.table.columns.forEach((c, i) => {
        if (!c.nullable && byDuck.some((row) => row[i] === null)) problems.push(`${where}: NULL in ${c.name}, declared NOT NULL`);
      });
      const hyparquet = firstDifference(columns, byDuck, await readWithHyparquet(file));
      if (hyparquet) problems.push(`${where}: duckdb vs hyparquet: ${hyparquet}`);
      const arrow = firstDifference(columns, byDuck, arrowRows(file, readArrowTable(file)));
      if (arrow) problems.push(`${where}: duckdb vs arrow-rs: ${arrow}`);
    }
    expect(problems).toEqual([]);
    expect(files.length).toBeGreaterThan(50);
  });

  it('every table: arrow-rs reads the declared types (int64 ids, micro timestamps without a zone, UTF8 text, bytes as binary) and REQUIRED where ghlake writes NOT NULL columns', () => {
    const problems: string[] = [];
    const seen = new Set<string>();
    for (const file of files) {
      const name = `${file.table.layer}.${file.table.name}`;
      if (seen.has(name)) continue;
      seen.add(name);
      const schema = readArrowTable(file).schema;
      expect(schema.fields.map((f) => f.name)).toEqual(file.table.columns.map((c) => c.name));
      for (const c of file.table.columns) {
        const field = schema.fields.find((f) => f.name === c.name)!;
        if (String(field.type) !== ARROW_TYPE[c.type]) problems.push(`${name}.${c.name}: ${String(field.type)}, declared ${c.type}`);
        // ghlake's writer marks NOT NULL columns REQUIRED; the keyed tables (entities, gold) are written by
        // DuckDB's COPY, which marks every column OPTIONAL: there the values are checked instead (above).
        const required = !c.nullable && file.table.partitioning === 'hour';
        if (field.nullable === required) problems.push(`${name}.${c.name}: nullable ${field.nullable}, declared ${c.nullable}`);
      }
    }
    expect(problems).toEqual([]);
  });
});
