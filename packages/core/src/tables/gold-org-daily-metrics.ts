import { DAILY_EVENT_KIND_COLUMNS } from './daily-event-kinds.js';
import { col, type TableDecl } from './types.js';

/**
 * gold.org_daily_metrics — grain: one row per organization and UTC day (of the event's
 * created_at) with at least one event carrying the organization. Key: (day, org_id).
 */
export const goldOrgDailyMetrics = {
  layer: 'gold',
  name: 'org_daily_metrics',
  grain: 'one row per organization id and UTC day with events',
  key: ['day', 'org_id'],
  partitioning: 'none',
  columns: [
    col('org_id', 'BIGINT', false, 'silver.events org_id'),
    col('day', 'DATE', false, "the UTC day of the event's created_at"),
    ...DAILY_EVENT_KIND_COLUMNS,
    col('unique_actors', 'BIGINT', false, 'exact count of distinct actor_id that day'),
    col('unique_repos', 'BIGINT', false, 'exact count of distinct repo_id that day'),
  ],
} as const satisfies TableDecl;
