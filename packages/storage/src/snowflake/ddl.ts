/**
 * CREATE TABLE statements generated from the column declarations in @ghlake/core — the one
 * source of truth for names, order, types (SNOWFLAKE_TYPE) and nullability — with each column's
 * documentation as its Snowflake COMMENT, so `DESC TABLE` explains where a value comes from.
 */
import { SNOWFLAKE_TYPE, type ColumnDecl, type TableDecl } from '@ghlake/core';
import type { SnowflakeObjects } from './options.js';
import { LOADS_TABLE, SOURCE_FILE_COLUMN, columnRef, loadsTableRef, tableKey, tableRef } from './objects.js';
import { snowflakeString } from './sql-text.js';

interface ColumnDdl {
  name: string;
  type: string;
  nullable: boolean;
  comment: string;
}

function columnLine(c: ColumnDdl): string {
  return `  ${columnRef(c.name)} ${c.type}${c.nullable ? '' : ' NOT NULL'} COMMENT ${snowflakeString(c.comment)}`;
}

function fromDecl(c: ColumnDecl): ColumnDdl {
  return { name: c.name, type: SNOWFLAKE_TYPE[c.type], nullable: c.nullable, comment: c.doc };
}

/** Columns of a table in Snowflake: the declaration's, plus GHLAKE_SOURCE_FILE for hour-partitioned tables. */
export function snowflakeColumns(table: TableDecl): ColumnDdl[] {
  const columns = table.columns.map(fromDecl);
  if (table.partitioning === 'hour') {
    columns.push({
      name: SOURCE_FILE_COLUMN,
      type: 'VARCHAR',
      nullable: false,
      comment: 'staged lake file the row was loaded from (METADATA$FILENAME); ghlake replaces a reloaded hour by it',
    });
  }
  return columns;
}

export function createTableSql(objects: SnowflakeObjects, table: TableDecl): string {
  const lines = snowflakeColumns(table).map(columnLine);
  return [
    `CREATE TABLE IF NOT EXISTS ${tableRef(objects, table)} (`,
    lines.join(',\n'),
    `) COMMENT = ${snowflakeString(`ghlake ${tableKey(table)}: ${table.grain}; key (${table.key.join(', ')})`)}`,
  ].join('\n');
}

/** GHLAKE_LOADS: one row per lake file loaded — what `load` compares the lake against. */
export const LOADS_COLUMNS: readonly ColumnDdl[] = [
  { name: 'TABLE_NAME', type: 'VARCHAR', nullable: false, comment: 'lake table, e.g. silver.events' },
  { name: 'PARTITION_HOUR', type: 'TIMESTAMP_NTZ(0)', nullable: true, comment: 'source hour of an hourly partition (UTC); NULL for a whole-table file' },
  { name: 'FILE_PATH', type: 'VARCHAR', nullable: false, comment: 'file path relative to the lake and to the stage' },
  { name: 'FILE_BYTES', type: 'NUMBER(38,0)', nullable: false, comment: 'size of the lake file when it was loaded' },
  {
    name: 'FILE_MTIME',
    type: 'TIMESTAMP_NTZ(3)',
    nullable: false,
    comment: 'modification time (UTC) of the lake file when it was loaded; with FILE_BYTES it tells a rewritten file',
  },
  { name: 'ROWS_LOADED', type: 'NUMBER(38,0)', nullable: false, comment: "rows COPY loaded from the file (checked equal to the file's row count)" },
  { name: 'LOADED_AT', type: 'TIMESTAMP_NTZ(3)', nullable: false, comment: 'when the load committed (UTC)' },
];

export function createLoadsTableSql(objects: SnowflakeObjects): string {
  return [
    `CREATE TABLE IF NOT EXISTS ${loadsTableRef(objects)} (`,
    LOADS_COLUMNS.map(columnLine).join(',\n'),
    `) COMMENT = ${snowflakeString(`ghlake ${LOADS_TABLE}: lake files loaded by ghlake snowflake load`)}`,
  ].join('\n');
}
