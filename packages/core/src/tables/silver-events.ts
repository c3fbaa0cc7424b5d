import { col, type TableDecl } from './types.js';

/**
 * silver.events — grain: one row per distinct event.
 * Key: (event_id, event_type, created_at) — ids alone are not unique since October 2025.
 * Partitioned by source hour; a duplicate across hours is kept in the earliest source hour.
 */
export const silverEvents = {
  layer: 'silver',
  name: 'events',
  grain: 'one row per distinct event',
  key: ['event_id', 'event_type', 'created_at'],
  partitioning: 'hour',
  columns: [
    col('event_id', 'BIGINT', false, 'bronze event_id (negative: synthetic, for Timeline events without an id)'),
    col('event_hash', 'VARCHAR', false, "bronze event_hash: hex SHA-256 of the event object's exact bytes in the line (of the first line holding the event)", {
      distinctValues: true,
    }),
    col('event_type', 'VARCHAR', false, 'bronze event_type'),
    col('created_at', 'TIMESTAMP', false, 'bronze created_at, UTC'),
    col(
      'actor_id',
      'BIGINT',
      true,
      'bronze actor_id; Timeline events: `actor_attributes.id`, else the id of a payload user object with the same login, else the id the lake knows for the login, else a synthetic negative id from the login (docs/transform.md, Timeline)',
    ),
    col(
      'actor_id_source',
      'VARCHAR',
      true,
      'where actor_id comes from: event (Events API `actor.id`), actor_attributes, resolved (within the hour), lake (the id the lake knows for the login, set at silver commit), synthetic; NULL without an actor',
    ),
    col('repo_id', 'BIGINT', true, 'bronze repo_id (Timeline: `repository.id`)'),
    col('org_id', 'BIGINT', true, 'bronze org_id; Timeline events: from the login `repository.organization`, resolved, lake or synthetic as actor_id'),
    col('org_id_source', 'VARCHAR', true, 'where org_id comes from: event (Events API `org.id`), resolved, lake, synthetic; NULL without an org'),
    col(
      'is_bot',
      'BOOLEAN',
      true,
      'actor login ends with [bot], or matches (^|[-_.])(bot|robot)$ or ^(bot|robot)[-_.], case-insensitive; NULL without an actor',
    ),
    col('public', 'BOOLEAN', true, 'bronze public'),
    col('hour_bucket', 'TIMESTAMP', false, 'created_at truncated to the UTC hour (from created_at, never from the file name)'),
    col('processed_at', 'TIMESTAMP', false, 'when the row was written, UTC'),
  ],
} as const satisfies TableDecl;
