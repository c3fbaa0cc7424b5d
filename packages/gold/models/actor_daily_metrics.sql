-- gold.actor_daily_metrics
-- grain: one row per (actor_id, UTC day of created_at) with at least one silver event by the actor that day
-- key:   day, actor_id
-- (day first: the file is written sorted by its key, and reports read a range of days)
-- Counts are over deduplicated silver events; unique_repos is exact (NULL ids not counted).
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
    e.repo_id,
    e.actor_id,
    CAST(e.created_at AS DATE) AS event_day,
    e.event_type,
    d.payload_action AS action,
    d.payload_pull_request_merged AS merged
  FROM {{ source('silver', 'events') }} AS e
  LEFT JOIN details AS d ON d.event_id = e.event_id AND d.event_type = e.event_type AND d.created_at = e.created_at
  WHERE e.actor_id IS NOT NULL
),
kinds AS (
  -- one row per (actor, day, repository): fixed-size aggregates that parallelise and spill, where a
  -- COUNT(DISTINCT repo_id) per actor and day would hold a hash set per group
  SELECT
    actor_id,
    event_day,
    repo_id,
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
  GROUP BY actor_id, event_day, repo_id
)
SELECT
  actor_id,
  event_day AS {{ quote('day') }},
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
  COUNT(repo_id) AS unique_repos
FROM kinds
GROUP BY actor_id, event_day
