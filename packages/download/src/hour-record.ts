/**
 * A download's outcome for one hour in the manifest's terms (core's hour-records.ts records it):
 * the same for `ghlake download` and `ghlake run`, so `status` names the source of a missing hour
 * however it was asked.
 */
import { ERROR_CODES, GhlakeError, toPlainError, type DownloadRecord, type PlainError } from '@ghlake/core';
import type { HourResult } from './fetch-hour.js';

/**
 * The error an hour's result carries: its own, whole (code, hint, retryable, details, cause), or
 * for a missing hour which source did not have it.
 */
export function hourResultError(r: Pick<HourResult, 'hour' | 'url' | 'status' | 'error' | 'reason'>, baseUrl: string): PlainError | undefined {
  if (r.error) return r.error;
  if (r.status === 'missing') {
    const missing = new GhlakeError(ERROR_CODES.HOUR_MISSING, `${r.hour}: ${r.reason ?? 'not on the server'} at ${baseUrl}`, {
      details: { hour: r.hour, url: r.url },
    });
    return toPlainError(missing, { stack: false });
  }
  return undefined;
}

export function downloadRecordOf(r: HourResult, baseUrl: string): DownloadRecord {
  const error = hourResultError(r, baseUrl);
  return { status: r.status, bytes: r.bytes, ...(r.sha256 ? { sha256: r.sha256 } : {}), ...(error ? { error } : {}) };
}
