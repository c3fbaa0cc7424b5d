/**
 * `created_at` parsing. GH Archive's 2015+ form is exactly `2015-01-01T15:00:03Z`; that shape is
 * parsed by hand (the hot path), anything else ISO-8601 with an offset or fraction goes through
 * Date.parse, and everything else is rejected (Date.parse alone accepts too much).
 */
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})$/;

function digits(s: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return NaN;
    n = n * 10 + d;
  }
  return n;
}

const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(y: number, mo: number): number {
  return mo === 2 && ((y % 4 === 0 && y % 100 !== 0) || y % 400 === 0) ? 29 : DAYS[mo - 1]!;
}

/** Epoch milliseconds (UTC) of an ISO-8601 timestamp, or NaN. */
export function parseTimestampMs(s: string): number {
  if (
    s.length === 20 &&
    s.charCodeAt(19) === 90 /* Z */ &&
    s.charCodeAt(10) === 84 /* T */ &&
    s.charCodeAt(4) === 45 &&
    s.charCodeAt(7) === 45 &&
    s.charCodeAt(13) === 58 &&
    s.charCodeAt(16) === 58
  ) {
    const mo = digits(s, 5, 7);
    const d = digits(s, 8, 10);
    const h = digits(s, 11, 13);
    const mi = digits(s, 14, 16);
    const se = digits(s, 17, 19);
    const y = digits(s, 0, 4);
    // Reject days that do not exist (Feb 30 would roll into March).
    if (!(mo >= 1 && mo <= 12 && d >= 1 && d <= daysInMonth(y, mo) && h <= 23 && mi <= 59 && se <= 59)) return NaN;
    return Date.UTC(y, mo - 1, d, h, mi, se);
  }
  if (!ISO.test(s)) return NaN;
  return Date.parse(s);
}

function twoDigits(b: Uint8Array, i: number): number {
  const a = b[i]! - 48;
  const c = b[i + 1]! - 48;
  return a >= 0 && a <= 9 && c >= 0 && c <= 9 ? a * 10 + c : Number.NaN;
}

/**
 * The hot path of `parseTimestampMs` on bytes: `YYYY-MM-DDTHH:MM:SSZ` at b[s, e) without making a
 * string. NaN when the bytes have another shape (or are not a valid time): the caller then decodes
 * the string and asks `parseTimestampMs`, which gives the same answer for this shape.
 */
export function parseTimestampBytes(b: Uint8Array, s: number, e: number): number {
  if (e - s !== 20 || b[s + 19] !== 90 || b[s + 10] !== 84 || b[s + 4] !== 45 || b[s + 7] !== 45 || b[s + 13] !== 58 || b[s + 16] !== 58) return Number.NaN;
  const y = twoDigits(b, s) * 100 + twoDigits(b, s + 2);
  const mo = twoDigits(b, s + 5);
  const d = twoDigits(b, s + 8);
  const h = twoDigits(b, s + 11);
  const mi = twoDigits(b, s + 14);
  const se = twoDigits(b, s + 17);
  if (!(mo >= 1 && mo <= 12 && d >= 1 && d <= daysInMonth(y, mo) && h <= 23 && mi <= 59 && se <= 59)) return Number.NaN;
  return Date.UTC(y, mo - 1, d, h, mi, se);
}

export const HOUR_MS = 3_600_000;

/** The start of the UTC hour holding `ms`. */
export function truncateToHour(ms: number): number {
  return Math.floor(ms / HOUR_MS) * HOUR_MS;
}
