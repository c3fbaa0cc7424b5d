import { DAILY_EVENT_KIND_COLUMNS } from './daily-event-kinds.js';
import { col, type TableDecl } from './types.js';

/**
 * gold.repo_daily_metrics — grain: one row per repository and UTC day (of the event's
 * created_at) with at least one event on it. Key: (day, repo_id).
 */
export const goldRepoDailyMetrics = {
  layer: 'gold',
  name: 'repo_daily_metrics',
  grain: 'one row per repository id and UTC day with events',
  key: ['day', 'repo_id'],
  partitioning: 'none',
  columns: [
    col('repo_id', 'BIGINT', false, 'silver.events repo_id'),
    col('day', 'DATE', false, "the UTC day of the event's created_at"),
    ...DAILY_EVENT_KIND_COLUMNS,
    col('unique_actors', 'BIGINT', false, 'exact count of distinct actor_id that day'),
  ],
} as const satisfies TableDecl;
