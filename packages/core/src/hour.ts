/**
 * GH Archive hours. An `HourKey` is the canonical string `YYYY-MM-DD-H` with the
 * hour NOT zero-padded, exactly as GH Archive names its files (`2015-01-01-9.json.gz`;
 * a padded `-09` is a 404 there).
 */
import { ERROR_CODES, GhlakeError } from './errors.js';

export type HourKey = string & { readonly __brand: 'HourKey' };

/** GH Archive's first hour. */
export const ARCHIVE_START = Date.UTC(2011, 1, 12, 0);
const HOUR_MS = 3_600_000;

const HOUR_FORMATS = 'YYYY-MM-DD-H, YYYY-MM-DDTHH or a full ISO timestamp such as 2015-01-01T15:00:00Z';

function invalid(input: string, why: string): GhlakeError {
  return new GhlakeError(ERROR_CODES.INVALID_HOUR, `invalid hour '${input}': ${why}`, {
    hint: `write hours as ${HOUR_FORMATS}`,
    details: { input },
  });
}

function checkDate(input: string, y: number, m: number, d: number, h: number): number {
  if (m < 1 || m > 12) throw invalid(input, `month ${m} is not 1-12`);
  if (h < 0 || h > 23) throw invalid(input, `hour ${h} is not 0-23`);
  const ms = Date.UTC(y, m - 1, d, h);
  const back = new Date(ms);
  if (back.getUTCDate() !== d || back.getUTCMonth() !== m - 1) throw invalid(input, `day ${d} does not exist in ${y}-${String(m).padStart(2, '0')}`);
  return ms;
}

/** Parse `2015-01-01-15`, `2015-01-01-9`, `2015-01-01T15`, `2015-01-01T15:00:00Z` or any ISO timestamp (truncated to its UTC hour). */
export function parseHour(input: string): HourKey {
  return hourFromMs(parseHourMs(input));
}

/** The start of the hour in epoch milliseconds. */
export function parseHourMs(input: string): number {
  const text = input.trim();
  let match = /^(\d{4})-(\d{2})-(\d{2})[-T](\d{1,2})$/.exec(text);
  if (match) return checkDate(input, +match[1]!, +match[2]!, +match[3]!, +match[4]!);
  match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/.exec(text);
  if (match) {
    checkDate(input, +match[1]!, +match[2]!, +match[3]!, +match[4]!);
    const ms = Date.parse(match[7] ? text : `${text}Z`);
    if (Number.isNaN(ms)) throw invalid(input, 'not a valid timestamp');
    return Math.floor(ms / HOUR_MS) * HOUR_MS;
  }
  throw invalid(input, 'unrecognised format');
}

export function hourFromMs(ms: number): HourKey {
  const d = new Date(Math.floor(ms / HOUR_MS) * HOUR_MS);
  return `${d.toISOString().slice(0, 10)}-${d.getUTCHours()}` as HourKey;
}

export function hourToMs(hour: HourKey): number {
  const i = hour.lastIndexOf('-');
  const [y, m, d] = hour.slice(0, i).split('-').map(Number) as [number, number, number];
  return Date.UTC(y, m - 1, d, Number(hour.slice(i + 1)));
}

/** `2015-01-01 15:00:00`: the start of an hour (or an epoch-ms instant), UTC, as SQL timestamp text (DuckDB and Snowflake read it). */
export function timestampText(at: HourKey | number): string {
  return new Date(typeof at === 'number' ? at : hourToMs(at)).toISOString().slice(0, 19).replace('T', ' ');
}

/** `YYYY-MM-DD` of the hour. */
export function hourDate(hour: HourKey): string {
  return hour.slice(0, hour.lastIndexOf('-'));
}

/** The hour of day, 0-23. */
export function hourOfDay(hour: HourKey): number {
  return Number(hour.slice(hour.lastIndexOf('-') + 1));
}

/** GH Archive's file name for the hour: `2015-01-01-9.json.gz`. */
export function archiveFileName(hour: HourKey): string {
  return `${hour}.json.gz`;
}

/** Every hour from `from` to `to`, both included. */
export function hourRange(from: HourKey, to: HourKey): HourKey[] {
  const start = hourToMs(from);
  const end = hourToMs(to);
  if (end < start) {
    throw new GhlakeError(ERROR_CODES.INVALID_RANGE, `--to ${to} is before --from ${from}`, {
      hint: 'swap the two hours, or give --to an hour at or after --from',
      details: { from, to },
    });
  }
  const out: HourKey[] = [];
  for (let ms = start; ms <= end; ms += HOUR_MS) out.push(hourFromMs(ms));
  return out;
}

/** The 24 hours of a UTC day given as `YYYY-MM-DD`. */
export function dayHours(date: string): HourKey[] {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date.trim());
  if (!match) {
    throw new GhlakeError(ERROR_CODES.INVALID_HOUR, `invalid date '${date}'`, { hint: 'write --date as YYYY-MM-DD', details: { input: date } });
  }
  checkDate(date, +match[1]!, +match[2]!, +match[3]!, 0);
  return hourRange(`${match[0]}-0` as HourKey, `${match[0]}-23` as HourKey);
}

/**
 * Refuse a range GH Archive cannot have, before anything is allocated for it: hours before its
 * first hour (2011-02-12-0), and hours after the current one (they cannot exist yet).
 */
export function checkArchiveRange(from: HourKey, to: HourKey, now: number = Date.now()): void {
  if (hourToMs(from) < ARCHIVE_START) {
    throw new GhlakeError(ERROR_CODES.INVALID_RANGE, `${from} is before GH Archive's first hour ${hourFromMs(ARCHIVE_START)}`, {
      hint: `start the range at ${hourFromMs(ARCHIVE_START)} or later`,
      details: { from, to },
    });
  }
  const current = hourFromMs(now);
  if (hourToMs(to) > hourToMs(current)) {
    throw new GhlakeError(ERROR_CODES.INVALID_RANGE, `${to} is after the current hour ${current}: GH Archive cannot have it yet`, {
      hint: `end the range at ${current} or earlier (GH Archive publishes an hour shortly after it ends)`,
      details: { from, to, current },
    });
  }
}

/**
 * Hours a user asked for: `--date`, or `--from`/`--to` (either alone means that one hour),
 * inside what GH Archive can have (`checkArchiveRange`).
 */
export function resolveHours(options: { from?: string | undefined; to?: string | undefined; date?: string | undefined }, now: number = Date.now()): HourKey[] {
  if (options.date !== undefined) {
    if (options.from !== undefined || options.to !== undefined) {
      throw new GhlakeError(ERROR_CODES.USAGE, '--date cannot be combined with --from/--to', {
        hint: 'use either --date YYYY-MM-DD or --from H --to H',
      });
    }
    const day = dayHours(options.date);
    checkArchiveRange(day[0]!, day[day.length - 1]!, now);
    return day;
  }
  const fromText = options.from ?? options.to;
  const toText = options.to ?? options.from;
  if (fromText === undefined || toText === undefined) return [];
  const from = parseHour(fromText);
  const to = parseHour(toText);
  if (hourToMs(to) >= hourToMs(from)) checkArchiveRange(from, to, now);
  return hourRange(from, to);
}

/** Sort hours chronologically (string order is wrong for unpadded hours). */
export function compareHours(a: HourKey, b: HourKey): number {
  return hourToMs(a) - hourToMs(b);
}

/** `resolveHours` for a command that needs at least one hour: none is a usage error (`what`: the command's words). */
export function requireHours(options: { from?: string | undefined; to?: string | undefined; date?: string | undefined }, what = 'no hours given'): HourKey[] {
  const hours = resolveHours(options);
  if (hours.length === 0) throw new GhlakeError(ERROR_CODES.USAGE, what, { hint: 'give --from YYYY-MM-DD-H (and --to YYYY-MM-DD-H) or --date YYYY-MM-DD' });
  return hours;
}
