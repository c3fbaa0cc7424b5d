import { col, type TableDecl } from './types.js';

/**
 * silver.organizations — grain: one row per organization id over everything processed so far.
 * Key: org_id. `description` is always NULL: no event carries an organization description.
 */
export const silverOrganizations = {
  layer: 'silver',
  name: 'organizations',
  grain: 'one row per organization id',
  key: ['org_id'],
  partitioning: 'none',
  columns: [
    col('org_id', 'BIGINT', false, '`org.id`'),
    col('org_login', 'VARCHAR', true, '`org.login`, most recent observation'),
    col('org_url', 'VARCHAR', true, '`org.url`'),
    col('avatar_url', 'VARCHAR', true, '`org.avatar_url`'),
    col('description', 'VARCHAR', true, 'always NULL: no GH Archive event carries an organization description'),
    col('first_seen_at', 'TIMESTAMP', false, 'min created_at of the events carrying the org'),
    col('last_seen_at', 'TIMESTAMP', false, 'max created_at of the events carrying the org'),
  ],
} as const satisfies TableDecl;
