/**
 * Which Parquet files a table has right now. DuckDB errors on a glob that matches nothing, so
 * every reader here asks first and substitutes an empty typed relation for a table without
 * files (an empty lake, a lake without organizations yet). Writers' `.tmp-*` files are never
 * listed: only data file names count (layout.ts isDataFileName; DuckDB's own glob would match
 * dot-files too).
 */
import path from 'node:path';
import { compareHours, type HourKey } from '../hour.js';
import { PART_FILE, hourFromPartitionPath, isDataFileName, tableDir } from '../layout.js';
import type { TableDecl } from '../tables/types.js';
import { emptyRelation, readParquet, typedSelectList } from './sql.js';
import { listDir } from '../files.js';

export interface PartitionFile {
  hour: HourKey;
  file: string;
}

const isPart = (name: string) => isDataFileName('bronze', name);

/**
 * Every data file below a root of hive partitions (`<root>/date=YYYY-MM-DD/hour=H/part-*.parquet`:
 * a table's folder, or a staged table's), oldest source hour first; `days` keeps the dates in
 * [from, to] only (`YYYY-MM-DD`).
 */
export async function partitionFilesUnder(root: string, days?: { from: string; to: string }): Promise<PartitionFile[]> {
  const out: PartitionFile[] = [];
  for (const dateDir of await listDir(root)) {
    if (!dateDir.startsWith('date=')) continue;
    const day = dateDir.slice('date='.length);
    if (days && (day < days.from || day > days.to)) continue;
    for (const hourDir of await listDir(path.join(root, dateDir))) {
      if (!hourDir.startsWith('hour=')) continue;
      const dir = path.join(root, dateDir, hourDir);
      const hour = hourFromPartitionPath(`${dateDir}/${hourDir}`);
      if (hour === undefined) continue;
      for (const name of await listDir(dir)) {
        if (isPart(name)) out.push({ hour, file: path.join(dir, name) });
      }
    }
  }
  return out.sort((a, b) => compareHours(a.hour, b.hour) || a.file.localeCompare(b.file));
}

/** Every data file of an hour-partitioned table, oldest source hour first (`days`: see partitionFilesUnder). */
export async function listPartitionFiles(
  lake: string,
  table: Pick<TableDecl, 'layer' | 'name'>,
  days?: { from: string; to: string },
): Promise<PartitionFile[]> {
  return partitionFilesUnder(tableDir(lake, table.layer, table.name), days);
}

/** Whether a table has at least one data file (stops at the first: cheap on a lake of years). */
export async function tableHasFiles(lake: string, table: TableDecl): Promise<boolean> {
  const root = tableDir(lake, table.layer, table.name);
  if (table.partitioning !== 'hour') return (await listDir(root)).some(isPart);
  for (const dateDir of await listDir(root)) {
    if (!dateDir.startsWith('date=')) continue;
    for (const hourDir of await listDir(path.join(root, dateDir))) {
      if (!hourDir.startsWith('hour=')) continue;
      if ((await listDir(path.join(root, dateDir, hourDir))).some(isPart)) return true;
    }
  }
  return false;
}

/** The consolidated file of an unpartitioned table: `<lake>/<layer>/<name>/part-0.parquet`. */
export function consolidatedFile(lake: string, table: Pick<TableDecl, 'layer' | 'name'>): string {
  return path.join(tableDir(lake, table.layer, table.name), PART_FILE);
}

/** Data files of any table (partitioned or not) as they are now. */
export async function tableFiles(lake: string, table: TableDecl): Promise<string[]> {
  if (table.partitioning === 'hour') return (await listPartitionFiles(lake, table)).map((p) => p.file);
  const dir = tableDir(lake, table.layer, table.name);
  return (await listDir(dir)).filter(isPart).map((n) => path.join(dir, n));
}

/**
 * A SQL relation with exactly the declared columns of the table's current files, or an empty
 * typed relation when it has none.
 */
export async function tableRelation(lake: string, table: TableDecl): Promise<string> {
  const files = await tableFiles(lake, table);
  if (files.length === 0) return emptyRelation(table);
  return `(SELECT ${typedSelectList(table)} FROM ${readParquet(files)})`;
}
