import { DuckDBInstance } from '@duckdb/node-api';

/** Rows of one statement, BIGINTs as numbers: in memory, or over a database file opened read-only. */
export async function sql(query: string, db = ':memory:'): Promise<Record<string, unknown>[]> {
  const instance = await DuckDBInstance.create(db, db === ':memory:' ? { threads: '1' } : { threads: '1', access_mode: 'READ_ONLY' });
  const connection = await instance.connect();
  try {
    const rows = (await connection.runAndReadAll(query)).getRowObjectsJS() as Record<string, unknown>[];
    return rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v])));
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
