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
    col('event_id', 'BIGINT', false, 'bronze event_id'),
    col('event_hash', 'VARCHAR', false, "bronze event_hash: hex SHA-256 of the event object's exact bytes in the line (of the first line holding the event)", {
      distinctValues: true,
    }),
    col('event_type', 'VARCHAR', false, 'bronze event_type'),
    col('created_at', 'TIMESTAMP', false, 'bronze created_at, UTC'),
    col('actor_id', 'BIGINT', true, 'bronze actor_id'),
    col('repo_id', 'BIGINT', true, 'bronze repo_id'),
    col('org_id', 'BIGINT', true, 'bronze org_id'),
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
