/**
 * `ghlake query` can change nothing: every write path (COPY TO, ATTACH, INSTALL/LOAD, CREATE,
 * SET, CALL, EXPORT, EXPLAIN ANALYZE of a write, a second statement) and every read outside the
 * lake is refused with exit 2 and a one-line reason, and the lake's files are byte-identical
 * afterwards. Read-only statements of every kind still run; the SQL can come from a file or stdin.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exitCodeFor, formatErrorForUser } from '@ghlake/core';
import { buildGold } from '../src/runner.js';
import { explainedText, openQuerySession } from '../src/query.js';
import { queryCommand } from '../src/query-command.js';
import { publishSilver, tempLake } from './helpers.js';
import { writeSmallLake } from './fixtures/small-lake.js';

const BIN = path.resolve(import.meta.dirname, '..', '..', 'pipeline', 'bin', 'ghlake.mjs');

async function query(argv: string[], stdin?: string): Promise<{ code: number; stdout: string; stderr: string }> {
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
    const code = await queryCommand.run({
      argv,
      env: { GHLAKE_THREADS: '1', GHLAKE_DUCKDB_MEMORY: '256MB' },
      stdout: sink((t) => (stdout += t)),
      stderr: sink((t) => (stderr += t)),
      ...(stdin === undefined ? {} : { stdin: Readable.from([Buffer.from(stdin)]) }),
      signal: new AbortController().signal,
      cwd: process.cwd(),
    });
    return { code, stdout, stderr };
  } catch (error) {
    return { code: exitCodeFor(error), stdout, stderr: `${stderr}${formatErrorForUser(error)}\n` };
  }
}

/** Every file under `dir` (symbolic links as their target text) → sha256. */
async function treeHashes(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const rel of (await fs.readdir(dir, { recursive: true })).sort()) {
    const full = path.join(dir, rel);
    const stat = await fs.lstat(full);
    if (stat.isSymbolicLink()) out[rel] = `-> ${await fs.readlink(full)}`;
    else if (stat.isFile())
      out[rel] = createHash('sha256')
        .update(await fs.readFile(full))
        .digest('hex');
  }
  return out;
}

let lake: string;
let outside: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  ({ lake, cleanup } = await tempLake('ghlake-query-ro-'));
  await writeSmallLake(lake);
  await publishSilver(lake);
  await buildGold({ lake, memoryLimit: 256_000_000, threads: 1 });
  // The first query builds the warehouse: that is ghlake's own write, before the lake is hashed.
  expect((await query(['select 1', '--lake', lake])).code).toBe(0);
  outside = `${lake}-outside`;
  await fs.mkdir(outside, { recursive: true });
  await fs.writeFile(path.join(outside, 'secret.txt'), 'not for queries\n');
});
afterAll(async () => {
  await cleanup();
  await fs.rm(outside, { recursive: true, force: true });
});

describe('ghlake query refuses everything that is not one read-only statement inside the lake', () => {
  it('every write path and every read outside the lake: exit 2, one line naming why; the lake is byte-identical after', async () => {
    const before = await treeHashes(lake);
    expect(Object.keys(before).some((f) => f.startsWith('gold-versions/') && /part-\d{10}-full\.parquet$/.test(f))).toBe(true);
    const gold = path.join(lake, 'gold', 'repo_metrics', 'part-0000000001-full.parquet');
    const attempts: [string, RegExp][] = [
      [`COPY (select * from gold.repo_metrics limit 3) TO '${gold}' (FORMAT parquet)`, /a COPY statement/],
      [`COPY (select 1) TO '${path.join(outside, 'x.csv')}'`, /Permission Error|a COPY statement/],
      [`ATTACH '${path.join(outside, 'x.duckdb')}' AS rw (READ_ONLY false)`, /Permission Error|an? ATTACH statement/],
      [`ATTACH '${path.join(lake, 'x.duckdb')}' AS rw (READ_ONLY false)`, /an? ATTACH statement/],
      ['INSTALL httpfs', /a LOAD statement/],
      ['LOAD httpfs', /a LOAD statement/],
      ['CREATE TABLE t AS SELECT 1', /a CREATE statement/],
      ['CREATE TEMP TABLE t AS SELECT 1', /a CREATE statement/],
      ["SET memory_limit = '1GB'", /a SET statement/],
      ["SET allowed_directories = ['/']", /a SET statement/],
      ['PRAGMA enable_profiling', /a PRAGMA statement/],
      ['CHECKPOINT', /a CALL statement/],
      [`EXPORT DATABASE '${path.join(lake, 'export')}'`, /an? EXPORT statement/],
      [`EXPLAIN ANALYZE COPY (select 1) TO '${path.join(lake, 'x.csv')}'`, /EXPLAIN of a COPY statement/],
      [`/* c */ explain analyse copy (select 1) to '${path.join(lake, 'y.csv')}'`, /EXPLAIN of a COPY statement/],
      ['select 1; select 2', /2 statements given; ghlake query runs exactly one/],
      [`select 1; COPY (select 1) TO '${path.join(lake, 'z.csv')}'`, /2 statements given/],
      ["select * from read_text('/etc/passwd')", /Permission Error: .*\/etc\/passwd.*only files inside the lake can be read/],
      [`select * from read_text('${path.join(outside, 'secret.txt')}')`, /Permission Error/],
      [`select * from read_text('${lake}/../${path.basename(outside)}/secret.txt')`, /Permission Error/],
      [`select * from glob('${path.dirname(lake)}/*')`, /Permission Error/],
    ];
    for (const [sql, why] of attempts) {
      const run = await query([sql, '--lake', lake]);
      const [first, ...rest] = run.stderr.trimEnd().split('\n');
      expect({ sql, code: run.code, stdout: run.stdout }).toEqual({ sql, code: 2, stdout: '' });
      expect(first, sql).toMatch(/^error GHLAKE_QUERY_REFUSED: refused: /);
      expect(first, sql).toMatch(why);
      expect(rest.length, sql).toBeLessThanOrEqual(1); // the hint line
    }
    expect(await treeHashes(lake)).toEqual(before);
  });

  it('a query session (the report opens one for all its datasets) holds each of its statements to the same rules', async () => {
    const before = await treeHashes(lake);
    const session = await openQuerySession({ lake, memoryLimit: 256_000_000, threads: 1 });
    try {
      expect((await session.run('select 40 + 2 AS answer')).rows).toEqual([[42]]);
      const refusals: [string, RegExp][] = [
        ['CREATE TABLE t AS SELECT 1', /a CREATE statement/],
        ["SET allowed_directories = ['/']", /a SET statement/],
        ['select 1; select 2', /2 statements given/],
        ["select * from read_text('/etc/passwd')", /Permission Error/],
      ];
      for (const [sql, why] of refusals) await expect(session.run(sql), sql).rejects.toThrow(why);
      // still usable, still confined, on the same opening
      const { rows } = await session.run('select count(*) AS n from gold.repo_metrics');
      expect(Number(rows[0]![0])).toBeGreaterThan(0);
    } finally {
      session.close();
    }
    expect(await treeHashes(lake)).toEqual(before);
  });

  it('runs every read-only kind of statement: SELECT, WITH, FROM, DESCRIBE, SHOW, SUMMARIZE, PRAGMA that reads, EXPLAIN (ANALYZE) of a SELECT, lake files directly', async () => {
    const file = path.join(lake, 'gold', 'daily_summary', 'part-0000000001-full.parquet');
    const ok = [
      'select count(*) from gold.repo_metrics',
      'with x as (select 1 as n) select * from x',
      'from gold.daily_summary limit 1',
      'describe gold.repo_metrics',
      'show all tables',
      'summarize select 1 as x',
      'pragma version',
      "pragma table_info('gold.repo_metrics')",
      'explain select * from gold.repo_metrics',
      'explain analyze select count(*) from silver.events',
      `select count(*) as n from read_parquet('${file}')`,
    ];
    for (const sql of ok) {
      const run = await query([sql, '--lake', lake, '--format', 'csv']);
      expect({ sql, code: run.code, stderr: run.stderr }).toEqual({ sql, code: 0, stderr: '' });
    }
  });

  it('reads the SQL from -f FILE and from standard input (-), the same checks apply', async () => {
    const sqlFile = path.join(outside, 'q.sql');
    await fs.writeFile(sqlFile, '-- top repositories\nselect repo_name from gold.repo_metrics order by total_events desc, repo_id limit 1;\n');
    expect(await query(['-f', sqlFile, '--lake', lake, '--format', 'csv'])).toEqual({ code: 0, stdout: 'repo_name\nacme/app\n', stderr: '' });
    expect(await query(['-', '--lake', lake, '--format', 'csv'], 'select 40 + 2 as n')).toEqual({ code: 0, stdout: 'n\n42\n', stderr: '' });
    const refusedFromStdin = await query(['--file', '-', '--lake', lake], 'create table t as select 1');
    expect(refusedFromStdin.code).toBe(2);
    expect(refusedFromStdin.stderr).toMatch(/^error GHLAKE_QUERY_REFUSED: refused: a CREATE statement/);
    const both = await query(['select 1', '-f', sqlFile, '--lake', lake]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('error GHLAKE_USAGE: give the SQL either as an argument or with --file, not both');
    const missing = await query(['-f', path.join(outside, 'nope.sql'), '--lake', lake]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('cannot read the SQL file');
  });

  it('the real program reads the SQL piped into `ghlake query -`', async () => {
    const result = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      const child = execFile(
        process.execPath,
        [BIN, 'query', '-', '--lake', lake, '--format', 'csv'],
        { env: { ...process.env, GHLAKE_THREADS: '1' } },
        (error, stdout, stderr) => resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
      child.stdin!.end('select count(*) as n from silver.events');
    });
    expect(result).toEqual({ code: 0, stdout: 'n\n9\n', stderr: '' });
  });

  it('finds the statement EXPLAIN wraps, past comments, ANALYZE and an option list', () => {
    expect(explainedText('EXPLAIN select 1')).toBe('select 1');
    expect(explainedText('  -- x\n/* y */ explain analyze COPY t TO f')).toBe('COPY t TO f');
    expect(explainedText('explain (format json) select 1')).toBe(' select 1');
    expect(explainedText('explained')).toBeUndefined();
    expect(explainedText('select 1')).toBeUndefined();
  });
});
