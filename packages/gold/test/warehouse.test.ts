import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DuckDBInstance } from '@duckdb/node-api';
import { DUCKDB_TYPE, warehousePath } from '@ghlake/core';
import { buildGold } from '../src/runner.js';
import { runQuery } from '../src/query.js';
import { WAREHOUSE_TABLES, refreshWarehouse, warehouseIsCurrent } from '../src/warehouse.js';
import { TEST_SETTINGS, publishSilver, tempLake } from './helpers.js';
import { writeSmallLake } from './fixtures/small-lake.js';

let lake: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ lake, cleanup } = await tempLake());
});
afterEach(async () => cleanup());

const q = (sql: string) => runQuery({ lake, ...TEST_SETTINGS }, sql);

/** What `ghlake gold` does: publish the staged silver, then gold. */
async function build(options: { refreshWarehouse?: boolean } = {}) {
  await publishSilver(lake);
  return buildGold({ lake, ...TEST_SETTINGS, ...options });
}

describe('the warehouse', () => {
  it("on an empty lake: every declared table is a typed, empty view in its layer's schema", async () => {
    const result = await refreshWarehouse(lake);
    expect(result.views.every((v) => !v.hasFiles)).toBe(true);
    const union = WAREHOUSE_TABLES.map((t) => `SELECT '${t.layer}.${t.name}' AS v, count(*)::INTEGER AS n FROM ${t.layer}.${t.name}`).join(' UNION ALL ');
    expect((await q(`SELECT sum(n)::INTEGER, count(*)::INTEGER FROM (${union})`)).rows).toEqual([[0, WAREHOUSE_TABLES.length]]);
    const { rows } = await q(
      "SELECT table_schema || '.' || table_name, column_name, data_type FROM information_schema.columns WHERE table_schema IN ('bronze', 'silver', 'gold') ORDER BY table_schema, table_name, ordinal_position",
    );
    for (const table of WAREHOUSE_TABLES) {
      const expected = table.columns.map((c) => [c.name, DUCKDB_TYPE[c.type]]);
      if (table.partitioning === 'hour') expected.push(['source_date', 'DATE'], ['source_hour', 'INTEGER']);
      expect(
        rows.filter((r) => r[0] === `${table.layer}.${table.name}`).map((r) => r.slice(1)),
        `${table.layer}.${table.name}`,
      ).toEqual(expected);
    }
  });

  it('is rebuilt by a query once a table gets its first files, then reads them', async () => {
    await refreshWarehouse(lake);
    await writeSmallLake(lake, undefined, { staged: false });
    expect(await warehouseIsCurrent(lake)).toBe(false);
    expect((await q('SELECT count(*) FROM silver.events')).rows).toEqual([[10]]); // before consolidation: hour 1 repeats event 4
    expect(await warehouseIsCurrent(lake)).toBe(true);
  });

  it('is rebuilt by a query when the lake folder was moved (its views hold absolute paths)', async () => {
    await writeSmallLake(lake, ['2015-01-01-0']);
    await build();
    const moved = `${lake}-moved`;
    await fs.rename(lake, moved);
    try {
      expect(await warehouseIsCurrent(moved)).toBe(false);
      expect((await runQuery({ lake: moved, ...TEST_SETTINGS }, 'SELECT sum(total_events) FROM gold.daily_summary')).rows).toEqual([[4]]);
    } finally {
      await fs.rename(moved, lake);
    }
  });

  it('gold views follow the <lake>/gold link: a new gold version is visible without a refresh', async () => {
    await writeSmallLake(lake, ['2015-01-01-0']);
    await build();
    expect((await q('SELECT sum(total_events) FROM gold.daily_summary')).rows).toEqual([[4]]);
    await writeSmallLake(lake, ['2015-01-01-1', '2015-01-01-2']);
    await build({ refreshWarehouse: false });
    expect((await q('SELECT sum(total_events) FROM gold.daily_summary')).rows).toEqual([[9]]);
  });

  it('is replaced atomically: a reader holding the old file keeps querying while it is rebuilt', async () => {
    await writeSmallLake(lake);
    await build();
    const before = await fs.stat(warehousePath(lake));
    const reader = await DuckDBInstance.create(warehousePath(lake), { access_mode: 'READ_ONLY' });
    const connection = await reader.connect();
    try {
      await refreshWarehouse(lake);
      const after = await fs.stat(warehousePath(lake));
      expect(after.ino).not.toBe(before.ino);
      const rows = (await connection.runAndReadAll('SELECT count(*)::INTEGER AS n FROM gold.actor_metrics')).getRowObjectsJS();
      expect(rows).toEqual([{ n: 3 }]);
    } finally {
      connection.closeSync();
      reader.closeSync();
    }
    // Nothing left behind but the warehouse itself.
    expect((await fs.readdir(lake)).filter((n) => n.includes('warehouse'))).toEqual(['warehouse.duckdb']);
  });

  it('exposes the source partition as source_date/source_hour, and filters on them read only matching files', async () => {
    await writeSmallLake(lake);
    await build();
    expect((await q('SELECT source_date::VARCHAR, source_hour, count(*) FROM silver.events GROUP BY ALL ORDER BY 2')).rows).toEqual([
      ['2015-01-01', 0, 4],
      ['2015-01-01', 1, 3],
      ['2015-01-01', 2, 2],
    ]);
    const plan = (await q('EXPLAIN ANALYZE SELECT count(*) FROM silver.events WHERE source_hour = 2')).rows.map((r) => String(r[1])).join('\n');
    expect(plan).toMatch(/Total Files Read: 1\b/);
  });

  it("never reads a writer's half-written .tmp- file in a partition folder (DuckDB globs match dot-files)", async () => {
    await writeSmallLake(lake, undefined, { staged: false });
    await refreshWarehouse(lake);
    await fs.writeFile(path.join(lake, 'silver', 'events', 'date=2015-01-01', 'hour=2', '.tmp-0a1b2c-part-0.parquet'), 'PAR1 half written');
    expect((await q('SELECT count(*) FROM silver.events')).rows).toEqual([[10]]);
  });
});
