import { DAILY_EVENT_KIND_COLUMNS } from './daily-event-kinds.js';
import { col, type TableDecl } from './types.js';

/**
 * gold.actor_daily_metrics — grain: one row per actor and UTC day (of the event's created_at)
 * with at least one event by the actor. Key: (day, actor_id).
 */
export const goldActorDailyMetrics = {
  layer: 'gold',
  name: 'actor_daily_metrics',
  grain: 'one row per actor id and UTC day with events',
  key: ['day', 'actor_id'],
  partitioning: 'none',
  columns: [
    col('actor_id', 'BIGINT', false, 'silver.events actor_id'),
    col('day', 'DATE', false, "the UTC day of the event's created_at"),
    ...DAILY_EVENT_KIND_COLUMNS,
    col('unique_repos', 'BIGINT', false, 'exact count of distinct repo_id that day'),
  ],
} as const satisfies TableDecl;
