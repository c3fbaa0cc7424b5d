/**
 * `buildGold`: gold brought up to the newest silver commit, as a new published version.
 *
 *   incremental (the default): the silver change log since the last gold commit is applied to
 *     gold's state (incremental/apply-changes.ts) and a version is written that hard-links what did
 *     not change and adds the rows that did (incremental/publish-version.ts). Cost: the changes.
 *   rebuild (`rebuild: true`, or when gold's state cannot be trusted): the state is recounted from
 *     the published silver and every table is computed by its SQL model (models/*.sql) — the
 *     reference the incremental path is tested against. Cost: the lake.
 *   unchanged: gold already holds the newest silver commit; nothing is written.
 *
 * One commit is one transaction of the state database: the state, the version folder (complete
 * before the commit) and the consumed change log rows move together. `<lake>/gold` is switched to
 * the version after the commit (and again on the next run if a crash came in between). Pure
 * runner: no logging, no env/argv; the callers hold the lake lock.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import {
  ENTITY_RULES,
  ERROR_CODES,
  GOLD_TABLES,
  GhlakeError,
  goldVersionDir,
  goldBuildingDir,
  partitionGlob,
  silverEvents,
  silverPayloadDetails,
  tableDir,
  crashPoint,
  writeHeads,
  type TableDecl,
  exists,
} from '@ghlake/core';
import {
  CHANGE_EVENTS,
  SILVER_HEAD,
  SILVER_STATE_TABLES,
  emptyRelation,
  entityChangeTable,
  inTransaction,
  keyedFileName,
  keyedRelation,
  listKeyedFiles,
  liveKeyedFiles,
  listPartitionFiles,
  openStateDb,
  queryNumber,
  readMeta,
  runSql,
  sqlString,
  typedSelectList,
  writeMeta,
  type OpenDuckDB,
} from '@ghlake/core/duckdb';
import { currentGoldVersion, publishGoldVersion, pruneGoldVersions } from './gold-versions.js';
import { applyChanges, type ApplyResult } from './incremental/apply-changes.js';
import { goldVersionId, writeGoldVersion, type GoldTableResult } from './incremental/publish-version.js';
import { recountGoldState } from './incremental/recount.js';
import { GOLD_COMMIT, GOLD_HEAD, GOLD_STATE_TABLES, GOLD_TYPE } from './incremental/state-tables.js';
import { renderModel } from './models.js';
import { refreshWarehouse, type WarehouseResult } from './warehouse.js';

export interface GoldConfig {
  lake: string;
  /** DuckDB memory limit in bytes. */
  memoryLimit: number;
  threads: number;
  /** Recount everything from silver (the reference). Default: incremental. */
  rebuild?: boolean;
  /** Rebuild `<lake>/warehouse.duckdb` after gold (default true). */
  refreshWarehouse?: boolean;
  signal?: AbortSignal;
  /** Called as each step starts (the command logs it). */
  onStep?: (step: GoldStep) => void;
  /**
   * The lake's state database, already open with the silver and gold state tables (`ghlake run`
   * shares the one silver consolidation used: one open and one checkpoint instead of two). Left
   * open; default: opened and closed here.
   */
  stateDb?: OpenDuckDB;
}

export type GoldStep = 'apply' | 'publish' | 'warehouse';
export type GoldMode = 'incremental' | 'rebuild' | 'unchanged';

export interface GoldResult {
  lake: string;
  mode: GoldMode;
  /** Why a rebuild ran (asked for, or the state could not be used). */
  rebuildReason?: string;
  /** The gold version now published at `<lake>/gold`. */
  version: string | undefined;
  previousVersion: string | undefined;
  prunedVersions: string[];
  /** The silver commit gold now reflects. */
  silverHead: number;
  /** Distinct events in silver (the sum of event_type_metrics' counts). */
  events: number;
  /** What the incremental path applied. */
  applied?: ApplyResult;
  gold: GoldTableResult[];
  warehouse: WarehouseResult | undefined;
  /** Wall time per step and in total, ms. */
  timings: Record<GoldStep | 'total', number>;
}

function interrupted(): GhlakeError {
  return new GhlakeError(ERROR_CODES.INTERRUPTED, 'gold interrupted', { hint: 'run it again: gold is published whole or not at all' });
}

/** Temp views named like the models' sources, over the published silver. */
async function createSilverViews(db: OpenDuckDB, lake: string): Promise<(layer: string, name: string) => string> {
  const views = new Map<string, string>();
  for (const table of [silverEvents, silverPayloadDetails]) {
    const relation = (await listPartitionFiles(lake, table)).length
      ? `(SELECT ${typedSelectList(table)} FROM read_parquet(${sqlString(partitionGlob(lake, 'silver', table.name))}, hive_partitioning = false))`
      : emptyRelation(table);
    views.set(`silver.${table.name}`, relation);
  }
  for (const rule of ENTITY_RULES) {
    const relation = keyedRelation(rule.entity, liveKeyedFiles(await listKeyedFiles(tableDir(lake, 'silver', rule.entity.name))).live);
    views.set(`silver.${rule.entity.name}`, relation ?? emptyRelation(rule.entity));
  }
  for (const [key, relation] of views) await runSql(db.connection, `CREATE OR REPLACE TEMP VIEW ${key.replace('.', '_src_')} AS SELECT * FROM ${relation}`);
  return (layer, name) => {
    const key = `${layer}.${name}`;
    if (!views.has(key)) throw new Error(`a gold model reads ${key}, which is not a silver table`);
    return key.replace('.', '_src_');
  };
}

/** Every gold table computed by its model, written whole: the reference. */
async function writeModelVersion(db: OpenDuckDB, lake: string, dir: string, commit: number): Promise<GoldTableResult[]> {
  const source = await createSilverViews(db, lake);
  const out: GoldTableResult[] = [];
  for (const table of GOLD_TABLES as readonly TableDecl[]) {
    const model = renderModel(table.name, { dialect: 'duckdb', source });
    const name = keyedFileName(commit, true);
    const file = path.join(dir, table.name, name);
    await fs.mkdir(path.dirname(file), { recursive: true });
    await runSql(
      db.connection,
      `COPY (SELECT ${typedSelectList(table)} FROM (${model}) ORDER BY ${table.key.map((k) => `"${k}"`).join(', ')}) TO ${sqlString(file)} (FORMAT parquet, COMPRESSION snappy)`,
      `computing gold.${table.name}`,
    );
    const rows = await queryNumber(db.connection, `SELECT num_rows FROM parquet_file_metadata(${sqlString(file)})`);
    await writeMeta(db, `gold.rows.${table.name}`, rows);
    out.push({ table: table.name, rows, bytes: (await fs.stat(file)).size, files: [name], written: rows, full: true });
  }
  return out;
}

export async function buildGold(config: GoldConfig): Promise<GoldResult> {
  const started = performance.now();
  const timings = { apply: 0, publish: 0, warehouse: 0, total: 0 };
  const lake = config.lake;
  const step = async <T>(name: GoldStep, fn: () => Promise<T>): Promise<T> => {
    if (config.signal?.aborted) throw interrupted();
    config.onStep?.(name);
    const t0 = performance.now();
    try {
      return await fn();
    } finally {
      timings[name] += Math.round(performance.now() - t0);
    }
  };
  const own = config.stateDb === undefined;
  const db =
    config.stateDb ?? (await openStateDb(lake, { memoryLimit: config.memoryLimit, threads: config.threads }, [...SILVER_STATE_TABLES, ...GOLD_STATE_TABLES]));
  const onAbort = () => db.connection.interrupt();
  config.signal?.addEventListener('abort', onAbort, { once: true });
  let building: string | undefined;
  try {
    const silverHead = (await readMeta(db, SILVER_HEAD)) ?? 0;
    const goldHead = (await readMeta(db, GOLD_HEAD)) ?? 0;
    const commit = (await readMeta(db, GOLD_COMMIT)) ?? 0;
    let current = await currentGoldVersion(lake);
    // A crash between the state commit and the switch: point the link where the state says.
    if (commit > 0 && current !== goldVersionId(commit) && (await exists(goldVersionDir(lake, goldVersionId(commit))))) {
      await publishGoldVersion(lake, goldVersionId(commit));
      current = goldVersionId(commit);
    }
    const published = current !== undefined && (await exists(goldVersionDir(lake, current)));
    let rebuildReason: string | undefined;
    if (config.rebuild) rebuildReason = 'asked for (--rebuild)';
    else if (goldHead < 0) rebuildReason = 'silver was rebuilt';
    else if (commit > 0 && (!published || current !== goldVersionId(commit))) rebuildReason = 'the published gold is not the one the state describes';
    const events = async () => queryNumber(db.connection, `SELECT coalesce(sum(event_count), 0) FROM ${GOLD_TYPE.name}`);
    if (!rebuildReason && goldHead === silverHead && published) {
      return {
        events: await events(),
        lake,
        mode: 'unchanged',
        version: current,
        previousVersion: undefined,
        prunedVersions: [],
        silverHead,
        gold: [],
        warehouse: undefined,
        timings: { ...timings, total: Math.round(performance.now() - started) },
      };
    }

    const next = commit + 1;
    const id = goldVersionId(next);
    building = goldBuildingDir(lake, id);
    await fs.rm(building, { recursive: true, force: true });
    await fs.mkdir(building, { recursive: true });
    const previousDir = published ? goldVersionDir(lake, current!) : undefined;
    let applied: ApplyResult | undefined;
    const gold = await inTransaction(db, async () => {
      let tables: GoldTableResult[];
      if (rebuildReason) {
        await step('apply', () => recountGoldState(db, lake));
        tables = await step('publish', () => writeModelVersion(db, lake, building!, next));
      } else {
        applied = await step('apply', () => applyChanges(db, lake, goldHead, silverHead));
        tables = await step('publish', () => writeGoldVersion(db, lake, building!, next, previousDir, { from: goldHead, to: silverHead }));
      }
      if (config.signal?.aborted) throw interrupted();
      await runSql(db.connection, `DELETE FROM ${CHANGE_EVENTS.name} WHERE seq <= ${silverHead}`);
      for (const rule of ENTITY_RULES) await runSql(db.connection, `DELETE FROM ${entityChangeTable(rule).name} WHERE seq <= ${silverHead}`);
      await writeMeta(db, GOLD_HEAD, silverHead);
      await writeMeta(db, GOLD_COMMIT, next);
      await fs.rm(goldVersionDir(lake, id), { recursive: true, force: true });
      await fs.rename(building!, goldVersionDir(lake, id));
      building = undefined;
      crashPoint('gold:before-commit');
      return tables;
    });
    crashPoint('gold:committed');
    const total = await events();
    const { previous, pruned } = await step('publish', async () => {
      const previous = await publishGoldVersion(lake, id);
      await writeHeads(lake, { gold: { head: silverHead, version: id, mode: rebuildReason ? 'rebuild' : 'incremental', at: new Date().toISOString() } });
      return { previous, pruned: await pruneGoldVersions(lake, [id, previous]) };
    });
    if (own) db.close();
    const warehouse = config.refreshWarehouse === false ? undefined : await step('warehouse', () => refreshWarehouse(lake));
    timings.total = Math.round(performance.now() - started);
    return {
      lake,
      mode: rebuildReason ? 'rebuild' : 'incremental',
      ...(rebuildReason ? { rebuildReason } : {}),
      version: id,
      previousVersion: previous,
      prunedVersions: pruned,
      silverHead,
      events: total,
      ...(applied ? { applied } : {}),
      gold,
      warehouse,
      timings,
    };
  } catch (error) {
    if (building) await fs.rm(building, { recursive: true, force: true });
    if (config.signal?.aborted && !(error instanceof GhlakeError && error.code === ERROR_CODES.INTERRUPTED)) throw interrupted();
    throw error;
  } finally {
    config.signal?.removeEventListener('abort', onAbort);
    if (own) db.close();
  }
}
