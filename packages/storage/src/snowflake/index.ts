export { snowflakeCommand } from './snowflake-command.js';
export {
  SNOWFLAKE_CONNECTION_OPTIONS,
  SNOWFLAKE_OBJECT_OPTIONS,
  SNOWFLAKE_LOCATION_OPTIONS,
  SNOWFLAKE_SETUP_OPTIONS,
  SNOWFLAKE_LOAD_OPTIONS,
  SNOWFLAKE_STATUS_OPTIONS,
  connectionFrom,
  objectsFrom,
  locationFrom,
  describeConnection,
  type SnowflakeAuth,
  type SnowflakeConnectionConfig,
  type SnowflakeObjects,
  type SnowflakeLocation,
} from './options.js';
export { SNOWFLAKE_TABLES, LOADS_TABLE, SOURCE_FILE_COLUMN, snowflakeTableRefs, tableRef } from './objects.js';
export { createTableSql, createLoadsTableSql, snowflakeColumns } from './ddl.js';
export { planSetup, integrationGuide, type SetupPlan, type IntegrationIdentity } from './setup-plan.js';
export { scanLake, countRows, type LakeTableFile } from './lake-inventory.js';
export { planLoad, loadPlanStatements, mergeSql, MAX_COPY_FILES, type LoadPlan, type LoadUnit, type LoadPlanOptions } from './load-plan.js';
export { runSetup, type SetupResult } from './run-setup.js';
export {
  runLoad,
  readLoadedFiles,
  checkCopyResult,
  loadLakeIntoSnowflake,
  type LoadResult,
  type TableLoadResult,
  type LoadLakeInput,
  type LoadLakeResult,
  type LoadProgress,
} from './runner.js';
export { compareLakeWithLoads, formatSnowflakeStatus, type TableStatus } from './status.js';
export { runGoldInSnowflake, planGoldInSnowflake, goldStatements, runGoldUnits, type RenderedModel, type SnowflakeGoldTable } from './gold.js';
export { openSnowflakeSession, withSnowflakeSession, snowflakeError, type SnowflakeSession, type SessionOptions } from './session.js';
export { formatScript, type SqlStatement, type SqlBind, type SqlExecutor, type SqlRow } from './statement.js';
export type { LoadedFile } from './loads.js';
