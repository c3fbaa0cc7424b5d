/**
 * `ghlake snowflake` through the real CLI: dry runs print the whole plan without connecting;
 * against the REST stub, setup -> load -> load -> status run end to end; bad input gets one
 * clear error and exit code 2; no secret is printed. Spawned processes
 * (node packages/pipeline/bin/ghlake.mjs) where the process matters — stdout/stderr, exit code,
 * no driver log file; the CLI's `main` in-process for the error cases, to keep the suite fast.
 */
import { spawn } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../pipeline/src/cli.js';
import { objectsFrom, planSetup, formatScript, scanLake, type LakeTableFile } from '../src/snowflake/index.js';
import { startSnowflakeStub, type SnowflakeStub } from '../../../tools/snowflake-stub/index.js';
import { fakeWarehouse, type FakeWarehouse } from './fixtures/snowflake/fake-warehouse.js';
import { writeTinyLake } from './fixtures/snowflake/tiny-lake.js';

const BIN = path.resolve(import.meta.dirname, '..', '..', 'pipeline', 'bin', 'ghlake.mjs');
const PASSWORD = 'cli-Pw#3"never\\print';

let work: string;
let lakeDir: string;
let files: LakeTableFile[];

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function ghlake(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    // Only what the test gives: no SNOWFLAKE_* or GHLAKE_* from the machine running the tests.
    const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(SNOWFLAKE_|GHLAKE_)/.test(k)));
    const child = spawn(process.execPath, [BIN, 'snowflake', ...args], {
      cwd: work,
      env: { ...base, ...env } as NodeJS.ProcessEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The same CLI in this process: `main` with captured streams. */
async function ghlakeInProcess(args: string[], env: Record<string, string> = {}): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const sink = (append: (s: string) => void) =>
    new Writable({
      write(chunk: Buffer | string, _enc, done) {
        append(chunk.toString());
        done();
      },
    });
  const code = await main(['snowflake', ...args], {
    env,
    cwd: work,
    signal: new AbortController().signal,
    stdout: sink((s) => (stdout += s)),
    stderr: sink((s) => (stderr += s)),
  });
  return { code, stdout, stderr };
}

beforeAll(async () => {
  work = await fs.mkdtemp(path.join(tmpdir(), 'ghlake-sf-cli-'));
  lakeDir = path.join(work, 'lake');
  await writeTinyLake(lakeDir);
  files = await scanLake(lakeDir);
});
afterAll(async () => {
  await fs.rm(work, { recursive: true, force: true });
});

describe('dry runs print the plan and connect to nothing', () => {
  it('setup --dry-run prints every setup statement and how to wire the storage integration', async () => {
    const run = await ghlake(['setup', '--dry-run', '--bucket', 'ghlake-test']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const objects = objectsFrom({});
    const script = formatScript('ghlake snowflake setup', planSetup(objects, { bucket: 'ghlake-test', prefix: 'ghlake' }).statements, [
      'dry run: nothing was sent to Snowflake. Stage URL: s3://ghlake-test/ghlake/',
    ]);
    expect(run.stdout.startsWith(script)).toBe(true);
    expect(run.stdout).toContain("--     STORAGE_AWS_ROLE_ARN = 'arn:aws:iam::<aws-account-id>:role/<role-name>'");
    expect(run.stdout).toContain('-- DESC INTEGRATION shows two values for the AWS side: put STORAGE_AWS_IAM_USER_ARN as the');
    expect((run.stdout.match(/^CREATE TABLE IF NOT EXISTS/gm) ?? []).length).toBe(14); // 5 silver, 8 gold, GHLAKE_LOADS
  });

  it('load --dry-run --lake prints a transaction per hour batch and a swap per whole table, for every lake file', async () => {
    const run = await ghlake(['load', '--dry-run', '--lake', lakeDir, '--batch-files', '1']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('-- silver.events: 2 partition(s) in the lake, 2 new, 0 changed, 0 up to date');
    const copies = [...run.stdout.matchAll(/^  FILES = \('([^']+)'\)$/gm)].map((m) => m[1]);
    expect(copies).toEqual(files.map((f) => f.stagePath));
    expect(copies).toContain('silver/events/date=2015-01-01/hour=15/part-0.parquet');
    expect(copies.find((c) => c!.includes('daily_summary'))).toBe('gold/daily_summary/part-0000000001-full.parquet');
    expect((run.stdout.match(/^BEGIN TRANSACTION;$/gm) ?? []).length).toBe(6);
    expect((run.stdout.match(/^COMMIT;$/gm) ?? []).length).toBe(6);
    expect((run.stdout.match(/^ALTER TABLE .* SWAP WITH .*;$/gm) ?? []).length).toBe(2);
    const recorded = [...run.stdout.matchAll(/^-- binds: (\["\[\{.*)$/gm)].flatMap(
      (m) => JSON.parse(JSON.parse(m[1]!)[0]) as Array<{ file_path: string; rows: number }>,
    );
    expect(recorded.map((r) => `${r.file_path} ${r.rows}`)).toEqual([
      'silver/events/date=2015-01-01/hour=0/part-0.parquet 5',
      'silver/events/date=2015-01-01/hour=15/part-0.parquet 3',
      'silver/actors/part-0000000001-full.parquet 8',
      'silver/payload_details/date=2015-01-01/hour=0/part-0.parquet 5',
      'silver/payload_details/date=2015-01-01/hour=15/part-0.parquet 3',
      'gold/daily_summary/part-0000000001-full.parquet 2',
    ]);
  });

  it('load --dry-run --date keeps the hourly tables to that day', async () => {
    const run = await ghlakeInProcess(['load', '--dry-run', '--lake', lakeDir, '--from', '2015-01-01-15']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('-- silver.events: 1 partition(s) in the lake, 1 new');
    expect(run.stdout).not.toContain('hour=0/part-0.parquet');
  });
});

describe('against the Snowflake stub', () => {
  let stub: SnowflakeStub;
  let fake: FakeWarehouse;
  let env: Record<string, string>;
  beforeAll(async () => {
    fake = fakeWarehouse({ stageUrl: 's3://ghlake-test/ghlake/' });
    for (const f of files) fake.staged.set(f.stagePath, f.rows);
    stub = await startSnowflakeStub({ account: 'acme-test', user: 'loader', password: PASSWORD, handler: fake.handler });
    env = {
      SNOWFLAKE_ACCOUNT: 'acme-test',
      SNOWFLAKE_USER: 'loader',
      SNOWFLAKE_PASSWORD: PASSWORD,
      SNOWFLAKE_HOST: stub.url,
      SNOWFLAKE_WAREHOUSE: 'load_wh',
      GHLAKE_S3_BUCKET: 'ghlake-test',
      GHLAKE_LAKE: lakeDir,
      GHLAKE_LOG_LEVEL: 'debug', // driver logs included: the password must not appear there either
    };
  });
  afterAll(async () => {
    await stub.close();
  });

  it('setup, load, load again, status', async () => {
    const setup = await ghlake(['setup'], env);
    expect(setup.code).toBe(0);
    expect(setup.stdout).toContain('setup done: 23 statements, database GHLAKE, schemas BRONZE, SILVER, GOLD, GHLAKE');
    expect(setup.stdout).toContain('STORAGE_AWS_IAM_USER_ARN = arn:aws:iam::999999999999:user/abc1-s-stub');
    expect(setup.stdout).toContain('STORAGE_AWS_EXTERNAL_ID  = STUB_SFCRole=2_abcdef=');
    expect(stub.logins[0]).toMatchObject({ ok: true, params: { warehouse: 'LOAD_WH', databaseName: 'GHLAKE' } });

    const load = await ghlake(['load'], env);
    expect(load.code).toBe(0);
    expect(load.stdout).toBe(
      [
        'loaded 26 rows in 4 unit(s)',
        'table                   files  hours  rows loaded',
        'silver.events               2      2            8',
        'silver.actors               1      -            8',
        'silver.payload_details      2      2            8',
        'gold.daily_summary          1      -            2',
        '',
      ].join('\n'),
    );
    const again = await ghlakeInProcess(['load', '--json'], env);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ command: 'snowflake load', ok: true, units: 0, rowsLoaded: 0 });

    const status = await ghlakeInProcess(['status'], env);
    expect(status.code).toBe(0);
    const lines = status.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^table\s+lake\s+loaded\s+new\s+changed\s+not in lake\s+lake rows\s+rows loaded\s+next load\s+loaded hours\s+last load \(UTC\)$/);
    expect(lines.find((l) => l.startsWith('silver.events'))!.split(/\s{2,}/)).toEqual([
      'silver.events',
      '2',
      '2',
      '0',
      '0',
      '0',
      '8',
      '8',
      '-',
      '2015-01-01-0..2015-01-01-15',
      '2026-01-02 03:04:05.678',
    ]);
    expect(lines.find((l) => l.startsWith('silver.repositories'))!.split(/\s{2,}/)).toEqual([
      'silver.repositories',
      '0',
      '0',
      '0',
      '0',
      '0',
      '0',
      '0',
      '-',
      '-',
      '-',
    ]);
    // A keyed table: its live files (one full file here), loaded and up to date.
    expect(
      lines
        .find((l) => l.startsWith('silver.actors'))!
        .split(/\s{2,}/)
        .slice(0, 9),
    ).toEqual(['silver.actors', '1', '1', '0', '0', '0', '8', '8', '-']);

    for (const run of [setup, load, again, status]) {
      expect(run.stdout + run.stderr).not.toContain(PASSWORD);
    }
    expect(setup.stderr).toContain('snowflake-sdk'); // the driver's debug logs did go to stderr
    expect(existsSync(path.join(work, 'snowflake.log'))).toBe(false); // and not to a file in the working directory
    expect(stub.closedSessions).toHaveLength(4);
  });
});

describe('bad input: one clear error, exit code 2, nothing sent', () => {
  it.each([
    [['setup', '--dry-run'], {}, 'error GHLAKE_USAGE: the S3 bucket of the lake is not set\n  hint: set GHLAKE_S3_BUCKET or pass --bucket'],
    [
      ['setup', '--bucket', 'b-1'],
      { SNOWFLAKE_ACCOUNT: 'acme' },
      'error GHLAKE_USAGE: the Snowflake user is not set\n  hint: set SNOWFLAKE_USER or pass --user',
    ],
    [['load', '--dry-run', '--database', 'x; DROP DATABASE prod'], {}, "error GHLAKE_INVALID_OPTION: --database has invalid value 'x; DROP DATABASE prod'"],
    [['status'], { SNOWFLAKE_ACCOUNT: 'acme', SNOWFLAKE_USER: 'u' }, 'error GHLAKE_USAGE: no Snowflake credentials are set'],
    [['load', '--dry-run', '--lake', 'no-such-lake'], {}, 'error GHLAKE_USAGE: the lake at'],
    [['unload'], {}, "error GHLAKE_USAGE: unknown subcommand 'snowflake unload'\n  hint: use ghlake snowflake setup, load or status"],
    [['setup', '--reload'], {}, "error GHLAKE_UNKNOWN_OPTION: unknown option '--reload'"],
  ] as Array<[string[], Record<string, string>, string]>)('ghlake snowflake %j', async (args, env, message) => {
    const run = await ghlakeInProcess(args, env);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.startsWith(message)).toBe(true);
  });
});
