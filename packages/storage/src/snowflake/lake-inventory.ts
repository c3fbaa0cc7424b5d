/**
 * What the lake holds for Snowflake: every data file of the ten silver and gold tables, with its
 * source hour (hourly tables), size, modification time, row count and key under the stage.
 *
 * Hourly tables (silver events, payload_details): every partition file. Keyed tables (silver
 * actors, repositories, organizations and every gold table; core's keyed-files.ts): only the LIVE
 * files — the newest `part-<seq>-full.parquet` and the deltas after it — with their seq; gold from
 * the version `<lake>/gold` points at. Keys under the stage mirror the lake, gold included
 * (`gold/<table>/part-<seq>[-full].parquet`, as `ghlake upload` publishes it).
 *
 * Row counts come from the Parquet footers (DuckDB's parquet_file_metadata) so each COPY can be
 * checked against them; `countRows` reads them only for the files a load will copy. Temporary
 * files of a writer that is still running (`.tmp-*`) are not data files.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { ERROR_CODES, GhlakeError, hourFromPartitionPath, compareHours, type HourKey, type TableDecl } from '@ghlake/core';
import { listPartitionFiles } from '@ghlake/core/duckdb';
import { goldSnapshot, silverKeyedTables } from '../s3/lake-files.js';
import { SNOWFLAKE_TABLES, tableKey } from './objects.js';

export interface LakeTableFile {
  table: TableDecl;
  /** Path relative to the lake with forward slashes. */
  path: string;
  /** Key of the uploaded file below the stage URL (the lake path: upload mirrors the lake). */
  stagePath: string;
  /** Source hour of an hourly partition; null for a keyed table's file. */
  hour: HourKey | null;
  /** A keyed table's file: its seq and whether it holds every key (undefined: an hourly partition, or a file without a keyed name). */
  seq?: number | undefined;
  full?: boolean | undefined;
  bytes: number;
  mtimeMs: number;
  /** Rows in the file (Parquet footer); -1 until counted (`scanLake(lake, { rows: false })`). */
  rows: number;
}

async function hourFilesOf(lake: string, table: TableDecl): Promise<string[]> {
  return (await listPartitionFiles(lake, table)).map((f) => f.file);
}

/** Row counts from the Parquet footers of `files` (absolute paths). */
async function rowCounts(files: string[]): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  if (files.length === 0) return counts;
  const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
  const connection = await instance.connect();
  try {
    const literal = (p: string) => `'${p.replaceAll("'", "''")}'`;
    for (let i = 0; i < files.length; i += 2000) {
      const chunk = files.slice(i, i + 2000);
      const reader = await connection.runAndReadAll(`SELECT file_name, num_rows FROM parquet_file_metadata([${chunk.map(literal).join(', ')}])`);
      for (const [name, rows] of reader.getRows()) counts.set(String(name), Number(rows));
    }
  } catch (error) {
    throw new GhlakeError(
      ERROR_CODES.SQL,
      `reading the row counts of the lake's Parquet files failed: ${error instanceof Error ? error.message : String(error)}`,
      {
        cause: error,
        hint: 'a lake file is damaged or not Parquet; rebuild it (ghlake silver / ghlake gold) and load again',
      },
    );
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
  return counts;
}

/** Fill `rows` of the given files (those still -1) from their Parquet footers. */
export async function countRows(lake: string, files: readonly LakeTableFile[]): Promise<void> {
  const todo = files.filter((f) => f.rows < 0);
  const counts = await rowCounts(todo.map((f) => path.join(lake, f.path)));
  for (const f of todo) f.rows = counts.get(path.join(lake, f.path)) ?? 0;
}

/**
 * Every data file of the ten Snowflake tables in the lake, ordered by table then hour (or seq) then
 * path. `rows: false` leaves the row counts to `countRows` (a load counts only what it copies).
 */
export async function scanLake(lake: string, options: { rows?: boolean } = {}): Promise<LakeTableFile[]> {
  const out: LakeTableFile[] = [];
  const stat = async (abs: string) => {
    const st = await fs.stat(abs);
    return { bytes: st.size, mtimeMs: Math.floor(st.mtimeMs) };
  };
  for (const table of SNOWFLAKE_TABLES) {
    if (table.partitioning !== 'hour') continue;
    for (const abs of await hourFilesOf(lake, table)) {
      const rel = path.relative(lake, abs).split(path.sep).join('/');
      out.push({ table, path: rel, stagePath: rel, hour: hourFromPartitionPath(rel) ?? null, ...(await stat(abs)), rows: -1 });
    }
  }
  const byDir = new Map(SNOWFLAKE_TABLES.filter((t) => t.partitioning !== 'hour').map((t) => [`${t.layer}/${t.name}`, t]));
  const gold = await goldSnapshot(lake);
  const keyed = [...(await silverKeyedTables(lake)).tables, ...(gold?.tables ?? [])];
  for (const t of keyed) {
    const table = byDir.get(t.dir);
    if (!table) continue;
    for (const f of t.live)
      out.push({ table, path: f.rel, stagePath: f.rel, hour: null, seq: f.seq, full: f.full, bytes: f.size, mtimeMs: Math.floor(f.mtimeMs), rows: -1 });
  }
  for (const f of gold?.unkeyed ?? []) {
    const table = byDir.get(f.rel.slice(0, f.rel.lastIndexOf('/')));
    if (table) out.push({ table, path: f.rel, stagePath: f.rel, hour: null, bytes: f.size, mtimeMs: Math.floor(f.mtimeMs), rows: -1 });
  }
  if (options.rows !== false) await countRows(lake, out);
  const order = new Map(SNOWFLAKE_TABLES.map((t, i) => [tableKey(t), i]));
  return out.sort(
    (a, b) =>
      order.get(tableKey(a.table))! - order.get(tableKey(b.table))! ||
      (a.hour && b.hour ? compareHours(a.hour, b.hour) : 0) ||
      (a.seq ?? -1) - (b.seq ?? -1) ||
      (a.path < b.path ? -1 : a.path > b.path ? 1 : 0),
  );
}
