/**
 * Incremental correctness: the lake's silver entities and gold depend only on which source
 * hours it holds — not on the order they were processed in, nor on how often an hour was
 * reprocessed — and an event filed in two hours counts once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GOLD_TABLES, partitionGlob } from '@ghlake/core';
import { buildGold } from '../src/build-gold.js';
import { consolidatedFile } from '../src/lake-files.js';
import { TEST_SETTINGS, actorObs, orgObs, repoObs, sql, tempLake, writeSilverHour, type EventSpec, type HourSpec } from './helpers.js';

const HOURS = Array.from({ length: 12 }, (_, h) => `2024-03-10-${h}`);

/**
 * Twelve hours of 30 events each; the last 4 events of every hour are also filed in the next
 * hour's file (as the archive does), so hours 1–11 each start with 4 duplicates.
 */
function twelveHours(): Record<string, HourSpec> {
  const own: EventSpec[][] = HOURS.map((_, h) =>
    Array.from({ length: 30 }, (_, i) => {
      const n = h * 30 + i;
      const minute = String(Math.floor((i * 60) / 30)).padStart(2, '0');
      return {
        id: 40_000_000_000 + n,
        type: ['PushEvent', 'WatchEvent', 'IssuesEvent', 'CreateEvent'][n % 4]!,
        at: `2024-03-10T${String(h).padStart(2, '0')}:${minute}:${String(n % 60).padStart(2, '0')}`,
        actor: n % 7 === 0 ? null : 1 + ((n * 5) % 13),
        repo: n % 11 === 0 ? null : 100 + ((n * 3) % 9),
        org: n % 3 === 0 ? 500 + (n % 2) : null,
        bot: n % 7 === 0 ? null : (n * 5) % 13 === 12,
      };
    }),
  );
  const out: Record<string, HourSpec> = {};
  HOURS.forEach((hour, h) => {
    const events = [...(h > 0 ? own[h - 1]!.slice(-4) : []), ...own[h]!];
    const seen = (pick: (e: EventSpec) => number | null | undefined) => {
      const by = new Map<number, { first: string; last: string }>();
      for (const e of events) {
        const id = pick(e);
        if (id === null || id === undefined) continue;
        const cur = by.get(id);
        by.set(id, { first: cur && cur.first < e.at ? cur.first : e.at, last: cur && cur.last > e.at ? cur.last : e.at });
      }
      return [...by.entries()];
    };
    out[hour] = {
      events,
      actors: seen((e) => e.actor).map(([id, s]) =>
        actorObs({
          id,
          login: `user${id}-h${h % 4}`,
          seen: s.last,
          first: s.first,
          last: s.last,
          type: id % 2 ? 'User' : null,
          typeSeen: id % 2 ? s.last : null,
          siteAdmin: id % 2 ? false : null,
        }),
      ),
      repositories: seen((e) => e.repo).map(([id, s]) =>
        repoObs({
          id,
          name: `org/repo${id}-h${h % 5}`,
          nameSeen: s.last,
          first: s.first,
          last: s.last,
          ...(h % 3 === 0 ? { details: { owner: 1, ownerLogin: 'org', fork: false, language: 'Rust', stars: h, seen: s.last } } : {}),
        }),
      ),
      organizations: seen((e) => e.org).map(([id, s]) => orgObs({ id, login: `org${id}-h${h % 2}`, seen: s.last, first: s.first, last: s.last })),
    };
  });
  return out;
}

const DATA = twelveHours();
const DISTINCT_EVENTS = HOURS.length * 30;

async function writeHours(lake: string, hours: readonly string[]) {
  for (const hour of hours) await writeSilverHour(lake, hour, DATA[hour]!);
}

/** Everything a lake's consumers see: silver events per source hour, entities, gold. */
async function snapshot(lake: string) {
  const out: Record<string, unknown> = {};
  out.events = await sql(
    `SELECT "date", "hour", event_id, event_type, created_at, actor_id, repo_id, org_id FROM read_parquet('${partitionGlob(lake, 'silver', 'events')}', hive_partitioning = true) ORDER BY ALL`,
  );
  out.payload = await sql(`SELECT * FROM read_parquet('${partitionGlob(lake, 'silver', 'payload_details')}', hive_partitioning = true) ORDER BY ALL`);
  for (const name of ['actors', 'repositories', 'organizations'])
    out[name] = await sql(`SELECT * FROM read_parquet('${consolidatedFile(lake, { layer: 'silver', name })}') ORDER BY ALL`);
  for (const table of GOLD_TABLES) out[table.name] = await sql(`SELECT * FROM read_parquet('${lake}/gold/${table.name}/*.parquet') ORDER BY ALL`);
  return out;
}

const build = (lake: string) => buildGold({ lake, ...TEST_SETTINGS, refreshWarehouse: false });

describe('incremental consolidation and gold', () => {
  const lakes: Array<() => Promise<void>> = [];
  let reference: Record<string, unknown>;

  beforeAll(async () => {
    const { lake, cleanup } = await tempLake();
    lakes.push(cleanup);
    await writeHours(lake, HOURS);
    const result = await build(lake);
    expect(result.consolidation.events).toMatchObject({ rows: DISTINCT_EVENTS, duplicateKeys: 44, rowsRemoved: 44 });
    reference = await snapshot(lake);
  });
  afterAll(async () => {
    for (const cleanup of lakes) await cleanup();
  });

  it('counts an event filed in two hour files once: 360 distinct events from 404 rows', async () => {
    expect((reference.events as unknown[]).length).toBe(DISTINCT_EVENTS);
    expect((reference.payload as unknown[]).length).toBe(DISTINCT_EVENTS);
    const daily = reference.daily_summary as Array<{ total_events: number }>;
    expect(daily.reduce((s, r) => s + r.total_events, 0)).toBe(DISTINCT_EVENTS);
    const types = reference.event_type_metrics as Array<{ event_count: number }>;
    expect(types.reduce((s, r) => s + r.event_count, 0)).toBe(DISTINCT_EVENTS);
  });

  it('hours 0–5 then 6–11 give the same silver and gold as 0–11 at once', async () => {
    const { lake, cleanup } = await tempLake();
    lakes.push(cleanup);
    await writeHours(lake, HOURS.slice(0, 6));
    await build(lake);
    await writeHours(lake, HOURS.slice(6));
    await build(lake);
    expect(await snapshot(lake)).toEqual(reference);
  });

  it('hours 6–11 then 0–5 (out of order) give the same silver and gold as 0–11 at once', async () => {
    const { lake, cleanup } = await tempLake();
    lakes.push(cleanup);
    await writeHours(lake, HOURS.slice(6));
    const first = await build(lake);
    // Hour 6's copies of hour 5's events are kept while hour 5 is absent...
    expect(first.consolidation.events.rows).toBe(6 * 30 + 4);
    await writeHours(lake, HOURS.slice(0, 6));
    const second = await build(lake);
    // ...and removed from hour 6 once hour 5 arrives.
    expect(second.consolidation.events.rewrittenHours).toContain('2024-03-10-6');
    expect(await snapshot(lake)).toEqual(reference);
  });

  it('reprocessing hours (partitions rewritten with their duplicates back) never double-counts', async () => {
    const { lake, cleanup } = await tempLake();
    lakes.push(cleanup);
    await writeHours(lake, HOURS);
    await build(lake);
    await writeHours(lake, ['2024-03-10-3', '2024-03-10-0', '2024-03-10-11']);
    const again = await build(lake);
    expect(again.consolidation.events).toMatchObject({ rows: DISTINCT_EVENTS, rowsRemoved: 8, rewrittenHours: ['2024-03-10-3', '2024-03-10-11'] });
    expect(await snapshot(lake)).toEqual(reference);
    // And a run with nothing new changes nothing.
    const idle = await build(lake);
    expect(idle.consolidation.events).toMatchObject({ duplicateKeys: 0, rowsRemoved: 0, rewrittenHours: [] });
    expect(await snapshot(lake)).toEqual(reference);
  });
});
