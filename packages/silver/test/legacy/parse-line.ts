/** LEGACY reference (the JSON.parse path before issue 17), kept only for the differential test; deleted with it. */
/**
 * One archive line → events, or quarantine entries with a stable reason. Every known defect
 * of the real archive (spec/gharchive-facts.md) has its branch here:
 *
 * - `}{`: several objects on one line → each is its own event (fragment 1, 2, ...), hashed on
 *   its own bytes; a fragment that is not a valid event is quarantined alone.
 * - NUL bytes: removed; a line that then parses is kept (its hash is of the bytes without the
 *   NULs, so a damaged copy of an event hashes like its clean copy), else `nul_bytes`.
 * - an event cut and spliced into the next line: the complete event at the end of the line is
 *   recovered (fragment 2) and the cut-off start quarantined as `spliced_event` (fragment 1).
 * - invalid JSON `invalid_json`; an unterminated last line that does not parse, or any last line
 *   cut by gzip damage, `truncated_line`.
 * - no `id`/`type`/parseable `created_at`: `missing_id`, `invalid_id`, `missing_type`,
 *   `missing_created_at`, `invalid_created_at`; pre-2015 Timeline lines `timeline_format`.
 * - bytes that are not UTF-8 `invalid_utf8` (the payload could not be kept byte-exact as text).
 * A missing actor, repo or org is not an error: those columns are NULL.
 */
import { hash } from 'node:crypto';
import { isUtf8 } from 'node:buffer';
import { scanParsedObject, splitObjects } from './scan-event.js';
import { parseTimestampMs } from '@ghlake/bronze';

import type { QuarantineReason } from '@ghlake/bronze';
export type { QuarantineReason };

/** Top-level keys with a column of their own; any other key goes to `other`. */
const KNOWN_KEYS = new Set(['id', 'type', 'actor', 'repo', 'org', 'payload', 'public', 'created_at']);

/** An event object read from a line, with the raw text slices bronze keeps. */
export interface ParsedEvent {
  sourceLine: number;
  /** 0 for a line holding one object; n for the n-th object of a line that held several. */
  fragment: number;
  eventId: number | bigint;
  eventType: string;
  createdAtMs: number;
  /** The parsed object (silver reads actor/repo/org/payload from it). */
  obj: Record<string, unknown>;
  /**
   * The exact text of the `actor`, `repo` and `org` values as they stood in the line (decoded
   * from the line's bytes, never re-serialized). Strings: the writer dictionary-encodes them.
   */
  actorText: string | null;
  repoText: string | null;
  orgText: string | null;
  /**
   * The exact UTF-8 bytes of the `payload` value as it stood in the line: a zero-copy view of the
   * decompressed bytes, handed to the Parquet writer as it is (never decoded, re-encoded or
   * re-serialized). `textOf` turns it into a string.
   */
  payloadJson: Buffer | null;
  /** UTF-8 byte length of the payload's text. */
  payloadBytes: number | null;
  /** Unknown top-level members as a JSON object text, each `"key":value` as it stood. */
  otherText: string | null;
  /** hex MD5 of the object's exact bytes. */
  hash: string;
  /**
   * Set by the hour's transform (HourTransform): an earlier line of the hour held the same
   * event (dedup key). Derived tables use it instead of keeping a second set of keys.
   */
  duplicate?: boolean;
}

export interface QuarantinedFragment {
  sourceLine: number;
  fragment: number;
  reason: QuarantineReason;
  detail: string | null;
  /** The exact bytes: the whole line (fragment 0) or the fragment's bytes. */
  raw: Buffer;
}

export interface LineOutcome {
  blank: boolean;
  events: ParsedEvent[];
  quarantined: QuarantinedFragment[];
  nulBytesRemoved: number;
}

export interface LineContext {
  /** false for bytes after the last newline of the file. */
  terminated: boolean;
  /** The decompressed stream ended in damage right after this (unterminated) line. */
  cutByDamage?: boolean;
}

const NONE: never[] = [];
/** Candidate starts tried when looking for a complete event spliced after a cut one. */
const MAX_SPLICE_CANDIDATES = 256;

function isBlank(line: Buffer): boolean {
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c !== 32 && c !== 13 && c !== 9) return false;
  }
  return true;
}

function quarantineLine(lineNo: number, raw: Buffer, reason: QuarantineReason, detail: string | null, nulBytesRemoved = 0): LineOutcome {
  return { blank: false, events: NONE, quarantined: [{ sourceLine: lineNo, fragment: 0, reason, detail, raw: Buffer.from(raw) }], nulBytesRemoved };
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function parseLine(line: Buffer, lineNo: number, ctx: LineContext): LineOutcome {
  if (isBlank(line)) return { blank: true, events: NONE, quarantined: NONE, nulBytesRemoved: 0 };
  if (ctx.cutByDamage) return quarantineLine(lineNo, line, 'truncated_line', 'last line before gzip damage: may be incomplete');

  let bytes = line;
  let nulBytesRemoved = 0;
  if (line.indexOf(0) !== -1) {
    bytes = stripNul(line);
    nulBytesRemoved = line.length - bytes.length;
    if (isBlank(bytes)) return quarantineLine(lineNo, line, 'nul_bytes', 'the line holds only NUL bytes', nulBytesRemoved);
  }
  if (!isUtf8(bytes)) return quarantineLine(lineNo, line, 'invalid_utf8', 'the line is not valid UTF-8', nulBytesRemoved);
  let text: string;
  try {
    text = bytes.toString('utf8');
  } catch (error) {
    return quarantineLine(lineNo, line, 'line_too_long', errorMessage(error), nulBytesRemoved);
  }
  const ascii = text.length === bytes.length;

  let obj: unknown;
  try {
    obj = JSON.parse(text);
  } catch (error) {
    return parseDamagedLine(line, bytes, text, lineNo, ctx, nulBytesRemoved, errorMessage(error));
  }
  const made = makeEvent(obj, text, bytes, ascii, 0, text.length, lineNo, 0);
  if (typeof made === 'string') {
    return quarantineLine(lineNo, line, made, detailFor(made, obj), nulBytesRemoved);
  }
  return { blank: false, events: [made], quarantined: NONE, nulBytesRemoved };
}

function stripNul(line: Buffer): Buffer {
  const out = Buffer.allocUnsafe(line.length);
  let n = 0;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c !== 0) out[n++] = c;
  }
  return out.subarray(0, n);
}

/** The line did not parse as one JSON value: `}{`, a splice, or plain damage. */
function parseDamagedLine(
  line: Buffer,
  bytes: Buffer,
  text: string,
  lineNo: number,
  ctx: LineContext,
  nulBytesRemoved: number,
  parseError: string,
): LineOutcome {
  const ascii = text.length === bytes.length;
  const parts = splitObjects(text);
  if (parts && parts.length >= 2) {
    const outcome: LineOutcome = { blank: false, events: [], quarantined: [], nulBytesRemoved };
    parts.forEach(([s, e], i) => {
      const fragment = i + 1;
      let obj: unknown;
      try {
        obj = JSON.parse(text.slice(s, e));
      } catch (error) {
        outcome.quarantined.push({
          sourceLine: lineNo,
          fragment,
          reason: 'invalid_json',
          detail: errorMessage(error),
          raw: byteSlice(bytes, text, ascii, s, e),
        });
        return;
      }
      const made = makeEvent(obj, text, bytes, ascii, s, e, lineNo, fragment);
      if (typeof made === 'string')
        outcome.quarantined.push({ sourceLine: lineNo, fragment, reason: made, detail: detailFor(made, obj), raw: byteSlice(bytes, text, ascii, s, e) });
      else outcome.events.push(made);
    });
    return outcome;
  }

  const splice = findSplicedEvents(text, bytes, ascii, lineNo);
  if (splice) {
    return {
      blank: false,
      events: splice.events,
      quarantined: [
        {
          sourceLine: lineNo,
          fragment: 1,
          reason: 'spliced_event',
          detail: `an event cut after ${splice.cut} characters, followed by a complete event`,
          raw: byteSlice(bytes, text, ascii, 0, splice.cut),
        },
      ],
      nulBytesRemoved,
    };
  }
  const reason: QuarantineReason = nulBytesRemoved > 0 ? 'nul_bytes' : !ctx.terminated ? 'truncated_line' : 'invalid_json';
  const detail = nulBytesRemoved > 0 ? `${nulBytesRemoved} NUL bytes removed, still invalid: ${parseError}` : parseError;
  return quarantineLine(lineNo, line, reason, detail, nulBytesRemoved);
}

/**
 * An event cut mid-string and continued by the next event on the same line (2017-11-08-1):
 * find the earliest `{"` after which the rest of the line is one or more complete, valid events.
 */
function findSplicedEvents(text: string, bytes: Buffer, ascii: boolean, lineNo: number): { cut: number; events: ParsedEvent[] } | undefined {
  let tries = 0;
  for (let p = text.indexOf('{"', 1); p !== -1 && tries < MAX_SPLICE_CANDIDATES; p = text.indexOf('{"', p + 1), tries++) {
    const parts = splitObjects(text.slice(p));
    if (!parts) continue;
    const events: ParsedEvent[] = [];
    for (const [i, [s, e]] of parts.entries()) {
      let obj: unknown;
      try {
        obj = JSON.parse(text.slice(p + s, p + e));
      } catch {
        break;
      }
      const made = makeEvent(obj, text, bytes, ascii, p + s, p + e, lineNo, i + 2);
      if (typeof made === 'string') break;
      events.push(made);
    }
    if (events.length === parts.length) return { cut: p, events };
  }
  return undefined;
}

/** The byte offsets of text[s, e) in the line's UTF-8 bytes (char offsets are byte offsets on an ASCII line). */
function byteRange(text: string, ascii: boolean, s: number, e: number): [number, number] {
  if (ascii) return [s, e];
  const bs = Buffer.byteLength(text.slice(0, s));
  return [bs, bs + Buffer.byteLength(text.slice(s, e))];
}

/** A zero-copy view of the UTF-8 bytes of text[s, e). */
function memberBytes(bytes: Buffer, text: string, ascii: boolean, s: number, e: number): Buffer {
  if (ascii) return bytes.subarray(s, e);
  const [bs, be] = byteRange(text, ascii, s, e);
  return bytes.subarray(bs, be);
}

/** text[s, e) as a string of its own (a slice of `text` would keep the whole line alive with it). */
function memberText(bytes: Buffer, text: string, ascii: boolean, s: number, e: number): string {
  if (ascii) return bytes.toString('latin1', s, e);
  const [bs, be] = byteRange(text, ascii, s, e);
  return bytes.toString('utf8', bs, be);
}

/** The text of a value's UTF-8 bytes (tests, tools). */
export function textOf(json: Buffer | null): string | null {
  return json === null ? null : json.toString('utf8');
}

/** A copy of the bytes of text[s, e) (quarantine rows keep it). */
function byteSlice(bytes: Buffer, text: string, ascii: boolean, s: number, e: number): Buffer {
  return Buffer.from(memberBytes(bytes, text, ascii, s, e));
}

function detailFor(reason: QuarantineReason, obj: unknown): string | null {
  const o = obj as Record<string, unknown> | null;
  switch (reason) {
    case 'not_an_object':
      return `a JSON ${Array.isArray(obj) ? 'array' : obj === null ? 'null' : typeof obj} instead of an event object`;
    case 'timeline_format':
      return 'pre-2015 Timeline API event (no id, actor as a login string, repository object)';
    case 'invalid_id':
      return `id ${JSON.stringify(o?.id)} is not a non-negative integer`;
    case 'invalid_created_at':
      return `created_at ${JSON.stringify(o?.created_at)} is not an ISO-8601 timestamp`;
    default:
      return null;
  }
}

function isTimeline(o: Record<string, unknown>): boolean {
  return typeof o.actor === 'string' || 'repository' in o || 'actor_attributes' in o;
}

function parseEventId(id: unknown): number | bigint | undefined {
  if (typeof id === 'string') {
    if (id.length === 0 || id.length > 19 || !/^\d+$/.test(id)) return undefined;
    const n = Number(id);
    if (Number.isSafeInteger(n)) return n;
    const big = BigInt(id);
    return big <= 9223372036854775807n ? big : undefined;
  }
  if (typeof id === 'number' && Number.isSafeInteger(id) && id >= 0) return id;
  return undefined;
}

/** Validate one parsed object and cut its raw slices; a string is the quarantine reason. */
function makeEvent(
  obj: unknown,
  text: string,
  bytes: Buffer,
  ascii: boolean,
  s: number,
  e: number,
  lineNo: number,
  fragment: number,
): ParsedEvent | QuarantineReason {
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) return 'not_an_object';
  const o = obj as Record<string, unknown>;
  if (o.id === undefined || o.id === null) return isTimeline(o) ? 'timeline_format' : 'missing_id';
  const eventId = parseEventId(o.id);
  if (eventId === undefined) return 'invalid_id';
  if (typeof o.type !== 'string' || o.type.length === 0) return 'missing_type';
  if (o.created_at === undefined || o.created_at === null) return 'missing_created_at';
  const createdAtMs = typeof o.created_at === 'string' ? parseTimestampMs(o.created_at) : NaN;
  if (Number.isNaN(createdAtMs)) return 'invalid_created_at';

  const scan = scanParsedObject(text, s, e, Object.keys(o));
  // The text parsed as JSON, so a failing scan is a bug in the scanner: fail loudly.
  if (scan === undefined) throw new Error(`line ${lineNo}: top-level scan failed on valid JSON`);
  let actorText: string | null = null;
  let repoText: string | null = null;
  let orgText: string | null = null;
  let payloadJson: Buffer | null = null;
  let other: string[] | null = null;
  for (const f of scan.fields) {
    switch (f.key) {
      case 'actor':
        actorText = memberText(bytes, text, ascii, f.valueStart, f.valueEnd);
        break;
      case 'repo':
        repoText = memberText(bytes, text, ascii, f.valueStart, f.valueEnd);
        break;
      case 'org':
        orgText = memberText(bytes, text, ascii, f.valueStart, f.valueEnd);
        break;
      case 'payload':
        payloadJson = memberBytes(bytes, text, ascii, f.valueStart, f.valueEnd);
        break;
      default:
        if (!KNOWN_KEYS.has(f.key)) (other ??= []).push(`${text.slice(f.keyStart, f.keyEnd)}:${text.slice(f.valueStart, f.valueEnd)}`);
    }
  }
  // Hash the object from its `{` to its `}`: not the whitespace or `\r` around it.
  const whole = scan.start === 0 && scan.end === text.length;
  const objectBytes = whole ? bytes : memberBytes(bytes, text, ascii, scan.start, scan.end);
  return {
    sourceLine: lineNo,
    fragment,
    eventId,
    eventType: o.type,
    createdAtMs,
    obj: o,
    actorText,
    repoText,
    orgText,
    payloadJson,
    payloadBytes: payloadJson === null ? null : payloadJson.length,
    otherText: other === null ? null : `{${other.join(',')}}`,
    hash: hash('md5', objectBytes, 'hex'),
  };
}
