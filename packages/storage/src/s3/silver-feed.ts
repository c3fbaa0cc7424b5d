/**
 * Which hour partitions changed since a silver commit, read from silver's state (core's
 * silver-state.ts): `source_hours.seq` is the silver commit that last wrote a source hour's
 * partition files — the commit that consolidated the hour, or a later one that rewrote it because
 * another hour took or gave back a copy of one of its events. An hour's raw file and bronze
 * partitions are (re)written only by transforming it, which stages it for the next silver commit,
 * so "hours with seq > N" names every hourly file that can have changed since commit N.
 */
import { hourFromMs, type HourKey } from '@ghlake/core';
import { SILVER_HEAD, SOURCE_HOURS, STATE_META, queryRows, readMeta, type OpenDuckDB } from '@ghlake/core/duckdb';

async function hasTable(db: OpenDuckDB, name: string): Promise<boolean> {
  const rows = await queryRows(
    db.connection,
    `SELECT 1 FROM duckdb_tables() WHERE table_name = '${name}' AND schema_name = 'main' AND database_name = current_database()`,
  );
  return rows.length > 0;
}

/** The last silver commit, or undefined when the lake has no silver state (nothing consolidated yet). */
export async function silverHead(db: OpenDuckDB): Promise<number | undefined> {
  if (!(await hasTable(db, STATE_META.name)) || !(await hasTable(db, SOURCE_HOURS.name))) return undefined;
  return readMeta(db, SILVER_HEAD);
}

/** Source hours whose partitions a silver commit after `since` wrote, oldest first. */
export async function hoursWrittenSince(db: OpenDuckDB, since: number): Promise<HourKey[]> {
  const rows = await queryRows(db.connection, `SELECT source_hour FROM ${SOURCE_HOURS.name} WHERE seq > ${Math.trunc(since)} ORDER BY source_hour`);
  return rows.map((r) => hourFromMs(Number(r.source_hour) * 3_600_000));
}
