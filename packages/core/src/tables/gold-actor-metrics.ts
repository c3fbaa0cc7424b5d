import { col, type TableDecl } from './types.js';

/** gold.actor_metrics — grain: one row per actor_id in silver.events. Key: actor_id. */
export const goldActorMetrics = {
  layer: 'gold',
  name: 'actor_metrics',
  grain: 'one row per actor id with events',
  key: ['actor_id'],
  partitioning: 'none',
  columns: [
    col('actor_id', 'BIGINT', false, 'silver.events actor_id'),
    col('actor_login', 'VARCHAR', true, 'silver.actors'),
    col('actor_display_login', 'VARCHAR', true, 'silver.actors'),
    col('actor_url', 'VARCHAR', true, 'silver.actors'),
    col('actor_type', 'VARCHAR', true, 'silver.actors'),
    col('actor_site_admin', 'BOOLEAN', true, 'silver.actors'),
    col('avatar_url', 'VARCHAR', true, 'silver.actors'),
    col('gravatar_id', 'VARCHAR', true, 'silver.actors'),
    col('is_bot', 'BOOLEAN', true, 'bool_or(silver.events.is_bot)'),
    col('total_events', 'BIGINT', false, 'count of silver events with this actor'),
    col('unique_repos', 'BIGINT', false, 'exact count of distinct repo_id'),
    col('first_event', 'TIMESTAMP', false, 'min created_at'),
    col('last_event', 'TIMESTAMP', false, 'max created_at'),
  ],
} as const satisfies TableDecl;
