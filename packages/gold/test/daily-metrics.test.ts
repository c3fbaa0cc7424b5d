/**
 * The day-grain gold tables (repo_, actor_ and org_daily_metrics).
 *
 * 1. On real GH Archive hours (2015-01-01-0 and -15, hour 15 filed a second time as hour 16, and
 *    the first 2,048 lines of 2025-01-01-15) made silver by the real transform, every row is
 *    checked against figures computed independently from the raw JSON with DuckDB's read_json —
 *    FILTER and COUNT(DISTINCT), a path that shares no code with the transform or the models.
 * 2. On hand-written rows: day boundaries, NULL ids, and the merged rule (unknown, never 0).
 * 3. The three models count the event kinds with the very same lines.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GHARCHIVE_FIXTURES } from '../../core/test/fixtures/gharchive.js';
import { buildGold } from '../src/runner.js';
import { modelSql } from '../src/models.js';
import { TEST_SETTINGS, fileSilverHourAgain, publishSilver, sql, tempLake, transformRealHours, writeSilverHour, type EventSpec } from './helpers.js';

const DAILY = ['repo_daily_metrics', 'actor_daily_metrics', 'org_daily_metrics'] as const;
const KIND_COLUMNS =
  'total_events, stars, forks, pushes, pull_requests_opened, pull_requests_closed, pull_requests_merged, issues_opened, issues_closed, comments, releases';

/** The kinds, counted the independent way (DuckDB FILTER over the raw reference). */
const KINDS_FROM_RAW = `count(*),
  count(*) FILTER (type = 'WatchEvent'),
  count(*) FILTER (type = 'ForkEvent'),
  count(*) FILTER (type = 'PushEvent'),
  count(*) FILTER (type = 'PullRequestEvent' AND action = 'opened'),
  count(*) FILTER (type = 'PullRequestEvent' AND action = 'closed'),
  CASE WHEN bool_or(type = 'PullRequestEvent' AND action = 'closed' AND merged IS NULL) THEN NULL
       ELSE count(*) FILTER (type = 'PullRequestEvent' AND action = 'closed' AND merged) END,
  count(*) FILTER (type = 'IssuesEvent' AND action = 'opened'),
  count(*) FILTER (type = 'IssuesEvent' AND action = 'closed'),
  count(*) FILTER (type IN ('IssueCommentEvent', 'PullRequestReviewCommentEvent', 'CommitCommentEvent')),
  count(*) FILTER (type = 'ReleaseEvent')`;

describe('daily gold tables on real hours (2015-01-01-0, -15 filed twice, 2025-01-01-15 head)', () => {
  let lake: string;
  let cleanup: () => Promise<void>;
  let REF: string;
  const goldTable = (name: string) => `read_parquet('${lake}/gold/${name}/*.parquet')`;

  /** Rows of `a` EXCEPT rows of `b`, both ways (NULLs compare equal): [] when they hold the same rows. */
  const difference = (a: string, b: string) => sql(`(${a} EXCEPT ${b}) UNION ALL (${b} EXCEPT ${a}) LIMIT 5`);

  beforeAll(async () => {
    ({ lake, cleanup } = await tempLake('ghlake-gold-daily-'));
    const rawDir = path.join(lake, 'fixture-raw');
    await fs.mkdir(rawDir);
    await fs.copyFile(GHARCHIVE_FIXTURES.hour2015_01_01_0, path.join(rawDir, '2015-01-01-0.json.gz'));
    await fs.copyFile(GHARCHIVE_FIXTURES.hour2015_01_01_15, path.join(rawDir, '2015-01-01-15.json.gz'));
    await fs.copyFile(GHARCHIVE_FIXTURES.head2025_01_01_15, path.join(rawDir, '2025-01-01-15.json.gz'));
    await transformRealHours(lake, rawDir, ['2015-01-01-0', '2015-01-01-15', '2025-01-01-15']);
    // Hour 15 filed again as hour 16: every figure must stay the same (consolidation removes the copies).
    await fileSilverHourAgain(lake, '2015-01-01-15', '2015-01-01-16');
    await publishSilver(lake);
    await buildGold({ lake, ...TEST_SETTINGS, refreshWarehouse: false });
    const files = ['2015-01-01-0', '2015-01-01-15', '2025-01-01-15'].map((h) => `'${path.join(rawDir, `${h}.json.gz`)}'`).join(', ');
    const refFile = path.join(lake, 'reference-from-raw.parquet');
    await sql(`COPY (
      SELECT DISTINCT id, type, created_at, CAST(created_at AS DATE) AS day, actor.id AS actor_id, repo.id AS repo_id, org.id AS org_id,
        json_extract_string(payload, '$.action') AS action,
        CASE WHEN json_type(payload, '$.pull_request.merged') = 'BOOLEAN' THEN json_extract_string(payload, '$.pull_request.merged') = 'true' END AS merged
      FROM read_json([${files}], columns = {id: 'BIGINT', type: 'VARCHAR', created_at: 'TIMESTAMP', actor: 'STRUCT(id BIGINT)',
        repo: 'STRUCT(id BIGINT)', org: 'STRUCT(id BIGINT)', payload: 'JSON'})
    ) TO '${refFile}' (FORMAT parquet)`);
    REF = `read_parquet('${refFile}')`;
  });
  afterAll(async () => cleanup());

  it('repo_daily_metrics: every (repository, day) row equals the raw events counted independently', async () => {
    expect(
      await difference(
        `SELECT repo_id, "day", ${KIND_COLUMNS}, unique_actors FROM ${goldTable('repo_daily_metrics')}`,
        `SELECT repo_id, day, ${KINDS_FROM_RAW}, count(DISTINCT actor_id) FROM ${REF} WHERE repo_id IS NOT NULL GROUP BY repo_id, day`,
      ),
    ).toEqual([]);
  });

  it('actor_daily_metrics: every (actor, day) row equals the raw events counted independently', async () => {
    expect(
      await difference(
        `SELECT actor_id, "day", ${KIND_COLUMNS}, unique_repos FROM ${goldTable('actor_daily_metrics')}`,
        `SELECT actor_id, day, ${KINDS_FROM_RAW}, count(DISTINCT repo_id) FROM ${REF} WHERE actor_id IS NOT NULL GROUP BY actor_id, day`,
      ),
    ).toEqual([]);
  });

  it('org_daily_metrics: every (organization, day) row equals the raw events counted independently', async () => {
    expect(
      await difference(
        `SELECT org_id, "day", ${KIND_COLUMNS}, unique_actors, unique_repos FROM ${goldTable('org_daily_metrics')}`,
        `SELECT org_id, day, ${KINDS_FROM_RAW}, count(DISTINCT actor_id), count(DISTINCT repo_id) FROM ${REF} WHERE org_id IS NOT NULL GROUP BY org_id, day`,
      ),
    ).toEqual([]);
  });

  it('adds up, for 2015-01-01, to the totals counted from the raw files by hand (SOURCES.md counts, python json)', async () => {
    const [day] = await sql(
      `SELECT ${KIND_COLUMNS.split(', ')
        .map((c) => `sum(${c})::BIGINT AS ${c}`)
        .join(', ')}, count(*) AS rows FROM ${goldTable('repo_daily_metrics')} WHERE "day" = DATE '2015-01-01'`,
    );
    expect(day).toEqual({
      total_events: 19_053,
      stars: 642 + 1_230,
      forks: 213 + 355,
      pushes: 4_280 + 5_815,
      pull_requests_opened: 404,
      pull_requests_closed: 376,
      pull_requests_merged: 301,
      issues_opened: 570,
      issues_closed: 329,
      comments: 1_844,
      releases: 24 + 60,
      rows: (await sql(`SELECT count(DISTINCT repo_id) AS n FROM ${REF} WHERE day = DATE '2015-01-01'`))[0]!.n,
    });
    // cachethq/Cachet that day (counted with python's json from the raw lines): 41 events = 21 stars, 2 forks,
    // 4 pushes, 1 pull request opened, 1 closed unmerged, 3 issues opened, 9 comments
    const [cachet] = await sql(
      `SELECT d.${KIND_COLUMNS.split(', ').join(', d.')} FROM ${goldTable('repo_daily_metrics')} d JOIN ${goldTable('repo_metrics')} r USING (repo_id)
       WHERE r.repo_name = 'cachethq/Cachet' AND d."day" = DATE '2015-01-01'`,
    );
    expect(cachet).toEqual({
      total_events: 41,
      stars: 21,
      forks: 2,
      pushes: 4,
      pull_requests_opened: 1,
      pull_requests_closed: 1,
      pull_requests_merged: 0,
      issues_opened: 3,
      issues_closed: 0,
      comments: 9,
      releases: 0,
    });
  });
});

describe('daily gold tables on hand-written rows', () => {
  let lake: string;
  let cleanup: () => Promise<void>;
  const rows = async (table: string, columns: string, orderBy: string) =>
    sql(`SELECT ${columns} FROM read_parquet('${lake}/gold/${table}/*.parquet') ORDER BY ${orderBy}`);

  beforeAll(async () => {
    ({ lake, cleanup } = await tempLake('ghlake-gold-daily-hand-'));
    const pr = (id: number, at: string, action: string, merged: boolean | null, actor = 1): EventSpec => ({
      id,
      type: 'PullRequestEvent',
      at,
      actor,
      repo: 100,
      org: 7,
      action,
      merged,
    });
    // Day 1 (2015-01-01): repo 100 gets a merge, an unmerged close, an opening; a star by nobody (no actor).
    await writeSilverHour(lake, '2015-01-01-23', {
      events: [
        pr(1, '2015-01-01T23:10:00Z', 'opened', false),
        pr(2, '2015-01-01T23:20:00Z', 'closed', true, 2),
        pr(3, '2015-01-01T23:30:00Z', 'closed', false, 2),
        { id: 4, type: 'WatchEvent', at: '2015-01-01T23:59:59Z', actor: null, repo: 100, org: 7 },
        { id: 5, type: 'IssuesEvent', at: '2015-01-01T23:40:00Z', actor: 3, repo: 200, action: 'closed' },
        { id: 6, type: 'IssueCommentEvent', at: '2015-01-01T23:41:00Z', actor: 3, repo: null },
      ],
    });
    // Day 2 (2015-01-02), filed in the same hour's file as a late event and in the next one: one close whose
    // payload was trimmed (no merged flag) makes the day's merged count unknown, not 0.
    await writeSilverHour(lake, '2015-01-02-0', {
      events: [
        pr(7, '2015-01-02T00:00:00Z', 'closed', true),
        pr(8, '2015-01-02T00:05:00Z', 'closed', null),
        { id: 9, type: 'ReleaseEvent', at: '2015-01-02T00:06:00Z', actor: 1, repo: 100, org: 7 },
        { id: 10, type: 'PushEvent', at: '2015-01-02T00:07:00Z', actor: 3, repo: 200 },
      ],
    });
    await publishSilver(lake);
    await buildGold({ lake, ...TEST_SETTINGS, refreshWarehouse: false });
  });
  afterAll(async () => cleanup());

  it('repo_daily_metrics: one row per repository and UTC day; merged is NULL (unknown) when a close has no merged flag', async () => {
    expect(await rows('repo_daily_metrics', `repo_id, "day"::VARCHAR AS day, ${KIND_COLUMNS}, unique_actors`, 'repo_id, day')).toEqual([
      {
        repo_id: 100,
        day: '2015-01-01',
        total_events: 4,
        stars: 1,
        forks: 0,
        pushes: 0,
        pull_requests_opened: 1,
        pull_requests_closed: 2,
        pull_requests_merged: 1,
        issues_opened: 0,
        issues_closed: 0,
        comments: 0,
        releases: 0,
        unique_actors: 2, // actors 1 and 2; the star without an actor is an event but no actor
      },
      {
        repo_id: 100,
        day: '2015-01-02',
        total_events: 3,
        stars: 0,
        forks: 0,
        pushes: 0,
        pull_requests_opened: 0,
        pull_requests_closed: 2,
        pull_requests_merged: null,
        issues_opened: 0,
        issues_closed: 0,
        comments: 0,
        releases: 1,
        unique_actors: 1,
      },
      { repo_id: 200, day: '2015-01-01', ...kinds({ total_events: 1, issues_closed: 1 }), unique_actors: 1 },
      { repo_id: 200, day: '2015-01-02', ...kinds({ total_events: 1, pushes: 1 }), unique_actors: 1 },
    ]);
  });

  it('actor_daily_metrics: events without an actor are not counted; events without a repository are', async () => {
    expect(
      await rows('actor_daily_metrics', `actor_id, "day"::VARCHAR AS day, total_events, pull_requests_merged, comments, unique_repos`, 'actor_id, day'),
    ).toEqual([
      { actor_id: 1, day: '2015-01-01', total_events: 1, pull_requests_merged: 0, comments: 0, unique_repos: 1 },
      { actor_id: 1, day: '2015-01-02', total_events: 3, pull_requests_merged: null, comments: 0, unique_repos: 1 },
      { actor_id: 2, day: '2015-01-01', total_events: 2, pull_requests_merged: 1, comments: 0, unique_repos: 1 },
      { actor_id: 3, day: '2015-01-01', total_events: 2, pull_requests_merged: 0, comments: 1, unique_repos: 1 }, // the comment has no repository
      { actor_id: 3, day: '2015-01-02', total_events: 1, pull_requests_merged: 0, comments: 0, unique_repos: 1 },
    ]);
  });

  it('org_daily_metrics: only events that carry the organization', async () => {
    expect(
      await rows('org_daily_metrics', `org_id, "day"::VARCHAR AS day, total_events, stars, pull_requests_merged, releases, unique_actors, unique_repos`, 'day'),
    ).toEqual([
      { org_id: 7, day: '2015-01-01', total_events: 4, stars: 1, pull_requests_merged: 1, releases: 0, unique_actors: 2, unique_repos: 1 },
      { org_id: 7, day: '2015-01-02', total_events: 3, stars: 0, pull_requests_merged: null, releases: 1, unique_actors: 1, unique_repos: 1 },
    ]);
  });
});

function kinds(counts: Record<string, number>): Record<string, number> {
  return Object.fromEntries(KIND_COLUMNS.split(', ').map((c) => [c, counts[c] ?? 0]));
}

describe('the three daily models', () => {
  it('count the event kinds with the same lines (one rule, three groupings)', () => {
    const kindLines = (name: string) =>
      modelSql(name)
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => /^(COUNT\(\*\) AS total_events|SUM\(CASE WHEN|CAST\(kinds\.|CAST\(COALESCE\(actions\.|CASE WHEN COALESCE\(actions\.)/.test(l));
    const [repo, ...others] = DAILY.map(kindLines);
    expect(repo!.length).toBe(22); // kinds: 6, actions: 6, the output's casts: 10
    for (const lines of others) expect(lines).toEqual(repo);
  });
});
