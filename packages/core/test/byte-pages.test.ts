/**
 * The byte columns' encoders (src/parquet/byte-pages.ts): the native side (native/columns.c) and its JavaScript
 * twin give the same bytes, and both give what a plain reference computes — distinct values in order of first
 * appearance, PLAIN values back to back with their lengths, min/max in unsigned byte order.
 */
import { compressSync as snappyCompress, uncompressSync as snappyUncompress } from 'snappy';
import { describe, expect, it } from 'vitest';
import { BytesColumn, DictColumn, nativeAddon } from '../src/index.js';
import { seededRandom } from '../../../tools/generate/random.js';
import { PlainPages, encodeDictionary, type ByteRows, type DictionaryTarget } from '../src/parquet/byte-pages.js';

/** A column of `rows` values drawn from a pool of `distinct` (NULLs, empty values, long ones, shared prefixes), some pointing into buffers of their own. */
function column(seed: number, rows: number, distinct: number): { column: BytesColumn; values: (Buffer | null)[] } {
  const next = seededRandom(seed);
  const pool: Buffer[] = [];
  for (let k = 0; k < distinct; k++) {
    const n = [0, 1, 3, 8, 15, 16, 17, 47, 48, 63, 64, 200, 3000][Math.floor(next() * 13)]!;
    const b = Buffer.alloc(n);
    for (let j = 0; j < n; j++) b[j] = next() < 0.5 ? 97 + (j % 3) : Math.floor(next() * 256);
    pool.push(b);
  }
  const c = new BytesColumn();
  const values: (Buffer | null)[] = [];
  for (let i = 0; i < rows; i++) {
    if (next() < 0.1) {
      c.pushNull();
      values.push(null);
      continue;
    }
    const v = pool[Math.floor(next() * pool.length)]!;
    if (next() < 0.3) {
      const own = Buffer.concat([Buffer.from('[['), v, Buffer.from(']]')]);
      c.pushRef(own, 2, own.length - 2);
    } else c.pushBytes(v, 0, v.length);
    values.push(v);
  }
  return { column: c, values };
}

const target = (): DictionaryTarget => ({
  entries: { data: Buffer.alloc(16), size: 0 },
  entryEnds: new Int32Array(4),
  entryCount: 0,
  indexes: new Int32Array(4),
});

function dictionaryOf(rows: ByteRows, n: number, native: boolean) {
  const t = target();
  const count = encodeDictionary(rows, n, t, { native });
  const entries = Array.from({ length: count }, (_, k) => t.entries.data.subarray(k === 0 ? 0 : t.entryEnds[k - 1]!, t.entryEnds[k]!).toString('hex'));
  return { count, entries, indexes: Array.from(t.indexes.subarray(0, n)), size: t.entries.size };
}

function pagesOf(rows: ByteRows, n: number, pageBytes: number, native: boolean) {
  const pages = new PlainPages({ native });
  const out: { r1: number; bytes: string; min: number; max: number }[] = [];
  for (let r0 = 0; r0 < n;) {
    const r1 = pages.extent(rows, r0, n, pageBytes);
    const bytes = pages.bytes;
    const buf = Buffer.alloc(bytes + 3);
    const end = pages.write(rows, r0, r1, buf, 3);
    expect(end).toBe(3 + bytes);
    out.push({ r1, bytes: buf.subarray(3, end).toString('hex'), min: pages.minRow, max: pages.maxRow });
    r0 = r1;
  }
  return out;
}

describe('byte pages', () => {
  const cases = [
    { seed: 1, rows: 1, distinct: 1 },
    { seed: 2, rows: 500, distinct: 3 },
    { seed: 3, rows: 5000, distinct: 700 },
    { seed: 4, rows: 3000, distinct: 5000 },
    { seed: 5, rows: 20000, distinct: 40 },
  ];

  it.each(cases)('dictionaries: native = JavaScript = first appearance order (seed $seed, $rows rows, $distinct values)', ({ seed, rows, distinct }) => {
    const { column: c, values } = column(seed, rows, distinct);
    const native = dictionaryOf(c.byteRows(), rows, true);
    expect(native).toEqual(dictionaryOf(c.byteRows(), rows, false));
    // the reference: a Map of hex strings
    const seen = new Map<string, number>();
    const indexes = values.map((v) => {
      if (v === null) return -1;
      const key = v.toString('hex');
      if (!seen.has(key)) seen.set(key, seen.size);
      return seen.get(key)!;
    });
    expect(native.entries).toEqual([...seen.keys()]);
    expect(native.indexes).toEqual(indexes);
  });

  it.each(cases)('PLAIN pages: native = JavaScript = lengths and bytes, min/max in byte order (seed $seed)', ({ seed, rows, distinct }) => {
    const { column: c, values } = column(seed, rows, distinct);
    for (const pageBytes of [1, 100, 4096, 1 << 20]) {
      const native = pagesOf(c.byteRows(), rows, pageBytes, true);
      expect(native).toEqual(pagesOf(c.byteRows(), rows, pageBytes, false));
      let r0 = 0;
      for (const page of native) {
        const present = values.slice(r0, page.r1).filter((v): v is Buffer => v !== null);
        const plain = Buffer.concat(present.flatMap((v) => [Buffer.from(Uint32Array.of(v.length).buffer), v]));
        expect(page.bytes).toBe(plain.toString('hex'));
        if (present.length === 0) expect([page.min, page.max]).toEqual([-1, -1]);
        else {
          const sorted = [...present].sort((a, b) => Buffer.compare(a, b));
          expect(values[page.min]!.equals(sorted[0]!)).toBe(true);
          expect(values[page.max]!.equals(sorted.at(-1)!)).toBe(true);
        }
        // a page takes rows while it holds fewer than pageBytes bytes, and at least one
        expect(page.r1).toBeGreaterThan(r0);
        r0 = page.r1;
      }
      expect(r0).toBe(rows);
    }
  });

  it("a dictionary's entries as rows (no starts: each entry starts where the last ended)", () => {
    const { column: c } = column(6, 2000, 300);
    const t = target();
    const count = encodeDictionary(c.byteRows(), 2000, t);
    const entries: ByteRows = { buffers: [t.entries.data], srcs: null, starts: null, ends: t.entryEnds, nulls: null };
    expect(pagesOf(entries, count, 1 << 20, true)).toEqual(pagesOf(entries, count, 1 << 20, false));
  });

  it('a column pointing into more buffers than the native side takes (1,024) is encoded by the JavaScript twin, the same way', () => {
    const c = new BytesColumn();
    const values: Buffer[] = [];
    for (let i = 0; i < 1500; i++) {
      const own = Buffer.from(`<value ${i % 40}>`); // every row in a buffer of its own (as lines repaired of NUL bytes are)
      c.pushRef(own, 1, own.length - 1);
      values.push(own.subarray(1, own.length - 1));
    }
    expect(c.byteRows().buffers.length).toBe(1501);
    const d = dictionaryOf(c.byteRows(), 1500, true);
    expect(d.entries.map((h) => Buffer.from(h, 'hex').toString())).toEqual(Array.from({ length: 40 }, (_, k) => `value ${k}`));
    expect(d.indexes).toEqual(values.map((_, i) => i % 40));
    const [page] = pagesOf(c.byteRows(), 1500, 1 << 20, true);
    expect(page!.bytes).toBe(Buffer.concat(values.flatMap((v) => [Buffer.from(Uint32Array.of(v.length).buffer), v])).toString('hex'));
  });

  it('refuses a view whose offsets leave their buffer, reading nothing outside it', () => {
    const native = nativeAddon<{ dictEncode: (...a: unknown[]) => number; plainExtent: (...a: unknown[]) => void }>()!;
    const buf = Buffer.from('abcdef');
    const bad = (starts: number[], ends: number[], srcs: number[] | null = null) =>
      native.dictEncode(
        [buf],
        srcs && Int32Array.from(srcs),
        Int32Array.from(starts),
        Int32Array.from(ends),
        null,
        starts.length,
        Buffer.alloc(64),
        new Int32Array(8),
        new Int32Array(8),
      );
    expect(bad([0, 2], [2, 6])).toBe(2);
    expect(() => bad([0, 2], [2, 7])).toThrow(/outside its buffer/);
    expect(() => bad([3], [2])).toThrow(/outside its buffer/);
    expect(() => bad([-1], [2])).toThrow(/outside its buffer/);
    expect(() => bad([0], [2], [1])).toThrow(/outside its buffer/);
    expect(() => bad([0, 0, 0], [1, 1, 1])).not.toThrow();
    expect(() => native.plainExtent([buf], null, null, new Int32Array(2), null, 0, 3, 10, new Int32Array(2))).toThrow(/rows outside the view/);
  });

  it('DictColumn: rows replaced after the fact (re-keyed Timeline ids) are dictionary-encoded anew', () => {
    const d = new DictColumn();
    for (const v of ['synthetic', 'event', 'synthetic', null, 'synthetic']) d.pushString(v);
    expect(d.entryOf('synthetic')).toBe(0);
    expect(d.entryOf('resolved')).toBe(-1);
    d.replace([0, 4], 'resolved');
    expect(Array.from({ length: d.length }, (_, i) => d.get(i)?.toString() ?? null)).toEqual(['resolved', 'event', 'synthetic', null, 'resolved']);
    expect(d.entryCount).toBe(3);
    d.clear();
    d.pushString('x');
    expect([d.length, d.get(0)?.toString(), d.entryCount]).toEqual([1, 'x', 1]);
  });
});

describe('Snappy in C (native/snappy.c)', () => {
  const native = nativeAddon<{ snappyCompress(input: Buffer, start: number, end: number, out: Buffer, pos: number): number }>()!;
  const next = seededRandom(9);
  const text = Buffer.from(JSON.stringify(Array.from({ length: 3000 }, (_, i) => ({ id: i, login: `user-${i % 97}`, body: 'x'.repeat(i % 50) }))));
  const noise = Buffer.from(Array.from({ length: 200_000 }, () => Math.floor(next() * 256)));
  const inputs: [string, Buffer][] = [
    ['empty', Buffer.alloc(0)],
    ['one byte', Buffer.from('a')],
    ...[14, 15, 16, 17, 65_535, 65_536, 65_537, 200_000].map((n): [string, Buffer] => [`${n} repeating bytes`, Buffer.alloc(n, 7)]),
    ['JSON text over several 64 KB blocks', text],
    ['incompressible bytes', noise],
    ['text, noise, text (long literals and copies)', Buffer.concat([text, noise.subarray(0, 70_000), text])],
  ];

  it.each(inputs)('%s: the `snappy` package decompresses it to the input, at about its size', (_, input) => {
    const out = Buffer.alloc(32 + input.length + Math.floor(input.length / 6) + 5, 0xee);
    const end = native.snappyCompress(input, 0, input.length, out, 5);
    expect(Buffer.from(snappyUncompress(out.subarray(5, end)) as Buffer).equals(input)).toBe(true);
    expect(end - 5).toBeLessThanOrEqual(Math.ceil(snappyCompress(input).length * 1.02) + 8);
    expect(out.subarray(0, 5).every((b) => b === 0xee)).toBe(true); // nothing written before pos
  });

  it('a range of the input, and an output too small (nothing written, the bytes needed returned)', () => {
    const out = Buffer.alloc(10, 1);
    expect(native.snappyCompress(text, 100, 5100, out, 2)).toBe(-(32 + 5000 + Math.floor(5000 / 6)));
    expect(out.every((b) => b === 1)).toBe(true);
    const big = Buffer.alloc(8000);
    const end = native.snappyCompress(text, 100, 5100, big, 0);
    expect(Buffer.from(snappyUncompress(big.subarray(0, end)) as Buffer).equals(text.subarray(100, 5100))).toBe(true);
    expect(() => native.snappyCompress(text, 0, text.length + 1, big, 0)).toThrow(/outside its buffer/);
  });
});
