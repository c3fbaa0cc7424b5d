/**
 * The end-of-run report: a short human summary (stdout), or the whole summary as JSON with
 * `--json` for scripts. Missing hours are listed (folded into ranges) with their reason;
 * failed hours one per line with the reason and the hint.
 */
import { formatByteRate, formatBytes, formatDuration, plural, type HourKey } from '@ghlake/core';
import { formatHourList } from './format.js';
import type { DownloadSummary } from './runner.js';

export function formatSummary(s: DownloadSummary): string {
  const range = s.from === undefined ? '' : s.from === s.to ? ` (${s.from})` : ` (${s.from} … ${s.to})`;
  const resumed = s.results.filter((r) => r.status === 'downloaded' && r.resumedBytes);
  const resumedNote = resumed.length ? `, ${resumed.length} resumed (${formatBytes(resumed.reduce((a, r) => a + r.resumedBytes!, 0))} not fetched again)` : '';
  const lines = [
    `download ${s.interrupted ? 'interrupted' : 'finished'}: ${plural(s.hoursTotal, 'hour')}${range} from ${s.baseUrl} into ${s.lake} in ${formatDuration(s.elapsedMs)}`,
    `  downloaded ${String(s.downloaded).padStart(5)}${s.downloaded ? `  ${formatBytes(s.downloadedBytes)} at ${formatByteRate(s.bytesPerSecond)}` : ''}${s.retries ? `, after ${s.retries === 1 ? '1 retry' : `${s.retries} retries`}` : ''}${resumedNote}`,
    `  skipped    ${String(s.skipped).padStart(5)}${s.skipped ? `  already complete (${formatBytes(s.skippedBytes)})` : ''}`,
  ];
  const byReason = new Map<string, HourKey[]>();
  for (const m of s.missing) byReason.set(m.reason, [...(byReason.get(m.reason) ?? []), m.hour]);
  lines.push(`  missing    ${String(s.missing.length).padStart(5)}${s.missing.length ? '  not in the archive' : ''}`);
  for (const [reason, hours] of byReason) lines.push(`               ${reason}: ${formatHourList(hours)}`);
  lines.push(`  failed     ${String(s.failed.length).padStart(5)}`);
  // Hours that failed the same way are listed together (an unreachable mirror fails them all alike).
  const byError = new Map<string, { code: string; message: string; hint?: string; hours: HourKey[] }>();
  for (const f of s.failed) {
    const key = `${f.code} ${f.message}`;
    const group = byError.get(key) ?? { code: f.code, message: f.message, ...(f.hint ? { hint: f.hint } : {}), hours: [] };
    group.hours.push(f.hour);
    byError.set(key, group);
  }
  for (const g of byError.values()) {
    lines.push(`               ${formatHourList(g.hours)}: ${g.code} ${g.message}`);
    if (g.hint) lines.push(`                 hint: ${g.hint}`);
  }
  if (s.interrupted) {
    const finished = s.results.length;
    lines.push(
      `  not done   ${String(s.hoursTotal - finished).padStart(5)}  interrupted; run the same command again to finish (completed hours are kept, unfinished ones resume where they stopped)`,
    );
  }
  if (s.tempFilesRemoved) lines.push(`  removed ${plural(s.tempFilesRemoved, 'temporary file')} left by an interrupted run`);
  return lines.join('\n');
}

export function summaryJson(s: DownloadSummary): string {
  return JSON.stringify(s, null, 2);
}
