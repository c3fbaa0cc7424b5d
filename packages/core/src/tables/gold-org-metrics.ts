import { col, type TableDecl } from './types.js';

/** gold.org_metrics — grain: one row per org_id of events that carry an org. Key: org_id. */
export const goldOrgMetrics = {
  layer: 'gold',
  name: 'org_metrics',
  grain: 'one row per organization id with events',
  key: ['org_id'],
  partitioning: 'none',
  columns: [
    col('org_id', 'BIGINT', false, 'silver.events org_id'),
    col('org_login', 'VARCHAR', true, 'silver.organizations'),
    col('org_url', 'VARCHAR', true, 'silver.organizations'),
    col('avatar_url', 'VARCHAR', true, 'silver.organizations'),
    col('description', 'VARCHAR', true, 'silver.organizations (always NULL)'),
    col('total_events', 'BIGINT', false, 'count of silver events carrying this org'),
    col('unique_actors', 'BIGINT', false, 'exact count of distinct actor_id'),
    col('unique_repos', 'BIGINT', false, 'exact count of distinct repo_id'),
    col('first_event', 'TIMESTAMP', false, 'min created_at'),
    col('last_event', 'TIMESTAMP', false, 'max created_at'),
  ],
} as const satisfies TableDecl;
