/**
 * The per-value work of a row group's byte columns — dictionary encoding, PLAIN pages and their min/max — done
 * once per column or page: in C when ghlake's native addon is loaded (native/columns.c), else by the JavaScript
 * twins below, which give the same bytes (test/byte-pages.test.ts runs every case through both). Interning every
 * value as it was pushed, and copying PLAIN values a byte at a time, were a sixth of a trimmed hour's CPU.
 */
import { nativeAddon } from '../native.js';

/**
 * A byte column's rows as both sides read them: row i is `buffers[srcs[i] + 1]` (all in `buffers[0]` without
 * srcs) from `starts[i]` (without starts: where row i-1 ended, 0 for row 0 — a dictionary's entries) to
 * `ends[i]`; `nulls[i] === 1` is NULL.
 */
export interface ByteRows {
  buffers: Uint8Array[];
  srcs: Int32Array | null;
  starts: Int32Array | null;
  ends: Int32Array;
  nulls: Uint8Array | null;
}

/** Where a dictionary is built: entry k is entries.data[entryEnds[k-1] (0 for k = 0), entryEnds[k]); indexes[i] = row i's entry, -1 NULL. */
export interface DictionaryTarget {
  entries: { data: Buffer; size: number };
  entryEnds: Int32Array;
  entryCount: number;
  indexes: Int32Array;
}

/** A row view as native/columns.c takes it: buffers, srcs, starts, ends, nulls. */
type RowArgs = [Uint8Array[], Int32Array | null, Int32Array | null, Int32Array, Uint8Array | null];

const rowArgs = (rows: ByteRows): RowArgs => [rows.buffers, rows.srcs, rows.starts, rows.ends, rows.nulls];

interface NativeColumns {
  dictEncode(...args: [...RowArgs, rowCount: number, outData: Buffer, outEnds: Int32Array, outIndexes: Int32Array]): number;
  plainExtent(...args: [...RowArgs, r0: number, rowCount: number, pageBytes: number, result: Int32Array]): void;
  plainWrite(...args: [...RowArgs, r0: number, r1: number, out: Buffer, pos: number, result: Int32Array]): number;
}

/** The most buffers a row view may hand to the native side (native/columns.c MAX_BUFFERS). */
const MAX_NATIVE_BUFFERS = 1024;

/** Which side encodes: the native one when loaded, unless a caller (the differential test) asks for JavaScript. */
export interface BytePagesOptions {
  native?: boolean;
}

function nativeFor(rows: ByteRows, options: BytePagesOptions | undefined): NativeColumns | undefined {
  if (options?.native === false || rows.buffers.length > MAX_NATIVE_BUFFERS) return undefined;
  return nativeAddon<NativeColumns>();
}

/** Where row i of a view starts (in `rowData(rows, i)`; it ends at `rows.ends[i]`). */
export const rowStart = (rows: ByteRows, i: number): number => (rows.starts !== null ? rows.starts[i]! : i === 0 ? 0 : rows.ends[i - 1]!);
/** The buffer holding row i of a view. */
export const rowData = (rows: ByteRows, i: number): Uint8Array => rows.buffers[rows.srcs === null ? 0 : rows.srcs[i]! + 1]!;
const isNull = (rows: ByteRows, i: number): boolean => rows.nulls !== null && rows.nulls[i] === 1;

/**
 * The dictionary of rows [0, rowCount) into `target`: distinct values in order of first appearance, one index per
 * row. Grows target's arrays as needed; returns the entry count (also in target.entryCount).
 */
export function encodeDictionary(rows: ByteRows, rowCount: number, target: DictionaryTarget, options?: BytePagesOptions): number {
  if (target.indexes.length < rowCount) target.indexes = new Int32Array(Math.max(rowCount, 2 * target.indexes.length));
  if (target.entryEnds.length < rowCount) target.entryEnds = new Int32Array(Math.max(rowCount, 2 * target.entryEnds.length));
  const native = nativeFor(rows, options);
  if (native !== undefined) {
    const encode = () => native.dictEncode(...rowArgs(rows), rowCount, target.entries.data, target.entryEnds, target.indexes);
    let n = encode();
    if (n < 0) {
      target.entries.data = Buffer.allocUnsafeSlow(Math.max(-n, 2 * target.entries.data.length));
      n = encode();
    }
    target.entryCount = n;
    target.entries.size = n === 0 ? 0 : target.entryEnds[n - 1]!;
    return n;
  }
  return encodeDictionaryJs(rows, rowCount, target);
}

/** The JavaScript twin of columns.c dictEncode: an open-addressing table over entry indexes. */
function encodeDictionaryJs(rows: ByteRows, rowCount: number, target: DictionaryTarget): number {
  let need = 0;
  for (let i = 0; i < rowCount; i++) if (!isNull(rows, i)) need += rows.ends[i]! - rowStart(rows, i);
  if (target.entries.data.length < need) target.entries.data = Buffer.allocUnsafeSlow(Math.max(need, 2 * target.entries.data.length));
  const out = target.entries.data;
  const ends = target.entryEnds;
  const idx = target.indexes;
  let table = new Int32Array(1024);
  const hashes = new Int32Array(Math.max(1, rowCount));
  let entries = 0;
  let used = 0;
  for (let i = 0; i < rowCount; i++) {
    if (isNull(rows, i)) {
      idx[i] = -1;
      continue;
    }
    const src = rowData(rows, i);
    const s = rowStart(rows, i);
    const e = rows.ends[i]!;
    const n = e - s;
    const h = hashRange(src, s, e);
    let mask = table.length - 1;
    let slot = h & mask;
    let found = -1;
    for (; ; slot = (slot + 1) & mask) {
      const at = table[slot]!;
      if (at === 0) break;
      const k = at - 1;
      if (hashes[k] !== h) continue;
      const ks = k === 0 ? 0 : ends[k - 1]!;
      if (ends[k]! - ks !== n) continue;
      let j = 0;
      while (j < n && out[ks + j] === src[s + j]) j++;
      if (j === n) {
        found = k;
        break;
      }
    }
    if (found >= 0) {
      idx[i] = found;
      continue;
    }
    const k = entries++;
    if (n < 48) for (let j = s; j < e; j++) out[used++] = src[j]!;
    else {
      out.set(src.subarray(s, e), used);
      used += n;
    }
    ends[k] = used;
    hashes[k] = h;
    table[slot] = k + 1;
    idx[i] = k;
    if (entries * 2 > table.length) {
      const grown = new Int32Array(table.length * 2);
      mask = grown.length - 1;
      for (let q = 0; q < entries; q++) {
        let t = hashes[q]! & mask;
        while (grown[t] !== 0) t = (t + 1) & mask;
        grown[t] = q + 1;
      }
      table = grown;
    }
  }
  target.entryCount = entries;
  target.entries.size = used;
  return entries;
}

/** Four bytes per multiply, murmur3's finalizer (the JavaScript side's hash; the entries' order does not depend on it). */
function hashRange(src: Uint8Array, s: number, e: number): number {
  let h = Math.imul(e - s, 0x9e3779b1);
  let i = s;
  for (; i + 4 <= e; i += 4) h = Math.imul(h ^ (src[i]! | (src[i + 1]! << 8) | (src[i + 2]! << 16) | (src[i + 3]! << 24)), 0x01000193);
  for (; i < e; i++) h = Math.imul(h ^ src[i]!, 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h;
}

/** PLAIN pages of byte rows; one per writer (it holds the last page's measures: no object per page). */
export class PlainPages {
  /** extent: [r1, bytes]; write: [min row, max row]. */
  private readonly result = new Int32Array(2);

  constructor(private readonly options?: BytePagesOptions) {}

  /**
   * The rows of the page starting at r0: rows are taken while fewer than `pageBytes` bytes are (at least one).
   * Returns r1; `bytes` is then the page's PLAIN bytes.
   */
  extent(rows: ByteRows, r0: number, rowCount: number, pageBytes: number): number {
    const result = this.result;
    const native = nativeFor(rows, this.options);
    if (native !== undefined) {
      native.plainExtent(...rowArgs(rows), r0, rowCount, pageBytes, result);
      return result[0]!;
    }
    let r1 = r0;
    let bytes = 0;
    while (r1 < rowCount && bytes < pageBytes) {
      if (!isNull(rows, r1)) bytes += 4 + rows.ends[r1]! - rowStart(rows, r1);
      r1++;
    }
    result[0] = r1;
    result[1] = bytes;
    return r1;
  }

  /** The PLAIN bytes of the page `extent` measured last. */
  get bytes(): number {
    return this.result[1]!;
  }

  /**
   * Rows [r0, r1) PLAIN-encoded into `out` from `pos` (NULLs skipped; each value its 4-byte little-endian length
   * and its bytes; `out` must hold them: `extent` measures). Returns the position after them; `minRow` and `maxRow`
   * are then the rows of the smallest and largest value in unsigned byte order (-1 when all are NULL).
   */
  write(rows: ByteRows, r0: number, r1: number, out: Buffer, pos: number): number {
    const result = this.result;
    const native = nativeFor(rows, this.options);
    if (native !== undefined) return native.plainWrite(...rowArgs(rows), r0, r1, out, pos, result);
    let p = pos;
    let minRow = -1;
    let maxRow = -1;
    for (let i = r0; i < r1; i++) {
      if (isNull(rows, i)) continue;
      const data = rowData(rows, i);
      const vs = rowStart(rows, i);
      const ve = rows.ends[i]!;
      const n = ve - vs;
      out[p] = n & 0xff;
      out[p + 1] = (n >>> 8) & 0xff;
      out[p + 2] = (n >>> 16) & 0xff;
      out[p + 3] = n >>> 24;
      if (n < 48) for (let k = 0; k < n; k++) out[p + 4 + k] = data[vs + k]!;
      else out.set(data.subarray(vs, ve), p + 4);
      p += 4 + n;
      if (minRow < 0) minRow = maxRow = i;
      else if (compareRows(rows, i, minRow) < 0) minRow = i;
      else if (compareRows(rows, i, maxRow) > 0) maxRow = i;
    }
    result[0] = minRow;
    result[1] = maxRow;
    return p;
  }

  get minRow(): number {
    return this.result[0]!;
  }

  get maxRow(): number {
    return this.result[1]!;
  }
}

/** Unsigned byte order of rows a and b, a shorter prefix first (Parquet's order for BYTE_ARRAY statistics). */
function compareRows(rows: ByteRows, a: number, b: number): number {
  const da = rowData(rows, a);
  const db = rowData(rows, b);
  const as = rowStart(rows, a);
  const bs = rowStart(rows, b);
  const an = rows.ends[a]! - as;
  const bn = rows.ends[b]! - bs;
  const n = Math.min(an, bn);
  for (let k = 0; k < n; k++) {
    const d = da[as + k]! - db[bs + k]!;
    if (d !== 0) return d;
  }
  return an - bn;
}
