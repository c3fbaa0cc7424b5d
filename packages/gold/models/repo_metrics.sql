-- gold.repo_metrics
-- grain: one row per repo_id that appears in silver.events (events without a repository are not counted here)
-- key:   repo_id
-- Counts are over deduplicated silver events; distinct counts are exact (NULL ids not counted).
-- Attributes come from the consolidated silver.repositories (NULL when never observed).
-- Portable SQL: runs on DuckDB and Snowflake once its source()/quote() placeholders are rendered (src/models.ts).
WITH pairs AS (
  -- one row per (repository, actor): fixed-size aggregates that parallelise and spill, where a
  -- COUNT(DISTINCT actor_id) per repository would hold a hash set per repository
  SELECT
    repo_id,
    actor_id,
    COUNT(*) AS events,
    MIN(created_at) AS first_event,
    MAX(created_at) AS last_event
  FROM {{ source('silver', 'events') }}
  WHERE repo_id IS NOT NULL
  GROUP BY repo_id, actor_id
),
activity AS (
  SELECT
    repo_id,
    CAST(SUM(events) AS BIGINT) AS total_events,
    COUNT(actor_id) AS unique_actors,
    MIN(first_event) AS first_event,
    MAX(last_event) AS last_event
  FROM pairs
  GROUP BY repo_id
)
SELECT
  activity.repo_id,
  repositories.repo_name,
  repositories.repo_url,
  repositories.owner_id,
  repositories.owner_login,
  repositories.is_fork,
  repositories.language,
  repositories.created_at,
  repositories.updated_at,
  repositories.stars_count,
  repositories.forks_count,
  repositories.issues_count,
  repositories.watchers_count,
  repositories.size,
  activity.total_events,
  activity.unique_actors,
  activity.first_event,
  activity.last_event
FROM activity
LEFT JOIN {{ source('silver', 'repositories') }} AS repositories ON repositories.repo_id = activity.repo_id
