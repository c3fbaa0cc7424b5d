-- gold.event_type_metrics
-- grain: one row per event_type in silver.events
-- key:   event_type
-- Counts are over deduplicated silver events; distinct counts are exact (NULL ids not counted).
-- event_share = event_count / all silver events (the shares sum to 1).
-- Few groups with huge distinct sets: distinct (type, id) pairs are computed first and then
-- counted, which parallelises and spills better than COUNT(DISTINCT) per group on both engines.
-- Portable SQL: runs on DuckDB and Snowflake once its source()/quote() placeholders are rendered (src/models.ts).
WITH events AS (
  SELECT event_type, actor_id, repo_id FROM {{ source('silver', 'events') }}
),
per_type AS (
  SELECT event_type, COUNT(*) AS event_count FROM events GROUP BY event_type
),
actors AS (
  SELECT event_type, COUNT(*) AS unique_actors
  FROM (SELECT DISTINCT event_type, actor_id FROM events WHERE actor_id IS NOT NULL) AS pairs
  GROUP BY event_type
),
repos AS (
  SELECT event_type, COUNT(*) AS unique_repos
  FROM (SELECT DISTINCT event_type, repo_id FROM events WHERE repo_id IS NOT NULL) AS pairs
  GROUP BY event_type
)
SELECT
  per_type.event_type,
  per_type.event_count,
  COALESCE(actors.unique_actors, 0) AS unique_actors,
  COALESCE(repos.unique_repos, 0) AS unique_repos,
  CAST(per_type.event_count AS DOUBLE) / SUM(per_type.event_count) OVER () AS event_share
FROM per_type
LEFT JOIN actors ON actors.event_type = per_type.event_type
LEFT JOIN repos ON repos.event_type = per_type.event_type
