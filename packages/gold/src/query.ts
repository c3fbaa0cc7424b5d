/**
 * `openQuery`: run a user's SQL against `<lake>/warehouse.duckdb` and stream the result.
 * The warehouse is (re)built first when missing or stale (a table got its first files since it
 * was built); a copied, moved or read-only lake is queried through views made in memory. Rows stream chunk by chunk, so `--format csv` of a billion rows never holds them
 * in memory.
 *
 * A query can change nothing, by three locks that do not depend on each other:
 * - exactly one statement, and DuckDB's own parser decides its type: only SELECT (which is what
 *   DuckDB makes of WITH, DESCRIBE, SHOW, SUMMARIZE, FROM-first and the PRAGMAs that read) and
 *   EXPLAIN of a SELECT run; COPY, ATTACH, INSTALL/LOAD, CREATE, SET, CALL, EXPORT ... are refused
 *   before anything runs (`readOnlyStatement`);
 * - the warehouse file is opened read-only;
 * - DuckDB's file access is confined to the lake folder (`allowed_directories` with
 *   `enable_external_access = false`) and the configuration is locked (`lock_configuration`),
 *   so no statement can widen it again. DuckDB's confinement allows writing inside the lake
 *   too: the statement type is what keeps COPY ... TO out.
 */
import { constants as fsConstants, promises as fs } from 'node:fs';
import path from 'node:path';
import { ERROR_CODES, GhlakeError, warehousePath } from '@ghlake/core';
import { StatementType, type DuckDBConnection, type DuckDBPreparedStatement, type DuckDBResult } from '@duckdb/node-api';
import { duckdbTempDir, openDuckDB, sqlError, sqlString, type OpenDuckDB } from '@ghlake/core/duckdb';
import { openWarehouseInMemory, outsideLakeTempDir, refreshWarehouse, warehouseState } from './warehouse.js';

export interface QueryConfig {
  lake: string;
  memoryLimit: number;
  threads: number;
  tempDirectory?: string;
  signal?: AbortSignal;
}

export interface QueryColumn {
  name: string;
  /** DuckDB type name: BIGINT, VARCHAR, TIMESTAMP, DECIMAL(18,3), ... */
  type: string;
}

/** A cell: JSON-safe (strings, numbers, booleans, null, arrays/objects for nested types). */
export type QueryValue = string | number | boolean | null | QueryValue[] | { [key: string]: QueryValue };

export interface QueryStream {
  columns: QueryColumn[];
  /** The warehouse was rebuilt before the query ran. */
  refreshedWarehouse: boolean;
  /** Row chunks (up to 2,048 rows each) as they come out of DuckDB. */
  chunks(): AsyncIterable<QueryValue[][]>;
  close(): void;
}

const INTEGER_TYPES = new Set(['BIGINT', 'HUGEINT', 'UBIGINT', 'UHUGEINT']);

/** DuckDB's JSON form keeps 64-bit integers as strings; make them numbers when that is exact. */
function normalizer(types: string[]): (row: QueryValue[]) => QueryValue[] {
  const big = types.map((t) => INTEGER_TYPES.has(t));
  if (!big.some(Boolean)) return (row) => row;
  return (row) =>
    row.map((v, i) => {
      if (!big[i] || typeof v !== 'string') return v;
      const n = Number(v);
      return Number.isSafeInteger(n) ? n : v;
    });
}

/** Can this process write into the lake (the warehouse file is rebuilt there when stale)? */
async function lakeIsWritable(lake: string): Promise<boolean> {
  return fs.access(lake, fsConstants.W_OK).then(
    () => true,
    () => false,
  );
}

/**
 * The warehouse to query, opened read-only: the file when it is current; rebuilt first when it is
 * missing or stale and the lake can be written; otherwise — the lake was copied or moved (the
 * file's views point at the old place), or it is read-only — its views made afresh in memory over
 * the lake where it is, writing nothing into it.
 */
export async function openWarehouse(config: QueryConfig): Promise<{ db: OpenDuckDB; refreshedWarehouse: boolean; inMemory: boolean }> {
  const lake = config.lake;
  const state = await warehouseState(lake);
  const writable = state !== 'elsewhere' && state !== 'current' && (await lakeIsWritable(lake));
  if (state === 'elsewhere' || (state !== 'current' && !writable)) {
    const db = await openWarehouseInMemory(lake, {
      memoryLimit: config.memoryLimit,
      threads: config.threads,
      tempDirectory: config.tempDirectory ?? outsideLakeTempDir(),
    });
    return { db, refreshedWarehouse: false, inMemory: true };
  }
  if (state !== 'current') await refreshWarehouse(lake);
  const tempDirectory = config.tempDirectory ?? ((await lakeIsWritable(lake)) ? duckdbTempDir(lake) : outsideLakeTempDir());
  const db = await openDuckDB({ memoryLimit: config.memoryLimit, threads: config.threads, tempDirectory }, { path: warehousePath(lake), readOnly: true });
  return { db, refreshedWarehouse: state !== 'current', inMemory: false };
}

/** What `ghlake query` may run, as DuckDB's parser classifies statements. */
export const QUERY_ALLOWS = 'one read-only statement: SELECT, WITH, FROM, DESCRIBE, SHOW, SUMMARIZE, a PRAGMA that reads, or EXPLAIN of one of them';

function refused(why: string, details: Record<string, unknown> = {}): GhlakeError {
  return new GhlakeError(ERROR_CODES.QUERY_REFUSED, `refused: ${why}`, {
    hint: `ghlake query runs ${QUERY_ALLOWS}, reading files inside the lake only; to write, copy the data out with DuckDB itself`,
    details,
  });
}

/** DuckDB refuses a file outside the allowed directories with a Permission Error: a refusal, not a mistake in the SQL. */
function refusedOrSqlError(error: unknown): GhlakeError {
  const message = (error instanceof Error ? error.message : String(error)).trim();
  if (/^Permission Error/i.test(message)) return refused(`${message.split('\n')[0]} (only files inside the lake can be read)`);
  return sqlError(error);
}

/**
 * The statement EXPLAIN wraps: the text after `EXPLAIN`, an optional `ANALYZE` and an optional
 * `( options )`, skipping comments. DuckDB then parses it and says what it is (EXPLAIN ANALYZE
 * executes its statement, so it must be read-only too).
 */
export function explainedText(sql: string): string | undefined {
  let i = 0;
  const skip = () => {
    for (;;) {
      while (i < sql.length && /\s/.test(sql[i]!)) i++;
      if (sql.startsWith('--', i)) i = sql.indexOf('\n', i) === -1 ? sql.length : sql.indexOf('\n', i) + 1;
      else if (sql.startsWith('/*', i)) i = sql.indexOf('*/', i) === -1 ? sql.length : sql.indexOf('*/', i) + 2;
      else return;
    }
  };
  const word = (w: string) => {
    skip();
    if (sql.slice(i, i + w.length).toLowerCase() === w && !/[\w$]/.test(sql[i + w.length] ?? '')) {
      i += w.length;
      return true;
    }
    return false;
  };
  if (!word('explain')) return undefined;
  if (!word('analyze')) word('analyse');
  skip();
  if (sql[i] === '(') {
    const close = sql.indexOf(')', i);
    if (close === -1) return undefined;
    i = close + 1;
  }
  return sql.slice(i);
}

/**
 * Parse `sql` with DuckDB and prepare it if it is exactly one read-only statement; otherwise
 * throw GHLAKE_QUERY_REFUSED (exit 2) naming what it is. Nothing runs before this check.
 */
export async function readOnlyStatement(connection: DuckDBConnection, sql: string, inner = false): Promise<DuckDBPreparedStatement> {
  const extracted = await connection.extractStatements(sql).catch((error: unknown) => {
    throw refusedOrSqlError(error);
  });
  if (extracted.count === 0) throw refused('no SQL statement given');
  if (extracted.count > 1) throw refused(`${extracted.count} statements given; ghlake query runs exactly one`, { statements: extracted.count });
  const prepared = await extracted.prepare(0).catch((error: unknown) => {
    throw refusedOrSqlError(error);
  });
  const type = prepared.statementType;
  if (type === StatementType.SELECT) return prepared;
  if (type === StatementType.EXPLAIN && !inner) {
    const text = explainedText(sql);
    if (text !== undefined) {
      // Throws for anything but one read-only statement; the EXPLAIN itself is what runs.
      (await readOnlyStatement(connection, text, true)).destroySync();
      return prepared;
    }
  }
  prepared.destroySync();
  const name = StatementType[type] ?? String(type);
  throw refused(`${inner ? 'EXPLAIN of a' : 'a'} ${name} statement can change the lake or the session`, { statementType: name });
}

/** Confine DuckDB's file access to the lake (read: views, read_parquet on lake paths) and lock the settings. */
async function confineToLake(connection: DuckDBConnection, lake: string): Promise<void> {
  const dir = `${path.resolve(lake)}${path.sep}`;
  await connection.run(`SET allowed_directories = [${sqlString(dir)}]`);
  await connection.run('SET enable_external_access = false');
  await connection.run('SET autoinstall_known_extensions = false');
  await connection.run('SET lock_configuration = true');
}

/** The warehouse opened read-only and confined to the lake, interruptible by the config's signal. */
async function openConfined(config: QueryConfig): Promise<{ connection: DuckDBConnection; refreshedWarehouse: boolean; close: () => void }> {
  const { db, refreshedWarehouse } = await openWarehouse(config);
  const connection: DuckDBConnection = db.connection;
  const onAbort = () => connection.interrupt();
  config.signal?.addEventListener('abort', onAbort, { once: true });
  const close = () => {
    config.signal?.removeEventListener('abort', onAbort);
    db.close();
  };
  try {
    await confineToLake(connection, config.lake);
  } catch (error) {
    close();
    throw error instanceof GhlakeError ? error : sqlError(error);
  }
  return { connection, refreshedWarehouse, close };
}

/** One checked read-only statement streamed on a confined connection. */
async function streamStatement(connection: DuckDBConnection, sql: string): Promise<{ columns: QueryColumn[]; chunks: () => AsyncIterable<QueryValue[][]> }> {
  let result: DuckDBResult;
  try {
    const statement = await readOnlyStatement(connection, sql);
    result = await statement.stream().catch((error: unknown) => {
      throw refusedOrSqlError(error);
    });
  } catch (error) {
    throw error instanceof GhlakeError ? error : sqlError(error);
  }
  const columns = result.columnNames().map((name, i) => ({ name, type: result.columnType(i).toString() }));
  const normalize = normalizer(columns.map((c) => c.type));
  return {
    columns,
    async *chunks() {
      try {
        for await (const rows of result.yieldRowsJson()) yield (rows as QueryValue[][]).map(normalize);
      } catch (error) {
        throw sqlError(error);
      }
    },
  };
}

export async function openQuery(config: QueryConfig, sql: string): Promise<QueryStream> {
  const { connection, refreshedWarehouse, close } = await openConfined(config);
  try {
    const { columns, chunks } = await streamStatement(connection, sql);
    return { columns, refreshedWarehouse, chunks, close };
  } catch (error) {
    close();
    throw error;
  }
}

/**
 * Several queries on one opening of the warehouse (the report runs its datasets so: one open instead of one per
 * query). Each statement is checked as `ghlake query` checks it — one read-only statement — on the same confined,
 * locked connection.
 */
export interface QuerySession {
  refreshedWarehouse: boolean;
  /** The whole result in memory. */
  run(sql: string): Promise<{ columns: QueryColumn[]; rows: QueryValue[][] }>;
  close(): void;
}

export async function openQuerySession(config: QueryConfig): Promise<QuerySession> {
  const { connection, refreshedWarehouse, close } = await openConfined(config);
  return {
    refreshedWarehouse,
    async run(sql: string) {
      const { columns, chunks } = await streamStatement(connection, sql);
      const rows: QueryValue[][] = [];
      for await (const chunk of chunks()) rows.push(...chunk);
      return { columns, rows };
    },
    close,
  };
}

/** The whole result in memory (tests, small lookups). */
export async function runQuery(config: QueryConfig, sql: string): Promise<{ columns: QueryColumn[]; rows: QueryValue[][] }> {
  const session = await openQuerySession(config);
  try {
    return await session.run(sql);
  } finally {
    session.close();
  }
}
