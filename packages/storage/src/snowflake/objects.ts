/**
 * Where each ghlake object lives in Snowflake. Tables and columns take the names of the core
 * declarations in upper case (Snowflake's unquoted form, so users query `silver.events` without
 * quotes); the stage, file format and GHLAKE_LOADS sit in their own schema, apart from the data.
 */
import { GOLD_TABLES, SILVER_TABLES, type TableDecl } from '@ghlake/core';
import type { SnowflakeObjects } from './options.js';
import { qualifiedName, quoteIdent } from './sql-text.js';

/** The tables loaded into Snowflake: every silver and every gold table. */
export const SNOWFLAKE_TABLES: readonly TableDecl[] = [...SILVER_TABLES, ...GOLD_TABLES];

/** Bookkeeping table: one row per lake file loaded. */
export const LOADS_TABLE = 'GHLAKE_LOADS';

/**
 * Extra column of the hour-partitioned tables: the staged file a row came from, filled by COPY's
 * INCLUDE_METADATA from METADATA$FILENAME. Silver rows carry created_at/hour_bucket but not their
 * source hour (an event can sit in another hour's file); this column is how a reload of an hour
 * finds and replaces exactly that hour's rows.
 */
export const SOURCE_FILE_COLUMN = 'GHLAKE_SOURCE_FILE';

/** Suffix of the table a full refresh loads before swapping it in. */
export const NEW_TABLE_SUFFIX = '__NEW';

/** Suffix of the temporary table a keyed table's files are staged in before a MERGE or a newest-per-key INSERT. */
export const STAGE_TABLE_SUFFIX = '__STAGE';

export function tableKey(table: Pick<TableDecl, 'layer' | 'name'>): string {
  return `${table.layer}.${table.name}`;
}

export function schemaOf(objects: SnowflakeObjects, layer: TableDecl['layer']): string {
  return layer === 'bronze' ? objects.bronzeSchema : layer === 'silver' ? objects.silverSchema : objects.goldSchema;
}

export function tableName(table: Pick<TableDecl, 'name'>): string {
  return table.name.toUpperCase();
}

/** `"GHLAKE"."SILVER"."EVENTS"` */
export function tableRef(objects: SnowflakeObjects, table: Pick<TableDecl, 'layer' | 'name'>, suffix = ''): string {
  return qualifiedName(objects.database, schemaOf(objects, table.layer), `${tableName(table)}${suffix}`);
}

export function columnRef(name: string): string {
  return quoteIdent(name.toUpperCase());
}

export function stageRef(objects: SnowflakeObjects): string {
  return qualifiedName(objects.database, objects.metaSchema, objects.stage);
}

export function fileFormatRef(objects: SnowflakeObjects): string {
  return qualifiedName(objects.database, objects.metaSchema, objects.fileFormat);
}

export function loadsTableRef(objects: SnowflakeObjects): string {
  return qualifiedName(objects.database, objects.metaSchema, LOADS_TABLE);
}

/**
 * The fully qualified Snowflake name of every silver and gold table, keyed `silver.events` —
 * what a gold model renderer substitutes for table references when gold runs in Snowflake.
 */
export function snowflakeTableRefs(objects: SnowflakeObjects): Record<string, string> {
  return Object.fromEntries(SNOWFLAKE_TABLES.map((t) => [tableKey(t), tableRef(objects, t)]));
}
