-- gold.daily_summary
-- grain: one row per UTC hour (hour_bucket = the event's created_at truncated to the hour,
--        not the source file's hour) with at least one silver event
-- key:   hour_bucket
-- Counts are over deduplicated silver events; distinct counts are exact (COUNT(DISTINCT), NULLs not counted).
-- "day" is a keyword in DuckDB: it is written through quote() so each dialect gets the right identifier.
-- Portable SQL: runs on DuckDB and Snowflake once its source()/quote() placeholders are rendered (src/models.ts).
SELECT
  hour_bucket,
  CAST(hour_bucket AS DATE) AS {{ quote('day') }},
  COUNT(*) AS total_events,
  COUNT(DISTINCT actor_id) AS unique_actors,
  COUNT(DISTINCT repo_id) AS unique_repos
FROM {{ source('silver', 'events') }}
GROUP BY hour_bucket
