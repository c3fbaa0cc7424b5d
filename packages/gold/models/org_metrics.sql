-- gold.org_metrics
-- grain: one row per org_id of the silver.events that carry an organization
-- key:   org_id
-- Counts are over deduplicated silver events; distinct counts are exact (NULL ids not counted).
-- Attributes come from the consolidated silver.organizations; description is always NULL
-- (no GH Archive event carries an organization description).
-- Portable SQL: runs on DuckDB and Snowflake once its source()/quote() placeholders are rendered (src/models.ts).
WITH events AS (
  SELECT org_id, actor_id, repo_id, created_at FROM {{ source('silver', 'events') }} WHERE org_id IS NOT NULL
),
per_org AS (
  SELECT org_id, COUNT(*) AS total_events, MIN(created_at) AS first_event, MAX(created_at) AS last_event
  FROM events GROUP BY org_id
),
-- distinct (org, id) pairs first, then counted: spills and parallelises, unlike COUNT(DISTINCT) per org
actors AS (
  SELECT org_id, COUNT(*) AS unique_actors
  FROM (SELECT DISTINCT org_id, actor_id FROM events WHERE actor_id IS NOT NULL) AS pairs
  GROUP BY org_id
),
repos AS (
  SELECT org_id, COUNT(*) AS unique_repos
  FROM (SELECT DISTINCT org_id, repo_id FROM events WHERE repo_id IS NOT NULL) AS pairs
  GROUP BY org_id
),
activity AS (
  SELECT
    per_org.org_id,
    per_org.total_events,
    COALESCE(actors.unique_actors, 0) AS unique_actors,
    COALESCE(repos.unique_repos, 0) AS unique_repos,
    per_org.first_event,
    per_org.last_event
  FROM per_org
  LEFT JOIN actors ON actors.org_id = per_org.org_id
  LEFT JOIN repos ON repos.org_id = per_org.org_id
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
