/**
 * What the Snowflake load COMPUTES for keyed tables, checked on DuckDB where the dialects agree
 * (fixtures/snowflake/duckdb-warehouse.ts runs the MERGE and the newest-per-key INSERT verbatim):
 * a lake built by the real engines, commit after commit — deltas, several deltas between loads
 * (the same key in more than one), a compaction, a redone hour that removes a gold group (a full
 * file), an hour arriving late that rewrites a later one — is loaded after each step by the real
 * planner and runner, and every table equals the lake's: keyed tables as core's keyedRelation
 * reads them (newest seq wins per key), hourly tables row for row.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SNOWFLAKE_TABLES, objectsFrom, planLoad, readLoadedFiles, runLoad, scanLake, type LoadPlan } from '../src/snowflake/index.js';
import { keyedRelation, listKeyedFiles, liveKeyedFiles, typedSelectList, readParquet } from '@ghlake/core/duckdb';
import { goldLinkPath, tableDir, type TableDecl } from '@ghlake/core';
import { commitHours } from './fixtures/keyed-lake.js';
import { duckdbWarehouse, type DuckDBWarehouse } from './fixtures/snowflake/duckdb-warehouse.js';

const objects = objectsFrom({});
let work: string;
let lake: string;
let warehouse: DuckDBWarehouse;

beforeEach(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'ghlake-sf-merge-'));
  lake = path.join(work, 'lake');
  warehouse = await duckdbWarehouse(lake, objects);
});
afterEach(async () => {
  warehouse.close();
  await rm(work, { recursive: true, force: true });
});

async function lakeRows(table: TableDecl): Promise<Record<string, unknown>[]> {
  const files = await scanLake(lake, { rows: false });
  const mine = files.filter((f) => f.table === table).map((f) => path.join(lake, f.path));
  let relation: string | undefined;
  if (table.partitioning === 'hour') relation = mine.length ? `(SELECT ${typedSelectList(table)} FROM ${readParquet(mine)})` : undefined;
  else {
    const dir = table.layer === 'gold' ? path.join(goldLinkPath(lake), table.name) : tableDir(lake, 'silver', table.name);
    relation = keyedRelation(table, liveKeyedFiles(await listKeyedFiles(dir)).live);
  }
  if (relation === undefined) return [];
  const instance = await DuckDBInstance.create(':memory:');
  const c = await instance.connect();
  try {
    return (await c.runAndReadAll(`SELECT * FROM ${relation} ORDER BY ALL`)).getRowObjectsJson() as Record<string, unknown>[];
  } finally {
    c.closeSync();
    instance.closeSync();
  }
}

/** Plan against what is loaded, run it, and return what each keyed table's unit was. */
async function load(): Promise<{ plan: LoadPlan; units: string[] }> {
  const files = await scanLake(lake);
  const plan = planLoad(objects, files, await readLoadedFiles(warehouse.executor, objects));
  await runLoad(warehouse.executor, plan);
  return { plan, units: plan.units.filter((u) => u.kind !== 'hours').map((u) => `${u.kind} ${u.table.layer}.${u.table.name}`) };
}

async function expectWarehouseEqualsLake(): Promise<void> {
  for (const table of SNOWFLAKE_TABLES) {
    const want = await lakeRows(table);
    expect(await warehouse.rows(table), `${table.layer}.${table.name}`).toEqual(want);
  }
}

describe('Snowflake load of keyed tables, executed on DuckDB', () => {
  it('replace, then merges of deltas (newest row wins across several), a compaction, a removed gold group and a late hour: every table equals the lake after every load', async () => {
    await commitHours(lake, [0]);
    // Every keyed table starts as one full file (organizations and the org tables empty: no org in these hours).
    expect((await load()).units).toEqual([
      'full-refresh silver.actors',
      'full-refresh silver.repositories',
      'full-refresh silver.organizations',
      'full-refresh gold.actor_metrics',
      'full-refresh gold.repo_metrics',
      'full-refresh gold.org_metrics',
      'full-refresh gold.event_type_metrics',
      'full-refresh gold.daily_summary',
      'full-refresh gold.repo_daily_metrics',
      'full-refresh gold.actor_daily_metrics',
      'full-refresh gold.org_daily_metrics',
    ]);
    await expectWarehouseEqualsLake();
    expect((await warehouse.rows(SNOWFLAKE_TABLES.find((t) => t.name === 'actors')!)).length).toBe(100);

    // One new hour: its few ids merge into the entity and per-entity gold tables.
    await commitHours(lake, [1]);
    const second = await load();
    expect(second.units).toEqual([
      'merge silver.actors',
      'merge silver.repositories',
      'merge gold.actor_metrics',
      'merge gold.repo_metrics',
      'full-refresh gold.event_type_metrics',
      'full-refresh gold.daily_summary',
      'merge gold.repo_daily_metrics', // keyed (day, id): the rows of the day the hour touched
      'merge gold.actor_daily_metrics',
    ]);
    expect(warehouse.statements.some((s) => s.sql.startsWith('MERGE INTO "GHLAKE"."GOLD"."ACTOR_METRICS"'))).toBe(true);
    await expectWarehouseEqualsLake();

    // Two commits between loads: both deltas merge in one statement; hour 3 holds copies of hour 2's
    // last events, so actor 3 is in both deltas and the newer row must win.
    await commitHours(lake, [2]);
    await commitHours(lake, [3]);
    const third = await load();
    expect(third.plan.units.find((u) => u.kind === 'merge' && u.table.name === 'actors')?.files.map((f) => f.seq)).toEqual([3, 4]);
    await expectWarehouseEqualsLake();

    // Hour 3 redone with another actor and repository: repository 5003 has no event left, so gold
    // writes repo_metrics whole (a delta cannot remove a key) and the load replaces the table.
    await commitHours(lake, [3], 'other');
    const fourth = await load();
    expect(fourth.units).toContain('full-refresh gold.repo_metrics');
    await expectWarehouseEqualsLake();
    expect((await warehouse.rows(SNOWFLAKE_TABLES.find((t) => t.name === 'repo_metrics')!)).some((r) => r.repo_id === 5003)).toBe(false);

    // A bulk hour: the deltas outgrow a quarter of the table, the commit compacts, the load replaces.
    await commitHours(lake, [5], 'bulk');
    const fifth = await load();
    expect(fifth.units).toContain('full-refresh silver.actors');
    await expectWarehouseEqualsLake();

    // Hour 4 arrives late and takes back the copies hour 5 held: hour 5's partitions are rewritten
    // and reloaded (its rows replaced, not added), and the keyed tables merge as usual.
    await commitHours(lake, [4]);
    const sixth = await load();
    expect(sixth.plan.units.filter((u) => u.kind === 'hours' && u.table.name === 'events').flatMap((u) => u.hours)).toEqual(['2024-03-10-4', '2024-03-10-5']);
    await expectWarehouseEqualsLake();

    // Nothing new: nothing to do.
    expect((await load()).plan.units).toEqual([]);
  });
});
