/**
 * Cross-hour dedup of silver.events and silver.payload_details, one batch of source hours at a
 * time, reading only what the batch touches.
 *
 * The rule is unchanged: of all copies of an event key (event_id, event_type, created_at) over the
 * source hours in the lake, the copy in the EARLIEST source hour is kept (the transform already
 * kept the first copy within a file). How it stays cheap: every copy's key is in `event_copies`
 * with its source hour, and copies of one key share created_at, so all copies of the batch's keys
 * are in the few hour buckets its events fall into — a zone-map-pruned read of the index, whatever
 * the lake's size. Comparing each key's keeper before and after the batch says exactly which rows
 * move: a batch hour publishes the copies it keeps and sets aside the others; an older hour that
 * kept a key the batch now keeps (hours processed out of order) loses it; an hour that kept a key
 * the batch's redone hour no longer holds regains it from the set-aside rows. Every move is a row
 * of the change log (−1 for the copy that stops being kept, +1 for the one that starts), with the
 * pairs that cancel (a keeper changing hour with identical gold inputs) removed.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import {
  commitFilesDir,
  hourFromMs,
  hourToMs,
  partitionFile,
  silverEvents,
  silverPayloadDetails,
  stagedPartitionFile,
  type HourKey,
  type TableDecl,
} from '@ghlake/core';
import {
  columnList,
  keyEquals,
  keyList,
  queryNumber,
  queryRows,
  readParquet,
  runSql,
  sqlIdent,
  sqlString,
  typedSelectList,
  type OpenDuckDB,
} from '@ghlake/core/duckdb';
import type { JournalEntry } from './journal.js';
import { CHANGE_EVENTS, EVENT_COPIES, GOLD_INPUT_COLUMNS, SET_ASIDE_EVENTS, SET_ASIDE_PAYLOAD_DETAILS, SOURCE_HOURS } from '@ghlake/core/duckdb';

import { DEDUP_METADATA_KEY } from '@ghlake/core/duckdb';
export { DEDUP_METADATA_KEY };

export const hourIndex = (hour: HourKey): number => hourToMs(hour) / 3_600_000;
export const hourOfIndex = (index: number): HourKey => hourFromMs(index * 3_600_000);

export interface DedupResult {
  /** Distinct events the batch hours publish. */
  published: number;
  /** Copies in the batch hours that an earlier hour keeps (set aside). */
  setAside: number;
  /** Older hours whose partitions were rewritten (they lost or regained keys). */
  rewrittenHours: HourKey[];
  /** Change-log rows written (after cancelling). */
  changes: number;
}

const KEY = keyList(silverEvents);
const goldCols = GOLD_INPUT_COLUMNS.map(sqlIdent).join(', ');
const keyMatch = (a: string, b: string) => keyEquals(silverEvents, a, b);

/** A relation over staged files with their source hour (from the batch, not from parsing paths). */
export function stagedRelation(files: { file: string; sourceHour: number }[], table: TableDecl): string {
  const map = files.map((f) => `(${sqlString(f.file)}, ${f.sourceHour})`).join(', ');
  return `(SELECT ${typedSelectList(table, { qualifier: 'r' })}, m.source_hour, r.file_row_number AS source_row
     FROM ${readParquet(
       files.map((f) => f.file),
       { filename: true, fileRowNumber: true },
     )} r JOIN (VALUES ${map}) m(file, source_hour) ON r.filename = m.file)`;
}

export async function kvMetadata(db: OpenDuckDB, file: string): Promise<Record<string, string>> {
  const rows = await queryRows(db.connection, `SELECT decode(key) AS k, decode(value) AS v FROM parquet_kv_metadata(${sqlString(file)})`).catch(() => []);
  const out: Record<string, string> = {};
  for (const row of rows) if (typeof row.k === 'string' && typeof row.v === 'string') out[row.k] = row.v;
  return out;
}

export const kvClause = (metadata: Record<string, string>) =>
  Object.keys(metadata).length === 0
    ? ''
    : `, KV_METADATA {${Object.entries(metadata)
        .map(([k, v]) => `${sqlIdent(k)}: ${sqlString(v)}`)
        .join(', ')}}`;

/**
 * Deduplicate the batch (inside the commit's transaction): update the index, the set-aside rows
 * and the change log; write every partition file that changes into the commit folder and return
 * the journal entries that publish them.
 */
export async function dedupBatch(
  db: OpenDuckDB,
  lake: string,
  seq: number,
  hours: readonly HourKey[],
  /** Runs on the staged rows (`d_new`) before anything is compared: returns the source hours whose rows it changed. */
  prepare?: () => Promise<ReadonlySet<number>>,
): Promise<{ result: DedupResult; journal: JournalEntry[] }> {
  const c = db.connection;
  const journal: JournalEntry[] = [];
  const batch = hours.map(hourIndex);
  const inBatch = `(${batch.join(', ')})`;
  const stagedEvents = hours.map((h) => ({ file: stagedPartitionFile(lake, silverEvents.name, h), sourceHour: hourIndex(h) }));
  const stagedDetails = hours.map((h) => ({ file: stagedPartitionFile(lake, silverPayloadDetails.name, h), sourceHour: hourIndex(h) }));

  await runSql(c, `CREATE OR REPLACE TEMP TABLE d_new AS SELECT * FROM ${stagedRelation(stagedEvents, silverEvents)}`, 'reading the staged silver events');
  // The staged payload details are read only when a batch hour sets rows aside: the transform writes
  // one details row per events row (same keys), so no set-aside event means no set-aside details row.
  let detailsRead = false;
  const readDetails = async () => {
    if (detailsRead) return;
    detailsRead = true;
    await runSql(
      c,
      `CREATE OR REPLACE TEMP TABLE d_new_details AS SELECT * FROM ${stagedRelation(stagedDetails, silverPayloadDetails)}`,
      'reading the staged payload details',
    );
  };
  const prepared = prepare ? await prepare() : new Set<number>();

  // Copies the batch hours had from an earlier consolidation (a redone hour), found through their span.
  const span = await queryRows(c, `SELECT min(min_created_at) AS lo, max(max_created_at) AS hi FROM ${SOURCE_HOURS.name} WHERE source_hour IN ${inBatch}`);
  const oldLo = span[0]?.lo;
  await runSql(
    c,
    oldLo === null || oldLo === undefined
      ? `CREATE OR REPLACE TEMP TABLE d_old AS SELECT * FROM ${EVENT_COPIES.name} WHERE false`
      : `CREATE OR REPLACE TEMP TABLE d_old AS SELECT * FROM ${EVENT_COPIES.name}
           WHERE source_hour IN ${inBatch} AND created_at BETWEEN (SELECT min(min_created_at) FROM ${SOURCE_HOURS.name} WHERE source_hour IN ${inBatch})
                                              AND (SELECT max(max_created_at) FROM ${SOURCE_HOURS.name} WHERE source_hour IN ${inBatch})`,
  );
  await runSql(c, `CREATE OR REPLACE TEMP TABLE d_keys AS SELECT DISTINCT ${KEY} FROM (SELECT ${KEY} FROM d_new UNION ALL SELECT ${KEY} FROM d_old)`);
  // Every copy of those keys in the lake: they share created_at, so the span of the keys bounds the read.
  await runSql(
    c,
    `CREATE OR REPLACE TEMP TABLE d_before AS SELECT e.* FROM ${EVENT_COPIES.name} e SEMI JOIN d_keys k ON ${keyMatch('e', 'k')}
       WHERE e.created_at BETWEEN (SELECT min(created_at) FROM d_keys) AND (SELECT max(created_at) FROM d_keys)`,
    'reading the event-copy index',
  );
  // Keys new to the lake, one copy each (every hour of an hourly run whose events are new, a first backfill): each
  // staged row is its key's keeper, nothing before changes — the keepers and the change log come from the staged rows
  // as they are (the general path below gives the same rows at several joins' cost: docs/bench-pipeline.md).
  const allNew =
    (await queryNumber(c, `SELECT count(*) FROM d_before`)) === 0 &&
    (await queryNumber(c, `SELECT count(*) FROM d_keys`)) === (await queryNumber(c, `SELECT count(*) FROM d_new`));
  if (allNew) {
    await runSql(c, `CREATE OR REPLACE TEMP TABLE d_keepers AS SELECT ${KEY}, CAST(NULL AS INTEGER) AS keep_before, source_hour AS keep_after FROM d_new`);
    await runSql(
      c,
      `INSERT INTO ${CHANGE_EVENTS.name} (${goldCols}, seq, sign) SELECT ${goldCols}, ${seq}, CAST(1 AS TINYINT) FROM d_new`,
      'writing the change log',
    );
  } else {
    await runSql(
      c,
      `CREATE OR REPLACE TEMP TABLE d_after AS
         SELECT ${goldCols}, source_hour FROM d_before WHERE source_hour NOT IN ${inBatch}
         UNION ALL SELECT ${goldCols}, source_hour FROM d_new`,
    );
    await runSql(
      c,
      `CREATE OR REPLACE TEMP TABLE d_keepers AS
         SELECT ${KEY}, b.keep AS keep_before, a.keep AS keep_after
         FROM (SELECT ${KEY}, min(source_hour) AS keep FROM d_before GROUP BY ${KEY}) b
         FULL OUTER JOIN (SELECT ${KEY}, min(source_hour) AS keep FROM d_after GROUP BY ${KEY}) a USING (${KEY})`,
    );

    // ---- change log: the kept copy of each key before and after, where that can differ ----------
    const changed = `(k.keep_before IS DISTINCT FROM k.keep_after OR k.keep_before IN ${inBatch} OR k.keep_after IN ${inBatch})`;
    // A key has at most one copy per source hour, so at most one −1 row (its keeper before) and one +1
    // row (its keeper after): only keys with a −1 row can cancel, and the +1 rows of the other keys
    // (nearly all of a new hour's) go to the log as they are, without grouping them.
    await runSql(
      c,
      `CREATE OR REPLACE TEMP TABLE d_minus AS SELECT ${GOLD_INPUT_COLUMNS.map((n) => `b.${sqlIdent(n)}`).join(', ')}
         FROM d_before b JOIN d_keepers k ON ${keyMatch('b', 'k')} AND b.source_hour = k.keep_before WHERE ${changed}`,
    );
    const plus = `SELECT ${GOLD_INPUT_COLUMNS.map((n) => `a.${sqlIdent(n)}`).join(', ')}
           FROM d_after a JOIN d_keepers k ON ${keyMatch('a', 'k')} AND a.source_hour = k.keep_after WHERE ${changed}`;
    await runSql(
      c,
      `INSERT INTO ${CHANGE_EVENTS.name} (${goldCols}, seq, sign)
       SELECT ${goldCols}, ${seq}, CAST(1 AS TINYINT) FROM (${plus}) p ANTI JOIN d_minus m ON ${keyMatch('p', 'm')}
       UNION ALL
       SELECT ${goldCols}, ${seq}, CAST(sum(sign) AS TINYINT) FROM (
         SELECT *, -1 AS sign FROM d_minus
         UNION ALL
         SELECT p.*, 1 AS sign FROM (${plus}) p SEMI JOIN d_minus m ON ${keyMatch('p', 'm')}
       ) GROUP BY ALL HAVING sum(sign) <> 0`,
      'writing the change log',
    );
  }
  const changes = await queryNumber(c, `SELECT count(*) FROM ${CHANGE_EVENTS.name} WHERE seq = ${seq}`);

  // ---- the batch hours: publish what they keep, set aside the rest -----------------------------
  await runSql(c, `DELETE FROM ${SET_ASIDE_EVENTS.name} WHERE source_hour IN ${inBatch}`);
  await runSql(c, `DELETE FROM ${SET_ASIDE_PAYLOAD_DETAILS.name} WHERE source_hour IN ${inBatch}`);
  // A staged row is set aside only when its key has another, earlier copy: with one copy per key
  // after the batch (as many copies as keys), there is nothing to look for.
  const moreCopiesThanKeys =
    !allNew && (await queryNumber(c, `SELECT count(*) FROM d_after`)) !== (await queryNumber(c, `SELECT count(*) FROM d_keepers WHERE keep_after IS NOT NULL`));
  if (moreCopiesThanKeys) {
    await runSql(
      c,
      `INSERT INTO ${SET_ASIDE_EVENTS.name} SELECT n.* FROM d_new n JOIN d_keepers k ON ${keyMatch('n', 'k')} WHERE k.keep_after <> n.source_hour`,
    );
  }
  const setAsideByHour = new Map(
    (await queryRows(c, `SELECT source_hour, count(*) AS n FROM ${SET_ASIDE_EVENTS.name} WHERE source_hour IN ${inBatch} GROUP BY source_hour`)).map((r) => [
      Number(r.source_hour),
      Number(r.n),
    ]),
  );
  if (setAsideByHour.size > 0) {
    await readDetails();
    await runSql(
      c,
      `INSERT INTO ${SET_ASIDE_PAYLOAD_DETAILS.name} SELECT n.* FROM d_new_details n JOIN d_keepers k ON ${keyMatch('n', 'k')} WHERE k.keep_after <> n.source_hour`,
    );
  }
  let setAside = 0;
  const commitDir = commitFilesDir(lake, seq);
  for (const [i, hour] of hours.entries()) {
    const removed = setAsideByHour.get(batch[i]!) ?? 0;
    setAside += removed;
    for (const [table, staged, relation] of [
      [silverEvents, stagedEvents[i]!.file, 'd_new'],
      [silverPayloadDetails, stagedDetails[i]!.file, 'd_new_details'],
    ] as const) {
      const target = partitionFile(lake, 'silver', table.name, hour);
      if (removed === 0 && !(table === silverEvents && prepared.has(batch[i]!))) {
        journal.push({ op: 'move', src: staged, dst: target });
        continue;
      }
      if (relation === 'd_new_details') await readDetails();
      const metadata = await kvMetadata(db, staged);
      if (removed > 0) metadata[DEDUP_METADATA_KEY] = String(removed);
      const out = path.join(commitDir, table.name, `${hour}.parquet`);
      await fs.mkdir(path.dirname(out), { recursive: true });
      await runSql(
        c,
        `COPY (SELECT ${columnList(table, 'n')} FROM ${relation} n JOIN d_keepers k ON ${keyMatch('n', 'k')}
               WHERE n.source_hour = ${batch[i]} AND k.keep_after = n.source_hour ORDER BY n.source_row)
         TO ${sqlString(out)} (FORMAT parquet, COMPRESSION snappy${kvClause(metadata)})`,
        `writing ${table.name} of ${hour}`,
      );
      journal.push({ op: 'move', src: out, dst: target }, { op: 'delete', dst: staged });
    }
  }

  // ---- older hours that lose or regain keys ------------------------------------------------------
  await runSql(
    c,
    `CREATE OR REPLACE TEMP TABLE d_moves AS
       SELECT ${KEY}, keep_before AS source_hour, 'lose' AS kind FROM d_keepers
         WHERE keep_before IS NOT NULL AND keep_before NOT IN ${inBatch} AND keep_before IS DISTINCT FROM keep_after
       UNION ALL
       SELECT ${KEY}, keep_after AS source_hour, 'regain' AS kind FROM d_keepers
         WHERE keep_after IS NOT NULL AND keep_after NOT IN ${inBatch} AND keep_before IS DISTINCT FROM keep_after`,
  );
  const others = (await queryRows(c, `SELECT DISTINCT source_hour FROM d_moves ORDER BY 1`)).map((r) => Number(r.source_hour));
  const rewrittenHours: HourKey[] = [];
  for (const index of others) {
    const hour = hourOfIndex(index);
    rewrittenHours.push(hour);
    for (const [table, aside] of [
      [silverEvents, SET_ASIDE_EVENTS.name],
      [silverPayloadDetails, SET_ASIDE_PAYLOAD_DETAILS.name],
    ] as const) {
      const published = partitionFile(lake, 'silver', table.name, hour);
      const metadata = await kvMetadata(db, published);
      const lost = `(SELECT ${KEY} FROM d_moves WHERE source_hour = ${index} AND kind = 'lose')`;
      const regained = `(SELECT ${KEY} FROM d_moves WHERE source_hour = ${index} AND kind = 'regain')`;
      const current = `(SELECT *, file_row_number AS source_row FROM ${readParquet(published, { fileRowNumber: true })})`;
      const lostCount = await queryNumber(c, `SELECT count(*) FROM d_moves WHERE source_hour = ${index} AND kind = 'lose'`);
      const regainedCount = await queryNumber(c, `SELECT count(*) FROM d_moves WHERE source_hour = ${index} AND kind = 'regain'`);
      metadata[DEDUP_METADATA_KEY] = String(Math.max(0, Number(metadata[DEDUP_METADATA_KEY] ?? 0) + lostCount - regainedCount));
      const out = path.join(commitDir, table.name, `${hour}.parquet`);
      await fs.mkdir(path.dirname(out), { recursive: true });
      await runSql(
        c,
        `COPY (
           SELECT ${columnList(table)} FROM (
             SELECT ${columnList(table, 'p')}, 0 AS part, p.source_row FROM ${current} p WHERE (${KEY}) NOT IN ${lost}
             UNION ALL
             SELECT ${columnList(table, 's')}, 1 AS part, s.source_row FROM ${aside} s WHERE s.source_hour = ${index} AND (${KEY}) IN ${regained}
           ) ORDER BY part, source_row
         ) TO ${sqlString(out)} (FORMAT parquet, COMPRESSION snappy${kvClause(metadata)})`,
        `rewriting ${table.name} of ${hour}`,
      );
      await runSql(c, `DELETE FROM ${aside} WHERE source_hour = ${index} AND (${KEY}) IN ${regained}`);
      await runSql(c, `INSERT INTO ${aside} SELECT ${columnList(table, 'p')}, ${index}, p.source_row FROM ${current} p WHERE (${KEY}) IN ${lost}`);
      journal.push({ op: 'move', src: out, dst: published });
    }
  }

  // The hours rewritten above were written by this commit too (what a reader of the lake's changes,
  // e.g. an incremental upload, follows: source_hours.seq).
  if (others.length > 0) await runSql(c, `UPDATE ${SOURCE_HOURS.name} SET seq = ${seq} WHERE source_hour IN (${others.join(', ')})`);

  // ---- the index ------------------------------------------------------------------------------
  if (oldLo !== null && oldLo !== undefined) {
    await runSql(
      c,
      `DELETE FROM ${EVENT_COPIES.name} WHERE source_hour IN ${inBatch}
         AND created_at BETWEEN (SELECT min(min_created_at) FROM ${SOURCE_HOURS.name} WHERE source_hour IN ${inBatch})
                            AND (SELECT max(max_created_at) FROM ${SOURCE_HOURS.name} WHERE source_hour IN ${inBatch})`,
    );
  }
  await runSql(c, `INSERT INTO ${EVENT_COPIES.name} (${goldCols}, source_hour) SELECT ${goldCols}, source_hour FROM d_new ORDER BY created_at`);
  await runSql(c, `DELETE FROM ${SOURCE_HOURS.name} WHERE source_hour IN ${inBatch}`);
  await runSql(
    c,
    `INSERT INTO ${SOURCE_HOURS.name}
       SELECT b.source_hour, min(n.created_at), max(n.created_at), count(n.event_id), ${seq}
       FROM (SELECT unnest([${batch.join(', ')}]) AS source_hour) b LEFT JOIN d_new n USING (source_hour) GROUP BY b.source_hour`,
  );
  // Every staged row's key has a keeper (its own copy is a candidate): a row is published or set aside.
  const published = (await queryNumber(c, `SELECT count(*) FROM d_new`)) - setAside;
  for (const t of ['d_new', 'd_new_details', 'd_old', 'd_keys', 'd_before', 'd_after', 'd_keepers', 'd_minus', 'd_moves'])
    await runSql(c, `DROP TABLE IF EXISTS ${t}`);
  return { result: { published, setAside, rewrittenHours, changes }, journal };
}
