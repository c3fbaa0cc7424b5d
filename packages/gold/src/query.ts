/**
 * `openQuery`: run a user's SQL against `<lake>/warehouse.duckdb` and stream the result.
 * The warehouse is opened read-only (several queries may run at once, and a query never
 * changes the lake); it is (re)built first when missing or stale (a table got its first files
 * since it was built). Rows stream chunk by chunk, so `--format csv` of a billion rows never
 * holds them in memory.
 */
import { warehousePath } from '@ghlake/core';
import type { DuckDBConnection, DuckDBResult } from '@duckdb/node-api';
import { duckdbTempDir, openDuckDB, sqlError } from './duckdb.js';
import { refreshWarehouse, warehouseIsCurrent } from './warehouse.js';

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

/** Make sure the warehouse exists and reflects the lake's tables; returns whether it was rebuilt. */
export async function ensureWarehouse(lake: string): Promise<boolean> {
  if (await warehouseIsCurrent(lake)) return false;
  await refreshWarehouse(lake);
  return true;
}

export async function openQuery(config: QueryConfig, sql: string): Promise<QueryStream> {
  const refreshedWarehouse = await ensureWarehouse(config.lake);
  const db = await openDuckDB(
    { memoryLimit: config.memoryLimit, threads: config.threads, tempDirectory: config.tempDirectory ?? duckdbTempDir(config.lake) },
    { path: warehousePath(config.lake), readOnly: true },
  );
  const connection: DuckDBConnection = db.connection;
  const onAbort = () => connection.interrupt();
  config.signal?.addEventListener('abort', onAbort, { once: true });
  const close = () => {
    config.signal?.removeEventListener('abort', onAbort);
    db.close();
  };
  let result: DuckDBResult;
  try {
    result = await connection.stream(sql);
  } catch (error) {
    close();
    throw sqlError(error);
  }
  const columns = result.columnNames().map((name, i) => ({ name, type: result.columnType(i).toString() }));
  const normalize = normalizer(columns.map((c) => c.type));
  return {
    columns,
    refreshedWarehouse,
    async *chunks() {
      try {
        for await (const rows of result.yieldRowsJson()) yield (rows as QueryValue[][]).map(normalize);
      } catch (error) {
        throw sqlError(error);
      }
    },
    close,
  };
}

/** The whole result in memory (tests, small lookups). */
export async function runQuery(config: QueryConfig, sql: string): Promise<{ columns: QueryColumn[]; rows: QueryValue[][] }> {
  const stream = await openQuery(config, sql);
  try {
    const rows: QueryValue[][] = [];
    for await (const chunk of stream.chunks()) rows.push(...chunk);
    return { columns: stream.columns, rows };
  } finally {
    stream.close();
  }
}
