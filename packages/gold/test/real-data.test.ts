/**
 * Gold on real GH Archive hours (2015-01-01-0 and -15, 19,053 events) made silver by the real
 * transform (@ghlake/silver), checked against figures computed independently from the raw
 * JSON with DuckDB's read_json — a path that shares no code with the transform or gold.
 *
 * The hours go through silver and gold as separate commits (0 and 15, then 15 filed a second
 * time as hour 16 — what the crawler does to late events since 2025): every figure must stay the
 * same, and the incremental gold must equal gold recounted by the SQL models.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SILVER_OBSERVATION_TABLES, createPool, parseHour, silverEvents, silverPayloadDetails, stagedPartitionFile, tableDir } from '@ghlake/core';
import { keyedRelation, listKeyedFiles, liveKeyedFiles } from '@ghlake/core/duckdb';
import { consolidateSilver, transformHours, type SilverConsolidationResult } from '@ghlake/silver';
import { GHARCHIVE_FIXTURES, HOUR_2015_01_01_15_TYPES } from '../../core/test/fixtures/gharchive.js';
import { buildGold, type GoldResult } from '../src/runner.js';
import { TEST_SETTINGS, sql, tempLake } from './helpers.js';

let lake: string;
let cleanup: () => Promise<void>;
let silverRuns: SilverConsolidationResult[];
let goldRuns: GoldResult[];
/** A silver entity table's current rows (a keyed table: its full file and deltas, newest row per key). */
async function silverTable(name: 'actors' | 'repositories' | 'organizations'): Promise<string> {
  const { ENTITY_RULES } = await import('@ghlake/core');
  const rule = ENTITY_RULES.find((r) => r.entity.name === name)!;
  return keyedRelation(rule.entity, liveKeyedFiles(await listKeyedFiles(tableDir(lake, 'silver', name))).live)!;
}

const RAW = `read_json(['${GHARCHIVE_FIXTURES.hour2015_01_01_0}', '${GHARCHIVE_FIXTURES.hour2015_01_01_15}'],
  columns = {id: 'BIGINT', type: 'VARCHAR', created_at: 'TIMESTAMP', actor: 'STRUCT(id BIGINT, login VARCHAR)', repo: 'STRUCT(id BIGINT, name VARCHAR)', org: 'STRUCT(id BIGINT)'})`;
/** The raw events, one row per distinct key, flattened — the independent reference (parsed once, kept as Parquet). */
const REF_SQL = `SELECT DISTINCT id AS event_id, type AS event_type, created_at, actor.id AS actor_id, repo.id AS repo_id, org.id AS org_id FROM ${RAW}`;
let REF: string;
const goldTable = (name: string) => `read_parquet('${lake}/gold/${name}/*.parquet')`;
const SILVER_EVENTS = () => `read_parquet('${lake}/silver/events/*/*/part-*.parquet')`;

/** Rows of `a` EXCEPT rows of `b`, both ways: [] when the two relations hold the same rows. */
async function difference(a: string, b: string): Promise<Record<string, unknown>[]> {
  return sql(`(${a} EXCEPT ${b}) UNION ALL (${b} EXCEPT ${a}) LIMIT 5`);
}

beforeAll(async () => {
  ({ lake, cleanup } = await tempLake('ghlake-gold-real-'));
  const pool = createPool({ threads: 2 });
  try {
    const outcomes = await transformHours(pool, { lake, rawDir: GHARCHIVE_FIXTURES.dir }, [parseHour('2015-01-01-0'), parseHour('2015-01-01-15')]);
    expect(outcomes.map((o) => [o.hour, o.status])).toEqual([
      ['2015-01-01-0', 'ok'],
      ['2015-01-01-15', 'ok'],
    ]);
  } finally {
    await pool.destroy();
  }
  // Hour 15's staged silver kept aside, to be filed again as hour 16 after the first commit.
  const tables = [silverEvents, silverPayloadDetails, ...SILVER_OBSERVATION_TABLES];
  const copies = path.join(lake, 'copies-of-15');
  for (const table of tables) {
    await fs.mkdir(path.join(copies, table.name), { recursive: true });
    await fs.copyFile(stagedPartitionFile(lake, table.name, parseHour('2015-01-01-15')), path.join(copies, table.name, 'part-0.parquet'));
  }
  silverRuns = [await consolidateSilver({ lake, ...TEST_SETTINGS })];
  goldRuns = [await buildGold({ lake, ...TEST_SETTINGS, refreshWarehouse: false })];
  for (const table of tables) {
    const to = stagedPartitionFile(lake, table.name, parseHour('2015-01-01-16'));
    await fs.mkdir(path.dirname(to), { recursive: true });
    await fs.rename(path.join(copies, table.name, 'part-0.parquet'), to);
  }
  silverRuns.push(await consolidateSilver({ lake, ...TEST_SETTINGS }));
  goldRuns.push(await buildGold({ lake, ...TEST_SETTINGS, refreshWarehouse: false }));
  const refFile = path.join(lake, 'reference-from-raw.parquet');
  await sql(`COPY (${REF_SQL}) TO '${refFile}' (FORMAT parquet)`);
  REF = `read_parquet('${refFile}')`;
});
afterAll(async () => cleanup());

describe('gold on real hours 2015-01-01-0 and -15 (+ hour 15 filed twice)', () => {
  it("keeps each of the 19,053 real events once: all of hour 16's copies are set aside, and gold does not change", async () => {
    expect(silverRuns[0]!.commits[0]!.events).toMatchObject({ published: 7_702 + 11_351, setAside: 0 });
    expect(silverRuns[1]!.commits[0]!.events).toMatchObject({ published: 0, setAside: 11_351, rewrittenHours: [], changes: 0 });
    expect((await sql(`SELECT count(*) AS n FROM ${SILVER_EVENTS()}`))[0]!.n).toBe(19_053);
    expect((await sql(`SELECT count(*) AS n FROM read_parquet('${lake}/silver/payload_details/*/*/part-*.parquet')`))[0]!.n).toBe(19_053);
    expect(goldRuns.map((g) => g.mode)).toEqual(['incremental', 'incremental']);
    expect(goldRuns[1]!.applied!.changes).toBe(0);
    expect(goldRuns[1]!.events).toBe(19_053);
  });

  it('incremental gold equals gold recounted by the SQL models, table for table', async () => {
    const copy = `${lake}-rebuild`;
    await fs.cp(lake, copy, { recursive: true, verbatimSymlinks: true });
    try {
      expect((await buildGold({ lake: copy, ...TEST_SETTINGS, refreshWarehouse: false, rebuild: true })).mode).toBe('rebuild');
      for (const name of ['actor_metrics', 'repo_metrics', 'org_metrics', 'event_type_metrics', 'daily_summary']) {
        expect(await difference(`SELECT * FROM ${goldTable(name)}`, `SELECT * FROM read_parquet('${copy}/gold/${name}/*.parquet')`), name).toEqual([]);
      }
    } finally {
      await fs.rm(copy, { recursive: true, force: true });
    }
  });

  it("event_type_metrics: counts sum to the silver events; hour 15's types match the hand count in SOURCES.md", async () => {
    const [totals] = await sql(`SELECT sum(event_count) AS events, sum(event_share) AS share FROM ${goldTable('event_type_metrics')}`);
    expect(totals!.events).toBe(19_053);
    expect(totals!.share).toBeCloseTo(1, 12);
    const hour15 = await sql(`SELECT event_type, count(*) AS n FROM ${SILVER_EVENTS()} WHERE hour_bucket = TIMESTAMP '2015-01-01 15:00:00' GROUP BY 1`);
    expect(Object.fromEntries(hour15.map((r) => [r.event_type, r.n]))).toEqual(HOUR_2015_01_01_15_TYPES);
    expect(
      await difference(
        `SELECT event_type, event_count, unique_actors, unique_repos, round(event_share, 12) FROM ${goldTable('event_type_metrics')}`,
        `SELECT event_type, count(*), count(DISTINCT actor_id), count(DISTINCT repo_id), round(count(*) / sum(count(*)) OVER (), 12) FROM ${REF} GROUP BY 1`,
      ),
    ).toEqual([]);
  });

  it("daily_summary: one row per event hour with the raw file's counts", async () => {
    expect(await sql(`SELECT strftime(hour_bucket, '%H') AS h, "day"::VARCHAR AS d, total_events FROM ${goldTable('daily_summary')} ORDER BY 1`)).toEqual([
      { h: '00', d: '2015-01-01', total_events: 7_702 },
      { h: '15', d: '2015-01-01', total_events: 11_351 },
    ]);
    expect(
      await difference(
        `SELECT hour_bucket, "day", total_events, unique_actors, unique_repos FROM ${goldTable('daily_summary')}`,
        `SELECT date_trunc('hour', created_at), CAST(date_trunc('hour', created_at) AS DATE), count(*), count(DISTINCT actor_id), count(DISTINCT repo_id) FROM ${REF} GROUP BY 1`,
      ),
    ).toEqual([]);
  });

  it("actor_metrics: each actor's total_events is its silver event count, and every figure matches the raw events", async () => {
    expect(
      await difference(
        `SELECT actor_id, total_events FROM ${goldTable('actor_metrics')}`,
        `SELECT actor_id, count(*) FROM ${SILVER_EVENTS()} WHERE actor_id IS NOT NULL GROUP BY 1`,
      ),
    ).toEqual([]);
    expect(
      await difference(
        `SELECT actor_id, total_events, unique_repos, first_event, last_event FROM ${goldTable('actor_metrics')}`,
        `SELECT actor_id, count(*), count(DISTINCT repo_id), min(created_at), max(created_at) FROM ${REF} WHERE actor_id IS NOT NULL GROUP BY 1`,
      ),
    ).toEqual([]);
    // Attributes joined from silver.actors: every actor has a login, as every real event does.
    const [nulls] = await sql(`SELECT count(*) AS actors, count(actor_login) AS logins FROM ${goldTable('actor_metrics')}`);
    expect(nulls!.logins).toBe(nulls!.actors);
  });

  it('repo_metrics and org_metrics match the raw events figure for figure', async () => {
    expect(
      await difference(
        `SELECT repo_id, total_events, unique_actors, first_event, last_event FROM ${goldTable('repo_metrics')}`,
        `SELECT repo_id, count(*), count(DISTINCT actor_id), min(created_at), max(created_at) FROM ${REF} WHERE repo_id IS NOT NULL GROUP BY 1`,
      ),
    ).toEqual([]);
    expect(
      await difference(
        `SELECT org_id, total_events, unique_actors, unique_repos, first_event, last_event FROM ${goldTable('org_metrics')}`,
        `SELECT org_id, count(*), count(DISTINCT actor_id), count(DISTINCT repo_id), min(created_at), max(created_at) FROM ${REF} WHERE org_id IS NOT NULL GROUP BY 1`,
      ),
    ).toEqual([]);
    const [named] = await sql(`SELECT count(*) AS repos, count(repo_name) AS named FROM ${goldTable('repo_metrics')}`);
    expect(named!.named).toBe(named!.repos);
  });

  it('silver entities: one row per id, seen ranges spanning both real hours', async () => {
    expect(
      await difference(
        `SELECT actor_id, first_seen_at, last_seen_at FROM ${await silverTable('actors')}`,
        `SELECT actor_id, min(created_at), max(created_at) FROM ${REF} WHERE actor_id IS NOT NULL GROUP BY 1`,
      ),
    ).toEqual([]);
    expect(
      await difference(
        `SELECT org_id, first_seen_at, last_seen_at, description FROM ${await silverTable('organizations')}`,
        `SELECT org_id, min(created_at), max(created_at), NULL FROM ${REF} WHERE org_id IS NOT NULL GROUP BY 1`,
      ),
    ).toEqual([]);
    const [both] = await sql(`SELECT count(*) AS n FROM ${await silverTable('actors')} WHERE hour(first_seen_at) = 0 AND hour(last_seen_at) = 15`);
    expect(both!.n).toBeGreaterThan(0);
  });
});
