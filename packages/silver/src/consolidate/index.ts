export {
  consolidateSilver,
  silverSummary,
  silverHoursWritten,
  type SilverConsolidationConfig,
  type SilverConsolidationResult,
  type SilverCommitResult,
} from './consolidate-silver.js';
export { stagedHours, hasPublishedSilver, STAGED_TABLES } from './staged-hours.js';
export { DEDUP_METADATA_KEY, hourIndex, hourOfIndex, type DedupResult } from './event-dedup.js';
export type { EntityMergeResult } from './entity-merge.js';
export { rebuildSilver, type SilverRebuildResult } from './rebuild-silver.js';
