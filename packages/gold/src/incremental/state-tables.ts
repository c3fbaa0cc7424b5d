/**
 * What gold keeps in the lake's state database so that an hour's changes are merged, not the
 * lake recounted. Every gold metric is one of three kinds:
 *
 *   counts (total_events, event_count)      added and subtracted with the change log's ±1 rows;
 *   exact distinct counts (unique_*)        from PAIR tables — one row per (group, other id) with
 *                                           its event count. A pair going from 0 to >0 events adds
 *                                           one to the group's distinct count, >0 to 0 subtracts
 *                                           one: exact, in both directions (the pattern of OSS
 *                                           Insight's participant tables);
 *   first/last event, is_bot (min/max/or)   merged with added rows; a removed row that held the
 *                                           extreme makes that one group be recounted from silver
 *                                           (rare: a redone hour that lost events).
 *
 * daily_summary is recounted per hour bucket the changes touch, from the event-copy index (a
 * bucket's copies are few and found by zone maps).
 */
import { STATE_META, type StateTable } from '@ghlake/core/duckdb';

/** A pair table: one row per (a, b), both non-NULL, with the events they share. */
export interface PairTable extends StateTable {
  a: string;
  b: string;
}

const pair = (name: string, a: string, aType: string, b: string): PairTable => ({
  name,
  a,
  b,
  columns: `${a} ${aType} NOT NULL, ${b} BIGINT NOT NULL, events BIGINT NOT NULL`,
});

export const PAIRS = {
  actorRepo: pair('gold_pairs_actor_repo', 'actor_id', 'BIGINT', 'repo_id'),
  orgActor: pair('gold_pairs_org_actor', 'org_id', 'BIGINT', 'actor_id'),
  orgRepo: pair('gold_pairs_org_repo', 'org_id', 'BIGINT', 'repo_id'),
  typeActor: pair('gold_pairs_type_actor', 'event_type', 'VARCHAR', 'actor_id'),
  typeRepo: pair('gold_pairs_type_repo', 'event_type', 'VARCHAR', 'repo_id'),
} as const;

/** Per-group metrics (the numeric part of each gold table; attributes come from silver's entities). */
export const GOLD_ACTOR: StateTable = {
  name: 'gold_actor',
  columns: 'actor_id BIGINT NOT NULL, total_events BIGINT NOT NULL, unique_repos BIGINT NOT NULL, first_event TIMESTAMP, last_event TIMESTAMP, any_bot INTEGER',
};
export const GOLD_REPO: StateTable = {
  name: 'gold_repo',
  columns: 'repo_id BIGINT NOT NULL, total_events BIGINT NOT NULL, unique_actors BIGINT NOT NULL, first_event TIMESTAMP, last_event TIMESTAMP',
};
export const GOLD_ORG: StateTable = {
  name: 'gold_org',
  columns:
    'org_id BIGINT NOT NULL, total_events BIGINT NOT NULL, unique_actors BIGINT NOT NULL, unique_repos BIGINT NOT NULL, first_event TIMESTAMP, last_event TIMESTAMP',
};
export const GOLD_TYPE: StateTable = {
  name: 'gold_type',
  columns: 'event_type VARCHAR NOT NULL, event_count BIGINT NOT NULL, unique_actors BIGINT NOT NULL, unique_repos BIGINT NOT NULL',
};
export const GOLD_DAILY: StateTable = {
  name: 'gold_daily',
  columns: 'hour_bucket TIMESTAMP NOT NULL, total_events BIGINT NOT NULL, unique_actors BIGINT NOT NULL, unique_repos BIGINT NOT NULL',
};

export const GOLD_STATE_TABLES: readonly StateTable[] = [STATE_META, ...Object.values(PAIRS), GOLD_ACTOR, GOLD_REPO, GOLD_ORG, GOLD_TYPE, GOLD_DAILY];

/** `state_meta` keys: the silver commit gold has applied (−1: gold must be rebuilt), and gold's own commit counter. */
export const GOLD_HEAD = 'gold.head';
export const GOLD_COMMIT = 'gold.commit';
