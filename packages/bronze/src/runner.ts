/**
 * `bronzeHours`: raw hours → bronze partitions, hours in parallel on the shared pool. Pure
 * orchestration: no env, no argv, no logging; each hour's outcome comes back as data, and an
 * hour whose worker throws or dies is `failed` with the reason while the others go on.
 */
import path from 'node:path';
import { archiveFileName, rawPath, runPoolTask, toPlainError, workerModule, type HourKey, type PlainError, type SharedPool } from '@ghlake/core';
import type { LineAccounting } from './accounting.js';
import type { RawDamage } from './read-raw.js';
import type { HourTimings, RawHourResult, RawHourTask, WrittenTableFile } from './raw-hour.js';
import { DEFAULT_BRONZE_ROW_GROUP_ROWS, type BronzeConfig } from './options.js';

const BRONZE_WORKER = workerModule('./worker', import.meta.url);

/** One hour's outcome, whatever happened. */
export interface HourOutcome<M = undefined> {
  hour: HourKey;
  /** `discarded`: damaged gzip with `discardDamaged` set, nothing published (see BronzeConfig). */
  status: 'ok' | 'damaged' | 'discarded' | 'failed';
  damage: RawDamage | null;
  error: PlainError | null;
  accounting: LineAccounting | null;
  extension: M | null;
  files: WrittenTableFile[];
  timings: HourTimings | null;
  compressedBytes: number;
}

export interface RunHoursOptions<M> {
  /** Called as each hour finishes (any order), e.g. for progress or a manifest. */
  onHourDone?: (outcome: HourOutcome<M>) => void;
  signal?: AbortSignal;
}

/** Where the raw file of an hour is: `<rawDir>/<hour>.json.gz` or the lake's raw layout. */
export function rawFileFor(config: { lake: string; rawDir?: string | undefined; rawFiles?: Record<string, string> | undefined }, hour: HourKey): string {
  const explicit = config.rawFiles?.[hour];
  if (explicit !== undefined) return explicit;
  return config.rawDir ? path.join(config.rawDir, archiveFileName(hour)) : rawPath(config.lake, hour);
}

export function rawHourTask(config: BronzeConfig, hour: HourKey): RawHourTask {
  return {
    hour,
    rawPath: rawFileFor(config, hour),
    lake: config.lake,
    bronzeRowGroupRows: config.bronzeRowGroupRows ?? DEFAULT_BRONZE_ROW_GROUP_ROWS,
    ...(config.discardDamaged ? { discardDamaged: true } : {}),
  };
}

export function outcomeOf<M>(hour: HourKey, result: RawHourResult<M>): HourOutcome<M> {
  return {
    hour,
    status: result.status,
    damage: result.damage,
    error: null,
    accounting: result.accounting,
    extension: result.extension,
    files: result.files,
    timings: result.timings,
    compressedBytes: result.compressedBytes,
  };
}

export function failedOutcome<M>(hour: HourKey, error: unknown): HourOutcome<M> {
  const plain = toPlainError(error);
  plain.details = { ...plain.details, hour };
  return { hour, status: 'failed', damage: null, error: plain, accounting: null, extension: null, files: [], timings: null, compressedBytes: 0 };
}

/** Run one worker module over hours on the pool; outcomes in the order of `hours`. */
export async function runHoursOnPool<TTask, M>(
  pool: SharedPool,
  worker: URL,
  hours: readonly HourKey[],
  taskFor: (hour: HourKey) => TTask,
  options: RunHoursOptions<M> = {},
): Promise<HourOutcome<M>[]> {
  return Promise.all(
    hours.map(async (hour) => {
      let outcome: HourOutcome<M>;
      try {
        const result = await runPoolTask<TTask, RawHourResult<M>>(pool, worker, taskFor(hour), options.signal);
        outcome = outcomeOf(hour, result);
      } catch (error) {
        outcome = failedOutcome<M>(hour, error);
      }
      options.onHourDone?.(outcome);
      return outcome;
    }),
  );
}

/** Raw hours → bronze.events + bronze.quarantine partitions. */
export function bronzeHours(
  pool: SharedPool,
  config: BronzeConfig,
  hours: readonly HourKey[],
  options: RunHoursOptions<undefined> = {},
): Promise<HourOutcome<undefined>[]> {
  return runHoursOnPool(pool, BRONZE_WORKER, hours, (hour) => rawHourTask(config, hour), options);
}
