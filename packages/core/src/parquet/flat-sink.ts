/**
 * A Parquet writer specialised for ghlake's flat schemas: every column a top-level primitive,
 * REQUIRED or OPTIONAL. No nesting means no Dremel machinery: definition levels are 0/1 per row,
 * values are written straight from our column arrays into one reused page buffer (strings with
 * `Buffer.utf8Write`, INT64 from a safe-integer number as two 32-bit halves, no BigInt), and each
 * row group is appended to the open file as soon as it is encoded. Only footer metadata stays in
 * memory.
 *
 * File layout: `PAR1`, row groups of column chunks ([dictionary page] data pages), FileMetaData
 * (Thrift compact protocol, ./thrift-compact.ts), its 4-byte length, `PAR1`.
 *
 * - Pages: DATA_PAGE (v1: the most widely readable) holding [definition levels, RLE/bit-packed
 *   hybrid, 4-byte length prefix — OPTIONAL columns only][values]; at most ~`pageBytes` of values.
 * - Values: PLAIN; BOOLEAN bit-packed. VARCHAR/JSON/BLOB columns get RLE_DICTIONARY with a PLAIN
 *   dictionary page when it pays (the dictionary plus its indexes at most half the PLAIN bytes),
 *   decided while building it: given up as soon as the first `dictionarySample` values are nearly
 *   all distinct or the distinct values pass `dictionaryMaxBytes`. Never for `distinctValues`
 *   columns.
 * - Statistics (min_value/max_value, null_count) for numeric, TIMESTAMP, DATE, BOOLEAN and VARCHAR
 *   columns; none for JSON, BLOB and `distinctValues` columns. Strings are ordered as Parquet
 *   orders BYTE_ARRAY: unsigned byte-wise on the UTF-8 bytes (= code point order, which differs
 *   from JavaScript's UTF-16 `<` for characters above U+FFFF vs U+E000–U+FFFF).
 * - Compression: SNAPPY (native/snappy.c; without the addon the `snappy` package, output copied into V8 memory) or
 *   UNCOMPRESSED.
 *
 * Physical/logical types come from `PARQUET_TYPE` (tables/types.ts), the same as hyparquet-sink.ts declares.
 */
import { closeSync, openSync, writeSync, writevSync } from 'node:fs';
import { createRequire } from 'node:module';
import { PARQUET_TYPE, type ColumnDecl, type TableDecl } from '../tables/types.js';
import { CompactWriter, CT } from './thrift-compact.js';
import type { ParquetSink, SinkColumn, SinkFactory, TableWriterOptions } from './writer.js';
import { nativeAddon } from '../native.js';
import { encodeDictionary, PlainPages, rowData, rowStart, type ByteRows, type DictionaryTarget } from './byte-pages.js';
import { BoolColumn, BytesColumn, DictColumn, NumberColumn, isColumnVector, type ColumnVector } from './columns.js';

export interface FlatSinkTuning {
  /** Target uncompressed bytes of values per data page. Default 1 MiB. */
  pageBytes?: number;
  /** Give up a chunk's dictionary once its distinct values pass this many bytes. Default 4 MiB. */
  dictionaryMaxBytes?: number;
  /** Give up a chunk's dictionary if more than 90% of its first this-many values are distinct. Default 1,000. */
  dictionarySample?: number;
}

// Parquet enums (parquet.thrift).
const PhysicalType = { BOOLEAN: 0, INT32: 1, INT64: 2, DOUBLE: 5, BYTE_ARRAY: 6 } as const;
const Repetition = { REQUIRED: 0, OPTIONAL: 1 } as const;
const ConvertedType = { UTF8: 0, DATE: 6 } as const;
const Encoding = { PLAIN: 0, RLE: 3, RLE_DICTIONARY: 8 } as const;
const PageType = { DATA_PAGE: 0, DICTIONARY_PAGE: 2 } as const;
const Codec = { UNCOMPRESSED: 0, SNAPPY: 1 } as const;

type Physical = keyof typeof PhysicalType;

/** Schema of one column, from its declaration. */
interface FlatColumn {
  decl: ColumnDecl;
  physical: Physical;
  convertedType?: number;
  logical?: 'STRING' | 'DATE' | 'TIMESTAMP_MICROS_LOCAL';
  optional: boolean;
  /** Try a dictionary (BYTE_ARRAY columns not declared distinct). */
  dictionary: boolean;
  statistics: boolean;
}

/** Types from the one declaration (tables/types.ts `PARQUET_TYPE`); encoding and statistics policy here. */
function flatColumn(c: ColumnDecl): FlatColumn {
  const { physical, logical } = PARQUET_TYPE[c.type];
  const byteArray = physical === 'BYTE_ARRAY';
  const column: FlatColumn = {
    decl: c,
    physical,
    optional: c.nullable,
    dictionary: byteArray && c.distinctValues !== true,
    // JSON and BLOB values are never filtered on by range; distinct columns never pay for it.
    statistics: c.distinctValues !== true && c.type !== 'JSON' && c.type !== 'BLOB',
  };
  if (logical === 'STRING') return { ...column, convertedType: ConvertedType.UTF8, logical: 'STRING' };
  if (logical === 'DATE') return { ...column, convertedType: ConvertedType.DATE, logical: 'DATE' };
  // MICROS, isAdjustedToUTC=false: UTC wall-clock without a zone (DuckDB TIMESTAMP, Snowflake TIMESTAMP_NTZ).
  if (logical === 'TIMESTAMP_MICROS') return { ...column, logical: 'TIMESTAMP_MICROS_LOCAL' };
  if (logical !== undefined) throw new Error(`flat Parquet writer: no encoding for logical type ${logical} (column ${c.name})`);
  return column;
}

/** A growable byte buffer reused for every page of a sink. */
class Scratch {
  buf: Buffer;
  dv: DataView;
  pos = 0;
  constructor(size: number) {
    this.buf = Buffer.allocUnsafeSlow(size);
    this.dv = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
  }
  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafeSlow(Math.max(this.buf.length * 2, this.pos + n + 1024));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
    this.dv = new DataView(next.buffer, next.byteOffset, next.byteLength);
  }
}

// Node's raw UTF-8/latin1 bindings (what Buffer#write/toString call after argument checks).
type RawBuffer = Buffer & { utf8Write(s: string, offset: number, length: number): number };
// eslint-disable-next-line @typescript-eslint/unbound-method -- called with an explicit `this` (latin1Slice.call(buffer, …))
const latin1Slice = (Buffer.prototype as unknown as { latin1Slice(this: Uint8Array, start: number, end: number): string }).latin1Slice;

const TWO_32 = 4294967296;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const DAY_MS = 86_400_000;

// ---------------------------------------------------------------------------------------------
// RLE / bit-packed hybrid (definition levels and dictionary indexes)

function varint(s: Scratch, n: number): void {
  const b = s.buf;
  while (n >= 0x80) {
    b[s.pos++] = (n % 0x80) | 0x80;
    n = Math.floor(n / 0x80);
  }
  b[s.pos++] = n;
}

/** Encode a[start, end) with bit width w (1..32) as RLE runs and bit-packed groups of 8. */
function writeHybrid(s: Scratch, a: Uint8Array | Int32Array, start: number, end: number, w: number): void {
  const count = end - start;
  const vb = (w + 7) >> 3;
  // Worst cases: all bit-packed (w bytes per 8 values + 1 header per 63 groups + padding) or
  // RLE runs of 8 (header + value bytes per 8 values).
  s.ensure(Math.ceil(count / 8) * (w + 6 + vb) + 16);
  const b = s.buf;
  let i = start;
  while (i < end) {
    const v = a[i]!;
    let j = i + 1;
    while (j < end && a[j] === v) j++;
    if (j - i >= 8 || j === end) {
      varint(s, (j - i) * 2);
      for (let k = 0, x = v; k < vb; k++, x >>>= 8) b[s.pos++] = x & 0xff;
      i = j;
      continue;
    }
    const headerAt = s.pos++;
    let groups = 0;
    while (i < end && groups < 63) {
      if (groups > 0) {
        const v0 = a[i]!;
        let k = i + 1;
        while (k < end && k - i < 8 && a[k] === v0) k++;
        if (k - i >= 8) break;
      }
      let p = s.pos;
      if (w <= 24) {
        let acc = 0;
        let bits = 0;
        for (let k = 0; k < 8; k++) {
          const x = i + k < end ? a[i + k]! : 0;
          acc |= x << bits;
          bits += w;
          while (bits >= 8) {
            b[p++] = acc & 0xff;
            acc >>>= 8;
            bits -= 8;
          }
        }
      } else {
        let acc = 0;
        let bits = 0;
        for (let k = 0; k < 8; k++) {
          const x = i + k < end ? a[i + k]! >>> 0 : 0;
          acc += x * 2 ** bits;
          bits += w;
          while (bits >= 8) {
            b[p++] = acc % 256;
            acc = Math.floor(acc / 256);
            bits -= 8;
          }
        }
      }
      s.pos = p;
      i += 8;
      groups++;
    }
    b[headerAt] = (groups << 1) | 1;
  }
}

// ---------------------------------------------------------------------------------------------
// Statistics helpers

/** Code-point (= UTF-8 byte) order of two strings: <0, 0, >0. */
export function compareUtf8Strings(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x !== y) {
      if (x >= 0xd800 && y >= 0xd800) {
        // Surrogates (U+10000 and up) sort after U+E000–U+FFFF in code point order.
        x = x < 0xe000 ? x + 0x2000 : x - 0x800;
        y = y < 0xe000 ? y + 0x2000 : y - 0x800;
      }
      return x - y;
    }
  }
  return a.length - b.length;
}

const textBytes = (v: string | Uint8Array): Uint8Array => (typeof v === 'string' ? Buffer.from(v, 'utf8') : v);

/** Min/max of BYTE_ARRAY values in unsigned byte order. `ascii` marks strings known to be ASCII (native compare is exact). */
class ByteStats {
  min: string | Uint8Array | undefined;
  max: string | Uint8Array | undefined;
  minAscii = false;
  maxAscii = false;

  private static cmp(a: string | Uint8Array, aAscii: boolean, b: string | Uint8Array, bAscii: boolean): number {
    if (typeof a === 'string' && typeof b === 'string') {
      if (aAscii && bAscii) return a < b ? -1 : a === b ? 0 : 1;
      return compareUtf8Strings(a, b);
    }
    return Buffer.compare(textBytes(a), textBytes(b));
  }

  add(v: string | Uint8Array, ascii: boolean): void {
    if (this.min === undefined) {
      this.min = this.max = v;
      this.minAscii = this.maxAscii = ascii;
      return;
    }
    if (ascii && this.minAscii && this.maxAscii && typeof v === 'string' && typeof this.min === 'string' && typeof this.max === 'string') {
      if (v < this.min) this.min = v;
      else if (v > this.max) this.max = v;
      return;
    }
    if (ByteStats.cmp(v, ascii, this.min, this.minAscii) < 0) {
      this.min = v;
      this.minAscii = ascii;
    } else if (ByteStats.cmp(v, ascii, this.max!, this.maxAscii) > 0) {
      this.max = v;
      this.maxAscii = ascii;
    }
  }
}

/**
 * Min/max of byte ranges in unsigned byte order (Parquet's order for BYTE_ARRAY), kept as references into the
 * column's memory — no Buffer made per value — and copied once when the chunk ends.
 */
class ByteRangeStats {
  private minData: Uint8Array | undefined;
  private minStart = 0;
  private minEnd = 0;
  private maxData: Uint8Array | undefined;
  private maxStart = 0;
  private maxEnd = 0;

  add(d: Uint8Array, s: number, e: number): void {
    if (this.minData === undefined) {
      this.minData = this.maxData = d;
      this.minStart = this.maxStart = s;
      this.minEnd = this.maxEnd = e;
    } else if (compareRanges(d, s, e, this.minData, this.minStart, this.minEnd) < 0) {
      this.minData = d;
      this.minStart = s;
      this.minEnd = e;
    } else if (compareRanges(d, s, e, this.maxData!, this.maxStart, this.maxEnd) > 0) {
      this.maxData = d;
      this.maxStart = s;
      this.maxEnd = e;
    }
  }

  /** The smallest and largest value of the page `pages` wrote last from `rows`. */
  addPage(rows: ByteRows, pages: PlainPages): void {
    for (const i of [pages.minRow, pages.maxRow]) if (i >= 0) this.add(rowData(rows, i), rowStart(rows, i), rows.ends[i]!);
  }

  /** Copies of min and max (the column's memory is refilled by the next row group), or undefined when nothing was added. */
  result(): { min: Buffer; max: Buffer } | undefined {
    if (this.minData === undefined) return undefined;
    return {
      min: Buffer.from(this.minData.subarray(this.minStart, this.minEnd)),
      max: Buffer.from(this.maxData!.subarray(this.maxStart, this.maxEnd)),
    };
  }
}

/** Unsigned byte order of a[as, ae) and b[bs, be); most values differ within their first bytes. */
function compareRanges(a: Uint8Array, as: number, ae: number, b: Uint8Array, bs: number, be: number): number {
  const n = Math.min(ae - as, be - bs);
  for (let k = 0; k < n; k++) {
    const d = a[as + k]! - b[bs + k]!;
    if (d !== 0) return d;
  }
  return ae - as - (be - bs);
}

function int64Bytes(v: number | bigint): Buffer {
  const b = Buffer.allocUnsafe(8);
  if (typeof v === 'bigint') b.writeBigInt64LE(v, 0);
  else {
    b.writeInt32LE(v | 0, 0);
    b.writeInt32LE(Math.floor(v / TWO_32) | 0, 4);
  }
  return b;
}

function int32Bytes(v: number): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeInt32LE(v, 0);
  return b;
}

function doubleBytes(v: number): Buffer {
  const b = Buffer.allocUnsafe(8);
  b.writeDoubleLE(v, 0);
  return b;
}

// ---------------------------------------------------------------------------------------------
// Footer metadata kept per column chunk

interface ChunkMeta {
  column: FlatColumn;
  encodings: number[];
  numValues: number;
  uncompressed: number;
  compressed: number;
  dataPageOffset: number;
  dictionaryPageOffset?: number;
  stats?: { nullCount: number; min?: Uint8Array; max?: Uint8Array };
}

interface RowGroupMeta {
  chunks: ChunkMeta[];
  numRows: number;
  fileOffset: number;
}

function badValue(c: FlatColumn, v: unknown, what: string): Error {
  const shown = typeof v === 'bigint' ? `${v}n` : typeof v === 'string' ? JSON.stringify(v.slice(0, 40)) : String(v);
  return new TypeError(`parquet column ${c.decl.name} (${c.decl.type}): expected ${what}, got ${typeof v} ${shown}`);
}

function requiredNull(c: FlatColumn): Error {
  return new TypeError(`parquet column ${c.decl.name} is REQUIRED (not nullable) but got a NULL value`);
}

// ---------------------------------------------------------------------------------------------

/** The `snappy` package, loaded on first use: without the addon only (every worker would pay its import at start). */
let snappyPackage: typeof import('snappy') | undefined;
const packageSnappy = () => (snappyPackage ??= createRequire(import.meta.url)('snappy') as typeof import('snappy'));

interface NativeSnappy {
  /** The position after input[start, end) compressed into out from pos, or -(bytes needed from pos). */
  snappyCompress(input: Buffer, start: number, end: number, out: Buffer, pos: number): number;
}

class FlatParquetWriter implements ParquetSink {
  private readonly cols: FlatColumn[];
  private readonly fd: number;
  private offset = 0;
  private readonly rowGroups: RowGroupMeta[] = [];
  private readonly scratch = new Scratch(1 << 20);
  private readonly header = new CompactWriter(128);
  private defs = new Uint8Array(0);
  private indexes = new Int32Array(0);
  private readonly pageBytes: number;
  private readonly dictMaxBytes: number;
  private readonly dictSample: number;
  private readonly codec: number;
  private closed = false;
  /**
   * Dictionary or PLAIN, decided per column by the file's first row group and kept for the rest:
   * fastparquet (2026.9) reads a chunk whose encoding differs from the others' as all NULLs —
   * silently (tools/verify-parquet found it). Every later row group of a dictionary column is
   * dictionary-encoded whatever its cardinality: its values are in memory already, so this
   * costs file bytes at worst, never memory.
   */
  private readonly dictionaryChosen = new Map<string, boolean>();
  /** Snappy in C into `bodies` (native/snappy.c), or undefined: the `snappy` package's Buffer per page. */
  private readonly snappy = nativeAddon<NativeSnappy>();
  /** The compressed page bodies of the chunk being written, back to back up to `bodiesEnd`. */
  private bodies = Buffer.allocUnsafeSlow(1 << 20);
  private bodiesEnd = 0;

  constructor(
    table: TableDecl,
    path: string,
    private readonly options: TableWriterOptions,
    tuning: FlatSinkTuning,
  ) {
    this.cols = table.columns.map(flatColumn);
    this.pageBytes = tuning.pageBytes ?? 1 << 20;
    this.dictMaxBytes = tuning.dictionaryMaxBytes ?? 4 << 20;
    this.dictSample = tuning.dictionarySample ?? 1000;
    this.codec = (options.codec ?? 'SNAPPY') === 'SNAPPY' ? Codec.SNAPPY : Codec.UNCOMPRESSED;
    this.fd = openSync(path, 'w');
    try {
      this.write([Buffer.from('PAR1')]);
    } catch (error) {
      this.close();
      throw error;
    }
  }

  writeRowGroup(columns: Record<string, SinkColumn>, rowCount: number): void {
    if (this.closed) throw new Error('parquet writer is closed');
    if (rowCount === 0) return; // an empty table is a file with its schema and no row group
    try {
      const fileOffset = this.offset;
      if (this.defs.length < rowCount) this.defs = new Uint8Array(rowCount);
      if (this.indexes.length < rowCount) this.indexes = new Int32Array(rowCount);
      const chunks = this.cols.map((c) => this.writeChunk(c, columns[c.decl.name] ?? [], rowCount));
      this.rowGroups.push({ chunks, numRows: rowCount, fileOffset });
    } catch (error) {
      this.close();
      throw error;
    }
  }

  finish(): void {
    if (this.closed) throw new Error('parquet writer is closed');
    try {
      const footer = this.footer();
      const len = Buffer.allocUnsafe(8);
      len.writeUInt32LE(footer.length, 0);
      len.write('PAR1', 4, 'latin1');
      this.write([footer, len]);
    } finally {
      this.close();
    }
  }

  abort(): void {
    this.close();
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
  }

  private write(pieces: Uint8Array[]): void {
    // Written synchronously below: no page body in `bodies` is referenced afterwards.
    this.bodiesEnd = 0;
    let total = 0;
    for (const p of pieces) total += p.length;
    let written = writevSync(this.fd, pieces);
    if (written < total) {
      // A partial vectored write (e.g. more pieces than IOV_MAX): finish piece by piece.
      for (const p of pieces) {
        if (written >= p.length) {
          written -= p.length;
          continue;
        }
        let at = written;
        written = 0;
        while (at < p.length) at += writeSync(this.fd, p, at, p.length - at);
      }
    }
    this.offset += total;
  }

  // -------------------------------------------------------------------------------------------
  // One column chunk

  private writeChunk(c: FlatColumn, column: SinkColumn, rowCount: number): ChunkMeta {
    if (isColumnVector(column)) return this.writeVectorChunk(c, column, rowCount);
    const values = column;
    // Definition levels (OPTIONAL): 1 = value present. NULLs of a REQUIRED column are rejected
    // by the value writers.
    let nullCount = 0;
    if (c.optional) {
      const defs = this.defs;
      for (let i = 0; i < rowCount; i++) {
        const v = values[i];
        if (v === null || v === undefined) {
          defs[i] = 0;
          nullCount++;
        } else defs[i] = 1;
      }
    }
    const chunk: ChunkMeta = { column: c, encodings: [], numValues: rowCount, uncompressed: 0, compressed: 0, dataPageOffset: 0 };
    const pieces: Uint8Array[] = [];
    const start = this.offset;
    let at = start;
    const emit = (header: Buffer, body: Uint8Array, uncompressedBody: number) => {
      pieces.push(header, body);
      chunk.uncompressed += header.length + uncompressedBody;
      chunk.compressed += header.length + body.length;
      at += header.length + body.length;
    };

    if (c.physical === 'BYTE_ARRAY') this.byteArrayChunk(c, values, rowCount, nullCount, chunk, emit, () => at);
    else this.fixedChunk(c, values, rowCount, nullCount, chunk, emit, () => at);
    this.write(pieces);
    return chunk;
  }

  /** Start a data page body: the definition levels of rows [r0, r1) for an OPTIONAL column. */
  private beginPage(c: FlatColumn, r0: number, r1: number): void {
    const s = this.scratch;
    s.pos = 0;
    if (!c.optional) return;
    s.ensure(4);
    s.pos = 4;
    writeHybrid(s, this.defs, r0, r1, 1);
    s.buf.writeUInt32LE(s.pos - 4, 0);
  }

  /** Compress the scratch page body and emit it with its header. */
  private endPage(emit: (h: Buffer, b: Uint8Array, u: number) => void, pageType: number, numValues: number, encoding: number): void {
    const s = this.scratch;
    const raw = s.buf.subarray(0, s.pos);
    let body: Uint8Array;
    if (this.codec !== Codec.SNAPPY) body = Buffer.from(raw);
    else if (this.snappy !== undefined) {
      // Into the chunk's body memory (reused once the chunk is written): no Buffer per page.
      let end = this.snappy.snappyCompress(s.buf, 0, s.pos, this.bodies, this.bodiesEnd);
      if (end < 0) {
        this.bodies = Buffer.allocUnsafeSlow(Math.max(2 * this.bodies.length, -end));
        this.bodiesEnd = 0;
        end = this.snappy.snappyCompress(s.buf, 0, s.pos, this.bodies, 0);
      }
      body = this.bodies.subarray(this.bodiesEnd, end);
      this.bodiesEnd = end;
    } else body = packageSnappy().compressSync(raw, { copyOutputData: true });
    const h = this.header;
    h.reset();
    h.i32(1, pageType);
    h.i32(2, raw.length);
    h.i32(3, body.length);
    if (pageType === PageType.DATA_PAGE) {
      h.structBegin(5);
      h.i32(1, numValues);
      h.i32(2, encoding);
      h.i32(3, Encoding.RLE);
      h.i32(4, Encoding.RLE);
      h.structEnd();
    } else {
      h.structBegin(7);
      h.i32(1, numValues);
      h.i32(2, Encoding.PLAIN);
      h.structEnd();
    }
    h.byte(0);
    emit(Buffer.from(h.result()), body, raw.length);
  }

  private nonNullIn(c: FlatColumn, r0: number, r1: number): number {
    if (!c.optional) return r1 - r0;
    let n = 0;
    const defs = this.defs;
    for (let i = r0; i < r1; i++) n += defs[i]!;
    return n;
  }

  // -------------------------------------------------------------------------------------------
  // INT64, INT32, DOUBLE, BOOLEAN

  private fixedChunk(
    c: FlatColumn,
    values: unknown[],
    rowCount: number,
    nullCount: number,
    chunk: ChunkMeta,
    emit: (h: Buffer, b: Uint8Array, u: number) => void,
    at: () => number,
  ): void {
    const type = c.decl.type;
    const width = c.physical === 'BOOLEAN' ? 1 / 8 : c.physical === 'INT32' ? 4 : 8;
    const rowsPerPage = Math.max(8, Math.floor(this.pageBytes / width));
    chunk.encodings = c.optional ? [Encoding.PLAIN, Encoding.RLE] : [Encoding.PLAIN];
    chunk.dataPageOffset = at();
    // Statistics: min/max as numbers (or bigint for BIGINT given as bigint).
    let min: number | bigint | undefined;
    let max: number | bigint | undefined;
    let lastDate: unknown;
    let lastDays = 0;
    const s = this.scratch;
    for (let r0 = 0; r0 < rowCount; r0 += rowsPerPage) {
      const r1 = Math.min(rowCount, r0 + rowsPerPage);
      this.beginPage(c, r0, r1);
      const n = this.nonNullIn(c, r0, r1);
      s.ensure(Math.ceil(n * width) + 8);
      const dv = s.dv;
      let p = s.pos;
      switch (type) {
        case 'BIGINT':
        case 'TIMESTAMP': {
          const scale = type === 'TIMESTAMP' ? 1000 : 1;
          for (let i = r0; i < r1; i++) {
            const raw = values[i];
            if (raw === null || raw === undefined) {
              if (!c.optional) throw requiredNull(c);
              continue;
            }
            let v: number | bigint;
            if (typeof raw === 'number') {
              v = raw * scale;
              if (Number.isSafeInteger(v)) {
                dv.setInt32(p, v | 0, true);
                dv.setInt32(p + 4, Math.floor(v / TWO_32) | 0, true);
              } else {
                if (!Number.isInteger(v)) throw badValue(c, raw, type === 'TIMESTAMP' ? 'epoch milliseconds (whole microseconds)' : 'an integer');
                v = BigInt(v);
                if (v < INT64_MIN || v > INT64_MAX) throw badValue(c, raw, 'a value in the INT64 range');
                dv.setBigInt64(p, v, true);
              }
            } else if (typeof raw === 'bigint') {
              v = scale === 1 ? raw : raw * 1000n;
              if (v < INT64_MIN || v > INT64_MAX) throw badValue(c, raw, 'a value in the INT64 range');
              dv.setBigInt64(p, v, true);
            } else throw badValue(c, raw, type === 'TIMESTAMP' ? 'epoch milliseconds (number)' : 'a number or bigint');
            p += 8;
            if (min === undefined) min = max = v;
            else if (v < min) min = v;
            else if (v > max!) max = v;
          }
          break;
        }
        case 'INTEGER':
        case 'DATE': {
          const date = type === 'DATE';
          for (let i = r0; i < r1; i++) {
            const raw = values[i];
            if (raw === null || raw === undefined) {
              if (!c.optional) throw requiredNull(c);
              continue;
            }
            let v: number;
            if (date) {
              if (raw === lastDate) v = lastDays;
              else {
                if (typeof raw !== 'string') throw badValue(c, raw, "a 'YYYY-MM-DD' string");
                v = Math.round(Date.parse(`${raw}T00:00:00Z`) / DAY_MS);
                if (!Number.isSafeInteger(v)) throw badValue(c, raw, "a 'YYYY-MM-DD' string");
                lastDate = raw;
                lastDays = v;
              }
            } else {
              if (typeof raw !== 'number' || (raw | 0) !== raw) throw badValue(c, raw, 'a 32-bit integer');
              v = raw;
            }
            dv.setInt32(p, v, true);
            p += 4;
            if (min === undefined) min = max = v;
            else if (v < min) min = v;
            else if (v > max!) max = v;
          }
          break;
        }
        case 'DOUBLE': {
          for (let i = r0; i < r1; i++) {
            const v = values[i];
            if (v === null || v === undefined) {
              if (!c.optional) throw requiredNull(c);
              continue;
            }
            if (typeof v !== 'number') throw badValue(c, v, 'a number');
            dv.setFloat64(p, v, true);
            p += 8;
            if (v !== v) continue; // NaN stays out of min/max
            if (min === undefined) min = max = v;
            else if (v < min) min = v;
            else if (v > max!) max = v;
          }
          break;
        }
        case 'BOOLEAN': {
          const b = s.buf;
          let acc = 0;
          let bit = 0;
          let sawTrue = false;
          let sawFalse = false;
          for (let i = r0; i < r1; i++) {
            const v = values[i];
            if (v === null || v === undefined) {
              if (!c.optional) throw requiredNull(c);
              continue;
            }
            if (v === true) {
              acc |= 1 << bit;
              sawTrue = true;
            } else if (v === false) sawFalse = true;
            else throw badValue(c, v, 'a boolean');
            if (++bit === 8) {
              b[p++] = acc;
              acc = 0;
              bit = 0;
            }
          }
          if (bit > 0) b[p++] = acc;
          if (sawFalse || sawTrue) {
            const lo = sawFalse ? 0 : 1;
            const hi = sawTrue ? 1 : 0;
            if (min === undefined) {
              min = lo;
              max = hi;
            } else {
              if (lo < min) min = lo;
              if (hi > max!) max = hi;
            }
          }
          break;
        }
        default:
          throw new Error(`flat sink: unexpected fixed-width type ${type}`);
      }
      s.pos = p;
      this.endPage(emit, PageType.DATA_PAGE, r1 - r0, Encoding.PLAIN);
    }
    if (!c.statistics) return;
    const stats: NonNullable<ChunkMeta['stats']> = { nullCount };
    if (min !== undefined) {
      switch (c.physical) {
        case 'INT64':
          stats.min = int64Bytes(min);
          stats.max = int64Bytes(max!);
          break;
        case 'INT32':
          stats.min = int32Bytes(min as number);
          stats.max = int32Bytes(max as number);
          break;
        case 'DOUBLE':
          // Parquet: a zero min is written as -0.0, a zero max as +0.0.
          stats.min = doubleBytes(min === 0 ? -0 : (min as number));
          stats.max = doubleBytes(max === 0 ? 0 : (max as number));
          break;
        case 'BOOLEAN':
          stats.min = Buffer.from([min as number]);
          stats.max = Buffer.from([max as number]);
          break;
      }
    }
    chunk.stats = stats;
  }

  // -------------------------------------------------------------------------------------------
  // BYTE_ARRAY: VARCHAR, JSON, BLOB

  private byteArrayChunk(
    c: FlatColumn,
    values: unknown[],
    rowCount: number,
    nullCount: number,
    chunk: ChunkMeta,
    emit: (h: Buffer, b: Uint8Array, u: number) => void,
    at: () => number,
  ): void {
    const stats = c.statistics ? new ByteStats() : undefined;
    const chosen = this.dictionaryChosen.get(c.decl.name);
    const dict = c.dictionary && chosen !== false ? this.buildDictionary(c, values, rowCount, chosen === true) : undefined;
    if (c.dictionary && chosen === undefined && nullCount < rowCount) this.dictionaryChosen.set(c.decl.name, dict !== undefined);
    const s = this.scratch;
    if (dict) {
      const { entries, nonNull } = dict;
      // Dictionary page: PLAIN entries (statistics over the distinct values only).
      chunk.dictionaryPageOffset = at();
      s.pos = 0;
      this.writePlainByteArrays(c, entries, 0, entries.length, stats);
      this.endPage(emit, PageType.DICTIONARY_PAGE, entries.length, Encoding.PLAIN);
      chunk.dataPageOffset = at();
      chunk.encodings = [Encoding.PLAIN, Encoding.RLE, Encoding.RLE_DICTIONARY];
      const w = Math.max(1, 32 - Math.clz32(entries.length - 1));
      const rowsPerPage = Math.max(8, Math.floor((this.pageBytes * 8) / w));
      let n0 = 0;
      for (let r0 = 0; r0 < rowCount; r0 += rowsPerPage) {
        const r1 = Math.min(rowCount, r0 + rowsPerPage);
        const n1 = n0 + this.nonNullIn(c, r0, r1);
        this.beginPage(c, r0, r1);
        s.ensure(1);
        s.buf[s.pos++] = w;
        writeHybrid(s, this.indexes, n0, n1, w);
        this.endPage(emit, PageType.DATA_PAGE, r1 - r0, Encoding.RLE_DICTIONARY);
        n0 = n1;
      }
      if (n0 !== nonNull) throw new Error('flat sink: dictionary index count mismatch');
    } else {
      chunk.dataPageOffset = at();
      chunk.encodings = c.optional ? [Encoding.PLAIN, Encoding.RLE] : [Encoding.PLAIN];
      const pageBytes = this.pageBytes;
      let r0 = 0;
      while (r0 < rowCount) {
        // Rows up to ~pageBytes of values (UTF-16 units approximate UTF-8 bytes here).
        let r1 = r0;
        let est = 0;
        while (r1 < rowCount && est < pageBytes) {
          const v = values[r1++];
          if (v === null || v === undefined) continue;
          est += 4 + ((v as { length?: number }).length ?? 0);
        }
        this.beginPage(c, r0, r1);
        this.writePlainByteArrays(c, values, r0, r1, stats);
        this.endPage(emit, PageType.DATA_PAGE, r1 - r0, Encoding.PLAIN);
        r0 = r1;
      }
    }
    if (stats) {
      chunk.stats = { nullCount };
      if (stats.min !== undefined) {
        chunk.stats.min = textBytes(stats.min);
        chunk.stats.max = textBytes(stats.max!);
      }
    }
  }

  // -------------------------------------------------------------------------------------------
  // Column vectors (columns.ts): the same pages, read from typed arrays and byte arenas

  private writeVectorChunk(c: FlatColumn, v: ColumnVector, rowCount: number): ChunkMeta {
    const nullCount = v.nullCount;
    if (!c.optional && nullCount > 0) throw requiredNull(c);
    if (c.optional) {
      const defs = this.defs;
      const nulls = v instanceof DictColumn ? v.rows.nulls : v instanceof BoolColumn ? undefined : v.nulls;
      if (nulls !== undefined) for (let i = 0; i < rowCount; i++) defs[i] = 1 - nulls[i]!;
      else for (let i = 0; i < rowCount; i++) defs[i] = (v as BoolColumn).values[i] === 2 ? 0 : 1;
    }
    const chunk: ChunkMeta = { column: c, encodings: [], numValues: rowCount, uncompressed: 0, compressed: 0, dataPageOffset: 0 };
    const pieces: Uint8Array[] = [];
    let at = this.offset;
    const emit = (header: Buffer, body: Uint8Array, uncompressedBody: number) => {
      pieces.push(header, body);
      chunk.uncompressed += header.length + uncompressedBody;
      chunk.compressed += header.length + body.length;
      at += header.length + body.length;
    };
    if (c.physical === 'BYTE_ARRAY') {
      if (!(v instanceof BytesColumn || v instanceof DictColumn)) throw badValue(c, v, 'a BytesColumn or DictColumn');
      this.byteVectorChunk(c, v, rowCount, nullCount, chunk, emit, () => at);
    } else {
      if (!(v instanceof NumberColumn || v instanceof BoolColumn)) throw badValue(c, v, 'a NumberColumn or BoolColumn');
      this.fixedVectorChunk(c, v, rowCount, nullCount, chunk, emit, () => at);
    }
    this.write(pieces);
    return chunk;
  }

  private fixedVectorChunk(
    c: FlatColumn,
    v: NumberColumn | BoolColumn,
    rowCount: number,
    nullCount: number,
    chunk: ChunkMeta,
    emit: (h: Buffer, b: Uint8Array, u: number) => void,
    at: () => number,
  ): void {
    const type = c.decl.type;
    const width = c.physical === 'BOOLEAN' ? 1 / 8 : c.physical === 'INT32' ? 4 : 8;
    const rowsPerPage = Math.max(8, Math.floor(this.pageBytes / width));
    chunk.encodings = c.optional ? [Encoding.PLAIN, Encoding.RLE] : [Encoding.PLAIN];
    chunk.dataPageOffset = at();
    // Min/max as plain numbers in the loops (a number|bigint variable would box every value it meets); values that
    // only a BigInt holds exactly are tracked apart.
    let lo = Infinity;
    let hi = -Infinity;
    let seen = false;
    let bigLo: bigint | undefined;
    let bigHi: bigint | undefined;
    const s = this.scratch;
    for (let r0 = 0; r0 < rowCount; r0 += rowsPerPage) {
      const r1 = Math.min(rowCount, r0 + rowsPerPage);
      this.beginPage(c, r0, r1);
      const n = this.nonNullIn(c, r0, r1);
      s.ensure(Math.ceil(n * width) + 8);
      const dv = s.dv;
      let p = s.pos;
      if (v instanceof BoolColumn) {
        if (type !== 'BOOLEAN') throw badValue(c, v, 'a NumberColumn');
        const b = s.buf;
        const vals = v.values;
        let acc = 0;
        let bit = 0;
        for (let i = r0; i < r1; i++) {
          const x = vals[i]!;
          if (x === 2) continue;
          if (x === 1) acc |= 1 << bit;
          seen = true;
          if (x < lo) lo = x;
          if (x > hi) hi = x;
          if (++bit === 8) {
            b[p++] = acc;
            acc = 0;
            bit = 0;
          }
        }
        if (bit > 0) b[p++] = acc;
      } else {
        const vals = v.values;
        const nulls = v.nulls;
        const big = v.big;
        if (type === 'BIGINT' || type === 'TIMESTAMP') {
          const scale = type === 'TIMESTAMP' ? 1000 : 1;
          for (let i = r0; i < r1; i++) {
            if (nulls[i] === 1) continue;
            const x = vals[i]! * scale;
            const exact = big === null ? undefined : big.get(i);
            if (exact === undefined && Number.isSafeInteger(x)) {
              dv.setInt32(p, x | 0, true);
              dv.setInt32(p + 4, Math.floor(x / TWO_32) | 0, true);
              seen = true;
              if (x < lo) lo = x;
              if (x > hi) hi = x;
            } else {
              if (exact === undefined && !Number.isInteger(x))
                throw badValue(c, vals[i], type === 'TIMESTAMP' ? 'epoch milliseconds (whole microseconds)' : 'an integer');
              const xb = exact === undefined ? BigInt(x) : exact * BigInt(scale);
              if (xb < INT64_MIN || xb > INT64_MAX) throw badValue(c, xb, 'a value in the INT64 range');
              dv.setBigInt64(p, xb, true);
              if (bigLo === undefined || xb < bigLo) bigLo = xb;
              if (bigHi === undefined || xb > bigHi) bigHi = xb;
            }
            p += 8;
          }
        } else if (type === 'INTEGER') {
          for (let i = r0; i < r1; i++) {
            if (nulls[i] === 1) continue;
            const x = vals[i]!;
            if ((x | 0) !== x) throw badValue(c, x, 'a 32-bit integer');
            dv.setInt32(p, x, true);
            p += 4;
            seen = true;
            if (x < lo) lo = x;
            if (x > hi) hi = x;
          }
        } else if (type === 'DOUBLE') {
          for (let i = r0; i < r1; i++) {
            if (nulls[i] === 1) continue;
            const x = vals[i]!;
            dv.setFloat64(p, x, true);
            p += 8;
            if (x !== x) continue;
            seen = true;
            if (x < lo) lo = x;
            if (x > hi) hi = x;
          }
        } else throw badValue(c, v, `values of another form (${type} from a NumberColumn is not supported)`);
      }
      s.pos = p;
      this.endPage(emit, PageType.DATA_PAGE, r1 - r0, Encoding.PLAIN);
    }
    if (!c.statistics) return;
    chunk.stats = { nullCount };
    let min: number | bigint | undefined = seen ? lo : undefined;
    let max: number | bigint | undefined = seen ? hi : undefined;
    if (bigLo !== undefined) {
      if (min === undefined || bigLo < min) min = bigLo;
      if (max === undefined || bigHi! > max) max = bigHi;
    }
    if (min === undefined) return;
    switch (c.physical) {
      case 'INT64':
        chunk.stats.min = int64Bytes(min);
        chunk.stats.max = int64Bytes(max!);
        break;
      case 'INT32':
        chunk.stats.min = int32Bytes(min as number);
        chunk.stats.max = int32Bytes(max as number);
        break;
      case 'DOUBLE':
        chunk.stats.min = doubleBytes(min === 0 ? -0 : (min as number));
        chunk.stats.max = doubleBytes(max === 0 ? 0 : (max as number));
        break;
      case 'BOOLEAN':
        chunk.stats.min = Buffer.from([min as number]);
        chunk.stats.max = Buffer.from([max as number]);
        break;
    }
  }

  /** The dictionary of a BytesColumn (reused), for a dictionary decision on plain values. */
  private readonly scratchDict: DictionaryTarget = {
    entries: { data: Buffer.allocUnsafeSlow(1 << 16), size: 0 },
    entryEnds: new Int32Array(256),
    entryCount: 0,
    indexes: new Int32Array(1024),
  };
  /** PLAIN pages of byte rows (byte-pages.ts: native when loaded). */
  private readonly plainPages = new PlainPages();

  private byteVectorChunk(
    c: FlatColumn,
    v: BytesColumn | DictColumn,
    rowCount: number,
    nullCount: number,
    chunk: ChunkMeta,
    emit: (h: Buffer, b: Uint8Array, u: number) => void,
    at: () => number,
  ): void {
    const chosen = this.dictionaryChosen.get(c.decl.name);
    const column = v instanceof DictColumn ? v.rows : v;
    const rows = column.byteRows();
    let dict: DictionaryTarget | undefined;
    if (c.dictionary && chosen !== false && nullCount < rowCount) {
      if (v instanceof DictColumn) dict = v.seal();
      else {
        dict = this.scratchDict;
        encodeDictionary(rows, rowCount, dict);
      }
      if (chosen === undefined) {
        // Keep it when the dictionary plus its bit-packed indexes at most halves the PLAIN bytes.
        const nn = rowCount - nullCount;
        const entries = dict.entryCount;
        const w = Math.max(1, 32 - Math.clz32(entries - 1));
        let plainBytes = 4 * nn;
        const starts = column.starts;
        const ends = column.ends;
        for (let i = 0; i < rowCount; i++) plainBytes += ends[i]! - starts[i]!;
        const dictBytes = dict.entries.size;
        const pays = dictBytes <= this.dictMaxBytes && 2 * (dictBytes + 4 * entries + Math.ceil((nn * w) / 8)) <= plainBytes;
        this.dictionaryChosen.set(c.decl.name, pays);
        if (!pays) dict = undefined;
      }
    }
    const stats = c.statistics ? new ByteRangeStats() : undefined;
    const s = this.scratch;
    const pages = this.plainPages;
    if (dict) {
      const entries = dict.entryCount;
      const entryRows: ByteRows = { buffers: [dict.entries.data], srcs: null, starts: null, ends: dict.entryEnds, nulls: null };
      chunk.dictionaryPageOffset = at();
      s.pos = 0;
      s.ensure(dict.entries.size + 4 * entries);
      s.pos = pages.write(entryRows, 0, entries, s.buf, 0);
      stats?.addPage(entryRows, pages);
      this.endPage(emit, PageType.DICTIONARY_PAGE, entries, Encoding.PLAIN);
      chunk.dataPageOffset = at();
      chunk.encodings = [Encoding.PLAIN, Encoding.RLE, Encoding.RLE_DICTIONARY];
      const idx = this.indexes;
      let nn = 0;
      for (let i = 0; i < rowCount; i++) {
        const k = dict.indexes[i]!;
        if (k >= 0) idx[nn++] = k;
      }
      const w = Math.max(1, 32 - Math.clz32(entries - 1));
      const rowsPerPage = Math.max(8, Math.floor((this.pageBytes * 8) / w));
      let n0 = 0;
      for (let r0 = 0; r0 < rowCount; r0 += rowsPerPage) {
        const r1 = Math.min(rowCount, r0 + rowsPerPage);
        const n1 = n0 + this.nonNullIn(c, r0, r1);
        this.beginPage(c, r0, r1);
        s.ensure(1);
        s.buf[s.pos++] = w;
        writeHybrid(s, idx, n0, n1, w);
        this.endPage(emit, PageType.DATA_PAGE, r1 - r0, Encoding.RLE_DICTIONARY);
        n0 = n1;
      }
    } else {
      chunk.dataPageOffset = at();
      chunk.encodings = c.optional ? [Encoding.PLAIN, Encoding.RLE] : [Encoding.PLAIN];
      let r0 = 0;
      while (r0 < rowCount) {
        const r1 = pages.extent(rows, r0, rowCount, this.pageBytes);
        this.beginPage(c, r0, r1);
        s.ensure(pages.bytes);
        s.pos = pages.write(rows, r0, r1, s.buf, s.pos);
        stats?.addPage(rows, pages);
        this.endPage(emit, PageType.DATA_PAGE, r1 - r0, Encoding.PLAIN);
        r0 = r1;
      }
    }
    if (stats) chunk.stats = { nullCount, ...stats.result() };
  }

  /** PLAIN values[r0, r1) (NULLs skipped) appended to the scratch page; min/max into `stats`. */
  private writePlainByteArrays(c: FlatColumn, values: ArrayLike<unknown>, r0: number, r1: number, stats: ByteStats | undefined): void {
    const s = this.scratch;
    // Size the page from the values' lengths: UTF-8 takes at most 3 bytes per UTF-16 unit.
    let bound = 0;
    for (let i = r0; i < r1; i++) {
      const v = values[i];
      if (v === null || v === undefined) continue;
      bound += typeof v === 'string' ? 4 + 3 * v.length : 4 + ((v as Uint8Array).length ?? 0);
    }
    s.ensure(bound);
    const b = s.buf as RawBuffer;
    const cap = b.length;
    let p = s.pos;
    for (let i = r0; i < r1; i++) {
      const v = values[i];
      if (v === null || v === undefined) {
        if (!c.optional) throw requiredNull(c);
        continue;
      }
      let n: number;
      if (typeof v === 'string') {
        n = v.length === 0 ? 0 : b.utf8Write(v, p + 4, cap - p - 4);
        if (stats) stats.add(v, n === v.length);
      } else if (v instanceof Uint8Array) {
        n = v.length;
        b.set(v, p + 4);
        if (stats) stats.add(v, false);
      } else throw badValue(c, v, c.decl.type === 'BLOB' ? 'a Uint8Array' : 'a string or Uint8Array (UTF-8)');
      b[p] = n & 0xff;
      b[p + 1] = (n >>> 8) & 0xff;
      b[p + 2] = (n >>> 16) & 0xff;
      b[p + 3] = n >>> 24;
      p += 4 + n;
    }
    s.pos = p;
  }

  /**
   * Dictionary entries and per-value indexes (into this.indexes) for a chunk, or undefined when a
   * dictionary does not pay. Strings key a Map by value; byte values by their latin1 image (one
   * native copy, hashed natively). A string and the same text as bytes may become two entries
   * (harmless).
   */
  /** `committed`: the file chose a dictionary for this column, so build it whatever it saves. */
  private buildDictionary(
    c: FlatColumn,
    values: unknown[],
    rowCount: number,
    committed: boolean,
  ): { entries: (string | Uint8Array)[]; nonNull: number } | undefined {
    const strings = new Map<string, number>();
    let byteKeys: Map<string, number> | undefined;
    const entries: (string | Uint8Array)[] = [];
    const idx = this.indexes;
    const sample = this.dictSample;
    const maxBytes = this.dictMaxBytes;
    let dictBytes = 0;
    let totalBytes = 0;
    let nn = 0;
    for (let i = 0; i < rowCount; i++) {
      const v = values[i];
      if (v === null || v === undefined) {
        if (!c.optional) throw requiredNull(c);
        continue;
      }
      let k: number | undefined;
      if (typeof v === 'string') {
        totalBytes += v.length;
        k = strings.get(v);
        if (k === undefined) {
          k = entries.length;
          strings.set(v, k);
          entries.push(v);
          dictBytes += v.length;
        }
      } else if (v instanceof Uint8Array) {
        totalBytes += v.length;
        const key = latin1Slice.call(v, 0, v.length);
        byteKeys ??= new Map();
        k = byteKeys.get(key);
        if (k === undefined) {
          k = entries.length;
          byteKeys.set(key, k);
          entries.push(v);
          dictBytes += v.length;
        }
      } else throw badValue(c, v, c.decl.type === 'BLOB' ? 'a Uint8Array' : 'a string or Uint8Array (UTF-8)');
      idx[nn++] = k;
      if (committed) continue;
      if (dictBytes > maxBytes) return undefined;
      if (nn === sample && entries.length > 0.9 * sample) return undefined;
    }
    if (entries.length === 0) return undefined;
    if (committed) return { entries, nonNull: nn };
    // Keep it when the dictionary plus its bit-packed indexes at most halves the PLAIN bytes.
    const w = Math.max(1, 32 - Math.clz32(entries.length - 1));
    const dictionarySize = dictBytes + 4 * entries.length + Math.ceil((nn * w) / 8);
    const plainSize = totalBytes + 4 * nn;
    if (2 * dictionarySize > plainSize) return undefined;
    return { entries, nonNull: nn };
  }

  // -------------------------------------------------------------------------------------------
  // Footer

  private footer(): Buffer {
    const w = new CompactWriter(4096 + this.rowGroups.length * this.cols.length * 96);
    const cols = this.cols;
    w.i32(1, 1); // version
    w.listBegin(2, CT.STRUCT, cols.length + 1);
    w.structBegin(0);
    w.binary(4, 'root');
    w.i32(5, cols.length);
    w.structEnd();
    for (const c of cols) {
      w.structBegin(0);
      w.i32(1, PhysicalType[c.physical]);
      w.i32(3, c.optional ? Repetition.OPTIONAL : Repetition.REQUIRED);
      w.binary(4, c.decl.name);
      if (c.convertedType !== undefined) w.i32(6, c.convertedType);
      if (c.logical) {
        w.structBegin(10); // LogicalType union
        if (c.logical === 'STRING') w.emptyStruct(1);
        else if (c.logical === 'DATE') w.emptyStruct(6);
        else {
          w.structBegin(8); // TimestampType
          w.bool(1, false); // isAdjustedToUTC
          w.structBegin(2); // TimeUnit
          w.emptyStruct(2); // MICROS
          w.structEnd();
          w.structEnd();
        }
        w.structEnd();
      }
      w.structEnd();
    }
    let numRows = 0;
    for (const rg of this.rowGroups) numRows += rg.numRows;
    w.i64(3, numRows);
    w.listBegin(4, CT.STRUCT, this.rowGroups.length);
    for (const rg of this.rowGroups) {
      w.structBegin(0);
      w.listBegin(1, CT.STRUCT, rg.chunks.length);
      let totalBytes = 0;
      let totalCompressed = 0;
      for (const ch of rg.chunks) {
        totalBytes += ch.uncompressed;
        totalCompressed += ch.compressed;
        w.structBegin(0); // ColumnChunk
        w.i64(2, ch.dictionaryPageOffset ?? ch.dataPageOffset); // file_offset (deprecated): where the chunk starts
        w.structBegin(3); // ColumnMetaData
        w.i32(1, PhysicalType[ch.column.physical]);
        w.listBegin(2, CT.I32, ch.encodings.length);
        for (const e of ch.encodings) w.elemI32(e);
        w.listBegin(3, CT.BINARY, 1);
        w.elemBinary(ch.column.decl.name);
        w.i32(4, this.codec);
        w.i64(5, ch.numValues);
        w.i64(6, ch.uncompressed);
        w.i64(7, ch.compressed);
        w.i64(9, ch.dataPageOffset);
        if (ch.dictionaryPageOffset !== undefined) w.i64(11, ch.dictionaryPageOffset);
        if (ch.stats) {
          w.structBegin(12);
          w.i64(3, ch.stats.nullCount);
          if (ch.stats.max) w.binary(5, ch.stats.max);
          if (ch.stats.min) w.binary(6, ch.stats.min);
          w.structEnd();
        }
        w.structEnd();
        w.structEnd();
      }
      w.i64(2, totalBytes);
      w.i64(3, rg.numRows);
      w.i64(5, rg.fileOffset);
      w.i64(6, totalCompressed);
      w.structEnd();
    }
    const kv = Object.entries(this.options.metadata ?? {});
    if (kv.length > 0) {
      w.listBegin(5, CT.STRUCT, kv.length);
      for (const [key, value] of kv) {
        w.structBegin(0);
        w.binary(1, key);
        w.binary(2, value);
        w.structEnd();
      }
    }
    w.binary(6, 'ghlake');
    w.listBegin(7, CT.STRUCT, cols.length); // column_orders: TYPE_ORDER for every column
    for (let i = 0; i < cols.length; i++) {
      w.structBegin(0);
      w.emptyStruct(1);
      w.structEnd();
    }
    w.byte(0);
    return Buffer.from(w.result());
  }
}

/** A `SinkFactory` for the flat writer; tuning for tests and the benchmark. */
export function flatSinkFactory(tuning: FlatSinkTuning = {}): SinkFactory {
  return (table, tmpPath, options) => new FlatParquetWriter(table, tmpPath, options, tuning);
}

/** The flat writer with its default settings. */
export const openFlatSink: SinkFactory = flatSinkFactory();
