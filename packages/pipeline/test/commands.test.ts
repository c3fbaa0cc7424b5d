/**
 * The `ghlake` command list: lazily loaded commands keep their own summaries, and
 * `ghlake gold --engine snowflake` runs the gold SQL models inside Snowflake — here through the
 * real snowflake-sdk driver against the local REST stub (tools/snowflake-stub) on 127.0.0.1.
 */
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli.js';
import { COMMANDS } from '../src/commands.js';
import { startSnowflakeStub, type SnowflakeStub } from '../../../tools/snowflake-stub/index.js';
import { fakeWarehouse } from '../../storage/test/fixtures/snowflake/fake-warehouse.js';

const PASSWORD = 'gold-engine-secret-9!';

async function runMain(argv: string[], env: Record<string, string> = {}) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  const code = await main(argv, { stdout, stderr, env, signal: new AbortController().signal, cwd: process.cwd() });
  return { code, stdout: out, stderr: err };
}

describe('ghlake commands', () => {
  it('lists every command with the summary the command itself gives', async () => {
    for (const entry of COMMANDS) {
      const command = await entry.load();
      expect(command.name).toBe(entry.name);
      expect(command.summary).toBe(entry.summary);
    }
    const help = await runMain(['--help']);
    expect(help.code).toBe(0);
    for (const entry of COMMANDS) expect(help.stdout).toContain(`  ${entry.name}`);
  });

  it('refuses an unknown gold engine with one line naming the option (exit 2)', async () => {
    const r = await runMain(['gold', '--engine', 'bigquery', '--lake', '/nonexistent']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error GHLAKE_INVALID_OPTION: --engine has invalid value 'bigquery': expected one of duckdb, snowflake/);
  });
});

describe('ghlake gold --engine snowflake', () => {
  let stub: SnowflakeStub;
  const fake = fakeWarehouse({ stageUrl: 's3://ghlake-test/ghlake/' });
  beforeAll(async () => {
    stub = await startSnowflakeStub({ account: 'acme-test', user: 'modeler', password: PASSWORD, handler: (s) => fake.handler(s) });
  });
  afterAll(() => stub.close());

  it('renders the eight gold models for Snowflake, builds each into __NEW and swaps it in; the password is never printed', async () => {
    const env = {
      SNOWFLAKE_ACCOUNT: 'acme-test',
      SNOWFLAKE_USER: 'modeler',
      SNOWFLAKE_PASSWORD: PASSWORD,
      SNOWFLAKE_HOST: stub.url,
      SNOWFLAKE_DATABASE: 'GHLAKE',
    };
    const r = await runMain(['gold', '--engine', 'snowflake'], env);
    expect(r.code, r.stderr).toBe(0);
    const sql = stub.statements.map((s) => s.sqlText);
    const inserts = sql.filter((s) => s.startsWith('INSERT INTO'));
    expect(inserts.map((s) => /INTO "GHLAKE"\."GOLD"\."(\w+)__NEW"/.exec(s)?.[1])).toEqual([
      'ACTOR_METRICS',
      'REPO_METRICS',
      'ORG_METRICS',
      'EVENT_TYPE_METRICS',
      'DAILY_SUMMARY',
      'REPO_DAILY_METRICS',
      'ACTOR_DAILY_METRICS',
      'ORG_DAILY_METRICS',
    ]);
    for (const insert of inserts) {
      expect(insert).toContain('"GHLAKE"."SILVER"."EVENTS"');
      expect(insert).not.toMatch(/read_parquet|\{\{/);
    }
    expect(sql.filter((s) => / SWAP WITH /.test(s))).toHaveLength(8);
    expect(r.stdout).toMatch(/^gold built inside Snowflake in (\d+ms|\d+\.\d+s|\d+m\d\ds) /);
    expect(r.stdout).toContain('gold.daily_summary');
    expect(r.stdout + r.stderr).not.toContain(PASSWORD);
  });
});
