/**
 * Timeline logins resolved across hours (consolidate/login-ids.ts), at the silver level: whatever
 * the order and batching of the hours, and through a redone hour, the incremental silver — events,
 * entity tables and the change log gold reads — equals a `--rebuild` of the same hours published
 * with no state. These hours in:
 *
 *   T  2013-05-01-0  Timeline: 2 events by the login `Octo` and the org `acme`, both synthetic;
 *   A  2013-05-01-1  Timeline: an event by `octo` with actor_attributes.id 1001;
 *   B  2011-03-01-0  Events API: an event by actor 2002 `Octo` (earlier evidence: the login's id
 *                    becomes 2002 even when A came first), org 3003 `acme`.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { syntheticAccountId } from '@ghlake/bronze';
import { ENTITY_RULES, partitionGlob, tableDir } from '@ghlake/core';
import {
  CHANGE_EVENTS,
  GOLD_INPUT_COLUMNS,
  keyedRelation,
  listKeyedFiles,
  liveKeyedFiles,
  openStateDb,
  queryRows,
  SILVER_STATE_TABLES,
} from '@ghlake/core/duckdb';
import { consolidateSilver, rebuildSilver } from '../src/consolidate/index.js';
import { mappedObservations } from '../src/consolidate/login-ids.js';
import { TEST_SETTINGS, actorObs, orgObs, sql, tempLake, writeSilverHour, type HourSpec } from './silver-lake.js';

const S = syntheticAccountId('octo');
const SO = syntheticAccountId('acme');
const T = '2013-05-01-0';
const A = '2013-05-01-1';
const B = '2011-03-01-0';

const DATA: Record<string, HourSpec> = {
  [T]: {
    events: [
      { id: -11, at: '2013-05-01T00:10:00', actor: S, actorSource: 'synthetic', org: SO, orgSource: 'synthetic', repo: 7 },
      { id: -12, at: '2013-05-01T00:20:00', actor: S, actorSource: 'synthetic', org: SO, orgSource: 'synthetic', repo: 7 },
    ],
    actors: [
      actorObs({
        id: S,
        login: 'Octo',
        seen: '2013-05-01T00:20:00',
        first: '2013-05-01T00:10:00',
        display: null,
        type: 'User',
        typeSeen: '2013-05-01T00:20:00',
      }),
    ],
    organizations: [orgObs({ id: SO, login: 'acme', seen: '2013-05-01T00:20:00', first: '2013-05-01T00:10:00' })],
  },
  [A]: {
    events: [{ id: -21, at: '2013-05-01T01:10:00', actor: 1001, actorSource: 'actor_attributes', repo: 8 }],
    actors: [actorObs({ id: 1001, login: 'octo', seen: '2013-05-01T01:10:00', display: null })],
  },
  [B]: {
    events: [
      { id: 31, at: '2011-03-01T00:05:00', actor: 2002, actorSource: 'event', org: 3003, orgSource: 'event', repo: 9 },
      { id: 32, at: '2011-03-01T00:06:00', actor: 2003, actorSource: 'event', repo: 9 },
    ],
    actors: [actorObs({ id: 2002, login: 'Octo', seen: '2011-03-01T00:05:00' }), actorObs({ id: 2003, login: 'other', seen: '2011-03-01T00:06:00' })],
    organizations: [orgObs({ id: 3003, login: 'acme', seen: '2011-03-01T00:05:00' })],
  },
};
/** B redone without Octo's event: the login's earliest evidence is A's again. */
const B_WITHOUT_OCTO: HourSpec = { events: [DATA[B]!.events![1]!], actors: [DATA[B]!.actors![1]!], organizations: DATA[B]!.organizations };

const config = (lake: string, batchHours?: number) => ({ lake, ...TEST_SETTINGS, ...(batchHours ? { batchHours } : {}) });
const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const c of cleanups) await c();
});
const fresh = async () => {
  const t = await tempLake('ghlake-logins-');
  cleanups.push(t.cleanup);
  return t.lake;
};

/** Silver as readers see it, and the change log netted (what gold has been told, from an empty gold). */
async function snapshot(lake: string) {
  const out: Record<string, unknown> = {};
  out.events = await sql(
    `SELECT "date", "hour", * EXCLUDE (processed_at, "date", "hour") FROM read_parquet('${partitionGlob(lake, 'silver', 'events')}', hive_partitioning = true) ORDER BY ALL`,
  );
  for (const rule of ENTITY_RULES) {
    const relation = keyedRelation(rule.entity, liveKeyedFiles(await listKeyedFiles(tableDir(lake, 'silver', rule.entity.name))).live);
    out[rule.entity.name] = relation ? await sql(`SELECT * FROM ${relation} ORDER BY ALL`) : [];
  }
  const db = await openStateDb(lake, TEST_SETTINGS, SILVER_STATE_TABLES);
  try {
    const cols = GOLD_INPUT_COLUMNS.join(', ');
    out.changeLog = (
      await queryRows(db.connection, `SELECT ${cols}, sum(sign)::INTEGER AS n FROM ${CHANGE_EVENTS.name} GROUP BY ALL HAVING sum(sign) <> 0 ORDER BY ALL`)
    ).map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v])));
  } finally {
    db.close();
  }
  return out;
}

/** The reference: the hours published as the transform wrote them, no state, `rebuildSilver`; its change log is what a gold rebuild counts. */
async function reference(data: Record<string, HourSpec>) {
  const lake = await fresh();
  for (const [hour, spec] of Object.entries(data)) await writeSilverHour(lake, hour, spec);
  await rebuildSilver(config(lake));
  const snap = await snapshot(lake);
  // A rebuild empties the change log (gold recounts): the published rows are what gold counts.
  snap.changeLog = (snap.events as Record<string, unknown>[])
    .map((e): Record<string, unknown> => ({ ...Object.fromEntries(GOLD_INPUT_COLUMNS.map((c) => [c, e[c]])), n: 1 }))
    .sort((a, b) => Number(a.event_id) - Number(b.event_id));
  return snap;
}

const sortLog = (snap: Record<string, unknown>) => ({
  ...snap,
  changeLog: (snap.changeLog as Record<string, unknown>[]).sort((a, b) => Number(a.event_id) - Number(b.event_id)),
});

async function incremental(order: readonly (readonly string[])[], data: Record<string, HourSpec> = DATA) {
  const lake = await fresh();
  for (const hours of order) {
    for (const hour of hours) await writeSilverHour(lake, hour, data[hour]!, { staged: true });
    await consolidateSilver(config(lake));
  }
  return lake;
}

describe('Timeline logins resolved across hours (silver)', () => {
  it('the earliest evidence wins: T gets 2002 (B), in every order and batching, equal to the rebuild', async () => {
    const want = await reference(DATA);
    expect((want.events as Record<string, unknown>[]).map((e) => [e.event_id, e.actor_id, e.actor_id_source, e.org_id, e.org_id_source])).toEqual([
      [31, 2002, 'event', 3003, 'event'],
      [32, 2003, 'event', null, null],
      [-12, 2002, 'lake', 3003, 'lake'],
      [-11, 2002, 'lake', 3003, 'lake'],
      [-21, 1001, 'actor_attributes', null, null],
    ]);
    // One row per account: 2002 holds T's observations too (its latest login is T's, its first_seen B's).
    expect((want.actors as Record<string, unknown>[]).map((a) => [a.actor_id, a.actor_login, a.actor_type])).toEqual([
      [1001, 'octo', null],
      [2002, 'Octo', 'User'],
      [2003, 'other', null],
    ]);
    expect((want.organizations as Record<string, unknown>[]).map((o) => o.org_id)).toEqual([3003]);
    for (const order of [[[T], [A], [B]], [[B], [A], [T]], [[A], [T], [B]], [[T], [B], [A]], [[T, A, B]]]) {
      expect(sortLog(await snapshot(await incremental(order))), order.join(' | ')).toEqual(want);
    }
  });

  it('a later commit that changes a login from one real id to another (A, then B) re-keys T and refolds both accounts', async () => {
    const lake = await incremental([[T], [A]]);
    const mid = await snapshot(lake);
    expect((mid.events as Record<string, unknown>[]).filter((e) => e.event_id === -11)).toMatchObject([
      { actor_id: 1001, actor_id_source: 'lake', org_id: SO },
    ]);
    await writeSilverHour(lake, B, DATA[B]!, { staged: true });
    const r = await consolidateSilver(config(lake));
    expect(r.commits[0]!.logins).toMatchObject({ changed: 3, resolved: 0, rekeyedHours: [T] });
    expect(sortLog(await snapshot(lake))).toEqual(await reference(DATA));
  });

  it('an hour redone without the winning evidence gives the login back to the next evidence (A), and back again', async () => {
    const lake = await incremental([[T, A, B]]);
    await writeSilverHour(lake, B, B_WITHOUT_OCTO, { staged: true });
    await consolidateSilver(config(lake));
    const without = { ...DATA, [B]: B_WITHOUT_OCTO };
    const want = await reference(without);
    expect((want.events as Record<string, unknown>[]).filter((e) => e.event_id === -11)).toMatchObject([{ actor_id: 1001, actor_id_source: 'lake' }]);
    expect((want.actors as Record<string, unknown>[]).map((a) => a.actor_id)).toEqual([1001, 2003]);
    expect(sortLog(await snapshot(lake))).toEqual(want);
    await writeSilverHour(lake, B, DATA[B]!, { staged: true });
    await consolidateSilver(config(lake));
    expect(sortLog(await snapshot(lake))).toEqual(await reference(DATA));
  });

  it('rebuilding an incremental lake changes nothing', async () => {
    const lake = await incremental([[B], [T], [A]]);
    const before = await snapshot(lake);
    await rebuildSilver(config(lake));
    const after = await snapshot(lake);
    expect({ ...after, changeLog: [] }).toEqual({ ...before, changeLog: [] });
  });
});

describe('the lake-id mapping as DuckDB plans it', () => {
  it('maps observations with a hash join, never a nested loop over every pair of rows', async () => {
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const db = await DuckDBInstance.create(':memory:');
    const c = await db.connect();
    await c.run(`CREATE TABLE obs AS SELECT -i AS actor_id, 'u' || i AS actor_login FROM range(1, 1000) t(i)`);
    await c.run(`CREATE TABLE winners AS SELECT 'u' || i AS login, i AS id FROM range(1, 1000) t(i)`);
    const actors = ENTITY_RULES.find((r) => r.id === 'actor_id')!;
    const mapped = mappedObservations(actors, 'obs', 'winners');
    const plan = (await queryRows(c, `EXPLAIN SELECT * FROM ${mapped}`)).map((r) => String(Object.values(r)[1])).join('\n');
    expect(plan).toContain('HASH_JOIN');
    expect(plan).not.toMatch(/NL_JOIN|NESTED_LOOP/);
    const rows = await queryRows(c, `SELECT count(*) AS n, count(*) FILTER (WHERE actor_id > 0) AS real FROM ${mapped}`);
    expect(rows).toEqual([{ n: 999n, real: 999n }]);
    c.closeSync();
  });
});
