/**
 * Silver runners, pure orchestration over the shared pool (no env, argv or logging):
 * - `transformHours`: the fused path, raw hours → bronze + silver in one parse per line;
 * - `silverFromBronze`: silver rebuilt from bronze partitions, without the raw files.
 * Each hour's outcome comes back as data; a failing hour fails alone.
 */
import { workerModule, type HourKey, type SharedPool } from '@ghlake/core';
import { rawHourTask, runHoursOnPool, type HourOutcome, type RunHoursOptions } from '@ghlake/bronze';
import type { FusedHourTask } from './fused-worker.js';
import type { FromBronzeTask } from './from-bronze.js';
import { DEFAULT_SILVER_ROW_GROUP_ROWS, type TransformConfig } from './options.js';
import type { SilverHourMetrics } from './write-silver.js';

const FUSED_WORKER = workerModule('./fused-worker', import.meta.url);
const FROM_BRONZE_WORKER = workerModule('./from-bronze-worker', import.meta.url);

export type TransformOutcome = HourOutcome<SilverHourMetrics>;

/** Raw hours → bronze and silver partitions, hours in parallel, each line parsed once. */
export function transformHours(
  pool: SharedPool,
  config: TransformConfig,
  hours: readonly HourKey[],
  options: RunHoursOptions<SilverHourMetrics> = {},
): Promise<TransformOutcome[]> {
  return runHoursOnPool<FusedHourTask, SilverHourMetrics>(
    pool,
    FUSED_WORKER,
    hours,
    (hour) => ({ ...rawHourTask(config, hour), silverRowGroupRows: config.silverRowGroupRows ?? DEFAULT_SILVER_ROW_GROUP_ROWS }),
    options,
  );
}

/** Bronze partitions → silver partitions (same rows as the fused path). */
export function silverFromBronze(
  pool: SharedPool,
  config: { lake: string; silverRowGroupRows?: number },
  hours: readonly HourKey[],
  options: RunHoursOptions<SilverHourMetrics> = {},
): Promise<TransformOutcome[]> {
  return runHoursOnPool<FromBronzeTask, SilverHourMetrics>(
    pool,
    FROM_BRONZE_WORKER,
    hours,
    (hour) => ({ hour, lake: config.lake, silverRowGroupRows: config.silverRowGroupRows ?? DEFAULT_SILVER_ROW_GROUP_ROWS }),
    options,
  );
}
