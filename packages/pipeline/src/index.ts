export { main } from './cli.js';
export { COMMANDS } from './commands.js';
export { runPipeline, type RunConfig, type RunHooks } from './runner.js';
export { createRealStages, publishStaged, type RealStagesOptions } from './real-stages.js';
export { RUN_OPTIONS, EXAMPLE_HOUR, runConfigFromOptions, type RunOptions, type RunStageConfig } from './run-options.js';
export type { PipelineStages, DownloadedHour, TransformedHour, GoldOutcome, UploadOutcome, SnowflakeOutcome, TopRepository } from './stages.js';
export type { RunSummary, FailedHour, StageTiming } from './run-summary.js';
export type { RunEvent, RunEventListener, StageName } from './run-events.js';
// The manifest lives in core (every command that writes an hour records it); re-exported for existing callers.
export { readManifest, type Manifest, type HourRecord, type HourState, type HourAccounting } from '@ghlake/core';
// The lake lock lives in core (every writing command takes it); re-exported for existing callers.
export { acquireLakeLock, currentLockHolder, describeHolder, withLakeLock, type LakeLock, type LockHolder } from '@ghlake/core';
export { lakeStatus, type LakeStatus, type HourStatus } from './lake-status.js';
export { runCommand } from './run-command.js';
export { statusCommand } from './status-command.js';
