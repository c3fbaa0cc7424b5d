/**
 * One archive line → events, or quarantine entries with a stable reason, read straight from the
 * decompressed bytes (json-reader.ts): no JSON.parse on the way of a valid event. Every known
 * defect of the real archive (docs/transform.md, "Defects of the real archive") has its branch here:
 *
 * - `}{`: several objects on one line → each is its own event (fragment 1, 2, ...), hashed on
 *   its own bytes; a fragment that is not a valid event is quarantined alone.
 * - NUL bytes: removed; a line that then reads is kept (its hash is of the bytes without the
 *   NULs, so a damaged copy of an event hashes like its clean copy), else `nul_bytes`.
 * - an event cut and spliced into the next line: the complete event at the end of the line is
 *   recovered (fragment 2) and the cut-off start quarantined as `spliced_event` (fragment 1).
 * - invalid JSON `invalid_json`; an unterminated last line that does not read, or any last line
 *   cut by gzip damage, `truncated_line`.
 * - no `id`/`type`/parseable `created_at`: `missing_id`, `invalid_id`, `missing_type`,
 *   `missing_created_at`, `invalid_created_at`.
 * - pre-2015 Timeline API lines (timeline.ts) are events with a synthetic negative `event_id`; a
 *   line with Timeline members that is in neither layout (an `actor` object beside
 *   `actor_attributes`, no `id`) is `timeline_format`.
 * - bytes that are not UTF-8 `invalid_utf8` (the payload could not be kept byte-exact as text).
 * A missing actor, repo or org is not an error: those columns are NULL.
 *
 * Only a line that is NOT a valid event goes through JSON.parse: to phrase the quarantine detail
 * exactly as the parser does (and, should the reader and the parser ever disagree on validity,
 * to stop the hour loudly rather than keep a wrong row).
 */
import { hash } from 'node:crypto';
import { isUtf8, constants as bufferConstants } from 'node:buffer';
import { EVENT_FIELDS, SLOT_COUNT, slotOf } from './event-fields.js';
import { JsonReader, KIND_ABSENT, KIND_NULL, KIND_NUMBER, KIND_STRING, type StringSink } from './json-reader.js';
import { parseTimestampBytes, parseTimestampMs } from './timestamps.js';
import { ERA_EVENTS_API, ERA_TIMELINE, hasTimelineMembers, isTimelineLayout, syntheticEventId, type Era } from './timeline.js';

export const QUARANTINE_REASONS = [
  'invalid_json',
  'truncated_line',
  'spliced_event',
  'nul_bytes',
  'invalid_utf8',
  'line_too_long',
  'not_an_object',
  'missing_id',
  'invalid_id',
  'missing_type',
  'missing_created_at',
  'invalid_created_at',
  'timeline_format',
  // Not a line: where the gzip stream is damaged, and what follows (one row per damaged hour; read-raw.ts).
  'gzip_damage',
] as const;
export type QuarantineReason = (typeof QUARANTINE_REASONS)[number];

/**
 * `event_hash`: SHA-256 of the event object's exact bytes (docs/transform.md, "event_hash"):
 * measured fastest of MD5, SHA-1, SHA-256 and XXH3-128 here, and any SQL engine can recompute it.
 */
export const EVENT_HASH_ALGORITHM = 'sha256';

export interface QuarantinedFragment {
  sourceLine: number;
  fragment: number;
  reason: QuarantineReason;
  detail: string | null;
  /** The exact bytes: the whole line (fragment 0) or the fragment's bytes. */
  raw: Buffer;
}

/**
 * The event just read, as every table sees it. Valid only during the sink's `event` call: the
 * reader reuses it for the next event. Values beyond the identity are in `fields` (slots of
 * event-fields.ts), decoded on demand.
 */
export interface EventView {
  readonly sourceLine: number;
  /** 0 for a line holding one object; n for the n-th object of a line that held several. */
  readonly fragment: number;
  readonly eventId: number | bigint;
  /** The layout the line was read in: Events API, or the pre-2015 Timeline API (timeline.ts). */
  readonly era: Era;
  readonly eventType: string;
  readonly createdAtMs: number;
  /** hex `event_hash` of the object's exact bytes. */
  readonly hash: string;
  /** Add `hash` to a column (as bytes when the native pass made it: no string). */
  pushHash(column: StringSink): void;
  /** The object's bytes are fields.buf[objStart, objEnd). */
  readonly objStart: number;
  readonly objEnd: number;
  readonly fields: JsonReader;
  /** Set by the hour's transform: an earlier event of the hour had the same dedup key. */
  duplicate: boolean;
  /** Unknown top-level members as a JSON object text, each `"key":value` as it stood; null when none. */
  otherText(): string | null;
}

export interface LineSink {
  event(ev: EventView): void;
  quarantine(q: QuarantinedFragment): void;
}

/** What a line gave, for the hour's accounting. */
export interface LineResult {
  blank: boolean;
  events: number;
  quarantined: number;
  /** The first event's fragment (0 for a plain line). */
  firstFragment: number;
  nulBytesRemoved: number;
}

export interface LineContext {
  /** false for bytes after the last newline of the file. */
  terminated: boolean;
  /** The decompressed stream ended in damage right after this (unterminated) line. */
  cutByDamage: boolean;
  /** The caller checked these bytes already: no NUL byte among them. */
  knownNulFree: boolean;
  /** The caller checked these bytes already: valid UTF-8. */
  knownUtf8: boolean;
}

const ID = slotOf('id');
const TYPE = slotOf('type');
const CREATED_AT = slotOf('created_at');

/** Candidate starts tried when looking for a complete event spliced after a cut one. */
const MAX_SPLICE_CANDIDATES = 256;

function isBlank(b: Buffer, s: number, e: number): boolean {
  for (let i = s; i < e; i++) {
    const c = b[i]!;
    if (c !== 32 && c !== 13 && c !== 9) return false;
  }
  return true;
}

function skipSpace(b: Buffer, i: number): number {
  let c = b[i];
  while (c === 32 || c === 9 || c === 13) c = b[++i];
  return i;
}

/** A copy of b[s, e) followed by a sentinel newline (what the JSON reader needs after its bytes). */
function withSentinel(b: Buffer, s: number, e: number): Buffer {
  const out = Buffer.allocUnsafe(e - s + 1);
  b.copy(out, 0, s, e);
  out[e - s] = 10;
  return out;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Interned event types: a handful of names, read from bytes without making a string per event. */
class TypeNames {
  private readonly names: { bytes: Buffer; name: string }[] = [];

  get(b: Buffer, s: number, e: number): string {
    const len = e - s;
    for (const n of this.names) {
      const nb = n.bytes;
      if (nb.length !== len) continue;
      let j = 0;
      while (j < len && nb[j] === b[s + j]) j++;
      if (j === len) return n.name;
    }
    const name = b.toString('utf8', s, e);
    if (this.names.length < 256) this.names.push({ bytes: Buffer.from(b.subarray(s, e)), name });
    return name;
  }
}

/** Events API event ids: a numeric string (or a non-negative safe integer). undefined: invalid. */
function eventIdOf(f: JsonReader): number | bigint | undefined {
  const kind = f.kindOf(ID);
  const b = f.buf;
  const s = f.start[ID]!;
  const e = f.end[ID]!;
  if (kind === KIND_STRING) {
    let digits: string | undefined;
    if (f.escaped[ID] === 1) digits = JSON.parse(b.toString('utf8', s, e)) as string;
    else {
      const len = e - s - 2;
      if (len >= 1 && len <= 15) {
        let n = 0;
        for (let i = s + 1; i < e - 1; i++) {
          const d = b[i]! - 48;
          if (d < 0 || d > 9) return undefined;
          n = n * 10 + d;
        }
        return n;
      }
      digits = b.toString('latin1', s + 1, e - 1);
    }
    if (digits.length === 0 || digits.length > 19 || !/^\d+$/.test(digits)) return undefined;
    const n = Number(digits);
    if (Number.isSafeInteger(n)) return n;
    const big = BigInt(digits);
    return big <= 9223372036854775807n ? big : undefined;
  }
  if (kind === KIND_NUMBER) {
    const n = f.num(ID)!;
    return Number.isSafeInteger(n) && n >= 0 ? n : undefined;
  }
  return undefined;
}

export interface EventReaderOptions {
  /** `event_hash`'s algorithm (node:crypto name). Default EVENT_HASH_ALGORITHM. */
  hashAlgorithm?: string;
}

/** Reads lines into events; one per hour transform (it holds the reusable event view). */
export class EventReader implements EventView {
  readonly fields: JsonReader;
  private readonly types = new TypeNames();
  private readonly hashAlgorithm: string;
  private readonly result: LineResult = { blank: false, events: 0, quarantined: 0, firstFragment: 0, nulBytesRemoved: 0 };

  // the current event (EventView)
  sourceLine = 0;
  fragment = 0;
  eventId: number | bigint = 0;
  era: Era = ERA_EVENTS_API;
  eventType = '';
  createdAtMs = 0;
  /** The current event's hash: hex bytes from the native pass, or its text. */
  private hashBytes: Buffer | undefined;
  private hashText: string | undefined;
  objStart = 0;
  objEnd = 0;
  duplicate = false;

  constructor(options: EventReaderOptions = {}) {
    this.hashAlgorithm = options.hashAlgorithm ?? EVENT_HASH_ALGORITHM;
    this.fields = new JsonReader(EVENT_FIELDS, SLOT_COUNT, { sha256: this.hashAlgorithm === 'sha256' });
  }

  get hash(): string {
    return (this.hashText ??= this.hashBytes!.toString('latin1'));
  }

  pushHash(column: StringSink): void {
    if (this.hashBytes !== undefined) column.pushBytes(this.hashBytes, 0, 64);
    else column.pushString(this.hashText!);
  }

  otherText(): string | null {
    const o = this.fields.other;
    if (o.length === 0) return null;
    const b = this.fields.buf;
    const parts: string[] = [];
    for (let k = 0; k < o.length; k += 4) parts.push(`${b.toString('utf8', o[k]!, o[k + 1]!)}:${b.toString('utf8', o[k + 2]!, o[k + 3]!)}`);
    return `{${parts.join(',')}}`;
  }

  /**
   * Read the line b[s, e) (b[e] must be a newline or a sentinel one). Events and quarantine
   * entries go to the sink as they are found; the result says what the line gave.
   */
  readLine(b: Buffer, s: number, e: number, lineNo: number, ctx: LineContext, sink: LineSink): LineResult {
    const r = this.result;
    r.blank = false;
    r.events = 0;
    r.quarantined = 0;
    r.firstFragment = 0;
    r.nulBytesRemoved = 0;
    if (isBlank(b, s, e)) {
      r.blank = true;
      return r;
    }
    if (ctx.cutByDamage) return this.quarantineLine(b, s, e, lineNo, 'truncated_line', 'last line before gzip damage: may be incomplete', sink);

    let bytes = b;
    let bs = s;
    let be = e;
    if (!ctx.knownNulFree && b.subarray(s, e).indexOf(0) !== -1) {
      bytes = stripNul(b, s, e);
      bs = 0;
      be = bytes.length - 1;
      r.nulBytesRemoved = e - s - be;
      if (isBlank(bytes, bs, be)) return this.quarantineLine(b, s, e, lineNo, 'nul_bytes', 'the line holds only NUL bytes', sink);
    }
    if (!(ctx.knownUtf8 && bytes === b) && !isUtf8(bytes.subarray(bs, be)))
      return this.quarantineLine(b, s, e, lineNo, 'invalid_utf8', 'the line is not valid UTF-8', sink);
    if (be - bs > bufferConstants.MAX_STRING_LENGTH) {
      // Kept as before the byte reader: a line no JavaScript string can hold is not read.
      try {
        bytes.toString('utf8', bs, be);
      } catch (error) {
        return this.quarantineLine(b, s, e, lineNo, 'line_too_long', errorMessage(error), sink);
      }
    }

    const f = this.fields;
    const i = skipSpace(bytes, bs);
    if (bytes[i] === 123) {
      const j = f.readObject(bytes, i);
      if (j >= 0 && skipSpace(bytes, j) === be) {
        const reason = this.makeEvent(i, j, lineNo, 0);
        if (reason === undefined) {
          r.events = 1;
          sink.event(this);
          return r;
        }
        return this.quarantineLine(b, s, e, lineNo, reason, this.detailFor(reason, bytes, i, j), sink);
      }
    } else if (i < be) {
      const j = f.skipAny(bytes, i);
      if (j >= 0 && skipSpace(bytes, j) === be) {
        return this.quarantineLine(b, s, e, lineNo, 'not_an_object', this.detailFor('not_an_object', bytes, i, j), sink);
      }
    }
    return this.damagedLine(b, s, e, bytes, bs, be, lineNo, ctx, sink);
  }

  private quarantineLine(b: Buffer, s: number, e: number, lineNo: number, reason: QuarantineReason, detail: string | null, sink: LineSink): LineResult {
    this.result.quarantined++;
    sink.quarantine({ sourceLine: lineNo, fragment: 0, reason, detail, raw: Buffer.from(b.subarray(s, e)) });
    return this.result;
  }

  /**
   * The object just read (fields filled, bytes fields.buf[objStart, objEnd)) as the current event;
   * a reason when it is not a valid event.
   */
  private makeEvent(objStart: number, objEnd: number, lineNo: number, fragment: number): QuarantineReason | undefined {
    const f = this.fields;
    const b = f.buf;
    const idKind = f.kindOf(ID);
    const noId = idKind === KIND_ABSENT || idKind === KIND_NULL;
    // Only a line without an id is looked at for the Timeline layout: the Events API hot path pays nothing.
    const timeline = noId && isTimelineLayout(f);
    if (noId && !timeline) return hasTimelineMembers(f) ? 'timeline_format' : 'missing_id';
    const eventId = timeline ? 0 : eventIdOf(f);
    if (eventId === undefined) return 'invalid_id';
    if (f.kindOf(TYPE) !== KIND_STRING || f.end[TYPE]! - f.start[TYPE]! === 2) return 'missing_type';
    const eventType = f.escaped[TYPE] === 1 ? f.str(TYPE)! : this.types.get(b, f.start[TYPE]! + 1, f.end[TYPE]! - 1);
    const createdKind = f.kindOf(CREATED_AT);
    if (createdKind === KIND_ABSENT || createdKind === KIND_NULL) return 'missing_created_at';
    let createdAtMs = Number.NaN;
    if (createdKind === KIND_STRING) {
      const cs = f.start[CREATED_AT]!;
      const ce = f.end[CREATED_AT]!;
      createdAtMs = f.escaped[CREATED_AT] === 1 ? Number.NaN : parseTimestampBytes(b, cs + 1, ce - 1);
      if (Number.isNaN(createdAtMs)) createdAtMs = parseTimestampMs(f.str(CREATED_AT)!);
    }
    if (Number.isNaN(createdAtMs)) return 'invalid_created_at';
    this.sourceLine = lineNo;
    this.fragment = fragment;
    this.eventId = timeline ? syntheticEventId(f, createdAtMs) : eventId;
    this.era = timeline ? ERA_TIMELINE : ERA_EVENTS_API;
    this.eventType = eventType;
    this.createdAtMs = createdAtMs;
    this.objStart = objStart;
    this.objEnd = objEnd;
    this.duplicate = false;
    // The object from its `{` to its `}`: not the whitespace or `\r` around it (hashed by the native pass when it read exactly these bytes).
    this.hashBytes = f.nativeHash(b, objStart, objEnd);
    this.hashText = this.hashBytes === undefined ? hash(this.hashAlgorithm, b.subarray(objStart, objEnd), 'hex') : undefined;
    return undefined;
  }

  /** The detail of a quarantine reason, phrased from the parsed value (rare: only for lines that are not events). */
  private detailFor(reason: QuarantineReason, b: Buffer, s: number, e: number): string | null {
    const value = JSON.parse(b.toString('utf8', s, e)) as unknown;
    const o = value as Record<string, unknown> | null;
    switch (reason) {
      case 'not_an_object':
        return `a JSON ${Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value} instead of an event object`;
      case 'timeline_format':
        return `no id, Timeline members (actor_attributes/repository) but an actor ${JSON.stringify(o?.actor)?.slice(0, 80)} that is not a login string: neither the Events API nor the Timeline layout`;
      case 'invalid_id':
        return `id ${JSON.stringify(o?.id)} is not a non-negative integer`;
      case 'invalid_created_at':
        return `created_at ${JSON.stringify(o?.created_at)} is not an ISO-8601 timestamp`;
      default:
        return null;
    }
  }

  /** The parser's own message for bytes the reader found invalid (and a loud stop if it disagrees). */
  private parseError(b: Buffer, s: number, e: number): string {
    try {
      JSON.parse(b.toString('utf8', s, e));
    } catch (error) {
      return errorMessage(error);
    }
    throw new Error(`json-reader: bytes rejected by the reader are valid JSON (a reader bug): ${b.toString('utf8', s, Math.min(e, s + 200))}`);
  }

  /** The line is not one JSON value: `}{`, a splice, or plain damage. */
  private damagedLine(b: Buffer, s: number, e: number, bytes: Buffer, bs: number, be: number, lineNo: number, ctx: LineContext, sink: LineSink): LineResult {
    const r = this.result;
    const parseError = this.parseError(bytes, bs, be);
    const parts = splitObjects(bytes, bs, be);
    if (parts && parts.length >= 4) {
      const quarantined: QuarantinedFragment[] = [];
      for (let k = 0; k < parts.length; k += 2) {
        const fragment = k / 2 + 1;
        const piece = withSentinel(bytes, parts[k]!, parts[k + 1]!);
        const len = piece.length - 1;
        const reason = this.fields.readObject(piece, 0) === len ? this.makeEvent(0, len, lineNo, fragment) : 'invalid_json';
        if (reason === undefined) {
          if (r.events++ === 0) r.firstFragment = fragment;
          sink.event(this);
        } else {
          const detail = reason === 'invalid_json' ? this.parseError(piece, 0, len) : this.detailFor(reason, piece, 0, len);
          quarantined.push({ sourceLine: lineNo, fragment, reason, detail, raw: Buffer.from(piece.subarray(0, len)) });
        }
      }
      for (const q of quarantined) {
        r.quarantined++;
        sink.quarantine(q);
      }
      return r;
    }

    const cut = this.findSplice(bytes, bs, be, lineNo);
    if (cut !== undefined) {
      const tail = splitObjects(bytes, cut, be)!;
      for (let k = 0; k < tail.length; k += 2) {
        const piece = withSentinel(bytes, tail[k]!, tail[k + 1]!);
        this.fields.readObject(piece, 0);
        this.makeEvent(0, piece.length - 1, lineNo, k / 2 + 2);
        if (r.events++ === 0) r.firstFragment = k / 2 + 2;
        sink.event(this);
      }
      r.quarantined++;
      sink.quarantine({
        sourceLine: lineNo,
        fragment: 1,
        reason: 'spliced_event',
        detail: `an event cut after ${bytes.toString('utf8', bs, cut).length} characters, followed by a complete event`,
        raw: Buffer.from(bytes.subarray(bs, cut)),
      });
      return r;
    }
    const nul = r.nulBytesRemoved;
    const reason: QuarantineReason = nul > 0 ? 'nul_bytes' : !ctx.terminated ? 'truncated_line' : 'invalid_json';
    const detail = nul > 0 ? `${nul} NUL bytes removed, still invalid: ${parseError}` : parseError;
    return this.quarantineLine(b, s, e, lineNo, reason, detail, sink);
  }

  /**
   * An event cut mid-string and continued by the next event on the same line (2017-11-08-1):
   * the earliest `{"` after which the rest of the line is one or more complete, valid events.
   */
  private findSplice(bytes: Buffer, bs: number, be: number, lineNo: number): number | undefined {
    const line = bytes.subarray(bs, be);
    let tries = 0;
    for (let p = line.indexOf('{"', 1); p !== -1 && tries < MAX_SPLICE_CANDIDATES; p = line.indexOf('{"', p + 1), tries++) {
      const parts = splitObjects(bytes, bs + p, be);
      if (!parts) continue;
      let ok = true;
      for (let k = 0; k < parts.length && ok; k += 2) {
        const piece = withSentinel(bytes, parts[k]!, parts[k + 1]!);
        const len = piece.length - 1;
        ok = this.fields.readObject(piece, 0) === len && this.makeEvent(0, len, lineNo, k / 2 + 2) === undefined;
      }
      if (ok) return bs + p;
    }
    return undefined;
  }
}

/** The bytes of b[s, e) without their NUL bytes, followed by a sentinel newline. */
function stripNul(b: Buffer, s: number, e: number): Buffer {
  const out = Buffer.allocUnsafe(e - s + 1);
  let n = 0;
  for (let i = s; i < e; i++) {
    const c = b[i]!;
    if (c !== 0) out[n++] = c;
  }
  out[n++] = 10;
  return out.subarray(0, n);
}

/** `i` at an opening quote; the index past the closing quote (not validating), or -1. */
function skipQuoted(b: Buffer, i: number, e: number): number {
  let j = b.indexOf(34, i + 1);
  while (j !== -1 && j < e) {
    // An escaped quote has an odd number of backslashes before it.
    let k = j - 1;
    while (b[k] === 92) k--;
    if ((j - 1 - k) % 2 === 0) return j + 1;
    j = b.indexOf(34, j + 1);
  }
  return -1;
}

/**
 * Split b[s, e) when it holds several top-level objects back to back (`{...}{...}`, GH Archive
 * 2011-2012): [start, end) pairs, flat, of each balanced object (not validated), or undefined when
 * the bytes are not a clean sequence of balanced objects separated by nothing but whitespace.
 */
export function splitObjects(b: Buffer, s: number, e: number): number[] | undefined {
  const out: number[] = [];
  let i = skipSpace(b, s);
  while (i < e) {
    if (b[i] !== 123) return undefined;
    let depth = 0;
    let j = i;
    let end = -1;
    while (j < e) {
      const c = b[j]!;
      if (c === 34) {
        j = skipQuoted(b, j, e);
        if (j === -1) return undefined;
        continue;
      }
      if (c === 123 || c === 91) depth++;
      else if (c === 125 || c === 93) {
        depth--;
        if (depth === 0) {
          end = j + 1;
          break;
        }
      }
      j++;
    }
    if (end === -1) return undefined;
    out.push(i, end);
    i = skipSpace(b, end);
  }
  return out.length > 0 ? out : undefined;
}
