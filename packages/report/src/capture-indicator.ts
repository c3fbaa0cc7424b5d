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
 * Families are found from per-bucket aggregates (bucket = id ÷ ID_FAMILY_GAP), never by sorting an
 * hour's rows: two ids in one bucket are less than ID_FAMILY_GAP apart, so a gap that large can
 * only lie between the last id of one non-empty bucket and the first of the next.
 *
 * The estimator, per (source hour, family) of n events (ids are distinct within a family): keep
 * the ids from the 5th to the 95th percentile — DuckDB's quantile_disc, the ⌈0.05·n⌉-th and the
 * ⌈0.95·n⌉-th smallest — so stragglers (late or early events) do not stretch the span, then
 *     held     = ⌈0.95·n⌉ − ⌈0.05·n⌉ + 1          the ids kept
 *     consumed = id[95th pct] − id[5th pct] + 1    the ids the sequence used over that stretch
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
 * (1 = lowest ids), types (distinct types, commonest first), ids, held, consumed, capture (NULL
 * under MIN_FAMILY_IDS), first_id, last_id.
 */
export function captureIndicatorSql(window: SourceHourWindow): string {
  const low = TRIM_SHARE;
  const high = 1 - TRIM_SHARE;
  return `WITH ev AS (
  SELECT source_hour_ts AS source_hour, event_id, event_type
  FROM ${eventsInSourceHours(window, ['event_id', 'event_type'])}
),
buckets AS (
  SELECT source_hour, event_id // ${ID_FAMILY_GAP} AS bucket, min(event_id) AS lo, max(event_id) AS hi
  FROM ev GROUP BY ALL
),
families AS (
  -- a new family where the gap from the previous non-empty bucket's last id exceeds the family gap
  SELECT source_hour, bucket,
    CAST(sum(CASE WHEN prev_hi IS NULL OR lo - prev_hi > ${ID_FAMILY_GAP} THEN 1 ELSE 0 END)
      OVER (PARTITION BY source_hour ORDER BY bucket ROWS UNBOUNDED PRECEDING) AS BIGINT) AS family_rank
  FROM (SELECT *, lag(hi) OVER (PARTITION BY source_hour ORDER BY bucket) AS prev_hi FROM buckets)
),
tagged AS (
  SELECT ev.source_hour, families.family_rank, ev.event_id, ev.event_type
  FROM ev JOIN families ON families.source_hour = ev.source_hour AND families.bucket = ev.event_id // ${ID_FAMILY_GAP}
),
per_family AS (
  SELECT source_hour, family_rank, count(*) AS ids, min(event_id) AS first_id, max(event_id) AS last_id,
    quantile_disc(event_id, ${low}) AS first_kept, quantile_disc(event_id, ${high}) AS last_kept
  FROM tagged GROUP BY ALL
),
type_counts AS (
  SELECT source_hour, family_rank, event_type, count(*) AS events FROM tagged GROUP BY ALL
),
types AS (
  SELECT source_hour, family_rank,
    first(event_type ORDER BY events DESC, event_type) AS family,
    string_agg(event_type, ', ' ORDER BY events DESC, event_type) AS types
  FROM type_counts GROUP BY ALL
),
measured AS (
  SELECT per_family.*, CAST(ceil(${high} * ids) - ceil(${low} * ids) + 1 AS BIGINT) AS held, last_kept - first_kept + 1 AS consumed
  FROM per_family
)
SELECT
  measured.source_hour,
  types.family,
  measured.family_rank,
  types.types,
  measured.ids,
  measured.held,
  measured.consumed,
  CASE WHEN measured.ids >= ${MIN_FAMILY_IDS} THEN measured.held / measured.consumed END AS capture,
  measured.first_id,
  measured.last_id
FROM measured
JOIN types ON types.source_hour = measured.source_hour AND types.family_rank = measured.family_rank
ORDER BY measured.source_hour, measured.family_rank`;
}
