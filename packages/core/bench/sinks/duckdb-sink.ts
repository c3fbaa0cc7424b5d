/**
 * Parquet through DuckDB: rows go into a DuckDB table with the appender, then
 * `COPY table TO 'file.parquet'` writes them with DuckDB's native writer.
 *
 * DuckDB cannot append row groups to an existing Parquet file, so the whole table sits in
 * DuckDB until `finish()` (memory is bounded only by spilling: `database` may be an on-disk
 * temporary database with a `memory_limit`).
 */
import { valueAt } from '../../src/parquet/columns.js';
import { rm } from 'node:fs/promises';
import { DuckDBInstance, DuckDBTimestampValue, DuckDBDateValue, type DuckDBAppender } from '@duckdb/node-api';
import type { ColumnType, TableDecl } from '../../src/tables/types.js';
import type { ParquetSink, SinkFactory, TableWriterOptions } from '../../src/parquet/writer.js';

const SQL_TYPE: Record<ColumnType, string> = {
  BIGINT: 'BIGINT',
  INTEGER: 'INTEGER',
  DOUBLE: 'DOUBLE',
  BOOLEAN: 'BOOLEAN',
  VARCHAR: 'VARCHAR',
  JSON: 'VARCHAR', // our JSON columns are UTF8 text, byte-exact
  TIMESTAMP: 'TIMESTAMP',
  DATE: 'DATE',
  BLOB: 'BLOB',
};

const DAY_MS = 86_400_000;
type Append = (a: DuckDBAppender, v: unknown) => void;
const APPEND: Record<ColumnType, Append> = {
  BIGINT: (a, v) => a.appendBigInt(typeof v === 'bigint' ? v : BigInt(v as number)),
  INTEGER: (a, v) => a.appendInteger(v as number),
  DOUBLE: (a, v) => a.appendDouble(v as number),
  BOOLEAN: (a, v) => a.appendBoolean(v as boolean),
  VARCHAR: (a, v) => a.appendVarchar(v as string),
  JSON: (a, v) => a.appendVarchar(v as string),
  TIMESTAMP: (a, v) => a.appendTimestamp(new DuckDBTimestampValue(BigInt(v as number) * 1000n)),
  DATE: (a, v) => a.appendDate(new DuckDBDateValue(Math.round(Date.parse(`${v as string}T00:00:00Z`) / DAY_MS))),
  BLOB: (a, v) => a.appendBlob(v as Uint8Array),
};

export interface DuckDbSinkOptions {
  /** DuckDB threads for the COPY (default 1: one core per writer, like the JS writers). */
  threads?: number;
  /** ':memory:' (default) or a path for an on-disk temporary database that can spill. */
  database?: string;
}

export function duckdbSinkFactory(opts: DuckDbSinkOptions = {}): SinkFactory {
  return async (table: TableDecl, tmpPath: string, options: TableWriterOptions): Promise<ParquetSink> => {
    const database = opts.database ?? ':memory:';
    const instance = await DuckDBInstance.create(database, { threads: String(opts.threads ?? 1) });
    const db = await instance.connect();
    const ddl = table.columns.map((c) => `"${c.name}" ${SQL_TYPE[c.type]}${c.nullable ? '' : ' NOT NULL'}`).join(', ');
    await db.run(`CREATE TABLE t (${ddl})`);
    const appender = await db.createAppender('t');
    const appends = table.columns.map((c) => APPEND[c.type]);
    const names = table.columns.map((c) => c.name);
    const cleanup = async () => {
      db.closeSync();
      instance.closeSync();
      if (database !== ':memory:') await rm(database, { force: true });
    };
    return {
      writeRowGroup(columns, rowCount) {
        const cols = names.map((n) => columns[n]!);
        for (let r = 0; r < rowCount; r++) {
          for (let c = 0; c < cols.length; c++) {
            const v = valueAt(cols[c]!, r);
            if (v === null || v === undefined) appender.appendNull();
            else appends[c]!(appender, v);
          }
          appender.endRow();
        }
        appender.flushSync();
      },
      async finish() {
        appender.closeSync();
        const codec = (options.codec ?? 'SNAPPY').toLowerCase();
        const kv = Object.entries(options.metadata ?? {});
        const kvSql = kv.length ? `, KV_METADATA {${kv.map(([k, v]) => `'${k.replaceAll("'", "''")}': '${v.replaceAll("'", "''")}'`).join(', ')}}` : '';
        try {
          await db.run(
            `COPY t TO '${tmpPath.replaceAll("'", "''")}' (FORMAT parquet, COMPRESSION ${codec}, ROW_GROUP_SIZE ${options.rowGroupRows ?? 65_536}${kvSql})`,
          );
        } finally {
          await cleanup();
        }
      },
    };
  };
}
