/**
 * Incremental gold equals gold recomputed by the SQL models over the same silver, after any
 * sequence of silver commits: hours in any order, one commit per hour or several per gold run,
 * hours redone with the same or different data (events removed: counts, distinct counts, first and
 * last events and bot flags retracted).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { GOLD_TABLES, goldLinkPath } from '@ghlake/core';
import { keyedRelation, listKeyedFiles, liveKeyedFiles } from '@ghlake/core/duckdb';
import { consolidateSilver } from '@ghlake/silver';
import path from 'node:path';
import { promises as fs } from 'node:fs';
import { buildGold } from '../src/runner.js';
import { TEST_SETTINGS, TWELVE_HOURS, sql, tempLake, twelveHours, writeSilverHour, type HourSpec } from './helpers.js';

const DATA = twelveHours();
const settings = { ...TEST_SETTINGS, refreshWarehouse: false };

async function stageAndCommit(lake: string, hours: readonly string[], data: Record<string, HourSpec> = DATA) {
  for (const hour of hours) await writeSilverHour(lake, hour, data[hour]!, { staged: true });
  await consolidateSilver({ lake, ...TEST_SETTINGS });
}

/** Every gold table's current rows, through the published link. */
async function goldRows(lake: string): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const table of GOLD_TABLES) {
    const relation = keyedRelation(table, liveKeyedFiles(await listKeyedFiles(path.join(goldLinkPath(lake), table.name))).live);
    out[table.name] = relation ? await sql(`SELECT * FROM ${relation} ORDER BY ALL`) : [];
  }
  return out;
}

/** The reference: gold recomputed by the models over the lake's current silver. */
async function rebuiltRows(lake: string): Promise<Record<string, unknown[]>> {
  const copy = `${lake}-copy`;
  await fs.cp(lake, copy, { recursive: true, verbatimSymlinks: true });
  try {
    const r = await buildGold({ lake: copy, ...settings, rebuild: true });
    expect(r.mode).toBe('rebuild');
    return await goldRows(copy);
  } finally {
    await fs.rm(copy, { recursive: true, force: true });
  }
}

describe('incremental gold equals the models over the same silver', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const c of cleanups) await c();
  });
  const fresh = async () => {
    const t = await tempLake('ghlake-gold-inc-');
    cleanups.push(t.cleanup);
    return t.lake;
  };

  it('one gold run per hour, hours out of order: every version equals the rebuild', async () => {
    const lake = await fresh();
    const order = [5, 0, 11, 3, 8, 1, 10, 2, 9, 4, 7, 6].map((i) => TWELVE_HOURS[i]!);
    for (const hour of order) {
      await stageAndCommit(lake, [hour]);
      const r = await buildGold({ lake, ...settings });
      expect(r.mode).toBe('incremental');
      expect(await goldRows(lake)).toEqual(await rebuiltRows(lake));
    }
    const totals = (await goldRows(lake)).daily_summary as Array<{ total_events: number }>;
    expect(totals.reduce((s, r) => s + r.total_events, 0)).toBe(360);
  });

  it('several silver commits per gold run, then nothing new: unchanged, no new version', async () => {
    const lake = await fresh();
    await stageAndCommit(lake, TWELVE_HOURS.slice(6));
    await stageAndCommit(lake, TWELVE_HOURS.slice(0, 3));
    const first = await buildGold({ lake, ...settings });
    expect(first.mode).toBe('incremental');
    await stageAndCommit(lake, TWELVE_HOURS.slice(3, 6));
    const second = await buildGold({ lake, ...settings });
    expect(second.applied!.changes).toBeGreaterThan(0);
    expect(await goldRows(lake)).toEqual(await rebuiltRows(lake));
    const again = await buildGold({ lake, ...settings });
    expect(again.mode).toBe('unchanged');
    expect(again.version).toBe(second.version);
  });

  it('an hour redone without some events and with a bot removed: counts, distinct counts, first/last and is_bot retracted exactly', async () => {
    const lake = await fresh();
    await stageAndCommit(lake, TWELVE_HOURS);
    await buildGold({ lake, ...settings });
    const h0 = DATA[TWELVE_HOURS[0]!]!;
    // Hour 0 loses its first 12 events (the earliest events of the lake: first_event must move) and
    // every bot flag in it turns false.
    const changed = { ...DATA, [TWELVE_HOURS[0]!]: { ...h0, events: h0.events!.slice(12).map((e) => ({ ...e, bot: e.bot === null ? null : false })) } };
    await stageAndCommit(lake, [TWELVE_HOURS[0]!], changed);
    const r = await buildGold({ lake, ...settings });
    expect(r.mode).toBe('incremental');
    expect(r.applied!.recounted).toBeGreaterThan(0);
    expect(await goldRows(lake)).toEqual(await rebuiltRows(lake));
    // Back to the original hour: equal to the rebuild again.
    await stageAndCommit(lake, [TWELVE_HOURS[0]!]);
    await buildGold({ lake, ...settings });
    expect(await goldRows(lake)).toEqual(await rebuiltRows(lake));
  });

  it('publishes each version whole: the link moves to a complete folder, the previous one stays, unchanged files are hard links', async () => {
    const lake = await fresh();
    await stageAndCommit(lake, TWELVE_HOURS);
    const first = await buildGold({ lake, ...settings });
    // One more hour with a single event by a new actor: actor_metrics gets a one-row delta.
    const extra = { '2024-03-10-12': { events: [{ id: 49_000_000_001, type: 'WatchEvent', at: '2024-03-10T12:30:00', actor: 999, repo: 100, bot: false }] } };
    await stageAndCommit(lake, ['2024-03-10-12'], extra);
    const second = await buildGold({ lake, ...settings });
    expect(await fs.readlink(goldLinkPath(lake))).toBe(path.join('gold-versions', second.version!));
    expect(second.previousVersion).toBe(first.version);
    const actor = second.gold.find((g) => g.table === 'actor_metrics')!;
    expect(actor).toMatchObject({ full: false, written: 1, rows: 14 });
    const [base, delta] = actor.files;
    expect(delta).toMatch(/^part-\d{10}\.parquet$/);
    const a = await fs.stat(path.join(lake, 'gold-versions', first.version!, 'actor_metrics', base!));
    const b = await fs.stat(path.join(lake, 'gold-versions', second.version!, 'actor_metrics', base!));
    expect(b.ino).toBe(a.ino);
    expect(await goldRows(lake)).toEqual(await rebuiltRows(lake));
  });
});
