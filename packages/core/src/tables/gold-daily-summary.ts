import { col, type TableDecl } from './types.js';

/** gold.daily_summary — grain: one row per hour_bucket. Key: hour_bucket. */
export const goldDailySummary = {
  layer: 'gold',
  name: 'daily_summary',
  grain: 'one row per UTC hour (hour_bucket)',
  key: ['hour_bucket'],
  partitioning: 'none',
  columns: [
    col('hour_bucket', 'TIMESTAMP', false, 'silver.events hour_bucket'),
    col('day', 'DATE', false, 'the UTC day of hour_bucket, for grouping'),
    col('total_events', 'BIGINT', false, 'count of silver events in the hour'),
    col('unique_actors', 'BIGINT', false, 'exact count of distinct actor_id'),
    col('unique_repos', 'BIGINT', false, 'exact count of distinct repo_id'),
  ],
} as const satisfies TableDecl;
