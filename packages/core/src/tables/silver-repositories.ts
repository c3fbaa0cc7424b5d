import { col, type TableDecl } from './types.js';

/**
 * silver.repositories — grain: one row per repository id over everything processed so far.
 * Key: repo_id. `repo` carries only id/name/url; the rest comes from payload repository
 * objects with the same id (pull_request.base.repo / head.repo, forkee, payload.repository).
 */
export const silverRepositories = {
  layer: 'silver',
  name: 'repositories',
  grain: 'one row per repository id',
  key: ['repo_id'],
  partitioning: 'none',
  columns: [
    col('repo_id', 'BIGINT', false, "`repo.id` (or a payload repository object's id)"),
    col('repo_name', 'VARCHAR', true, '`repo.name` (owner/name), most recent observation'),
    col('repo_url', 'VARCHAR', true, '`repo.url`'),
    col('owner_id', 'BIGINT', true, 'payload repository object `owner.id`'),
    col('owner_login', 'VARCHAR', true, 'payload repository object `owner.login`'),
    col('is_fork', 'BOOLEAN', true, 'payload repository object `fork`'),
    col('language', 'VARCHAR', true, 'payload repository object `language`'),
    col('created_at', 'TIMESTAMP', true, 'payload repository object `created_at`'),
    col('updated_at', 'TIMESTAMP', true, 'payload repository object `updated_at`'),
    col('first_seen_at', 'TIMESTAMP', false, 'min created_at of the events the repository appears in'),
    col('last_seen_at', 'TIMESTAMP', false, 'max created_at of the events the repository appears in'),
    col('stars_count', 'BIGINT', true, 'payload repository object `stargazers_count`'),
    col('forks_count', 'BIGINT', true, 'payload repository object `forks_count`'),
    col('issues_count', 'BIGINT', true, 'payload repository object `open_issues_count`'),
    col('watchers_count', 'BIGINT', true, 'payload repository object `watchers_count`'),
    col('size', 'BIGINT', true, 'payload repository object `size` (KB)'),
  ],
} as const satisfies TableDecl;
