/**
 * An on-demand JSON reader over bytes: one pass over a line VALIDATES it completely — structure,
 * string escapes, control characters, number grammar; UTF-8 is checked natively by the caller
 * (`isUtf8`) — and records, for every member of a field tree (event-fields.ts) that it meets,
 * where the value starts and ends and its JSON type. Nothing is decoded while reading; the
 * decoders below turn a slot into a number, string or boolean only when a column asks for it.
 *
 * It accepts exactly what `JSON.parse` accepts (the differential and mutation tests hold it to
 * that), with the same meaning: a key that appears twice keeps its last value, escaped keys
 * (`"pay\u006coad"`) are the key they decode to.
 *
 * The bytes it reads must be followed by a `\n` (the line splitter guarantees it: every line is
 * handed over with its newline or a sentinel one). A newline is not valid inside any JSON token
 * and lines never contain one, so every loop stops there without a bounds check.
 *
 * `readObject` runs in C when the native reader is built (native-reader.ts): the same pass with the
 * same results into the same slot arrays (shared memory); on a trimmed hour it fell from ~10% of the
 * transform's CPU to ~3.5% (docs/bench-silver.md). This JavaScript pass is its fallback (no compiler
 * at install) and its reference in the differential tests.
 */
import type { FieldNode } from './event-fields.js';
import { nativeJsonReader, type NativeJsonReaderBinding } from './native-reader.js';

export const KIND_ABSENT = 0;
export const KIND_OBJECT = 1;
export const KIND_ARRAY = 2;
export const KIND_STRING = 3;
export const KIND_NUMBER = 4;
export const KIND_TRUE = 5;
export const KIND_FALSE = 6;
export const KIND_NULL = 7;

/** What a text column takes (core's BytesColumn and DictColumn). */
export interface StringSink {
  pushBytes(src: Uint8Array, start: number, end: number): void;
  pushString(v: string | null): void;
  pushNull(): void;
}

/** A text column that can point into a buffer instead of copying (core's BytesColumn and DictColumn). */
export interface RefSink {
  pushRef(src: Uint8Array, start: number, end: number): void;
  pushNull(): void;
}

const QUOTE = 34;
const BACKSLASH = 92;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const OPEN_BRACKET = 91;
const COMMA = 44;
const COLON = 58;

/** Characters allowed after a backslash (besides `u`). */
const ESCAPE = new Uint8Array(256);
for (const c of '"\\/bfnrt') ESCAPE[c.charCodeAt(0)] = 1;
const HEX = new Uint8Array(256);
for (const c of '0123456789abcdefABCDEF') HEX[c.charCodeAt(0)] = 1;

/** A field tree compiled for matching key bytes: a small hash table of children per node. */
interface Compiled {
  slot: number;
  subtreeEnd: number;
  name: Uint8Array;
  key: string;
  ownColumn: boolean;
  /** Children by bucket; null for a leaf. */
  table: (Compiled[] | undefined)[] | null;
}

const BUCKETS = 64;

function bucketOf(len: number, first: number, last: number): number {
  return (len * 7 + first * 3 + last) & (BUCKETS - 1);
}

function compile(nodes: readonly FieldNode[]): (Compiled[] | undefined)[] {
  const table: (Compiled[] | undefined)[] = new Array<Compiled[] | undefined>(BUCKETS).fill(undefined);
  for (const n of nodes) {
    const name = Buffer.from(n.key, 'latin1');
    const c: Compiled = {
      slot: n.slot,
      subtreeEnd: n.subtreeEnd,
      name,
      key: n.key,
      ownColumn: n.ownColumn,
      table: n.children.length > 0 ? compile(n.children) : null,
    };
    const b = bucketOf(name.length, name[0]!, name[name.length - 1]!);
    (table[b] ??= []).push(c);
  }
  return table;
}

/** The member of `table` whose key is the unescaped key bytes b[ks+1, ke-1), or null. */
function match(b: Uint8Array, ks: number, ke: number, table: (Compiled[] | undefined)[]): Compiled | null {
  const len = ke - ks - 2;
  if (len <= 0) return null;
  const list = table[bucketOf(len, b[ks + 1]!, b[ke - 2]!)];
  if (list === undefined) return null;
  for (let k = 0; k < list.length; k++) {
    const c = list[k]!;
    const name = c.name;
    if (name.length !== len) continue;
    let j = 0;
    while (j < len && name[j] === b[ks + 1 + j]) j++;
    if (j === len) return c;
  }
  return null;
}

export interface JsonReaderOptions {
  /** Read with the native reader when it is built (default true); false: always JavaScript (the differential tests' reference). */
  native?: boolean;
  /** The native pass also hashes every valid object it reads (SHA-256, hex: `event_hash`; see `nativeHash`). */
  sha256?: boolean;
}

/** Shared state cells: the current read's generation, how many `other` members the native pass found, whether it hashed the object. */
const STATE_GEN = 0;
const STATE_OTHER = 1;
const STATE_HASHED = 2;

/** The field tree in depth-first order, flattened for the native reader (parents before children). */
function flatten(nodes: readonly FieldNode[]) {
  const keys: string[] = [];
  const slots: number[] = [];
  const ends: number[] = [];
  const own: number[] = [];
  const parents: number[] = [];
  (function walk(list: readonly FieldNode[], parent: number) {
    for (const n of list) {
      const k = keys.length;
      keys.push(n.key);
      slots.push(n.slot);
      ends.push(n.subtreeEnd);
      own.push(n.ownColumn ? 1 : 0);
      parents.push(parent);
      walk(n.children, k);
    }
  })(nodes, -1);
  return { keys, slots: Int32Array.from(slots), ends: Int32Array.from(ends), own: Uint8Array.from(own), parents: Int32Array.from(parents) };
}

/**
 * Reads one JSON value at a time from a byte buffer, recording the members of its field tree.
 * One instance per worker; slot values are valid until the next `readObject`.
 */
export class JsonReader {
  /** The buffer of the value read last. */
  buf: Buffer = Buffer.alloc(0);
  readonly kind: Uint8Array;
  readonly start: Int32Array;
  readonly end: Int32Array;
  /** 1 when the string value holds a backslash escape (decoded through JSON.parse). */
  readonly escaped: Uint8Array;
  /** A slot holds a value of the current read when its stamp equals the generation (state[STATE_GEN]). */
  private readonly stamp: Int32Array;
  private readonly state: Int32Array;
  private readonly root: (Compiled[] | undefined)[];
  private readonly binding: NativeJsonReaderBinding | undefined;
  private readonly handle: object | undefined;
  /** The hex SHA-256 of the last object the native pass read and hashed (shared memory; see nativeHash). */
  private readonly hashHex: Buffer | undefined;
  /** The range of the last readObject: [lastStart, lastEnd) of buf. */
  private lastStart = -1;
  private lastEnd = -1;
  private stack = new Uint8Array(64);
  /** Set by skipString: the string just skipped held an escape. */
  private lastEscaped = false;
  /**
   * Top-level members without a column of their own, as [keyStart, keyEnd, valueStart, valueEnd]
   * quadruples (bronze keeps them in `other`).
   */
  readonly other: number[] = [];

  constructor(fields: readonly FieldNode[], slotCount: number, options: JsonReaderOptions = {}) {
    this.root = compile(fields);
    this.binding = options.native === false ? undefined : nativeJsonReader();
    if (this.binding !== undefined) {
      const f = flatten(fields);
      const { handle, memory, sha256, layout } = this.binding.create(f.keys, f.slots, f.ends, f.own, f.parents, slotCount, options.sha256 === true);
      this.handle = handle;
      // Views of the memory the native pass writes, where it says they are.
      this.kind = new Uint8Array(memory, layout.kind, slotCount);
      this.escaped = new Uint8Array(memory, layout.escaped, slotCount);
      this.start = new Int32Array(memory, layout.start, slotCount);
      this.end = new Int32Array(memory, layout.end, slotCount);
      this.stamp = new Int32Array(memory, layout.stamp, slotCount);
      this.state = new Int32Array(memory, layout.state, 4);
      if (sha256) this.hashHex = Buffer.from(memory, layout.hash, 64);
    } else {
      this.kind = new Uint8Array(slotCount);
      this.start = new Int32Array(slotCount);
      this.end = new Int32Array(slotCount);
      this.escaped = new Uint8Array(slotCount);
      this.stamp = new Int32Array(slotCount);
      this.state = new Int32Array(4);
    }
  }

  /** Does this reader run the native pass? */
  get native(): boolean {
    return this.binding !== undefined;
  }

  /** The native pass's handle (other native parts read the slots of the last read through it), when it runs. */
  get nativeHandle(): object | undefined {
    return this.handle;
  }

  /**
   * Read the object whose `{` is at `i`: returns the index just past its `}`, or -1 when the bytes
   * are not a valid JSON object there. Slots of the field tree are filled as met.
   */
  readObject(buf: Buffer, i: number): number {
    this.buf = buf;
    this.other.length = 0;
    this.lastStart = i;
    if (this.binding !== undefined) {
      const j = this.binding.readObject(this.handle!, buf, i);
      if (this.state[STATE_OTHER]! > 0) for (const v of this.binding.other(this.handle!)) this.other.push(v);
      return (this.lastEnd = j);
    }
    this.nextGen();
    return (this.lastEnd = this.scanObject(buf, i, this.root, true));
  }

  /**
   * The hex SHA-256 (64 ASCII bytes) of buf[s, e) when the native pass hashed exactly those bytes in the last
   * read (a reader made with `sha256`), else undefined: the caller hashes. Valid until the next read.
   */
  nativeHash(buf: Buffer, s: number, e: number): Buffer | undefined {
    return this.hashHex !== undefined && this.state[STATE_HASHED] === 1 && buf === this.buf && s === this.lastStart && e === this.lastEnd
      ? this.hashHex
      : undefined;
  }

  private nextGen(): void {
    const state = this.state;
    if (++state[STATE_GEN]! === 0) {
      // wrapped after 2^32 reads: no stamp may still equal the new generation
      this.stamp.fill(0);
      state[STATE_GEN] = 1;
    }
  }

  /** Skip any JSON value at `i` (validating it); returns the index past it or -1. */
  skipAny(buf: Buffer, i: number): number {
    return this.skipValue(buf, i, buf[i]!);
  }

  /** The JSON type of the slot's value in the current read (KIND_ABSENT when the member is absent). */
  kindOf(slot: number): number {
    return this.stamp[slot] === this.state[STATE_GEN] ? this.kind[slot]! : KIND_ABSENT;
  }

  private scanObject(b: Buffer, i: number, table: (Compiled[] | undefined)[] | null, top: boolean): number {
    let c = b[++i]!;
    while (c === 32 || c === 9 || c === 13) c = b[++i]!;
    if (c === CLOSE_BRACE) return i + 1;
    for (;;) {
      if (c !== QUOTE) return -1;
      const ks = i;
      i = this.skipString(b, i);
      if (i < 0) return -1;
      const ke = i;
      const keyEscaped = this.lastEscaped;
      c = b[i]!;
      while (c === 32 || c === 9 || c === 13) c = b[++i]!;
      if (c !== COLON) return -1;
      c = b[++i]!;
      while (c === 32 || c === 9 || c === 13) c = b[++i]!;
      const vs = i;
      const node = table === null ? null : keyEscaped ? this.matchEscaped(b, ks, ke, table) : match(b, ks, ke, table);
      if (node !== null) {
        const slot = node.slot;
        const stamp = this.stamp;
        // A key seen twice keeps its last value (as JSON.parse): forget what the earlier one recorded below it.
        const gen = this.state[STATE_GEN]!;
        if (stamp[slot] === gen) for (let s = slot + 1; s < node.subtreeEnd; s++) stamp[s] = 0;
        let kind: number;
        if (c === OPEN_BRACE && node.table !== null) {
          i = this.scanObject(b, i, node.table, false);
          kind = KIND_OBJECT;
        } else {
          i = this.skipValue(b, i, c);
          kind = kindOfByte(c);
        }
        if (i < 0) return -1;
        this.kind[slot] = kind;
        this.start[slot] = vs;
        this.end[slot] = i;
        this.escaped[slot] = kind === KIND_STRING && this.lastEscaped ? 1 : 0;
        stamp[slot] = gen;
      } else {
        i = this.skipValue(b, i, c);
        if (i < 0) return -1;
      }
      if (top && (node === null || !node.ownColumn)) this.other.push(ks, ke, vs, i);
      c = b[i]!;
      while (c === 32 || c === 9 || c === 13) c = b[++i]!;
      if (c === COMMA) {
        c = b[++i]!;
        while (c === 32 || c === 9 || c === 13) c = b[++i]!;
        continue;
      }
      if (c === CLOSE_BRACE) return i + 1;
      return -1;
    }
  }

  /** An escaped key: decoded (JSON.parse of the key's text) and looked up by name. Rare. */
  private matchEscaped(b: Buffer, ks: number, ke: number, table: (Compiled[] | undefined)[]): Compiled | null {
    const key = JSON.parse(b.toString('utf8', ks, ke)) as string;
    for (const list of table) {
      if (list === undefined) continue;
      for (const c of list) if (c.key === key) return c;
    }
    return null;
  }

  /** `i` at an opening quote: the index past the closing quote, or -1. Sets `lastEscaped`. */
  private skipString(b: Buffer, i: number): number {
    let escaped = false;
    i++;
    for (;;) {
      let c = b[i]!;
      while (c >= 0x20 && c !== QUOTE && c !== BACKSLASH) c = b[++i]!;
      if (c === QUOTE) {
        this.lastEscaped = escaped;
        return i + 1;
      }
      if (c !== BACKSLASH) return -1; // a control character (or the newline after the line)
      escaped = true;
      const d = b[i + 1]!;
      if (d === 117 /* u */) {
        if (HEX[b[i + 2]!] === 1 && HEX[b[i + 3]!] === 1 && HEX[b[i + 4]!] === 1 && HEX[b[i + 5]!] === 1) {
          i += 6;
          continue;
        }
        return -1;
      }
      if (ESCAPE[d] !== 1) return -1;
      i += 2;
    }
  }

  private skipValue(b: Buffer, i: number, c: number): number {
    if (c === QUOTE) return this.skipString(b, i);
    if (c === OPEN_BRACE || c === OPEN_BRACKET) return this.skipContainer(b, i);
    return skipLiteralOrNumber(b, i, c);
  }

  /** `i` at `{` or `[`: validate the whole container without recursion (any depth). */
  private skipContainer(b: Buffer, i: number): number {
    let stack = this.stack;
    let depth = 0;
    stack[depth++] = b[i]!;
    i++;
    let afterOpen = true;
    let c: number;
    for (;;) {
      c = b[i]!;
      while (c === 32 || c === 9 || c === 13) c = b[++i]!;
      if (afterOpen && c === stack[depth - 1]! + 2) {
        // `{}` / `[]` (the closing bracket is the opening one + 2 in ASCII)
        i++;
        if (--depth === 0) return i;
      } else {
        if (stack[depth - 1] === OPEN_BRACE) {
          if (c !== QUOTE) return -1;
          i = this.skipString(b, i);
          if (i < 0) return -1;
          c = b[i]!;
          while (c === 32 || c === 9 || c === 13) c = b[++i]!;
          if (c !== COLON) return -1;
          c = b[++i]!;
          while (c === 32 || c === 9 || c === 13) c = b[++i]!;
        }
        if (c === OPEN_BRACE || c === OPEN_BRACKET) {
          if (depth === stack.length) {
            const grown = new Uint8Array(stack.length * 2);
            grown.set(stack);
            this.stack = stack = grown;
          }
          stack[depth++] = c;
          i++;
          afterOpen = true;
          continue;
        }
        i = c === QUOTE ? this.skipString(b, i) : skipLiteralOrNumber(b, i, c);
        if (i < 0) return -1;
      }
      // after a value: `,` or the close of the enclosing container
      for (;;) {
        c = b[i]!;
        while (c === 32 || c === 9 || c === 13) c = b[++i]!;
        if (c === COMMA) {
          i++;
          afterOpen = false;
          break;
        }
        if (c === stack[depth - 1]! + 2) {
          i++;
          if (--depth === 0) return i;
          continue;
        }
        return -1;
      }
    }
  }

  // ---- decoders: a slot's value, only when a column asks ------------------------------------

  /** The string value (NULL for any other type). */
  str(slot: number): string | null {
    if (this.kindOf(slot) !== KIND_STRING) return null;
    const s = this.start[slot]!;
    const e = this.end[slot]!;
    if (this.escaped[slot] === 1) return JSON.parse(this.buf.toString('utf8', s, e)) as string;
    return this.buf.toString('utf8', s + 1, e - 1);
  }

  /** The number value as JSON.parse reads it (NULL for any other type). */
  num(slot: number): number | null {
    if (this.kindOf(slot) !== KIND_NUMBER) return null;
    return numberAt(this.buf, this.start[slot]!, this.end[slot]!);
  }

  /** An integer number (ids, counts); anything else is NULL, never coerced. */
  int(slot: number): number | null {
    if (this.kindOf(slot) !== KIND_NUMBER) return null;
    const v = numberAt(this.buf, this.start[slot]!, this.end[slot]!);
    return Number.isInteger(v) ? v : null;
  }

  bool(slot: number): boolean | null {
    const k = this.kindOf(slot);
    return k === KIND_TRUE ? true : k === KIND_FALSE ? false : null;
  }

  /**
   * Add the slot's string value to a column (NULL for any other type): the bytes between the
   * quotes as they stand (they are the string's UTF-8 when unescaped), decoded only when escaped.
   */
  pushStr(slot: number, column: StringSink): void {
    if (this.kindOf(slot) !== KIND_STRING) return column.pushNull();
    if (this.escaped[slot] === 1) return column.pushString(this.str(slot));
    column.pushBytes(this.buf, this.start[slot]! + 1, this.end[slot]! - 1);
  }

  /** Add the slot's value text, whatever its type, to a column (NULL when absent). */
  pushText(slot: number, column: StringSink): void {
    if (this.kindOf(slot) === KIND_ABSENT) return column.pushNull();
    column.pushBytes(this.buf, this.start[slot]!, this.end[slot]!);
  }

  /**
   * pushText, the row pointing into the read buffer instead of a copy (core's pushRef): for columns cleared before
   * the buffer is reused (bronze's row groups, which hold the payloads' chunks anyway).
   */
  pushTextRef(slot: number, column: RefSink): void {
    if (this.kindOf(slot) === KIND_ABSENT) return column.pushNull();
    column.pushRef(this.buf, this.start[slot]!, this.end[slot]!);
  }

  /** Is the slot's value the string `v`? Compares bytes, making no string (the common answer is yes). */
  strEquals(slot: number, v: string): boolean {
    if (this.kindOf(slot) !== KIND_STRING) return false;
    const s = this.start[slot]! + 1;
    const e = this.end[slot]! - 1;
    if (this.escaped[slot] === 1) return this.str(slot) === v;
    if (e - s !== v.length) return false;
    const b = this.buf;
    for (let k = 0; k < v.length; k++) {
      const c = b[s + k]!;
      // a byte beyond ASCII is part of a multi-byte character: compare decoded
      if (c >= 0x80) return this.str(slot) === v;
      if (c !== v.charCodeAt(k)) return false;
    }
    return true;
  }

  /** Byte length of the slot's value text (NULL when absent). */
  byteLength(slot: number): number | null {
    return this.kindOf(slot) === KIND_ABSENT ? null : this.end[slot]! - this.start[slot]!;
  }
}

function kindOfByte(c: number): number {
  switch (c) {
    case QUOTE:
      return KIND_STRING;
    case OPEN_BRACE:
      return KIND_OBJECT;
    case OPEN_BRACKET:
      return KIND_ARRAY;
    case 116:
      return KIND_TRUE;
    case 102:
      return KIND_FALSE;
    case 110:
      return KIND_NULL;
    default:
      return KIND_NUMBER;
  }
}

/** `true`, `false`, `null` or a number (JSON grammar: no leading zeros, no `+`, no bare `.`). */
function skipLiteralOrNumber(b: Buffer, i: number, c: number): number {
  if (c === 116) return b[i + 1] === 114 && b[i + 2] === 117 && b[i + 3] === 101 ? i + 4 : -1;
  if (c === 102) return b[i + 1] === 97 && b[i + 2] === 108 && b[i + 3] === 115 && b[i + 4] === 101 ? i + 5 : -1;
  if (c === 110) return b[i + 1] === 117 && b[i + 2] === 108 && b[i + 3] === 108 ? i + 4 : -1;
  if (c === 45) c = b[++i]!;
  if (c === 48) c = b[++i]!;
  else if (c >= 49 && c <= 57) {
    do c = b[++i]!;
    while (c >= 48 && c <= 57);
  } else return -1;
  if (c === 46) {
    c = b[++i]!;
    if (c < 48 || c > 57) return -1;
    do c = b[++i]!;
    while (c >= 48 && c <= 57);
  }
  if (c === 101 || c === 69) {
    c = b[++i]!;
    if (c === 43 || c === 45) c = b[++i]!;
    if (c < 48 || c > 57) return -1;
    do c = b[++i]!;
    while (c >= 48 && c <= 57);
  }
  return i;
}

/** The value of the (valid) JSON number text b[s, e), exactly as JSON.parse gives it. */
export function numberAt(b: Uint8Array, s: number, e: number): number {
  // Up to 15 digits, no sign, fraction or exponent: exact in a double, computed without a string.
  if (e - s <= 15) {
    let n = 0;
    let i = s;
    for (; i < e; i++) {
      const d = b[i]! - 48;
      if (d < 0 || d > 9) break;
      n = n * 10 + d;
    }
    if (i === e) return n;
  }
  return Number((b as Buffer).toString('latin1', s, e));
}
