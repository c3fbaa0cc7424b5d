/**
 * The embedded warehouse: `<lake>/warehouse.duckdb` holds schemas bronze, silver and gold
 * made of VIEWS over the lake's Parquet — no data is copied, so it is small and always reads
 * the current files. Each view selects exactly the declared columns with their declared types;
 * hour-partitioned tables add `source_date` and `source_hour` (the source file's hour from the
 * hive path: filters on them prune files). A table with no files yet gets an empty typed view,
 * so queries on a young lake return no rows instead of failing.
 *
 * The file is rebuilt whole into a temporary name and renamed into place: a reader that has
 * the old file open keeps working, a new reader gets the new one. Gold views read through the
 * `<lake>/gold` link, so they follow every gold swap without a refresh.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import {
  BRONZE_TABLES,
  GOLD_TABLES,
  SILVER_OBSERVATION_TABLES,
  SILVER_TABLES,
  commitFile,
  tableDir,
  tempPathFor,
  warehousePath,
  type TableDecl,
} from '@ghlake/core';
import { duckdbTempDir, openDuckDB, queryRows, runSql, type DuckDBSettings } from './duckdb.js';
import { tableHasFiles } from './lake-files.js';
import { emptyRelation, sqlIdent, sqlString, typedSelectList } from './sql.js';

/** Every table the warehouse exposes, in schema order. */
export const WAREHOUSE_TABLES: readonly TableDecl[] = [...BRONZE_TABLES, ...SILVER_TABLES, ...SILVER_OBSERVATION_TABLES, ...GOLD_TABLES];

/** Bookkeeping schema: which views had files when the warehouse was built (staleness check). */
const META_SCHEMA = '_ghlake';

export interface WarehouseView {
  schema: string;
  name: string;
  /** false: the table had no files and its view is empty. */
  hasFiles: boolean;
}

export interface WarehouseResult {
  path: string;
  views: WarehouseView[];
}

function viewSql(lake: string, table: TableDecl, hasFiles: boolean): string {
  const name = `${table.layer}.${sqlIdent(table.name)}`;
  const partitionColumns = table.partitioning === 'hour' ? ', CAST(NULL AS DATE) AS source_date, CAST(NULL AS INTEGER) AS source_hour' : '';
  if (!hasFiles) return `CREATE VIEW ${name} AS SELECT *${partitionColumns} FROM ${emptyRelation(table)}`;
  const root = path.resolve(tableDir(lake, table.layer, table.name));
  if (table.partitioning === 'hour') {
    const glob = path.join(root, '*', '*', 'part-*.parquet');
    return `CREATE VIEW ${name} AS SELECT ${typedSelectList(table)}, "date" AS source_date, "hour" AS source_hour
      FROM read_parquet(${sqlString(glob)}, hive_partitioning = true, hive_types = {'date': DATE, 'hour': INTEGER})`;
  }
  return `CREATE VIEW ${name} AS SELECT ${typedSelectList(table)} FROM read_parquet(${sqlString(path.join(root, 'part-*.parquet'))}, hive_partitioning = false)`;
}

/** Which tables have files now (what the views would be built from). */
export async function currentViews(lake: string): Promise<WarehouseView[]> {
  const out: WarehouseView[] = [];
  for (const table of WAREHOUSE_TABLES) out.push({ schema: table.layer, name: table.name, hasFiles: await tableHasFiles(lake, table) });
  return out;
}

export interface RefreshOptions {
  /** DuckDB settings for the build (small: it only creates views). */
  settings?: Partial<DuckDBSettings>;
}

/** Rebuild `<lake>/warehouse.duckdb` from what the lake holds now. */
export async function refreshWarehouse(lake: string, options: RefreshOptions = {}): Promise<WarehouseResult> {
  const target = warehousePath(lake);
  await fs.mkdir(path.dirname(target), { recursive: true });
  const tmp = tempPathFor(target);
  const views = await currentViews(lake);
  const db = await openDuckDB({ memoryLimit: 256_000_000, threads: 1, tempDirectory: duckdbTempDir(lake), ...options.settings }, { path: tmp });
  try {
    for (const schema of ['bronze', 'silver', 'gold', META_SCHEMA]) await runSql(db.connection, `CREATE SCHEMA ${schema}`);
    for (const [i, table] of WAREHOUSE_TABLES.entries()) {
      await runSql(db.connection, viewSql(lake, table, views[i]!.hasFiles), `creating view ${table.layer}.${table.name}`);
    }
    await runSql(db.connection, `CREATE TABLE ${META_SCHEMA}.views (schema_name VARCHAR, view_name VARCHAR, has_files BOOLEAN)`);
    await runSql(
      db.connection,
      `INSERT INTO ${META_SCHEMA}.views VALUES ${views.map((v) => `(${sqlString(v.schema)}, ${sqlString(v.name)}, ${v.hasFiles})`).join(', ')}`,
    );
    // Views hold absolute paths: a lake moved elsewhere must get a new warehouse.
    await runSql(db.connection, `CREATE TABLE ${META_SCHEMA}.lake AS SELECT ${sqlString(path.resolve(lake))} AS lake_path`);
    await runSql(db.connection, 'CHECKPOINT');
    db.close();
    await commitFile(tmp, target);
  } catch (error) {
    db.close();
    await fs.rm(tmp, { force: true });
    throw error;
  } finally {
    await fs.rm(`${tmp}.wal`, { force: true });
  }
  return { path: target, views };
}

/**
 * Is the warehouse file there, built for this lake folder (views hold absolute paths) and from
 * the same set of tables-with-files as the lake has now? (A view built empty must be rebuilt
 * once its table gets files.)
 */
export async function warehouseIsCurrent(lake: string): Promise<boolean> {
  const file = warehousePath(lake);
  try {
    await fs.access(file);
  } catch {
    return false;
  }
  const db = await openDuckDB({ memoryLimit: 128_000_000, threads: 1, tempDirectory: duckdbTempDir(lake) }, { path: file, readOnly: true });
  try {
    const rows = await queryRows(db.connection, `SELECT schema_name, view_name, has_files FROM ${META_SCHEMA}.views`).catch(() => undefined);
    const builtFor = await queryRows(db.connection, `SELECT lake_path FROM ${META_SCHEMA}.lake`).catch(() => undefined);
    if (!rows || builtFor?.[0]?.lake_path !== path.resolve(lake)) return false;
    const built = new Map(rows.map((r) => [`${String(r.schema_name)}.${String(r.view_name)}`, r.has_files === true]));
    const now = await currentViews(lake);
    return now.every((v) => built.get(`${v.schema}.${v.name}`) === v.hasFiles) && built.size === now.length;
  } finally {
    db.close();
  }
}
