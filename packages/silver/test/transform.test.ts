/**
 * The fused raw → bronze + silver path on the shared pool, on the two real 2015 hours:
 * exact counts, silver cross-checked with DuckDB reading the raw files, identical output
 * whatever the thread count and hour order, and silver rebuilt from bronze equal to the fused.
 */
import { copyFile, mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createPool,
  parseHour,
  partitionFile,
  stagedPartitionFile,
  SILVER_OBSERVATION_TABLES,
  silverEvents,
  silverPayloadDetails,
  type HourKey,
  type TableDecl,
} from '@ghlake/core';
import { silverFromBronze, transformHours, type TransformOutcome } from '../src/index.js';
import { GHARCHIVE_FIXTURES, hour15Lines, joinLines } from '../../bronze/test/real-lines.js';
import { HOUR_2015_01_01_15_TYPES } from '../../core/test/fixtures/gharchive.js';

const H15 = parseHour('2015-01-01-15');
const H0 = parseHour('2015-01-01-0');
const DUPS = parseHour('2015-01-03-0');
/** The real 500-line Timeline slice (issue 14): negative synthetic ids, `era` and `other` read back from bronze. */
const TL = parseHour('2014-06-01-1');
const SILVER_TABLES: TableDecl[] = [silverEvents, silverPayloadDetails, ...SILVER_OBSERVATION_TABLES];
/** Columns that record when a row was written, not what it says. */
const WHEN_WRITTEN = new Set(['processed_at']);

describe('fused transform, determinism and silver from bronze', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'ghlake-silver-'));
  const rawDir = path.join(dir, 'raw');
  const lakeA = path.join(dir, 'lake-a');
  const lakeB = path.join(dir, 'lake-b');
  const db = await (await DuckDBInstance.create(':memory:')).connect();
  const rows = async (sql: string) => (await db.runAndReadAll(sql)).getRowObjects();
  const raw = (h: HourKey) => path.join(rawDir, `${h}.json.gz`);
  let a: Map<HourKey, TransformOutcome>;

  beforeAll(async () => {
    await mkdir(rawDir, { recursive: true });
    await copyFile(GHARCHIVE_FIXTURES.hour2015_01_01_15, raw(H15));
    await copyFile(GHARCHIVE_FIXTURES.hour2015_01_01_0, raw(H0));
    await writeFile(raw(TL), gzipSync(await readFile(GHARCHIVE_FIXTURES.timeline.slice2014)));
    // Real lines with duplicates: line 1 again with different payload bytes (as a re-crawl), line 2 again as it was.
    const [l0, l1, l2] = hour15Lines();
    const l0again = Buffer.from(l0!.toString().replace('"pusher_type":"user"', '"pusher_type": "user"'));
    await writeFile(raw(DUPS), gzipSync(joinLines([l0!, l1!, l0again, l2!, l1!])));
    const pool = createPool({ threads: 2 });
    try {
      a = new Map((await transformHours(pool, { lake: lakeA, rawDir }, [H15, H0, DUPS, TL])).map((o) => [o.hour, o]));
    } finally {
      await pool.destroy();
    }
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  // The transform stages an hour's silver; silver consolidation publishes it (consolidate.test.ts).
  const file = (lake: string, t: TableDecl, h: HourKey) =>
    t.layer === 'silver' ? stagedPartitionFile(lake, t.name, h) : partitionFile(lake, t.layer, t.name, h);

  it('2015-01-01-15: 11,351 silver events with the measured per-type counts, equal to bronze minus duplicates', async () => {
    expect(a.get(H15)).toMatchObject({ status: 'ok', extension: { events: 11_351, duplicates: 0, eventsByType: HOUR_2015_01_01_15_TYPES } });
    expect(a.get(H0)).toMatchObject({ status: 'ok', extension: { events: 7_702, duplicates: 0 } });
    const byType = await rows(`select event_type, count(*)::int n from read_parquet('${file(lakeA, silverEvents, H15)}') group by 1`);
    expect(Object.fromEntries(byType.map((r) => [r.event_type, r.n]))).toEqual(HOUR_2015_01_01_15_TYPES);
  });

  it("drops duplicates within the hour, keeping the first line's row", async () => {
    expect(a.get(DUPS)).toMatchObject({ status: 'ok', accounting: { events: 5, duplicates: 2 }, extension: { events: 3, duplicates: 2 } });
    const bronze = await rows(`select source_line::int line, event_hash from read_parquet('${partitionFile(lakeA, 'bronze', 'events', DUPS)}') order by line`);
    const silver = await rows(`select event_hash from read_parquet('${file(lakeA, silverEvents, DUPS)}')`);
    expect(bronze.map((r) => r.line)).toEqual([1, 2, 3, 4, 5]);
    // line 3 (line 1 re-crawled with other payload bytes) and line 5 (line 2 again) are dropped
    expect(silver.map((r) => r.event_hash)).toEqual([bronze[0]!.event_hash, bronze[1]!.event_hash, bronze[3]!.event_hash]);
    expect(bronze[2]!.event_hash).not.toBe(bronze[0]!.event_hash);
  });

  it('silver agrees with DuckDB reading the raw file: actors, repositories, organizations, bots, push sizes', async () => {
    for (const h of [H15, H0]) {
      const [expected] = await rows(`
        with ev as (select * from read_json('${raw(h)}', format='newline_delimited',
          columns={id: 'VARCHAR', type: 'VARCHAR', actor: 'STRUCT(id BIGINT, login VARCHAR)', repo: 'STRUCT(id BIGINT)', org: 'STRUCT(id BIGINT)', payload: 'JSON', created_at: 'TIMESTAMPTZ'}))
        select
          (select count(distinct actor.id) from ev)::int actors,
          (select count(*) from (select repo.id from ev union select (payload->'$.forkee.id')::bigint from ev where type = 'ForkEvent'))::int repos,
          (select count(distinct org.id) from ev)::int orgs,
          (select count(*) filter (where regexp_matches(lower(actor.login), '\\[bot\\]$|(^|[-_.])(bot|robot)$|^(bot|robot)[-_.]')) from ev)::int bots,
          (select sum((payload->>'$.size')::bigint) filter (where type = 'PushEvent') from ev)::bigint push_size,
          (select count(distinct date_trunc('hour', created_at)) from ev)::int "hours"`);
      const [actual] = await rows(`
        select
          (select count(*) from read_parquet('${file(lakeA, SILVER_OBSERVATION_TABLES[0], h)}'))::int actors,
          (select count(*) from read_parquet('${file(lakeA, SILVER_OBSERVATION_TABLES[1], h)}'))::int repos,
          (select count(*) from read_parquet('${file(lakeA, SILVER_OBSERVATION_TABLES[2], h)}'))::int orgs,
          (select count(*) filter (where is_bot) from read_parquet('${file(lakeA, silverEvents, h)}'))::int bots,
          (select sum(payload_push_size) from read_parquet('${file(lakeA, silverPayloadDetails, h)}'))::bigint push_size,
          (select count(distinct hour_bucket) from read_parquet('${file(lakeA, silverEvents, h)}'))::int "hours"`);
      expect(actual).toEqual(expected);
    }
  });

  /** Every silver table of both lakes holds the same rows, when-written columns aside. */
  async function expectSameSilver(lakeX: string, lakeY: string, hours: HourKey[]) {
    for (const h of hours) {
      for (const t of SILVER_TABLES) {
        const cols = t.columns
          .filter((c) => !WHEN_WRITTEN.has(c.name))
          .map((c) => `"${c.name}"`)
          .join(', ');
        const [diff] = await rows(`
          select (select count(*) from (select ${cols} from read_parquet('${file(lakeX, t, h)}') except all select ${cols} from read_parquet('${file(lakeY, t, h)}')))::int x_only,
                 (select count(*) from (select ${cols} from read_parquet('${file(lakeY, t, h)}') except all select ${cols} from read_parquet('${file(lakeX, t, h)}')))::int y_only,
                 (select count(*) from read_parquet('${file(lakeX, t, h)}'))::int n`);
        expect({ table: t.name, hour: h, ...diff }).toMatchObject({ table: t.name, hour: h, x_only: 0, y_only: 0 });
        expect(diff!.n).toBeGreaterThan(0);
      }
    }
  }

  it('is identical with 1 thread in the other hour order', async () => {
    const pool = createPool({ threads: 1 });
    try {
      const b = await transformHours(pool, { lake: lakeB, rawDir }, [TL, H0, H15]);
      expect(b.map((o) => o.status)).toEqual(['ok', 'ok', 'ok']);
    } finally {
      await pool.destroy();
    }
    await expectSameSilver(lakeA, lakeB, [H15, H0, TL]);
  });

  it('silver rebuilt from bronze equals the fused silver', async () => {
    const pool = createPool({ threads: 2 });
    try {
      // lake B's silver is replaced by silver read back from lake B's bronze
      const rebuilt = await silverFromBronze(pool, { lake: lakeB }, [H15, H0, TL]);
      expect(rebuilt.map((o) => [o.hour, o.status, o.extension?.events])).toEqual([
        [H15, 'ok', 11_351],
        [H0, 'ok', 7_702],
        [TL, 'ok', 500],
      ]);
      expect(rebuilt[0]!.files.map((f) => f.table)).toEqual([
        'silver.events',
        'silver.payload_details',
        'silver.actor_observations',
        'silver.repository_observations',
        'silver.organization_observations',
      ]);
    } finally {
      await pool.destroy();
    }
    await expectSameSilver(lakeA, lakeB, [H15, H0, TL]);
    // the Timeline hour read back from bronze: its synthetic ids are exact BIGINTs, resolution and repository columns as fused
    const [tl] = await rows(`select count(*)::int n, count(distinct event_id)::int ids, (max(event_id) < 0) neg,
      count(*) filter (where actor_id_source = 'resolved')::int resolved from read_parquet('${file(lakeB, silverEvents, TL)}')`);
    expect(tl).toEqual({ n: 500, ids: 500, neg: true, resolved: 54 });
    const [bronzeIds] = await rows(`select count(*)::int n from read_parquet('${partitionFile(lakeB, 'bronze', 'events', TL)}') b
      join read_parquet('${file(lakeB, silverEvents, TL)}') s using (event_id, event_hash)`);
    expect(bronzeIds).toEqual({ n: 500 });
  });

  it('rebuilds silver from a bronze partition written before issue 14 (no era column): its rows are Events API events', async () => {
    const bronze = partitionFile(lakeB, 'bronze', 'events', H0);
    const old = `${bronze}.pre-era.parquet`;
    await db.run(`copy (select * exclude (era) from read_parquet('${bronze}')) to '${old}' (format parquet)`);
    await rename(old, bronze);
    expect((await rows(`select * from read_parquet('${bronze}') limit 1`))[0]).not.toHaveProperty('era');
    const pool = createPool({ threads: 1 });
    try {
      const [o] = await silverFromBronze(pool, { lake: lakeB }, [H0]);
      expect([o!.status, o!.extension?.events]).toEqual(['ok', 7_702]);
    } finally {
      await pool.destroy();
    }
    await expectSameSilver(lakeA, lakeB, [H0]);
  });

  it('fails an hour whose bronze partition is missing, naming the fix', async () => {
    const pool = createPool({ threads: 1 });
    try {
      const [o] = await silverFromBronze(pool, { lake: lakeB }, [parseHour('2015-01-01-3')]);
      expect(o).toMatchObject({ status: 'failed', error: { code: 'GHLAKE_HOUR_MISSING' } });
      expect(o!.error!.hint).toContain('ghlake bronze --from 2015-01-01-3');
    } finally {
      await pool.destroy();
    }
  });
});
