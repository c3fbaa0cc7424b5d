/**
 * Source hours (the hour of the archive file an event came from: the warehouse views'
 * source_date/source_hour) in report SQL. Filters name source_date as well, so DuckDB reads only
 * the partitions of the days concerned.
 */
import { hourDate, timestampText, type HourKey } from '@ghlake/core';

/** One or more inclusive ranges of source hours. */
export type SourceHourWindow = readonly { from: HourKey; to: HourKey }[];

/** `TIMESTAMP '2015-01-01 15:00:00'` of an hour. */
export function hourTimestamp(hour: HourKey | number): string {
  return `TIMESTAMP '${timestampText(hour)}'`;
}

/** The source hour of a partitioned view's row as a TIMESTAMP. */
export const SOURCE_HOUR_TS = `(CAST(source_date AS TIMESTAMP) + to_hours(source_hour))`;

/** WHERE clause selecting the window's source hours (pruning by source_date first). */
export function sourceHourFilter(window: SourceHourWindow): string {
  return window
    .map(
      ({ from, to }) =>
        `(source_date BETWEEN DATE '${hourDate(from)}' AND DATE '${hourDate(to)}' AND ${SOURCE_HOUR_TS} BETWEEN ${hourTimestamp(from)} AND ${hourTimestamp(to)})`,
    )
    .join(' OR ');
}

/** silver.events of the window's source hours with `source_hour_ts` and the given columns. */
export function eventsInSourceHours(window: SourceHourWindow, columns: readonly string[]): string {
  return `(SELECT ${[...columns, `${SOURCE_HOUR_TS} AS source_hour_ts`].join(', ')} FROM silver.events WHERE ${sourceHourFilter(window)})`;
}
