/**
 * What `ghlake snowflake load` does, decided before anything runs (and printed as is by
 * --dry-run): compare the lake with GHLAKE_LOADS and turn what is new or changed into units.
 *
 * Hour-partitioned tables (silver events, payload_details) load by source hour. A unit covers
 * whole hours, at most `batchFiles` (<= 1000, Snowflake's FILES limit) files, in ONE transaction:
 *   BEGIN; DELETE the rows of exactly those hours; COPY INTO ... FILES = (...);
 *   replace their GHLAKE_LOADS rows; COMMIT
 * so reloading an hour replaces it instead of duplicating it, and a failure leaves the hour as
 * it was. The hour of a row is read from GHLAKE_SOURCE_FILE (METADATA$FILENAME, loaded with
 * INCLUDE_METADATA): the `date=YYYY-MM-DD/hour=H` directory just above the file name. COPY runs
 * with FORCE = TRUE because GHLAKE_LOADS, not Snowflake's 64-day load history, decides what to
 * load — without it a deleted hour whose file did not change would be skipped and lost.
 *
 * Keyed tables (silver entities, gold; core's keyed-files.ts: a full file and deltas, newest seq
 * wins per key) load their new live files in seq order:
 *   - a new full file (or a table not loaded yet, or a loaded file that changed) REPLACES the table,
 *     swapped in atomically: CREATE OR REPLACE TABLE T__NEW LIKE T; COPY the live files (into
 *     T__NEW directly when the full file is the only one; else into a staging table, then INSERT
 *     the newest row of each key); ALTER TABLE T SWAP WITH T__NEW; DROP TABLE T__NEW; then the
 *     table's GHLAKE_LOADS rows are replaced. Not a MERGE: a full file is written when keys LEFT the
 *     table (a gold group lost its last event) or the deltas outgrew a quarter of it, and Snowflake's
 *     MERGE cannot delete the target rows the source lacks (no WHEN NOT MATCHED BY SOURCE); a swap
 *     rewrites the table once, with no join, and readers see the old table or the new one.
 *   - new deltas after a loaded full file are MERGED by key: COPY them into a temporary staging
 *     table (with each row's source file), then in ONE transaction MERGE the newest row of each key
 *     (the highest file name = the highest seq) into T and record the files; a rerun after a
 *     failure merges the same rows again, which changes nothing.
 *
 * Between COPY and what follows, the runner checks COPY's own result rows: every listed file
 * LOADED with `rows_loaded` equal to the file's Parquet row count; otherwise it rolls back.
 */
import { ERROR_CODES, GhlakeError, hourToMs, timestampText, type HourKey, type TableDecl } from '@ghlake/core';
import type { SnowflakeObjects } from './options.js';
import type { LakeTableFile } from './lake-inventory.js';
import { insertLoadsStatement, type LoadedFile } from './loads.js';
import {
  NEW_TABLE_SUFFIX,
  SNOWFLAKE_TABLES,
  SOURCE_FILE_COLUMN,
  STAGE_TABLE_SUFFIX,
  columnRef,
  fileFormatRef,
  loadsTableRef,
  stageRef,
  tableKey,
  tableRef,
} from './objects.js';
import { assertStagePath, snowflakeString } from './sql-text.js';
import { statement, type SqlStatement } from './statement.js';

/** Snowflake's limit on the FILES list of one COPY statement. */
export const MAX_COPY_FILES = 1000;

export interface LoadPlanOptions {
  /** Only these source hours of the hourly tables (undefined = all the lake has). */
  hours?: readonly HourKey[];
  /** Load even what GHLAKE_LOADS says is loaded and unchanged. */
  reload?: boolean;
  /** Files per COPY statement and transaction, 1..1000. Default 1000. */
  batchFiles?: number;
}

export interface LoadUnit {
  kind: 'hours' | 'full-refresh' | 'merge';
  table: TableDecl;
  /** Source hours covered (hourly tables). */
  hours: HourKey[];
  files: LakeTableFile[];
  /** Statements before COPY: BEGIN + DELETE, or CREATE ... __NEW / __STAGE. */
  prepare: SqlStatement[];
  copy: SqlStatement;
  /** Statements after a checked COPY: bookkeeping + COMMIT, SWAP + DROP + bookkeeping, or MERGE + bookkeeping + COMMIT. */
  finish: SqlStatement[];
  /** What undoes a failed unit: ROLLBACK, and DROP TABLE ... __NEW / __STAGE. */
  undo: SqlStatement[];
}

export interface TablePlanSummary {
  table: string;
  /** Partitions (hours) in the lake within the range; for a keyed table, its live files. */
  lakePartitions: number;
  /** Hours never loaded; for a keyed table, live files not loaded. */
  newPartitions: number;
  /** Hours whose files changed since loaded; for a keyed table, loaded live files that changed. */
  changedPartitions: number;
  upToDatePartitions: number;
  /** A keyed table: what the next load does with it. */
  keyed?: 'replace' | 'merge' | 'up to date' | undefined;
}

export interface LoadPlan {
  units: LoadUnit[];
  tables: TablePlanSummary[];
}

const HOUR_OF_SOURCE_FILE = `REGEXP_SUBSTR(${columnRef(SOURCE_FILE_COLUMN)}, '(date=[0-9]{4}-[0-9]{2}-[0-9]{2}/hour=[0-9]{1,2})/[^/]+$', 1, 1, 'e', 1)`;

/** `date=2015-01-01/hour=15`, as HOUR_OF_SOURCE_FILE extracts it. */
export function hourDirectory(hour: HourKey): string {
  const i = hour.lastIndexOf('-');
  return `date=${hour.slice(0, i)}/hour=${Number(hour.slice(i + 1))}`;
}

export function hourSpan(hours: readonly HourKey[]): string {
  if (hours.length === 0) return '';
  if (hours.length === 1) return hours[0]!;
  return `${hours[0]}..${hours[hours.length - 1]} (${hours.length} hours)`;
}

function copySql(objects: SnowflakeObjects, target: string, files: readonly LakeTableFile[], withSourceFile: boolean): string {
  const list = files.map((f) => snowflakeString(assertStagePath(f.stagePath)));
  return [
    `COPY INTO ${target}`,
    `  FROM @${stageRef(objects)}`,
    `  FILES = (${list.join(', ')})`,
    `  FILE_FORMAT = (FORMAT_NAME = ${fileFormatRef(objects)})`,
    `  MATCH_BY_COLUMN_NAME = CASE_INSENSITIVE`,
    ...(withSourceFile ? [`  INCLUDE_METADATA = (${SOURCE_FILE_COLUMN} = METADATA$FILENAME)`] : []),
    `  ON_ERROR = ABORT_STATEMENT`,
    `  FORCE = TRUE`,
  ].join('\n');
}

function hoursUnit(objects: SnowflakeObjects, table: TableDecl, hours: HourKey[], files: LakeTableFile[]): LoadUnit {
  const key = tableKey(table);
  const what = `load ${key} ${hourSpan(hours)}`;
  const hourDirs = JSON.stringify(hours.map(hourDirectory));
  return {
    kind: 'hours',
    table,
    hours,
    files,
    prepare: [
      statement(`${what}: begin`, 'BEGIN TRANSACTION'),
      statement(
        `${what}: delete the rows of the hours being loaded`,
        `DELETE FROM ${tableRef(objects, table)}\nWHERE ${HOUR_OF_SOURCE_FILE} IN (SELECT value::VARCHAR FROM TABLE(FLATTEN(INPUT => PARSE_JSON(?))))`,
        [hourDirs],
      ),
    ],
    copy: statement(`${what}: copy ${files.length} file${files.length === 1 ? '' : 's'}`, copySql(objects, tableRef(objects, table), files, true)),
    finish: [
      statement(
        `${what}: forget the earlier loads of these hours`,
        `DELETE FROM ${loadsTableRef(objects)}\nWHERE "TABLE_NAME" = ? AND "PARTITION_HOUR" IN (SELECT TO_TIMESTAMP_NTZ(value::VARCHAR) FROM TABLE(FLATTEN(INPUT => PARSE_JSON(?))))`,
        [key, JSON.stringify(hours.map((h) => timestampText(h)))],
      ),
      insertLoadsStatement(objects, `${what}: record the loaded files`, files, key),
      statement(`${what}: commit`, 'COMMIT'),
    ],
    undo: [statement(`${what}: roll back`, 'ROLLBACK')],
  };
}

/** `QUALIFY` keeping each key's row from the highest source file name (the highest seq: newest wins). */
function newestPerKey(table: TableDecl): string {
  return `QUALIFY ROW_NUMBER() OVER (PARTITION BY ${table.key.map(columnRef).join(', ')} ORDER BY ${columnRef(SOURCE_FILE_COLUMN)} DESC) = 1`;
}

/** Statements creating the temporary staging table of a keyed table: its columns plus the source file. */
function stagingTable(objects: SnowflakeObjects, table: TableDecl, what: string): SqlStatement[] {
  const stage = tableRef(objects, table, STAGE_TABLE_SUFFIX);
  return [
    statement(`${what}: create a temporary staging table`, `CREATE OR REPLACE TEMPORARY TABLE ${stage} LIKE ${tableRef(objects, table)}`),
    statement(`${what}: add the source file column to it`, `ALTER TABLE ${stage} ADD COLUMN ${columnRef(SOURCE_FILE_COLUMN)} VARCHAR`),
  ];
}

function fullRefreshUnit(objects: SnowflakeObjects, table: TableDecl, files: LakeTableFile[]): LoadUnit {
  const key = tableKey(table);
  const what = `refresh ${key}`;
  const target = tableRef(objects, table);
  const fresh = tableRef(objects, table, NEW_TABLE_SUFFIX);
  // One file holds each key once (a full file): straight into the new table. Several keyed files
  // overlap: staged first, then the newest row of each key.
  const staged = files.length > 1 && files.every((f) => f.seq !== undefined);
  const stage = tableRef(objects, table, STAGE_TABLE_SUFFIX);
  const columns = table.columns.map((c) => columnRef(c.name)).join(', ');
  return {
    kind: 'full-refresh',
    table,
    hours: [],
    files,
    prepare: [
      ...(staged ? stagingTable(objects, table, what) : []),
      statement(`${what}: create an empty copy to load into`, `CREATE OR REPLACE TABLE ${fresh} LIKE ${target}`),
    ],
    copy: statement(`${what}: copy ${files.length} file${files.length === 1 ? '' : 's'}`, copySql(objects, staged ? stage : fresh, files, staged)),
    finish: [
      ...(staged
        ? [statement(`${what}: keep the newest row of each key`, `INSERT INTO ${fresh} (${columns})\nSELECT ${columns}\nFROM ${stage}\n${newestPerKey(table)}`)]
        : []),
      statement(`${what}: swap the loaded copy in`, `ALTER TABLE ${target} SWAP WITH ${fresh}`),
      statement(`${what}: drop the previous contents`, `DROP TABLE ${fresh}`),
      ...(staged ? [statement(`${what}: drop the staging table`, `DROP TABLE ${stage}`)] : []),
      statement(`${what}: begin recording`, 'BEGIN TRANSACTION'),
      statement(`${what}: forget the earlier loads`, `DELETE FROM ${loadsTableRef(objects)} WHERE "TABLE_NAME" = ?`, [key]),
      insertLoadsStatement(objects, `${what}: record the loaded files`, files, key),
      statement(`${what}: commit`, 'COMMIT'),
    ],
    undo: [
      statement(`${what}: drop the partial copy`, `DROP TABLE IF EXISTS ${fresh}`),
      ...(staged ? [statement(`${what}: drop the staging table`, `DROP TABLE IF EXISTS ${stage}`)] : []),
    ],
  };
}

/** The MERGE of a keyed table's staged deltas: the newest row of each key updates or inserts it. */
export function mergeSql(objects: SnowflakeObjects, table: TableDecl): string {
  const target = tableRef(objects, table);
  const stage = tableRef(objects, table, STAGE_TABLE_SUFFIX);
  const columns = table.columns.map((c) => columnRef(c.name));
  const keys = new Set(table.key);
  const on = table.columns
    .filter((c) => keys.has(c.name))
    .map((c) => (c.nullable ? `t.${columnRef(c.name)} IS NOT DISTINCT FROM s.${columnRef(c.name)}` : `t.${columnRef(c.name)} = s.${columnRef(c.name)}`));
  const set = table.columns.filter((c) => !keys.has(c.name)).map((c) => `${columnRef(c.name)} = s.${columnRef(c.name)}`);
  return [
    `MERGE INTO ${target} AS t`,
    `USING (`,
    `  SELECT ${columns.join(', ')}`,
    `  FROM ${stage}`,
    `  ${newestPerKey(table)}`,
    `) AS s`,
    `ON ${on.join(' AND ')}`,
    ...(set.length ? [`WHEN MATCHED THEN UPDATE SET ${set.join(', ')}`] : []),
    `WHEN NOT MATCHED THEN INSERT (${columns.join(', ')}) VALUES (${columns.map((c) => `s.${c}`).join(', ')})`,
  ].join('\n');
}

function mergeUnit(objects: SnowflakeObjects, table: TableDecl, files: LakeTableFile[]): LoadUnit {
  const key = tableKey(table);
  const what = `merge ${key}`;
  const stage = tableRef(objects, table, STAGE_TABLE_SUFFIX);
  return {
    kind: 'merge',
    table,
    hours: [],
    files,
    prepare: stagingTable(objects, table, what),
    copy: statement(`${what}: copy ${files.length} delta file${files.length === 1 ? '' : 's'}`, copySql(objects, stage, files, true)),
    finish: [
      statement(`${what}: begin`, 'BEGIN TRANSACTION'),
      statement(`${what}: merge the newest row of each key`, mergeSql(objects, table)),
      insertLoadsStatement(objects, `${what}: record the loaded files`, files, key),
      statement(`${what}: commit`, 'COMMIT'),
      statement(`${what}: drop the staging table`, `DROP TABLE ${stage}`),
    ],
    undo: [statement(`${what}: roll back`, 'ROLLBACK'), statement(`${what}: drop the staging table`, `DROP TABLE IF EXISTS ${stage}`)],
  };
}

/** Loaded files and lake files of one partition agree: same paths, sizes and modification times. */
function sameFiles(lake: readonly LakeTableFile[], loaded: readonly LoadedFile[]): boolean {
  if (lake.length !== loaded.length) return false;
  const byPath = new Map(loaded.map((l) => [l.path, l]));
  return lake.every((f) => {
    const l = byPath.get(f.stagePath);
    return l !== undefined && l.bytes === f.bytes && l.mtimeMs === f.mtimeMs;
  });
}

function groupBy<T, K>(items: readonly T[], key: (item: T) => K): Map<K, T[]> {
  const out = new Map<K, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}

export function planLoad(objects: SnowflakeObjects, lake: readonly LakeTableFile[], loaded: readonly LoadedFile[], options: LoadPlanOptions = {}): LoadPlan {
  const batchFiles = options.batchFiles ?? MAX_COPY_FILES;
  if (!Number.isInteger(batchFiles) || batchFiles < 1 || batchFiles > MAX_COPY_FILES) {
    throw new GhlakeError(ERROR_CODES.INVALID_OPTION, `--batch-files has invalid value '${batchFiles}': expected an integer from 1 to ${MAX_COPY_FILES}`, {
      hint: `give --batch-files an integer from 1 to ${MAX_COPY_FILES}`,
    });
  }
  const inRange = options.hours === undefined ? undefined : new Set<string>(options.hours);
  const units: LoadUnit[] = [];
  const tables: TablePlanSummary[] = [];
  const lakeByTable = groupBy(lake, (f) => tableKey(f.table));
  const loadedByTable = groupBy(loaded, (l) => l.table);

  for (const table of SNOWFLAKE_TABLES) {
    const key = tableKey(table);
    const lakeFiles = lakeByTable.get(key) ?? [];
    const loadedFiles = loadedByTable.get(key) ?? [];
    const summary: TablePlanSummary = { table: key, lakePartitions: 0, newPartitions: 0, changedPartitions: 0, upToDatePartitions: 0 };
    tables.push(summary);

    if (table.partitioning === 'none') {
      if (lakeFiles.length === 0) continue;
      const loadedByPath = new Map(loadedFiles.map((l) => [l.path, l]));
      const state = (f: LakeTableFile) => {
        const l = loadedByPath.get(f.stagePath);
        return l === undefined ? 'new' : l.bytes === f.bytes && l.mtimeMs === f.mtimeMs ? 'loaded' : 'changed';
      };
      const states = lakeFiles.map(state);
      summary.lakePartitions = lakeFiles.length;
      summary.newPartitions = states.filter((x) => x === 'new').length;
      summary.changedPartitions = states.filter((x) => x === 'changed').length;
      summary.upToDatePartitions = states.filter((x) => x === 'loaded').length;
      const keyed = lakeFiles.every((f) => f.seq !== undefined);
      const pending = lakeFiles.filter((_, i) => states[i] !== 'loaded');
      // Deltas merge onto what is loaded only when the table's full file (the first live file) is
      // loaded and unchanged, and every new file is a delta newer than every loaded one; anything
      // else (a new full file, a table never loaded, a loaded file that changed) replaces the table.
      const newestLoaded = Math.max(...lakeFiles.filter((_, i) => states[i] === 'loaded').map((f) => f.seq ?? Infinity));
      const mergeable =
        keyed && lakeFiles[0]!.full === true && states[0] === 'loaded' && pending.every((f) => state(f) === 'new' && !f.full && f.seq! > newestLoaded);
      if (options.reload && inRange === undefined) {
        summary.keyed = 'replace';
      } else if (pending.length === 0) {
        summary.keyed = 'up to date';
        continue;
      } else summary.keyed = mergeable ? 'merge' : 'replace';
      if (summary.keyed === 'merge') {
        if (pending.length > MAX_COPY_FILES) throw tooManyFiles(key, pending.length);
        units.push(mergeUnit(objects, table, pending));
      } else if (summary.keyed === 'replace') {
        if (lakeFiles.length > MAX_COPY_FILES) throw tooManyFiles(key, lakeFiles.length);
        units.push(fullRefreshUnit(objects, table, lakeFiles));
      }
      continue;
    }

    const lakeHours = groupBy(lakeFiles, (f) => f.hour!);
    const loadedHours = groupBy(loadedFiles, (l) => l.hour ?? ('' as HourKey));
    const todo: HourKey[] = [];
    const ordered = [...lakeHours.keys()].map((h) => [hourToMs(h), h] as const).sort((a, b) => a[0] - b[0]);
    for (const [, hour] of ordered) {
      if (inRange && !inRange.has(hour)) continue;
      summary.lakePartitions++;
      const before = loadedHours.get(hour);
      const fresh = before === undefined;
      const changed = !fresh && !sameFiles(lakeHours.get(hour)!, before);
      if (fresh) summary.newPartitions++;
      else if (changed) summary.changedPartitions++;
      else summary.upToDatePartitions++;
      if (fresh || changed || options.reload) todo.push(hour);
    }

    let hours: HourKey[] = [];
    let files: LakeTableFile[] = [];
    const flush = () => {
      if (hours.length > 0) units.push(hoursUnit(objects, table, hours, files));
      hours = [];
      files = [];
    };
    for (const hour of todo) {
      const hourFiles = lakeHours.get(hour)!;
      if (hourFiles.length > MAX_COPY_FILES) throw tooManyFiles(`${key} ${hour}`, hourFiles.length);
      if (files.length + hourFiles.length > batchFiles) flush();
      hours.push(hour);
      files.push(...hourFiles);
    }
    flush();
  }
  return { units, tables };
}

function tooManyFiles(what: string, count: number): GhlakeError {
  return new GhlakeError(ERROR_CODES.SNOWFLAKE, `${what} has ${count} files, more than one COPY statement can list (${MAX_COPY_FILES})`, {
    hint: 'compact the partition into fewer files (ghlake silver / ghlake gold rewrite it) and load again',
  });
}

/** Every statement of the plan in the order the runner sends them (COPY checks happen between). */
export function loadPlanStatements(plan: LoadPlan): SqlStatement[] {
  return plan.units.flatMap((u) => [...u.prepare, u.copy, ...u.finish]);
}
