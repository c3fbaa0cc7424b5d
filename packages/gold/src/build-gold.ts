/**
 * `buildGold`: the runner behind `ghlake gold` (and the last step of `ghlake run`).
 *
 *   1. consolidate silver (cross-hour dedup, entity tables)        consolidate/
 *   2. run every gold model in DuckDB over the silver Parquet      models/*.sql
 *      into a new version directory, then swap `<lake>/gold`       gold-versions.ts
 *   3. rebuild the warehouse views                                 warehouse.ts
 *
 * All of it happens inside DuckDB with a memory limit and a spill directory: no event is ever
 * loaded into JS memory, so a month of events (~150M) needs disk, not RAM. Pure runner: data in,
 * metrics out; it neither logs nor reads env/argv (the command does).
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { ERROR_CODES, GOLD_TABLES, GhlakeError, SILVER_TABLES, type TableDecl } from '@ghlake/core';
import { consolidate, type ConsolidationResult } from './consolidate/index.js';
import { duckdbTempDir, openDuckDB, queryNumber, runSql } from './duckdb.js';
import { buildingVersionDir, completeVersion, newGoldVersionId, publishGoldVersion, pruneGoldVersions } from './gold-versions.js';
import { tableRelation } from './lake-files.js';
import { renderModel } from './models.js';
import { keyList, sqlString, typedSelectList } from './sql.js';
import { refreshWarehouse, type WarehouseResult } from './warehouse.js';

export interface GoldConfig {
  lake: string;
  /** DuckDB memory limit in bytes. */
  memoryLimit: number;
  threads: number;
  /** DuckDB spill directory; default `<lake>/_tmp/duckdb`. */
  tempDirectory?: string;
  /** Rebuild `<lake>/warehouse.duckdb` after gold (default true). */
  refreshWarehouse?: boolean;
  signal?: AbortSignal;
  /** Called as each step starts (the command logs it). */
  onStep?: (step: GoldStep) => void;
  now?: () => Date;
}

export type GoldStep = 'consolidate' | 'gold' | 'publish' | 'warehouse';

export interface GoldTableResult {
  table: string;
  rows: number;
  bytes: number;
  file: string;
  /** Time to compute and write the table. */
  ms: number;
}

export interface GoldResult {
  lake: string;
  /** The gold version now published at `<lake>/gold`. */
  version: string;
  previousVersion: string | undefined;
  /** Old versions deleted. */
  prunedVersions: string[];
  consolidation: ConsolidationResult;
  gold: GoldTableResult[];
  warehouse: WarehouseResult | undefined;
  /** Wall time per step and in total, ms. */
  timings: Record<GoldStep | 'total', number>;
}

/** `silver.events` → a temp view name in the build's DuckDB. */
const sourceView = (layer: string, table: string) => `src_${layer}_${table}`;

/** Temp views over the current silver files: each model reads them by name. */
async function createSourceViews(connection: DuckDBConnection, lake: string): Promise<void> {
  for (const table of SILVER_TABLES) {
    await runSql(connection, `CREATE OR REPLACE TEMP VIEW ${sourceView(table.layer, table.name)} AS SELECT * FROM ${await tableRelation(lake, table)}`);
  }
}

async function writeGoldTable(connection: DuckDBConnection, table: TableDecl, dir: string): Promise<GoldTableResult> {
  const started = performance.now();
  const model = renderModel(table.name, {
    dialect: 'duckdb',
    source: (layer, name) => {
      if (layer !== 'silver' || !SILVER_TABLES.some((t) => t.name === name)) throw new Error(`gold model ${table.name} reads unknown source ${layer}.${name}`);
      return sourceView(layer, name);
    },
  });
  const file = path.join(dir, table.name, 'part-0.parquet');
  await fs.mkdir(path.dirname(file), { recursive: true });
  await runSql(
    connection,
    `COPY (SELECT ${typedSelectList(table)} FROM (${model}) AS model ORDER BY ${keyList(table)})
     TO ${sqlString(file)} (FORMAT parquet, COMPRESSION snappy)`,
    `computing gold.${table.name}`,
  );
  const rows = await queryNumber(connection, `SELECT count(*) FROM read_parquet(${sqlString(file)})`);
  const { size } = await fs.stat(file);
  return { table: table.name, rows, bytes: size, file, ms: Math.round(performance.now() - started) };
}

export async function buildGold(config: GoldConfig): Promise<GoldResult> {
  const started = performance.now();
  const timings = { consolidate: 0, gold: 0, publish: 0, warehouse: 0, total: 0 };
  const lake = config.lake;
  const tempDirectory = config.tempDirectory ?? duckdbTempDir(lake);
  const db = await openDuckDB({ memoryLimit: config.memoryLimit, threads: config.threads, tempDirectory }, { keepInsertionOrder: false });
  const onAbort = () => db.connection.interrupt();
  config.signal?.addEventListener('abort', onAbort, { once: true });
  const checkAborted = () => {
    if (config.signal?.aborted) throw new GhlakeError(ERROR_CODES.USAGE, 'interrupted', { hint: 'run ghlake gold again: every step is safe to repeat' });
  };
  const step = async <T>(name: GoldStep, fn: () => Promise<T>): Promise<T> => {
    checkAborted();
    config.onStep?.(name);
    const t0 = performance.now();
    try {
      return await fn();
    } finally {
      timings[name] = Math.round(performance.now() - t0);
    }
  };

  const id = newGoldVersionId(config.now?.() ?? new Date());
  const building = buildingVersionDir(lake, id);
  try {
    const consolidation = await step('consolidate', () => consolidate(db.connection, lake));
    const gold = await step('gold', async () => {
      await createSourceViews(db.connection, lake);
      const out: GoldTableResult[] = [];
      for (const table of GOLD_TABLES) {
        checkAborted();
        out.push(await writeGoldTable(db.connection, table, building));
      }
      return out;
    });
    db.close();
    const { previousVersion, prunedVersions, published } = await step('publish', async () => {
      const dir = await completeVersion(lake, id);
      const previous = await publishGoldVersion(lake, id);
      const pruned = await pruneGoldVersions(lake, [id, previous]);
      return { previousVersion: previous, prunedVersions: pruned, published: dir };
    });
    const goldFiles = gold.map((g) => ({ ...g, file: path.join(published, g.table, 'part-0.parquet') }));
    const warehouse = config.refreshWarehouse === false ? undefined : await step('warehouse', () => refreshWarehouse(lake));
    timings.total = Math.round(performance.now() - started);
    return { lake, version: id, previousVersion, prunedVersions, consolidation, gold: goldFiles, warehouse, timings };
  } catch (error) {
    await fs.rm(building, { recursive: true, force: true });
    throw error;
  } finally {
    config.signal?.removeEventListener('abort', onAbort);
    db.close();
  }
}
