/**
 * The entity tables (silver.actors, .repositories, .organizations) merged with a batch's
 * observations, not refolded from every hour.
 *
 * The rule (core's ENTITY_RULES): first_seen_at = min, last_seen_at = max, and each attribute is
 * its value in the latest observation where it is non-NULL, "latest" by (its group's seen-at, the
 * source hour). `<entity>_state` keeps, per id, each attribute's value with the (seen-at, source
 * hour) that gave it, so the state is itself a valid observation: merging = the rule applied over
 * the state row and the batch's observation rows of each touched id. Re-merging an hour's
 * unchanged observations changes nothing (max and min are idempotent).
 *
 * Retracting: an hour redone with DIFFERENT observations (a changed source file, a changed
 * transform) cannot be subtracted from a max. Its ids — only those whose rows differ — are refolded
 * from every observation partition that has them: the one path here that reads the whole lake, and
 * only for those ids.
 */
import path from 'node:path';
import { commitFilesDir, entityAttributes, partitionFile, stagedPartitionFile, tableDir, type EntityRule, type HourKey, partitionGlob } from '@ghlake/core';
import {
  columnList,
  emptyRelation,
  keyedFileName,
  listKeyedFiles,
  liveKeyedFiles,
  queryNumber,
  queryRows,
  readParquet,
  runSql,
  shouldCompact,
  sqlIdent,
  sqlString,
  typedSelectList,
  type OpenDuckDB,
} from '@ghlake/core/duckdb';
import { promises as fs } from 'node:fs';
import type { JournalEntry } from './journal.js';
import { hourIndex } from './event-dedup.js';
import { accountLogin, mappedObservations } from './login-ids.js';
import { HIVE_SOURCE_HOUR, LOGIN_IDS, entityChangeTable, entityStateTable, hourColumn, seenColumn } from '@ghlake/core/duckdb';

export interface EntityMergeResult {
  table: string;
  /** Ids the batch observed. */
  observed: number;
  /** Ids whose row changed (written to the table's delta and the change log). */
  changed: number;
  /** Ids refolded from every hour because a redone hour's observations changed. */
  refolded: number;
  /** Rows of the table after the commit. */
  rows: number;
  /** The commit rewrote the table whole (a compaction). */
  compacted: boolean;
}

/**
 * (seen_at, source hour) packed into one BIGINT so that "latest" is a plain max: seen_at in milliseconds (every
 * created_at ghlake writes is whole milliseconds) × 2^20 + the hour (hours since the epoch stay below 2^20 until
 * 2089); below 2^63 until the year 2248. A BIGINT key costs DuckDB's arg_max less than the HUGEINT of microseconds
 * it was (docs/bench-pipeline.md).
 */
const packKey = (seen: string, hour: string) => `(epoch_ms(${seen}) * 1048576 + ${hour})`;
const unpackSeen = (key: string) => `make_timestamp(CAST(${key} // 1048576 AS BIGINT) * 1000)`;
const unpackHour = (key: string) => `CAST(${key} % 1048576 AS INTEGER)`;

export async function mergeEntities(
  db: OpenDuckDB,
  lake: string,
  seq: number,
  rule: EntityRule,
  hours: readonly HourKey[],
  publishedObservationsExist: ReadonlySet<HourKey>,
): Promise<{ result: EntityMergeResult; journal: JournalEntry[] }> {
  const c = db.connection;
  const journal: JournalEntry[] = [];
  const obs = rule.observations;
  const state = entityStateTable(rule).name;
  const id = sqlIdent(rule.id);
  const attributes = entityAttributes(rule);
  const batch = hours.map(hourIndex);
  const inBatch = `(${batch.join(', ')})`;
  const withHour = (files: { file: string; sourceHour: number }[]) =>
    files.length === 0
      ? `(SELECT *, CAST(NULL AS INTEGER) AS source_hour FROM ${emptyRelation(obs)})`
      : `(SELECT ${typedSelectList(obs, { qualifier: 'r' })}, m.source_hour FROM ${readParquet(
          files.map((f) => f.file),
          { filename: true },
        )} r JOIN (VALUES ${files.map((f) => `(${sqlString(f.file)}, ${f.sourceHour})`).join(', ')}) m(file, source_hour) ON r.filename = m.file)`;

  await runSql(
    c,
    `CREATE OR REPLACE TEMP TABLE e_new_raw AS SELECT * FROM ${withHour(hours.map((h, i) => ({ file: stagedPartitionFile(lake, obs.name, h), sourceHour: batch[i]! })))}`,
  );
  const redone = hours.filter((h) => publishedObservationsExist.has(h));
  await runSql(
    c,
    `CREATE OR REPLACE TEMP TABLE e_old AS SELECT * FROM ${withHour(redone.map((h) => ({ file: partitionFile(lake, 'silver', obs.name, h), sourceHour: hourIndex(h) })))}`,
  );
  // Ids whose observation rows differ between the hour's previous consolidation and this one
  // (observation partitions keep the transform's ids: compared as written, mapped below).
  const login = accountLogin(rule);
  await runSql(
    c,
    `CREATE OR REPLACE TEMP TABLE e_retract_raw AS SELECT DISTINCT ${id}${login ? `, lower(${sqlIdent(login)}) AS login` : ''} FROM (
       (SELECT * FROM e_old EXCEPT SELECT * FROM e_new_raw WHERE source_hour IN (SELECT source_hour FROM e_old))
       UNION ALL
       (SELECT * FROM e_new_raw WHERE source_hour IN (SELECT source_hour FROM e_old) EXCEPT SELECT * FROM e_old))`,
  );
  // Accounts: a synthetic id is the lake's id of its login (login-ids.ts). A login the commit
  // learned moves its synthetic id's state row into the real id's (the rule is a max: exact); a
  // login whose id changed from one real id to another refolds both, like a redone hour.
  const synthetic = login ? await queryNumber(c, `SELECT count(*) FROM e_new_raw WHERE ${id} < 0`) : 0;
  // Nothing to map: the raw rows are the batch's rows (renamed, not copied).
  if (synthetic > 0) await runSql(c, `CREATE OR REPLACE TEMP TABLE e_new AS SELECT * FROM ${mappedObservations(rule, 'e_new_raw')}`);
  else {
    await runSql(c, `DROP TABLE IF EXISTS e_new`);
    await runSql(c, `ALTER TABLE e_new_raw RENAME TO e_new`);
  }
  if (login) {
    // A retracted synthetic id stands for its login's id now and before this commit (l_accounts).
    const retracted = (await queryNumber(c, `SELECT count(*) FROM e_retract_raw WHERE ${id} < 0`)) > 0;
    const mappedRetract = retracted
      ? `SELECT CASE WHEN r.${id} >= 0 THEN r.${id} ELSE coalesce(w.id, r.${id}) END AS ${id}
           FROM e_retract_raw r LEFT JOIN ${LOGIN_IDS.name} w ON w.login = CASE WHEN r.${id} < 0 THEN r.login END
         UNION SELECT CASE WHEN r.${id} >= 0 THEN r.${id} WHEN a.login IS NOT NULL THEN coalesce(a.old_id, r.${id}) ELSE coalesce(w.id, r.${id}) END
           FROM e_retract_raw r LEFT JOIN l_accounts a ON a.login = CASE WHEN r.${id} < 0 THEN r.login END
             LEFT JOIN ${LOGIN_IDS.name} w ON w.login = CASE WHEN r.${id} < 0 THEN r.login END`
      : `SELECT ${id} FROM e_retract_raw`;
    await runSql(
      c,
      `CREATE OR REPLACE TEMP TABLE e_retract AS ${mappedRetract}
         UNION SELECT old_id FROM l_accounts WHERE old_id IS NOT NULL
         UNION SELECT coalesce(new_id, synthetic_id) FROM l_accounts WHERE old_id IS NOT NULL`,
    );
    await runSql(
      c,
      `CREATE OR REPLACE TEMP TABLE e_move AS SELECT synthetic_id AS from_id, new_id AS to_id FROM l_accounts WHERE old_id IS NULL AND new_id IS NOT NULL`,
    );
  } else {
    await runSql(c, `CREATE OR REPLACE TEMP TABLE e_retract AS SELECT ${id} FROM e_retract_raw`);
    await runSql(c, `CREATE OR REPLACE TEMP TABLE e_move AS SELECT CAST(NULL AS BIGINT) AS from_id, CAST(NULL AS BIGINT) AS to_id WHERE false`);
  }
  await runSql(
    c,
    `CREATE OR REPLACE TEMP TABLE e_touched AS SELECT DISTINCT ${id} FROM (SELECT ${id} FROM e_new UNION ALL SELECT ${id} FROM e_retract
       UNION ALL SELECT from_id FROM e_move UNION ALL SELECT to_id FROM e_move)`,
  );
  await runSql(c, `CREATE OR REPLACE TEMP TABLE e_old_state AS SELECT s.* FROM ${state} s SEMI JOIN e_touched t ON s.${id} = t.${id}`, `reading ${state}`);
  const refolded = await queryNumber(c, `SELECT count(*) FROM e_retract`);

  // Candidates per touched id: the state row (ids not refolded), every observation of a refolded id
  // from the hours outside the batch, and the batch's observations.
  const keyName = (attribute: string) => sqlIdent(`${attribute}__key`);
  const obsCandidate = (alias: string) =>
    [
      `${alias}.${id} AS ${id}`,
      ...attributes.flatMap(({ attribute, seenAt }) => {
        const a = `${alias}.${sqlIdent(attribute)}`;
        return [
          `${a} AS ${sqlIdent(attribute)}`,
          `CASE WHEN ${a} IS NOT NULL THEN ${packKey(`${alias}.${sqlIdent(seenAt)}`, `${alias}.source_hour`)} END AS ${keyName(attribute)}`,
        ];
      }),
      `${alias}."first_seen_at" AS "first_seen_at"`,
      `${alias}."last_seen_at" AS "last_seen_at"`,
    ].join(', ');
  const stateCandidate = [
    `s.${id} AS ${id}`,
    ...attributes.flatMap(({ attribute }) => {
      const a = `s.${sqlIdent(attribute)}`;
      return [
        `${a} AS ${sqlIdent(attribute)}`,
        `CASE WHEN ${a} IS NOT NULL THEN ${packKey(`s.${seenColumn(attribute)}`, `s.${hourColumn(attribute)}`)} END AS ${keyName(attribute)}`,
      ];
    }),
    `s."first_seen_at" AS "first_seen_at"`,
    `s."last_seen_at" AS "last_seen_at"`,
  ].join(', ');
  let olderObservations = '';
  if (refolded > 0) {
    const glob = partitionGlob(lake, 'silver', obs.name);
    const all = `(SELECT ${typedSelectList(obs)}, ${HIVE_SOURCE_HOUR} AS source_hour FROM ${readParquet(glob, { hive: true })})`;
    olderObservations = `UNION ALL SELECT ${obsCandidate('o')} FROM ${mappedObservations(rule, all)} o SEMI JOIN e_retract r ON o.${id} = r.${id} WHERE o.source_hour NOT IN ${inBatch}`;
  }
  const candidates = `
       SELECT ${stateCandidate} FROM (SELECT s.* REPLACE (coalesce(m.to_id, s.${id}) AS ${id}) FROM e_old_state s
         ANTI JOIN e_retract r ON s.${id} = r.${id} LEFT JOIN e_move m ON s.${id} = m.from_id) s
       ${olderObservations}
       UNION ALL SELECT ${obsCandidate('n')} FROM e_new n`;
  const stateColumns = rule.entity.columns.map((col) => {
    const name = sqlIdent(col.name);
    if (col.name === rule.id) return name;
    if (col.name === 'first_seen_at') return `min("first_seen_at") AS ${name}`;
    if (col.name === 'last_seen_at') return `max("last_seen_at") AS ${name}`;
    if (rule.constants && col.name in rule.constants) return `CAST(${rule.constants[col.name as keyof typeof rule.constants]} AS VARCHAR) AS ${name}`;
    return `arg_max(${name}, ${sqlIdent(`${col.name}__key`)}) AS ${name}`;
  });
  const keys = attributes.flatMap(({ attribute }) => {
    const k = `max(${sqlIdent(`${attribute}__key`)})`;
    return [`${unpackSeen(k)} AS ${seenColumn(attribute)}`, `${unpackHour(k)} AS ${hourColumn(attribute)}`];
  });
  await runSql(
    c,
    `CREATE OR REPLACE TEMP TABLE e_new_state AS SELECT ${[...stateColumns, ...keys].join(', ')} FROM (${candidates}) GROUP BY ${id}`,
    `merging ${rule.entity.name}`,
  );
  // arg_max skips rows whose key is NULL (no value): an attribute no candidate has stays NULL.
  await runSql(c, `DELETE FROM ${state} WHERE ${id} IN (SELECT ${id} FROM e_touched)`, `updating ${state}`);
  await runSql(c, `INSERT INTO ${state} BY NAME SELECT * FROM e_new_state`, `updating ${state}`);

  const entityCols = columnList(rule.entity);
  const change = entityChangeTable(rule).name;
  // Every row the commit observed goes to the change log (gold takes the attributes of the ids it
  // touches from there); only the rows that differ go to the published table's delta.
  // No state row before (a new lake, new ids only): every row is new, nothing to compare.
  const hadState = (await queryNumber(c, `SELECT count(*) FROM e_old_state`)) > 0;
  await runSql(
    c,
    hadState
      ? `CREATE OR REPLACE TEMP TABLE e_changed AS SELECT ${id} FROM (SELECT ${entityCols} FROM e_new_state EXCEPT SELECT ${entityCols} FROM e_old_state)`
      : `CREATE OR REPLACE TEMP TABLE e_changed AS SELECT ${id} FROM e_new_state`,
  );
  await runSql(c, `INSERT INTO ${change} BY NAME SELECT ${entityCols}, ${seq} AS seq, ${id} IN (SELECT ${id} FROM e_changed) AS changed FROM e_new_state`);
  const changed = await queryNumber(c, `SELECT count(*) FROM e_changed`);
  const observed = await queryNumber(c, `SELECT count(DISTINCT ${id}) FROM e_new`);
  const rows = await queryNumber(c, `SELECT count(*) FROM ${state}`);

  // ---- publish: a delta of the changed rows, or the whole table when it is time to compact -----
  const dir = tableDir(lake, 'silver', rule.entity.name);
  const { live, obsolete } = liveKeyedFiles(await listKeyedFiles(dir));
  const full = live[0]?.full ? live[0] : undefined;
  const deltas = full ? live.slice(1) : live;
  let compacted = false;
  // An id no hour observes any more (a redone hour was its only one) has no row to put in a delta:
  // the table is written whole without it.
  const vanished = await queryNumber(c, `SELECT count(*) FROM (SELECT ${id} FROM e_old_state EXCEPT SELECT ${id} FROM e_new_state)`);
  if (changed > 0 || vanished > 0 || live.length === 0) {
    const sizes = deltas.length
      ? await queryRows(c, `SELECT sum(num_rows) AS n FROM parquet_file_metadata([${deltas.map((d) => sqlString(d.path)).join(', ')}])`)
      : [{ n: 0 }];
    compacted =
      !full || vanished > 0 || shouldCompact({ fullRows: rows - changed, deltaRows: Number(sizes[0]?.n ?? 0) + changed, deltaFiles: deltas.length + 1 });
    const out = path.join(commitFilesDir(lake, seq), rule.entity.name, keyedFileName(seq, compacted));
    await fs.mkdir(path.dirname(out), { recursive: true });
    const select = compacted
      ? `SELECT ${typedSelectList(rule.entity)} FROM ${state} ORDER BY ${id}`
      : `SELECT ${typedSelectList(rule.entity)} FROM e_new_state WHERE ${id} IN (SELECT ${id} FROM e_changed) ORDER BY ${id}`;
    await runSql(c, `COPY (${select}) TO ${sqlString(out)} (FORMAT parquet, COMPRESSION snappy)`, `writing silver.${rule.entity.name}`);
    journal.push({ op: 'move', src: out, dst: path.join(dir, keyedFileName(seq, compacted)) });
  }
  // Files a previous compaction made obsolete: gone one commit later (a query reading them then has finished).
  for (const f of obsolete) journal.push({ op: 'delete', dst: f.path });
  for (const t of ['e_new_raw', 'e_new', 'e_old', 'e_retract_raw', 'e_retract', 'e_move', 'e_touched', 'e_old_state', 'e_new_state', 'e_changed'])
    await runSql(c, `DROP TABLE IF EXISTS ${t}`);
  return { result: { table: rule.entity.name, observed, changed, refolded, rows, compacted }, journal };
}
