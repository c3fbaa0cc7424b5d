/**
 * A minimal Thrift compact-protocol encoder: just what a Parquet writer needs for PageHeader and
 * FileMetaData (structs, i32, i64, binary, bool, lists). Fields must be written in ascending id
 * order within a struct; the caller closes every struct it opens.
 *
 * Spec: https://github.com/apache/thrift/blob/master/doc/specs/thrift-compact-protocol.md
 */

export const CT = {
  BOOL_TRUE: 1,
  BOOL_FALSE: 2,
  BYTE: 3,
  I16: 4,
  I32: 5,
  I64: 6,
  DOUBLE: 7,
  BINARY: 8,
  LIST: 9,
  SET: 10,
  MAP: 11,
  STRUCT: 12,
} as const;

export class CompactWriter {
  buf: Buffer;
  pos = 0;
  /** Last field id of each open struct (the innermost last). */
  private lastField: number[] = [0];

  constructor(initialSize = 256) {
    this.buf = Buffer.allocUnsafe(initialSize);
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  byte(b: number): void {
    this.ensure(1);
    this.buf[this.pos++] = b;
  }

  /** Unsigned varint of a non-negative integer up to 2^53. */
  varint(n: number): void {
    this.ensure(10);
    while (n >= 0x80) {
      this.buf[this.pos++] = (n % 0x80) | 0x80;
      n = Math.floor(n / 0x80);
    }
    this.buf[this.pos++] = n;
  }

  /** Unsigned varint of a non-negative bigint below 2^64. */
  private varintBig(n: bigint): void {
    this.ensure(10);
    while (n >= 0x80n) {
      this.buf[this.pos++] = Number(n & 0x7fn) | 0x80;
      n >>= 7n;
    }
    this.buf[this.pos++] = Number(n);
  }

  private fieldHeader(id: number, type: number): void {
    const last = this.lastField[this.lastField.length - 1]!;
    const delta = id - last;
    if (delta <= 0) throw new Error(`thrift: field id ${id} after ${last}`);
    if (delta <= 15) this.byte((delta << 4) | type);
    else {
      this.byte(type);
      this.zigzag32(id);
    }
    this.lastField[this.lastField.length - 1] = id;
  }

  private zigzag32(n: number): void {
    this.varint(((n << 1) ^ (n >> 31)) >>> 0);
  }

  private zigzag64(n: number | bigint): void {
    if (typeof n === 'number' && Number.isSafeInteger(n) && n >= 0) this.varint(n * 2);
    else {
      const b = BigInt(n);
      this.varintBig(b >= 0n ? b << 1n : (-b << 1n) - 1n);
    }
  }

  private bytes(value: Uint8Array | string): void {
    if (typeof value === 'string') {
      const n = Buffer.byteLength(value);
      this.varint(n);
      this.ensure(n);
      this.pos += this.buf.write(value, this.pos);
    } else {
      this.varint(value.length);
      this.ensure(value.length);
      this.buf.set(value, this.pos);
      this.pos += value.length;
    }
  }

  i32(id: number, v: number): void {
    this.fieldHeader(id, CT.I32);
    this.zigzag32(v);
  }

  i64(id: number, v: number | bigint): void {
    this.fieldHeader(id, CT.I64);
    this.zigzag64(v);
  }

  binary(id: number, v: Uint8Array | string): void {
    this.fieldHeader(id, CT.BINARY);
    this.bytes(v);
  }

  bool(id: number, v: boolean): void {
    this.fieldHeader(id, v ? CT.BOOL_TRUE : CT.BOOL_FALSE);
  }

  /** Open a struct-valued field (or, with id 0, a struct element of a list). */
  structBegin(id: number): void {
    if (id !== 0) this.fieldHeader(id, CT.STRUCT);
    this.lastField.push(0);
  }

  /** Close the innermost struct: STOP byte. */
  structEnd(): void {
    this.byte(0);
    this.lastField.pop();
  }

  /** An empty struct field (e.g. a union member like StringType). */
  emptyStruct(id: number): void {
    this.structBegin(id);
    this.structEnd();
  }

  /** List field header; then write `size` elements with the element methods below. */
  listBegin(id: number, elemType: number, size: number): void {
    this.fieldHeader(id, CT.LIST);
    if (size < 15) this.byte((size << 4) | elemType);
    else {
      this.byte(0xf0 | elemType);
      this.varint(size);
    }
  }

  elemI32(v: number): void {
    this.zigzag32(v);
  }

  elemBinary(v: Uint8Array | string): void {
    this.bytes(v);
  }

  /** The bytes written so far (a view: copy if the writer is reused). */
  result(): Buffer {
    if (this.lastField.length !== 1) throw new Error('thrift: unclosed struct');
    return this.buf.subarray(0, this.pos);
  }

  reset(): void {
    this.pos = 0;
    this.lastField = [0];
  }
}
