/**
 * A download's outcome for one hour in the manifest's terms (core's hour-records.ts records it):
 * the same for `ghlake download` and `ghlake run`, so `status` names the source of a missing hour
 * however it was asked.
 */
import { ERROR_CODES, type DownloadRecord, type PlainError } from '@ghlake/core';
import type { HourError, HourResult } from './fetch-hour.js';

export function plainHourError(e: HourError): PlainError {
  return { name: 'GhlakeError', code: e.code as PlainError['code'], message: e.message, ...(e.hint ? { hint: e.hint } : {}), retryable: false, details: {} };
}

/** The error an hour's result carries: its own, or for a missing hour which source did not have it. */
export function hourResultError(r: Pick<HourResult, 'hour' | 'status' | 'error' | 'reason'>, baseUrl: string): PlainError | undefined {
  if (r.error) return plainHourError(r.error);
  if (r.status === 'missing') return plainHourError({ code: ERROR_CODES.HOUR_MISSING, message: `${r.hour}: ${r.reason ?? 'not on the server'} at ${baseUrl}` });
  return undefined;
}

export function downloadRecordOf(r: HourResult, baseUrl: string): DownloadRecord {
  const error = hourResultError(r, baseUrl);
  return { status: r.status, bytes: r.bytes, ...(r.sha256 ? { sha256: r.sha256 } : {}), ...(error ? { error } : {}) };
}
