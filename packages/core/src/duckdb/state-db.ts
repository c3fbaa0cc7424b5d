/**
 * The lake's incremental state: one DuckDB database, `<lake>/_state/state.duckdb`.
 *
 * What each layer keeps there is declared by that layer (silver: the event-copy index, the entity
 * state, the change log; gold: pair counts and per-entity metrics). The database is the commit
 * point of both layers: a layer's whole change — its state tables and the journal of file moves
 * that publishes its Parquet — is one DuckDB transaction, so a process killed at any moment leaves
 * either the old state or the new one (DuckDB's write-ahead log), and the journal says which files
 * still have to be moved into place.
 *
 * Only commands that hold the lake lock open it (read-write); readers (`query`, `status`) never
 * need it: everything users read is published as Parquet.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { duckdbTempDir, stateDbPath } from '../layout.js';
import { openDuckDB, queryRows, runSql, type OpenDuckDB } from './connection.js';

export interface StateDbSettings {
  memoryLimit: number;
  threads: number;
}

/** A table of the state database: name and CREATE statement (run IF NOT EXISTS). */
export interface StateTable {
  name: string;
  /** Column definitions, e.g. `event_id BIGINT NOT NULL, ...`. */
  columns: string;
}

/** Open (creating if needed) the lake's state database with the given tables. */
export async function openStateDb(lake: string, settings: StateDbSettings, tables: readonly StateTable[] = []): Promise<OpenDuckDB> {
  const file = stateDbPath(lake);
  await fs.mkdir(path.dirname(file), { recursive: true });
  const db = await openDuckDB(
    { memoryLimit: settings.memoryLimit, threads: settings.threads, tempDirectory: duckdbTempDir(lake) },
    { path: file, keepInsertionOrder: false },
  );
  try {
    await ensureStateTables(db, tables);
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}

export async function ensureStateTables(db: OpenDuckDB, tables: readonly StateTable[]): Promise<void> {
  for (const t of tables) await runSql(db.connection, `CREATE TABLE IF NOT EXISTS ${t.name} (${t.columns})`, `creating state table ${t.name}`);
}

/** Run `work` in one transaction: committed when it resolves, rolled back when it throws. */
export async function inTransaction<T>(db: OpenDuckDB, work: () => Promise<T>): Promise<T> {
  await runSql(db.connection, 'BEGIN TRANSACTION');
  let result: T;
  try {
    result = await work();
  } catch (error) {
    await runSql(db.connection, 'ROLLBACK').catch(() => undefined);
    throw error;
  }
  await runSql(db.connection, 'COMMIT', 'committing the lake state');
  return result;
}

/** A small key → value table of counters (`silver.head`, `gold.head`, ...). */
export const STATE_META: StateTable = { name: 'state_meta', columns: 'key VARCHAR NOT NULL, value BIGINT NOT NULL' };

export async function readMeta(db: OpenDuckDB, key: string): Promise<number | undefined> {
  const rows = await queryRows(db.connection, `SELECT value FROM ${STATE_META.name} WHERE key = '${key.replaceAll("'", "''")}'`);
  return rows[0] === undefined ? undefined : Number(rows[0].value);
}

export async function writeMeta(db: OpenDuckDB, key: string, value: number): Promise<void> {
  const k = `'${key.replaceAll("'", "''")}'`;
  await runSql(db.connection, `DELETE FROM ${STATE_META.name} WHERE key = ${k}`);
  await runSql(db.connection, `INSERT INTO ${STATE_META.name} VALUES (${k}, ${Math.trunc(value)})`);
}
