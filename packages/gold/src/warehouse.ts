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
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  BRONZE_TABLES,
  GOLD_TABLES,
  SILVER_OBSERVATION_TABLES,
  SILVER_TABLES,
  commitFile,
  goldVersionTableDir,
  tableDir,
  tempPathFor,
  warehousePath,
  type TableDecl,
} from '@ghlake/core';
import {
  duckdbTempDir,
  emptyRelation,
  keyedRelation,
  listKeyedFiles,
  liveKeyedFiles,
  openDuckDB,
  queryRows,
  runSql,
  sqlIdent,
  sqlString,
  tableHasFiles,
  typedSelectList,
  type DuckDBSettings,
  type OpenDuckDB,
} from '@ghlake/core/duckdb';
import { currentGoldVersion } from './gold-versions.js';

/** Every table the warehouse exposes, in schema order. */
export const WAREHOUSE_TABLES: readonly TableDecl[] = [...BRONZE_TABLES, ...SILVER_TABLES, ...SILVER_OBSERVATION_TABLES, ...GOLD_TABLES];

/** Bookkeeping schema: which views had files when the warehouse was built (staleness check). */
const META_SCHEMA = '_ghlake';

export interface WarehouseView {
  schema: string;
  name: string;
  /** false: the table had no files and its view is empty. */
  hasFiles: boolean;
  /** A keyed table's live files the view reads (empty for a partitioned table). */
  files: string[];
}

export interface WarehouseResult {
  path: string;
  views: WarehouseView[];
}

/** The folder whose keyed files make a non-partitioned table now (gold: the published version's). */
async function keyedDir(lake: string, table: TableDecl): Promise<string | undefined> {
  if (table.layer !== 'gold') return tableDir(lake, table.layer, table.name);
  const version = await currentGoldVersion(lake);
  return version === undefined ? undefined : goldVersionTableDir(lake, version, table.name);
}

/** What a view reads: for a partitioned table whether it has files, for a keyed table its live files. */
async function viewSource(lake: string, table: TableDecl): Promise<{ hasFiles: boolean; files: string[] }> {
  if (table.partitioning === 'hour') return { hasFiles: await tableHasFiles(lake, table), files: [] };
  const dir = await keyedDir(lake, table);
  const files = dir ? liveKeyedFiles(await listKeyedFiles(dir)).live.map((f) => path.resolve(f.path)) : [];
  return { hasFiles: files.length > 0, files };
}

function viewSql(lake: string, table: TableDecl, source: { hasFiles: boolean; files: string[] }): string {
  const name = `${table.layer}.${sqlIdent(table.name)}`;
  const partitionColumns = table.partitioning === 'hour' ? ', CAST(NULL AS DATE) AS source_date, CAST(NULL AS INTEGER) AS source_hour' : '';
  if (!source.hasFiles) return `CREATE VIEW ${name} AS SELECT *${partitionColumns} FROM ${emptyRelation(table)}`;
  if (table.partitioning === 'hour') {
    const glob = path.join(path.resolve(tableDir(lake, table.layer, table.name)), '*', '*', 'part-*.parquet');
    return `CREATE VIEW ${name} AS SELECT ${typedSelectList(table)}, "date" AS source_date, "hour" AS source_hour
      FROM read_parquet(${sqlString(glob)}, hive_partitioning = true, hive_types = {'date': DATE, 'hour': INTEGER})`;
  }
  const files = source.files.map((file) => {
    const m = /part-(\d{10})(-full)?\.parquet$/.exec(file)!;
    return { seq: Number(m[1]), full: m[2] !== undefined, name: path.basename(file), path: file };
  });
  return `CREATE VIEW ${name} AS SELECT * FROM ${keyedRelation(table, files)}`;
}

/** Which tables have files now (what the views would be built from). */
export async function currentViews(lake: string): Promise<WarehouseView[]> {
  const out: WarehouseView[] = [];
  for (const table of WAREHOUSE_TABLES) {
    const source = await viewSource(lake, table);
    out.push({ schema: table.layer, name: table.name, hasFiles: source.hasFiles, files: source.files });
  }
  return out;
}

export interface RefreshOptions {
  /** DuckDB settings for the build (small: it only creates views). */
  settings?: Partial<DuckDBSettings>;
}

/** Create the schemas and views of the lake's tables on an open database (a file being built, or one in memory). */
async function createViews(connection: OpenDuckDB['connection'], lake: string, views: readonly WarehouseView[]): Promise<void> {
  for (const schema of ['bronze', 'silver', 'gold', META_SCHEMA]) await runSql(connection, `CREATE SCHEMA ${schema}`);
  for (const [i, table] of WAREHOUSE_TABLES.entries()) {
    await runSql(connection, viewSql(lake, table, views[i]!), `creating view ${table.layer}.${table.name}`);
  }
}

/** Rebuild `<lake>/warehouse.duckdb` from what the lake holds now. */
export async function refreshWarehouse(lake: string, options: RefreshOptions = {}): Promise<WarehouseResult> {
  const target = warehousePath(lake);
  await fs.mkdir(path.dirname(target), { recursive: true });
  const tmp = tempPathFor(target);
  const views = await currentViews(lake);
  const db = await openDuckDB({ memoryLimit: 256_000_000, threads: 1, tempDirectory: duckdbTempDir(lake), ...options.settings }, { path: tmp });
  try {
    await createViews(db.connection, lake, views);
    await runSql(db.connection, `CREATE TABLE ${META_SCHEMA}.views (schema_name VARCHAR, view_name VARCHAR, has_files BOOLEAN, files VARCHAR)`);
    await runSql(
      db.connection,
      `INSERT INTO ${META_SCHEMA}.views VALUES ${views.map((v) => `(${sqlString(v.schema)}, ${sqlString(v.name)}, ${v.hasFiles}, ${sqlString(v.files.join('\n'))})`).join(', ')}`,
    );
    // Views hold absolute paths (DuckDB confines a query's file access by absolute path): a lake
    // moved or copied elsewhere gets its views made afresh (`openWarehouseInMemory`) or a new file.
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
 * The warehouse's views made in a database in memory, over the lake where it is now: for a lake
 * copied or moved (its file's views point at the old place) or one that cannot be written.
 * Nothing is written into the lake. Cost: listing the tables' files, as a rebuild does.
 */
export async function openWarehouseInMemory(lake: string, settings: DuckDBSettings): Promise<OpenDuckDB> {
  const db = await openDuckDB(settings);
  try {
    await createViews(db.connection, lake, await currentViews(lake));
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

/**
 * The warehouse file against the lake: `missing`; `elsewhere` (built for another folder — the
 * lake was copied or moved); `stale` (a table got files, or lost them, since it was built);
 * `current`. Reads only: DuckDB spills outside the lake.
 */
export async function warehouseState(lake: string): Promise<'missing' | 'elsewhere' | 'stale' | 'current'> {
  const file = warehousePath(lake);
  try {
    await fs.access(file);
  } catch {
    return 'missing';
  }
  const db = await openDuckDB({ memoryLimit: 128_000_000, threads: 1, tempDirectory: outsideLakeTempDir() }, { path: file, readOnly: true });
  try {
    const rows = await queryRows(db.connection, `SELECT schema_name, view_name, has_files, files FROM ${META_SCHEMA}.views`).catch(() => undefined);
    const builtFor = await queryRows(db.connection, `SELECT lake_path FROM ${META_SCHEMA}.lake`).catch(() => undefined);
    if (!rows) return 'stale';
    if (builtFor?.[0]?.lake_path !== path.resolve(lake)) return 'elsewhere';
    const built = new Map(rows.map((r) => [`${String(r.schema_name)}.${String(r.view_name)}`, `${r.has_files === true}|${String(r.files)}`]));
    const now = await currentViews(lake);
    return now.every((v) => built.get(`${v.schema}.${v.name}`) === `${v.hasFiles}|${v.files.join('\n')}`) && built.size === now.length ? 'current' : 'stale';
  } finally {
    db.close();
  }
}

/**
 * Is the warehouse file there, built for this lake folder (views hold absolute paths) and from
 * the same set of tables-with-files as the lake has now? (A view built empty must be rebuilt
 * once its table gets files.)
 */
export async function warehouseIsCurrent(lake: string): Promise<boolean> {
  return (await warehouseState(lake)) === 'current';
}

/** DuckDB's spill folder for readers of a lake that may be read-only: outside the lake. */
export function outsideLakeTempDir(): string {
  return path.join(tmpdir(), 'ghlake-duckdb');
}
