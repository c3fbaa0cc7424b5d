/**
 * setup / load / status / gold through the real snowflake-sdk driver against the local REST stub
 * (tools/snowflake-stub) on 127.0.0.1: what reaches Snowflake, in which order, with which binds,
 * and what happens when Snowflake says no.
 */
import { generateKeyPairSync } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ERROR_CODES, GhlakeError, createLogger, findTable, partitionFile, writeTableFile, type HourKey } from '@ghlake/core';
import {
  compareLakeWithLoads,
  loadPlanStatements,
  objectsFrom,
  planLoad,
  planSetup,
  readLoadedFiles,
  loadLakeIntoSnowflake,
  runGoldInSnowflake,
  snowflakeTableRefs,
  runLoad,
  runSetup,
  scanLake,
  withSnowflakeSession,
  type SnowflakeConnectionConfig,
} from '../src/snowflake/index.js';
import { readLoadsStatement } from '../src/snowflake/loads.js';
import { sqlError, startSnowflakeStub, type SnowflakeStub } from '../../../tools/snowflake-stub/index.js';
import { fakeWarehouse, type FakeWarehouse } from './fixtures/snowflake/fake-warehouse.js';
import { LAKE_MTIME_MS, realEvents, writeTinyLake, type TinyLake } from './fixtures/snowflake/tiny-lake.js';
import { GHARCHIVE_FIXTURES } from '../../core/test/fixtures/gharchive.js';
import { GOLD_MODELS, renderModel } from '../../gold/src/models.js';

const PASSWORD = 'pw-Zq8!never-print-me';
const STAGE_URL = 's3://ghlake-test/ghlake/';
const objects = objectsFrom({});
const location = { bucket: 'ghlake-test', prefix: 'ghlake' };
const EVENTS = '"GHLAKE"."SILVER"."EVENTS"';

let stub: SnowflakeStub;
let fake: FakeWarehouse;
let work: string;
let template: TinyLake;
let lake: TinyLake;

const connection = (): SnowflakeConnectionConfig => ({
  account: 'acme-test',
  user: 'loader',
  auth: { kind: 'password', password: PASSWORD },
  role: 'LOADER',
  warehouse: 'LOAD_WH',
  database: 'GHLAKE',
  accessUrl: stub.url,
});

function thrownBy(promise: Promise<unknown>): Promise<GhlakeError> {
  return promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (error: unknown) => {
      if (!(error instanceof GhlakeError)) throw error;
      return error;
    },
  );
}

beforeAll(async () => {
  work = await fs.mkdtemp(path.join(tmpdir(), 'ghlake-sf-'));
  template = await writeTinyLake(path.join(work, 'template'));
});
afterAll(async () => {
  await fs.rm(work, { recursive: true, force: true });
});

beforeEach(async () => {
  fake = fakeWarehouse({ stageUrl: STAGE_URL });
  stub = await startSnowflakeStub({ account: 'acme-test', user: 'loader', password: PASSWORD, handler: fake.handler });
  const dir = await fs.mkdtemp(path.join(work, 'lake-'));
  await fs.cp(template.dir, dir, { recursive: true, preserveTimestamps: true, verbatimSymlinks: true });
  lake = { ...template, dir };
  for (const f of await scanLake(dir)) fake.staged.set(f.stagePath, f.rows); // as `ghlake upload` would have put it
});
afterEach(async () => {
  await stub.close();
});

describe('setup through the driver', () => {
  it('logs in with the configured account, user, role, warehouse and database, runs the plan in order, and closes the session', async () => {
    const result = await withSnowflakeSession(connection(), (s) => runSetup(s, objects, location));
    const plan = planSetup(objects, location);
    expect(stub.statements.map((s) => s.sqlText)).toEqual(plan.statements.map((s) => s.sql));
    expect(stub.logins).toHaveLength(1);
    expect(stub.logins[0]).toMatchObject({
      ok: true,
      account: 'acme-test',
      user: 'loader',
      authenticator: 'SNOWFLAKE',
      params: { warehouse: 'LOAD_WH', databaseName: 'GHLAKE', roleName: 'LOADER' },
    });
    expect(stub.closedSessions).toEqual([stub.logins[0]!.sessionId]);
    expect(result).toEqual({
      statementsRun: 23,
      integration: {
        name: 'GHLAKE_S3',
        createdByGhlake: false,
        iamUserArn: 'arn:aws:iam::999999999999:user/abc1-s-stub',
        externalId: 'STUB_SFCRole=2_abcdef=',
        allowedLocations: STAGE_URL,
      },
    });
  });

  it('stops at DESC INTEGRATION when the integration does not exist, and the hint says how to create it', async () => {
    fake.failWhen(
      (sql) => sql.startsWith('DESC INTEGRATION'),
      sqlError('002003', '02000', "SQL compilation error:\nIntegration 'GHLAKE_S3' does not exist or not authorized."),
    );
    const error = await thrownBy(withSnowflakeSession(connection(), (s) => runSetup(s, objects, location)));
    expect(error.code).toBe(ERROR_CODES.SNOWFLAKE);
    expect(error.message).toContain('describe storage integration GHLAKE_S3');
    expect(error.message).toContain("Integration 'GHLAKE_S3' does not exist or not authorized. (Snowflake error 002003, SQLSTATE 02000)");
    expect(error.hint).toContain('CREATE STORAGE INTEGRATION IF NOT EXISTS "GHLAKE_S3"');
    expect(error.hint).toContain('STORAGE_AWS_EXTERNAL_ID');
    expect(stub.statements.at(-1)!.sqlText).toBe('DESC INTEGRATION "GHLAKE_S3"');
    expect(stub.closedSessions).toHaveLength(1);
  });

  it('a role that may not create the storage integration gets the statement to hand to an admin', async () => {
    fake.failWhen(
      (sql) => sql.startsWith('CREATE STORAGE INTEGRATION'),
      sqlError('003001', '42501', "SQL access control error:\nInsufficient privileges to operate on account 'ACME'"),
    );
    const arn = 'arn:aws:iam::123456789012:role/ghlake-snowflake';
    const error = await thrownBy(withSnowflakeSession(connection(), (s) => runSetup(s, objects, { ...location, awsRoleArn: arn })));
    expect(error.message).toContain('create storage integration GHLAKE_S3 failed: SQL access control error:');
    expect(error.hint).toContain(`STORAGE_AWS_ROLE_ARN = '${arn}'`);
    expect(error.hint).toContain('rerun setup without --aws-role-arn');
  });
});

describe('key-pair authentication', () => {
  it('the driver signs its JWT with the configured encrypted key; another key is refused', async () => {
    const passphrase = 'key-pass-never-print';
    const good = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase },
    });
    const other = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
    await fs.writeFile(path.join(work, 'good.p8'), good.privateKey);
    await fs.writeFile(path.join(work, 'other.p8'), other.privateKey);
    const keyStub = await startSnowflakeStub({ account: 'acme-test', user: 'loader', publicKey: good.publicKey });
    try {
      const config = (file: string, pass?: string): SnowflakeConnectionConfig => ({
        account: 'acme-test',
        user: 'loader',
        auth: { kind: 'key-pair', privateKeyPath: path.join(work, file), ...(pass ? { passphrase: pass } : {}) },
        database: 'GHLAKE',
        accessUrl: keyStub.url,
      });
      const rows = await withSnowflakeSession(config('good.p8', passphrase), (s) => s.run({ purpose: 'ping', sql: 'SELECT 1' }));
      expect(rows).toEqual([{ status: 'Statement executed successfully.' }]);
      expect(keyStub.logins[0]).toMatchObject({ ok: true, authenticator: 'SNOWFLAKE_JWT', jwtClaims: { sub: 'ACME-TEST.LOADER' } });
      expect(String(keyStub.logins[0]!.jwtClaims!.iss)).toMatch(/^ACME-TEST\.LOADER\.SHA256:[A-Za-z0-9+/=]{44}$/);

      const error = await thrownBy(withSnowflakeSession(config('other.p8'), (s) => s.run({ purpose: 'ping', sql: 'SELECT 1' })));
      expect(error.code).toBe(ERROR_CODES.SNOWFLAKE);
      expect(error.message).toContain(
        'logging in to Snowflake account acme-test as loader failed: JWT token is invalid. JWT signature does not verify with the registered public key (Snowflake error 390144)',
      );
      expect(error.hint).toContain('RSA_PUBLIC_KEY');
      expect(keyStub.logins[1]).toMatchObject({ ok: false, reason: 'JWT signature does not verify with the registered public key' });
      expect(keyStub.statements).toHaveLength(1);
    } finally {
      await keyStub.close();
    }
  });
});

describe('private key problems are caught before connecting, naming the option', () => {
  it('missing file, not a key, encrypted without passphrase, wrong passphrase', async () => {
    const passphrase = 'pp-never-print';
    const key = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase },
    });
    await fs.writeFile(path.join(work, 'enc.p8'), key.privateKey);
    await fs.writeFile(path.join(work, 'pub.pem'), key.publicKey);
    const attempt = (file: string, pass?: string) =>
      thrownBy(
        withSnowflakeSession(
          {
            account: 'acme-test',
            user: 'loader',
            database: 'GHLAKE',
            accessUrl: stub.url,
            auth: { kind: 'key-pair', privateKeyPath: path.join(work, file), ...(pass ? { passphrase: pass } : {}) },
          },
          (s) => s.run({ purpose: 'ping', sql: 'SELECT 1' }),
        ),
      );
    const cases = [await attempt('none.p8'), await attempt('pub.pem'), await attempt('enc.p8'), await attempt('enc.p8', 'wrong-pass')];
    expect(cases.map((e) => e.code)).toEqual(Array(4).fill(ERROR_CODES.INVALID_OPTION));
    expect(cases.map((e) => e.message.replace(work, '<work>'))).toEqual([
      'SNOWFLAKE_PRIVATE_KEY_PATH (--private-key-path) names <work>/none.p8, which cannot be read (ENOENT)',
      '<work>/pub.pem is not a PEM private key',
      'the private key <work>/enc.p8 is encrypted and no passphrase is set',
      'the passphrase does not open the private key <work>/enc.p8',
    ]);
    expect(cases[3]!.hint).toBe('check SNOWFLAKE_PRIVATE_KEY_PASSPHRASE (--private-key-passphrase)');
    expect(JSON.stringify(cases.map((e) => [e.message, e.hint, e.details]))).not.toContain('wrong-pass');
    expect(stub.requests).toEqual([]); // nothing reached Snowflake
  });
});

describe('load through the driver', () => {
  it("loads each new hour in one transaction and swaps whole tables in; rows come from COPY's rows_loaded", async () => {
    const files = await scanLake(lake.dir);
    expect(files.map((f) => `${f.path} ${f.rows}`)).toEqual([
      'silver/events/date=2015-01-01/hour=0/part-0.parquet 5',
      'silver/events/date=2015-01-01/hour=15/part-0.parquet 3',
      'silver/actors/part-0000000001-full.parquet 8',
      'silver/payload_details/date=2015-01-01/hour=0/part-0.parquet 5',
      'silver/payload_details/date=2015-01-01/hour=15/part-0.parquet 3',
      'gold/daily_summary/part-0000000001-full.parquet 2',
    ]);
    const result = await withSnowflakeSession(connection(), async (s) => {
      const plan = planLoad(objects, files, await readLoadedFiles(s, objects), { batchFiles: 1 });
      return { plan, result: await runLoad(s, plan) };
    });
    // What reached Snowflake is exactly the plan, in order, binds included.
    expect(stub.statements.map((s) => [s.sqlText, s.binds])).toEqual(
      [readLoadsStatement(objects), ...loadPlanStatements(result.plan)].map((s) => [s.sql, s.binds ?? []]),
    );
    const kinds = stub.statements.map((s) => s.sqlText.split(/\s/).slice(0, 2).join(' '));
    expect(kinds.slice(0, 7)).toEqual(['SELECT "TABLE_NAME",', 'BEGIN TRANSACTION', 'DELETE FROM', 'COPY INTO', 'DELETE FROM', 'INSERT INTO', 'COMMIT']);
    expect(kinds.filter((k) => k === 'ALTER TABLE')).toHaveLength(2); // actors and daily_summary swapped in
    expect(result.result).toEqual({
      units: 6,
      statementsRun: 2 * 6 + 2 * 6 + 2 * 8,
      rowsLoaded: 26,
      tables: [
        { table: 'silver.events', files: 2, hours: 2, rowsLoaded: 8 },
        { table: 'silver.actors', files: 1, hours: 0, rowsLoaded: 8 },
        { table: 'silver.payload_details', files: 2, hours: 2, rowsLoaded: 8 },
        { table: 'gold.daily_summary', files: 1, hours: 0, rowsLoaded: 2 },
      ],
    });
    expect(fake.rows(EVENTS)).toBe(8);
    expect(fake.rows('"GHLAKE"."SILVER"."ACTORS"')).toBe(8);
    expect(fake.transactionsCommitted).toBe(6);
    expect(fake.loads().map((l) => `${l.TABLE_NAME} ${l.PARTITION_HOUR} ${l.ROWS_LOADED} ${l.FILE_MTIME_MS}`)).toEqual([
      `silver.events 2015-01-01 00:00:00 5 ${LAKE_MTIME_MS}`,
      `silver.events 2015-01-01 15:00:00 3 ${LAKE_MTIME_MS}`,
      `silver.actors null 8 ${LAKE_MTIME_MS}`,
      `silver.payload_details 2015-01-01 00:00:00 5 ${LAKE_MTIME_MS}`,
      `silver.payload_details 2015-01-01 15:00:00 3 ${LAKE_MTIME_MS}`,
      `gold.daily_summary null 2 ${LAKE_MTIME_MS}`,
    ]);

    // Nothing changed: the next load reads GHLAKE_LOADS and sends nothing else.
    const sent = stub.statements.length;
    const again = await withSnowflakeSession(connection(), async (s) => runLoad(s, planLoad(objects, files, await readLoadedFiles(s, objects))));
    expect(again).toEqual({ units: 0, statementsRun: 0, rowsLoaded: 0, tables: [] });
    expect(stub.statements.slice(sent).map((s) => s.sqlText)).toEqual([readLoadsStatement(objects).sql]);
    const status = await withSnowflakeSession(connection(), async (s) => compareLakeWithLoads(objects, files, await readLoadedFiles(s, objects)));
    expect(status.find((t) => t.table === 'silver.events')).toEqual({
      table: 'silver.events',
      kind: 'hour',
      next: '-',
      lake: 2,
      loaded: 2,
      new: 0,
      changed: 0,
      upToDate: 2,
      notInLake: 0,
      lakeRows: 8,
      rowsLoaded: 8,
      firstLoadedHour: '2015-01-01-0',
      lastLoadedHour: '2015-01-01-15',
      lastLoadedAt: '2026-01-02 03:04:05.678',
    });
  });

  it('regression: reloading a rewritten hour replaces its rows instead of adding them', async () => {
    const load = (files: Awaited<ReturnType<typeof scanLake>>) =>
      withSnowflakeSession(connection(), async (s) => runLoad(s, planLoad(objects, files, await readLoadedFiles(s, objects))));
    await load(await scanLake(lake.dir));
    expect(fake.rows(EVENTS)).toBe(8);
    // The lake rebuilds 2015-01-01-15 with 2 events instead of 3 (and uploads it again).
    const hour = '2015-01-01-15' as HourKey;
    const target = partitionFile(lake.dir, 'silver', 'events', hour);
    const rows = realEvents(GHARCHIVE_FIXTURES.hour2015_01_01_15, 2).map(({ event }) => ({
      event_id: Number(event.id),
      event_hash: 'x'.repeat(32),
      event_type: event.type,
      created_at: Date.parse(event.created_at),
      actor_id: event.actor?.id ?? null,
      repo_id: event.repo?.id ?? null,
      org_id: null,
      is_bot: false,
      public: true,
      hour_bucket: Date.UTC(2015, 0, 1, 15),
      processed_at: Date.UTC(2026, 0, 2),
    }));
    const events = findTable('silver', 'events');
    await writeTableFile(events, target, {
      rowCount: 2,
      columns: Object.fromEntries(events.columns.map((c) => [c.name, rows.map((r) => (r as Record<string, unknown>)[c.name])])),
    });
    fake.staged.set('silver/events/date=2015-01-01/hour=15/part-0.parquet', 2);
    const sent = stub.statements.length;
    const result = await load(await scanLake(lake.dir));
    expect(result.tables).toEqual([{ table: 'silver.events', files: 1, hours: 1, rowsLoaded: 2 }]);
    const reload = stub.statements.slice(sent + 1);
    expect(reload[1]!.sqlText).toMatch(/^DELETE FROM "GHLAKE"\."SILVER"\."EVENTS"\nWHERE REGEXP_SUBSTR/);
    expect(reload[1]!.binds).toEqual(['["date=2015-01-01/hour=15"]']);
    expect(fake.rows(EVENTS)).toBe(5 + 2);
    expect(
      fake
        .loads()
        .filter((l) => l.TABLE_NAME === 'silver.events')
        .map((l) => l.ROWS_LOADED),
    ).toEqual([5, 2]);
  });

  it('a failing COPY rolls its hour back, names the hour, and keeps the hours committed before it', async () => {
    fake.failWhen(
      (sql) => sql.startsWith('COPY INTO "GHLAKE"."SILVER"."EVENTS"') && sql.includes('hour=15/'),
      sqlError('100038', '22018', "Numeric value 'abc' is not recognized"),
    );
    const files = await scanLake(lake.dir);
    const error = await thrownBy(
      withSnowflakeSession(connection(), async (s) => runLoad(s, planLoad(objects, files, await readLoadedFiles(s, objects), { batchFiles: 1 }))),
    );
    expect(error.code).toBe(ERROR_CODES.SNOWFLAKE);
    expect(error.message).toBe(
      "load silver.events 2015-01-01-15: copy 1 file failed: Numeric value 'abc' is not recognized (Snowflake error 100038, SQLSTATE 22018)",
    );
    expect(error.details).toMatchObject({ snowflakeCode: '100038', sqlState: '22018' });
    expect(stub.statements.at(-1)!.sqlText).toBe('ROLLBACK');
    expect(fake.transactionsRolledBack).toBe(1);
    expect(fake.rows(EVENTS)).toBe(5);
    expect(fake.loads().map((l) => `${l.TABLE_NAME} ${l.PARTITION_HOUR}`)).toEqual(['silver.events 2015-01-01 00:00:00']);
  });

  it('COPY must load every row of every file: a rows_loaded that differs from the Parquet row count rolls back', async () => {
    fake.staged.set('silver/events/date=2015-01-01/hour=0/part-0.parquet', 4); // S3 holds an older file with 4 rows
    // One unit holds both hours (default batch): the whole unit rolls back, hour 15 included.
    const files = await scanLake(lake.dir);
    const error = await thrownBy(withSnowflakeSession(connection(), async (s) => runLoad(s, planLoad(objects, files, []))));
    expect(error.code).toBe(ERROR_CODES.RECONCILIATION);
    expect(error.message).toBe(
      'COPY into silver.events 2015-01-01-0..2015-01-01-15 (2 hours) loaded a different number of rows than the lake holds: silver/events/date=2015-01-01/hour=0/part-0.parquet: COPY loaded 4 rows, the file holds 5',
    );
    expect(error.hint).toContain('ghlake upload');
    expect(stub.statements.at(-1)!.sqlText).toBe('ROLLBACK');
    expect(fake.rows(EVENTS)).toBe(0);
    expect(fake.loads()).toEqual([]);
  });

  it('a whole table whose file is not in S3 drops its half-built copy and says to upload', async () => {
    fake.staged.delete('silver/actors/part-0000000001-full.parquet');
    const files = (await scanLake(lake.dir)).filter((f) => f.table.name === 'actors');
    const error = await thrownBy(withSnowflakeSession(connection(), async (s) => runLoad(s, planLoad(objects, files, []))));
    expect(error.message).toContain(
      "refresh silver.actors: copy 1 file failed: Remote file 's3://ghlake-test/ghlake/silver/actors/part-0000000001-full.parquet' was not found",
    );
    expect(error.hint).toContain('ghlake upload');
    expect(stub.statements.map((s) => s.sqlText)).toEqual([
      'CREATE OR REPLACE TABLE "GHLAKE"."SILVER"."ACTORS__NEW" LIKE "GHLAKE"."SILVER"."ACTORS"',
      expect.stringMatching(/^COPY INTO "GHLAKE"\."SILVER"\."ACTORS__NEW"/),
      'DROP TABLE IF EXISTS "GHLAKE"."SILVER"."ACTORS__NEW"',
    ]);
  });

  it('a keyed table: a new delta is MERGEd in one transaction from a temporary staging table; a failing MERGE rolls back and drops it', async () => {
    const actors = findTable('silver', 'actors');
    const delta = async (seq: number, ids: number[]) => {
      const rel = `silver/actors/part-${String(seq).padStart(10, '0')}.parquet`;
      const columns = Object.fromEntries(
        actors.columns.map((c) => [
          c.name,
          ids.map((id) => (c.name === 'actor_id' ? id : c.type === 'TIMESTAMP' ? Date.UTC(2015, 0, 2) : c.type === 'VARCHAR' ? `login-${id}` : null)),
        ]),
      );
      await writeTableFile(actors, path.join(lake.dir, rel), { rowCount: ids.length, columns });
      fake.staged.set(rel, ids.length); // uploaded
      return rel;
    };
    const load = async () =>
      withSnowflakeSession(connection(), async (s) => runLoad(s, planLoad(objects, await scanLake(lake.dir), await readLoadedFiles(s, objects))));
    await load();
    const d2 = await delta(2, [9614759, 424242]); // one actor already in the table, one new
    const sent = stub.statements.length;
    const result = await load();
    expect(result.tables).toEqual([{ table: 'silver.actors', files: 1, hours: 0, rowsLoaded: 2 }]);
    const stage = '"GHLAKE"."SILVER"."ACTORS__STAGE"';
    expect(stub.statements.slice(sent + 1).map((st) => st.sqlText.split('\n')[0])).toEqual([
      `CREATE OR REPLACE TEMPORARY TABLE ${stage} LIKE "GHLAKE"."SILVER"."ACTORS"`,
      `ALTER TABLE ${stage} ADD COLUMN "GHLAKE_SOURCE_FILE" VARCHAR`,
      `COPY INTO ${stage}`,
      'BEGIN TRANSACTION',
      'MERGE INTO "GHLAKE"."SILVER"."ACTORS" AS t',
      'INSERT INTO "GHLAKE"."GHLAKE"."GHLAKE_LOADS" ("TABLE_NAME", "PARTITION_HOUR", "FILE_PATH", "FILE_BYTES", "FILE_MTIME", "ROWS_LOADED", "LOADED_AT")',
      'COMMIT',
      `DROP TABLE ${stage}`,
    ]);
    expect(
      fake
        .loads()
        .filter((l) => l.TABLE_NAME === 'silver.actors')
        .map((l) => l.FILE_PATH),
    ).toEqual(['silver/actors/part-0000000001-full.parquet', d2]);

    // The next delta's MERGE fails: nothing of it is recorded, the staging table goes, the error names the unit.
    await delta(3, [77]);
    fake.failWhen((sql) => sql.startsWith('MERGE INTO'), sqlError('100090', '42P18', 'Duplicate row detected during DML action'));
    const before = stub.statements.length;
    const error = await thrownBy(load());
    expect(error.message).toContain('merge silver.actors: merge the newest row of each key failed');
    expect(
      stub.statements
        .slice(before)
        .map((st) => st.sqlText.split('\n')[0])
        .slice(-3),
    ).toEqual(['MERGE INTO "GHLAKE"."SILVER"."ACTORS" AS t', 'ROLLBACK', `DROP TABLE IF EXISTS ${stage}`]);
    expect(
      fake
        .loads()
        .filter((l) => l.TABLE_NAME === 'silver.actors')
        .map((l) => l.FILE_PATH),
    ).toEqual(['silver/actors/part-0000000001-full.parquet', d2]);
    expect(fake.transactionsRolledBack).toBe(1);
  });

  it('loadLakeIntoSnowflake does the whole load in one call (what ghlake run uses), then finds nothing new', async () => {
    const first = await loadLakeIntoSnowflake({ lake: lake.dir, connection: connection() });
    expect(first.lakeFiles).toBe(6);
    expect(Object.fromEntries(first.tables.map((t) => [t.table, t.rowsLoaded]))).toEqual({
      'silver.events': 8,
      'silver.actors': 8,
      'silver.payload_details': 8,
      'gold.daily_summary': 2,
    });
    const second = await loadLakeIntoSnowflake({ lake: lake.dir, connection: connection() });
    expect([second.units, second.rowsLoaded]).toEqual([0, 0]);
    expect(second.plan.tables.find((t) => t.table === 'gold.daily_summary')).toMatchObject({ lakePartitions: 1, upToDatePartitions: 1 });
  });

  it('an HTTP 503 is retried by the driver with the same requestId; the statement runs once', async () => {
    stub.failNext('query', 503);
    const rows = await withSnowflakeSession(connection(), (s) => s.run(readLoadsStatement(objects)));
    expect(rows).toEqual([]);
    const queries = stub.requests.filter((r) => r.route === 'query');
    expect(queries.map((r) => r.status)).toEqual([503, 200]);
    const requestId = (url: string) => new URL(url, 'http://x').searchParams.get('requestId');
    expect(requestId(queries[1]!.url)).toBe(requestId(queries[0]!.url));
    expect(stub.statements).toHaveLength(1);
  });
});

describe('gold in Snowflake', () => {
  it('runs each rendered model into __NEW and swaps it in, reporting rows inserted; the next load replaces it from the lake (no merge onto model rows)', async () => {
    await loadLakeIntoSnowflake({ lake: lake.dir, connection: connection() });
    expect(fake.loads().filter((l) => l.TABLE_NAME === 'gold.daily_summary')).toHaveLength(1);
    const sent = stub.statements.length;
    const result = await runGoldInSnowflake(connection(), [
      {
        table: 'daily_summary',
        sql: 'SELECT hour_bucket, hour_bucket::DATE AS day, COUNT(*) AS total_events, 0 AS unique_actors, 0 AS unique_repos FROM "GHLAKE"."SILVER"."EVENTS" GROUP BY 1',
      },
    ]);
    expect(result).toEqual([{ table: 'gold.daily_summary', rowsInserted: 7 }]);
    expect(stub.statements.slice(sent).map((s) => s.sqlText.split('\n')[0])).toEqual([
      'CREATE OR REPLACE TABLE "GHLAKE"."GOLD"."DAILY_SUMMARY__NEW" LIKE "GHLAKE"."GOLD"."DAILY_SUMMARY"',
      'INSERT INTO "GHLAKE"."GOLD"."DAILY_SUMMARY__NEW" ("HOUR_BUCKET", "DAY", "TOTAL_EVENTS", "UNIQUE_ACTORS", "UNIQUE_REPOS")',
      'ALTER TABLE "GHLAKE"."GOLD"."DAILY_SUMMARY" SWAP WITH "GHLAKE"."GOLD"."DAILY_SUMMARY__NEW"',
      'DROP TABLE "GHLAKE"."GOLD"."DAILY_SUMMARY__NEW"',
      'DELETE FROM "GHLAKE"."GHLAKE"."GHLAKE_LOADS" WHERE "TABLE_NAME" = ?',
    ]);
    expect(fake.rows('"GHLAKE"."GOLD"."DAILY_SUMMARY"')).toBe(7);
    expect(fake.loads().filter((l) => l.TABLE_NAME === 'gold.daily_summary')).toEqual([]);
    const next = await loadLakeIntoSnowflake({ lake: lake.dir, connection: connection() });
    expect(next.plan.units.map((u) => `${u.kind} ${u.table.name}`)).toEqual(['full-refresh daily_summary']);
    expect(fake.rows('"GHLAKE"."GOLD"."DAILY_SUMMARY"')).toBe(2);
  });
});

describe('the real gold models, rendered for Snowflake', () => {
  it('all eight run over the loaded silver tables by their Snowflake names and swap in', async () => {
    const refs = snowflakeTableRefs(objects);
    const models = GOLD_MODELS.map(({ table }) => ({
      table: table.name,
      sql: renderModel(table.name, { dialect: 'snowflake', source: (layer, name) => refs[`${layer}.${name}`]! }),
    }));
    const result = await runGoldInSnowflake(connection(), models);
    expect(result.map((r) => r.table)).toEqual([
      'gold.actor_metrics',
      'gold.repo_metrics',
      'gold.org_metrics',
      'gold.event_type_metrics',
      'gold.daily_summary',
      'gold.repo_daily_metrics',
      'gold.actor_daily_metrics',
      'gold.org_daily_metrics',
    ]);
    const inserts = stub.statements.filter((s) => s.sqlText.startsWith('INSERT INTO')).map((s) => s.sqlText);
    expect(inserts).toHaveLength(8);
    for (const sql of inserts) {
      expect(sql).not.toContain('{{');
      expect(sql).toContain('"GHLAKE"."SILVER"."EVENTS"');
    }
    expect(inserts.find((sql) => sql.includes('ACTOR_METRICS__NEW'))).toContain('"GHLAKE"."SILVER"."ACTORS"');
    expect(inserts.find((sql) => sql.includes('REPO_DAILY_METRICS__NEW'))).toContain('"GHLAKE"."SILVER"."PAYLOAD_DETAILS"');
    expect(stub.statements.filter((s) => / SWAP WITH /.test(s.sqlText))).toHaveLength(8);
  });
});

describe('secrets', () => {
  it('the password appears in no log line (driver logs included) and in no error', async () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'debug', format: 'json', write: (l) => lines.push(l) });
    await withSnowflakeSession(connection(), (s) => runSetup(s, objects, location), { logger });
    const wrong = { ...connection(), auth: { kind: 'password' as const, password: `${PASSWORD}-wrong` } };
    const error = await thrownBy(withSnowflakeSession(wrong, (s) => s.run({ purpose: 'ping', sql: 'SELECT 1' }), { logger }));
    expect(error.message).toContain('Incorrect username or password was specified. (Snowflake error 390100)');
    expect(lines.some((l) => l.includes('snowflake-sdk'))).toBe(true); // the driver's own logs were captured
    const everything = [...lines, error.message, error.hint ?? '', JSON.stringify(error.details)].join('\n');
    expect(everything).not.toContain(PASSWORD);
    // The password did reach the server, in the login body only.
    expect((stub.requests.find((r) => r.route === 'login')!.body as { data: { PASSWORD: string } }).data.PASSWORD).toBe(PASSWORD);
  });
});
