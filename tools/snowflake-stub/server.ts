/**
 * A local HTTP stub of the Snowflake REST endpoints the official Node driver (snowflake-sdk 3.x)
 * talks to, so tests run the real driver on 127.0.0.1:
 *
 *   POST /session/v1/login-request   password or key-pair (JWT, signature verified) login
 *   POST /queries/v1/query-request   statements; answers in the JSON rowset format
 *   POST /session/heartbeat          keep-alive
 *   POST /session/token-request      session token renewal
 *   POST /session?delete=true        logout (connection.destroy)
 *   POST /telemetry/send             the driver's in-band telemetry (accepted, recorded)
 *
 * It records every request, login and statement (with binds) so tests can assert connection
 * options, authentication, statement order and error handling. Statements are answered by a
 * handler the test gives (default: a `status` row), and faults can be injected per route
 * (`failNext('query', 503)`) to exercise the driver's retries.
 *
 * Request bodies arrive gzip-compressed or plain (the driver compresses asynchronously and may
 * send either); both are accepted.
 */
import { randomUUID, type KeyObject } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { verifySnowflakeJwt } from './jwt.js';
import { rowsetData, statusReply, type StubReply } from './replies.js';

export type StubRoute = 'login' | 'query' | 'heartbeat' | 'token' | 'logout' | 'telemetry';

export interface StubRequest {
  method: string;
  /** Path with query string, e.g. `/queries/v1/query-request?requestId=...`. */
  url: string;
  route: StubRoute | 'unknown';
  status: number;
  headers: http.IncomingHttpHeaders;
  body: unknown;
}

export interface StubLogin {
  ok: boolean;
  account: string | undefined;
  user: string | undefined;
  /** `SNOWFLAKE` (password) or `SNOWFLAKE_JWT` (key pair). */
  authenticator: string;
  /** Query parameters of the login URL: warehouse, databaseName, schemaName, roleName. */
  params: Record<string, string>;
  /** Claims of the JWT when key-pair authentication was used. */
  jwtClaims?: Record<string, unknown>;
  /** Why the login was refused. */
  reason?: string;
  sessionId: number;
}

export interface StubStatement {
  sqlText: string;
  /** Bind values in position order (`:1`, `?` ...), as the driver sent them (strings, or null). */
  binds: unknown[];
  /** Bind types as the driver sent them (TEXT, FIXED, BOOLEAN ...). */
  bindTypes: string[];
  requestId: string | undefined;
  sessionId: number;
  /** What the stub answered. */
  reply?: StubReply;
}

export type StatementHandler = (statement: StubStatement) => StubReply | undefined | Promise<StubReply | undefined>;

export interface SnowflakeStubOptions {
  account: string;
  user: string;
  /** Password accepted for `user`; omit to refuse password logins. */
  password?: string;
  /** Public key (PEM or KeyObject) registered for `user`; omit to refuse key-pair logins. */
  publicKey?: string | KeyObject;
  /** Answers statements; returning undefined falls back to a `status` row. */
  handler?: StatementHandler;
  /** Session parameters returned at login (e.g. CLIENT_SESSION_KEEP_ALIVE). */
  sessionParameters?: Array<{ name: string; value: unknown }>;
}

export interface SnowflakeStub {
  /** `http://127.0.0.1:<port>` — the driver's `accessUrl`. */
  url: string;
  port: number;
  requests: StubRequest[];
  logins: StubLogin[];
  statements: StubStatement[];
  /** Session ids closed with /session?delete=true. */
  closedSessions: number[];
  heartbeats: number;
  /** Answer the next `times` requests of a route with an HTTP error status (503 = retryable). */
  failNext(route: StubRoute, status: number, times?: number): void;
  setHandler(handler: StatementHandler | undefined): void;
  close(): Promise<void>;
}

interface Session {
  id: number;
  token: string;
  masterToken: string;
  database: string | undefined;
  warehouse: string | undefined;
  role: string | undefined;
}

/** The JSON body of a login or query request: the fields the stub reads. */
interface StubRequestBody {
  data?: Record<string, unknown>;
  sqlText?: unknown;
  bindings?: unknown;
}

async function readBody(req: http.IncomingMessage): Promise<StubRequestBody | undefined> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  let raw = Buffer.concat(chunks);
  if (raw.length === 0) return undefined;
  if (raw[0] === 0x1f && raw[1] === 0x8b) raw = gunzipSync(raw);
  return JSON.parse(raw.toString('utf8')) as StubRequestBody;
}

function routeOf(pathname: string, search: URLSearchParams): StubRoute | 'unknown' {
  if (pathname === '/session/v1/login-request') return 'login';
  if (pathname === '/queries/v1/query-request') return 'query';
  if (pathname === '/session/heartbeat') return 'heartbeat';
  if (pathname === '/session/token-request') return 'token';
  if (pathname === '/session' && search.get('delete') === 'true') return 'logout';
  if (pathname === '/telemetry/send') return 'telemetry';
  return 'unknown';
}

function bindsOf(bindings: unknown): { values: unknown[]; types: string[] } {
  if (bindings === null || typeof bindings !== 'object') return { values: [], types: [] };
  const entries = Object.entries(bindings as Record<string, { type: string; value: unknown }>).sort((a, b) => Number(a[0]) - Number(b[0]));
  return { values: entries.map(([, b]) => b.value), types: entries.map(([, b]) => b.type) };
}

export async function startSnowflakeStub(options: SnowflakeStubOptions): Promise<SnowflakeStub> {
  const requests: StubRequest[] = [];
  const logins: StubLogin[] = [];
  const statements: StubStatement[] = [];
  const closedSessions: number[] = [];
  const sessions = new Map<string, Session>();
  const faults = new Map<StubRoute, { status: number; times: number }>();
  let handler = options.handler;
  let heartbeats = 0;
  let nextSessionId = 1000;

  const sessionOf = (req: http.IncomingMessage): Session | undefined => {
    const m = /^Snowflake Token="([^"]*)"$/.exec(req.headers.authorization ?? '');
    return m ? sessions.get(m[1]!) : undefined;
  };

  const send = (res: http.ServerResponse, status: number, body: unknown) => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };

  const fail = (code: string, message: string, data: Record<string, unknown> | null = null) => ({ success: false, code, message, data });

  const login = (body: StubRequestBody | undefined, search: URLSearchParams): { status: number; body: unknown } => {
    const data = (body?.data ?? {}) as Record<string, unknown>;
    const params = Object.fromEntries([...search.entries()].filter(([k]) => k !== 'requestId' && k !== 'request_guid'));
    const authenticator = String(data.AUTHENTICATOR ?? 'SNOWFLAKE').toUpperCase();
    const account = data.ACCOUNT_NAME as string | undefined;
    const user = data.LOGIN_NAME as string | undefined;
    const record: StubLogin = { ok: false, account, user, authenticator, params, sessionId: 0 };
    logins.push(record);
    const refuse = (reason: string) => {
      record.reason = reason;
      return { status: 200, body: fail('390100', 'Incorrect username or password was specified.') };
    };
    if (account?.toUpperCase() !== options.account.toUpperCase() || user?.toUpperCase() !== options.user.toUpperCase())
      return refuse('unknown account or user');
    if (authenticator === 'SNOWFLAKE_JWT') {
      if (!options.publicKey) return refuse('no public key registered for the user');
      const check = verifySnowflakeJwt(String(data.TOKEN ?? ''), { account: options.account, user: options.user, publicKey: options.publicKey });
      if (check.claims) record.jwtClaims = check.claims;
      if (!check.ok) {
        record.reason = check.reason;
        return { status: 200, body: fail('390144', `JWT token is invalid. ${check.reason ?? ''}`.trim()) };
      }
    } else if (authenticator === 'SNOWFLAKE') {
      if (options.password === undefined || data.PASSWORD !== options.password) return refuse('wrong password');
    } else {
      return refuse(`authenticator ${authenticator} is not supported by the stub`);
    }
    const session: Session = {
      id: nextSessionId++,
      token: `session-${randomUUID()}`,
      masterToken: `master-${randomUUID()}`,
      database: params.databaseName,
      warehouse: params.warehouse,
      role: params.roleName,
    };
    sessions.set(session.token, session);
    record.ok = true;
    record.sessionId = session.id;
    return {
      status: 200,
      body: {
        success: true,
        code: null,
        message: null,
        data: {
          token: session.token,
          masterToken: session.masterToken,
          validityInSeconds: 3600,
          masterValidityInSeconds: 14_400,
          sessionId: session.id,
          displayUserName: options.user.toUpperCase(),
          serverVersion: 'stub',
          parameters: options.sessionParameters ?? [],
          sessionInfo: {
            databaseName: session.database ?? null,
            schemaName: null,
            warehouseName: session.warehouse ?? null,
            roleName: session.role ?? 'PUBLIC',
          },
        },
      },
    };
  };

  const query = async (body: StubRequestBody | undefined, req: http.IncomingMessage, search: URLSearchParams): Promise<{ status: number; body: unknown }> => {
    const session = sessionOf(req);
    if (!session) return { status: 200, body: fail('390112', 'Your session has expired. Please login again.') };
    const { values, types } = bindsOf(body?.bindings);
    const statement: StubStatement = {
      sqlText: String(body?.sqlText ?? ''),
      binds: values,
      bindTypes: types,
      requestId: search.get('requestId') ?? undefined,
      sessionId: session.id,
    };
    statements.push(statement);
    const reply = (await handler?.(statement)) ?? statusReply();
    statement.reply = reply;
    const queryId = randomUUID();
    if (reply.kind === 'error') {
      return {
        status: 200,
        body: fail(reply.code, reply.message, {
          internalError: false,
          errorCode: reply.code,
          age: 0,
          sqlState: reply.sqlState,
          queryId,
          line: -1,
          pos: -1,
          type: 'COMPILATION',
        }),
      };
    }
    return {
      status: 200,
      body: {
        success: true,
        code: null,
        message: null,
        data: rowsetData(reply, {
          queryId,
          finalDatabaseName: session.database ?? null,
          finalSchemaName: null,
          finalWarehouseName: session.warehouse ?? null,
          finalRoleName: session.role ?? 'PUBLIC',
          numberOfBinds: values.length,
          statementTypeId: 4096,
          sendResultTime: Date.now(),
        }),
      },
    };
  };

  const server = http.createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const route = routeOf(url.pathname, url.searchParams);
      let body: StubRequestBody | undefined;
      try {
        body = await readBody(req);
      } catch {
        body = undefined;
      }
      const record: StubRequest = { method: req.method ?? '', url: req.url ?? '', route, status: 200, headers: req.headers, body };
      requests.push(record);
      const fault = route === 'unknown' ? undefined : faults.get(route);
      if (fault && fault.times > 0) {
        fault.times--;
        record.status = fault.status;
        res.writeHead(fault.status, { 'content-type': 'text/plain' });
        res.end(`stub: injected HTTP ${fault.status}`);
        return;
      }
      let answer: { status: number; body: unknown };
      switch (route) {
        case 'login':
          answer = login(body, url.searchParams);
          break;
        case 'query':
          answer = await query(body, req, url.searchParams);
          break;
        case 'heartbeat':
          heartbeats++;
          answer = sessionOf(req)
            ? { status: 200, body: { success: true, code: null, message: null, data: null } }
            : { status: 200, body: fail('390112', 'Your session has expired. Please login again.') };
          break;
        case 'token': {
          const m = /^Snowflake Token="([^"]*)"$/.exec(req.headers.authorization ?? '');
          const session = [...sessions.values()].find((s) => s.masterToken === m?.[1]);
          answer = session
            ? {
                status: 200,
                body: {
                  success: true,
                  code: null,
                  message: null,
                  data: { sessionToken: session.token, masterToken: session.masterToken, validityInSecondsST: 3600, validityInSecondsMT: 14_400 },
                },
              }
            : { status: 200, body: fail('390114', 'Authentication token has expired. The user must authenticate again.') };
          break;
        }
        case 'logout': {
          const session = sessionOf(req);
          if (session) {
            sessions.delete(session.token);
            closedSessions.push(session.id);
          }
          answer = { status: 200, body: { success: true, code: null, message: null, data: null } };
          break;
        }
        case 'telemetry':
          answer = { status: 200, body: { success: true, code: null, message: null, data: 'Log Received' } };
          break;
        default:
          answer = { status: 404, body: { success: false, code: '404', message: `stub: no route ${req.method} ${url.pathname}`, data: null } };
      }
      record.status = answer.status;
      send(res, answer.status, answer.body);
    })().catch((error: unknown) => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`stub: ${String(error)}`);
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    logins,
    statements,
    closedSessions,
    get heartbeats() {
      return heartbeats;
    },
    failNext(route, status, times = 1) {
      faults.set(route, { status, times });
    },
    setHandler(h) {
      handler = h;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
