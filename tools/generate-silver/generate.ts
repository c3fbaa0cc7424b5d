/**
 * Silver data at benchmark scale (millions of events), written directly as Parquet by DuckDB:
 * `COPY (SELECT ... FROM range(lo, hi)) TO <partition file>` per source hour and table, so no
 * row ever exists in JS memory and 20M events take a couple of minutes.
 *
 * Every value is a pure function of the event's index `i` and the seed (hash-based, so the
 * output is identical for any thread count), with realistic skew:
 *   - actors and repositories are drawn Zipf-like (u^k): a few bots and busy repositories
 *     produce a large share of the events, most appear once or twice;
 *   - event types follow GH Archive's mix (PushEvent ~51%, CreateEvent ~13%, WatchEvent ~11%, ...);
 *   - issues and pull requests are opened (55%) or closed (45%); two thirds of closed pull requests are merged;
 *   - a quarter of repositories belong to an organization, and their events carry it;
 *   - ~10% of repositories carry payload details (owner, language, stars...) in the hour;
 *   - `duplicateRate` of each hour's events are filed again in the next hour's file, as the
 *     archive does, so consolidation has cross-hour duplicates to remove.
 * Observations per hour are folded from that hour's events (as the hour transform does).
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import {
  DUCKDB_TYPE,
  hourFromMs,
  hourToMs,
  parseHour,
  partitionFile,
  silverActorObservations,
  silverEvents,
  silverOrganizationObservations,
  silverPayloadDetails,
  silverRepositoryObservations,
  type HourKey,
  type TableDecl,
} from '@ghlake/core';

export interface GenerateSilverOptions {
  /** Lake folder to write `silver/<table>/date=/hour=/part-0.parquet` into. */
  lake: string;
  /** Distinct events in total. */
  events: number;
  /** Events per source hour (default 200,000: a 2024 hour). */
  eventsPerHour?: number;
  /** First source hour (default 2024-06-03-0). */
  start?: string;
  /** Share of each hour's events also filed in the next hour (default 0.005). */
  duplicateRate?: number;
  /** Distinct actors to draw from (default events / 8). */
  actors?: number;
  /** Distinct repositories to draw from (default events / 6). */
  repos?: number;
  /**
   * Events in a row that share their actor (and, separately, their repository) within an hour
   * (default 1: every event draws its own). 2 gives an hour about half as many distinct actors and
   * repositories as events — what real hours hold (2015-01-01-15: 11,351 events, 5,249 actors,
   * 6,198 repositories).
   */
  sessionLength?: number;
  /** Exponent of the skew of actor and repository draws, u^k (default 2.5 for actors, 2.0 for repositories). */
  actorSkew?: number;
  repoSkew?: number;
  seed?: number;
  /** DuckDB settings for the generator. */
  memoryLimit?: string;
  threads?: number;
}

export interface GenerateSilverResult {
  hours: HourKey[];
  /** Distinct events written. */
  events: number;
  /** Extra rows: copies of events filed again in the next hour. */
  duplicates: number;
  ms: number;
}

/** Cumulative event-type mix (share of events, measured on 2015-01-01-15 and rounded). */
const TYPE_MIX: Array<[string, number]> = [
  ['PushEvent', 0.512],
  ['CreateEvent', 0.13],
  ['WatchEvent', 0.108],
  ['IssueCommentEvent', 0.074],
  ['IssuesEvent', 0.048],
  ['PullRequestEvent', 0.042],
  ['ForkEvent', 0.031],
  ['DeleteEvent', 0.023],
  ['PullRequestReviewCommentEvent', 0.012],
  ['CommitCommentEvent', 0.0064],
  ['GollumEvent', 0.0054],
  ['ReleaseEvent', 0.0053],
  ['MemberEvent', 0.0022],
  ['PublicEvent', 0.0007],
];

function typeCase(u: string): string {
  let acc = 0;
  const arms = TYPE_MIX.slice(0, -1).map(([type, share]) => {
    acc += share;
    return `WHEN ${u} < ${acc.toFixed(4)} THEN '${type}'`;
  });
  return `CASE ${arms.join(' ')} ELSE '${TYPE_MIX.at(-1)![0]}' END`;
}

/** A uniform [0, 1) from the event index, the seed and a salt: identical for any thread count. */
const uniform = (salt: number, seed: number, index = 'i') => `((hash(${index}, ${seed}, ${salt}) % 1000000007) / 1000000007.0)`;

/**
 * Events with index in [lo, hi): every silver column plus helpers. Event i happens in hour
 * floor(i / eventsPerHour) after `startMs`, whichever hour's file it is filed in.
 */
function eventsSql(
  lo: number,
  hi: number,
  startMs: number,
  o: Required<Pick<GenerateSilverOptions, 'actors' | 'repos' | 'seed' | 'sessionLength' | 'actorSkew' | 'repoSkew'>>,
  eventsPerHour: number,
): string {
  const s = o.seed;
  // Events of one session (i // sessionLength) share their actor and repository draws.
  const session = `(i // ${o.sessionLength})`;
  return `SELECT
      i,
      CAST(30000000000 + i AS BIGINT) AS event_id,
      md5(CAST(i AS VARCHAR) || '-${s}') AS event_hash,
      ${typeCase(uniform(1, s))} AS event_type,
      make_timestamp(CAST((${startMs} + (i // ${eventsPerHour}) * 3600000 + floor(${uniform(2, s)} * 3600000)) * 1000 AS BIGINT)) AS created_at,
      CAST(1 + floor(${o.actors} * pow(${uniform(3, s, session)}, ${o.actorSkew})) AS BIGINT) AS actor_id,
      CAST(1 + floor(${o.repos} * pow(${uniform(4, s, `(${session} * 7 + 3)`)}, ${o.repoSkew})) AS BIGINT) AS repo_id,
      ${uniform(5, s)} AS u_payload
    FROM range(${lo}, ${hi}) t(i)`;
}

function typedSelect(table: TableDecl, exprs: Record<string, string>): string {
  return table.columns
    .map((c) => {
      const e = exprs[c.name] ?? `"${c.name}"`;
      return `CAST(${e} AS ${DUCKDB_TYPE[c.type]}) AS "${c.name}"`;
    })
    .join(',\n      ');
}

async function copyTo(connection: DuckDBConnection, select: string, file: string): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const tmp = path.join(path.dirname(file), `.tmp-gen-${path.basename(file)}`);
  await connection.run(`COPY (${select}) TO '${tmp.replaceAll("'", "''")}' (FORMAT parquet, COMPRESSION snappy)`);
  await fs.rename(tmp, file);
}

export async function generateSilver(options: GenerateSilverOptions): Promise<GenerateSilverResult> {
  const started = performance.now();
  const eventsPerHour = options.eventsPerHour ?? 200_000;
  const duplicateRate = options.duplicateRate ?? 0.005;
  const o = {
    actors: options.actors ?? Math.max(10, Math.round(options.events / 8)),
    repos: options.repos ?? Math.max(10, Math.round(options.events / 6)),
    seed: options.seed ?? 1,
    sessionLength: Math.max(1, Math.round(options.sessionLength ?? 1)),
    actorSkew: options.actorSkew ?? 2.5,
    repoSkew: options.repoSkew ?? 2.0,
  };
  if (!Number.isInteger(options.events) || options.events < 1) throw new Error(`events must be a positive integer, got ${options.events}`);
  const startMs = hourToMs(parseHour(options.start ?? '2024-06-03-0'));
  const hourCount = Math.ceil(options.events / eventsPerHour);
  const instance = await DuckDBInstance.create(':memory:', {
    memory_limit: options.memoryLimit ?? '1GB',
    threads: String(options.threads ?? 2),
    preserve_insertion_order: 'false',
  });
  const connection = await instance.connect();
  const hours: HourKey[] = [];
  let duplicates = 0;
  try {
    for (let h = 0; h < hourCount; h++) {
      const hourMs = startMs + h * 3_600_000;
      const hour = hourFromMs(hourMs);
      hours.push(hour);
      const lo = h * eventsPerHour;
      const hi = Math.min(options.events, lo + eventsPerHour);
      // This hour's own events, then the previous hour's last events filed here again.
      const dupCount = h === 0 ? 0 : Math.floor(eventsPerHour * duplicateRate);
      duplicates += dupCount;
      const own = eventsSql(lo, hi, startMs, o, eventsPerHour);
      const again = dupCount > 0 ? eventsSql(lo - dupCount, lo, startMs, o, eventsPerHour) : undefined;
      await connection.run(`CREATE OR REPLACE TEMP TABLE hour_events AS ${own}${again ? ` UNION ALL ${again}` : ''}`);
      await connection.run(`CREATE OR REPLACE TEMP TABLE hour_events_x AS
        SELECT *,
          CASE WHEN repo_id % 4 = 0 THEN CAST(1000000 + repo_id % 5000 AS BIGINT) END AS org_id,
          (actor_id % 97 = 0) AS is_bot,
          date_trunc('hour', created_at) AS hour_bucket
        FROM hour_events`);

      await copyTo(
        connection,
        `SELECT ${typedSelect(silverEvents, {
          public: 'true',
          processed_at: "TIMESTAMP '2026-01-01 00:00:00'",
          // Events API events: ids from the event itself
          actor_id_source: "'event'",
          org_id_source: "CASE WHEN org_id IS NOT NULL THEN 'event' END",
        })} FROM hour_events_x ORDER BY i`,
        partitionFile(options.lake, 'silver', 'events', hour),
      );
      await copyTo(
        connection,
        `SELECT ${typedSelect(silverPayloadDetails, {
          payload_action: `CASE WHEN event_type IN ('IssuesEvent', 'PullRequestEvent') THEN CASE WHEN u_payload < 0.55 THEN 'opened' ELSE 'closed' END WHEN event_type = 'WatchEvent' THEN 'started' END`,
          payload_issue_id: `CASE WHEN event_type IN ('IssuesEvent', 'IssueCommentEvent') THEN 50000000 + i END`,
          payload_pull_request_id: `CASE WHEN event_type LIKE 'PullRequest%' THEN 20000000 + i END`,
          payload_comment_id: `CASE WHEN event_type LIKE '%CommentEvent' THEN 70000000 + i END`,
          payload_push_size: `CASE WHEN event_type = 'PushEvent' THEN 1 + floor(u_payload * 4) END`,
          payload_ref: `CASE WHEN event_type IN ('PushEvent', 'CreateEvent', 'DeleteEvent') THEN 'refs/heads/main' END`,
          payload_ref_type: `CASE WHEN event_type IN ('CreateEvent', 'DeleteEvent') THEN 'branch' END`,
          payload_head: `CASE WHEN event_type = 'PushEvent' THEN sha256(CAST(i AS VARCHAR))[1:40] END`,
          payload_before: `CASE WHEN event_type = 'PushEvent' THEN sha256(CAST(i + 1 AS VARCHAR))[1:40] END`,
          payload_size: `CAST(200 + floor(u_payload * 4000) AS BIGINT)`,
          payload_distinct_size: `CASE WHEN event_type = 'PushEvent' THEN 1 + floor(u_payload * 4) END`,
          // closed pull requests: ~2/3 merged; opened ones say merged=false, as GitHub sends them
          payload_pull_request_merged: `CASE WHEN event_type = 'PullRequestEvent' THEN u_payload >= 0.55 AND u_payload < 0.85 END`,
        })} FROM hour_events_x ORDER BY i`,
        partitionFile(options.lake, 'silver', 'payload_details', hour),
      );
      await copyTo(
        connection,
        `SELECT ${typedSelect(silverActorObservations, {
          actor_login: `'user' || actor_id || CASE WHEN is_bot THEN '[bot]' ELSE '' END`,
          actor_display_login: `'user' || actor_id`,
          actor_url: `'https://api.github.com/users/user' || actor_id`,
          avatar_url: `'https://avatars.githubusercontent.com/u/' || actor_id || '?'`,
          gravatar_id: `''`,
          login_seen_at: 'last_seen_at',
          actor_type: `CASE WHEN has_type THEN CASE WHEN is_bot THEN 'Bot' ELSE 'User' END END`,
          actor_site_admin: `CASE WHEN has_type THEN false END`,
          type_seen_at: `CASE WHEN has_type THEN last_seen_at END`,
        })} FROM (
          SELECT actor_id, bool_or(is_bot) AS is_bot, bool_or(event_type LIKE 'PullRequest%' OR event_type LIKE 'Issue%') AS has_type,
                 min(created_at) AS first_seen_at, max(created_at) AS last_seen_at
          FROM hour_events_x GROUP BY actor_id
        ) ORDER BY actor_id`,
        partitionFile(options.lake, 'silver', 'actor_observations', hour),
      );
      await copyTo(
        connection,
        `SELECT ${typedSelect(silverRepositoryObservations, {
          repo_name: `'owner' || (repo_id % 100000) || '/repo' || repo_id`,
          repo_url: `'https://api.github.com/repos/owner' || (repo_id % 100000) || '/repo' || repo_id`,
          name_seen_at: 'last_seen_at',
          owner_id: `CASE WHEN has_details THEN repo_id % 100000 END`,
          owner_login: `CASE WHEN has_details THEN 'owner' || (repo_id % 100000) END`,
          is_fork: `CASE WHEN has_details THEN repo_id % 9 = 0 END`,
          language: `CASE WHEN has_details THEN ['Go', 'Python', 'TypeScript', 'Rust', 'Java', NULL][1 + repo_id % 6] END`,
          created_at: `CASE WHEN has_details THEN TIMESTAMP '2012-01-01 00:00:00' + to_days(CAST(repo_id % 4000 AS INTEGER)) END`,
          updated_at: `CASE WHEN has_details THEN last_seen_at END`,
          stars_count: `CASE WHEN has_details THEN (repo_id * 7) % 5000 + events END`,
          forks_count: `CASE WHEN has_details THEN (repo_id * 3) % 700 END`,
          issues_count: `CASE WHEN has_details THEN repo_id % 90 END`,
          watchers_count: `CASE WHEN has_details THEN (repo_id * 7) % 5000 + events END`,
          size: `CASE WHEN has_details THEN (repo_id * 13) % 100000 END`,
          details_seen_at: `CASE WHEN has_details THEN last_seen_at END`,
        })} FROM (
          SELECT repo_id, bool_or(event_type LIKE 'PullRequest%' OR event_type = 'ForkEvent') AS has_details, count(*) AS events,
                 min(created_at) AS first_seen_at, max(created_at) AS last_seen_at
          FROM hour_events_x GROUP BY repo_id
        ) ORDER BY repo_id`,
        partitionFile(options.lake, 'silver', 'repository_observations', hour),
      );
      await copyTo(
        connection,
        `SELECT ${typedSelect(silverOrganizationObservations, {
          org_login: `'org' || org_id`,
          org_url: `'https://api.github.com/orgs/org' || org_id`,
          avatar_url: `'https://avatars.githubusercontent.com/u/' || org_id || '?'`,
          login_seen_at: 'last_seen_at',
        })} FROM (
          SELECT org_id, min(created_at) AS first_seen_at, max(created_at) AS last_seen_at
          FROM hour_events_x WHERE org_id IS NOT NULL GROUP BY org_id
        ) ORDER BY org_id`,
        partitionFile(options.lake, 'silver', 'organization_observations', hour),
      );
    }
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
  return { hours, events: options.events, duplicates, ms: Math.round(performance.now() - started) };
}
