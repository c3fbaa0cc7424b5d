/**
 * Column declarations: the single source of truth for every table's columns and types.
 * They feed the Parquet writers (packages/core/src/parquet), the DuckDB views of the warehouse
 * and the Snowflake DDL (packages/storage). The type mapping lives here, once.
 */
export type ColumnType = 'BIGINT' | 'INTEGER' | 'DOUBLE' | 'BOOLEAN' | 'VARCHAR' | 'JSON' | 'TIMESTAMP' | 'DATE' | 'BLOB';

export interface ColumnDecl {
  name: string;
  type: ColumnType;
  /** false = never NULL (written REQUIRED in Parquet, NOT NULL in DDL). */
  nullable: boolean;
  /** Where the value comes from and the rule that makes it. */
  doc: string;
  /**
   * Values are (nearly) all distinct — the payload text, a hash, raw quarantined bytes: the
   * Parquet writer encodes them PLAIN without trying a dictionary or keeping min/max statistics
   * (both cost a pass over every byte and never pay for such columns).
   */
  distinctValues?: boolean;
}

export type LayerName = 'bronze' | 'silver' | 'gold';

export interface TableDecl {
  layer: LayerName;
  name: string;
  /** What one row is. */
  grain: string;
  /** Columns that identify a row (unique within the table). */
  key: readonly string[];
  /** `hour`: one partition per source hour (`date=/hour=`); `none`: one consolidated file. */
  partitioning: 'hour' | 'none';
  columns: readonly ColumnDecl[];
}

export const col = (name: string, type: ColumnType, nullable: boolean, doc: string, hints: { distinctValues?: boolean } = {}): ColumnDecl => ({
  name,
  type,
  nullable,
  doc,
  ...hints,
});

/** DuckDB SQL type of each column type. TIMESTAMP values are UTC wall-clock (no zone). */
export const DUCKDB_TYPE: Record<ColumnType, string> = {
  BIGINT: 'BIGINT',
  INTEGER: 'INTEGER',
  DOUBLE: 'DOUBLE',
  BOOLEAN: 'BOOLEAN',
  VARCHAR: 'VARCHAR',
  JSON: 'VARCHAR',
  TIMESTAMP: 'TIMESTAMP',
  DATE: 'DATE',
  BLOB: 'BLOB',
};

/** Snowflake SQL type of each column type. */
export const SNOWFLAKE_TYPE: Record<ColumnType, string> = {
  BIGINT: 'NUMBER(38,0)',
  INTEGER: 'NUMBER(38,0)',
  DOUBLE: 'FLOAT',
  BOOLEAN: 'BOOLEAN',
  VARCHAR: 'VARCHAR',
  JSON: 'VARCHAR',
  TIMESTAMP: 'TIMESTAMP_NTZ(6)',
  DATE: 'DATE',
  BLOB: 'BINARY',
};

/**
 * Parquet physical/logical type of each column type:
 * INT64 for ids, INT64 TIMESTAMP(MICROS, isAdjustedToUTC=false) holding UTC wall-clock,
 * BYTE_ARRAY UTF8 strings (JSON columns too: their text is kept exactly), BOOLEAN.
 */
export const PARQUET_TYPE: Record<ColumnType, { physical: 'INT64' | 'INT32' | 'DOUBLE' | 'BOOLEAN' | 'BYTE_ARRAY'; logical?: string }> = {
  BIGINT: { physical: 'INT64' },
  INTEGER: { physical: 'INT32' },
  DOUBLE: { physical: 'DOUBLE' },
  BOOLEAN: { physical: 'BOOLEAN' },
  VARCHAR: { physical: 'BYTE_ARRAY', logical: 'STRING' },
  JSON: { physical: 'BYTE_ARRAY', logical: 'STRING' }, // JSON text kept byte-exact as UTF8
  TIMESTAMP: { physical: 'INT64', logical: 'TIMESTAMP_MICROS' },
  DATE: { physical: 'INT32', logical: 'DATE' },
  BLOB: { physical: 'BYTE_ARRAY' },
};

/**
 * The JavaScript value a writer accepts for each column type (rows/columns handed to
 * Parquet writers): BIGINT/INTEGER/DOUBLE number (bigint accepted for BIGINT),
 * TIMESTAMP epoch milliseconds as a number, DATE `YYYY-MM-DD`, BLOB Uint8Array,
 * VARCHAR/JSON string, BOOLEAN boolean; null for NULL.
 */
export type JsValueOf<T extends ColumnType> = T extends 'BIGINT' | 'INTEGER' | 'DOUBLE' | 'TIMESTAMP'
  ? number
  : T extends 'BOOLEAN'
    ? boolean
    : T extends 'BLOB'
      ? Uint8Array
      : string;
