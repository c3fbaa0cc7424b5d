/** LEGACY reference (the JSON.parse path before issue 17), kept only for the differential test; deleted with it. */
/**
 * A top-level JSON object scanner that gives the raw text of each top-level value without
 * building it: `payload` must be stored exactly as it stood in the line, so it is sliced, never
 * re-serialized. Nested values are skipped by bracket depth, jumping over strings with
 * `indexOf('"')` (most of an event's bytes are inside strings).
 *
 * `scanObject` assumes nothing: it returns `undefined` when the text at `start` is not a
 * balanced object, which `splitObjects` uses to find `}{` lines.
 */

export interface TopLevelField {
  /** Key as decoded text (`payload`). */
  key: string;
  /** The raw key, quotes included, is text[keyStart, keyEnd). */
  keyStart: number;
  keyEnd: number;
  valueStart: number;
  valueEnd: number;
}

export interface ScannedObject {
  start: number;
  /** Index just past the closing `}`. */
  end: number;
  fields: TopLevelField[];
}

const QUOTE = 34;
const BACKSLASH = 92;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;
const COMMA = 44;
const COLON = 58;

function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9;
}

export function skipSpace(text: string, i: number): number {
  while (i < text.length && isSpace(text.charCodeAt(i))) i++;
  return i;
}

/** `i` at an opening quote; returns the index past the closing quote, or -1 if unterminated. */
export function skipString(text: string, i: number): number {
  let j = text.indexOf('"', i + 1);
  while (j !== -1) {
    // An escaped quote has an odd number of backslashes before it.
    let k = j - 1;
    while (text.charCodeAt(k) === BACKSLASH) k--;
    if ((j - 1 - k) % 2 === 0) return j + 1;
    j = text.indexOf('"', j + 1);
  }
  return -1;
}

/** `i` at `{` or `[`; returns the index past the matching close, or -1 if unbalanced. */
function skipNested(text: string, i: number): number {
  let depth = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      i = skipString(text, i);
      if (i === -1) return -1;
      continue;
    }
    if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
    else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--;
      if (depth === 0) return i + 1;
    }
    i++;
  }
  return -1;
}

/** Returns the index past the value starting at `i`, or -1. */
export function skipValue(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if (c === QUOTE) return skipString(text, i);
  if (c === OPEN_BRACE || c === OPEN_BRACKET) return skipNested(text, i);
  // number, true, false, null: up to the next delimiter
  let j = i;
  while (j < text.length) {
    const d = text.charCodeAt(j);
    if (d === COMMA || d === CLOSE_BRACE || d === CLOSE_BRACKET || isSpace(d)) break;
    j++;
  }
  return j === i ? -1 : j;
}

/** Scan the object whose `{` is at `start` (after optional whitespace). */
export function scanObject(text: string, start: number): ScannedObject | undefined {
  let i = skipSpace(text, start);
  if (text.charCodeAt(i) !== OPEN_BRACE) return undefined;
  const objStart = i;
  const fields: TopLevelField[] = [];
  i = skipSpace(text, i + 1);
  if (text.charCodeAt(i) === CLOSE_BRACE) return { start: objStart, end: i + 1, fields };
  for (;;) {
    if (text.charCodeAt(i) !== QUOTE) return undefined;
    const keyEnd = skipString(text, i);
    if (keyEnd === -1) return undefined;
    const key = decodeKey(text, i, keyEnd);
    if (key === undefined) return undefined;
    const keyStart = i;
    i = skipSpace(text, keyEnd);
    if (text.charCodeAt(i) !== COLON) return undefined;
    const valueStart = skipSpace(text, i + 1);
    const valueEnd = skipValue(text, valueStart);
    if (valueEnd === -1) return undefined;
    fields.push({ key, keyStart, keyEnd, valueStart, valueEnd });
    i = skipSpace(text, valueEnd);
    const c = text.charCodeAt(i);
    if (c === CLOSE_BRACE) return { start: objStart, end: i + 1, fields };
    if (c !== COMMA) return undefined;
    i = skipSpace(text, i + 1);
  }
}

/** The decoded key of the string text[start, end) (quotes included). */
function decodeKey(text: string, start: number, end: number): string | undefined {
  const raw = text.slice(start + 1, end - 1);
  if (!raw.includes('\\')) return raw;
  try {
    return JSON.parse(text.slice(start, end)) as string;
  } catch {
    return undefined;
  }
}

/** Is the string text[start, end) (quotes included) the key `expected`? No allocation when unescaped. */
function isKey(text: string, start: number, end: number, expected: string): boolean {
  if (end - start - 2 === expected.length && text.startsWith(expected, start + 1)) return true;
  return decodeKey(text, start, end) === expected; // an escaped key, or not this key
}

/**
 * Split a line that holds several top-level objects back to back (`{...}{...}`, GH Archive
 * 2011-2012). Returns the [start, end) of each object, or undefined when the line is not a
 * clean sequence of balanced objects separated by nothing but whitespace.
 */
export function splitObjects(text: string): Array<[number, number]> | undefined {
  const out: Array<[number, number]> = [];
  let i = skipSpace(text, 0);
  while (i < text.length) {
    if (text.charCodeAt(i) !== OPEN_BRACE) return undefined;
    const end = skipNested(text, i);
    if (end === -1) return undefined;
    out.push([i, end]);
    i = skipSpace(text, end);
  }
  return out.length > 0 ? out : undefined;
}

// ---- the fast path: skip the payload without walking it ------------------------------------

function isEscaped(text: string, quote: number): boolean {
  let k = quote - 1;
  while (text.charCodeAt(k) === BACKSLASH) k--;
  return (quote - 1 - k) % 2 === 1;
}

/** Index of the unescaped `"` opening the string whose closing quote is at `close`, or -1. */
function stringStartBack(text: string, close: number): number {
  let k = text.lastIndexOf('"', close - 1);
  while (k !== -1 && isEscaped(text, k)) k = text.lastIndexOf('"', k - 1);
  return k;
}

function skipSpaceBack(text: string, i: number): number {
  while (i >= 0 && isSpace(text.charCodeAt(i))) i--;
  return i;
}

/** `p` at the last character of a value; returns the index of its first character, or -1. */
function valueStartBack(text: string, p: number): number {
  const c = text.charCodeAt(p);
  if (c === QUOTE) return stringStartBack(text, p);
  if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
    let depth = 0;
    for (let i = p; i >= 0; i--) {
      const d = text.charCodeAt(i);
      if (d === QUOTE) {
        i = stringStartBack(text, i);
        if (i === -1) return -1;
        continue;
      }
      if (d === CLOSE_BRACE || d === CLOSE_BRACKET) depth++;
      else if (d === OPEN_BRACE || d === OPEN_BRACKET) {
        depth--;
        if (depth === 0) return i;
      }
    }
    return -1;
  }
  let i = p;
  while (i >= 0) {
    const d = text.charCodeAt(i);
    if (d === COLON || d === COMMA || d === OPEN_BRACKET || d === OPEN_BRACE || isSpace(d)) break;
    i--;
  }
  return i === p ? -1 : i + 1;
}

/**
 * Scan a top-level object that JSON.parse has already accepted, given its keys in text order
 * (`Object.keys` of the parsed object). The members before `payload` are scanned forward and
 * the members after it BACKWARD from the closing `}` (in JSON text every `"` inside a string
 * is escaped, so strings can be skipped in either direction): the payload — most of an event's
 * bytes — is never walked. Any surprise (duplicate keys, a key order that differs from
 * `keys`) falls back to the full forward scan, so the result is always exact.
 */
export function scanParsedObject(text: string, start: number, end: number, keys: readonly string[]): ScannedObject | undefined {
  const at = keys.indexOf('payload');
  if (at === -1 || at === keys.length - 1) return scanObject(text, start);
  let i = skipSpace(text, start);
  if (text.charCodeAt(i) !== OPEN_BRACE) return undefined;
  const objStart = i;
  const fields: TopLevelField[] = [];
  i = skipSpace(text, i + 1);
  // forward, up to and including the payload key
  for (;;) {
    if (text.charCodeAt(i) !== QUOTE) return scanObject(text, start);
    const keyEnd = skipString(text, i);
    if (keyEnd === -1) return scanObject(text, start);
    const key = keys[fields.length]!;
    if (!isKey(text, i, keyEnd, key)) return scanObject(text, start);
    const keyStart = i;
    i = skipSpace(text, keyEnd);
    if (text.charCodeAt(i) !== COLON) return scanObject(text, start);
    const valueStart = skipSpace(text, i + 1);
    if (fields.length === at) {
      fields.push({ key, keyStart, keyEnd, valueStart, valueEnd: -1 });
      break;
    }
    const valueEnd = skipValue(text, valueStart);
    if (valueEnd === -1) return scanObject(text, start);
    fields.push({ key, keyStart, keyEnd, valueStart, valueEnd });
    i = skipSpace(text, valueEnd);
    if (text.charCodeAt(i) !== COMMA) return scanObject(text, start);
    i = skipSpace(text, i + 1);
  }
  // backward, from the closing brace, over the members after the payload
  const close = skipSpaceBack(text, end - 1);
  if (text.charCodeAt(close) !== CLOSE_BRACE) return scanObject(text, start);
  const after: TopLevelField[] = [];
  let p = close - 1;
  for (let m = keys.length - 1; m > at; m--) {
    p = skipSpaceBack(text, p);
    const valueEnd = p + 1;
    const valueStart = valueStartBack(text, p);
    if (valueStart <= 0) return scanObject(text, start);
    p = skipSpaceBack(text, valueStart - 1);
    if (text.charCodeAt(p) !== COLON) return scanObject(text, start);
    p = skipSpaceBack(text, p - 1);
    if (text.charCodeAt(p) !== QUOTE) return scanObject(text, start);
    const keyStart = stringStartBack(text, p);
    if (keyStart === -1) return scanObject(text, start);
    const key = keys[m]!;
    if (!isKey(text, keyStart, p + 1, key)) return scanObject(text, start);
    after.push({ key, keyStart, keyEnd: p + 1, valueStart, valueEnd });
    p = skipSpaceBack(text, keyStart - 1);
    if (text.charCodeAt(p) !== COMMA) return scanObject(text, start);
    p--;
  }
  const payload = fields[at]!;
  payload.valueEnd = skipSpaceBack(text, p) + 1;
  if (payload.valueEnd <= payload.valueStart) return scanObject(text, start);
  for (let k = after.length - 1; k >= 0; k--) fields.push(after[k]!);
  return { start: objStart, end: close + 1, fields };
}
