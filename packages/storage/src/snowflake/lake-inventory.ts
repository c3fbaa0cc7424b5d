/**
 * What the lake holds for Snowflake: every data file of the ten silver and gold tables, with
 * its source hour (hourly tables), size, modification time, row count and key under the stage.
 * The row count comes from the Parquet footer (DuckDB's parquet_file_metadata) so each COPY can
 * be checked against it. Temporary files of a writer that is still running (`.tmp-*`) are not
 * data files.
 *
 * Keys under the stage mirror the lake (`silver/events/date=.../hour=.../part-0.parquet`), except
 * gold: `ghlake upload` publishes it as immutable versions, `gold/_v/<version>/<table>/part-0.parquet`,
 * the version being a content hash of all gold files that upload computes the same way from the
 * local lake (`localGoldVersion`). So the gold the lake has now is the gold that gets loaded.
 */
import { promises as fs, type Dirent } from 'node:fs';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { ERROR_CODES, GhlakeError, hourFromPartitionPath, isTempPath, tableDir, compareHours, type HourKey, type TableDecl } from '@ghlake/core';
import { localGoldVersion } from '../s3/gold-publish.js';
import { publishedRel } from '../s3/keys.js';
import { SNOWFLAKE_TABLES, tableKey } from './objects.js';

export interface LakeTableFile {
  table: TableDecl;
  /** Path relative to the lake with forward slashes. */
  path: string;
  /** Key of the uploaded file below the stage URL: `path`, or `gold/_v/<version>/...` for gold. */
  stagePath: string;
  /** Source hour of an hourly partition; null for a whole-table file. */
  hour: HourKey | null;
  bytes: number;
  mtimeMs: number;
  rows: number;
}

const PART = /^part-[A-Za-z0-9_-]+\.parquet$/;

async function list(dir: string): Promise<Dirent[]> {
  try {
    return await fs.readdir(dir, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

async function dataFilesOf(lake: string, table: TableDecl): Promise<string[]> {
  const root = tableDir(lake, table.layer, table.name);
  const files: string[] = [];
  if (table.partitioning === 'none') {
    for (const e of await list(root)) if (e.isFile() && PART.test(e.name)) files.push(path.join(root, e.name));
    return files;
  }
  for (const day of await list(root)) {
    if (!day.isDirectory() || !/^date=\d{4}-\d{2}-\d{2}$/.test(day.name)) continue;
    for (const hour of await list(path.join(root, day.name))) {
      if (!hour.isDirectory() || !/^hour=\d{1,2}$/.test(hour.name)) continue;
      const dir = path.join(root, day.name, hour.name);
      for (const e of await list(dir)) if (e.isFile() && PART.test(e.name) && !isTempPath(e.name)) files.push(path.join(dir, e.name));
    }
  }
  return files;
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

/** Every data file of the ten Snowflake tables in the lake, ordered by table then hour then path. */
export async function scanLake(lake: string): Promise<LakeTableFile[]> {
  const found: Array<{ table: TableDecl; abs: string }> = [];
  for (const table of SNOWFLAKE_TABLES) for (const abs of await dataFilesOf(lake, table)) found.push({ table, abs });
  const counts = await rowCounts(found.map((f) => f.abs));
  const goldVersion = found.some((f) => f.table.layer === 'gold') ? await localGoldVersion(lake) : undefined;
  const out: LakeTableFile[] = [];
  for (const { table, abs } of found) {
    const stat = await fs.stat(abs);
    const rel = path.relative(lake, abs).split(path.sep).join('/');
    out.push({
      table,
      path: rel,
      stagePath: publishedRel(rel, goldVersion),
      hour: table.partitioning === 'hour' ? (hourFromPartitionPath(rel) ?? null) : null,
      bytes: stat.size,
      mtimeMs: Math.floor(stat.mtimeMs),
      rows: counts.get(abs) ?? 0,
    });
  }
  const order = new Map(SNOWFLAKE_TABLES.map((t, i) => [tableKey(t), i]));
  return out.sort(
    (a, b) =>
      order.get(tableKey(a.table))! - order.get(tableKey(b.table))! ||
      (a.hour && b.hour ? compareHours(a.hour, b.hour) : 0) ||
      (a.path < b.path ? -1 : a.path > b.path ? 1 : 0),
  );
}
