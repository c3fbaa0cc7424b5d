export {
  consolidateSilver,
  stagedHours,
  STAGED_TABLES,
  type SilverConsolidationConfig,
  type SilverConsolidationResult,
  type SilverCommitResult,
} from './consolidate-silver.js';
export { DEDUP_METADATA_KEY, hourIndex, hourOfIndex, type DedupResult } from './event-dedup.js';
export type { EntityMergeResult } from './entity-merge.js';
export { rebuildSilver, type SilverRebuildResult } from './rebuild-silver.js';
