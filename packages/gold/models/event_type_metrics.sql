-- gold.event_type_metrics
-- grain: one row per event_type in silver.events
-- key:   event_type
-- Counts are over deduplicated silver events; distinct counts are exact (COUNT(DISTINCT), NULLs not counted).
-- event_share = event_count / all silver events (the shares sum to 1).
-- Portable SQL: runs on DuckDB and Snowflake once its source()/quote() placeholders are rendered (src/models.ts).
SELECT
  event_type,
  COUNT(*) AS event_count,
  COUNT(DISTINCT actor_id) AS unique_actors,
  COUNT(DISTINCT repo_id) AS unique_repos,
  CAST(COUNT(*) AS DOUBLE) / SUM(COUNT(*)) OVER () AS event_share
FROM {{ source('silver', 'events') }}
GROUP BY event_type
