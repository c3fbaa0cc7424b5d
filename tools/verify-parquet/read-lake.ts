/**
 * Read every Parquet file of a lake with three independent readers and put their values in one
 * comparable form, by the column's declared type (core's tables/): DuckDB (its own C++ reader),
 * hyparquet (JavaScript) and arrow-rs (Rust, compiled to WebAssembly in parquet-wasm, read into
 * apache-arrow). The Python readers of verify.py (pyarrow, polars, fastparquet) are a manual step:
 * docs/parquet-writers.md.
 */
import { promises as fs, readFileSync } from 'node:fs';
import path from 'node:path';
import { DuckDBBlobValue, DuckDBDateValue, DuckDBTimestampValue, type DuckDBConnection } from '@duckdb/node-api';
import { tableFromIPC, type Table as ArrowTable } from 'apache-arrow';
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } from 'hyparquet';
import * as parquetWasm from 'parquet-wasm';
import { ALL_TABLES, type ColumnType, type TableDecl } from '@ghlake/core';

export type Reader = 'duckdb' | 'hyparquet' | 'arrow-rs';
export const READERS: readonly Reader[] = ['duckdb', 'hyparquet', 'arrow-rs'];

export interface LakeFile {
  path: string;
  table: TableDecl;
}

/** Every data file under bronze/, silver/ and gold/ (gold is a link to its current version), with its table. */
export async function lakeParquetFiles(lake: string): Promise<LakeFile[]> {
  const out: LakeFile[] = [];
  for (const layer of ['bronze', 'silver', 'gold'] as const) {
    const root = await fs.realpath(path.join(lake, layer));
    for (const entry of await fs.readdir(root, { recursive: true })) {
      if (!entry.endsWith('.parquet') || path.basename(entry).startsWith('.')) continue;
      const name = entry.split(path.sep)[0]!;
      const table = ALL_TABLES.find((t) => t.layer === layer && t.name === name);
      if (!table) throw new Error(`${layer}/${entry}: no declared table ${layer}.${name}`);
      out.push({ path: path.join(root, entry), table });
    }
  }
  return out.sort((a, b) => a.path.localeCompare(b.path));
}

const DAY_MS = 86_400_000;
const utf8 = (v: string | Uint8Array): string => (typeof v === 'string' ? v : Buffer.from(v).toString('utf8'));
const hex = (v: Uint8Array): string => Buffer.from(v).toString('hex');

/**
 * One form per value whatever the reader: integers as decimal text, timestamps as microseconds,
 * dates as days, text as text, bytes as hex. A value in a form its declared type does not allow is
 * an error naming the reader.
 */
function canonical(reader: Reader, type: ColumnType, v: unknown): string | null {
  if (v === null || v === undefined) return null;
  const unexpected = () => new Error(`${reader} returned ${v?.constructor?.name ?? typeof v} for a ${type} column`);
  switch (type) {
    case 'BIGINT':
    case 'INTEGER':
      if (typeof v === 'bigint' || typeof v === 'number') return BigInt(v).toString();
      throw unexpected();
    case 'DOUBLE':
      if (typeof v === 'number') return String(v);
      throw unexpected();
    case 'BOOLEAN':
      if (typeof v === 'boolean') return String(v);
      throw unexpected();
    case 'VARCHAR':
    case 'JSON':
      if (typeof v === 'string' || v instanceof Uint8Array) return utf8(v);
      throw unexpected();
    case 'BLOB':
      if (v instanceof DuckDBBlobValue) return hex(v.bytes);
      if (v instanceof Uint8Array) return hex(v);
      throw unexpected();
    case 'TIMESTAMP':
      if (v instanceof DuckDBTimestampValue) return v.micros.toString();
      if (reader === 'hyparquet' && typeof v === 'bigint') return v.toString();
      // apache-arrow gives TIMESTAMP(MICROS) as epoch milliseconds, a float where micros are not whole ms.
      if (reader === 'arrow-rs' && typeof v === 'number') return BigInt(Math.round(v * 1000)).toString();
      throw unexpected();
    case 'DATE':
      if (v instanceof DuckDBDateValue) return String(v.days);
      if (reader === 'hyparquet' && typeof v === 'number') return String(v);
      if (reader === 'arrow-rs' && typeof v === 'number') return String(v / DAY_MS);
      if (reader === 'arrow-rs' && v instanceof Date) return String(v.getTime() / DAY_MS);
      throw unexpected();
  }
}

export type Rows = (string | null)[][];

/** The file's rows as DuckDB reads them (file order). */
export async function readWithDuckDB(connection: DuckDBConnection, file: LakeFile): Promise<Rows> {
  const columns = file.table.columns.map((c) => `"${c.name}"`).join(', ');
  const result = await connection.runAndReadAll(`SELECT ${columns} FROM read_parquet('${file.path.replaceAll("'", "''")}', hive_partitioning = false)`);
  return result.getRows().map((row) => file.table.columns.map((c, i) => canonical('duckdb', c.type, row[i])));
}

/** The file's rows as hyparquet reads them: raw micros and days, text undecoded (decoded here). */
export async function readWithHyparquet(file: LakeFile): Promise<Rows> {
  const objects = (await parquetReadObjects({
    file: await asyncBufferFromFile(file.path),
    utf8: false,
    parsers: { timestampFromMicroseconds: (v: bigint) => v, dateFromDays: (v: number) => v, jsonFromBytes: (v: Uint8Array) => v },
  })) as Record<string, unknown>[];
  return objects.map((o) => file.table.columns.map((c) => canonical('hyparquet', c.type, o[c.name])));
}

/** The file as arrow-rs reads it, into an Arrow table. */
export function readArrowTable(file: LakeFile): ArrowTable {
  return tableFromIPC(parquetWasm.readParquet(new Uint8Array(readFileSync(file.path))).intoIPCStream());
}

export function arrowRows(file: LakeFile, table: ArrowTable): Rows {
  const columns = file.table.columns.map((c) => {
    const vector = table.getChild(c.name);
    return vector ? ([...vector] as unknown[]) : [];
  });
  return Array.from({ length: table.numRows }, (_, r) => file.table.columns.map((c, i) => canonical('arrow-rs', c.type, columns[i]![r])));
}

/** Rows the Parquet footer says the file holds. */
export async function footerRows(file: LakeFile): Promise<number> {
  return Number((await parquetMetadataAsync(await asyncBufferFromFile(file.path))).num_rows);
}

/** The Arrow type each declared type must read as (TIMESTAMP: micros, no zone: UTC wall-clock). */
export const ARROW_TYPE: Record<ColumnType, string> = {
  BIGINT: 'Int64',
  INTEGER: 'Int32',
  DOUBLE: 'Float64',
  BOOLEAN: 'Bool',
  VARCHAR: 'Utf8',
  JSON: 'Utf8',
  BLOB: 'Binary',
  TIMESTAMP: 'Timestamp<MICROSECOND>',
  DATE: 'Date32<DAY>',
};

/** Where two readers' rows first differ (null when they are equal). */
export function firstDifference(columns: readonly string[], a: Rows, b: Rows): string | null {
  if (a.length !== b.length) return `${a.length} rows vs ${b.length}`;
  for (let r = 0; r < a.length; r++) {
    for (let c = 0; c < columns.length; c++) {
      if (a[r]![c] !== b[r]![c]) return `row ${r} ${columns[c]}: ${JSON.stringify(a[r]![c])?.slice(0, 80)} vs ${JSON.stringify(b[r]![c])?.slice(0, 80)}`;
    }
  }
  return null;
}
