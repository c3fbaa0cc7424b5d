-- gold.org_metrics
-- grain: one row per org_id of the silver.events that carry an organization
-- key:   org_id
-- Counts are over deduplicated silver events; distinct counts are exact (COUNT(DISTINCT), NULLs not counted).
-- Attributes come from the consolidated silver.organizations; description is always NULL
-- (no GH Archive event carries an organization description).
-- Portable SQL: runs on DuckDB and Snowflake once its source()/quote() placeholders are rendered (src/models.ts).
WITH activity AS (
  SELECT
    org_id,
    COUNT(*) AS total_events,
    COUNT(DISTINCT actor_id) AS unique_actors,
    COUNT(DISTINCT repo_id) AS unique_repos,
    MIN(created_at) AS first_event,
    MAX(created_at) AS last_event
  FROM {{ source('silver', 'events') }}
  WHERE org_id IS NOT NULL
  GROUP BY org_id
)
SELECT
  activity.org_id,
  organizations.org_login,
  organizations.org_url,
  organizations.avatar_url,
  organizations.description,
  activity.total_events,
  activity.unique_actors,
  activity.unique_repos,
  activity.first_event,
  activity.last_event
FROM activity
LEFT JOIN {{ source('silver', 'organizations') }} AS organizations ON organizations.org_id = activity.org_id
