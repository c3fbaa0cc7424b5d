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
 *   interned by their bytes as they come, so the writer gets the dictionary and the indexes ready.
 *
 * A batch whose columns are vectors is written as one row group by `TableFileWriter.append`;
 * after it resolves the builder may `clear()` and refill the same vectors.
 */

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
    if (n < 48) for (let i = s; i < e; i++) d[p++] = src[i]!;
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
 * Values interned as they come: entry bytes in an arena, one index per row (-1 = NULL). Bytes
 * are hashed on their length, first and last 16 bytes (ids and names differ there), compared in
 * full on a hit.
 */
export class DictColumn {
  readonly entries = new Arena();
  /** End offset of entry k in `entries` (entry k starts at entryEnds[k-1]). */
  entryEnds: Int32Array = new Int32Array(256);
  entryCount = 0;
  indexes: Int32Array = new Int32Array(INITIAL_ROWS);
  length = 0;
  nullCount = 0;
  private hashes: Int32Array = new Int32Array(256);
  /** Open addressing: entry index + 1, 0 = empty. */
  private table: Int32Array = new Int32Array(1024);
  private readonly strings = new Map<string, number>();

  push(index: number): void {
    const i = this.length;
    if (i === this.indexes.length) this.indexes = grownI32(this.indexes, i + 1);
    this.indexes[i] = index;
    this.length = i + 1;
    if (index < 0) this.nullCount++;
  }

  pushNull(): void {
    this.push(-1);
  }

  /** Intern src[s, e) and add it as the next row. */
  pushBytes(src: Uint8Array, s: number, e: number): void {
    this.push(this.intern(src, s, e));
  }

  /** Intern a string (few distinct values, e.g. event types): by a Map of strings. */
  pushString(v: string | null): void {
    if (v === null) return this.push(-1);
    let k = this.strings.get(v);
    if (k === undefined) {
      const bytes = Buffer.from(v, 'utf8');
      k = this.intern(bytes, 0, bytes.length);
      this.strings.set(v, k);
    }
    this.push(k);
  }

  intern(src: Uint8Array, s: number, e: number): number {
    const n = e - s;
    // Four bytes per multiply: the multiply chain, not the loads, bounds a byte-wise hash.
    let h = Math.imul(n, 0x9e3779b1);
    const headEnd = n > 16 ? s + 16 : e;
    let i = s;
    for (; i + 4 <= headEnd; i += 4) h = Math.imul(h ^ (src[i]! | (src[i + 1]! << 8) | (src[i + 2]! << 16) | (src[i + 3]! << 24)), 0x01000193);
    for (; i < headEnd; i++) h = Math.imul(h ^ src[i]!, 0x01000193);
    i = n > 32 ? e - 16 : headEnd;
    for (; i + 4 <= e; i += 4) h = Math.imul(h ^ (src[i]! | (src[i + 1]! << 8) | (src[i + 2]! << 16) | (src[i + 3]! << 24)), 0x01000193);
    for (; i < e; i++) h = Math.imul(h ^ src[i]!, 0x01000193);
    // murmur3's finalizer: every input bit reaches the low bits the table uses
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
    const table = this.table;
    const mask = table.length - 1;
    const data = this.entries.data;
    for (let slot = h & mask; ; slot = (slot + 1) & mask) {
      const at = table[slot]!;
      if (at === 0) break;
      const k = at - 1;
      if (this.hashes[k] !== h) continue;
      const ks = k === 0 ? 0 : this.entryEnds[k - 1]!;
      if (this.entryEnds[k]! - ks !== n) continue;
      if (n > 32) {
        if (data.compare(src, s, e, ks, ks + n) === 0) return k;
        continue;
      }
      let j = 0;
      while (j < n && data[ks + j] === src[s + j]) j++;
      if (j === n) return k;
    }
    // a new entry
    const k = this.entryCount++;
    if (k === this.entryEnds.length) {
      this.entryEnds = grownI32(this.entryEnds, k + 1);
      this.hashes = grownI32(this.hashes, k + 1);
    }
    this.entries.append(src, s, e);
    this.entryEnds[k] = this.entries.size;
    this.hashes[k] = h;
    if (this.entryCount * 2 > table.length) this.rehash();
    else {
      for (let slot = h & mask; ; slot = (slot + 1) & mask) {
        if (table[slot] === 0) {
          table[slot] = k + 1;
          break;
        }
      }
    }
    return k;
  }

  private rehash(): void {
    const table = new Int32Array(this.table.length * 2);
    const mask = table.length - 1;
    for (let k = 0; k < this.entryCount; k++) {
      for (let slot = this.hashes[k]! & mask; ; slot = (slot + 1) & mask) {
        if (table[slot] === 0) {
          table[slot] = k + 1;
          break;
        }
      }
    }
    this.table = table;
  }

  /** Forget the rows and the dictionary (a new row group starts with an empty one). */
  clear(): void {
    this.length = 0;
    this.nullCount = 0;
    this.entryCount = 0;
    this.entries.size = 0;
    this.table.fill(0);
    this.strings.clear();
  }

  entryStart(k: number): number {
    return k === 0 ? 0 : this.entryEnds[k - 1]!;
  }

  entry(k: number): Buffer {
    return this.entries.data.subarray(this.entryStart(k), this.entryEnds[k]!);
  }

  get(i: number): Buffer | null {
    const k = this.indexes[i]!;
    return k < 0 ? null : this.entry(k);
  }
}

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
