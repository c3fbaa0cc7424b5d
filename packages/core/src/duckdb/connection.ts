/**
 * Opening DuckDB the way every gold step needs it: a memory limit, a thread count and a spill
 * directory inside the lake (so work bigger than memory goes to disk instead of failing), and
 * DuckDB's errors turned into one GHLAKE_SQL error that carries DuckDB's own message.
 */
import { promises as fs } from 'node:fs';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { ERROR_CODES, GhlakeError } from '../errors.js';

export interface DuckDBSettings {
  /** Bytes DuckDB's buffer manager may use before spilling. */
  memoryLimit: number;
  threads: number;
  /** Spill directory; created if missing. */
  tempDirectory: string;
}

export interface OpenDuckDB {
  instance: DuckDBInstance;
  connection: DuckDBConnection;
  close(): void;
}

export { duckdbTempDir } from '../layout.js';

/**
 * Open a DuckDB database (`:memory:` by default) with the settings applied.
 * `readOnly` opens an existing database file for reading; several readers may share it.
 */
export async function openDuckDB(
  settings: DuckDBSettings,
  options: { path?: string; readOnly?: boolean; keepInsertionOrder?: boolean } = {},
): Promise<OpenDuckDB> {
  await fs.mkdir(settings.tempDirectory, { recursive: true });
  const config: Record<string, string> = {
    memory_limit: `${Math.max(1, Math.floor(settings.memoryLimit / 1_000_000))}MB`,
    threads: String(settings.threads),
    temp_directory: settings.tempDirectory,
    // Our own statements ORDER BY where order matters; not preserving insertion order lets
    // DuckDB stream big COPYs with less memory. User queries keep DuckDB's default.
    preserve_insertion_order: options.keepInsertionOrder === false ? 'false' : 'true',
  };
  if (options.readOnly) config.access_mode = 'READ_ONLY';
  let instance: DuckDBInstance;
  try {
    instance = await DuckDBInstance.create(options.path ?? ':memory:', config);
  } catch (error) {
    throw sqlError(error, `opening DuckDB ${options.path ?? ':memory:'}`);
  }
  const connection = await instance.connect();
  let open = true;
  return {
    instance,
    connection,
    close() {
      if (!open) return;
      open = false;
      connection.closeSync();
      instance.closeSync();
    },
  };
}

/** DuckDB's message as a GhlakeError: `Binder Error: ...` stays readable, no stack for the user. */
export function sqlError(error: unknown, doing?: string): GhlakeError {
  if (error instanceof GhlakeError) return error;
  const message = (error instanceof Error ? error.message : String(error)).trim();
  return new GhlakeError(ERROR_CODES.SQL, doing ? `${doing}: ${message}` : message, {
    cause: error,
    hint: hintFor(message),
  });
}

function hintFor(message: string): string {
  if (/Catalog Error: Table with name/i.test(message)) {
    return 'the warehouse has schemas bronze, silver and gold; list the tables with: ghlake query "show all tables"';
  }
  if (/No files found|IO Error/i.test(message)) return 'run ghlake gold (or ghlake run) to build the lake before querying it';
  if (/Out of Memory/i.test(message)) return 'raise --memory-limit (GHLAKE_DUCKDB_MEMORY) or free disk space for spilling';
  return 'check the SQL (DuckDB dialect); table names are schema-qualified: gold.repo_metrics, silver.events, ...';
}

/** Run statements one after another, wrapping failures with what was being done. */
export async function runSql(connection: DuckDBConnection, sql: string, doing?: string): Promise<void> {
  try {
    await connection.run(sql);
  } catch (error) {
    throw sqlError(error, doing);
  }
}

/** Rows as JS values (BIGINT as bigint, TIMESTAMP as Date). */
export async function queryRows(connection: DuckDBConnection, sql: string, doing?: string): Promise<Record<string, unknown>[]> {
  try {
    const reader = await connection.runAndReadAll(sql);
    return reader.getRowObjectsJS() as Record<string, unknown>[];
  } catch (error) {
    throw sqlError(error, doing);
  }
}

/** A single BIGINT/INTEGER result as a JS number (counts far below 2^53). */
export async function queryNumber(connection: DuckDBConnection, sql: string, doing?: string): Promise<number> {
  const rows = await queryRows(connection, sql, doing);
  const first = rows[0];
  const value = first === undefined ? undefined : Object.values(first)[0];
  return value === null || value === undefined ? 0 : Number(value);
}
