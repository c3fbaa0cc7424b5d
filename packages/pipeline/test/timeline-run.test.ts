/**
 * `ghlake run` over pre-2015 Timeline API hours (issue 14), end to end: the real CLI, the local
 * mirror serving real Timeline lines, the fused transform, silver's cross-hour dedup, DuckDB gold
 * and the warehouse. File hours of that era are US Pacific local time and a file runs past its
 * hour, so the next hour's file here repeats the last 50 lines of the previous one.
 */
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMirror, type Mirror } from '../../../tools/mirror/server.js';
import { GHARCHIVE_FIXTURES } from '../../core/test/fixtures/gharchive.js';
import { realLines } from '../../bronze/test/real-lines.js';
import { runGhlake } from './helpers/ghlake-process.js';
import { sql } from './helpers/duckdb-sql.js';

let work: string;
let mirror: Mirror;
let lake: string;

beforeAll(async () => {
  work = await fs.mkdtemp(path.join(tmpdir(), 'ghlake-timeline-run-'));
  const mirrorDir = path.join(work, 'mirror');
  await fs.mkdir(mirrorDir, { recursive: true });
  const lines = realLines(GHARCHIVE_FIXTURES.timeline.slice2014).map(String);
  expect(lines).toHaveLength(500);
  // 2014-06-01-1: the real 500 lines; 2014-06-01-2: its last 50 lines again (events in two files).
  await fs.writeFile(path.join(mirrorDir, '2014-06-01-1.json.gz'), gzipSync(`${lines.join('\n')}\n`));
  await fs.writeFile(path.join(mirrorDir, '2014-06-01-2.json.gz'), gzipSync(`${lines.slice(450).join('\n')}\n`));
  mirror = await startMirror({ root: mirrorDir });
  lake = path.join(work, 'lake');
});
afterAll(async () => {
  await mirror?.close();
  await fs.rm(work, { recursive: true, force: true });
});

describe('ghlake run over Timeline hours', () => {
  it('reads every line as an event into bronze, silver once across files, and gold; nothing quarantined', async () => {
    const r = await runGhlake(['run', '--from', '2014-06-01-1', '--to', '2014-06-01-2', '--base-url', mirror.url, '--lake', lake, '--threads', '2']);
    expect(r.stderr).not.toMatch(/"level":"error"/);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('550 to bronze, 550 distinct within their hours to silver; 0 lines quarantined');

    const lakeSql = (table: string) => `read_parquet('${path.join(lake, table, '*', '*', 'part-*.parquet')}', hive_partitioning = true)`;
    expect(
      await sql(`SELECT era, count(*) AS n, count(DISTINCT event_id) AS ids, max(event_id) < 0 AS negative FROM ${lakeSql('bronze/events')} GROUP BY 1`),
    ).toEqual([{ era: 'timeline', n: 550, ids: 500, negative: true }]);
    expect(await sql(`SELECT count(*) AS n FROM ${lakeSql('bronze/quarantine')}`)).toEqual([{ n: 0 }]);
    // Silver holds each event once, in the earliest source file; every created_at (-07:00) is in UTC hour 08.
    expect(await sql(`SELECT "hour", count(*) AS n FROM ${lakeSql('silver/events')} GROUP BY 1 ORDER BY 1`)).toEqual([{ hour: 1, n: 500 }]);
    expect(await sql(`SELECT DISTINCT strftime(hour_bucket, '%Y-%m-%d %H') AS b FROM ${lakeSql('silver/events')}`)).toEqual([{ b: '2014-06-01 08' }]);
    expect(await sql(`SELECT actor_id_source AS s, count(*) AS n FROM ${lakeSql('silver/events')} GROUP BY 1 ORDER BY 1`)).toEqual([
      { s: 'resolved', n: 54 },
      { s: 'synthetic', n: 446 },
    ]);

    const warehouse = path.join(lake, 'warehouse.duckdb');
    expect(await sql('SELECT sum(event_count)::BIGINT AS n FROM gold.event_type_metrics', warehouse)).toEqual([{ n: 500 }]);
    expect(await sql("SELECT event_count AS n FROM gold.event_type_metrics WHERE event_type = 'PushEvent'", warehouse)).toEqual([{ n: 252 }]);
    // repositories by repository.id, named owner/name from the Timeline repository object
    expect(await sql('SELECT count(*) AS n FROM gold.repo_metrics', warehouse)).toEqual([{ n: 382 }]);
    expect(await sql('SELECT count(*) AS n FROM gold.repo_metrics WHERE repo_name IS NULL', warehouse)).toEqual([{ n: 0 }]);
    // actors: one per resolved or synthetic id (logins resolved anywhere in the hour count once)
    expect(await sql('SELECT count(*) AS n FROM gold.actor_metrics', warehouse)).toEqual([{ n: 361 }]);
  });
});
