/**
 * Raw hour files → bronze partitions through the shared pool: real hours, damaged gzip files,
 * empty files, missing files and failing workers; bronze checked with DuckDB against the raw file.
 */
import { copyFile, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { constants, gunzipSync, gzipSync } from 'node:zlib';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountingPath, createPool, ERROR_CODES, parseHour, partitionFile, type HourKey } from '@ghlake/core';
import { bronzeHours, runHoursOnPool, rawHourTask, type HourOutcome } from '../src/index.js';
import { fileBytes, GHARCHIVE_FIXTURES, sha256, realLines } from './real-lines.js';
import { HOUR_2015_01_01_15_TYPES } from '../../core/test/fixtures/gharchive.js';

const H15 = parseHour('2015-01-01-15');
const H0 = parseHour('2015-01-01-0');
const hour = (h: number) => parseHour(`2015-01-02-${h}`);
const TRUNCATED = hour(1);
const CORRUPT = hour(2);
const ZERO_BYTES = hour(3);
const EMPTY_GZIP = hour(4);
const ONE_EVENT = hour(5);
const NOT_GZIP = hour(6);
const MISSING = hour(7);

describe('bronzeHours on real and damaged hour files', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'ghlake-bronze-'));
  const rawDir = path.join(dir, 'raw');
  const lake = path.join(dir, 'lake');
  const db = await (await DuckDBInstance.create(':memory:')).connect();
  const pool = createPool({ threads: 2, maxOldGenerationSizeMb: 512 });
  const gz0 = await readFile(GHARCHIVE_FIXTURES.hour2015_01_01_0);
  const truncatedGz = gz0.subarray(0, 1_000_000);
  let outcomes: Map<HourKey, HourOutcome>;

  beforeAll(async () => {
    await (await import('node:fs/promises')).mkdir(rawDir, { recursive: true });
    const raw = (h: HourKey) => path.join(rawDir, `${h}.json.gz`);
    await copyFile(GHARCHIVE_FIXTURES.hour2015_01_01_15, raw(H15));
    await copyFile(GHARCHIVE_FIXTURES.hour2015_01_01_0, raw(H0));
    await writeFile(raw(TRUNCATED), truncatedGz);
    const corrupt = Buffer.from(gz0);
    corrupt.fill(0x55, 1_000_000, 1_000_400);
    await writeFile(raw(CORRUPT), corrupt);
    await writeFile(raw(ZERO_BYTES), Buffer.alloc(0));
    await writeFile(raw(EMPTY_GZIP), gzipSync(Buffer.alloc(0)));
    await writeFile(raw(ONE_EVENT), gzipSync(Buffer.concat([realLines(GHARCHIVE_FIXTURES.hour2015_01_01_15)[0]!, Buffer.from('\n')])));
    await writeFile(raw(NOT_GZIP), fileBytes(GHARCHIVE_FIXTURES.trimmedPayloads));
    const hours = [H15, H0, TRUNCATED, CORRUPT, ZERO_BYTES, EMPTY_GZIP, ONE_EVENT, NOT_GZIP, MISSING];
    const list = await bronzeHours(pool, { lake, rawDir }, hours);
    outcomes = new Map(list.map((o) => [o.hour, o]));
  });
  afterAll(async () => {
    await pool.destroy();
    await rm(dir, { recursive: true, force: true });
  });

  const bronzeFile = (h: HourKey) => partitionFile(lake, 'bronze', 'events', h);
  const quarantineFile = (h: HourKey) => partitionFile(lake, 'bronze', 'quarantine', h);
  const rows = async (sql: string) => (await db.runAndReadAll(sql)).getRowObjects();

  it('2015-01-01-15: 11,351 bronze rows with the measured per-type counts', async () => {
    expect(outcomes.get(H15)).toMatchObject({ status: 'ok', damage: null, accounting: { lines: 11_351, events: 11_351, quarantineRows: 0 } });
    const byType = await rows(`select event_type, count(*)::int n from read_parquet('${bronzeFile(H15)}') group by 1`);
    expect(Object.fromEntries(byType.map((r) => [r.event_type, r.n]))).toEqual(HOUR_2015_01_01_15_TYPES);
  });

  it('2015-01-01-0: 7,702 events', () => {
    expect(outcomes.get(H0)).toMatchObject({ status: 'ok', accounting: { lines: 7_702, events: 7_702, quarantineRows: 0 } });
  });

  it('distinct actors, repos and orgs equal what DuckDB reads from the raw file itself', async () => {
    for (const h of [H15, H0]) {
      const raw = path.join(rawDir, `${h}.json.gz`);
      const [expected] = await rows(
        `select count(distinct actor.id)::int actors, count(distinct repo.id)::int repos, count(distinct org.id)::int orgs, count(*)::int n
         from read_json('${raw}', format='newline_delimited', columns={actor: 'STRUCT(id BIGINT)', repo: 'STRUCT(id BIGINT)', org: 'STRUCT(id BIGINT)'})`,
      );
      const [actual] = await rows(
        `select count(distinct actor_id)::int actors, count(distinct repo_id)::int repos, count(distinct org_id)::int orgs, count(*)::int n from read_parquet('${bronzeFile(h)}')`,
      );
      expect(actual).toEqual(expected);
      expect(expected!.actors).toBeGreaterThan(1000);
    }
  });

  it("payload is the raw line's own text: a substring of the line, equal as JSON to json_extract(line, '$.payload'), hash = sha256(line)", async () => {
    const raw = path.join(rawDir, `${H15}.json.gz`);
    await db.run(`create or replace table raw_lines as
      select row_number() over () as source_line, line from read_csv('${raw}', columns={'line': 'VARCHAR'}, header=false, delim=chr(1), quote='', escape='', auto_detect=false)`);
    const [check] = await rows(`
      select count(*)::int n,
             count(*) filter (where position(b.payload in r.line) > 0)::int substring_of_line,
             count(*) filter (where json(b.payload) = json(json_extract(r.line, '$.payload')))::int json_equal,
             count(*) filter (where b.event_hash = sha256(r.line))::int hash_equal,
             count(*) filter (where json(b.actor) = json(json_extract(r.line, '$.actor')) and json(b.repo) = json(json_extract(r.line, '$.repo')))::int actor_repo_equal,
             count(*) filter (where b.event_id = (r.line::json->>'id')::bigint and b.created_at = (r.line::json->>'created_at')::timestamptz::timestamp)::int id_time_equal
      from read_parquet('${bronzeFile(H15)}') b join raw_lines r using (source_line)`);
    expect(check).toEqual({ n: 11_351, substring_of_line: 11_351, json_equal: 11_351, hash_equal: 11_351, actor_repo_equal: 11_351, id_time_equal: 11_351 });
  });

  it('a truncated gzip keeps every complete line before the damage; the partial last line is the one gzip_damage row', async () => {
    const before = gunzipSync(truncatedGz, { finishFlush: constants.Z_SYNC_FLUSH });
    const complete = before.subarray(0, before.lastIndexOf(10) + 1);
    const completeLines = realLines(GHARCHIVE_FIXTURES.hour2015_01_01_0).slice(0, complete.toString().split('\n').length - 1);
    const o = outcomes.get(TRUNCATED)!;
    expect(o.status).toBe('damaged');
    expect(o.damage).toEqual({
      code: 'truncated',
      message: 'the gzip stream ends inside member 1 (unexpected end of file after 1000000 bytes)',
      offset: 1_000_000,
    });
    expect(o.accounting).toMatchObject({
      lines: completeLines.length,
      events: completeLines.length,
      quarantinedLines: 0,
      quarantineRows: 1,
      quarantinedByReason: { gzip_damage: 1 },
    });
    const hashes = (await rows(`select event_hash from read_parquet('${bronzeFile(TRUNCATED)}') order by source_line`)).map((r) => r.event_hash);
    expect(hashes).toEqual(completeLines.map(sha256));
    const [q] = await rows(`select source_line::int line, reason, raw_length::int len from read_parquet('${quarantineFile(TRUNCATED)}')`);
    expect(q).toEqual({ line: completeLines.length + 1, reason: 'gzip_damage', len: before.length - complete.length });
  });

  it('a corrupt gzip is reported damaged, every line read is accounted for, and no event is invented', async () => {
    const o = outcomes.get(CORRUPT)!;
    expect(o.status).toBe('damaged');
    expect(o.damage?.code).toBe('corrupt');
    const a = o.accounting!;
    expect(a.lines).toBe(a.eventLines + a.quarantinedLines + a.blankLines);
    expect(a.events).toBeGreaterThan(1000);
    const real = new Set(realLines(GHARCHIVE_FIXTURES.hour2015_01_01_0).map(sha256));
    const hashes = (await rows(`select event_hash from read_parquet('${bronzeFile(CORRUPT)}')`)).map((r) => r.event_hash as string);
    expect(hashes.length).toBe(a.events);
    expect(hashes.filter((h) => !real.has(h))).toEqual([]);
  });

  it('an empty file (0 bytes, or a gzip of nothing) is an hour of no events; one event is one event', async () => {
    for (const h of [ZERO_BYTES, EMPTY_GZIP]) {
      expect(outcomes.get(h)).toMatchObject({ status: 'ok', accounting: { lines: 0, events: 0, quarantineRows: 0 } });
      const [r] = await rows(`select count(*)::int n from read_parquet('${bronzeFile(h)}')`);
      expect(r).toEqual({ n: 0 });
    }
    expect(outcomes.get(ONE_EVENT)).toMatchObject({ status: 'ok', accounting: { lines: 1, events: 1 } });
  });

  it('a file that is not gzip is damaged NOT_GZIP; a missing file fails that hour alone with HOUR_MISSING', () => {
    expect(outcomes.get(NOT_GZIP)).toMatchObject({ status: 'damaged', damage: { code: 'not_gzip', offset: 0 }, accounting: { lines: 0, quarantineRows: 1 } });
    const missing = outcomes.get(MISSING)!;
    expect(missing.status).toBe('failed');
    expect(missing.error).toMatchObject({ code: ERROR_CODES.HOUR_MISSING, details: { hour: MISSING } });
    expect(missing.error!.hint).toContain('ghlake download');
  });

  it('with discardDamaged (ghlake run, unchecked downloads) a damaged hour publishes nothing and answers discarded; a sound one is published as usual', async () => {
    const discardLake = path.join(dir, 'discard-lake');
    const list = await bronzeHours(pool, { lake: discardLake, rawDir, discardDamaged: true }, [TRUNCATED, CORRUPT, ONE_EVENT]);
    expect(list.map((o) => [o.hour, o.status, o.damage?.code ?? null, o.files.length])).toEqual([
      [TRUNCATED, 'discarded', 'truncated', 0],
      [CORRUPT, 'discarded', 'corrupt', 0],
      [ONE_EVENT, 'ok', null, 3],
    ]);
    // Counted as read, so the caller knows what it threw away; nothing of it on disk, no temp files.
    expect(list[0]!.accounting).toMatchObject({ quarantinedByReason: { gzip_damage: 1 } });
    const onDisk = (await readdir(discardLake, { recursive: true })).filter((f) => f.endsWith('.parquet') || f.endsWith('.json') || f.includes('.tmp-'));
    expect(onDisk.filter((f) => f.includes('date=2015-01-02/hour=1/') || f.includes('date=2015-01-02/hour=2/') || f.includes('.tmp-'))).toEqual([]);
    expect(onDisk.filter((f) => f.includes('date=2015-01-02/hour=5/')).length).toBe(3);
  });

  it('keeps the line accounting beside the partition and lists every file written', async () => {
    const o = outcomes.get(H15)!;
    const record = JSON.parse(await readFile(accountingPath(lake, H15), 'utf8'));
    expect(record).toMatchObject({ hour: H15, sourceFile: '2015-01-01-15.json.gz', damage: null, accounting: o.accounting });
    expect(o.files.map((f) => [f.table, path.relative(lake, f.path), f.rows])).toEqual([
      ['bronze.events', 'bronze/events/date=2015-01-01/hour=15/part-0.parquet', 11_351],
      ['bronze.quarantine', 'bronze/quarantine/date=2015-01-01/hour=15/part-0.parquet', 0],
      ['bronze.events/_accounting', 'bronze/events/date=2015-01-01/hour=15/_accounting.json', 0],
    ]);
    const left = await readdir(path.dirname(bronzeFile(H15)));
    expect(left.sort()).toEqual(['_accounting.json', 'part-0.parquet']);
  });

  it('a worker that runs out of memory or throws fails that hour alone; the pool and the other hours go on', async () => {
    const small = createPool({ threads: 2, maxOldGenerationSizeMb: 256 });
    try {
      const hours = [hour(21), ONE_EVENT, hour(22)];
      const got = await runHoursOnPool(small, new URL('./fixtures/failing-worker.ts', import.meta.url), hours, (h) =>
        rawHourTask({ lake: path.join(dir, 'lake2'), rawDir }, h),
      );
      expect(got.map((o) => [o.hour, o.status, o.error?.code])).toEqual([
        [hour(21), 'failed', ERROR_CODES.WORKER_FAILED],
        [ONE_EVENT, 'ok', undefined],
        [hour(22), 'failed', ERROR_CODES.INTERNAL],
      ]);
      expect(got[2]!.error!.message).toBe('parser exploded');
      expect(got[0]!.error!.details).toMatchObject({ hour: hour(21) });
    } finally {
      await small.destroy();
    }
  });
});
