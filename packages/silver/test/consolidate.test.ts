/**
 * Silver consolidation, incremental: whatever the order hours arrive in, however they are
 * batched and redone, the published silver equals a full recomputation over the same source
 * hours (the reference: every hour published, then the full dedup and the full entity fold).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDBInstance } from '@duckdb/node-api';
import { ENTITY_RULES, partitionGlob, tableDir } from '@ghlake/core';
import { keyedRelation, listKeyedFiles, liveKeyedFiles, openDuckDB } from '@ghlake/core/duckdb';
import { consolidateSilver, rebuildSilver } from '../src/consolidate/index.js';
import { consolidate } from '../src/consolidate/rebuild/index.js';
import { TEST_SETTINGS, TWELVE_HOURS, sql, tempLake, twelveHours, writeSilverHour, type HourSpec } from './silver-lake.js';

const DATA = twelveHours();
const config = (lake: string, batchHours?: number) => ({ lake, ...TEST_SETTINGS, ...(batchHours ? { batchHours } : {}) });

async function stage(lake: string, hours: readonly string[], data: Record<string, HourSpec> = DATA) {
  for (const hour of hours) await writeSilverHour(lake, hour, data[hour]!, { staged: true });
}

/** What a reader sees of silver: partitions (with their source hour) and the entity tables' current rows. */
async function silverSnapshot(lake: string, entities: 'keyed' | 'single') {
  const out: Record<string, unknown> = {};
  out.events = await sql(
    `SELECT "date", "hour", * EXCLUDE (processed_at, "date", "hour") FROM read_parquet('${partitionGlob(lake, 'silver', 'events')}', hive_partitioning = true) ORDER BY ALL`,
  );
  out.payload = await sql(`SELECT * FROM read_parquet('${partitionGlob(lake, 'silver', 'payload_details')}', hive_partitioning = true) ORDER BY ALL`);
  for (const rule of ENTITY_RULES) {
    const dir = tableDir(lake, 'silver', rule.entity.name);
    if (entities === 'single') out[rule.entity.name] = await sql(`SELECT * FROM read_parquet('${dir}/part-0.parquet') ORDER BY ALL`);
    else {
      const relation = keyedRelation(rule.entity, liveKeyedFiles(await listKeyedFiles(dir)).live);
      out[rule.entity.name] = relation ? await sql(`SELECT * FROM ${relation} ORDER BY ALL`) : [];
    }
  }
  return out;
}

/** The reference: all hours published as the transform wrote them, then the full recomputation. */
async function reference(data: Record<string, HourSpec>, hours: readonly string[]) {
  const { lake, cleanup } = await tempLake('ghlake-silver-ref-');
  try {
    for (const hour of hours) await writeSilverHour(lake, hour, data[hour]!);
    const db = await openDuckDB({ ...TEST_SETTINGS, tempDirectory: `${lake}/_tmp` });
    try {
      await consolidate(db.connection, lake);
    } finally {
      db.close();
    }
    return await silverSnapshot(lake, 'single');
  } finally {
    await cleanup();
  }
}

describe('incremental silver consolidation equals the full recomputation', () => {
  const cleanups: Array<() => Promise<void>> = [];
  let expected: Record<string, unknown>;
  beforeAll(async () => {
    expected = await reference(DATA, TWELVE_HOURS);
  });
  afterAll(async () => {
    for (const c of cleanups) await c();
  });
  const fresh = async () => {
    const t = await tempLake('ghlake-silver-inc-');
    cleanups.push(t.cleanup);
    return t.lake;
  };

  it('all twelve hours in one commit: 360 distinct events published, 44 copies set aside', async () => {
    const lake = await fresh();
    await stage(lake, TWELVE_HOURS);
    const result = await consolidateSilver(config(lake));
    expect(result.commits).toHaveLength(1);
    expect(result.commits[0]!.events).toMatchObject({ published: 360, setAside: 44, rewrittenHours: [] });
    expect(await silverSnapshot(lake, 'keyed')).toEqual(expected);
    expect((expected.events as unknown[]).length).toBe(360);
  });

  it('one hour per commit, in order, then out of order (6–11 before 0–5), then shuffled', async () => {
    for (const order of [
      TWELVE_HOURS,
      [...TWELVE_HOURS.slice(6), ...TWELVE_HOURS.slice(0, 6)],
      [5, 0, 11, 3, 8, 1, 10, 2, 9, 4, 7, 6].map((i) => TWELVE_HOURS[i]!),
    ]) {
      const lake = await fresh();
      for (const hour of order) {
        await stage(lake, [hour]);
        await consolidateSilver(config(lake));
      }
      expect(await silverSnapshot(lake, 'keyed')).toEqual(expected);
    }
  });

  it('an earlier hour arriving late takes its events back from the later hour that held them', async () => {
    const lake = await fresh();
    await stage(lake, TWELVE_HOURS.slice(6));
    await consolidateSilver(config(lake));
    await stage(lake, TWELVE_HOURS.slice(0, 6));
    const second = await consolidateSilver(config(lake));
    expect(second.commits[0]!.events.rewrittenHours).toEqual(['2024-03-10-6']);
    expect(await silverSnapshot(lake, 'keyed')).toEqual(expected);
  });

  it('batches of 5 hours, and an hour redone with the same data, change nothing', async () => {
    const lake = await fresh();
    await stage(lake, TWELVE_HOURS);
    const result = await consolidateSilver(config(lake, 5));
    expect(result.commits.map((c) => c.hours.length)).toEqual([5, 5, 2]);
    await stage(lake, [TWELVE_HOURS[4]!, TWELVE_HOURS[5]!]);
    const redo = await consolidateSilver(config(lake));
    expect(redo.commits[0]!.entities.every((e) => e.changed === 0 && e.refolded === 0)).toBe(true);
    expect(redo.commits[0]!.events.changes).toBe(0);
    expect(await silverSnapshot(lake, 'keyed')).toEqual(expected);
  });

  it('an hour redone with different data (events dropped, a new login) equals the reference with that data', async () => {
    const changed: Record<string, HourSpec> = { ...DATA };
    const h5 = DATA[TWELVE_HOURS[5]!]!;
    // Hour 5 loses its first 10 events (4 of them are hour 4's copies, which hour 4 keeps anyway)
    // and every actor observed in it gets a new login.
    changed[TWELVE_HOURS[5]!] = {
      ...h5,
      events: h5.events!.slice(10),
      actors: h5.actors!.map((a) => ({ ...a, actor_login: `${String(a.actor_login)}-renamed` })),
    };
    const want = await reference(changed, TWELVE_HOURS);
    const lake = await fresh();
    await stage(lake, TWELVE_HOURS);
    await consolidateSilver(config(lake));
    await stage(lake, [TWELVE_HOURS[5]!], changed);
    const redo = await consolidateSilver(config(lake));
    expect(redo.commits[0]!.entities.find((e) => e.table === 'actors')!.refolded).toBeGreaterThan(0);
    expect(await silverSnapshot(lake, 'keyed')).toEqual(want);
    // And back: the original hour 5 again restores the first reference exactly.
    await stage(lake, [TWELVE_HOURS[5]!]);
    await consolidateSilver(config(lake));
    expect(await silverSnapshot(lake, 'keyed')).toEqual(expected);
  });

  it('a redone keeper that no longer holds an event gives it back to the next hour that has it', async () => {
    // Hour 6 holds hour 5's last four events too; hour 5 redone without them: hour 6 must keep them.
    const changed: Record<string, HourSpec> = { ...DATA };
    const h5 = DATA[TWELVE_HOURS[5]!]!;
    changed[TWELVE_HOURS[5]!] = { ...h5, events: h5.events!.slice(0, -4) };
    const want = await reference(changed, TWELVE_HOURS);
    const lake = await fresh();
    await stage(lake, TWELVE_HOURS);
    await consolidateSilver(config(lake));
    await stage(lake, [TWELVE_HOURS[5]!], changed);
    const redo = await consolidateSilver(config(lake));
    expect(redo.commits[0]!.events.rewrittenHours).toEqual(['2024-03-10-6']);
    expect(await silverSnapshot(lake, 'keyed')).toEqual(want);
  });

  it('an id that a redone hour was the only one to observe leaves the published entity table', async () => {
    // Hour 12 observes actor 999 alone; redone without it, silver.actors must drop the row, as the rebuild does.
    const extra: Record<string, HourSpec> = {
      ...DATA,
      '2024-03-10-12': {
        events: [{ id: 49_000_000_001, type: 'WatchEvent', at: '2024-03-10T12:30:00', actor: 999, repo: 100, bot: false }],
        actors: [{ ...DATA[TWELVE_HOURS[0]!]!.actors![0]!, actor_id: 999, actor_login: 'only-here' }],
        repositories: [],
        organizations: [],
      },
    };
    const redone: Record<string, HourSpec> = { ...extra, '2024-03-10-12': { events: [], actors: [], repositories: [], organizations: [] } };
    const lake = await fresh();
    await stage(lake, [...TWELVE_HOURS, '2024-03-10-12'], extra);
    await consolidateSilver(config(lake));
    expect(((await silverSnapshot(lake, 'keyed')).actors as Array<{ actor_id: number }>).some((a) => a.actor_id === 999)).toBe(true);
    await stage(lake, ['2024-03-10-12'], redone);
    await consolidateSilver(config(lake));
    expect(await silverSnapshot(lake, 'keyed')).toEqual(await reference(redone, [...TWELVE_HOURS, '2024-03-10-12']));
  });

  it('a lake published before the incremental state (no state database) is rebuilt, then grows incrementally', async () => {
    const lake = await fresh();
    // Hours 0–7 as an earlier ghlake left them: published partitions with their duplicates, no state.
    for (const hour of TWELVE_HOURS.slice(0, 8)) await writeSilverHour(lake, hour, DATA[hour]!);
    const rebuilt = await rebuildSilver(config(lake));
    expect(rebuilt).toMatchObject({ events: 8 * 30, setAside: 7 * 4 });
    await stage(lake, TWELVE_HOURS.slice(8));
    await consolidateSilver(config(lake));
    expect(await silverSnapshot(lake, 'keyed')).toEqual(expected);
    // A rebuild of the grown lake changes nothing, and incremental commits go on from it.
    await rebuildSilver(config(lake));
    expect(await silverSnapshot(lake, 'keyed')).toEqual(expected);
    await stage(lake, [TWELVE_HOURS[3]!]);
    await consolidateSilver(config(lake));
    expect(await silverSnapshot(lake, 'keyed')).toEqual(expected);
  });
});

// Keep DuckDBInstance referenced for readers of this file: the reference and the lake are both read with real DuckDB.
void DuckDBInstance;
