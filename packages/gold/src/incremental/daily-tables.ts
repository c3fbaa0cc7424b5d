/**
 * The day-grain gold tables (repo_, actor_ and org_daily_metrics), kept up to date by the days the
 * changes touch. A day's rows are recomputed by the table's own SQL model over that day's events
 * alone — the silver partitions of the source hours that hold copies of the day's events (the
 * event-copy index names them; zone maps find them) — so the rows are exactly the model's, and
 * the cost is a day's events whatever the lake's size. The tables are keyed by (day, id): the
 * version gets a delta with the rows that differ from the current ones (a few ten thousand for an
 * hour), or is written whole when a row disappeared (a redone hour lost every event of a key's
 * day) or the deltas have grown.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import {
  goldActorDailyMetrics,
  goldOrgDailyMetrics,
  goldRepoDailyMetrics,
  hourFromMs,
  partitionFile,
  silverEvents,
  silverPayloadDetails,
  type TableDecl,
} from '@ghlake/core';
import {
  EVENT_COPIES,
  keyedFileName,
  keyedRelation,
  listKeyedFiles,
  liveKeyedFiles,
  queryNumber,
  queryRows,
  readMeta,
  readParquet,
  emptyRelation,
  writeMeta,
  runSql,
  shouldCompact,
  sqlIdent,
  sqlString,
  typedSelectList,
  type KeyedFile,
  type OpenDuckDB,
} from '@ghlake/core/duckdb';
import { renderModel } from '../models.js';
import type { GoldTableResult } from './publish-version.js';

export const DAILY_TABLES: readonly TableDecl[] = [goldRepoDailyMetrics, goldActorDailyMetrics, goldOrgDailyMetrics];

const exists = (p: string) =>
  fs.stat(p).then(
    () => true,
    () => false,
  );

/**
 * Temp views `gd_events` / `gd_details`: the published silver events and payload details of the
 * touched days (`g_days`), read from the partitions of the source hours that hold them.
 */
async function dayViews(db: OpenDuckDB, lake: string): Promise<void> {
  const c = db.connection;
  const hours = (
    await queryRows(
      c,
      `SELECT DISTINCT source_hour FROM ${EVENT_COPIES.name}
       WHERE created_at >= (SELECT min(day) FROM g_days) AND created_at < (SELECT max(day) FROM g_days) + INTERVAL 1 DAY
         AND CAST(created_at AS DATE) IN (SELECT day FROM g_days) ORDER BY 1`,
      'finding the source hours of the touched days',
    )
  ).map((r) => hourFromMs(Number(r.source_hour) * 3_600_000));
  const files = async (table: TableDecl) => {
    const out: string[] = [];
    for (const hour of hours) {
      const file = partitionFile(lake, 'silver', table.name, hour);
      if (await exists(file)) out.push(file);
    }
    return out;
  };
  for (const [view, table] of [
    ['gd_events', silverEvents],
    ['gd_details', silverPayloadDetails],
  ] as const) {
    const list = await files(table);
    const relation = list.length
      ? `SELECT ${typedSelectList(table)} FROM ${readParquet(list)} WHERE CAST(created_at AS DATE) IN (SELECT day FROM g_days)`
      : `SELECT ${typedSelectList(table)} FROM (SELECT ${table.columns.map((col) => `NULL AS ${sqlIdent(col.name)}`).join(', ')}) WHERE false`;
    await runSql(c, `CREATE OR REPLACE TEMP VIEW ${view} AS ${relation}`);
  }
}

const copyOut = async (db: OpenDuckDB, select: string, file: string, doing: string) => {
  await fs.mkdir(path.dirname(file), { recursive: true });
  await runSql(db.connection, `COPY (${select}) TO ${sqlString(file)} (FORMAT parquet, COMPRESSION snappy)`, doing);
  return { rows: await queryNumber(db.connection, `SELECT num_rows FROM parquet_file_metadata(${sqlString(file)})`), bytes: (await fs.stat(file)).size };
};

/**
 * Write the daily tables of version `dir` (gold commit `commit`) from the previous version's and
 * the days `g_delta` (the window's netted changes) touches.
 */
export async function writeDailyTables(db: OpenDuckDB, lake: string, dir: string, commit: number, previous: string | undefined): Promise<GoldTableResult[]> {
  const c = db.connection;
  await runSql(c, `CREATE OR REPLACE TEMP TABLE g_days AS SELECT DISTINCT CAST(created_at AS DATE) AS day FROM g_delta`);
  const touchedDays = await queryNumber(c, `SELECT count(*) FROM g_days`);
  if (touchedDays > 0) await dayViews(db, lake);
  const out: GoldTableResult[] = [];
  for (const table of DAILY_TABLES) {
    const tableDir = path.join(dir, table.name);
    await fs.mkdir(tableDir, { recursive: true });
    const { live } = previous ? liveKeyedFiles(await listKeyedFiles(path.join(previous, table.name))) : { live: [] as KeyedFile[] };
    const current = keyedRelation(table, live);
    const key = table.key.map(sqlIdent).join(', ');
    const link = async () => {
      for (const f of live) await fs.link(f.path, path.join(tableDir, f.name));
    };
    const rowsKey = `gold.rows.${table.name}`;
    const previousRows = (await readMeta(db, rowsKey)) ?? 0;
    if (touchedDays === 0) {
      if (current) {
        await link();
        out.push({ table: table.name, rows: previousRows, bytes: 0, files: live.map((f) => f.name), written: 0, full: false });
      } else {
        const w = await copyOut(db, `SELECT * FROM ${emptyRelation(table)}`, path.join(tableDir, keyedFileName(commit, true)), `writing gold.${table.name}`);
        await writeMeta(db, rowsKey, 0);
        out.push({ table: table.name, rows: 0, bytes: w.bytes, files: [keyedFileName(commit, true)], written: 0, full: true });
      }
      continue;
    }
    // The touched days' rows, by the table's own model over those days' events.
    const model = renderModel(table.name, {
      dialect: 'duckdb',
      source: (layer, name) => {
        if (layer === 'silver' && name === 'events') return 'gd_events';
        if (layer === 'silver' && name === 'payload_details') return 'gd_details';
        throw new Error(`gold.${table.name} reads ${layer}.${name}, which the daily path does not provide`);
      },
    });
    await runSql(
      c,
      `CREATE OR REPLACE TEMP TABLE g_day_rows AS SELECT ${typedSelectList(table)} FROM (${model})`,
      `computing gold.${table.name} for the touched days`,
    );
    const currentDays = current ? `(SELECT * FROM ${current} WHERE "day" IN (SELECT day FROM g_days))` : `(SELECT * FROM g_day_rows WHERE false)`;
    // No table yet: it is written whole, nothing to compare with.
    if (current) await runSql(c, `CREATE OR REPLACE TEMP TABLE g_day_changed AS SELECT * FROM g_day_rows EXCEPT SELECT * FROM ${currentDays}`);
    const gone = current ? await queryNumber(c, `SELECT count(*) FROM (SELECT ${key} FROM ${currentDays} EXCEPT SELECT ${key} FROM g_day_rows)`) : 0;
    const changed = current ? await queryNumber(c, `SELECT count(*) FROM g_day_changed`) : 0;
    const deltas = live.filter((f) => !f.full);
    const deltaRows = deltas.length
      ? Number((await queryRows(c, `SELECT sum(num_rows) AS n FROM parquet_file_metadata([${deltas.map((d) => sqlString(d.path)).join(', ')}])`))[0]?.n ?? 0)
      : 0;
    const fullRows = live[0]?.full ? Number((await queryRows(c, `SELECT num_rows AS n FROM parquet_file_metadata(${sqlString(live[0].path)})`))[0]?.n ?? 0) : 0;
    const whole =
      !current || !live[0]?.full || gone > 0 || shouldCompact({ fullRows, deltaRows: deltaRows + changed, deltaFiles: deltas.length + (changed ? 1 : 0) });
    if (whole) {
      const rest = current ? `SELECT * FROM ${current} WHERE "day" NOT IN (SELECT day FROM g_days) UNION ALL ` : '';
      const w = await copyOut(
        db,
        `SELECT * FROM (${rest}SELECT * FROM g_day_rows) ORDER BY ${key}`,
        path.join(tableDir, keyedFileName(commit, true)),
        `writing gold.${table.name}`,
      );
      await writeMeta(db, rowsKey, w.rows);
      out.push({ table: table.name, rows: w.rows, bytes: w.bytes, files: [keyedFileName(commit, true)], written: w.rows, full: true });
    } else {
      await link();
      const files = live.map((f) => f.name);
      let bytes = 0;
      if (changed > 0) {
        const w = await copyOut(
          db,
          `SELECT * FROM g_day_changed ORDER BY ${key}`,
          path.join(tableDir, keyedFileName(commit, false)),
          `writing gold.${table.name}`,
        );
        bytes = w.bytes;
        files.push(keyedFileName(commit, false));
      }
      // Rows now: before, plus the keys the touched days gained (none lost, or it would be written whole).
      const added = await queryNumber(c, `SELECT count(*) FROM (SELECT ${key} FROM g_day_rows EXCEPT SELECT ${key} FROM ${currentDays})`);
      const rows = previousRows + added;
      await writeMeta(db, rowsKey, rows);
      out.push({ table: table.name, rows, bytes, files, written: changed, full: false });
    }
    await runSql(c, 'DROP TABLE IF EXISTS g_day_rows');
    await runSql(c, 'DROP TABLE IF EXISTS g_day_changed');
  }
  return out;
}
