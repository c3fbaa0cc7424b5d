/**
 * The result of a run: what was done, what was missing, damaged or failed, how long each
 * stage took. `--json` prints exactly this object.
 */
import type { HourKey } from '@ghlake/core';
import type { StageName } from './run-events.js';
import type { GoldOutcome, SnowflakeOutcome, TopRepository, UploadOutcome } from './stages.js';

export interface FailedHour {
  hour: HourKey;
  stage: StageName;
  code: string;
  message: string;
  hint?: string;
}

export interface StageTiming {
  ms: number;
  ok: boolean;
  /** Not needed this run (e.g. gold already matches the silver hours). */
  skipped?: boolean;
  detail?: string;
}

export interface RunSummary {
  /** 0 done, 1 something failed, 130 interrupted. */
  exitCode: 0 | 1 | 130;
  interrupted: boolean;
  lake: string;
  range: { from: HourKey | null; to: HourKey | null; hours: number };
  hours: {
    /** Transformed by this run. */
    done: HourKey[];
    /** Already complete in the lake (manifest and files agree): nothing to do. */
    upToDate: HourKey[];
    /** Not on the server (404). */
    missing: HourKey[];
    /** Partly readable source: what could be read is kept. */
    damaged: { hour: HourKey; reason: string }[];
    failed: FailedHour[];
    /** Not attempted because the run was interrupted. */
    notStarted: HourKey[];
  };
  /** Events written to bronze by this run, and distinct events to silver. */
  events: number;
  silverEvents: number;
  quarantined: number;
  quarantinedByReason: Record<string, number>;
  bytesDownloaded: number;
  stages: Partial<Record<StageName, StageTiming>>;
  /** Stage failures that are not about one hour (gold, warehouse, upload, snowflake). */
  errors: { stage: StageName; code: string; message: string; hint?: string }[];
  elapsedMs: number;
  throughput: {
    /** Events per second over the overlapped download + transform phase. */
    eventsPerSec: number;
    /** Downloaded MB per second over the same phase. */
    downloadMBps: number;
  };
  gold?: Omit<GoldOutcome, 'silverWritten'> & { rebuilt: boolean };
  upload?: UploadOutcome;
  snowflake?: SnowflakeOutcome;
  topRepositories?: TopRepository[];
}

/** A run over `hours` before anything happened: what the runner fills in as stages report. */
export function emptyRunSummary(lake: string, hours: readonly HourKey[]): RunSummary {
  return {
    exitCode: 0,
    interrupted: false,
    lake,
    range: { from: hours[0] ?? null, to: hours[hours.length - 1] ?? null, hours: hours.length },
    hours: { done: [], upToDate: [], missing: [], damaged: [], failed: [], notStarted: [] },
    events: 0,
    silverEvents: 0,
    quarantined: 0,
    quarantinedByReason: {},
    bytesDownloaded: 0,
    stages: {},
    errors: [],
    elapsedMs: 0,
    throughput: { eventsPerSec: 0, downloadMBps: 0 },
  };
}
