/**
 * The report's data: every dataset of queries.ts run through one `openQuerySession` — the code path of
 * `ghlake query` (the warehouse, opened read-only, rebuilt first when stale) — plus what the
 * caller knows about each hour (the calendar). Plain data in, plain data out: the page renders it.
 */
import path from 'node:path';
import { hourDate, hourRange, type HourKey } from '@ghlake/core';
import { listPartitionFiles } from '@ghlake/core/duckdb';
import { currentGoldVersion, openQuerySession, type QueryColumn, type QueryValue } from '@ghlake/gold';
import { BASELINE_WEEKS, reportQueries, reportRange, type DatasetName } from './queries.js';
import { ID_FAMILY_GAP, MIN_FAMILY_IDS, TRIM_SHARE } from './capture-indicator.js';

/** What the calendar shows for an hour. */
export type CalendarState = 'present' | 'damaged' | 'missing' | 'failed' | 'not_run';
export const CALENDAR_STATES: readonly CalendarState[] = ['present', 'damaged', 'missing', 'failed', 'not_run'];

export interface CalendarHour {
  hour: HourKey;
  state: CalendarState;
  /** Why (damage, failure, files gone), when there is something to say. */
  note?: string;
}

export interface Dataset {
  name: DatasetName;
  sql: string;
  columns: QueryColumn[];
  rows: QueryValue[][];
}

export interface ReportInput {
  lake: string;
  from: HourKey;
  to: HourKey;
  repos?: readonly string[];
  top?: number;
  /** One entry per hour of the range (the caller reads the manifest and the lake). */
  calendar: readonly CalendarHour[];
  /** Gold as the manifest records it, if it does (`ghlake run` records it; `ghlake gold` alone does not). */
  gold?: { builtAt: string; hours: number; current: boolean } | null;
  memoryLimit: number;
  threads: number;
  signal?: AbortSignal;
  now?: () => Date;
}

export interface ReportData {
  meta: {
    lake: string;
    generatedAt: string;
    from: HourKey;
    to: HourKey;
    hours: number;
    firstDay: string;
    lastDay: string;
    activityGrain: 'hour' | 'day';
    trendGrain: 'hour' | 'day';
    repos: string[];
    top: number;
    gold: ReportInput['gold'];
    /** The gold version published at `<lake>/gold`, if any (from the lake itself). */
    goldVersion: string | null;
    capture: { familyGap: number; trimShare: number; minFamilyIds: number; baselineWeeks: number };
  };
  calendar: CalendarHour[];
  datasets: Dataset[];
}

/** Days in [firstDay, lastDay] on which silver.events has at least one data file. */
async function silverEventDays(lake: string, firstDay: string, lastDay: string): Promise<string[]> {
  const files = await listPartitionFiles(lake, { layer: 'silver', name: 'events' }, { from: firstDay, to: lastDay });
  return [...new Set(files.map((f) => hourDate(f.hour)))].sort();
}

export async function collectReportData(input: ReportInput): Promise<ReportData> {
  const lake = path.resolve(input.lake);
  const range = reportRange(input.from, input.to);
  const repos = [...(input.repos ?? [])];
  const top = input.top ?? 10;
  const queries = reportQueries({
    lake,
    from: input.from,
    to: input.to,
    repos,
    top,
    silverEventDays: await silverEventDays(lake, range.firstDay, range.lastDay),
  });
  // The warehouse opened once, as `ghlake query` opens it (rebuilt once if stale, in memory for a copied or read-only
  // lake; each statement checked read-only, confined to the lake), for every query.
  const datasets: Dataset[] = [];
  const done = new Map<string, QueryValue[][]>();
  const session = await openQuerySession({ lake, memoryLimit: input.memoryLimit, threads: input.threads, signal: input.signal });
  try {
    for (const q of queries) {
      const sql = typeof q.sql === 'string' ? q.sql : q.sql(done);
      const { columns, rows } = await session.run(sql);
      datasets.push({ name: q.name, sql, columns, rows });
      done.set(q.name, rows);
    }
  } finally {
    session.close();
  }
  const hours = new Set(hourRange(input.from, input.to));
  return {
    meta: {
      lake,
      generatedAt: (input.now?.() ?? new Date()).toISOString(),
      from: input.from,
      to: input.to,
      hours: range.hours,
      firstDay: range.firstDay,
      lastDay: range.lastDay,
      activityGrain: range.activityGrain,
      trendGrain: range.trendGrain,
      repos,
      top,
      gold: input.gold ?? null,
      goldVersion: (await currentGoldVersion(lake)) ?? null,
      capture: { familyGap: ID_FAMILY_GAP, trimShare: TRIM_SHARE, minFamilyIds: MIN_FAMILY_IDS, baselineWeeks: BASELINE_WEEKS },
    },
    calendar: input.calendar.filter((c) => hours.has(c.hour)),
    datasets,
  };
}
