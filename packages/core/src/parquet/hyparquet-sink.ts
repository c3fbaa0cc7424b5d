/**
 * Parquet backend on hyparquet-writer (JavaScript, column-oriented, runs in worker threads, streams
 * one row group at a time), with native Snappy. Chosen by benchmark over @dsnp/parquetjs,
 * parquet-wasm and DuckDB's appender + COPY; since replaced as `openTableWriter`'s default by
 * flat-sink.ts (faster on the hot path) and kept as the benchmark's reference and a fallback:
 * see docs/parquet-writers.md.
 */
import { ParquetWriter, fileWriter } from 'hyparquet-writer';
import { compressSync as snappyCompress } from 'snappy';
import type { ColumnDecl, ColumnType, TableDecl } from '../tables/types.js';
import type { ParquetSink, TableWriterOptions } from './writer.js';
import { valueAt } from './columns.js';

interface SchemaElement {
  name: string;
  type?: string;
  converted_type?: string;
  logical_type?: Record<string, unknown>;
  repetition_type?: 'REQUIRED' | 'OPTIONAL';
  num_children?: number;
}

function schemaElement(c: ColumnDecl): SchemaElement {
  const repetition_type = c.nullable ? 'OPTIONAL' : 'REQUIRED';
  const base = { name: c.name, repetition_type } as const;
  switch (c.type) {
    case 'BIGINT':
      return { ...base, type: 'INT64' };
    case 'INTEGER':
      return { ...base, type: 'INT32' };
    case 'DOUBLE':
      return { ...base, type: 'DOUBLE' };
    case 'BOOLEAN':
      return { ...base, type: 'BOOLEAN' };
    case 'VARCHAR':
      return { ...base, type: 'BYTE_ARRAY', converted_type: 'UTF8', logical_type: { type: 'STRING' } };
    case 'JSON':
      // Stored as UTF8 text: hyparquet-writer would JSON.stringify values under converted_type JSON
      // (and drops a bare JSON logical type), while our JSON columns must stay the exact text of the line.
      return { ...base, type: 'BYTE_ARRAY', converted_type: 'UTF8', logical_type: { type: 'STRING' } };
    case 'TIMESTAMP':
      return { ...base, type: 'INT64', logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: false, unit: 'MICROS' } };
    case 'DATE':
      return { ...base, type: 'INT32', converted_type: 'DATE', logical_type: { type: 'DATE' } };
    case 'BLOB':
      return { ...base, type: 'BYTE_ARRAY' };
  }
}

export function parquetSchema(table: TableDecl): SchemaElement[] {
  return [{ name: 'root', num_children: table.columns.length }, ...table.columns.map(schemaElement)];
}

const DAY_MS = 86_400_000;

/**
 * Numbers to the BigInts the INT64 encoder takes, times `scale`. A value equal to the previous
 * one reuses its BigInt: constant columns (ingested_at) and runs (created_at within a second,
 * repeated actor ids) then cost no allocation.
 */
function toBigInts(values: unknown[], scale: number): unknown[] {
  const out = new Array<unknown>(values.length);
  let last: unknown = undefined;
  let lastBig: bigint | null = null;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined) out[i] = null;
    else if (typeof v === 'bigint') out[i] = scale === 1 ? v : v * BigInt(scale);
    else if (v === last) out[i] = lastBig;
    else {
      last = v;
      lastBig = BigInt((v as number) * scale);
      out[i] = lastBig;
    }
  }
  return out;
}

/** Convert our JS value conventions to what hyparquet-writer's PLAIN encoders take. */
function convert(type: ColumnType, values: unknown[]): unknown[] {
  switch (type) {
    case 'BIGINT':
      return toBigInts(values, 1);
    case 'TIMESTAMP':
      // One BigInt per value (not BigInt(ms) * 1000n: two); exact while ms * 1000 < 2^53, i.e. until the year 2255.
      return toBigInts(values, 1000);
    case 'DATE':
      return values.map((v) => (v === null || v === undefined ? null : Math.round(Date.parse(`${v as string}T00:00:00Z`) / DAY_MS)));
    default:
      return values.map((v) => (v === undefined ? null : v));
  }
}

/**
 * Knobs measured by bench/parquet-writers.ts (docs/parquet-writers.md). All off = the library's
 * defaults: dictionary tried on every column, statistics on every column.
 */
export interface HyparquetTuning {
  /** PLAIN encoding (no dictionary attempt) for JSON, BLOB and `*_hash` columns: values are nearly all distinct. */
  plainHighCardinality?: boolean;
  /** No min/max statistics for JSON and BLOB columns (nobody filters on payload text; it costs a full compare pass). */
  noJsonStatistics?: boolean;
  /**
   * Snappy through the native `snappy` package instead of hyparquet-writer's JavaScript Snappy.
   * Output is copied into V8-managed memory (`copyOutputData`): napi-rs's default external
   * buffers are invisible to the GC's heap accounting and doubled peak RSS in the benchmark.
   */
  nativeSnappy?: boolean;
  /**
   * UTF-8-encode a text column's strings in one pass into one buffer (values become views into
   * it) instead of hyparquet-writer's per-value `new TextEncoder().encode()`. 'all' text columns,
   * or only the 'plain' ones (JSON, `*_hash`: where no dictionary is attempted on the bytes).
   */
  preEncodeStrings?: 'all' | 'plain';
  /**
   * Give up a column chunk's dictionary once its distinct values pass this many bytes. Without a
   * cap, a column of big values that repeat a little (payloads) passes the writer's sample check,
   * gets a full dictionary built over the whole row group, and only then is found not to pay.
   */
  dictionaryMaxBytes?: number;
  /**
   * PLAIN encoding and no statistics for columns declared `distinctValues` (payload, hashes, raw
   * bytes). The library otherwise samples 1,000 values per row group for a dictionary — hashing
   * every byte of 1,000 payloads in JavaScript — and compares every value for min/max.
   */
  plainDistinct?: boolean;
}

/** Strings to UTF-8 views of one shared buffer; Uint8Array values (already UTF-8) pass through. */
export function encodeStrings(values: unknown[]): unknown[] {
  let units = 0;
  for (const v of values) if (typeof v === 'string') units += v.length;
  // Bytes <= 3 * UTF-16 units; start at units (ASCII-heavy data) and grow when a value may not fit.
  let buf = Buffer.allocUnsafeSlow(units + 64);
  let at = 0;
  const out = new Array<unknown>(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== 'string') {
      out[i] = v === undefined ? null : v;
      continue;
    }
    if (buf.length - at < v.length * 3 && buf.length - at < Buffer.byteLength(v)) {
      // Earlier views keep the old buffer alive; start a new one for the rest.
      buf = Buffer.allocUnsafeSlow(Math.max(units, Buffer.byteLength(v)) + 64);
      at = 0;
    }
    const n = buf.write(v, at);
    out[i] = buf.subarray(at, at + n);
    at += n;
  }
  return out;
}

function isHighCardinality(c: ColumnDecl): boolean {
  return c.type === 'JSON' || c.type === 'BLOB' || c.name.endsWith('_hash');
}

export function hyparquetSinkFactory(tuning: HyparquetTuning = {}) {
  return (table: TableDecl, tmpPath: string, options: TableWriterOptions): ParquetSink => {
    const writer = new ParquetWriter({
      writer: fileWriter(tmpPath),
      schema: parquetSchema(table) as ConstructorParameters<typeof ParquetWriter>[0]['schema'],
      codec: options.codec ?? 'SNAPPY',
      kvMetadata: Object.entries(options.metadata ?? {}).map(([key, value]) => ({ key, value })),
      createdBy: 'ghlake',
      ...(tuning.nativeSnappy ? { compressors: { SNAPPY: (input: Uint8Array) => snappyCompress(input, { copyOutputData: true }) } } : {}),
    });
    const plain = (c: ColumnDecl) =>
      (tuning.plainHighCardinality === true && isHighCardinality(c)) || (tuning.plainDistinct === true && c.distinctValues === true);
    const noStatistics = (c: ColumnDecl) =>
      (tuning.noJsonStatistics === true && (c.type === 'JSON' || c.type === 'BLOB')) || (tuning.plainDistinct === true && c.distinctValues === true);
    const perColumn = table.columns.map((c) => ({
      ...(plain(c) ? { encoding: 'PLAIN' as const } : {}),
      ...(noStatistics(c) ? { statistics: false } : {}),
    }));
    const text = (c: ColumnDecl) =>
      (tuning.preEncodeStrings === 'all' && (c.type === 'VARCHAR' || c.type === 'JSON')) ||
      (tuning.preEncodeStrings === 'plain' && tuning.plainHighCardinality === true && isHighCardinality(c) && c.type !== 'BLOB');
    return {
      writeRowGroup(vectors, rowCount) {
        // Column vectors as arrays of values (this backend takes arrays).
        const columns: Record<string, unknown[]> = {};
        for (const [name, v] of Object.entries(vectors)) columns[name] = Array.isArray(v) ? v : Array.from({ length: rowCount }, (_, i) => valueAt(v, i));
        const columnData = table.columns.map((c, i) => ({
          name: c.name,
          data: text(c) ? encodeStrings(columns[c.name] ?? []) : convert(c.type, columns[c.name] ?? []),
          ...perColumn[i],
        }));
        return writer.write({
          columnData,
          rowGroupSize: Math.max(rowCount, 1),
          ...(tuning.dictionaryMaxBytes ? { dictionarySize: tuning.dictionaryMaxBytes } : {}),
        });
      },
      finish() {
        return writer.finish();
      },
    };
  };
}

/**
 * The settings `openTableWriter` uses: the knobs that the benchmark showed to pay
 * (docs/parquet-writers.md). Native Snappy is the big one (1.6× on bronze.events). Forcing PLAIN
 * on JSON columns did not pay: hyparquet-writer's own 1,000-value sample already rejects a
 * dictionary for distinct columns (payload, event_hash) cheaply, while the actor/repo/org JSON
 * columns repeat and shrink by a dictionary (bronze.events 119 MB vs 142 MB for 250k rows).
 * The dictionary cap bounds the one case where the sample is fooled (payloads that repeat a little).
 */
export const GHLAKE_HYPARQUET_TUNING: HyparquetTuning = {
  nativeSnappy: true,
  noJsonStatistics: true,
  dictionaryMaxBytes: 4 << 20,
  plainDistinct: true,
};

/** hyparquet-writer with ghlake's tuning (the default backend of `openTableWriter` until flat-sink.ts). */
export const openHyparquetSink = hyparquetSinkFactory(GHLAKE_HYPARQUET_TUNING);
