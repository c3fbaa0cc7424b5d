/**
 * A lake's content as plain rows, read with DuckDB straight from the Parquet files, for
 * comparing two lakes: bronze, silver (hour partitions with their hive keys) and gold —
 * without the write-time columns (processed_at, ingested_at, quarantined_at) that differ between runs.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { BRONZE_TABLES, GOLD_TABLES, SILVER_OBSERVATION_TABLES, SILVER_TABLES, PARTIAL_MARK, TMP_MARK, type TableDecl } from '@ghlake/core';
import { keyedRelation, listKeyedFiles, liveKeyedFiles } from '@ghlake/core/duckdb';

const WRITE_TIME_COLUMNS = new Set(['processed_at', 'ingested_at', 'quarantined_at']);

async function hasFiles(dir: string): Promise<boolean> {
  const walk = async (d: string): Promise<boolean> => {
    const entries = await fs.readdir(d, { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      if (e.isDirectory() ? await walk(path.join(d, e.name)) : /^part-.*\.parquet$/.test(e.name)) return true;
    }
    return false;
  };
  return walk(dir);
}

/** A table's current rows: partitions by glob; a keyed table (entities, gold) newest row per key over its live files. */
async function relation(lake: string, t: TableDecl): Promise<string> {
  const dir = path.join(lake, t.layer, t.name);
  if (t.partitioning === 'hour') return `read_parquet('${path.join(dir, '*', '*', 'part-*.parquet')}', hive_partitioning = true)`;
  return keyedRelation(t, liveKeyedFiles(await listKeyedFiles(dir)).live) ?? `(SELECT 1 WHERE false)`;
}

/** `layer.table` → rows (sorted, JSON-safe), for every table that has files. */
export async function lakeContent(lake: string): Promise<Record<string, unknown[]>> {
  const db = await DuckDBInstance.create(':memory:', { threads: '1' });
  const connection = await db.connect();
  const out: Record<string, unknown[]> = {};
  try {
    for (const t of [...BRONZE_TABLES, ...SILVER_TABLES, ...SILVER_OBSERVATION_TABLES, ...GOLD_TABLES]) {
      if (!(await hasFiles(path.join(lake, t.layer, t.name)))) continue;
      const columns = t.columns.filter((c) => !WRITE_TIME_COLUMNS.has(c.name)).map((c) => `"${c.name}"`);
      if (t.partitioning === 'hour') columns.push('"date"::VARCHAR AS "date"', '"hour"::VARCHAR AS "hour"');
      const reader = await connection.runAndReadAll(`SELECT ${columns.join(', ')} FROM ${await relation(lake, t)} ORDER BY ALL`);
      out[`${t.layer}.${t.name}`] = JSON.parse(JSON.stringify(reader.getRowObjectsJS(), (_k, v) => (typeof v === 'bigint' ? v.toString() : v)));
    }
  } finally {
    connection.closeSync();
    db.closeSync();
  }
  return out;
}

/** Every file under `dir` whose name marks it temporary. */
export async function tempFilesUnder(dir: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (d: string) => {
    for (const e of await fs.readdir(d, { withFileTypes: true }).catch(() => [])) {
      const full = path.join(d, e.name);
      // temp files, and partial downloads kept for a rerun (download's kept-partial.ts)
      if (e.name.startsWith(TMP_MARK) || e.name.startsWith(PARTIAL_MARK)) found.push(full);
      else if (e.isDirectory()) await walk(full);
    }
  };
  await walk(dir);
  return found;
}
