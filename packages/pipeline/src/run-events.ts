/**
 * What the runner tells its caller while it works. The runner never prints: the CLI turns
 * these events into a live terminal display, log lines, or nothing.
 */
import type { HourKey, PlainError } from '@ghlake/core';
import type { DownloadStatus } from '@ghlake/download';

export type StageName = 'download' | 'transform' | 'gold' | 'warehouse' | 'upload' | 'snowflake';
export const STAGE_ORDER: readonly StageName[] = ['download', 'transform', 'gold', 'warehouse', 'upload', 'snowflake'];

export type { DownloadStatus };
/** `refetch`: the file, stored without a gzip check, turned out damaged; nothing was published and it is fetched again. */
export type TransformStatus = 'transformed' | 'damaged' | 'refetch' | 'failed';

export type RunEvent =
  | { type: 'start'; hours: readonly HourKey[]; lake: string; threads: number; tookOverLock?: string; removedTempFiles: number }
  /** After checking the manifest and the files: what this run will do. */
  | { type: 'plan'; total: number; toProcess: number; upToDate: number; redo: { hour: HourKey; why: string }[] }
  | { type: 'stage-start'; stage: StageName }
  | { type: 'stage-end'; stage: StageName; ms: number; ok: boolean; skipped?: boolean; detail?: string }
  /** A step of the gold stage starting: consolidate, gold (the models), publish. */
  | { type: 'gold-step'; step: string }
  /** Downloaded bytes since the previous event (any hour). */
  | { type: 'download-bytes'; bytes: number }
  | { type: 'hour-download'; hour: HourKey; status: DownloadStatus; bytes: number; resumedBytes?: number; partialDiscarded?: string; error?: PlainError }
  /** A download attempt failed; the hour is tried again (resumed from `keptBytes` when > 0). */
  | { type: 'download-retry'; hour: HourKey; attempt: number; delayMs: number; code: string; message: string; keptBytes: number }
  | { type: 'hour-transform-start'; hour: HourKey }
  | { type: 'hour-transform'; hour: HourKey; status: TransformStatus; events: number; quarantined: number; ms: number; damaged?: string; error?: PlainError }
  | { type: 'warning'; message: string; fields?: Record<string, unknown> }
  | { type: 'stopping'; inFlight: number };

export type RunEventListener = (event: RunEvent) => void;
