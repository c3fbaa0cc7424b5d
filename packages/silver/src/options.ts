/**
 * Silver options: defaults < GHLAKE_* env < flags (core/config.ts). The transform options
 * (raw folder, row group sizes, worker heap) are bronze's: the fused path takes both.
 */
import { COMMON_OPTIONS, DUCKDB_MEMORY_OPTIONS, RANGE_OPTIONS, defineOptions, parseBoolean, parseInteger } from '@ghlake/core';
import { TRANSFORM_OPTIONS, type BronzeConfig } from '@ghlake/bronze';

export const SILVER_ROW_GROUP_OPTION = defineOptions({
  silverRowGroupRows: {
    flag: 'silver-row-group-rows',
    env: 'GHLAKE_SILVER_ROW_GROUP_ROWS',
    description: 'rows per silver.events / payload_details row group',
    default: 65_536,
    parse: parseInteger(256, 4_194_304),
  },
});

export const SILVER_OPTIONS = defineOptions({
  ...COMMON_OPTIONS,
  ...RANGE_OPTIONS,
  silverRowGroupRows: SILVER_ROW_GROUP_OPTION.silverRowGroupRows,
  workerHeapMb: TRANSFORM_OPTIONS.workerHeapMb,
  ...DUCKDB_MEMORY_OPTIONS,
  rebuild: {
    flag: 'rebuild',
    env: 'GHLAKE_SILVER_REBUILD',
    description: 'recompute silver from every hour in the lake (cross-hour dedup, entity tables) and its incremental state; gold is rebuilt next',
    default: false,
    boolean: true,
    parse: parseBoolean,
  },
});

/** The fused raw → bronze + silver transform: bronze's config plus silver's row groups. */
export interface TransformConfig extends BronzeConfig {
  silverRowGroupRows?: number;
}

export const DEFAULT_SILVER_ROW_GROUP_ROWS = 65_536;
