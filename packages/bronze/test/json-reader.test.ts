/**
 * The byte reader against JSON.parse itself: it accepts exactly what JSON.parse accepts (tricky
 * cases and seeded random damage of real lines), and every slot of the field tree holds what
 * JSON.parse gives at that path, on every real line of every era. Both implementations of the
 * pass — native (core's native/json_reader.c) and JavaScript — are held to that, and to each other:
 * the same result and the same slots for every line.
 */
import { describe, expect, it } from 'vitest';
import { nativeStatus } from '@ghlake/core';
import { EVENT_FIELDS, JsonReader, KIND_ABSENT, SLOT_COUNT, type FieldNode } from '../src/index.js';
import { GHARCHIVE_FIXTURES, realLines, sha256 } from './real-lines.js';
import { JSON_EDGE_CASES } from './json-edge-cases.js';
import { nativeJsonReader } from '../src/native-reader.js';

const READERS = {
  native: new JsonReader(EVENT_FIELDS, SLOT_COUNT),
  JavaScript: new JsonReader(EVENT_FIELDS, SLOT_COUNT, { native: false }),
};

it('the native reader is built and in use (npm run build:native; CI builds it with GHLAKE_NATIVE_REQUIRED=1)', () => {
  expect(nativeStatus()).toEqual({ loaded: true });
  expect(READERS.native.native).toBe(true);
  expect(READERS.JavaScript.native).toBe(false);
  // a field tree the native pass cannot hold is refused, naming why (and the half-built reader freed)
  const binding = nativeJsonReader()!;
  const one = (key: string, slot: number, parent = -1) =>
    binding.create([key], Int32Array.of(slot), Int32Array.of(slot + 1), Uint8Array.of(0), Int32Array.of(parent), 1, false);
  expect(() => one('id', 5)).toThrow(/a node's slot is out of range/);
  expect(() => one('pay\u00e9', 0)).toThrow(/plain ASCII/);
  expect(() => one('id', 0, 0)).toThrow(/parents first/);
  expect(one('id', 0).layout).toMatchObject({ kind: 0, escaped: 1, start: 4 });
});

/** Real fixture files of every era (Timeline, 2015, 2021, 2025, the trimmed payloads of 2026). */
const EVERY_ERA = [
  GHARCHIVE_FIXTURES.hour2015_01_01_0,
  GHARCHIVE_FIXTURES.head2025_01_01_15,
  ...GHARCHIVE_FIXTURES.head2021,
  GHARCHIVE_FIXTURES.trimmedPayloads,
  GHARCHIVE_FIXTURES.pushBeforeAfter,
  GHARCHIVE_FIXTURES.timeline.gh2011,
  GHARCHIVE_FIXTURES.timeline.slice2014,
];

/** Seeded one-to-three byte edits of real lines near the structure: what the damage tests read. */
function damagedLines(count: number): Buffer[] {
  const pool = [...realLines(GHARCHIVE_FIXTURES.hour2015_01_01_15).slice(0, 200), ...realLines(GHARCHIVE_FIXTURES.trimmedPayloads)];
  let seed = 1;
  const random = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const bytesOf = [...'{}[]":,\\/ntfrbue0123456789-+. \t\r'].map((c) => c.charCodeAt(0)).concat([0x00, 0x01, 0x1f, 0x7f]);
  const out: Buffer[] = [];
  for (let k = 0; k < count; k++) {
    const line = Buffer.from(pool[Math.floor(random() * pool.length)]!);
    let damaged = line;
    for (let e = 1 + Math.floor(random() * 3); e > 0; e--) {
      const i = Math.floor(random() * damaged.length);
      const c = bytesOf[Math.floor(random() * bytesOf.length)]!;
      const op = random();
      damaged =
        op < 0.4
          ? Buffer.concat([damaged.subarray(0, i), Buffer.from([c]), damaged.subarray(i + 1)])
          : op < 0.7
            ? Buffer.concat([damaged.subarray(0, i), damaged.subarray(i + 1)])
            : Buffer.concat([damaged.subarray(0, i), Buffer.from([c]), damaged.subarray(i)]);
    }
    out.push(damaged);
  }
  return out;
}

describe.each(Object.entries(READERS))('the %s reader', (_, reader) => {
  /** Does the reader accept the bytes as one JSON value (surrounded by spaces, tabs or \r)? */
  function readerAccepts(bytes: Buffer): boolean {
    const b = Buffer.concat([bytes, Buffer.from('\n')]);
    let i = 0;
    while (b[i] === 32 || b[i] === 9 || b[i] === 13) i++;
    const j = b[i] === 123 ? reader.readObject(b, i) : i < bytes.length ? reader.skipAny(b, i) : -1;
    if (j < 0) return false;
    let k = j;
    while (b[k] === 32 || b[k] === 9 || b[k] === 13) k++;
    return k === bytes.length;
  }

  function parserAccepts(bytes: Buffer): boolean {
    try {
      JSON.parse(bytes.toString('utf8'));
      return true;
    } catch {
      return false;
    }
  }

  describe('validation', () => {
    it('accepts exactly what JSON.parse accepts, on tricky inputs', () => {
      for (const text of JSON_EDGE_CASES) {
        const bytes = Buffer.from(text);
        expect({ text: text.slice(0, 60), accepted: readerAccepts(bytes) }).toEqual({ text: text.slice(0, 60), accepted: parserAccepts(bytes) });
      }
    });

    it('accepts exactly what JSON.parse accepts, on 30,000 randomly damaged real lines (seeded)', () => {
      let accepted = 0;
      for (const out of damagedLines(30_000)) {
        const ok = parserAccepts(out);
        if (readerAccepts(out) !== ok) expect({ line: out.toString(), reader: !ok }).toEqual({ line: out.toString(), reader: ok });
        if (ok) accepted++;
      }
      // both outcomes were exercised many times
      expect(accepted).toBeGreaterThan(3000);
      expect(accepted).toBeLessThan(27_000);
    });
  });

  describe('slots', () => {
    /** Every node of the tree with what JSON.parse gives at its path (undefined when a parent is not an object). */
    function expected(root: unknown, nodes: readonly FieldNode[], out: Map<number, unknown>) {
      for (const n of nodes) {
        const o = root !== null && typeof root === 'object' && !Array.isArray(root) ? (root as Record<string, unknown>) : undefined;
        const v = o !== undefined && Object.hasOwn(o, n.key) ? o[n.key] : undefined;
        out.set(n.slot, v);
        expected(v, n.children, out);
      }
    }

    function actual(slot: number): unknown {
      switch (reader.kindOf(slot)) {
        case KIND_ABSENT:
          return undefined;
        default:
          return JSON.parse(reader.buf.toString('utf8', reader.start[slot]!, reader.end[slot]!));
      }
    }

    it('hold the value JSON.parse gives at every declared path, on every real line of every era', () => {
      const files = EVERY_ERA;
      let lines = 0;
      let checked = 0;
      for (const file of files) {
        for (const line of realLines(file)) {
          const b = Buffer.concat([line, Buffer.from('\n')]);
          expect(reader.readObject(b, b.indexOf('{'))).toBe(b.lastIndexOf('}') + 1);
          const want = new Map<number, unknown>();
          expected(JSON.parse(line.toString()), EVENT_FIELDS, want);
          for (const [slot, value] of want) {
            const got = actual(slot);
            if (JSON.stringify(got) !== JSON.stringify(value)) expect({ file, slot, got }).toEqual({ file, slot, got: value });
            if (value !== undefined) checked++;
            // decoders agree with JSON.parse's value where the types match
            if (typeof value === 'string') expect(reader.str(slot)).toBe(value);
            if (typeof value === 'number') expect(reader.num(slot)).toBe(value);
            if (typeof value === 'boolean') expect(reader.bool(slot)).toBe(value);
          }
          lines++;
        }
      }
      expect(lines).toBe(7702 + 2048 + 800 + 7 + 2 + 17 + 500);
      expect(checked).toBe(282_413);
    });

    it('keep the last of a key given twice, and read escaped keys as the key they decode to', () => {
      const b = Buffer.from('{"payload":{"issue":{"id":1,"user":{"id":2}},"issue":{"number":3}},"pay\\u006coad":{"issue":{"id":4}},"id":"5"}\n');
      expect(reader.readObject(b, 0)).toBe(b.length - 1);
      const slot = (path: string) =>
        EVENT_FIELDS.flatMap(function all(n): FieldNode[] {
          return [n, ...n.children.flatMap(all)];
        }).find((n) => n.path === path)!.slot;
      expect(reader.int(slot('payload.issue.id'))).toBe(4);
      expect(reader.kindOf(slot('payload.issue.user'))).toBe(KIND_ABSENT);
      expect(reader.str(slot('id'))).toBe('5');
    });
  });
});

describe('native and JavaScript readers', () => {
  /** Everything a read leaves for the columns: the result, every slot's kind, range and escape flag, `other`. */
  function readWith(reader: JsonReader, b: Buffer, i: number) {
    const j = reader.readObject(b, i);
    const slots: string[] = [];
    for (let s = 0; s < SLOT_COUNT; s++) {
      const k = reader.kindOf(s);
      if (k !== KIND_ABSENT) slots.push(`${s}:${k}:${reader.start[s]}:${reader.end[s]}:${reader.escaped[s]}`);
    }
    return { j, slots: j >= 0 ? slots : [], other: j >= 0 ? [...reader.other] : [] };
  }

  it('give the same result and the same slots for every real line of every era and 30,000 damaged ones', () => {
    const files = [...EVERY_ERA, GHARCHIVE_FIXTURES.hour2015_01_01_15];
    const lines = [...files.flatMap((f) => realLines(f)), ...damagedLines(30_000), ...JSON_EDGE_CASES.map((t) => Buffer.from(t))];
    let valid = 0;
    for (const line of lines) {
      const b = Buffer.concat([line, Buffer.from('\n')]);
      const i = b.indexOf('{');
      if (i < 0) continue;
      const got = readWith(READERS.native, b, i);
      const want = readWith(READERS.JavaScript, b, i);
      if (got.j !== want.j || got.slots.join() !== want.slots.join() || got.other.join() !== want.other.join())
        expect({ line: line.toString().slice(0, 200), ...got }).toEqual({ line: line.toString().slice(0, 200), ...want });
      if (got.j >= 0) valid++;
    }
    expect(lines.length).toBe(7702 + 11_351 + 2048 + 800 + 7 + 2 + 17 + 500 + 30_000 + JSON_EDGE_CASES.length);
    expect(valid).toBeGreaterThan(25_000);
  });

  it('the native pass hashes every valid object it reads as node:crypto does (SHA-256 of exactly its bytes), and only those', () => {
    const hashing = new JsonReader(EVENT_FIELDS, SLOT_COUNT, { sha256: true });
    let hashed = 0;
    for (const line of [...realLines(GHARCHIVE_FIXTURES.hour2015_01_01_0), ...realLines(GHARCHIVE_FIXTURES.trimmedPayloads), ...damagedLines(2000)]) {
      const b = Buffer.concat([Buffer.from('  '), line, Buffer.from('\r\n')]);
      const i = b.indexOf('{');
      if (i < 0) continue;
      const j = hashing.readObject(b, i);
      if (j < 0) {
        expect(hashing.nativeHash(b, i, j)).toBeUndefined();
        continue;
      }
      expect(hashing.nativeHash(b, i, j)?.toString('latin1')).toBe(sha256(b.subarray(i, j)));
      // another range, or another buffer with the same bytes, is not what was hashed
      expect(hashing.nativeHash(b, i, j - 1)).toBeUndefined();
      expect(hashing.nativeHash(Buffer.from(b), i, j)).toBeUndefined();
      hashed++;
    }
    expect(hashed).toBeGreaterThan(8000);
    // a reader without the option, and the JavaScript pass, leave hashing to the caller
    const b = Buffer.from('{"id":"1"}\n');
    expect(READERS.native.readObject(b, 0)).toBe(10);
    expect(READERS.native.nativeHash(b, 0, 10)).toBeUndefined();
    const js = new JsonReader(EVENT_FIELDS, SLOT_COUNT, { native: false, sha256: true });
    expect(js.readObject(b, 0)).toBe(10);
    expect(js.nativeHash(b, 0, 10)).toBeUndefined();
  });

  it('agree where the buffer has no newline after the object (the native pass reads a copy), on other members and escaped keys', () => {
    const cases = [
      '{"id":"1","type":"PushEvent","extra":{"a":[1,2]},"more":true}',
      '{"pay\\u006coad":{"issue":{"id":4}},"id":"5"}',
      '{"payload":{"issue":{"id":1,"user":{"id":2}},"issue":{"number":3}},"payload":{"issue":{"id":9}}}',
      '{"actor":{"login":"a\\"b","id":7},"x\\u0041":1}',
      '{"id":"1"',
    ];
    for (const text of cases) {
      for (const b of [Buffer.from(text), Buffer.from(`  ${text}\n`)]) {
        const i = b.indexOf('{');
        expect(readWith(READERS.native, b, i)).toEqual(readWith(READERS.JavaScript, b, i));
      }
    }
    // an object that ends exactly at the buffer's end, without a newline
    const b = Buffer.from('{"id":"12","type":"WatchEvent"}');
    expect(READERS.native.readObject(b, 0)).toBe(b.length);
    expect(READERS.native.str(slotOfPath('type'))).toBe('WatchEvent');
  });
});

function slotOfPath(path: string): number {
  return EVENT_FIELDS.flatMap(function all(n): FieldNode[] {
    return [n, ...n.children.flatMap(all)];
  }).find((n) => n.path === path)!.slot;
}
