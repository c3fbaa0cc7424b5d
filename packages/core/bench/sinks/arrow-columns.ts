/**
 * Column arrays (our value conventions) to Arrow data, built directly into typed arrays:
 * no per-value Arrow builder, strings UTF-8-encoded once into one buffer with offsets.
 */
import * as arrow from 'apache-arrow';
import type { ColumnDecl, ColumnType, TableDecl } from '../../src/tables/types.js';

const DAY_MS = 86_400_000;

export function arrowType(type: ColumnType): arrow.DataType {
  switch (type) {
    case 'BIGINT':
      return new arrow.Int64();
    case 'INTEGER':
      return new arrow.Int32();
    case 'DOUBLE':
      return new arrow.Float64();
    case 'BOOLEAN':
      return new arrow.Bool();
    case 'VARCHAR':
    case 'JSON':
      return new arrow.Utf8();
    case 'TIMESTAMP':
      return new arrow.TimestampMicrosecond();
    case 'DATE':
      return new arrow.DateDay();
    case 'BLOB':
      return new arrow.Binary();
  }
}

export function arrowSchema(table: TableDecl): arrow.Schema {
  return new arrow.Schema(table.columns.map((c) => new arrow.Field(c.name, arrowType(c.type), c.nullable)));
}

function validity(values: ArrayLike<unknown>, n: number): { bitmap: Uint8Array | undefined; nulls: number } {
  let nulls = 0;
  const bitmap = new Uint8Array((n + 7) >> 3);
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v === null || v === undefined) nulls++;
    else bitmap[i >> 3]! |= 1 << (i & 7);
  }
  return { bitmap: nulls === 0 ? undefined : bitmap, nulls };
}

function stringData(type: arrow.Utf8 | arrow.Binary, values: ArrayLike<unknown>, n: number): arrow.Data {
  const { bitmap, nulls } = validity(values, n);
  const offsets = new Int32Array(n + 1);
  let chars = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (typeof v === 'string') chars += v.length;
    else if (v instanceof Uint8Array) chars += v.byteLength;
  }
  let buf = Buffer.allocUnsafe(Math.max(chars + 1024, 64));
  let at = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (typeof v === 'string') {
      if (buf.length - at < v.length * 3) {
        const bigger = Buffer.allocUnsafe(Math.max(buf.length * 2, at + v.length * 3));
        buf.copy(bigger, 0, 0, at);
        buf = bigger;
      }
      at += buf.write(v, at);
    } else if (v instanceof Uint8Array) {
      if (buf.length - at < v.byteLength) {
        const bigger = Buffer.allocUnsafe(Math.max(buf.length * 2, at + v.byteLength));
        buf.copy(bigger, 0, 0, at);
        buf = bigger;
      }
      buf.set(v, at);
      at += v.byteLength;
    }
    offsets[i + 1] = at;
  }
  const data = new Uint8Array(buf.buffer, buf.byteOffset, at);
  return arrow.makeData({ type, length: n, nullCount: nulls, nullBitmap: bitmap, valueOffsets: offsets, data } as never);
}

function columnData(c: ColumnDecl, values: ArrayLike<unknown>, n: number): arrow.Data {
  const type = arrowType(c.type);
  if (c.type === 'VARCHAR' || c.type === 'JSON' || c.type === 'BLOB') return stringData(type as arrow.Utf8, values, n);
  const { bitmap, nulls } = validity(values, n);
  let data: BigInt64Array | Int32Array | Float64Array | Uint8Array;
  switch (c.type) {
    case 'BIGINT': {
      const a = new BigInt64Array(n);
      for (let i = 0; i < n; i++) {
        const v = values[i];
        if (v !== null && v !== undefined) a[i] = typeof v === 'bigint' ? v : BigInt(v as number);
      }
      data = a;
      break;
    }
    case 'TIMESTAMP': {
      const a = new BigInt64Array(n);
      for (let i = 0; i < n; i++) {
        const v = values[i];
        if (v !== null && v !== undefined) a[i] = BigInt(v as number) * 1000n;
      }
      data = a;
      break;
    }
    case 'INTEGER':
    case 'DATE': {
      const a = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        const v = values[i];
        if (v !== null && v !== undefined) a[i] = c.type === 'DATE' ? Math.round(Date.parse(`${v as string}T00:00:00Z`) / DAY_MS) : (v as number);
      }
      data = a;
      break;
    }
    case 'DOUBLE': {
      const a = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const v = values[i];
        if (v !== null && v !== undefined) a[i] = v as number;
      }
      data = a;
      break;
    }
    case 'BOOLEAN': {
      const a = new Uint8Array((n + 7) >> 3);
      for (let i = 0; i < n; i++) if (values[i] === true) a[i >> 3]! |= 1 << (i & 7);
      data = a;
      break;
    }
  }
  return arrow.makeData({ type, length: n, nullCount: nulls, nullBitmap: bitmap, data } as never);
}

/** One Arrow record batch of `rowCount` rows from column arrays. */
export function arrowBatch(table: TableDecl, schema: arrow.Schema, columns: Record<string, ArrayLike<unknown>>, rowCount: number): arrow.RecordBatch {
  const children = table.columns.map((c) => columnData(c, columns[c.name] ?? [], rowCount));
  const data = arrow.makeData({ type: new arrow.Struct(schema.fields), length: rowCount, nullCount: 0, children });
  return new arrow.RecordBatch(schema, data);
}
