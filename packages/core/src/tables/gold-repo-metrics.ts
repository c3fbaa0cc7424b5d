import { col, type TableDecl } from './types.js';

/** gold.repo_metrics — grain: one row per repo_id in silver.events. Key: repo_id. */
export const goldRepoMetrics = {
  layer: 'gold',
  name: 'repo_metrics',
  grain: 'one row per repository id with events',
  key: ['repo_id'],
  partitioning: 'none',
  columns: [
    col('repo_id', 'BIGINT', false, 'silver.events repo_id'),
    col('repo_name', 'VARCHAR', true, 'silver.repositories'),
    col('repo_url', 'VARCHAR', true, 'silver.repositories'),
    col('owner_id', 'BIGINT', true, 'silver.repositories'),
    col('owner_login', 'VARCHAR', true, 'silver.repositories'),
    col('is_fork', 'BOOLEAN', true, 'silver.repositories'),
    col('language', 'VARCHAR', true, 'silver.repositories'),
    col('created_at', 'TIMESTAMP', true, 'silver.repositories'),
    col('updated_at', 'TIMESTAMP', true, 'silver.repositories'),
    col('stars_count', 'BIGINT', true, 'silver.repositories'),
    col('forks_count', 'BIGINT', true, 'silver.repositories'),
    col('issues_count', 'BIGINT', true, 'silver.repositories'),
    col('watchers_count', 'BIGINT', true, 'silver.repositories'),
    col('size', 'BIGINT', true, 'silver.repositories'),
    col('total_events', 'BIGINT', false, 'count of silver events on this repository'),
    col('unique_actors', 'BIGINT', false, 'exact count of distinct actor_id'),
    col('first_event', 'TIMESTAMP', false, 'min created_at'),
    col('last_event', 'TIMESTAMP', false, 'max created_at'),
  ],
} as const satisfies TableDecl;
