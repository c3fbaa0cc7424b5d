/**
 * A Snowflake session through the official driver (snowflake-sdk 3.x): connect with a password
 * or a key pair (SNOWFLAKE_JWT), run statements with binds, close the session on the server.
 * Every driver failure becomes one GHLAKE_SNOWFLAKE error naming the statement's purpose, with
 * Snowflake's code and SQLSTATE and a hint; secrets are scrubbed from anything it says.
 *
 * Two driver defaults are changed on purpose:
 *  - its logger (INFO to the console and a `snowflake.log` file in the working directory) is
 *    routed into ghlake's logger at debug level, secrets scrubbed;
 *  - its cloud-platform probe, which at import time calls the AWS/Azure/GCP metadata endpoints and
 *    AWS STS only to report the platform in login telemetry, is off unless the user set
 *    SNOWFLAKE_DISABLE_PLATFORM_DETECTION. That is why the driver is imported lazily.
 * Retries are the driver's: it retries HTTP 5xx/429/408 and network errors with backoff,
 * resending the same requestId so Snowflake does not run a statement twice.
 */
import type { Connection, ConnectionOptions, SnowflakeError } from 'snowflake-sdk';
import { ERROR_CODES, GhlakeError, silentLogger, type Logger } from '@ghlake/core';
import { secretsOf, type SnowflakeConnectionConfig } from './options.js';
import { checkPrivateKey } from './private-key.js';
import type { SqlExecutor, SqlRow, SqlStatement } from './statement.js';

export interface SnowflakeSession extends SqlExecutor {
  /** Statements run so far (purposes), for summaries. */
  readonly statementsRun: number;
  close(): Promise<void>;
}

/** Replace every secret in `text` with `***`, also in its JSON-escaped form (logged request bodies). */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) {
    if (s.length === 0) continue;
    for (const form of new Set([s, JSON.stringify(s).slice(1, -1)])) out = out.split(form).join('***');
  }
  return out;
}

type DriverModule = typeof import('snowflake-sdk');

async function loadDriver(): Promise<DriverModule> {
  process.env.SNOWFLAKE_DISABLE_PLATFORM_DETECTION ??= 'true';
  const mod = (await import('snowflake-sdk')) as unknown as { default?: DriverModule } & DriverModule;
  return mod.default ?? mod;
}

const AUTH_CODES = new Set(['390100', '390101', '390102', '390103', '390104', '390144', '394300', '394304']);

function hintFor(code: string, sqlState: string | undefined, message: string): string {
  if (AUTH_CODES.has(code) || /JWT|password|authenticat/i.test(message)) {
    return 'check SNOWFLAKE_ACCOUNT and SNOWFLAKE_USER and the credentials: SNOWFLAKE_PASSWORD, or SNOWFLAKE_PRIVATE_KEY_PATH with the public key registered (ALTER USER ... SET RSA_PUBLIC_KEY = ...)';
  }
  if (code === '002003' || sqlState === '42S02' || /does not exist/i.test(message)) {
    return 'run `ghlake snowflake setup` first (with the same --database and schema options), and check the role (--role) can use the objects';
  }
  if (code === '003001' || sqlState === '42501' || /insufficient privileges/i.test(message)) {
    return 'the role lacks a privilege for this statement: grant it, or use a role that has it (--role / SNOWFLAKE_ROLE)';
  }
  if (code === '401001' || code === '401002' || code === '401003') {
    return 'Snowflake could not be reached: check SNOWFLAKE_ACCOUNT (or --snowflake-url) and the network';
  }
  if (/Remote file .* was not found/i.test(message)) {
    return 'the lake is not (all) in S3: upload it first (ghlake upload) with the --bucket and --prefix the stage points at, then load again';
  }
  if (/warehouse/i.test(message)) return 'set a running warehouse the role may use (--warehouse / SNOWFLAKE_WAREHOUSE)';
  return 'the statement is shown by the same command with --dry-run';
}

/** A driver error as one GHLAKE_SNOWFLAKE error naming what ghlake was doing. */
export function snowflakeError(error: unknown, doing: string, secrets: readonly string[] = []): GhlakeError {
  if (error instanceof GhlakeError) return error;
  const e = (error ?? {}) as Partial<SnowflakeError> & { message?: string; code?: string | number; sqlState?: string; data?: { queryId?: string } };
  const code = e.code === undefined ? '' : String(e.code);
  const sqlState = e.sqlState;
  const raw = redact(String(e.message ?? error), secrets).trim();
  // Snowflake's own codes are numeric; anything else (ENOENT, ERR_OSSL_...) comes from Node or the driver.
  const codeText = code === '' ? '' : /^\d+$/.test(code) ? `Snowflake error ${code}` : `driver error ${code}`;
  const where = [codeText, sqlState ? `SQLSTATE ${sqlState}` : ''].filter(Boolean).join(', ');
  const retryable = code === '401001' || code === '401002';
  return new GhlakeError(ERROR_CODES.SNOWFLAKE, `${doing} failed: ${raw}${where ? ` (${where})` : ''}`, {
    hint: hintFor(code, sqlState, raw),
    retryable,
    details: { doing, ...(code ? { snowflakeCode: code } : {}), ...(sqlState ? { sqlState } : {}), ...(e.data?.queryId ? { queryId: e.data.queryId } : {}) },
  });
}

function driverOptions(config: SnowflakeConnectionConfig): ConnectionOptions {
  const base: ConnectionOptions = {
    account: config.account,
    username: config.user,
    database: config.database,
    application: 'ghlake',
    ...(config.role ? { role: config.role } : {}),
    ...(config.warehouse ? { warehouse: config.warehouse } : {}),
    ...(config.accessUrl ? { accessUrl: config.accessUrl } : {}),
  };
  if (config.auth.kind === 'password') return { ...base, password: config.auth.password };
  return {
    ...base,
    authenticator: 'SNOWFLAKE_JWT',
    privateKeyPath: config.auth.privateKeyPath,
    ...(config.auth.passphrase ? { privateKeyPass: config.auth.passphrase } : {}),
  };
}

export interface SessionOptions {
  logger?: Logger;
  /** How much of the driver's own logging reaches `logger` (at debug level). Default WARN. */
  driverLogLevel?: 'ERROR' | 'WARN' | 'INFO' | 'DEBUG' | 'TRACE';
}

export async function openSnowflakeSession(config: SnowflakeConnectionConfig, options: SessionOptions = {}): Promise<SnowflakeSession> {
  const logger = options.logger ?? silentLogger;
  const secrets = secretsOf(config);
  if (config.auth.kind === 'key-pair') checkPrivateKey(config.auth.privateKeyPath, config.auth.passphrase);
  const driver = await loadDriver();
  const forward = (level: string) => (message: string) => logger.debug('snowflake-sdk', { level, message: redact(String(message), secrets) });
  driver.configure({
    logLevel: options.driverLogLevel ?? 'WARN',
    customLogger: { error: forward('error'), warn: forward('warn'), info: forward('info'), debug: forward('debug'), trace: forward('trace') },
  });

  let connection: Connection;
  try {
    connection = driver.createConnection(driverOptions(config));
  } catch (error) {
    throw snowflakeError(error, 'configuring the Snowflake connection', secrets);
  }
  await new Promise<void>((resolve, reject) => {
    // connect() reports every failure through its callback (connectAsync does not throw them).
    connection.connect((error) =>
      error ? reject(snowflakeError(error, `logging in to Snowflake account ${config.account} as ${config.user}`, secrets)) : resolve(),
    );
  });

  let statementsRun = 0;
  let open = true;
  return {
    get statementsRun() {
      return statementsRun;
    },
    run(stmt: SqlStatement): Promise<SqlRow[]> {
      logger.debug('snowflake statement', { purpose: stmt.purpose });
      return new Promise<SqlRow[]>((resolve, reject) => {
        connection.execute({
          sqlText: stmt.sql,
          ...(stmt.binds && stmt.binds.length > 0 ? { binds: stmt.binds } : {}),
          complete: (error, _statement, rows) => {
            statementsRun++;
            if (error) reject(snowflakeError(error, stmt.purpose, secrets));
            else resolve((rows ?? []) as SqlRow[]);
          },
        });
      });
    },
    async close() {
      if (!open) return;
      open = false;
      await new Promise<void>((resolve) => {
        connection.destroy((error) => {
          if (error) logger.debug('closing the Snowflake session failed', { message: redact(error.message, secrets) });
          resolve();
        });
      });
    },
  };
}

/** Open a session, run `work`, always close the session. */
export async function withSnowflakeSession<T>(
  config: SnowflakeConnectionConfig,
  work: (session: SnowflakeSession) => Promise<T>,
  options: SessionOptions = {},
): Promise<T> {
  const session = await openSnowflakeSession(config, options);
  try {
    return await work(session);
  } finally {
    await session.close();
  }
}
