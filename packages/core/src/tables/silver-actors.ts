import { col, type TableDecl } from './types.js';

/**
 * silver.actors — grain: one row per actor id over everything processed so far.
 * Key: actor_id. Consolidated (not partitioned) from per-hour observations by packages/gold.
 */
export const silverActors = {
  layer: 'silver',
  name: 'actors',
  grain: 'one row per actor id',
  key: ['actor_id'],
  partitioning: 'none',
  columns: [
    col('actor_id', 'BIGINT', false, '`actor.id`'),
    col('actor_login', 'VARCHAR', true, '`actor.login`, most recent observation'),
    col('actor_display_login', 'VARCHAR', true, '`actor.display_login`, most recent observation that has it'),
    col('actor_url', 'VARCHAR', true, '`actor.url`'),
    col('actor_type', 'VARCHAR', true, "`type` of a payload user object with the actor's id (User, Bot, Organization); NULL if none seen"),
    col('actor_site_admin', 'BOOLEAN', true, "`site_admin` of a payload user object with the actor's id; NULL if none seen"),
    col('avatar_url', 'VARCHAR', true, '`actor.avatar_url`'),
    col('gravatar_id', 'VARCHAR', true, '`actor.gravatar_id`'),
    col('first_seen_at', 'TIMESTAMP', false, 'min created_at of the events the actor appears in as actor'),
    col('last_seen_at', 'TIMESTAMP', false, 'max created_at of the events the actor appears in as actor'),
  ],
} as const satisfies TableDecl;
