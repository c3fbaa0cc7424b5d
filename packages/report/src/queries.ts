/**
 * Every figure in the report is the result of one SQL statement over the warehouse — the same
 * statement, run the same way, that `ghlake query "<sql>"` runs (the page shows it beside each
 * chart). This module is the one home of that SQL.
 *
 * Time: activity charts bucket events by their own hour (`hour_bucket`, as gold.daily_summary);
 * data-quality charts by the source file's hour (the warehouse views' source_date/source_hour),
 * since that is what a capture or a quarantine is about. The top lists and the repository
 * sections read the day-grain gold tables over the whole UTC days the range touches.
 */
import { DEDUP_METADATA_KEY } from '@ghlake/core/duckdb';
import { hourDate, hourFromMs, hourToMs, type HourKey } from '@ghlake/core';
import { captureIndicatorSql } from './capture-indicator.js';
import { eventsInSourceHours, hourTimestamp, SOURCE_HOUR_TS, sourceHourFilter, type SourceHourWindow } from './source-hours.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** Up to this many hours the activity charts show hours; beyond, days. */
export const HOURLY_ACTIVITY_MAX_HOURS = 31 * 24;
/** Up to this many days the sparklines of the top lists show hours; beyond, days. */
export const HOURLY_TRENDS_MAX_DAYS = 2;
/** Weeks before an hour whose same hour makes its baseline. */
export const BASELINE_WEEKS = 4;

export interface ReportQueryParams {
  /** Absolute lake path. */
  lake: string;
  from: HourKey;
  to: HourKey;
  /** `owner/name` of each repository to chart. */
  repos: readonly string[];
  /** Rows in each top list. */
  top: number;
  /** Day folders (`YYYY-MM-DD`) of silver.events partitions in the range (for the duplicates query). */
  silverEventDays: readonly string[];
}

export type DatasetName =
  | 'summary'
  | 'activity'
  | 'bots'
  | 'top_repos'
  | 'top_repos_trend'
  | 'top_actors'
  | 'top_actors_trend'
  | 'top_orgs'
  | 'top_orgs_trend'
  | 'quarantine'
  | 'duplicates'
  | 'capture'
  | 'weekly'
  | `repo:${string}`;

export interface DatasetQuery {
  name: DatasetName;
  /** The statement, or how to write it from the rows of the datasets run before it. */
  sql: string | ((done: ReadonlyMap<string, readonly (readonly unknown[])[]>) => string);
}

const sqlText = (s: string) => `'${s.replaceAll("'", "''")}'`;
const dayLiteral = (ms: number) => `DATE '${new Date(ms).toISOString().slice(0, 10)}'`;

/** The range as the report reads it: hours, whole days, and the grain of the activity charts. */
export function reportRange(from: HourKey, to: HourKey) {
  const fromMs = hourToMs(from);
  const toMs = hourToMs(to);
  const firstDayMs = Math.floor(fromMs / DAY_MS) * DAY_MS;
  const lastDayMs = Math.floor(toMs / DAY_MS) * DAY_MS;
  const hours = (toMs - fromMs) / HOUR_MS + 1;
  const days = (lastDayMs - firstDayMs) / DAY_MS + 1;
  return {
    from,
    to,
    hours,
    days,
    firstDay: hourDate(from),
    lastDay: hourDate(to),
    activityGrain: hours <= HOURLY_ACTIVITY_MAX_HOURS ? ('hour' as const) : ('day' as const),
    trendGrain: days <= HOURLY_TRENDS_MAX_DAYS ? ('hour' as const) : ('day' as const),
    /** Event-time filter on silver.events, pruned to source files within a day of the range. */
    eventFilter: `hour_bucket BETWEEN ${hourTimestamp(fromMs)} AND ${hourTimestamp(toMs)} AND source_date BETWEEN ${dayLiteral(firstDayMs - DAY_MS)} AND ${dayLiteral(lastDayMs + DAY_MS)}`,
    dayFilter: `"day" BETWEEN ${dayLiteral(firstDayMs)} AND ${dayLiteral(lastDayMs)}`,
    /** silver.events filter for the whole days (the top lists' hourly sparklines). */
    wholeDaysEventFilter: `hour_bucket >= ${hourTimestamp(firstDayMs)} AND hour_bucket < ${hourTimestamp(lastDayMs + DAY_MS)} AND source_date BETWEEN ${dayLiteral(firstDayMs - DAY_MS)} AND ${dayLiteral(lastDayMs + 2 * DAY_MS)}`,
  };
}

export type Range = ReturnType<typeof reportRange>;
export type TopList = 'repos' | 'actors' | 'orgs';

interface Entity {
  key: 'repo' | 'actor' | 'org';
  idColumn: string;
  daily: string;
  totals: string;
  nameColumn: string;
}
const ENTITIES: Record<TopList, Entity> = {
  repos: { key: 'repo', idColumn: 'repo_id', daily: 'gold.repo_daily_metrics', totals: 'gold.repo_metrics', nameColumn: 'repo_name' },
  actors: { key: 'actor', idColumn: 'actor_id', daily: 'gold.actor_daily_metrics', totals: 'gold.actor_metrics', nameColumn: 'actor_login' },
  orgs: { key: 'org', idColumn: 'org_id', daily: 'gold.org_daily_metrics', totals: 'gold.org_metrics', nameColumn: 'org_login' },
};

function topSql(e: Entity, r: Range, top: number): string {
  // rank on one sum, then the other sums and the names for the top rows only: over a month of
  // repository-days the wide aggregate and the name join were most of the time
  return `WITH ranked AS (
  SELECT ${e.idColumn} AS id, CAST(sum(total_events) AS BIGINT) AS events
  FROM ${e.daily}
  WHERE ${r.dayFilter}
  GROUP BY ${e.idColumn}
  ORDER BY events DESC, id
  LIMIT ${top}
),
totals AS (
  SELECT ${e.idColumn} AS id, CAST(sum(pushes) AS BIGINT) AS pushes, CAST(sum(stars) AS BIGINT) AS stars,
    CAST(sum(pull_requests_opened) AS BIGINT) AS pull_requests_opened, CAST(sum(comments) AS BIGINT) AS comments
  FROM ${e.daily}
  WHERE ${r.dayFilter} AND ${e.idColumn} IN (SELECT id FROM ranked)
  GROUP BY ${e.idColumn}
)
SELECT ranked.id, t.${e.nameColumn} AS name, ranked.events, totals.pushes, totals.stars, totals.pull_requests_opened, totals.comments
FROM ranked JOIN totals ON totals.id = ranked.id LEFT JOIN ${e.totals} AS t ON t.${e.idColumn} = ranked.id
ORDER BY ranked.events DESC, ranked.id`;
}

/** The trend of the top list's rows (`ids`, from the top list's result). */
export function trendSql(list: TopList, range: Range, ids: readonly number[]): string {
  const e = ENTITIES[list];
  const idList = ids.length ? ids.join(', ') : 'NULL';
  if (range.trendGrain === 'day') {
    return `SELECT ${e.idColumn} AS id, CAST("day" AS TIMESTAMP) AS bucket, total_events AS events
FROM ${e.daily}
WHERE ${range.dayFilter} AND ${e.idColumn} IN (${idList})
ORDER BY id, bucket`;
  }
  return `SELECT ${e.idColumn} AS id, hour_bucket AS bucket, count(*) AS events
FROM silver.events
WHERE ${range.wholeDaysEventFilter} AND ${e.idColumn} IN (${idList})
GROUP BY ALL
ORDER BY id, bucket`;
}

function repoSql(name: string, r: Range): string {
  return `WITH repo AS (
  SELECT repo_id, repo_name FROM gold.repo_metrics WHERE lower(repo_name) = lower(${sqlText(name)})
  ORDER BY total_events DESC, repo_id LIMIT 1
)
SELECT repo.repo_name AS name, d.repo_id AS id, d."day", d.total_events, d.stars, d.forks, d.pushes,
  d.pull_requests_opened, d.pull_requests_merged, d.pull_requests_closed, d.issues_opened, d.issues_closed,
  d.comments, d.releases, d.unique_actors,
  CAST(sum(d.stars) OVER (ORDER BY d."day") AS BIGINT) AS cumulative_stars
FROM gold.repo_daily_metrics AS d JOIN repo ON repo.repo_id = d.repo_id
WHERE d.${r.dayFilter}
ORDER BY d."day"`;
}

/** Same hours of the previous weeks: the window shifted back by 1..BASELINE_WEEKS weeks, plus itself. */
function withPreviousWeeks(r: Range): SourceHourWindow {
  const out = [{ from: r.from, to: r.to }];
  for (let w = 1; w <= BASELINE_WEEKS; w++) {
    const back = w * 7 * DAY_MS;
    out.push({ from: hourFromMs(hourToMs(r.from) - back), to: hourFromMs(hourToMs(r.to) - back) });
  }
  return out;
}

function weeklySql(r: Range): string {
  const previous = Array.from({ length: BASELINE_WEEKS }, (_, i) => `cur.source_hour - INTERVAL ${7 * (i + 1)} DAY`).join(', ');
  return `WITH counts AS (
  SELECT source_hour_ts AS source_hour, event_type, count(*) AS events
  FROM ${eventsInSourceHours(withPreviousWeeks(r), ['event_type'])}
  GROUP BY ALL
),
hours AS (SELECT DISTINCT source_hour FROM counts),
types AS (SELECT DISTINCT event_type FROM counts),
grid AS (
  -- an hour the lake holds counts 0 for a type it has no event of; an hour it lacks is no baseline
  SELECT h.source_hour, t.event_type, coalesce(c.events, 0) AS events
  FROM hours h CROSS JOIN types t LEFT JOIN counts c ON c.source_hour = h.source_hour AND c.event_type = t.event_type
),
cur AS (SELECT * FROM grid WHERE source_hour BETWEEN ${hourTimestamp(r.from)} AND ${hourTimestamp(r.to)}),
baseline AS (
  SELECT cur.source_hour, cur.event_type, median(prev.events) AS baseline, count(*) AS weeks
  FROM cur JOIN grid AS prev ON prev.event_type = cur.event_type AND prev.source_hour IN (${previous})
  GROUP BY ALL
)
SELECT cur.source_hour, cur.event_type, cur.events, baseline.baseline, coalesce(baseline.weeks, 0) AS weeks,
  CASE WHEN baseline.baseline > 0 THEN cur.events / baseline.baseline END AS ratio
FROM cur LEFT JOIN baseline ON baseline.source_hour = cur.source_hour AND baseline.event_type = cur.event_type
ORDER BY cur.source_hour, cur.event_type`;
}

function duplicatesSql(p: ReportQueryParams, r: Range): string | undefined {
  if (p.silverEventDays.length === 0) return undefined;
  const globs = p.silverEventDays.map((d) => sqlText(`${p.lake}/silver/events/date=${d}/*/part-*.parquet`)).join(', ');
  const hour = `(CAST(regexp_extract(file_name, 'date=([0-9-]+)', 1) AS TIMESTAMP) + to_hours(CAST(regexp_extract(file_name, 'hour=([0-9]+)', 1) AS INTEGER)))`;
  return `SELECT ${hour} AS source_hour, CAST(decode(value) AS BIGINT) AS removed
FROM parquet_kv_metadata([${globs}])
WHERE decode(key) = ${sqlText(DEDUP_METADATA_KEY)} AND ${hour} BETWEEN ${hourTimestamp(r.from)} AND ${hourTimestamp(r.to)}
ORDER BY source_hour`;
}

/** The report's datasets, in page order. */
export function reportQueries(p: ReportQueryParams): DatasetQuery[] {
  const r = reportRange(p.from, p.to);
  const bucket = r.activityGrain === 'hour' ? 'hour_bucket' : `date_trunc('day', hour_bucket)`;
  const window: SourceHourWindow = [{ from: p.from, to: p.to }];
  const out: DatasetQuery[] = [
    {
      name: 'summary',
      sql: `SELECT count(*) AS events, count(DISTINCT actor_id) AS actors, count(DISTINCT repo_id) AS repos, count(DISTINCT org_id) AS orgs,
  count(*) FILTER (WHERE is_bot) AS bot_events, count(DISTINCT actor_id) FILTER (WHERE is_bot) AS bot_actors
FROM silver.events
WHERE ${r.eventFilter}`,
    },
    {
      name: 'activity',
      sql: `SELECT ${bucket} AS bucket, event_type, count(*) AS events
FROM silver.events
WHERE ${r.eventFilter}
GROUP BY ALL
ORDER BY bucket, event_type`,
    },
    {
      name: 'bots',
      sql: `SELECT ${bucket} AS bucket, count(DISTINCT actor_id) AS actors, count(DISTINCT actor_id) FILTER (WHERE is_bot) AS bot_actors,
  count(DISTINCT actor_id) FILTER (WHERE is_bot) / count(DISTINCT actor_id) AS bot_actor_share,
  count(*) AS events, count(*) FILTER (WHERE is_bot) AS bot_events
FROM silver.events
WHERE ${r.eventFilter}
GROUP BY ALL
ORDER BY bucket`,
    },
  ];
  for (const [list, entity] of Object.entries(ENTITIES) as [TopList, Entity][]) {
    out.push({ name: `top_${list}`, sql: topSql(entity, r, p.top) });
    // its SQL names the ids the top list found: written once that list has run
    out.push({
      name: `top_${list}_trend`,
      sql: (done) =>
        trendSql(
          list,
          r,
          (done.get(`top_${list}`) ?? []).map((row) => Number(row[0])),
        ),
    });
  }
  for (const name of p.repos) out.push({ name: `repo:${name}`, sql: repoSql(name, r) });
  out.push({
    name: 'quarantine',
    sql: `SELECT ${SOURCE_HOUR_TS} AS source_hour, reason, count(*) AS lines
FROM bronze.quarantine
WHERE ${sourceHourFilter(window)}
GROUP BY ALL
ORDER BY source_hour, reason`,
  });
  const duplicates = duplicatesSql(p, r);
  if (duplicates) out.push({ name: 'duplicates', sql: duplicates });
  out.push({ name: 'capture', sql: captureIndicatorSql(window) });
  out.push({ name: 'weekly', sql: weeklySql(r) });
  return out;
}
