/**
 * @ghlake/gold — gold from silver, in DuckDB: the models (the reference, and what runs in
 * Snowflake), gold's incremental state and versions, the embedded warehouse and `ghlake query`.
 */
export { buildGold, type GoldConfig, type GoldMode, type GoldResult, type GoldStep } from './runner.js';
export type { GoldTableResult } from './incremental/publish-version.js';
export { GOLD_STATE_TABLES, GOLD_HEAD, GOLD_COMMIT, PAIRS } from './incremental/state-tables.js';
export {
  refreshWarehouse,
  warehouseIsCurrent,
  warehouseState,
  openWarehouseInMemory,
  currentViews,
  WAREHOUSE_TABLES,
  type WarehouseResult,
  type WarehouseView,
} from './warehouse.js';
export {
  DIALECTS,
  GOLD_MODELS,
  goldModel,
  modelSql,
  quoteIdentifier,
  renderModel,
  renderSql,
  type Dialect,
  type GoldModel,
  type RenderOptions,
} from './models.js';
export { currentGoldVersion } from './gold-versions.js';
export { DUCKDB_OPTIONS, GOLD_OPTIONS, QUERY_OPTIONS, DEFAULT_DUCKDB_MEMORY, type QueryFormat } from './options.js';
export {
  openQuery,
  openQuerySession,
  runQuery,
  openWarehouse,
  type QueryConfig,
  type QueryColumn,
  type QuerySession,
  type QueryStream,
  type QueryValue,
} from './query.js';
export { formatTable, csvHeader, csvRows, jsonKeys, jsonRow } from './format.js';
export { createGoldCommand, formatGoldSummary, type GoldCommandHooks, type GoldEngine, type GoldEngineRun, type GoldPrepare } from './gold-command.js';
export { assertLakeExists } from './lake-exists.js';
export { queryCommand } from './query-command.js';
