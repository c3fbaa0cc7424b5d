/**
 * The capture indicator: how many of the event ids GitHub consumed in an hour GH Archive holds,
 * per id family. It is comparable across hours (a sudden drop flags a capture problem, as in
 * igrigorik/gharchive.org #310 and #320) but it is NOT absolute completeness: private activity
 * consumes ids too, so even a perfect capture holds only a share of them. docs/report.md has the
 * definition, its rationale and the figures measured on real hours.
 *
 * Id families. Until October 2025 every event type drew its id from one sequence; since then
 * types draw from several sequences far apart (6.7e9 in December 2025; 10.1e9 for WatchEvent and
 * ForkEvent and 12.7e9 for PushEvent, CreateEvent and DeleteEvent in June 2026), so ids alone are
 * not unique. A family is found in the data, not from a list of types: within a source hour, sort
 * the distinct ids; a gap of more than ID_FAMILY_GAP between neighbours starts a new family. An
 * hour's ids span a few million at most (a 2024 hour consumes about 1e6 ids; late events filed up
 * to 6 hours later widen that a few times), while families lie billions apart.
 *
 * The estimator, per (source hour, family) of n distinct ids: drop the floor(5% of n) lowest and
 * the floor(5% of n) highest ids (stragglers — late or early events — would otherwise stretch the
 * span), then
 *     held     = n − 2·floor(0.05·n)          the ids kept
 *     consumed = id[last kept] − id[first kept] + 1   the ids the sequence used over that stretch
 *     capture  = held / consumed
 * A family with fewer than MIN_FAMILY_IDS ids gets no capture value (its span says nothing).
 * Families are named by their most frequent event type (ties: the first by name).
 */
import { eventsInSourceHours, type SourceHourWindow } from './source-hours.js';

export const ID_FAMILY_GAP = 100_000_000;
export const TRIM_SHARE = 0.05;
export const MIN_FAMILY_IDS = 100;

/**
 * One row per (source hour, family): source_hour, family (most frequent type), family_rank
 * (1 = lowest ids), types (distinct types, comma-separated by count), ids, held, consumed, capture
 * (NULL under MIN_FAMILY_IDS), first_id, last_id.
 */
export function captureIndicatorSql(window: SourceHourWindow): string {
  return `WITH ids AS (
  SELECT DISTINCT source_hour_ts AS source_hour, event_id, event_type
  FROM ${eventsInSourceHours(window, ['event_id', 'event_type'])}
),
gaps AS (
  SELECT *, event_id - lag(event_id) OVER (PARTITION BY source_hour ORDER BY event_id, event_type) AS gap FROM ids
),
families AS (
  SELECT *,
    CAST(sum(CASE WHEN gap IS NULL OR gap > ${ID_FAMILY_GAP} THEN 1 ELSE 0 END)
      OVER (PARTITION BY source_hour ORDER BY event_id, event_type ROWS UNBOUNDED PRECEDING) AS BIGINT) AS family_rank
  FROM gaps
),
ranked AS (
  SELECT *,
    row_number() OVER (PARTITION BY source_hour, family_rank ORDER BY event_id, event_type) AS r,
    count(*) OVER (PARTITION BY source_hour, family_rank) AS n
  FROM families
),
kept AS (
  SELECT source_hour, family_rank, n AS ids, count(*) AS held, min(event_id) AS first_kept, max(event_id) AS last_kept
  FROM ranked
  WHERE r > floor(${TRIM_SHARE} * n) AND r <= n - floor(${TRIM_SHARE} * n)
  GROUP BY source_hour, family_rank, n
),
type_counts AS (
  SELECT source_hour, family_rank, event_type, count(*) AS events FROM families GROUP BY ALL
),
types AS (
  SELECT source_hour, family_rank,
    first(event_type ORDER BY events DESC, event_type) AS family,
    string_agg(event_type, ', ' ORDER BY events DESC, event_type) AS types
  FROM type_counts
  GROUP BY ALL
),
span AS (
  SELECT source_hour, family_rank, min(event_id) AS first_id, max(event_id) AS last_id FROM families GROUP BY ALL
)
SELECT
  kept.source_hour,
  types.family,
  kept.family_rank,
  types.types,
  kept.ids,
  kept.held,
  kept.last_kept - kept.first_kept + 1 AS consumed,
  CASE WHEN kept.ids >= ${MIN_FAMILY_IDS} THEN kept.held / (kept.last_kept - kept.first_kept + 1) END AS capture,
  span.first_id,
  span.last_id
FROM kept
JOIN types USING (source_hour, family_rank)
JOIN span USING (source_hour, family_rank)
ORDER BY kept.source_hour, kept.family_rank`;
}
