/**
 * The Snowflake REST stub behaves like Snowflake for the official driver: login, results in the
 * JSON rowset format, SQL errors with code and SQLSTATE, heartbeat, logout, injected faults.
 */
import { generateKeyPairSync, sign } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Connection } from 'snowflake-sdk';
import { resultSet, sqlError, startSnowflakeStub, verifySnowflakeJwt, publicKeyFingerprint, type SnowflakeStub } from '../snowflake-stub/index.js';

process.env.SNOWFLAKE_DISABLE_PLATFORM_DETECTION = 'true'; // no cloud metadata probes from the driver
const snowflake = (await import('snowflake-sdk')).default;
snowflake.configure({ logLevel: 'OFF', customLogger: { error() {}, warn() {}, info() {}, debug() {}, trace() {} } });

let stub: SnowflakeStub;
const connections: Connection[] = [];

async function connect(options: { password?: string } = {}): Promise<Connection> {
  const connection = snowflake.createConnection({
    account: 'acme-test',
    username: 'loader',
    password: options.password ?? 'secret',
    accessUrl: stub.url,
    database: 'DB',
    warehouse: 'WH',
  });
  connections.push(connection);
  await new Promise<void>((resolve, reject) => connection.connect((error) => (error ? reject(error) : resolve())));
  return connection;
}

function run(connection: Connection, sqlText: string, binds?: Array<string | number | boolean | null>): Promise<unknown[]> {
  return new Promise((resolve, reject) =>
    connection.execute({ sqlText, ...(binds ? { binds } : {}), complete: (error, _s, rows) => (error ? reject(error) : resolve(rows ?? [])) }),
  );
}

beforeEach(async () => {
  stub = await startSnowflakeStub({
    account: 'acme-test',
    user: 'loader',
    password: 'secret',
    handler: (s) => {
      if (s.sqlText === 'SELECT typed') {
        return resultSet(
          [
            { name: 'N', type: 'fixed' },
            { name: 'T', type: 'text' },
            { name: 'B', type: 'boolean' },
            { name: 'R', type: 'real' },
          ],
          [
            [42, 'forty-two', true, 0.5],
            [null, null, false, null],
          ],
        );
      }
      if (s.sqlText.startsWith('SELECT * FROM missing'))
        return sqlError('002003', '42S02', "SQL compilation error:\nObject 'MISSING' does not exist or not authorized.");
      return undefined;
    },
  });
});

afterEach(async () => {
  for (const c of connections.splice(0)) if (c.isUp()) await new Promise<void>((r) => c.destroy(() => r()));
  await stub.close();
});

describe('snowflake stub with the real driver', () => {
  it('answers in the JSON rowset format the driver turns into typed rows, and records statements with binds', async () => {
    const connection = await connect();
    expect(await run(connection, 'SELECT typed')).toEqual([
      { N: 42, T: 'forty-two', B: true, R: 0.5 },
      { N: null, T: null, B: false, R: null },
    ]);
    expect(await run(connection, 'INSERT INTO t VALUES (?, ?, ?)', ['a', 7, null])).toEqual([{ status: 'Statement executed successfully.' }]);
    expect(stub.statements.map((s) => [s.sqlText, s.binds, s.bindTypes])).toEqual([
      ['SELECT typed', [], []],
      ['INSERT INTO t VALUES (?, ?, ?)', ['a', '7', null], ['TEXT', 'FIXED', 'TEXT']],
    ]);
  });

  it("a SQL error reaches the driver with Snowflake's code and SQLSTATE", async () => {
    const connection = await connect();
    await expect(run(connection, 'SELECT * FROM missing')).rejects.toMatchObject({
      code: '002003',
      sqlState: '42S02',
      message: "SQL compilation error:\nObject 'MISSING' does not exist or not authorized.",
    });
  });

  it("refuses a wrong password with Snowflake's login error", async () => {
    await expect(connect({ password: 'nope' })).rejects.toMatchObject({ code: '390100', message: 'Incorrect username or password was specified.' });
    expect(stub.logins).toEqual([
      {
        ok: false,
        account: 'acme-test',
        user: 'loader',
        authenticator: 'SNOWFLAKE',
        params: { warehouse: 'WH', databaseName: 'DB' },
        reason: 'wrong password',
        sessionId: 0,
      },
    ]);
  });

  it('answers heartbeats and closes the session on logout', async () => {
    const connection = await connect();
    expect(await connection.isValidAsync()).toBe(true);
    expect(stub.heartbeats).toBe(1);
    await new Promise<void>((resolve, reject) => connection.destroy((error) => (error ? reject(error) : resolve())));
    expect(stub.closedSessions).toEqual([stub.logins[0]!.sessionId]);
    expect(stub.requests.map((r) => r.route)).toEqual(['login', 'telemetry', 'heartbeat', 'logout']);
  });

  it('injects HTTP faults per route; the driver retries a 503 login', async () => {
    stub.failNext('login', 503);
    await connect();
    expect(stub.requests.filter((r) => r.route === 'login').map((r) => r.status)).toEqual([503, 200]);
  });
});

describe('key-pair JWT verification', () => {
  const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwt = (claims: Record<string, unknown>, key = keys.privateKey) => {
    const head = Buffer.from(JSON.stringify({ alg: 'RS256', typ: 'JWT' })).toString('base64url');
    const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
    return `${head}.${body}.${sign('RSA-SHA256', Buffer.from(`${head}.${body}`), key).toString('base64url')}`;
  };
  const expected = { account: 'acme-test', user: 'loader', publicKey: keys.publicKey };
  const claims = { iss: `ACME-TEST.LOADER.${publicKeyFingerprint(keys.publicKey)}`, sub: 'ACME-TEST.LOADER', iat: Date.now(), exp: Date.now() + 60_000 };

  it("accepts a token signed by the registered key with Snowflake's issuer and subject", () => {
    expect(verifySnowflakeJwt(jwt(claims), expected)).toMatchObject({ ok: true });
  });

  it('refuses a wrong issuer fingerprint, a wrong subject, an expired token and another key', () => {
    expect(verifySnowflakeJwt(jwt({ ...claims, iss: 'ACME-TEST.LOADER.SHA256:AAAA' }), expected).reason).toMatch(/^JWT issuer/);
    expect(verifySnowflakeJwt(jwt({ ...claims, sub: 'ACME-TEST.OTHER' }), expected).reason).toMatch(/^JWT subject/);
    expect(verifySnowflakeJwt(jwt({ ...claims, exp: Date.now() - 1000 }), expected).reason).toBe('JWT has expired');
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
    expect(verifySnowflakeJwt(jwt(claims, other.privateKey), expected).reason).toBe('JWT signature does not verify with the registered public key');
  });
});
