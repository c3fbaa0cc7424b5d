/**
 * Timeline logins resolved across hours (docs/transform.md, Timeline, "Resolution across hours").
 *
 * A Timeline row whose actor or organization the transform left `synthetic` gets, at silver
 * commit, the id the lake knows for its login (`lake`); rows published earlier with another answer
 * are re-keyed when a commit learns or changes it, with the change log, the event-copy index and
 * the set-aside rows following exactly.
 *
 *   login_ids   per login (lower case), the winning evidence: the earliest (seen_at, id, source
 *               hour) over the consolidated hours' actor and organization observations that have a
 *               real id and a login — Events API actors and orgs, and Timeline accounts the
 *               transform resolved (actor_attributes, payload user objects). A min over a set: the
 *               same whatever order hours arrive in. Also the login's synthetic id once an hour
 *               carried it, so a commit knows from the rows it reads anyway whether a learned id
 *               concerns published rows (login_uses is read only then).
 *   login_uses  per consolidated hour, the logins it carries with a synthetic id, and the id its
 *               rows were given: the index of which hours to rewrite, read by login.
 *
 * Observation partitions stay as the transform wrote them (synthetic ids): the entity tables map
 * them through login_ids (`mappedObservations`), so evidence never comes from the lake's own
 * answers, and a rebuild finds the same evidence.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import {
  ENTITY_RULES,
  commitFile,
  commitFilesDir,
  partitionFile,
  silverEvents,
  stagedPartitionFile,
  tempPathFor,
  type EntityRule,
  type HourKey,
} from '@ghlake/core';
import {
  CHANGE_EVENTS,
  EVENT_COPIES,
  GOLD_INPUT_COLUMNS,
  HIVE_SOURCE_HOUR,
  LOGIN_IDS,
  LOGIN_USES,
  SET_ASIDE_EVENTS,
  SOURCE_HOURS,
  columnList,
  keyEquals,
  listPartitionFiles,
  queryNumber,
  queryRows,
  readParquet,
  runSql,
  sqlIdent,
  sqlString,
  typedSelectList,
  type OpenDuckDB,
} from '@ghlake/core/duckdb';
import { ID_SOURCE_LAKE, ID_SOURCE_SYNTHETIC } from '../identity.js';
import { hourIndex, hourOfIndex, kvClause, kvMetadata, stagedRelation } from './event-dedup.js';
import type { JournalEntry } from './journal.js';

/** The login column of an account entity's observations (actors, organizations: one login namespace on GitHub). */
const ACCOUNT_LOGIN: Readonly<Record<string, string>> = { actor_id: 'actor_login', org_id: 'org_login' };
export const accountLogin = (rule: EntityRule): string | undefined => ACCOUNT_LOGIN[rule.id];
const ACCOUNT_RULES = ENTITY_RULES.filter((r) => accountLogin(r) !== undefined);

/** Sources of a row id the lake may re-key: the transform's synthetic id, or an earlier lake answer. */
const REKEYABLE = `(${sqlString(ID_SOURCE_SYNTHETIC)}, ${sqlString(ID_SOURCE_LAKE)})`;

/** The id and login columns of an account relation (an observation table; `l_obs` names them id, login). */
interface AccountColumns {
  id: string;
  login: string;
}
const accountColumns = (rule: EntityRule): AccountColumns => ({ id: rule.id, login: accountLogin(rule)! });
const L_OBS: AccountColumns = { id: 'id', login: 'login' };

/** Every published observation partition of an account entity, with its source hour (`where`: a filter); undefined when there is none. */
async function publishedObservations(lake: string, rule: EntityRule, where = ''): Promise<string | undefined> {
  const files = await listPartitionFiles(lake, rule.observations);
  if (files.length === 0) return undefined;
  return `(SELECT *, ${HIVE_SOURCE_HOUR} AS source_hour FROM ${readParquet(
    files.map((f) => f.file),
    { hive: true },
  )} ${where})`;
}

/** Evidence of an account relation (with source_hour): a real id with a login, dated by the hour's first event of the account. */
function evidenceSelect(cols: AccountColumns, relation: string): string {
  const id = sqlIdent(cols.id);
  const login = sqlIdent(cols.login);
  return `SELECT lower(${login}) AS login, ${id} AS id, "first_seen_at" AS seen_at, source_hour FROM ${relation} WHERE ${id} > 0 AND ${login} IS NOT NULL AND ${login} <> ''`;
}

/** Logins an account relation carries with a synthetic id. */
function usesSelect(cols: AccountColumns, relation: string): string {
  const id = sqlIdent(cols.id);
  const login = sqlIdent(cols.login);
  return `SELECT DISTINCT lower(${login}) AS login, source_hour, ${id} AS synthetic_id FROM ${relation} WHERE ${id} < 0 AND ${login} IS NOT NULL AND ${login} <> ''`;
}

/** The rule: per login, the earliest evidence; ties by the smallest id, then the earliest hour. */
const winners = (relation: string) =>
  `SELECT login, id, seen_at, source_hour FROM ${relation} QUALIFY row_number() OVER (PARTITION BY login ORDER BY seen_at, id, source_hour) = 1`;

/**
 * An account observation relation with its synthetic ids replaced by the lake's id of their login
 * (`winnersTable`: login, id). Other entities: unchanged. Joined on a CASE key, never with a
 * one-sided condition in the ON clause: DuckDB plans that as a nested loop over every pair of rows
 * (a 20-hour lake's rebuild spent 110 s in three such joins).
 */
export function mappedObservations(rule: EntityRule, relation: string, winnersTable: string = LOGIN_IDS.name): string {
  const login = accountLogin(rule);
  if (!login) return relation;
  const id = sqlIdent(rule.id);
  return `(SELECT o.* REPLACE (CASE WHEN o.${id} < 0 THEN coalesce(w.id, o.${id}) ELSE o.${id} END AS ${id})
     FROM ${relation} o LEFT JOIN ${winnersTable} w ON w.login = CASE WHEN o.${id} < 0 THEN lower(o.${sqlIdent(login)}) END)`;
}

/**
 * silver.events rows of `relation` (alias p) re-keyed by `map` (old_id, new_id, new_source): a row
 * whose actor or org id the transform or the lake gave (synthetic / lake) and equals old_id.
 */
function rekeyedSelect(relation: string, map: string, extra = ''): string {
  const overrides = {
    actor_id: 'coalesce(ma.new_id, p."actor_id")',
    actor_id_source: 'coalesce(ma.new_source, p."actor_id_source")',
    org_id: 'coalesce(mo.new_id, p."org_id")',
    org_id_source: 'coalesce(mo.new_source, p."org_id_source")',
  };
  return `SELECT ${typedSelectList(silverEvents, { qualifier: 'p', overrides })}${extra} FROM ${relation} p
    LEFT JOIN ${map} ma ON ma.old_id = CASE WHEN p."actor_id_source" IN ${REKEYABLE} THEN p."actor_id" END
    LEFT JOIN ${map} mo ON mo.old_id = CASE WHEN p."org_id_source" IN ${REKEYABLE} THEN p."org_id" END`;
}

/**
 * One row per (hour, old id) of a re-key: two logins of an hour that were given the same lake id
 * cannot be told apart in its rows (docs: what is weak); the first login by name decides.
 */
const oneMapRowPerOldId = `QUALIFY row_number() OVER (PARTITION BY source_hour, old_id ORDER BY login) = 1`;

export interface LoginResult {
  /** Logins whose lake id the commit learned or changed. */
  changed: number;
  /** Rows of the batch hours given a lake id. */
  resolved: number;
  /** Published hours whose silver.events partition was re-keyed. */
  rekeyedHours: HourKey[];
  /** Wall time of learning, resolving and re-keying (not the entity merge's share), ms. */
  ms: number;
}

/**
 * Learn the batch's evidence (inside the commit's transaction, before dedup): update login_ids and
 * login_uses, and leave `l_changed` (login, old_id, new_id) and `l_accounts` (the changed logins
 * with a synthetic id somewhere in the lake) for the re-key and the entity merge.
 */
export async function learnLogins(db: OpenDuckDB, lake: string, hours: readonly HourKey[]): Promise<{ changed: number; accounts: number; uses: number }> {
  const c = db.connection;
  const batch = hours.map(hourIndex);
  const inBatch = `(${batch.join(', ')})`;
  const staged = (rule: EntityRule) =>
    stagedRelation(
      hours.map((h, i) => ({ file: stagedPartitionFile(lake, rule.observations.name, h), sourceHour: batch[i]! })),
      rule.observations,
    );
  // The batch's account observations with a login, read once: evidence (real ids) and uses (synthetic ids).
  await runSql(
    c,
    `CREATE OR REPLACE TEMP TABLE l_obs AS ${ACCOUNT_RULES.map(
      (r) =>
        `SELECT ${sqlIdent(r.id)} AS id, ${sqlIdent(accountLogin(r)!)} AS login, "first_seen_at", source_hour FROM ${staged(r)} WHERE ${sqlIdent(accountLogin(r)!)} <> ''`,
    ).join(' UNION ALL ')}`,
    'reading logins',
  );
  await runSql(c, `CREATE OR REPLACE TEMP TABLE l_evidence AS ${evidenceSelect(L_OBS, 'l_obs')}`);
  await runSql(c, `CREATE OR REPLACE TEMP TABLE l_uses AS ${usesSelect(L_OBS, 'l_obs')}`);
  // The rows the batch can change: logins it carries, and winners a redone batch hour gave.
  await runSql(
    c,
    `CREATE OR REPLACE TEMP TABLE l_before AS SELECT * FROM ${LOGIN_IDS.name}
       WHERE login IN (SELECT login FROM l_evidence UNION SELECT login FROM l_uses) OR source_hour IN ${inBatch}`,
    `reading ${LOGIN_IDS.name}`,
  );
  // A winner from a redone hour that no longer has it: the next-best evidence is in the other hours'
  // observation partitions (the one path that reads the lake, for those logins only; redone hours only).
  await runSql(
    c,
    `CREATE OR REPLACE TEMP TABLE l_lost AS SELECT login FROM l_before b WHERE b.source_hour IN ${inBatch}
       AND NOT EXISTS (SELECT 1 FROM l_evidence e WHERE e.login = b.login AND e.id = b.id AND e.seen_at = b.seen_at AND e.source_hour = b.source_hour)`,
  );
  let rescan = '';
  if ((await queryNumber(c, `SELECT count(*) FROM l_lost`)) > 0) {
    for (const rule of ACCOUNT_RULES) {
      const all = await publishedObservations(lake, rule, `WHERE lower(${sqlIdent(accountLogin(rule)!)}) IN (SELECT login FROM l_lost)`);
      if (!all) continue;
      rescan += ` UNION ALL SELECT * FROM (${evidenceSelect(accountColumns(rule), all)}) WHERE source_hour NOT IN ${inBatch}`;
    }
  }
  const candidates = `(SELECT login, id, seen_at, source_hour FROM l_before WHERE id IS NOT NULL AND login NOT IN (SELECT login FROM l_lost)
     UNION ALL SELECT * FROM l_evidence${rescan})`;
  await runSql(
    c,
    `CREATE OR REPLACE TEMP TABLE l_after AS
       SELECT k.login, w.id, w.seen_at, w.source_hour, coalesce(b.synthetic_id, u.synthetic_id) AS synthetic_id
       FROM (SELECT login FROM l_before UNION SELECT login FROM l_evidence UNION SELECT login FROM l_uses) k
         LEFT JOIN (${winners(candidates)}) w USING (login)
         LEFT JOIN l_before b USING (login)
         LEFT JOIN (SELECT login, min(synthetic_id) AS synthetic_id FROM l_uses GROUP BY login) u USING (login)`,
  );
  await runSql(
    c,
    `CREATE OR REPLACE TEMP TABLE l_changed AS SELECT a.login, b.id AS old_id, a.id AS new_id, a.synthetic_id
       FROM l_after a LEFT JOIN l_before b USING (login) WHERE b.id IS DISTINCT FROM a.id`,
  );
  await runSql(c, `CREATE OR REPLACE TEMP TABLE l_write AS SELECT * FROM l_after EXCEPT SELECT * FROM l_before`);
  await runSql(c, `DELETE FROM ${LOGIN_IDS.name} WHERE login IN (SELECT login FROM l_write)`);
  await runSql(c, `INSERT INTO ${LOGIN_IDS.name} SELECT * FROM l_write WHERE id IS NOT NULL OR synthetic_id IS NOT NULL`);
  await runSql(c, `DELETE FROM ${LOGIN_USES.name} WHERE source_hour IN ${inBatch}`);
  await runSql(c, `INSERT INTO ${LOGIN_USES.name} SELECT u.login, u.source_hour, u.synthetic_id, a.id FROM l_uses u JOIN l_after a USING (login)`);
  // The changed logins that some hour carries synthetic (a synthetic id, once known, stays: at worst a
  // needless look-up): the only ones whose rows or entity rows can change.
  await runSql(c, `CREATE OR REPLACE TEMP TABLE l_accounts AS SELECT login, synthetic_id, old_id, new_id FROM l_changed WHERE synthetic_id IS NOT NULL`);
  return {
    changed: await queryNumber(c, `SELECT count(*) FROM l_changed`),
    accounts: await queryNumber(c, `SELECT count(*) FROM l_accounts`),
    uses: await queryNumber(c, `SELECT count(*) FROM l_uses`),
  };
}

/**
 * The batch's staged rows (`d_new` of event-dedup.ts) given the lake's id of their synthetic
 * logins. Returns the source hours whose rows changed (their partition is written, not moved).
 */
export async function resolveBatchRows(db: OpenDuckDB): Promise<{ hours: Set<number>; rows: number }> {
  const c = db.connection;
  await runSql(
    c,
    `CREATE OR REPLACE TEMP TABLE l_batch_map AS SELECT DISTINCT u.source_hour, u.synthetic_id, a.id AS applied_id
       FROM l_uses u JOIN l_after a USING (login) WHERE a.id IS NOT NULL`,
  );
  const synthetic = sqlString(ID_SOURCE_SYNTHETIC);
  const lakeSource = sqlString(ID_SOURCE_LAKE);
  // Equi-joins only (a condition on one side in an ON clause makes DuckDB loop over every pair of rows).
  const hit = (who: 'actor' | 'org', m: string) =>
    `LEFT JOIN l_batch_map ${m} ON ${m}.source_hour = n.source_hour AND ${m}.synthetic_id = CASE WHEN n."${who}_id_source" = ${synthetic} THEN n."${who}_id" END`;
  if ((await queryNumber(c, `SELECT count(*) FROM l_batch_map`)) === 0) return { hours: new Set(), rows: 0 };
  const changed = await queryRows(
    c,
    `SELECT n.source_hour, count(*) AS n FROM d_new n ${hit('actor', 'ma')} ${hit('org', 'mo')}
       WHERE ma.synthetic_id IS NOT NULL OR mo.synthetic_id IS NOT NULL GROUP BY 1`,
  );
  for (const who of ['actor', 'org'] as const) {
    await runSql(
      c,
      `UPDATE d_new SET "${who}_id" = m.applied_id, "${who}_id_source" = ${lakeSource} FROM l_batch_map m
         WHERE d_new.source_hour = m.source_hour AND d_new."${who}_id_source" = ${synthetic} AND d_new."${who}_id" = m.synthetic_id`,
      'resolving Timeline logins',
    );
  }
  return { hours: new Set(changed.map((r) => Number(r.source_hour))), rows: changed.reduce((k, r) => k + Number(r.n), 0) };
}

const goldCols = GOLD_INPUT_COLUMNS.map(sqlIdent).join(', ');
const keyMatch = (a: string, b: string) => keyEquals(silverEvents, a, b);

/**
 * Re-key the published hours (outside the batch) that carry a login whose lake id the commit
 * changed (inside the commit's transaction, after dedup): their silver.events partition is written
 * anew into the commit folder (the journal moves it into place), their set-aside rows and index rows
 * follow, and the change log gets −1 for every kept row as it was and +1 as it is now.
 */
export async function rekeyPublishedHours(db: OpenDuckDB, lake: string, seq: number, hours: readonly HourKey[], journal: JournalEntry[]): Promise<HourKey[]> {
  const c = db.connection;
  const inBatch = `(${hours.map(hourIndex).join(', ')})`;
  await runSql(
    c,
    `CREATE OR REPLACE TEMP TABLE l_rekey AS
       SELECT u.source_hour, u.login, coalesce(u.applied_id, u.synthetic_id) AS old_id, coalesce(a.new_id, u.synthetic_id) AS new_id,
              CASE WHEN a.new_id IS NULL THEN ${sqlString(ID_SOURCE_SYNTHETIC)} ELSE ${sqlString(ID_SOURCE_LAKE)} END AS new_source
       FROM ${LOGIN_USES.name} u JOIN l_accounts a USING (login)
       WHERE u.source_hour NOT IN ${inBatch} AND coalesce(u.applied_id, u.synthetic_id) <> coalesce(a.new_id, u.synthetic_id)`,
    `reading ${LOGIN_USES.name}`,
  );
  await runSql(c, `CREATE OR REPLACE TEMP TABLE l_rekey_map AS SELECT source_hour, old_id, new_id, new_source FROM l_rekey ${oneMapRowPerOldId}`);
  const indexes = (await queryRows(c, `SELECT DISTINCT source_hour FROM l_rekey ORDER BY 1`)).map((r) => Number(r.source_hour));
  const rekeyed: HourKey[] = [];
  const cols = columnList(silverEvents);
  for (const index of indexes) {
    const hour = hourOfIndex(index);
    const target = partitionFile(lake, 'silver', silverEvents.name, hour);
    // This commit's dedup may have rewritten the hour already: re-key that version.
    const earlier = journal.find((e) => e.op === 'move' && e.dst === target);
    const current = earlier?.op === 'move' ? earlier.src : target;
    const map = `(SELECT old_id, new_id, new_source FROM l_rekey_map WHERE source_hour = ${index})`;
    await runSql(c, `CREATE OR REPLACE TEMP TABLE r_old AS SELECT *, file_row_number AS source_row FROM ${readParquet(current, { fileRowNumber: true })}`);
    await runSql(c, `CREATE OR REPLACE TEMP TABLE r_new AS ${rekeyedSelect('r_old', map, ', p.source_row')}`);
    const out = path.join(commitFilesDir(lake, seq), 'events-rekeyed', `${hour}.parquet`);
    await fs.mkdir(path.dirname(out), { recursive: true });
    await runSql(
      c,
      `COPY (SELECT ${cols} FROM r_new ORDER BY source_row) TO ${sqlString(out)} (FORMAT parquet, COMPRESSION snappy${kvClause(await kvMetadata(db, current))})`,
      `re-keying silver.events of ${hour}`,
    );
    if (earlier?.op === 'move') earlier.src = out;
    else journal.push({ op: 'move', src: out, dst: target });
    // The kept rows, as gold saw them and as they are now (unchanged rows cancel).
    await runSql(
      c,
      `INSERT INTO ${CHANGE_EVENTS.name} (${goldCols}, seq, sign)
         SELECT ${goldCols}, ${seq}, CAST(sum(sign) AS TINYINT) FROM (SELECT ${goldCols}, -1 AS sign FROM r_old UNION ALL SELECT ${goldCols}, 1 AS sign FROM r_new)
         GROUP BY ALL HAVING sum(sign) <> 0`,
      'writing the change log',
    );
    // The copies the hour holds but another hour keeps.
    await runSql(c, `CREATE OR REPLACE TEMP TABLE r_aside AS SELECT * FROM ${SET_ASIDE_EVENTS.name} WHERE source_hour = ${index}`);
    await runSql(c, `CREATE OR REPLACE TEMP TABLE r_aside_new AS ${rekeyedSelect('r_aside', map, ', p.source_hour, p.source_row')}`);
    await runSql(c, `DELETE FROM ${SET_ASIDE_EVENTS.name} WHERE source_hour = ${index}`);
    await runSql(c, `INSERT INTO ${SET_ASIDE_EVENTS.name} SELECT * FROM r_aside_new`);
    // The index rows of every copy of the hour.
    await runSql(
      c,
      `UPDATE ${EVENT_COPIES.name} e SET actor_id = n.actor_id, org_id = n.org_id
         FROM (SELECT ${goldCols} FROM r_new UNION ALL SELECT ${goldCols} FROM r_aside_new) n
         WHERE e.source_hour = ${index} AND ${keyMatch('e', 'n')}
           AND e.created_at BETWEEN (SELECT min_created_at FROM ${SOURCE_HOURS.name} WHERE source_hour = ${index})
                                AND (SELECT max_created_at FROM ${SOURCE_HOURS.name} WHERE source_hour = ${index})
           AND (e.actor_id IS DISTINCT FROM n.actor_id OR e.org_id IS DISTINCT FROM n.org_id)`,
      'updating the event-copy index',
    );
    rekeyed.push(hour);
  }
  if (indexes.length > 0) {
    await runSql(
      c,
      `UPDATE ${LOGIN_USES.name} u SET applied_id = CASE WHEN r.new_source = ${sqlString(ID_SOURCE_LAKE)} THEN r.new_id END
         FROM l_rekey r WHERE u.source_hour = r.source_hour AND u.login = r.login`,
    );
    await runSql(c, `UPDATE ${SOURCE_HOURS.name} SET seq = ${seq} WHERE source_hour IN (${indexes.join(', ')})`);
  }
  for (const t of ['r_old', 'r_new', 'r_aside', 'r_aside_new']) await runSql(c, `DROP TABLE IF EXISTS ${t}`);
  return rekeyed;
}

/** Drop the commit's temp tables (after the entity merge used l_accounts). */
export async function dropLoginTables(db: OpenDuckDB): Promise<void> {
  for (const t of [
    'l_obs',
    'l_evidence',
    'l_uses',
    'l_before',
    'l_lost',
    'l_after',
    'l_changed',
    'l_write',
    'l_accounts',
    'l_batch_map',
    'l_rekey',
    'l_rekey_map',
  ])
    await runSql(db.connection, `DROP TABLE IF EXISTS ${t}`);
}

/**
 * `ghlake silver --rebuild`: the same resolution from every observation partition (before the full
 * dedup; set-aside copies are back in their partitions). Every published hour whose rows carry
 * another answer than the lake's is rewritten (temp name, rename); `r_win` and `r_uses` are left for
 * `replaceLoginState`. `staged`: hours published from staging just now (their rows are the
 * transform's, whatever the old state applied).
 */
export async function resolveLake(db: OpenDuckDB, lake: string, staged: ReadonlySet<HourKey>): Promise<number> {
  const c = db.connection;
  const evidence: string[] = [];
  const uses: string[] = [];
  for (const rule of ACCOUNT_RULES) {
    const all = await publishedObservations(lake, rule);
    if (!all) continue;
    evidence.push(evidenceSelect(accountColumns(rule), all));
    uses.push(usesSelect(accountColumns(rule), all));
  }
  const none = `SELECT CAST(NULL AS VARCHAR) AS login, CAST(NULL AS BIGINT) AS id, CAST(NULL AS TIMESTAMP) AS seen_at, CAST(NULL AS INTEGER) AS source_hour WHERE false`;
  const noUses = `SELECT CAST(NULL AS VARCHAR) AS login, CAST(NULL AS INTEGER) AS source_hour, CAST(NULL AS BIGINT) AS synthetic_id WHERE false`;
  await runSql(c, `CREATE OR REPLACE TEMP TABLE r_win AS ${winners(`(${evidence.length ? evidence.join(' UNION ALL ') : none})`)}`, 'resolving logins');
  await runSql(c, `CREATE OR REPLACE TEMP TABLE r_uses AS ${uses.length ? uses.join(' UNION ') : noUses}`);
  const fresh = [...staged].map(hourIndex);
  await runSql(
    c,
    `CREATE OR REPLACE TEMP TABLE r_map AS
       SELECT u.source_hour, u.login, coalesce(${fresh.length ? `CASE WHEN u.source_hour IN (${fresh.join(', ')}) THEN NULL ELSE o.applied_id END` : 'o.applied_id'}, u.synthetic_id) AS old_id,
              coalesce(w.id, u.synthetic_id) AS new_id,
              CASE WHEN w.id IS NULL THEN ${sqlString(ID_SOURCE_SYNTHETIC)} ELSE ${sqlString(ID_SOURCE_LAKE)} END AS new_source
       FROM r_uses u LEFT JOIN ${LOGIN_USES.name} o USING (source_hour, login) LEFT JOIN r_win w USING (login)`,
  );
  await runSql(c, `CREATE OR REPLACE TEMP TABLE r_map_one AS SELECT * FROM r_map WHERE old_id <> new_id ${oneMapRowPerOldId}`);
  const indexes = (await queryRows(c, `SELECT DISTINCT source_hour FROM r_map_one ORDER BY 1`)).map((r) => Number(r.source_hour));
  for (const index of indexes) {
    const file = partitionFile(lake, 'silver', silverEvents.name, hourOfIndex(index));
    const tmp = tempPathFor(file);
    const map = `(SELECT old_id, new_id, new_source FROM r_map_one WHERE source_hour = ${index})`;
    const current = `(SELECT *, file_row_number AS source_row FROM ${readParquet(file, { fileRowNumber: true })})`;
    await runSql(
      c,
      `COPY (SELECT ${columnList(silverEvents)} FROM (${rekeyedSelect(current, map, ', p.source_row')}) ORDER BY source_row)
         TO ${sqlString(tmp)} (FORMAT parquet, COMPRESSION snappy${kvClause(await kvMetadata(db, file))})`,
      `re-keying ${file}`,
    );
    await commitFile(tmp, file);
  }
  return indexes.length;
}

/** login_ids and login_uses replaced by what `resolveLake` found (inside the rebuild's transaction, before the entity folds). */
export async function replaceLoginState(db: OpenDuckDB): Promise<void> {
  const c = db.connection;
  await runSql(c, `DELETE FROM ${LOGIN_IDS.name}`);
  await runSql(
    c,
    `INSERT INTO ${LOGIN_IDS.name} SELECT k.login, w.id, w.seen_at, w.source_hour, s.synthetic_id
       FROM (SELECT login FROM r_win UNION SELECT login FROM r_uses) k LEFT JOIN r_win w USING (login)
         LEFT JOIN (SELECT login, min(synthetic_id) AS synthetic_id FROM r_uses GROUP BY login) s USING (login)`,
  );
  await runSql(c, `DELETE FROM ${LOGIN_USES.name}`);
  await runSql(c, `INSERT INTO ${LOGIN_USES.name} SELECT u.login, u.source_hour, u.synthetic_id, w.id FROM r_uses u LEFT JOIN r_win w USING (login)`);
  for (const t of ['r_win', 'r_uses', 'r_map', 'r_map_one']) await runSql(c, `DROP TABLE IF EXISTS ${t}`);
}
