-- gold.daily_summary
-- grain: one row per UTC hour (hour_bucket = the event's created_at truncated to the hour,
--        not the source file's hour) with at least one silver event
-- key:   hour_bucket
-- Counts are over deduplicated silver events; distinct counts are exact (NULL ids not counted).
-- Few groups with large distinct sets: distinct (hour, id) pairs are computed first and then
-- counted, which parallelises and spills better than COUNT(DISTINCT) per group on both engines.
-- "day" is a keyword in DuckDB: it is written through quote() so each dialect gets the right identifier.
-- Portable SQL: runs on DuckDB and Snowflake once its source()/quote() placeholders are rendered (src/models.ts).
WITH events AS (
  SELECT hour_bucket, actor_id, repo_id FROM {{ source('silver', 'events') }}
),
per_hour AS (
  SELECT hour_bucket, COUNT(*) AS total_events FROM events GROUP BY hour_bucket
),
actors AS (
  SELECT hour_bucket, COUNT(*) AS unique_actors
  FROM (SELECT DISTINCT hour_bucket, actor_id FROM events WHERE actor_id IS NOT NULL) AS pairs
  GROUP BY hour_bucket
),
repos AS (
  SELECT hour_bucket, COUNT(*) AS unique_repos
  FROM (SELECT DISTINCT hour_bucket, repo_id FROM events WHERE repo_id IS NOT NULL) AS pairs
  GROUP BY hour_bucket
)
SELECT
  per_hour.hour_bucket,
  CAST(per_hour.hour_bucket AS DATE) AS {{ quote('day') }},
  per_hour.total_events,
  COALESCE(actors.unique_actors, 0) AS unique_actors,
  COALESCE(repos.unique_repos, 0) AS unique_repos
FROM per_hour
LEFT JOIN actors ON actors.hour_bucket = per_hour.hour_bucket
LEFT JOIN repos ON repos.hour_bucket = per_hour.hour_bucket
