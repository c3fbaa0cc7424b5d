/**
 * `rebuildSilver`: silver recomputed from every hour in the lake, and its incremental state made
 * anew from that — for a lake written before the incremental state existed, a lost or damaged
 * `_state/state.duckdb`, or on request (`ghlake silver --rebuild`). Cost: the lake.
 *
 *   1. finish a pending commit; put copies set aside back into their partitions, so every hour holds
 *      all its copies again (hours staged anew replace theirs);
 *   2. Timeline logins resolved across the lake (login-ids.ts): partitions whose rows carry another
 *      answer than the lake's are rewritten;
 *      the full dedup (rebuild/full-dedup.ts): the earliest source hour keeps each key, the other
 *      copies are set aside;
 *   3. the event-copy index and source hours from the partitions and the set-aside copies;
 *   4. the entity tables folded from every observation partition (rebuild/full-fold.ts), synthetic
 *      account ids mapped to the lake's id of their login, with each attribute's recency, published whole;
 *   5. the change log emptied and gold told to rebuild (its state was counted from the old silver).
 *
 * Each partition is replaced by rename, each step can be repeated, and the state changes in one
 * transaction at the end: a rebuild killed half-way is simply run again.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import {
  ENTITY_RULES,
  partitionFile,
  partitionGlob,
  silverEvents,
  silverPayloadDetails,
  stagedPartitionFile,
  tableDir,
  tempPathFor,
  commitFile,
  type HourKey,
  type TableDecl,
} from '@ghlake/core';
import {
  CHANGE_EVENTS,
  EVENT_COPIES,
  GOLD_INPUT_COLUMNS,
  SET_ASIDE_EVENTS,
  SET_ASIDE_PAYLOAD_DETAILS,
  SILVER_HEAD,
  SILVER_JOURNAL,
  SILVER_STATE_TABLES,
  SOURCE_HOURS,
  HIVE_SOURCE_HOUR,
  columnList,
  emptyRelation,
  entityChangeTable,
  entityStateTable,
  inTransaction,
  keyedFileName,
  listKeyedFiles,
  listPartitionFiles,
  openStateDb,
  queryNumber,
  queryRows,
  readMeta,
  readParquet,
  runSql,
  sqlIdent,
  sqlString,
  typedSelectList,
  writeMeta,
  type OpenDuckDB,
} from '@ghlake/core/duckdb';
import { hourIndex, hourOfIndex } from './event-dedup.js';
import { applyJournal, removeAbandonedCommits } from './journal.js';
import { mappedObservations, replaceLoginState, resolveLake } from './login-ids.js';
import { STAGED_TABLES, recordSilverHead, stagedHours } from './staged-hours.js';
import { dedupPartitionedTable } from './rebuild/full-dedup.js';
import { ENTITY_FOLDS, entityFoldStatements } from './rebuild/full-fold.js';

export interface SilverRebuildResult {
  head: number;
  /** Distinct events in silver after the rebuild. */
  events: number;
  /** Copies set aside (held by a later hour than the one that keeps them). */
  setAside: number;
  /** Hours whose staged silver was published by the rebuild. */
  published: HourKey[];
  entities: { table: string; rows: number }[];
  ms: number;
  /** Wall time of the steps, ms. */
  timings: { dedup: number; index: number; entities: number };
}

/** Gold's head in the state database; −1 tells gold to rebuild (see packages/gold). */
const GOLD_HEAD = 'gold.head';

async function restoreSetAside(db: OpenDuckDB, lake: string, table: TableDecl, aside: string, skip: ReadonlySet<HourKey>): Promise<void> {
  const hours = (await queryRows(db.connection, `SELECT DISTINCT source_hour FROM ${aside} ORDER BY 1`)).map((r) => hourOfIndex(Number(r.source_hour)));
  for (const hour of hours) {
    if (skip.has(hour)) continue;
    const file = partitionFile(lake, 'silver', table.name, hour);
    const tmp = tempPathFor(file);
    await runSql(
      db.connection,
      `COPY (SELECT ${columnList(table)} FROM (
          SELECT ${columnList(table)}, 0 AS part, file_row_number AS r FROM ${readParquet(file, { fileRowNumber: true })}
          UNION ALL SELECT ${columnList(table)}, 1 AS part, source_row AS r FROM ${aside} WHERE source_hour = ${hourIndex(hour)}
        ) ORDER BY part, r) TO ${sqlString(tmp)} (FORMAT parquet, COMPRESSION snappy)`,
      `restoring the copies of ${file}`,
    );
    await commitFile(tmp, file);
  }
  await runSql(db.connection, `DELETE FROM ${aside}`);
}

async function rebuildEntity(db: OpenDuckDB, lake: string, seq: number, ruleIndex: number): Promise<number> {
  const rule = ENTITY_RULES[ruleIndex]!;
  const fold = ENTITY_FOLDS[ruleIndex]!;
  const c = db.connection;
  const state = entityStateTable(rule).name;
  const id = sqlIdent(rule.id);
  const partitions = await listPartitionFiles(lake, rule.observations);
  await runSql(c, `DELETE FROM ${state}`);
  if (partitions.length > 0) {
    const observations = `(SELECT *, ${HIVE_SOURCE_HOUR} AS source_hour FROM ${readParquet(
      partitions.map((p) => p.file),
      { hive: true, fileRowNumber: true },
    )})`;
    const plan = entityFoldStatements(fold, mappedObservations(rule, observations), `rebuild_${rule.entity.name}`, { withRecency: true });
    try {
      for (const statement of plan.setup) await runSql(c, statement, `folding ${rule.entity.name}`);
      await runSql(c, `INSERT INTO ${state} BY NAME ${plan.select}`, `writing ${state}`);
    } finally {
      for (const statement of plan.cleanup) await runSql(c, statement).catch(() => undefined);
    }
  }
  // Published whole; everything else in the folder (a pre-incremental part-0.parquet, older files) goes.
  const dir = tableDir(lake, 'silver', rule.entity.name);
  await fs.mkdir(dir, { recursive: true });
  const target = path.join(dir, keyedFileName(seq, true));
  const tmp = tempPathFor(target);
  await runSql(c, `COPY (SELECT ${typedSelectList(rule.entity)} FROM ${state} ORDER BY ${id}) TO ${sqlString(tmp)} (FORMAT parquet, COMPRESSION snappy)`);
  await commitFile(tmp, target);
  for (const f of await listKeyedFiles(dir)) if (f.path !== target) await fs.rm(f.path, { force: true });
  await fs.rm(path.join(dir, 'part-0.parquet'), { force: true });
  return queryNumber(c, `SELECT count(*) FROM ${state}`);
}

export async function rebuildSilver(config: { lake: string; memoryLimit: number; threads: number }, open?: OpenDuckDB): Promise<SilverRebuildResult> {
  const started = performance.now();
  const lake = config.lake;
  const db = open ?? (await openStateDb(lake, { memoryLimit: config.memoryLimit, threads: config.threads }, SILVER_STATE_TABLES));
  try {
    const c = db.connection;
    await applyJournal(db, lake);
    await removeAbandonedCommits(db, lake);
    const { ready } = await stagedHours(lake);
    const staged = new Set(ready);
    await restoreSetAside(db, lake, silverEvents, SET_ASIDE_EVENTS.name, staged);
    await restoreSetAside(db, lake, silverPayloadDetails, SET_ASIDE_PAYLOAD_DETAILS.name, staged);
    for (const hour of ready) {
      for (const table of STAGED_TABLES) {
        const target = partitionFile(lake, 'silver', table.name, hour);
        await fs.mkdir(path.dirname(target), { recursive: true });
        await fs.rename(stagedPartitionFile(lake, table.name, hour), target);
      }
    }
    // Timeline logins resolved across the lake before the dedup, so every copy carries the lake's ids.
    await resolveLake(db, lake, staged);
    const timings = { dedup: 0, index: 0, entities: 0 };
    let t0 = performance.now();
    await dedupPartitionedTable(c, lake, silverEvents, SET_ASIDE_EVENTS.name);
    await dedupPartitionedTable(c, lake, silverPayloadDetails, SET_ASIDE_PAYLOAD_DETAILS.name);
    timings.dedup = Math.round(performance.now() - t0);

    const seq = ((await readMeta(db, SILVER_HEAD)) ?? 0) + 1;
    const entities: { table: string; rows: number }[] = [];
    await inTransaction(db, async () => {
      const gold = GOLD_INPUT_COLUMNS.map(sqlIdent).join(', ');
      const published = (await listPartitionFiles(lake, silverEvents)).length
        ? `(SELECT ${gold}, ${HIVE_SOURCE_HOUR} AS source_hour FROM ${readParquet(partitionGlob(lake, 'silver', 'events'), { hive: true })})`
        : `(SELECT ${gold}, CAST(NULL AS INTEGER) AS source_hour FROM ${emptyRelation(silverEvents)})`;
      await runSql(c, `DELETE FROM ${EVENT_COPIES.name}`);
      await runSql(
        c,
        `INSERT INTO ${EVENT_COPIES.name} (${gold}, source_hour)
           SELECT * FROM (SELECT * FROM ${published} UNION ALL SELECT ${gold}, source_hour FROM ${SET_ASIDE_EVENTS.name}) ORDER BY created_at`,
        'rebuilding the event-copy index',
      );
      await runSql(c, `DELETE FROM ${SOURCE_HOURS.name}`);
      await runSql(
        c,
        `INSERT INTO ${SOURCE_HOURS.name} SELECT source_hour, min(created_at), max(created_at), count(*), ${seq} FROM ${EVENT_COPIES.name} GROUP BY source_hour`,
      );
      timings.index = Math.round(performance.now() - t0 - timings.dedup);
      t0 = performance.now();
      await replaceLoginState(db);
      for (const [i, rule] of ENTITY_RULES.entries()) entities.push({ table: rule.entity.name, rows: await rebuildEntity(db, lake, seq, i) });
      timings.entities = Math.round(performance.now() - t0);
      await runSql(c, `DELETE FROM ${CHANGE_EVENTS.name}`);
      for (const rule of ENTITY_RULES) await runSql(c, `DELETE FROM ${entityChangeTable(rule).name}`);
      await runSql(c, `DELETE FROM ${SILVER_JOURNAL.name}`);
      await writeMeta(db, SILVER_HEAD, seq);
      await writeMeta(db, GOLD_HEAD, -1);
    });
    // Observation partitions of hours with no events still count as consolidated hours.
    const events = await queryNumber(c, `SELECT count(*) FROM (SELECT DISTINCT event_id, event_type, created_at FROM ${EVENT_COPIES.name})`);
    const setAside = await queryNumber(c, `SELECT count(*) FROM ${SET_ASIDE_EVENTS.name}`);
    await recordSilverHead(db, lake, seq);
    return { head: seq, events, setAside, published: ready, entities, ms: Math.round(performance.now() - started), timings };
  } finally {
    if (!open) db.close();
  }
}
