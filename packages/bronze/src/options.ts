/**
 * `ghlake bronze` options: defaults < GHLAKE_* env < flags (core/config.ts).
 */
import { COMMON_OPTIONS, RANGE_OPTIONS, defineOptions, parseInteger, parseString } from '@ghlake/core';

/** ~18 MB of 2024 events per row group: two workers on 1 GB hours stay well under 1.5 GB RSS (docs/transform.md). */
export const DEFAULT_BRONZE_ROW_GROUP_ROWS = 4096;

export const TRANSFORM_OPTIONS = defineOptions({
  rawDir: {
    flag: 'raw-dir',
    env: 'GHLAKE_RAW_DIR',
    description: 'read raw hours from this folder (flat YYYY-MM-DD-H.json.gz files) instead of <lake>/raw/date=*/',
    parse: parseString,
  },
  bronzeRowGroupRows: {
    flag: 'bronze-row-group-rows',
    env: 'GHLAKE_BRONZE_ROW_GROUP_ROWS',
    description: 'rows per bronze.events row group: bounds worker memory (~4 KB per recent event)',
    default: DEFAULT_BRONZE_ROW_GROUP_ROWS,
    parse: parseInteger(256, 1_048_576),
  },
  workerHeapMb: {
    flag: 'worker-heap-mb',
    env: 'GHLAKE_WORKER_HEAP_MB',
    description: 'heap limit of each worker thread in MB; an hour that exceeds it fails alone',
    default: 1024,
    parse: parseInteger(128, 65_536),
  },
});

export const BRONZE_OPTIONS = defineOptions({ ...COMMON_OPTIONS, ...RANGE_OPTIONS, ...TRANSFORM_OPTIONS });

/** What the bronze runner needs (resolved options; library callers build it directly). */
export interface BronzeConfig {
  lake: string;
  /** Flat folder of raw files; default `<lake>/raw/date=*` (core layout). */
  rawDir?: string | undefined;
  bronzeRowGroupRows?: number;
  /**
   * Publish nothing for an hour whose gzip turns out damaged (status `discarded`) instead of
   * keeping its readable part. `ghlake run` sets it for files it stored without checking their
   * gzip stream (this read is that check): such a file is fetched again, not kept half-read.
   */
  discardDamaged?: boolean;
  /** Read these hours from these files instead (`ghlake run` reads the kept `.corrupt` copy of an hour damaged at the source). */
  rawFiles?: Record<string, string> | undefined;
}
