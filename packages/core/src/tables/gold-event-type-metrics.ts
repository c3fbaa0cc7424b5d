import { col, type TableDecl } from './types.js';

/** gold.event_type_metrics — grain: one row per event_type. Key: event_type. */
export const goldEventTypeMetrics = {
  layer: 'gold',
  name: 'event_type_metrics',
  grain: 'one row per event type',
  key: ['event_type'],
  partitioning: 'none',
  columns: [
    col('event_type', 'VARCHAR', false, 'silver.events event_type'),
    col('event_count', 'BIGINT', false, 'count of silver events of this type'),
    col('unique_actors', 'BIGINT', false, 'exact count of distinct actor_id'),
    col('unique_repos', 'BIGINT', false, 'exact count of distinct repo_id'),
    col('event_share', 'DOUBLE', false, 'event_count / count of all silver events'),
  ],
} as const satisfies TableDecl;
