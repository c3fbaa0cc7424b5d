/**
 * Column vectors: what the hour transform's row builders fill instead of arrays of JavaScript
 * values. A row costs a few typed-array stores and, for text, a copy of its bytes into the
 * column's own byte arena: no object, string or boxed number per row, nothing for the garbage
 * collector to trace, and the Parquet writer (flat-sink.ts) reads them without conversion.
 *
 * - `NumberColumn`: BIGINT, INTEGER, DOUBLE, TIMESTAMP (epoch ms) as float64; an INT64 beyond
 *   2^53 is kept exactly on the side (`pushBig`).
 * - `BoolColumn`: BOOLEAN.
 * - `BytesColumn`: VARCHAR/JSON/BLOB values as UTF-8 bytes in one arena (PLAIN-encoded values:
 *   payloads, hashes).
 * - `DictColumn`: VARCHAR/JSON values that repeat (types, logins, the actor/repo/org texts):
 *   collected as bytes, dictionary-encoded once per row group (`seal`).
 *
 * A batch whose columns are vectors is written as one row group by `TableFileWriter.append`;
 * after it resolves the builder may `clear()` and refill the same vectors.
 */

import { encodeDictionary, type ByteRows } from './byte-pages.js';

const INITIAL_ROWS = 1024;

function grownF64(a: Float64Array, n: number): Float64Array {
  const b = new Float64Array(Math.max(a.length * 2, n));
  b.set(a);
  return b;
}

function grownU8(a: Uint8Array, n: number): Uint8Array {
  const b = new Uint8Array(Math.max(a.length * 2, n));
  b.set(a);
  return b;
}

function grownI32(a: Int32Array, n: number): Int32Array {
  const b = new Int32Array(Math.max(a.length * 2, n));
  b.set(a);
  return b;
}

/** A growable byte arena holding values back to back; value i is data[ends[i-1], ends[i]). */
class Arena {
  data: Buffer = Buffer.allocUnsafeSlow(1 << 16);
  size = 0;

  reserve(n: number): void {
    if (this.size + n <= this.data.length) return;
    const next = Buffer.allocUnsafeSlow(Math.max(this.data.length * 2, this.size + n));
    this.data.copy(next, 0, 0, this.size);
    this.data = next;
  }

  /** Append src[s, e). */
  append(src: Uint8Array, s: number, e: number): void {
    const n = e - s;
    this.reserve(n);
    const d = this.data;
    let p = this.size;
    // A byte loop up to a few cache lines: a subarray per value (for set) costs more (hashes, actor/repo texts).
    if (n < 160) for (let i = s; i < e; i++) d[p++] = src[i]!;
    else {
      d.set(src.subarray(s, e), p);
      p += n;
    }
    this.size = p;
  }

  /** Append a string's UTF-8 bytes. */
  appendString(v: string): void {
    this.reserve(v.length * 3);
    this.size += this.data.write(v, this.size, 'utf8');
  }
}

export class NumberColumn {
  values: Float64Array = new Float64Array(INITIAL_ROWS);
  /** 1 = NULL. */
  nulls: Uint8Array = new Uint8Array(INITIAL_ROWS);
  length = 0;
  nullCount = 0;
  /** Exact values of rows holding an INT64 beyond 2^53 (row → value). */
  big: Map<number, bigint> | null = null;

  push(v: number | null): void {
    const i = this.length;
    if (i === this.values.length) this.grow(i + 1);
    if (v === null) {
      this.nulls[i] = 1;
      this.nullCount++;
    } else {
      this.values[i] = v;
      this.nulls[i] = 0;
    }
    this.length = i + 1;
  }

  pushBig(v: bigint): void {
    (this.big ??= new Map()).set(this.length, v);
    this.push(Number(v));
  }

  private grow(n: number): void {
    this.values = grownF64(this.values, n);
    this.nulls = grownU8(this.nulls, n);
  }

  clear(): void {
    this.length = 0;
    this.nullCount = 0;
    this.big = null;
  }

  /** Row i as a JavaScript value (tests, tools). */
  get(i: number): number | bigint | null {
    if (this.nulls[i] === 1) return null;
    return this.big?.get(i) ?? this.values[i]!;
  }
}

export class BoolColumn {
  /** 0 false, 1 true, 2 NULL. */
  values: Uint8Array = new Uint8Array(INITIAL_ROWS);
  length = 0;
  nullCount = 0;

  push(v: boolean | null): void {
    const i = this.length;
    if (i === this.values.length) this.values = grownU8(this.values, i + 1);
    if (v === null) {
      this.values[i] = 2;
      this.nullCount++;
    } else this.values[i] = v ? 1 : 0;
    this.length = i + 1;
  }

  clear(): void {
    this.length = 0;
    this.nullCount = 0;
  }

  get(i: number): boolean | null {
    const v = this.values[i];
    return v === 2 ? null : v === 1;
  }
}

export class BytesColumn {
  readonly arena = new Arena();
  /** Where row i's bytes are: -1 the arena, k >= 0 `refs[k]`, a buffer the row points into (not copied). */
  srcs: Int32Array = new Int32Array(INITIAL_ROWS);
  starts: Int32Array = new Int32Array(INITIAL_ROWS);
  ends: Int32Array = new Int32Array(INITIAL_ROWS);
  nulls: Uint8Array = new Uint8Array(INITIAL_ROWS);
  /** Buffers rows point into, kept alive until `clear()`. */
  readonly refs: Uint8Array[] = [];
  length = 0;
  nullCount = 0;

  private next(): number {
    const i = this.length;
    if (i === this.ends.length) {
      this.srcs = grownI32(this.srcs, i + 1);
      this.starts = grownI32(this.starts, i + 1);
      this.ends = grownI32(this.ends, i + 1);
      this.nulls = grownU8(this.nulls, i + 1);
    }
    this.length = i + 1;
    return i;
  }

  /** The bytes src[s, e) as the next row (copied). */
  pushBytes(src: Uint8Array, s: number, e: number): void {
    const i = this.next();
    this.srcs[i] = -1;
    this.starts[i] = this.arena.size;
    this.arena.append(src, s, e);
    this.ends[i] = this.arena.size;
    this.nulls[i] = 0;
  }

  /**
   * The bytes src[s, e) as the next row, NOT copied: the row points into `src`, which must not
   * change until the column is cleared (the payload: a slice of the decompressed chunk, written
   * to the page straight from it).
   */
  pushRef(src: Uint8Array, s: number, e: number): void {
    const i = this.next();
    const refs = this.refs;
    let k = refs.length - 1;
    if (k < 0 || refs[k] !== src) {
      refs.push(src);
      k++;
    }
    this.srcs[i] = k;
    this.starts[i] = s;
    this.ends[i] = e;
    this.nulls[i] = 0;
  }

  pushString(v: string | null): void {
    if (v === null) return this.pushNull();
    const i = this.next();
    this.srcs[i] = -1;
    this.starts[i] = this.arena.size;
    this.arena.appendString(v);
    this.ends[i] = this.arena.size;
    this.nulls[i] = 0;
  }

  pushNull(): void {
    const i = this.next();
    this.srcs[i] = -1;
    this.starts[i] = this.ends[i] = this.arena.size;
    this.nulls[i] = 1;
    this.nullCount++;
  }

  clear(): void {
    this.length = 0;
    this.nullCount = 0;
    this.arena.size = 0;
    this.refs.length = 0;
  }

  /** The rows as the byte encoders read them (byte-pages.ts): the arena, then the buffers rows point into. */
  byteRows(): ByteRows {
    return { buffers: [this.arena.data, ...this.refs], srcs: this.srcs, starts: this.starts, ends: this.ends, nulls: this.nulls };
  }

  /** The buffer holding row i's bytes (at starts[i]..ends[i]). */
  dataOf(i: number): Uint8Array {
    const k = this.srcs[i]!;
    return k < 0 ? this.arena.data : this.refs[k]!;
  }

  get(i: number): Buffer | null {
    if (this.nulls[i] === 1) return null;
    const d = this.dataOf(i);
    return Buffer.from(d.buffer, d.byteOffset + this.starts[i]!, this.ends[i]! - this.starts[i]!);
  }
}

/**
 * Values that repeat (types, logins, the actor/repo/org texts), dictionary-encoded for the writer. Rows are
 * collected as bytes (`rows`, a BytesColumn) and encoded once per row group by `seal()` — in C when the native
 * addon is loaded (byte-pages.ts): interning each value as it came cost a hash-table probe in JavaScript per row.
 * After `seal()`, `entries`/`entryEnds`/`entryCount` are the distinct values in order of first appearance and
 * `indexes[i]` row i's entry (-1 = NULL).
 */
export class DictColumn {
  /** The rows' bytes as pushed. */
  readonly rows = new BytesColumn();
  readonly entries = new Arena();
  entryEnds: Int32Array = new Int32Array(256);
  entryCount = 0;
  indexes: Int32Array = new Int32Array(INITIAL_ROWS);
  /** Rows the dictionary was last built for (-1: none since the last clear). */
  private sealed = -1;
  /** UTF-8 of the strings pushed as strings (event types, eras: few), up to STRING_CACHE of them. */
  private readonly strings = new Map<string, Buffer>();

  get length(): number {
    return this.rows.length;
  }

  get nullCount(): number {
    return this.rows.nullCount;
  }

  pushNull(): void {
    this.rows.pushNull();
  }

  /** src[s, e) as the next row (copied). */
  pushBytes(src: Uint8Array, s: number, e: number): void {
    this.rows.pushBytes(src, s, e);
  }

  /** src[s, e) as the next row, NOT copied (BytesColumn.pushRef: `src` must not change until clear()). */
  pushRef(src: Uint8Array, s: number, e: number): void {
    this.rows.pushRef(src, s, e);
  }

  pushString(v: string | null): void {
    if (v === null) return this.rows.pushNull();
    let bytes = this.strings.get(v);
    if (bytes === undefined) {
      if (this.strings.size >= STRING_CACHE) return this.rows.pushString(v);
      bytes = Buffer.from(v, 'utf8');
      this.strings.set(v, bytes);
    }
    this.rows.pushBytes(bytes, 0, bytes.length);
  }

  /** Build the dictionary of the rows pushed so far (the writer calls it; `get` too). */
  seal(): this {
    if (this.sealed !== this.rows.length) {
      encodeDictionary(this.rows.byteRows(), this.rows.length, this);
      this.sealed = this.rows.length;
    }
    return this;
  }

  /** The entry holding `value` (after seal), -1 when no row holds it. */
  entryOf(value: string): number {
    this.seal();
    const bytes = Buffer.from(value, 'utf8');
    for (let k = 0; k < this.entryCount; k++) if (this.entry(k).equals(bytes)) return k;
    return -1;
  }

  /** Rows `rows` hold `value` from now on (a Timeline row's id source once its login resolved): its bytes stored once. */
  replace(rows: readonly number[], value: string): void {
    if (rows.length === 0) return;
    const r = this.rows;
    const start = r.arena.size;
    r.arena.appendString(value);
    const end = r.arena.size;
    for (const i of rows) {
      if (r.nulls[i] === 1) r.nullCount--;
      r.srcs[i] = -1;
      r.starts[i] = start;
      r.ends[i] = end;
      r.nulls[i] = 0;
    }
    this.sealed = -1;
  }

  /** Forget the rows and the dictionary (a new row group starts with an empty one). */
  clear(): void {
    this.rows.clear();
    this.entryCount = 0;
    this.entries.size = 0;
    this.sealed = -1;
  }

  entryStart(k: number): number {
    return k === 0 ? 0 : this.entryEnds[k - 1]!;
  }

  entry(k: number): Buffer {
    return this.entries.data.subarray(this.entryStart(k), this.entryEnds[k]!);
  }

  get(i: number): Buffer | null {
    const k = this.seal().indexes[i]!;
    return k < 0 ? null : this.entry(k);
  }
}

/** How many distinct strings a DictColumn keeps as bytes (more are encoded per push: decoded escaped texts are unbounded). */
const STRING_CACHE = 256;

export type ColumnVector = NumberColumn | BoolColumn | BytesColumn | DictColumn;

export function isColumnVector(v: unknown): v is ColumnVector {
  return v instanceof NumberColumn || v instanceof BoolColumn || v instanceof BytesColumn || v instanceof DictColumn;
}

/** Row i of any column (vector or array) as the JavaScript value the array form would hold (tests, tools). */
export function valueAt(column: ArrayLike<unknown> | ColumnVector, i: number): unknown {
  if (isColumnVector(column)) return column.get(i);
  return (column as ArrayLike<unknown>)[i] ?? null;
}

/** Number of rows in a column (vector or array). */
export function columnLength(column: ArrayLike<unknown> | ColumnVector): number {
  return column.length;
}

/** A set of column vectors that fills one row group. */
export interface VectorRows {
  rowCount: number;
  /** The rows as a batch of the set's vectors (not copied). */
  batch(): { rowCount: number; columns: Record<string, ColumnVector> };
  clear(): void;
}

/**
 * Row groups of exactly `rows` rows from vector sets: when the current set is full it waits for
 * `drain` (rows keep going into a fresh set meanwhile), and a written set is cleared and reused,
 * so an hour allocates a few sets, not a value per row.
 */
export class RowGroupQueue<T extends VectorRows> {
  current: T;
  private readonly full: T[] = [];
  private readonly spare: T[] = [];

  constructor(
    private readonly make: () => T,
    private readonly rows: number,
  ) {
    this.current = make();
  }

  /** Call after each row added to `current`. */
  added(): void {
    if (this.current.rowCount >= this.rows) {
      this.full.push(this.current);
      this.current = this.spare.pop() ?? this.make();
    }
  }

  /** Write the full sets (and with `force` the partial one); each is reused once written. */
  async drain(write: (set: T) => Promise<void>, force = false): Promise<number> {
    let written = 0;
    while (this.full.length > 0) {
      const set = this.full.shift()!;
      written += set.rowCount;
      await write(set);
      set.clear();
      this.spare.push(set);
    }
    if (force && this.current.rowCount > 0) {
      written += this.current.rowCount;
      await write(this.current);
      this.current.clear();
    }
    return written;
  }
}
