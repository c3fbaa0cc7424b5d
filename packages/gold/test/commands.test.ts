/**
 * `ghlake gold` and `ghlake query` through the real program (packages/pipeline/bin/ghlake.mjs),
 * as a user runs them.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exitCodeFor, formatErrorForUser, type Command } from '@ghlake/core';
import { createGoldCommand } from '../src/gold-command.js';

/** Gold's own command, without what the program passes in (silver consolidation, the Snowflake engine). */
const goldCommand = createGoldCommand();
import { queryCommand } from '../src/query-command.js';
import { tempLake } from './helpers.js';
import { writeSmallLake } from './fixtures/small-lake.js';

const BIN = path.resolve(import.meta.dirname, '..', '..', 'pipeline', 'bin', 'ghlake.mjs');

async function ghlake(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [BIN, ...args], {
      env: { ...process.env, GHLAKE_LOG_LEVEL: 'warn', GHLAKE_THREADS: '2', GHLAKE_DUCKDB_MEMORY: '512MB', ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** The command objects in-process (fast) with captured output; errors come back as the user sees them. */
async function inProcess(command: Command, argv: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const sink = (append: (t: string) => void) =>
    new Writable({
      write(chunk, _enc, done) {
        append(String(chunk));
        done();
      },
    });
  try {
    const code = await command.run({
      argv,
      env: { GHLAKE_LOG_LEVEL: 'warn', GHLAKE_THREADS: '2', GHLAKE_DUCKDB_MEMORY: '512MB', ...env },
      stdout: sink((t) => (stdout += t)),
      stderr: sink((t) => (stderr += t)),
      signal: new AbortController().signal,
      cwd: process.cwd(),
    });
    return { code, stdout, stderr };
  } catch (error) {
    return { code: exitCodeFor(error), stdout, stderr: `${stderr}${formatErrorForUser(error)}\n` };
  }
}

let lake: string;
let cleanup: () => Promise<void>;
let goldRun: { code: number; stdout: string; stderr: string };

beforeAll(async () => {
  ({ lake, cleanup } = await tempLake());
  await writeSmallLake(lake);
  goldRun = await ghlake(['gold', '--lake', lake]);
});
afterAll(async () => cleanup());

describe('ghlake gold', () => {
  it('publishes the staged silver, computes gold and prints rows per table', () => {
    expect(goldRun.stderr).toBe('');
    expect(goldRun.code).toBe(0);
    const lines = goldRun.stdout.trim().split('\n');
    expect(lines[0]).toBe('silver published 3 hours in 1 commit (head 1): 9 distinct events, 1 copy kept by an earlier hour set aside');
    expect(lines[1]).toMatch(/^gold 0000000001 9 changes applied up to silver commit 1 in (\d+ms|\d+\.\d+s|\d+m\d\ds) \(apply /);
    expect(
      lines.slice(2, -1).map((l) =>
        l
          .trim()
          .replace(/\s+/g, ' ')
          .replace(/ \d+(\.\d+)? (B|kB)$/, ' <size>'),
      ),
    ).toEqual([
      'gold.actor_metrics 3 rows written whole, <size>',
      'gold.repo_metrics 3 rows written whole, <size>',
      'gold.org_metrics 2 rows written whole, <size>',
      'gold.event_type_metrics 4 rows written whole, <size>',
      'gold.daily_summary 3 rows written whole, <size>',
      // every event of the small lake is on 2015-01-01: one row per repository, actor and org
      'gold.repo_daily_metrics 3 rows written whole, <size>',
      'gold.actor_daily_metrics 3 rows written whole, <size>',
      'gold.org_daily_metrics 2 rows written whole, <size>',
    ]);
    expect(lines.at(-1)).toContain(`warehouse ${path.join(lake, 'warehouse.duckdb')}: 18 views`);
  });

  it('refuses a lake folder that does not exist, naming the option (exit 2)', async () => {
    const missing = path.join(lake, 'no-such-lake');
    const run = await inProcess(goldCommand, ['--lake', missing]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`error GHLAKE_INVALID_OPTION: --lake has invalid value '${missing}'`);
  });

  it('rejects a bad --memory-limit before doing anything', async () => {
    const run = await inProcess(goldCommand, ['--lake', lake, '--memory-limit', 'lots']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("error GHLAKE_INVALID_OPTION: --memory-limit has invalid value 'lots'");
  });

  it('refuses --engine snowflake when no Snowflake engine was passed in (the program passes it), exit 2', async () => {
    const run = await inProcess(goldCommand, ['--lake', lake, '--engine', 'snowflake']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('error GHLAKE_USAGE: --engine snowflake is not available here\n  hint: run it through the ghlake program');
  });
});

describe('ghlake query', () => {
  it('prints an aligned table after gold', async () => {
    const run = await ghlake(['query', 'select repo_name, total_events from gold.repo_metrics order by 2 desc limit 5', '--lake', lake]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(
      [
        'repo_name  total_events',
        '---------  ------------',
        'acme/app              5',
        'acme/lib              2',
        'NULL                  1',
        '(3 rows)',
        '',
      ].join('\n'),
    );
  });

  it('prints CSV and JSON', async () => {
    const sql = 'select "day", hour_bucket, total_events from gold.daily_summary order by hour_bucket limit 2';
    const csv = await inProcess(queryCommand, [sql, '--lake', lake, '--format', 'csv']);
    expect(csv.stdout).toBe('day,hour_bucket,total_events\n2015-01-01,2015-01-01 00:00:00,4\n2015-01-01,2015-01-01 01:00:00,3\n');
    const json = await inProcess(queryCommand, [sql, '--lake', lake], { GHLAKE_QUERY_FORMAT: 'json' });
    expect(JSON.parse(json.stdout)).toEqual([
      { day: '2015-01-01', hour_bucket: '2015-01-01 00:00:00', total_events: 4 },
      { day: '2015-01-01', hour_bucket: '2015-01-01 01:00:00', total_events: 3 },
    ]);
  });

  it('reads silver through the warehouse views, with the source hour of each partition', async () => {
    const run = await inProcess(queryCommand, [
      'select source_hour, count(*) as n from silver.events group by 1 order by 1',
      '--lake',
      lake,
      '--format',
      'csv',
    ]);
    expect(run.stdout).toBe('source_hour,n\n0,4\n1,3\n2,2\n');
  });

  it("turns an error in the SQL into one GHLAKE_SQL line with DuckDB's message, exit 1", async () => {
    const run = await ghlake(['query', 'select nope from gold.repo_metrics', '--lake', lake]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    const lines = run.stderr.trim().split('\n');
    expect(lines[0]).toMatch(/^error GHLAKE_SQL: Binder Error: Referenced column "nope" not found/);
    expect(run.stderr).not.toMatch(/\n\s+at /); // no stack trace
    const missingTable = await inProcess(queryCommand, ['select * from gold.nope', '--lake', lake]);
    expect(missingTable.stderr).toMatch(/^error GHLAKE_SQL: Catalog Error: Table with name nope does not exist/);
    expect(missingTable.stderr).toContain('hint: the warehouse has schemas bronze, silver and gold');
  });

  it('asks for the SQL when none is given (exit 2)', async () => {
    const run = await inProcess(queryCommand, ['--lake', lake]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('error GHLAKE_USAGE: no SQL given');
  });
});
