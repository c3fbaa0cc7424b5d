/**
 * Silent success is an error: a run in which every hour that should exist answered 404 did not
 * find GH Archive — a wrong `--base-url` (another server, a wrong prefix) looks exactly like
 * that. It fails with the base URL and one URL it asked, instead of listing a range of
 * "missing" hours and exiting 0. Hours younger than `PUBLISH_DELAY_MS` may simply not be
 * published yet and prove nothing; a range where some hours exist (downloaded now or already
 * in the lake) keeps its missing hours as missing.
 */
import { ERROR_CODES, GhlakeError, hourToMs, type HourKey } from '@ghlake/core';

/** GH Archive publishes an hour shortly after it ends; an hour this much older than its end should be there. */
export const PUBLISH_DELAY_MS = 3 * 3_600_000;
const HOUR_MS = 3_600_000;

export interface AskedHour {
  hour: HourKey;
  status: 'downloaded' | 'skipped' | 'missing' | 'failed';
  url: string;
  /** For a missing hour: `HTTP 404`, or `empty file ...`. */
  reason?: string | undefined;
}

/**
 * The error when every asked hour that should exist answered 404 and nothing of the range is
 * held (`heldElsewhere`: the caller knows of hours of the range already in the lake).
 */
export function wrongSourceError(
  baseUrl: string,
  results: readonly AskedHour[],
  options: { now?: number; heldElsewhere?: boolean } = {},
): GhlakeError | undefined {
  if (options.heldElsewhere) return undefined;
  const now = options.now ?? Date.now();
  const due = results.filter((r) => hourToMs(r.hour) + HOUR_MS + PUBLISH_DELAY_MS <= now);
  if (due.length === 0 || !due.every((r) => r.status === 'missing' && r.reason === 'HTTP 404')) return undefined;
  const first = due[0]!;
  const count = due.length === 1 ? 'the one hour asked for' : `all ${due.length} hours asked for`;
  return new GhlakeError(ERROR_CODES.SOURCE_NOT_FOUND, `${count} answered 404 at ${baseUrl} (e.g. ${first.url}): the source looks wrong`, {
    hint: 'check --base-url (GHLAKE_BASE_URL): GH Archive is https://data.gharchive.org, and a mirror must serve YYYY-MM-DD-H.json.gz at that URL',
    details: { baseUrl, url: first.url, hours: due.length },
  });
}
