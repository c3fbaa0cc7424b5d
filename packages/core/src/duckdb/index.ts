/**
 * `@ghlake/core/duckdb`: opening DuckDB the way every lake step needs it, SQL text built from the
 * column declarations, the lake's file listings for SQL, and keyed tables. A separate entry point
 * so that pool workers, which import `@ghlake/core`, never load DuckDB's native module.
 */
export * from './connection.js';
export * from './sql.js';
export * from './lake-files.js';
export * from './keyed-files.js';
export * from './state-db.js';
export * from './silver-state.js';
