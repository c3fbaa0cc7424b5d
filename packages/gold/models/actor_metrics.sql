-- gold.actor_metrics
-- grain: one row per actor_id that appears in silver.events (events without an actor are not counted here)
-- key:   actor_id
-- Counts are over deduplicated silver events; distinct counts are exact (NULL ids not counted).
-- Attributes come from the consolidated silver.actors (NULL when the actor has no entity row).
-- Portable SQL: runs on DuckDB and Snowflake once its source()/quote() placeholders are rendered (src/models.ts).
WITH pairs AS (
  -- one row per (actor, repository): fixed-size aggregates that parallelise and spill, where a
  -- COUNT(DISTINCT repo_id) per actor would hold a hash set per actor
  SELECT
    actor_id,
    repo_id,
    COUNT(*) AS events,
    MIN(created_at) AS first_event,
    MAX(created_at) AS last_event,
    -- bool_or(is_bot), written portably: 1 if any event says bot, 0 if all say not, NULL if unknown
    MAX(CASE WHEN is_bot THEN 1 WHEN NOT is_bot THEN 0 END) AS any_bot
  FROM {{ source('silver', 'events') }}
  WHERE actor_id IS NOT NULL
  GROUP BY actor_id, repo_id
),
activity AS (
  SELECT
    actor_id,
    CAST(SUM(events) AS BIGINT) AS total_events,
    COUNT(repo_id) AS unique_repos,
    MIN(first_event) AS first_event,
    MAX(last_event) AS last_event,
    MAX(any_bot) AS any_bot
  FROM pairs
  GROUP BY actor_id
)
SELECT
  activity.actor_id,
  actors.actor_login,
  actors.actor_display_login,
  actors.actor_url,
  actors.actor_type,
  actors.actor_site_admin,
  actors.avatar_url,
  actors.gravatar_id,
  CASE activity.any_bot WHEN 1 THEN TRUE WHEN 0 THEN FALSE END AS is_bot,
  activity.total_events,
  activity.unique_repos,
  activity.first_event,
  activity.last_event
FROM activity
LEFT JOIN {{ source('silver', 'actors') }} AS actors ON actors.actor_id = activity.actor_id
