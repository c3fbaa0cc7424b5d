/**
 * What the run needs from each stage, in the run's own terms. The real implementation
 * (real-stages.ts) adapts the stage packages' runners to this; keeping the seam here means the
 * orchestration (runner.ts) reads as the run's logic alone.
 */
import type { HourAccounting, HourKey, PlainError } from '@ghlake/core';
import type { DownloadStatus, TransformStatus } from './run-events.js';

export interface DownloadedHour {
  hour: HourKey;
  status: DownloadStatus;
  bytes: number;
  sha256?: string;
  /** Downloaded or skipped: false when the file was stored without a gzip check (the transform checks it). */
  gzipChecked?: boolean;
  /** Bytes not fetched again: an earlier attempt's, or a stopped earlier run's (HTTP Range). */
  resumedBytes?: number;
  /** A partial download an earlier run left that could not be continued: why. */
  partialDiscarded?: string;
  error?: PlainError;
}

export interface DownloadRetry {
  hour: HourKey;
  /** The attempt that failed (1-based). */
  attempt: number;
  delayMs: number;
  code: string;
  message: string;
  /** Bytes kept on disk: the next attempt asks only for the rest (0: from the start). */
  keptBytes: number;
}

export interface TransformedHour {
  hour: HourKey;
  status: TransformStatus;
  /** Absolute paths of every partition file written. */
  files: string[];
  accounting: HourAccounting;
  /** Why the source was only partly readable (status 'damaged' or 'refetch'). */
  damaged?: string;
  /** Bytes the raw file inflated to (when it was read). */
  uncompressedBytes?: number;
  error?: PlainError;
}

export interface GoldOutcome {
  /** incremental: gold applied silver's changes; rebuild: recounted from silver; unchanged: nothing new. */
  mode: 'incremental' | 'rebuild' | 'unchanged';
  /** Wall time of its steps, ms: silver consolidation, gold's apply and publish. */
  steps?: { consolidate: number; apply: number; publish: number };
  /** Silver commits made (the hours the run staged, published). */
  silverCommits: number;
  /** Rows per gold table (empty when unchanged). */
  tables: Record<string, number>;
  /** Distinct events in the lake's silver. */
  silverEvents: number;
  /** Copies of events that an earlier hour file keeps, set aside by this run's silver commits. */
  crossHourDuplicatesRemoved: number;
  /** Timeline logins resolved across hours by this run's silver commits: new rows given the lake's id, published hours re-keyed. */
  timelineLogins?: { resolved: number; rekeyedHours: number };
  /** Hours whose silver files the commits published or rewrote (`all`: silver was rebuilt). */
  silverWritten: HourKey[] | 'all';
}

export interface UploadOutcome {
  /** Every lake file is in the bucket (not interrupted, nothing left out). */
  complete: boolean;
  /** incremental: only what silver committed since the last complete upload was looked at; full: the whole lake. */
  mode: 'full' | 'incremental';
  uploaded: number;
  unchanged: number;
  failed: { key: string; message: string }[];
  bytes: number;
  /** Obsolete keyed files removed from the bucket. */
  deleted: number;
}

export interface SnowflakeOutcome {
  /** Rows loaded per table. */
  rows: Record<string, number>;
}

export interface TopRepository {
  repo_name: string | null;
  repo_id: number;
  total_events: number;
}

export interface PipelineStages {
  /**
   * Download the hours, calling `onHourDone` as soon as each hour is settled (verified,
   * missing or failed) and `onBytes` with byte increments. Resolves when all are settled.
   */
  download(
    hours: readonly HourKey[],
    hooks: {
      signal: AbortSignal;
      reverify: boolean;
      /**
       * Inflate each file as it arrives to check its gzip stream. The run passes false (its
       * transform inflates the file anyway) and true when it fetches a file again after the
       * transform found it damaged.
       */
      checkGzip: boolean;
      /**
       * Hours of the run's range are already in the lake. Without that, a download in which every
       * hour that should exist answered 404 throws GHLAKE_SOURCE_NOT_FOUND once every hour is settled.
       */
      rangeHasData: boolean;
      onBytes(bytes: number): void;
      onHourDone(result: DownloadedHour): void;
      /** An attempt failed and the hour is tried again after `delayMs` (from `keptBytes` when resumed). */
      onRetry?(retry: DownloadRetry): void;
    },
  ): Promise<void>;
  /**
   * Bronze + silver of one downloaded hour (the fused path), on the shared pool.
   * `uncheckedSource`: its gzip was not checked yet; damaged → nothing published, status `refetch`.
   */
  transform(hour: HourKey, options: { uncheckedSource: boolean; keptCopy?: boolean }): Promise<TransformedHour>;
  /**
   * Move the hour's raw file, found damaged, aside as `<hour>.json.gz.corrupt` (docs/download.md):
   * kept for inspection and, if the source is damaged too, for its good lines.
   */
  keepDamagedCopy(hour: HourKey): Promise<void>;
  /**
   * Record what the transform's read found in a raw file stored unchecked: it inflated completely
   * (`uncompressedBytes`), or its gzip is damaged (`damage`: the next download replaces it at once).
   */
  recordGzipCheck(hour: HourKey, found: { uncompressedBytes: number } | { damage: string }): Promise<void>;
  /** Silver consolidation of the staged hours, then gold from what it changed; `onStep` as each step starts. */
  gold(hooks: { signal: AbortSignal; onStep?: (step: string) => void }): Promise<GoldOutcome>;
  /** Rebuild the local DuckDB warehouse's views. */
  warehouse(): Promise<void>;
  /** Is the warehouse file there and built from the tables the lake has now? */
  warehouseIsCurrent(): Promise<boolean>;
  /** The most active repositories from the warehouse. */
  topRepositories(limit: number): Promise<TopRepository[]>;
  upload?(hooks: { signal: AbortSignal }): Promise<UploadOutcome>;
  snowflake?(hooks: { signal: AbortSignal }): Promise<SnowflakeOutcome>;
  /** Release threads, connections. */
  close(): Promise<void>;
}
