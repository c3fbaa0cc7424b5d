/**
 * Options of `ghlake gold` and `ghlake query` (defaults < GHLAKE_* env < flags). The DuckDB
 * knobs are shared: both commands open DuckDB with a memory limit, a thread count and a spill
 * directory inside the lake, so a lake bigger than memory is still computed exactly.
 */
import { COMMON_OPTIONS, DUCKDB_MEMORY_OPTIONS, defineOptions, parseBoolean, parseChoice, parseInteger } from '@ghlake/core';

export { DEFAULT_DUCKDB_MEMORY } from '@ghlake/core';

export const DUCKDB_OPTIONS = defineOptions({
  lake: COMMON_OPTIONS.lake,
  threads: { ...COMMON_OPTIONS.threads, description: 'DuckDB threads; default: the available cores' },
  ...DUCKDB_MEMORY_OPTIONS,
  logLevel: COMMON_OPTIONS.logLevel,
});

export const GOLD_OPTIONS = defineOptions({
  ...DUCKDB_OPTIONS,
  rebuild: {
    flag: 'rebuild',
    env: 'GHLAKE_GOLD_REBUILD',
    description: 'recount gold (and its incremental state) from all of silver with the SQL models, instead of applying the changes since the last run',
    default: false,
    boolean: true,
    parse: parseBoolean,
  },
  json: COMMON_OPTIONS.json,
});

export const QUERY_FORMATS = ['table', 'csv', 'json'] as const;
export type QueryFormat = (typeof QUERY_FORMATS)[number];

export const QUERY_OPTIONS = defineOptions({
  ...DUCKDB_OPTIONS,
  format: {
    flag: 'format',
    env: 'GHLAKE_QUERY_FORMAT',
    description: 'output format: table (aligned), csv or json (one JSON array of row objects)',
    default: 'table' as QueryFormat,
    parse: parseChoice(QUERY_FORMATS),
  },
  maxRows: {
    flag: 'max-rows',
    env: 'GHLAKE_QUERY_MAX_ROWS',
    description: 'rows printed in table format (csv and json print every row)',
    default: 1000,
    parse: parseInteger(1, 10_000_000),
  },
});
