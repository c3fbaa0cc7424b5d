/**
 * `ghlake run` end to end, the way users run it: the real CLI as a child process, the real
 * download client against the local mirror on 127.0.0.1, the real fused transform on the
 * pool, real DuckDB gold and warehouse. Hours are small real slices (helpers/sliced-hours.ts).
 */
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { partitionFile, type HourKey } from '@ghlake/core';
import { startMirror, type Mirror } from '../../../tools/mirror/server.js';
import { runGhlake } from './helpers/ghlake-process.js';
import { lakeContent, tempFilesUnder } from './helpers/lake-content.js';
import { RUN_SLICES, writeSlicedHours } from './helpers/sliced-hours.js';
import { readManifest } from '@ghlake/core';
import { sql } from './helpers/duckdb-sql.js';

let work: string;
let mirrorDir: string;
let mirror: Mirror;
let lake: string;

const range = ['--from', '2015-01-01-0', '--to', '2015-01-01-3'];
const GETS = (hour: string) => mirror.requests.filter((r) => r.method === 'GET' && r.hour === hour).length;

beforeAll(async () => {
  work = await fs.mkdtemp(path.join(tmpdir(), 'ghlake-run-'));
  mirrorDir = path.join(work, 'mirror');
  // Hours 0, 1, 2 and 15 exist; 3 does not (a 404, like GH Archive's missing hours).
  await writeSlicedHours(mirrorDir);
  mirror = await startMirror({ root: mirrorDir });
  lake = path.join(work, 'lake');
});
afterAll(async () => {
  await mirror?.close();
  await fs.rm(work, { recursive: true, force: true });
});

describe('ghlake run', () => {
  it('takes a range from GH Archive to bronze, silver, gold and the warehouse; a missing hour is listed and skipped; exit 0', async () => {
    const r = await runGhlake(['run', ...range, '--base-url', mirror.url, '--lake', lake, '--threads', '2']);
    expect(r.stderr).not.toMatch(/"level":"error"/);
    expect(r.code).toBe(0);

    // What the archive files hold, computed independently from the raw slices by DuckDB.
    const files = ['2015-01-01-0', '2015-01-01-1', '2015-01-01-2'].map((h) => `'${path.join(mirrorDir, `${h}.json.gz`)}'`).join(', ');
    const [expected] = await sql(`SELECT count(*) AS lines, count(DISTINCT (id, type, created_at)) AS distinct_events, count(DISTINCT repo.id) AS repos
      FROM read_json([${files}], format = 'newline_delimited', columns = {id: 'VARCHAR', type: 'VARCHAR', created_at: 'VARCHAR', repo: 'STRUCT(id BIGINT)'})`);
    expect(expected).toEqual({ lines: 1200, distinct_events: 1180, repos: expect.any(Number) });

    expect(r.stdout).toContain('ghlake run done: 2015-01-01-0 .. 2015-01-01-3 (4 hours)');
    expect(r.stdout).toMatch(/hours\s+3 transformed, 0 already up to date, 1 missing, 0 damaged, 0 failed/);
    expect(r.stdout).toMatch(/missing\s+2015-01-01-3 \(not on the server/);
    expect(r.stdout).toContain('1,200 to bronze, 1,200 distinct within their hours to silver; 0 lines quarantined');
    expect(r.stdout).toMatch(/silver\s+1,180 events in the lake after cross-hour dedup \(20 copies/);

    // Bronze keeps every event; silver holds each event once across hours (20 lines were in two files).
    const lakeSql = (table: string) => `read_parquet('${path.join(lake, table, '*', '*', 'part-*.parquet')}', hive_partitioning = true)`;
    expect(await sql(`SELECT count(*) AS n FROM ${lakeSql('bronze/events')}`)).toEqual([{ n: 1200 }]);
    expect(await sql(`SELECT count(*) AS n, count(DISTINCT (event_id, event_type, created_at)) AS d FROM ${lakeSql('silver/events')}`)).toEqual([
      { n: 1180, d: 1180 },
    ]);
    // The copy kept is the earliest source hour's: hour 1's partition lost the 20 shared events.
    expect(await sql(`SELECT "hour", count(*) AS n FROM ${lakeSql('silver/events')} GROUP BY 1 ORDER BY 1`)).toEqual([
      { hour: 0, n: 400 },
      { hour: 1, n: 380 },
      { hour: 2, n: 400 },
    ]);
    // Gold and the warehouse agree with silver.
    const warehouse = path.join(lake, 'warehouse.duckdb');
    expect(await sql('SELECT sum(event_count)::BIGINT AS n FROM gold.event_type_metrics', warehouse)).toEqual([{ n: 1180 }]);
    expect(await sql('SELECT count(*) AS n FROM gold.repo_metrics', warehouse)).toEqual([{ n: expected!.repos }]);

    // The ten most active repositories printed are the warehouse's, in order.
    const top = await sql('SELECT repo_name, total_events FROM gold.repo_metrics ORDER BY total_events DESC, repo_id LIMIT 10', warehouse);
    const printed = r.stdout.split('most active repositories')[1]!.split('\n\n')[0]!.trim().split('\n').slice(1);
    expect(printed).toHaveLength(10);
    printed.forEach((line, i) =>
      expect(line).toMatch(new RegExp(`^\\s*${i + 1}\\. ${String(top[i]!.repo_name).replace(/[.]/g, '\\.')}\\s+${top[i]!.total_events} events$`)),
    );

    // The manifest records each hour's state, checksum and line accounting.
    const manifest = await readManifest(lake);
    expect(manifest.hours['2015-01-01-3']!.state).toBe('missing');
    for (const h of ['2015-01-01-0', '2015-01-01-1', '2015-01-01-2']) {
      expect(manifest.hours[h]).toMatchObject({
        state: 'transformed',
        download: { sha256: expect.stringMatching(/^[0-9a-f]{64}$/) },
        transform: { accounting: { lines: 400, events: 400, quarantined: 0 } },
      });
      expect(manifest.hours[h]!.transform!.files).toContain(path.relative(lake, partitionFile(lake, 'silver', 'events', h as HourKey)));
    }
    // Gold reflects the last silver commit, which holds the three hours (the state's summary for readers).
    const heads = JSON.parse(await fs.readFile(path.join(lake, '_state', 'heads.json'), 'utf8'));
    expect(heads.silver).toMatchObject({ hours: 3, events: 1180 });
    expect(heads.gold.head).toBe(heads.silver.head);
    expect(await tempFilesUnder(lake)).toEqual([]);
    await expect(fs.stat(path.join(lake, '_state', 'lock'))).rejects.toThrow(/ENOENT/);
  });

  it('a rerun does only what is missing: no download of complete hours, gold untouched, the missing hour asked again', async () => {
    const before = await lakeContent(lake);
    const gets = Object.fromEntries(['0', '1', '2', '3'].map((h) => [h, GETS(`2015-01-01-${h}`)]));
    const r = await runGhlake(['run', ...range, '--base-url', mirror.url, '--lake', lake, '--json']);
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary.hours).toMatchObject({ done: [], upToDate: ['2015-01-01-0', '2015-01-01-1', '2015-01-01-2'], missing: ['2015-01-01-3'], failed: [] });
    expect(summary.gold).toMatchObject({ mode: 'unchanged', silverCommits: 0, rebuilt: false });
    expect(summary.stages.warehouse).toMatchObject({ skipped: true });
    expect(GETS('2015-01-01-0')).toBe(gets['0']);
    expect(GETS('2015-01-01-2')).toBe(gets['2']);
    expect(GETS('2015-01-01-3')).toBe(gets['3']! + 1);
    expect(await lakeContent(lake)).toEqual(before);
  });

  it('trusts the files, not just the manifest: an hour whose partition was deleted is redone, and the lake comes out the same', async () => {
    const before = await lakeContent(lake);
    await fs.rm(path.dirname(partitionFile(lake, 'silver', 'payload_details', '2015-01-01-1' as HourKey)), { recursive: true });
    const r = await runGhlake(['run', ...range, '--base-url', mirror.url, '--lake', lake, '--json']);
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary.hours.done).toEqual(['2015-01-01-1']);
    expect(summary.gold.rebuilt).toBe(true);
    expect(r.stderr).toMatch(/"msg":"redoing hour","hour":"2015-01-01-1","why":"transformed, but 1 file\(s\) are gone/);
    expect(await lakeContent(lake)).toEqual(before);
  });

  it('ghlake status shows per-hour state, the missing hour, quarantined lines and the gaps', async () => {
    const r = await runGhlake(['status', '--lake', lake, '--from', '2015-01-01-0', '--to', '2015-01-01-5']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/hours\s+3 transformed, 1 missing, 2 pending/);
    expect(r.stdout).toContain(`missing     1 (HTTP 404 at ${mirror.url}): 2015-01-01-3`);
    expect(r.stdout).toMatch(/gaps\s+2015-01-01-3\.\.2015-01-01-5 \(3 hours: missing, pending\)/);
    expect(r.stdout).toMatch(/quarantined 0 lines/);
    expect(r.stdout).toMatch(/gold\s+built .* from 3 hours — current/);
    expect(r.stdout).toMatch(/2015-01-01-1\s+transformed\s+400\s+0/);
    const json = JSON.parse((await runGhlake(['status', '--lake', lake, '--json'])).stdout);
    expect(json.range).toEqual({ from: '2015-01-01-0', to: '2015-01-01-3', hours: 4 });
    expect(json.events).toBe(1200);
  });

  it("with no range processes GH Archive's example hour 2015-01-01-15 into ./lake and prints the top ten repositories", async () => {
    const cwd = path.join(work, 'quickstart');
    await fs.mkdir(cwd);
    const r = await runGhlake(['run'], { cwd, env: { GHLAKE_BASE_URL: mirror.url } });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`ghlake run done: 2015-01-01-15 (1 hour) → ${path.join(cwd, 'lake')}`);
    expect(r.stdout).toContain(`${RUN_SLICES.find((s) => s.hour === '2015-01-01-15')!.to} to bronze`);
    expect(r.stdout.split('most active repositories')[1]!.split('\n\n')[0]!.trim().split('\n')).toHaveLength(11);
    await fs.access(path.join(cwd, 'lake', 'warehouse.duckdb'));
    // and, last, the report of the run's hour
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe(`report: ${path.join(cwd, 'lake', 'report.html')}`);
    await fs.access(path.join(cwd, 'lake', 'report.html'));
  });

  it('usage errors exit 2 with one clear line', async () => {
    const bad = await runGhlake(['run', '--from', '2015-13-01-5', '--lake', lake]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^error GHLAKE_INVALID_HOUR: invalid hour '2015-13-01-5': month 13 is not 1-12\n  hint: /);
    const unknown = await runGhlake(['run', '--form', '2015-01-01-0']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown option '--form'/);
  });
});
