/**
 * Gold's state brought up to a silver commit from silver's change log (see state-tables.ts for
 * the kinds of metric and how each merges). Runs inside gold's commit transaction; leaves, for the
 * publishing step, temp tables `g_touched_<group>` with the new rows of every group it changed and
 * `g_deleted_<group>` with the groups that no longer have events.
 */
import { ENTITY_RULES, partitionGlob, type EntityRule } from '@ghlake/core';
import {
  CHANGE_EVENTS,
  EVENT_COPIES,
  GOLD_INPUT_COLUMNS,
  entityChangeTable,
  entityStateTable,
  queryNumber,
  runSql,
  sqlIdent,
  sqlString,
  type OpenDuckDB,
} from '@ghlake/core/duckdb';
import { GOLD_ACTOR, GOLD_DAILY, GOLD_ORG, GOLD_REPO, GOLD_TYPE, PAIRS, type PairTable } from './state-tables.js';

export interface GroupSpec {
  /** Short name used in temp tables (`actor`, `repo`, `org`, `type`). */
  name: string;
  state: string;
  id: string;
  /** The distinct counts: which pair table, and which side of it this group is. */
  uniques: { column: string; pair: PairTable; side: 'a' | 'b' }[];
  /** Has first_event / last_event (event_type_metrics has not). */
  span: boolean;
  bot: boolean;
  /** The count column (`total_events`, or `event_count` for types). */
  total: string;
  /** The entity whose attributes the gold table carries. */
  entity?: EntityRule;
}

const rule = (name: string) => ENTITY_RULES.find((r) => r.entity.name === name)!;

export const GROUPS: readonly GroupSpec[] = [
  {
    name: 'actor',
    state: GOLD_ACTOR.name,
    id: 'actor_id',
    uniques: [{ column: 'unique_repos', pair: PAIRS.actorRepo, side: 'a' }],
    span: true,
    bot: true,
    total: 'total_events',
    entity: rule('actors'),
  },
  {
    name: 'repo',
    state: GOLD_REPO.name,
    id: 'repo_id',
    uniques: [{ column: 'unique_actors', pair: PAIRS.actorRepo, side: 'b' }],
    span: true,
    bot: false,
    total: 'total_events',
    entity: rule('repositories'),
  },
  {
    name: 'org',
    state: GOLD_ORG.name,
    id: 'org_id',
    uniques: [
      { column: 'unique_actors', pair: PAIRS.orgActor, side: 'a' },
      { column: 'unique_repos', pair: PAIRS.orgRepo, side: 'a' },
    ],
    span: true,
    bot: false,
    total: 'total_events',
    entity: rule('organizations'),
  },
  {
    name: 'type',
    state: GOLD_TYPE.name,
    id: 'event_type',
    uniques: [
      { column: 'unique_actors', pair: PAIRS.typeActor, side: 'a' },
      { column: 'unique_repos', pair: PAIRS.typeRepo, side: 'a' },
    ],
    span: false,
    bot: false,
    total: 'event_count',
  },
];

const BOT = `CASE WHEN is_bot THEN 1 WHEN NOT is_bot THEN 0 END`;

export interface ApplyResult {
  /** Change rows applied (after netting the window). */
  changes: number;
  /** Groups recounted from silver because a removed row held their first/last event or bot flag. */
  recounted: number;
  /** Hour buckets of daily_summary recounted. */
  buckets: number;
}

/** Apply the change log of silver commits (from, to] to gold's state tables. */
export async function applyChanges(db: OpenDuckDB, lake: string, from: number, to: number): Promise<ApplyResult> {
  const c = db.connection;
  const cols = GOLD_INPUT_COLUMNS.map(sqlIdent).join(', ');
  // The window's changes, netted: a key removed in one commit and added back in a later one cancels.
  await runSql(
    c,
    `CREATE OR REPLACE TEMP TABLE g_delta AS
       SELECT ${cols}, date_trunc('hour', created_at) AS hour_bucket, CAST(sum(sign) AS INTEGER) AS sign
       FROM ${CHANGE_EVENTS.name} WHERE seq > ${from} AND seq <= ${to}
       GROUP BY ALL HAVING sum(sign) <> 0`,
    'reading the silver change log',
  );
  const changes = await queryNumber(c, `SELECT count(*) FROM g_delta`);

  // ---- pair tables: counts, and the 0 ↔ >0 transitions that move distinct counts ---------------
  for (const p of Object.values(PAIRS)) {
    const a = sqlIdent(p.a);
    const b = sqlIdent(p.b);
    await runSql(
      c,
      `CREATE OR REPLACE TEMP TABLE g_pd AS SELECT ${a}, ${b}, sum(sign) AS d FROM g_delta WHERE ${a} IS NOT NULL AND ${b} IS NOT NULL GROUP BY ALL HAVING sum(sign) <> 0`,
    );
    await runSql(
      c,
      `CREATE OR REPLACE TEMP TABLE g_pn AS
         SELECT d.${a}, d.${b}, coalesce(o.events, 0) AS old_events, coalesce(o.events, 0) + d.d AS new_events
         FROM g_pd d LEFT JOIN (SELECT p.* FROM ${p.name} p SEMI JOIN g_pd d ON p.${a} = d.${a} AND p.${b} = d.${b}) o ON o.${a} = d.${a} AND o.${b} = d.${b}`,
      `updating ${p.name}`,
    );
    await runSql(
      c,
      `CREATE OR REPLACE TEMP TABLE g_tr_${p.name} AS
         SELECT ${a}, ${b}, CASE WHEN old_events <= 0 AND new_events > 0 THEN 1 WHEN old_events > 0 AND new_events <= 0 THEN -1 ELSE 0 END AS t
         FROM g_pn WHERE (old_events > 0) <> (new_events > 0)`,
    );
    await runSql(c, `DELETE FROM ${p.name} p USING g_pn n WHERE p.${a} = n.${a} AND p.${b} = n.${b}`);
    await runSql(c, `INSERT INTO ${p.name} SELECT ${a}, ${b}, new_events FROM g_pn WHERE new_events > 0`);
  }

  // ---- per-group metrics ---------------------------------------------------------------------------
  let recounted = 0;
  for (const g of GROUPS) {
    const id = sqlIdent(g.id);
    const span = g.span
      ? `, min(created_at) FILTER (WHERE sign > 0) AS add_first, max(created_at) FILTER (WHERE sign > 0) AS add_last,
         min(created_at) FILTER (WHERE sign < 0) AS rm_first, max(created_at) FILTER (WHERE sign < 0) AS rm_last`
      : '';
    const bot = g.bot ? `, max(${BOT}) FILTER (WHERE sign > 0) AS add_bot, max(${BOT}) FILTER (WHERE sign < 0) AS rm_bot` : '';
    await runSql(
      c,
      `CREATE OR REPLACE TEMP TABLE g_gd AS SELECT ${id}, sum(sign) AS d_total, bool_or(sign < 0) AS removals${span}${bot}
         FROM g_delta WHERE ${id} IS NOT NULL GROUP BY ${id}`,
    );
    const uniqueDeltas = g.uniques.map((u, i) => {
      const side = sqlIdent(u.side === 'a' ? u.pair.a : u.pair.b);
      return { column: u.column, sql: `(SELECT ${side} AS ${id}, sum(t) AS du FROM g_tr_${u.pair.name} GROUP BY ${side}) u${i}` };
    });
    const entityChanged = g.entity ? `UNION SELECT ${id} FROM ${entityChangeTable(g.entity).name} WHERE seq > ${from} AND seq <= ${to} AND changed` : '';
    await runSql(c, `CREATE OR REPLACE TEMP TABLE g_ids AS SELECT ${id} FROM g_gd ${entityChanged}`);
    await runSql(c, `CREATE OR REPLACE TEMP TABLE g_old AS SELECT s.* FROM ${g.state} s SEMI JOIN g_ids i ON s.${id} = i.${id}`, `reading ${g.state}`);
    const recount = [
      ...(g.span ? [`(d.removals AND o.first_event IS NOT NULL AND d.rm_first <= o.first_event)`, `(d.removals AND d.rm_last >= o.last_event)`] : []),
      ...(g.bot ? [`(d.removals AND d.rm_bot IS NOT NULL AND d.rm_bot >= o.any_bot)`] : []),
    ];
    await runSql(
      c,
      `CREATE OR REPLACE TEMP TABLE g_new AS SELECT
         i.${id},
         coalesce(o.${g.total}, 0) + coalesce(d.d_total, 0) AS ${g.total},
         ${g.uniques.map((u, k) => `coalesce(o.${u.column}, 0) + coalesce(u${k}.du, 0) AS ${u.column}`).join(',\n         ')}
         ${g.span ? `, least(o.first_event, d.add_first) AS first_event, greatest(o.last_event, d.add_last) AS last_event` : ''}
         ${g.bot ? `, greatest(o.any_bot, d.add_bot) AS any_bot` : ''},
         ${recount.length ? recount.join(' OR ') : 'false'} AS recount,
         o.${id} IS NOT NULL AS existed
       FROM g_ids i LEFT JOIN g_old o ON o.${id} = i.${id} LEFT JOIN g_gd d ON d.${id} = i.${id}
       ${uniqueDeltas.map((u, k) => `LEFT JOIN ${u.sql} ON u${k}.${id} = i.${id}`).join(' ')}`,
      `merging ${g.state}`,
    );
    // Groups whose removed rows may have held their extremes: recounted from the published silver events.
    const n = await queryNumber(c, `SELECT count(*) FROM g_new WHERE recount AND ${g.total} > 0`);
    if (n > 0 && (g.span || g.bot)) {
      recounted += n;
      const events = `read_parquet(${sqlString(partitionGlob(lake, 'silver', 'events'))}, hive_partitioning = false)`;
      await runSql(
        c,
        `CREATE OR REPLACE TEMP TABLE g_recount AS SELECT e.${id}${g.span ? ', min(created_at) AS first_event, max(created_at) AS last_event' : ''}${g.bot ? `, max(${BOT}) AS any_bot` : ''}
           FROM ${events} e SEMI JOIN (SELECT ${id} FROM g_new WHERE recount) r ON e.${id} = r.${id} GROUP BY e.${id}`,
        `recounting ${g.state}`,
      );
      const set = [...(g.span ? ['first_event', 'last_event'] : []), ...(g.bot ? ['any_bot'] : [])];
      await runSql(c, `UPDATE g_new SET ${set.map((s) => `${s} = r.${s}`).join(', ')} FROM g_recount r WHERE g_new.${id} = r.${id}`);
    }
    // Ids only present because their entity changed, with no events in gold, stay out.
    await runSql(c, `DELETE FROM g_new WHERE NOT existed AND ${g.total} <= 0`);
    await runSql(c, `DELETE FROM ${g.state} WHERE ${id} IN (SELECT ${id} FROM g_new)`, `updating ${g.state}`);
    await runSql(c, `INSERT INTO ${g.state} BY NAME SELECT * EXCLUDE (recount, existed) FROM g_new WHERE ${g.total} > 0`, `updating ${g.state}`);
    await runSql(c, `CREATE OR REPLACE TEMP TABLE g_deleted_${g.name} AS SELECT ${id} FROM g_new WHERE ${g.total} <= 0`);
    await runSql(c, `CREATE OR REPLACE TEMP TABLE g_touched_${g.name} AS SELECT * EXCLUDE (recount, existed) FROM g_new WHERE ${g.total} > 0`);
  }

  // ---- daily_summary: the buckets the changes touch, recounted from the event-copy index -------
  await runSql(c, `CREATE OR REPLACE TEMP TABLE g_buckets AS SELECT DISTINCT hour_bucket FROM g_delta`);
  const buckets = await queryNumber(c, `SELECT count(*) FROM g_buckets`);
  if (buckets > 0) {
    await runSql(
      c,
      `CREATE OR REPLACE TEMP TABLE g_daily AS
         SELECT b.hour_bucket, count(k.event_id) AS total_events, count(DISTINCT k.actor_id) AS unique_actors, count(DISTINCT k.repo_id) AS unique_repos
         FROM g_buckets b LEFT JOIN (
           -- The kept copy of each key (earliest source hour; a key has one copy per hour), as a
           -- grouping rather than a window: arg_min_null keeps a NULL id of the kept copy.
           SELECT date_trunc('hour', created_at) AS hour_bucket, event_id,
                  arg_min_null(actor_id, source_hour) AS actor_id, arg_min_null(repo_id, source_hour) AS repo_id
           FROM ${EVENT_COPIES.name}
           WHERE created_at >= (SELECT min(hour_bucket) FROM g_buckets) AND created_at < (SELECT max(hour_bucket) FROM g_buckets) + INTERVAL 1 HOUR
             AND date_trunc('hour', created_at) IN (SELECT hour_bucket FROM g_buckets)
           GROUP BY event_id, event_type, created_at
         ) k USING (hour_bucket) GROUP BY b.hour_bucket`,
      'recounting daily_summary',
    );
    await runSql(c, `DELETE FROM ${GOLD_DAILY.name} WHERE hour_bucket IN (SELECT hour_bucket FROM g_buckets)`);
    await runSql(c, `INSERT INTO ${GOLD_DAILY.name} SELECT * FROM g_daily WHERE total_events > 0`);
  }
  return { changes, recounted, buckets };
}

/**
 * The current attribute rows of an entity for the ids in `idsTable`: the window's latest change
 * row (silver writes one for every id a commit observed), else — only for ids a commit did not
 * observe, e.g. the actor of an event a redone hour dropped — the entity state.
 */
export async function entityAttributesRelation(db: OpenDuckDB, entity: EntityRule, from: number, to: number, idsTable: string): Promise<string> {
  const id = sqlIdent(entity.id);
  const change = entityChangeTable(entity).name;
  const cols = entity.entity.columns.map((col) => sqlIdent(col.name)).join(', ');
  const inWindow = `seq > ${from} AND seq <= ${to}`;
  const latest = `SELECT ${cols} FROM ${change} WHERE ${inWindow} AND ${id} IN (SELECT ${id} FROM ${idsTable})
      QUALIFY row_number() OVER (PARTITION BY ${id} ORDER BY seq DESC) = 1`;
  const unobserved = `(SELECT ${id} FROM ${idsTable} EXCEPT SELECT ${id} FROM ${change} WHERE ${inWindow})`;
  if ((await queryNumber(db.connection, `SELECT count(*) FROM ${unobserved}`)) === 0) return `(${latest})`;
  return `(${latest} UNION ALL SELECT ${cols} FROM ${entityStateTable(entity).name} WHERE ${id} IN ${unobserved})`;
}
