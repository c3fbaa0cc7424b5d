/**
 * The lake layout, decided here and nowhere else.
 *
 *   <lake>/raw/date=YYYY-MM-DD/YYYY-MM-DD-H.json.gz          downloaded hours (+ .meta.json beside each)
 *   <lake>/raw/date=YYYY-MM-DD/.partial-YYYY-MM-DD-H.json.gz[.json]   a download kept across runs, and its identity
 *   <lake>/bronze/<table>/date=YYYY-MM-DD/hour=H/part-0.parquet
 *   <lake>/bronze/events/date=YYYY-MM-DD/hour=H/_accounting.json   the hour's line accounting
 *   <lake>/silver/<table>/date=YYYY-MM-DD/hour=H/part-0.parquet   per-hour silver tables
 *   <lake>/silver/<entity>/part-<seq>[-full].parquet        keyed entity tables (one row per id; see keyed-files.ts)
 *   <lake>/gold -> gold-versions/<id>                        gold, swapped in atomically (see packages/gold)
 *   <lake>/gold-versions/<id>/<table>/part-<seq>[-full].parquet   one complete gold version (files hard-linked
 *                                                            from the previous version where unchanged)
 *   <lake>/gold-versions/.tmp-<id>/                          a gold version being built
 *   <lake>/warehouse.duckdb                                  the local warehouse
 *   <lake>/report.html                                       the last report (`ghlake report`, end of `ghlake run`)
 *   <lake>/_state/                                           manifest, lock, heads, the incremental state (state.duckdb)
 *   <lake>/_state/manifest/{hours-YYYY-MM,lake}.json         the manifest (packages/pipeline/src/manifest.ts)
 *   <lake>/_state/staged/<table>/date=/hour=/part-0.parquet  an hour's silver, written by the transform, published
 *                                                            by silver consolidation
 *   <lake>/_state/commits/<seq>/...                          files of a silver commit until its journal moves them
 *   <lake>/_tmp/duckdb                                       DuckDB's spill files
 *
 * Partition values are hive-style so DuckDB's `read_parquet(..., hive_partitioning=true)`,
 * Spark and Snowflake's partition expressions read them. The hour in a partition path is the
 * SOURCE FILE's hour (lineage); the event's own hour is the `hour_bucket` column.
 */
import path from 'node:path';
import { TMP_MARK } from './fs-atomic.js';
import { archiveFileName, hourDate, hourOfDay, type HourKey } from './hour.js';

export type Layer = 'raw' | 'bronze' | 'silver' | 'gold';

export const DEFAULT_LAKE = './lake';
export const PART_FILE = 'part-0.parquet';

/** `<lake>/raw`: the downloaded hours, one `date=` folder a day. */
export function rawRoot(lake: string): string {
  return layerDir(lake, 'raw');
}

export function rawDir(lake: string, hour: HourKey): string {
  return path.join(rawRoot(lake), `date=${hourDate(hour)}`);
}

/** Where a downloaded hour lives: `<lake>/raw/date=YYYY-MM-DD/YYYY-MM-DD-H.json.gz`. */
export function rawPath(lake: string, hour: HourKey): string {
  return path.join(rawDir(lake, hour), archiveFileName(hour));
}

/** Marks a download kept across runs so the next run can resume it; never a data file. */
export const PARTIAL_MARK = '.partial-';

/** A download kept across runs: `<lake>/raw/date=…/.partial-YYYY-MM-DD-H.json.gz`. */
export function partialPath(lake: string, hour: HourKey): string {
  return path.join(rawDir(lake, hour), `${PARTIAL_MARK}${archiveFileName(hour)}`);
}

/** What a kept download is of (url, size, etag), beside it. */
export function partialIdentityPath(lake: string, hour: HourKey): string {
  return `${partialPath(lake, hour)}.json`;
}

/** Verification record kept beside a raw file (size, sha256, when). */
export function rawMetaPath(lake: string, hour: HourKey): string {
  return `${rawPath(lake, hour)}.meta.json`;
}

/** `<lake>/<layer>`: raw, bronze, silver, or the gold link. */
export function layerDir(lake: string, layer: Layer): string {
  return path.join(lake, layer);
}

export function tableDir(lake: string, layer: Exclude<Layer, 'raw'>, table: string): string {
  return path.join(layerDir(lake, layer), table);
}

/** Relative hive partition path of an hour: `date=2015-01-01/hour=15`. */
export function hourPartition(hour: HourKey): string {
  return path.join(`date=${hourDate(hour)}`, `hour=${hourOfDay(hour)}`);
}

export function partitionDir(lake: string, layer: Exclude<Layer, 'raw'>, table: string, hour: HourKey): string {
  return path.join(tableDir(lake, layer, table), hourPartition(hour));
}

export const ACCOUNTING_FILE = '_accounting.json';

/** `<lake>/bronze/events/date=/hour=/_accounting.json`: the hour's line accounting, beside its events. */
export function accountingPath(lake: string, hour: HourKey): string {
  return path.join(partitionDir(lake, 'bronze', 'events', hour), ACCOUNTING_FILE);
}

/** The single data file of an hour's partition. */
export function partitionFile(lake: string, layer: Exclude<Layer, 'raw'>, table: string, hour: HourKey): string {
  return path.join(partitionDir(lake, layer, table, hour), PART_FILE);
}

const PART_FILE_NAME = /^part-[A-Za-z0-9_-]+\.parquet$/;
const RAW_FILE_NAME = /^\d{4}-\d{2}-\d{2}-\d{1,2}\.json\.gz$/;

/**
 * Whether a file name is data of its layer: a downloaded hour (`2015-01-01-15.json.gz`) in raw,
 * a `part-*.parquet` in a table. Never a writer's temporary file (`.tmp-…`), a kept partial
 * download (`.partial-…`) or a record beside the data (`.meta.json`, `_accounting.json`).
 */
export function isDataFileName(layer: Layer, name: string): boolean {
  return (layer === 'raw' ? RAW_FILE_NAME : PART_FILE_NAME).test(name);
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

/** The manifest: one file per month of hours plus `lake.json` (see packages/pipeline/src/manifest.ts). */
export function manifestDir(lake: string): string {
  return path.join(stateDir(lake), 'manifest');
}

/** `_state/manifest/lake.json`: the lake-wide part of the manifest. */
export function manifestLakePath(lake: string): string {
  return path.join(manifestDir(lake), 'lake.json');
}

/** `_state/manifest/hours-YYYY-MM.json`: the records of one month's hours. */
export function manifestMonthPath(lake: string, month: string): string {
  return path.join(manifestDir(lake), `hours-${month}.json`);
}

/** The single-file manifest of lakes written before it was split by month (read once, then migrated). */
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

/** The incremental state of silver and gold: one DuckDB database (see packages/silver, packages/gold). */
export function stateDbPath(lake: string): string {
  return path.join(stateDir(lake), 'state.duckdb');
}

/** `_state/format.json`: the lake format version this lake was written with (see lake-format.ts). */
export function lakeFormatPath(lake: string): string {
  return path.join(stateDir(lake), 'format.json');
}

/** Where the transform writes an hour's silver table until silver consolidation publishes it. */
export function stagedPartitionFile(lake: string, table: string, hour: HourKey): string {
  return path.join(stateDir(lake), 'staged', table, hourPartition(hour), PART_FILE);
}

/** Root of the staged silver tables (one folder per table, hive partitions below). */
export function stagedTableDir(lake: string, table: string): string {
  return path.join(stateDir(lake), 'staged', table);
}

/** Files a silver commit wrote, kept here until the commit's journal moves them into place. */
export function commitFilesDir(lake: string, seq: number): string {
  return path.join(stateDir(lake), 'commits', String(seq));
}

export function commitsDir(lake: string): string {
  return path.join(stateDir(lake), 'commits');
}

/** `<lake>/gold`: a symbolic link to the published gold version's tables. */
export function goldLinkPath(lake: string): string {
  return layerDir(lake, 'gold');
}

export function goldVersionsDir(lake: string): string {
  return path.join(lake, 'gold-versions');
}

export function goldVersionDir(lake: string, id: string): string {
  return path.join(goldVersionsDir(lake), id);
}

/** Where a gold version is built before it is complete (a temp name: never read, swept if left). */
export function goldBuildingDir(lake: string, id: string): string {
  return path.join(goldVersionsDir(lake), `${TMP_MARK}${id}`);
}

/** What the `<lake>/gold` link holds for a version: relative, so the lake can be moved. */
export function goldLinkTarget(id: string): string {
  return path.join('gold-versions', id);
}

/** A gold table's folder inside a version. */
export function goldVersionTableDir(lake: string, id: string, table: string): string {
  return path.join(goldVersionDir(lake, id), table);
}

/** `<lake>/_tmp/duckdb`: DuckDB's spill files, on the lake's disk (which has room by definition). */
export function duckdbTempDir(lake: string): string {
  return path.join(lake, '_tmp', 'duckdb');
}

/** Where silver consolidation publishes a staged file (the same table and partition under `<lake>/silver`). */
export function publishedPathOfStaged(lake: string, staged: string): string {
  const root = path.join(stateDir(lake), 'staged');
  const rel = path.relative(root, staged);
  if (rel.startsWith('..') || path.isAbsolute(rel)) return staged;
  return path.join(lake, 'silver', rel);
}

/** `_state/heads.json`: the last silver and gold commits, for readers that must not open the state database. */
export function headsPath(lake: string): string {
  return path.join(stateDir(lake), 'heads.json');
}

/** Where the transform stages a silver file that consolidation will publish at `published` (the inverse of publishedPathOfStaged). */
export function stagedPathOfPublished(lake: string, published: string): string | undefined {
  const rel = path.relative(path.join(lake, 'silver'), published);
  if (rel.startsWith('..') || path.isAbsolute(rel) || !/^[^/\\]+[/\\]date=/.test(rel)) return undefined;
  return path.join(stateDir(lake), 'staged', rel);
}

/**
 * Every folder a run writes an hour's files into (the raw folder, its bronze partitions, its staged
 * silver): where a run killed while working on the hour can have left temporary files.
 */
export function hourWriteDirs(lake: string, hour: HourKey, tables: { bronze: readonly string[]; staged: readonly string[] }): string[] {
  return [
    rawDir(lake, hour),
    ...tables.bronze.map((t) => partitionDir(lake, 'bronze', t, hour)),
    ...tables.staged.map((t) => path.dirname(stagedPartitionFile(lake, t, hour))),
  ];
}

/** `_state/in-flight.json`: the hours a run is working on, so that the next run knows where a crash may have left temporary files. */
export function inFlightPath(lake: string): string {
  return path.join(stateDir(lake), 'in-flight.json');
}
