/**
 * @ghlake/gold — everything that spans hours, in DuckDB over the silver Parquet:
 * consolidation (cross-hour dedup, entity tables), the gold models, the embedded warehouse
 * and `ghlake query`.
 */
export { buildGold, type GoldConfig, type GoldResult, type GoldStep, type GoldTableResult } from './build-gold.js';
export * from './consolidate/index.js';
export { refreshWarehouse, warehouseIsCurrent, currentViews, WAREHOUSE_TABLES, type WarehouseResult, type WarehouseView } from './warehouse.js';
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
export { currentGoldVersion, goldLinkPath, goldVersionsDir } from './gold-versions.js';
export { listPartitionFiles, type PartitionFile } from './lake-files.js';
export { assertLakeExists } from './lake-exists.js';
export { duckdbTempDir, openDuckDB, sqlError, type DuckDBSettings } from './duckdb.js';
export { DUCKDB_OPTIONS, GOLD_OPTIONS, QUERY_OPTIONS, DEFAULT_DUCKDB_MEMORY, type QueryFormat } from './options.js';
export { openQuery, runQuery, ensureWarehouse, type QueryConfig, type QueryColumn, type QueryStream, type QueryValue } from './query.js';
export { formatTable, csvHeader, csvRows, jsonKeys, jsonRow } from './format.js';
export { goldCommand, formatGoldSummary } from './gold-command.js';
export { queryCommand } from './query-command.js';
