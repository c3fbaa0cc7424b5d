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
  /** Raw key text including its quotes, as it stood. */
  rawKey: string;
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
    const rawKey = text.slice(i, keyEnd);
    const key = rawKey.includes('\\') ? safeParseKey(rawKey) : rawKey.slice(1, -1);
    if (key === undefined) return undefined;
    i = skipSpace(text, keyEnd);
    if (text.charCodeAt(i) !== COLON) return undefined;
    const valueStart = skipSpace(text, i + 1);
    const valueEnd = skipValue(text, valueStart);
    if (valueEnd === -1) return undefined;
    fields.push({ key, rawKey, valueStart, valueEnd });
    i = skipSpace(text, valueEnd);
    const c = text.charCodeAt(i);
    if (c === CLOSE_BRACE) return { start: objStart, end: i + 1, fields };
    if (c !== COMMA) return undefined;
    i = skipSpace(text, i + 1);
  }
}

function safeParseKey(rawKey: string): string | undefined {
  try {
    return JSON.parse(rawKey) as string;
  } catch {
    return undefined;
  }
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
