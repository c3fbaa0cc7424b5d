import { col, type ColumnDecl } from './types.js';

/**
 * The event-kind counts shared by the three day-grain gold tables (repo_, actor_ and
 * org_daily_metrics), declared once. Each model computes them with the same CASE lines
 * (packages/gold/test/daily-models.test.ts checks that the three agree).
 */
export const DAILY_EVENT_KIND_COLUMNS: readonly ColumnDecl[] = [
  col('total_events', 'BIGINT', false, 'count of silver events'),
  col('stars', 'BIGINT', false, 'WatchEvents (GitHub sends one when a repository is starred)'),
  col('forks', 'BIGINT', false, 'ForkEvents'),
  col('pushes', 'BIGINT', false, 'PushEvents'),
  col('pull_requests_opened', 'BIGINT', false, "PullRequestEvents with payload_action 'opened'"),
  col('pull_requests_closed', 'BIGINT', false, "PullRequestEvents with payload_action 'closed' (merged or not: a merge closes the pull request)"),
  col(
    'pull_requests_merged',
    'BIGINT',
    true,
    "PullRequestEvents with payload_action 'closed' and payload_pull_request_merged true; NULL when any closed one of the row has no merged flag (payloads trimmed since October 2025): unknown, never 0",
  ),
  col('issues_opened', 'BIGINT', false, "IssuesEvents with payload_action 'opened'"),
  col('issues_closed', 'BIGINT', false, "IssuesEvents with payload_action 'closed'"),
  col('comments', 'BIGINT', false, 'IssueCommentEvents + PullRequestReviewCommentEvents + CommitCommentEvents'),
  col('releases', 'BIGINT', false, 'ReleaseEvents'),
];
