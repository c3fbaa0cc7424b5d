/**
 * Options of `ghlake gold` and `ghlake query` (defaults < GHLAKE_* env < flags). The DuckDB
 * knobs are shared: both commands open DuckDB with a memory limit, a thread count and a spill
 * directory inside the lake, so a lake bigger than memory is still computed exactly.
 */
import { COMMON_OPTIONS, defineOptions, invalidOption, parseBytes, parseChoice, parseInteger } from '@ghlake/core';

/** 2 GB: enough for a month of events with spilling, small enough for a shared laptop. */
export const DEFAULT_DUCKDB_MEMORY = 2_000_000_000;

export const DUCKDB_OPTIONS = defineOptions({
  lake: COMMON_OPTIONS.lake,
  threads: { ...COMMON_OPTIONS.threads, description: 'DuckDB threads; default: the available cores' },
  memoryLimit: {
    flag: 'memory-limit',
    env: 'GHLAKE_DUCKDB_MEMORY',
    description: 'DuckDB memory limit, in bytes or with a unit (512MB, 4GB); beyond it DuckDB spills to <lake>/_tmp/duckdb',
    default: DEFAULT_DUCKDB_MEMORY,
    parse: (raw: string, source: string) => {
      const bytes = parseBytes(raw, source);
      if (bytes < 64_000_000) throw invalidOption(source, raw, 'a size of at least 64MB, such as 2GB');
      return bytes;
    },
  },
  logLevel: COMMON_OPTIONS.logLevel,
});

export const GOLD_OPTIONS = defineOptions({
  ...DUCKDB_OPTIONS,
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
