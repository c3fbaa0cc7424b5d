/**
 * Runs a load plan unit by unit. Each unit's COPY result rows are checked before anything is
 * committed or swapped: every listed file must come back LOADED with `rows_loaded` equal to the
 * file's Parquet row count. A failed statement or check runs the unit's undo (ROLLBACK, or DROP
 * of the half-loaded copy) and stops with an error naming the unit; units already committed
 * stay loaded and recorded, so the next run carries on from there.
 */
import { ERROR_CODES, GhlakeError, type HourKey } from '@ghlake/core';
import { countRows, scanLake, type LakeTableFile } from './lake-inventory.js';
import { hourSpan, planLoad, type LoadPlan, type LoadUnit } from './load-plan.js';
import { readLoadsStatement, parseLoadsRows, type LoadedFile } from './loads.js';
import { objectsFrom, type SnowflakeConnectionConfig, type SnowflakeObjects } from './options.js';
import { withSnowflakeSession, type SessionOptions } from './session.js';
import { tableKey } from './objects.js';
import type { SqlExecutor, SqlRow } from './statement.js';

export interface TableLoadResult {
  table: string;
  files: number;
  hours: number;
  /** Sum of COPY's `rows_loaded` over the table's files. */
  rowsLoaded: number;
}

export interface LoadResult {
  units: number;
  statementsRun: number;
  rowsLoaded: number;
  tables: TableLoadResult[];
}

export interface LoadProgress {
  unit: number;
  units: number;
  table: string;
  hours: HourKey[];
  files: number;
  rowsLoaded: number;
}

/** What GHLAKE_LOADS holds. */
export async function readLoadedFiles(executor: SqlExecutor, objects: SnowflakeObjects): Promise<LoadedFile[]> {
  return parseLoadsRows(await executor.run(readLoadsStatement(objects)));
}

function num(v: unknown): number {
  return typeof v === 'bigint' ? Number(v) : Number(v ?? NaN);
}

/** The COPY result row of a lake file: COPY names files by their full stage URL (s3://bucket/prefix/<path>). */
function rowFor(rows: readonly SqlRow[], file: LakeTableFile): SqlRow | undefined {
  return rows.find((r) => {
    const name = String(r.file ?? '');
    return name === file.stagePath || name.endsWith(`/${file.stagePath}`);
  });
}

/** Rows loaded per file, or the error that must stop the unit. */
export function checkCopyResult(unit: LoadUnit, rows: readonly SqlRow[]): number {
  const what = unit.kind === 'hours' ? `${tableKey(unit.table)} ${hourSpan(unit.hours)}` : tableKey(unit.table);
  const missing: string[] = [];
  const failed: string[] = [];
  const mismatched: string[] = [];
  let loaded = 0;
  for (const file of unit.files) {
    const row = rowFor(rows, file);
    if (!row) {
      missing.push(file.stagePath);
      continue;
    }
    const status = String(row.status ?? '');
    if (status !== 'LOADED') {
      failed.push(`${file.stagePath}: ${status}${row.first_error ? ` (${String(row.first_error)})` : ''}`);
      continue;
    }
    const rowsLoaded = num(row.rows_loaded);
    if (rowsLoaded !== file.rows) mismatched.push(`${file.stagePath}: COPY loaded ${rowsLoaded} rows, the file holds ${file.rows}`);
    loaded += rowsLoaded;
  }
  if (missing.length > 0) {
    throw new GhlakeError(
      ERROR_CODES.SNOWFLAKE,
      `COPY into ${what} did not load ${missing.length} of ${unit.files.length} files (${missing.slice(0, 3).join(', ')}${missing.length > 3 ? ', ...' : ''})`,
      {
        hint: 'upload the lake first (ghlake upload) with the --bucket and --prefix the stage points at, then load again',
        details: { table: tableKey(unit.table), missing },
      },
    );
  }
  if (failed.length > 0) {
    throw new GhlakeError(ERROR_CODES.SNOWFLAKE, `COPY into ${what} failed for ${failed.length} files: ${failed.slice(0, 3).join('; ')}`, {
      hint: 'the table and the Parquet file disagree; run ghlake snowflake setup with this version of ghlake, and check the file with ghlake query',
      details: { table: tableKey(unit.table), failed },
    });
  }
  if (mismatched.length > 0) {
    throw new GhlakeError(
      ERROR_CODES.RECONCILIATION,
      `COPY into ${what} loaded a different number of rows than the lake holds: ${mismatched.slice(0, 3).join('; ')}`,
      {
        hint: 'the file in S3 differs from the lake: upload the lake again (ghlake upload), then load again',
        details: { table: tableKey(unit.table), mismatched },
      },
    );
  }
  return loaded;
}

async function undo(executor: SqlExecutor, unit: LoadUnit): Promise<string[]> {
  const problems: string[] = [];
  for (const stmt of unit.undo) {
    try {
      await executor.run(stmt);
    } catch (error) {
      problems.push(error instanceof Error ? error.message : String(error));
    }
  }
  return problems;
}

export async function runLoad(
  executor: SqlExecutor,
  plan: LoadPlan,
  options: { signal?: AbortSignal; onUnit?: (progress: LoadProgress) => void } = {},
): Promise<LoadResult> {
  const byTable = new Map<string, TableLoadResult>();
  let statementsRun = 0;
  let rowsLoaded = 0;
  for (const [i, unit] of plan.units.entries()) {
    if (options.signal?.aborted) {
      throw new GhlakeError(ERROR_CODES.USAGE, `load interrupted after ${i} of ${plan.units.length} units`, {
        hint: 'run load again: committed units are recorded in GHLAKE_LOADS and are not loaded twice',
      });
    }
    let loaded: number;
    try {
      for (const stmt of unit.prepare) {
        await executor.run(stmt);
        statementsRun++;
      }
      const copyRows = await executor.run(unit.copy);
      statementsRun++;
      loaded = checkCopyResult(unit, copyRows);
      for (const stmt of unit.finish) {
        await executor.run(stmt);
        statementsRun++;
      }
    } catch (error) {
      const problems = await undo(executor, unit);
      if (error instanceof GhlakeError && problems.length > 0) error.details.undoFailed = problems;
      throw error;
    }
    rowsLoaded += loaded;
    const key = tableKey(unit.table);
    const t = byTable.get(key) ?? { table: key, files: 0, hours: 0, rowsLoaded: 0 };
    t.files += unit.files.length;
    t.hours += unit.hours.length;
    t.rowsLoaded += loaded;
    byTable.set(key, t);
    options.onUnit?.({ unit: i + 1, units: plan.units.length, table: key, hours: unit.hours, files: unit.files.length, rowsLoaded: loaded });
  }
  return { units: plan.units.length, statementsRun, rowsLoaded, tables: [...byTable.values()] };
}

/** The error for a lake without any silver or gold file (usually a wrong --lake). */
export function nothingToLoad(lake: string): GhlakeError {
  return new GhlakeError(ERROR_CODES.USAGE, `the lake at ${lake} has no silver or gold Parquet files to load`, {
    hint: 'build the lake first (ghlake run, or ghlake silver and ghlake gold), or point --lake (GHLAKE_LAKE) at it',
  });
}

export interface LoadLakeInput {
  /** The lake folder (absolute, or relative to the process's working directory). */
  lake: string;
  connection: SnowflakeConnectionConfig;
  /** Object names; default ghlake's names in the connection's database. */
  objects?: SnowflakeObjects;
  /** Only these source hours of the hourly tables. */
  hours?: readonly HourKey[];
  reload?: boolean;
  batchFiles?: number;
}

export interface LoadLakeResult extends LoadResult {
  /** Data files of the silver and gold tables in the lake. */
  lakeFiles: number;
  plan: LoadPlan;
}

/**
 * The whole `load` as one call, for `ghlake snowflake load` and `ghlake run`: scan the lake,
 * open a session, read GHLAKE_LOADS, plan, run, close. Reads no env or argv and logs nothing
 * itself (`session.logger` only receives the driver's own log lines).
 */
export async function loadLakeIntoSnowflake(
  input: LoadLakeInput,
  options: { signal?: AbortSignal; onUnit?: (progress: LoadProgress) => void; session?: SessionOptions } = {},
): Promise<LoadLakeResult> {
  const objects = input.objects ?? objectsFrom({ database: input.connection.database });
  // Row counts are read from the footers of the files the plan copies only.
  const files = await scanLake(input.lake, { rows: false });
  if (files.length === 0) throw nothingToLoad(input.lake);
  return withSnowflakeSession(
    input.connection,
    async (session) => {
      const loaded = await readLoadedFiles(session, objects);
      const planOptions = {
        ...(input.hours && input.hours.length > 0 ? { hours: input.hours } : {}),
        ...(input.reload !== undefined ? { reload: input.reload } : {}),
        ...(input.batchFiles !== undefined ? { batchFiles: input.batchFiles } : {}),
      };
      const first = planLoad(objects, files, loaded, planOptions);
      await countRows(
        input.lake,
        first.units.flatMap((u) => u.files),
      );
      const plan = planLoad(objects, files, loaded, planOptions);
      const result = await runLoad(session, plan, {
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.onUnit ? { onUnit: options.onUnit } : {}),
      });
      return { ...result, lakeFiles: files.length, plan };
    },
    options.session ?? {},
  );
}
