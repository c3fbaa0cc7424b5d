import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDBInstance } from '@duckdb/node-api';
import { SILVER_OBSERVATION_TABLES, partitionFile, partitionGlob, silverEvents, silverPayloadDetails, type HourKey } from '@ghlake/core';
import { generateSilver, type GenerateSilverResult } from '../generate-silver/generate.js';

let dir: string;
let result: GenerateSilverResult;
const lake = () => path.join(dir, 'a');

async function sql(query: string): Promise<Record<string, unknown>[]> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    return ((await connection.runAndReadAll(query)).getRowObjectsJS() as Record<string, unknown>[]).map((r) =>
      Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v])),
    );
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

const events = (l: string) => `read_parquet('${partitionGlob(l, 'silver', 'events')}', hive_partitioning = true)`;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'ghlake-gensilver-'));
  result = await generateSilver({ lake: lake(), events: 12_000, eventsPerHour: 4_000, duplicateRate: 0.01, start: '2024-06-03-22', seed: 7 });
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe('generate-silver', () => {
  it('writes one partition per source hour for every per-hour silver table, with the declared columns and types', async () => {
    expect(result).toMatchObject({ hours: ['2024-06-03-22', '2024-06-03-23', '2024-06-04-0'], events: 12_000, duplicates: 80 });
    for (const table of [silverEvents, silverPayloadDetails, ...SILVER_OBSERVATION_TABLES]) {
      for (const hour of result.hours) {
        const file = partitionFile(lake(), 'silver', table.name, hour as HourKey);
        const schema = await sql(`SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet('${file}', hive_partitioning = false))`);
        expect(
          schema.map((c) => `${String(c.column_name)} ${String(c.column_type)}`),
          `${table.name} ${hour}`,
        ).toEqual(table.columns.map((c) => `${c.name} ${c.type}`));
      }
    }
  });

  it("files 1% of each hour's events again in the next hour: 12,000 distinct events in 12,080 rows", async () => {
    const perHour = await sql(
      `SELECT "hour", count(*) AS n, count(*) FILTER (WHERE hour_bucket < CAST("date" AS TIMESTAMP) + to_hours(CAST("hour" AS INTEGER))) AS earlier FROM ${events(lake())} GROUP BY "date", "hour" ORDER BY "date", "hour"`,
    );
    expect(perHour).toEqual([
      { hour: 22, n: 4_000, earlier: 0 },
      { hour: 23, n: 4_040, earlier: 40 },
      { hour: 0, n: 4_040, earlier: 40 },
    ]);
    const [keys] = await sql(`SELECT count(DISTINCT (event_id, event_type, created_at)) AS k, count(DISTINCT event_hash) AS h FROM ${events(lake())}`);
    expect(keys).toEqual({ k: 12_000, h: 12_000 });
    const [payload] = await sql(`SELECT count(*) AS n FROM read_parquet('${partitionGlob(lake(), 'silver', 'payload_details')}')`);
    expect(payload!.n).toBe(12_080);
  });

  it('skews activity like the archive: Push ~51% of events, the busiest 1% of actors make over 10% of them', async () => {
    const [mix] = await sql(`SELECT avg(CASE WHEN event_type = 'PushEvent' THEN 1 ELSE 0 END) AS push FROM ${events(lake())}`);
    expect(mix!.push).toBeGreaterThan(0.49);
    expect(mix!.push).toBeLessThan(0.535);
    const [top] = await sql(
      `WITH a AS (SELECT actor_id, count(*) AS n FROM ${events(lake())} GROUP BY 1), r AS (SELECT n, row_number() OVER (ORDER BY n DESC) AS rk, count(*) OVER () AS actors FROM a)
       SELECT sum(n) FILTER (WHERE rk <= actors / 100) / sum(n) AS share FROM r`,
    );
    expect(top!.share).toBeGreaterThan(0.1);
  });

  it("folds each hour's observations from that hour's events (one row per id, seen range of the hour)", async () => {
    const diff = await sql(`
      WITH e AS (SELECT "date", "hour", actor_id, min(created_at) AS f, max(created_at) AS l FROM ${events(lake())} GROUP BY ALL),
           o AS (SELECT "date", "hour", actor_id, first_seen_at AS f, last_seen_at AS l FROM read_parquet('${partitionGlob(lake(), 'silver', 'actor_observations')}', hive_partitioning = true))
      (SELECT * FROM e EXCEPT SELECT * FROM o) UNION ALL (SELECT * FROM o EXCEPT SELECT * FROM e)`);
    expect(diff).toEqual([]);
    const [orgs] = await sql(
      `SELECT count(*) AS n, count(DISTINCT ("hour", org_id)) AS d FROM read_parquet('${partitionGlob(lake(), 'silver', 'organization_observations')}', hive_partitioning = true)`,
    );
    expect(orgs!.n).toBe(orgs!.d);
    expect(orgs!.n).toBeGreaterThan(0);
  });

  it('is deterministic for a seed and differs for another seed', async () => {
    await generateSilver({ lake: path.join(dir, 'b'), events: 12_000, eventsPerHour: 4_000, duplicateRate: 0.01, start: '2024-06-03-22', seed: 7, threads: 1 });
    await generateSilver({ lake: path.join(dir, 'c'), events: 12_000, eventsPerHour: 4_000, duplicateRate: 0.01, start: '2024-06-03-22', seed: 8 });
    const cols = 'event_id, event_type, created_at, actor_id, repo_id, org_id, is_bot, "hour"';
    const same = await sql(
      `(SELECT ${cols} FROM ${events(lake())} EXCEPT ALL SELECT ${cols} FROM ${events(path.join(dir, 'b'))}) UNION ALL (SELECT ${cols} FROM ${events(path.join(dir, 'b'))} EXCEPT ALL SELECT ${cols} FROM ${events(lake())})`,
    );
    expect(same).toEqual([]);
    const [other] = await sql(`SELECT count(*) AS n FROM (SELECT ${cols} FROM ${events(lake())} EXCEPT SELECT ${cols} FROM ${events(path.join(dir, 'c'))})`);
    expect(other!.n).toBeGreaterThan(11_500);
  });
});
