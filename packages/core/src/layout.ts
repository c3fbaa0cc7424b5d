/**
 * The lake layout, decided here and nowhere else.
 *
 *   <lake>/raw/date=YYYY-MM-DD/YYYY-MM-DD-H.json.gz          downloaded hours (+ .meta.json beside each)
 *   <lake>/bronze/<table>/date=YYYY-MM-DD/hour=H/part-0.parquet
 *   <lake>/silver/<table>/date=YYYY-MM-DD/hour=H/part-0.parquet   per-hour silver tables
 *   <lake>/silver/<entity>/part-0.parquet                    consolidated entity tables (one row per id)
 *   <lake>/gold/<table>/part-0.parquet                       gold (swapped in atomically, see packages/gold)
 *   <lake>/warehouse.duckdb                                  the local warehouse
 *   <lake>/report.html                                       the last report (`ghlake report`, end of `ghlake run`)
 *   <lake>/_state/                                           manifest, lock, run records
 *
 * Partition values are hive-style so DuckDB's `read_parquet(..., hive_partitioning=true)`,
 * Spark and Snowflake's partition expressions read them. The hour in a partition path is the
 * SOURCE FILE's hour (lineage); the event's own hour is the `hour_bucket` column.
 */
import path from 'node:path';
import { archiveFileName, hourDate, hourOfDay, type HourKey } from './hour.js';

export type Layer = 'raw' | 'bronze' | 'silver' | 'gold';

export const DEFAULT_LAKE = './lake';
export const PART_FILE = 'part-0.parquet';

export function rawDir(lake: string, hour: HourKey): string {
  return path.join(lake, 'raw', `date=${hourDate(hour)}`);
}

/** Where a downloaded hour lives: `<lake>/raw/date=YYYY-MM-DD/YYYY-MM-DD-H.json.gz`. */
export function rawPath(lake: string, hour: HourKey): string {
  return path.join(rawDir(lake, hour), archiveFileName(hour));
}

/** Verification record kept beside a raw file (size, sha256, when). */
export function rawMetaPath(lake: string, hour: HourKey): string {
  return `${rawPath(lake, hour)}.meta.json`;
}

export function tableDir(lake: string, layer: Exclude<Layer, 'raw'>, table: string): string {
  return path.join(lake, layer, table);
}

/** Relative hive partition path of an hour: `date=2015-01-01/hour=15`. */
export function hourPartition(hour: HourKey): string {
  return path.join(`date=${hourDate(hour)}`, `hour=${hourOfDay(hour)}`);
}

export function partitionDir(lake: string, layer: Exclude<Layer, 'raw'>, table: string, hour: HourKey): string {
  return path.join(tableDir(lake, layer, table), hourPartition(hour));
}

/** The single data file of an hour's partition. */
export function partitionFile(lake: string, layer: Exclude<Layer, 'raw'>, table: string, hour: HourKey): string {
  return path.join(partitionDir(lake, layer, table, hour), PART_FILE);
}

/**
 * Glob of every partition file of a partitioned table, for DuckDB. `part-*` rather than `*`:
 * DuckDB's glob matches dot-files, so `*.parquet` would also read a writer's half-written
 * `.tmp-<hex>-part-0.parquet` (see fs-atomic.ts).
 */
export function partitionGlob(lake: string, layer: Exclude<Layer, 'raw'>, table: string): string {
  return path.join(tableDir(lake, layer, table), '*', '*', 'part-*.parquet');
}

export function stateDir(lake: string): string {
  return path.join(lake, '_state');
}

export function manifestPath(lake: string): string {
  return path.join(stateDir(lake), 'manifest.json');
}

export function lockPath(lake: string): string {
  return path.join(stateDir(lake), 'lock');
}

export function warehousePath(lake: string): string {
  return path.join(lake, 'warehouse.duckdb');
}

/** Where `ghlake report` (and the end of `ghlake run`) writes the report unless told otherwise. */
export function reportPath(lake: string): string {
  return path.join(lake, 'report.html');
}

/** Parse `date=YYYY-MM-DD/hour=H` back out of any path that contains it. */
export function hourFromPartitionPath(p: string): HourKey | undefined {
  const m = /date=(\d{4}-\d{2}-\d{2})[\\/]hour=(\d{1,2})(?:[\\/]|$)/.exec(p);
  return m ? (`${m[1]}-${Number(m[2])}` as HourKey) : undefined;
}
