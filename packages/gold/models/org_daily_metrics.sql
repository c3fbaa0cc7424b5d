-- gold.org_daily_metrics
-- grain: one row per (org_id, UTC day of created_at) with at least one silver event carrying the organization that day
-- key:   day, org_id
-- (day first: the file is written sorted by its key, and reports read a range of days)
-- Counts are over deduplicated silver events; unique_actors and unique_repos are exact (NULL ids not counted).
-- Event kinds (columns declared once in core's daily-event-kinds.ts; the `kinds` lines are the same in
-- repo_, actor_ and org_daily_metrics): stars = WatchEvent, forks = ForkEvent, pushes = PushEvent,
-- pull requests and issues opened / closed by payload_action (a merge is a close), merged = closed with
-- payload_pull_request_merged true — NULL when a closed one has no merged flag (payloads trimmed since
-- October 2025: unknown, never 0), comments = issue, review and commit comments, releases = ReleaseEvent.
-- "day" is a keyword in DuckDB: it is written through quote() so each dialect gets the right identifier.
-- Portable SQL: runs on DuckDB and Snowflake once its source()/quote() placeholders are rendered (src/models.ts).
WITH details AS (
  -- only the types whose counts need the payload: a small build side for the join
  SELECT event_id, event_type, created_at, payload_action, payload_pull_request_merged
  FROM {{ source('silver', 'payload_details') }}
  WHERE event_type IN ('PullRequestEvent', 'IssuesEvent')
),
events AS (
  SELECT
    e.org_id,
    e.repo_id,
    e.actor_id,
    CAST(e.created_at AS DATE) AS event_day,
    e.event_type,
    d.payload_action AS action,
    d.payload_pull_request_merged AS merged
  FROM {{ source('silver', 'events') }} AS e
  LEFT JOIN details AS d ON d.event_id = e.event_id AND d.event_type = e.event_type AND d.created_at = e.created_at
  WHERE e.org_id IS NOT NULL
),
kinds AS (
  -- one row per (organization, day, actor): fixed-size aggregates that parallelise and spill, where a
  -- COUNT(DISTINCT actor_id) per organization and day would hold a hash set per group
  SELECT
    org_id,
    event_day,
    actor_id,
    COUNT(*) AS total_events,
    SUM(CASE WHEN event_type = 'WatchEvent' THEN 1 ELSE 0 END) AS stars,
    SUM(CASE WHEN event_type = 'ForkEvent' THEN 1 ELSE 0 END) AS forks,
    SUM(CASE WHEN event_type = 'PushEvent' THEN 1 ELSE 0 END) AS pushes,
    SUM(CASE WHEN event_type = 'PullRequestEvent' AND action = 'opened' THEN 1 ELSE 0 END) AS pull_requests_opened,
    SUM(CASE WHEN event_type = 'PullRequestEvent' AND action = 'closed' THEN 1 ELSE 0 END) AS pull_requests_closed,
    SUM(CASE WHEN event_type = 'PullRequestEvent' AND action = 'closed' AND merged = TRUE THEN 1 ELSE 0 END) AS pull_requests_merged,
    SUM(CASE WHEN event_type = 'PullRequestEvent' AND action = 'closed' AND merged IS NULL THEN 1 ELSE 0 END) AS merged_unknown,
    SUM(CASE WHEN event_type = 'IssuesEvent' AND action = 'opened' THEN 1 ELSE 0 END) AS issues_opened,
    SUM(CASE WHEN event_type = 'IssuesEvent' AND action = 'closed' THEN 1 ELSE 0 END) AS issues_closed,
    SUM(CASE WHEN event_type IN ('IssueCommentEvent', 'PullRequestReviewCommentEvent', 'CommitCommentEvent') THEN 1 ELSE 0 END) AS comments,
    SUM(CASE WHEN event_type = 'ReleaseEvent' THEN 1 ELSE 0 END) AS releases
  FROM events
  GROUP BY org_id, event_day, actor_id
),
repos AS (
  -- distinct (organization, day, repository) pairs, then counted
  SELECT org_id, event_day, COUNT(*) AS unique_repos
  FROM (SELECT DISTINCT org_id, event_day, repo_id FROM events WHERE repo_id IS NOT NULL) AS pairs
  GROUP BY org_id, event_day
),
per_day AS (
  SELECT
    org_id,
    event_day,
    CAST(SUM(total_events) AS BIGINT) AS total_events,
    CAST(SUM(stars) AS BIGINT) AS stars,
    CAST(SUM(forks) AS BIGINT) AS forks,
    CAST(SUM(pushes) AS BIGINT) AS pushes,
    CAST(SUM(pull_requests_opened) AS BIGINT) AS pull_requests_opened,
    CAST(SUM(pull_requests_closed) AS BIGINT) AS pull_requests_closed,
    CASE WHEN SUM(merged_unknown) > 0 THEN NULL ELSE CAST(SUM(pull_requests_merged) AS BIGINT) END AS pull_requests_merged,
    CAST(SUM(issues_opened) AS BIGINT) AS issues_opened,
    CAST(SUM(issues_closed) AS BIGINT) AS issues_closed,
    CAST(SUM(comments) AS BIGINT) AS comments,
    CAST(SUM(releases) AS BIGINT) AS releases,
    COUNT(actor_id) AS unique_actors
  FROM kinds
  GROUP BY org_id, event_day
)
SELECT
  per_day.org_id,
  per_day.event_day AS {{ quote('day') }},
  per_day.total_events,
  per_day.stars,
  per_day.forks,
  per_day.pushes,
  per_day.pull_requests_opened,
  per_day.pull_requests_closed,
  per_day.pull_requests_merged,
  per_day.issues_opened,
  per_day.issues_closed,
  per_day.comments,
  per_day.releases,
  per_day.unique_actors,
  COALESCE(repos.unique_repos, 0) AS unique_repos
FROM per_day
LEFT JOIN repos ON repos.org_id = per_day.org_id AND repos.event_day = per_day.event_day
