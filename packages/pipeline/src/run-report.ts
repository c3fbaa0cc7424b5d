/**
 * What a person reads: the run's events as log lines (when stderr is not a terminal, or
 * above the live display when it is), and the final summary with the most active repositories.
 */
import { formatByteRate, formatBytes, formatCount, formatDuration, formatRate, hourFromMs, hourToMs, type HourKey, type Logger } from '@ghlake/core';
import { listSome } from './format.js';
import { STAGE_ORDER, type RunEvent } from './run-events.js';
import type { RunSummary } from './run-summary.js';

/**
 * Log one run event. `verbose` (plain mode) logs every hour; the live display logs only what
 * needs attention (missing, damaged, failed hours, warnings) and stage results.
 */
export function logRunEvent(log: Logger, event: RunEvent, verbose: boolean): void {
  switch (event.type) {
    case 'start':
      if (event.tookOverLock) log.warn('took over a stale lake lock: its run is gone', { holder: event.tookOverLock });
      if (event.removedTempFiles) log.info('removed temporary files left by an interrupted run', { count: event.removedTempFiles });
      if (verbose)
        log.info('run started', {
          lake: event.lake,
          hours: event.hours.length,
          from: event.hours[0],
          to: event.hours[event.hours.length - 1],
          threads: event.threads,
        });
      break;
    case 'plan':
      if (verbose) log.info('plan', { toProcess: event.toProcess, upToDate: event.upToDate });
      // Hours marked done whose files are gone or changed: worth saying, the user (or a disk) may have done it.
      for (const r of event.redo) if (r.why.includes('gone') || r.why.includes('not what was recorded')) log.warn('redoing hour', { hour: r.hour, why: r.why });
      break;
    case 'stage-start':
      if (verbose) log.info('stage started', { stage: event.stage });
      break;
    case 'gold-step':
      if (verbose) log.info('gold step', { step: event.step });
      break;
    case 'stage-end':
      if (!event.ok && event.detail !== 'interrupted') log.error('stage failed', { stage: event.stage, ms: Math.round(event.ms), error: event.detail });
      else if (verbose)
        log.info(event.skipped ? 'stage skipped' : 'stage finished', {
          stage: event.stage,
          ms: Math.round(event.ms),
          ...(event.detail ? { detail: event.detail } : {}),
        });
      break;
    case 'hour-download':
      // Missing hours are logged by RunLog, one line per contiguous run of them.
      if (event.status === 'missing') break;
      if (event.status === 'failed')
        log.error('hour failed to download', { hour: event.hour, code: event.error?.code, error: event.error?.message, hint: event.error?.hint });
      else if (verbose)
        log.info('hour downloaded', {
          hour: event.hour,
          status: event.status,
          bytes: event.bytes,
          ...(event.resumedBytes ? { resumedBytes: event.resumedBytes } : {}),
        });
      // What a stopped earlier run left could not be continued: fetched from the start instead.
      if (event.partialDiscarded) log.warn('partial download not resumed', { hour: event.hour, why: event.partialDiscarded });
      break;
    case 'download-retry':
      // Retries are normal on real networks: visible, not alarming.
      log.warn(event.keptBytes > 0 ? 'download cut short: resuming' : 'download failed: retrying', {
        hour: event.hour,
        attempt: event.attempt,
        code: event.code,
        error: event.message,
        inMs: event.delayMs,
        ...(event.keptBytes > 0 ? { keptBytes: event.keptBytes } : {}),
      });
      break;
    case 'hour-transform-start':
      if (verbose) log.debug('hour transform started', { hour: event.hour });
      break;
    case 'hour-transform':
      if (event.status === 'failed')
        log.error('hour failed to transform', { hour: event.hour, code: event.error?.code, error: event.error?.message, hint: event.error?.hint });
      else if (event.status === 'damaged') log.warn('hour damaged: kept what was readable', { hour: event.hour, reason: event.damaged, events: event.events });
      else if (event.status === 'refetch')
        log.warn('hour damaged on arrival: nothing kept, fetching it again with a full gzip check', { hour: event.hour, reason: event.damaged });
      if ((event.status === 'transformed' || event.status === 'damaged') && verbose)
        log.info('hour transformed', { hour: event.hour, events: event.events, quarantined: event.quarantined, ms: Math.round(event.ms) });
      break;
    case 'warning':
      log.warn(event.message, event.fields);
      break;
    case 'stopping':
      log.warn(`stopping: finishing ${event.inFlight} hour(s) in flight (Ctrl-C again to stop at once; the next run redoes them)`);
      break;
    default:
      break;
  }
}

/**
 * The run's log: `logRunEvent` for every event, except missing hours, which are normal (GH
 * Archive has gaps) and can be tens of thousands (a wrong --base-url, a range far back): they are
 * gathered and logged as ONE line per contiguous run of hours with the same reason, when the
 * download stage ends (and at `flush`, for hours fetched again after it).
 */
export class RunLog {
  private missing: { hour: HourKey; reason: string }[] = [];

  constructor(
    private readonly log: Logger,
    private readonly verbose: boolean,
  ) {}

  event(event: RunEvent): void {
    if (event.type === 'hour-download' && event.status === 'missing') {
      const reason = (event.error?.message ?? 'not on the server').replace(`${event.hour}: `, '');
      this.missing.push({ hour: event.hour, reason });
      return;
    }
    if (event.type === 'stage-end' && event.stage === 'download') this.flush();
    logRunEvent(this.log, event, this.verbose);
  }

  /** Log the missing hours gathered so far. */
  flush(): void {
    const sorted = this.missing.map((m) => ({ ms: hourToMs(m.hour), reason: m.reason })).sort((a, b) => a.ms - b.ms);
    this.missing = [];
    const write = this.verbose ? this.log.warn.bind(this.log) : this.log.debug.bind(this.log);
    for (let i = 0; i < sorted.length;) {
      let j = i;
      while (j + 1 < sorted.length && sorted[j + 1]!.ms === sorted[j]!.ms + 3_600_000 && sorted[j + 1]!.reason === sorted[i]!.reason) j++;
      const from = hourFromMs(sorted[i]!.ms);
      const to = hourFromMs(sorted[j]!.ms);
      write(j === i ? 'hour missing' : 'hours missing', { from, to, hours: j - i + 1, reason: sorted[i]!.reason });
      i = j + 1;
    }
  }
}

function reasons(byReason: Record<string, number>): string {
  const entries = Object.entries(byReason).sort((a, b) => b[1] - a[1]);
  return entries.length ? ` (${entries.map(([r, n]) => `${r} ${formatCount(n)}`).join(', ')})` : '';
}

/** The human summary printed at the end of `ghlake run`. */
export function formatRunSummary(s: RunSummary): string {
  const out: string[] = [];
  const range = s.range.from === s.range.to ? `${s.range.from}` : `${s.range.from} .. ${s.range.to}`;
  const verdict = s.interrupted ? 'interrupted' : s.exitCode === 0 ? 'done' : 'finished with failures';
  out.push(`ghlake run ${verdict}: ${range} (${s.range.hours} hour${s.range.hours === 1 ? '' : 's'}) → ${s.lake}`);
  const row = (label: string, text: string) => out.push(`  ${label.padEnd(12)}${text}`);
  row(
    'hours',
    [
      `${s.hours.done.length} transformed`,
      `${s.hours.upToDate.length} already up to date`,
      `${s.hours.missing.length} missing`,
      `${s.hours.damaged.length} damaged`,
      `${s.hours.failed.length} failed`,
    ].join(', ') + (s.hours.notStarted.length ? `, ${s.hours.notStarted.length} not started` : ''),
  );
  if (s.hours.missing.length) row('missing', `${listSome(s.hours.missing)} (not on the server: skipped; a later run asks again)`);
  // A dead mirror fails every hour of a year the same way: name the first few, count the rest.
  const SHOWN = 10;
  for (const d of s.hours.damaged.slice(0, SHOWN)) row('damaged', `${d.hour}: ${d.reason} (readable part kept)`);
  if (s.hours.damaged.length > SHOWN) row('damaged', `… and ${s.hours.damaged.length - SHOWN} more (ghlake status lists them)`);
  for (const f of s.hours.failed.slice(0, SHOWN)) row('failed', `${f.hour} ${f.stage} ${f.code}: ${f.message}${f.hint ? ` — ${f.hint}` : ''}`);
  if (s.hours.failed.length > SHOWN) row('failed', `… and ${s.hours.failed.length - SHOWN} more hours (ghlake status lists them)`);
  for (const e of s.errors) row('failed', `${e.stage} ${e.code}: ${e.message}${e.hint ? ` — ${e.hint}` : ''}`);
  if (s.hours.notStarted.length) row('not started', `${listSome(s.hours.notStarted)} (the next run does them)`);
  row(
    'events',
    `${formatCount(s.events)} to bronze, ${formatCount(s.silverEvents)} distinct within their hours to silver; ${formatCount(s.quarantined)} lines quarantined${reasons(s.quarantinedByReason)}`,
  );
  row('downloaded', formatBytes(s.bytesDownloaded));
  const stages = STAGE_ORDER.filter((st) => s.stages[st]).map((st) => {
    const t = s.stages[st]!;
    return `${st} ${t.skipped ? 'skipped' : !t.ok ? 'FAILED' : formatDuration(t.ms)}`;
  });
  row('time', `${stages.join(' · ')} · total ${formatDuration(s.elapsedMs)}`);
  if (s.events) row('throughput', `${formatRate(s.throughput.eventsPerSec, 'events')}, ${formatByteRate(s.throughput.downloadMBps * 1e6)} downloaded`);
  if (s.gold) {
    const tables = Object.entries(s.gold.tables);
    row(
      'silver',
      `${formatCount(s.gold.silverEvents)} events in the lake after cross-hour dedup${
        s.gold.silverCommits ? ` (${formatCount(s.gold.crossHourDuplicatesRemoved)} copies kept by an earlier hour file set aside)` : ''
      }`,
    );
    const logins = s.gold.timelineLogins;
    if (logins && (logins.resolved > 0 || logins.rekeyedHours > 0))
      row(
        'logins',
        `Timeline logins resolved across hours: ${formatCount(logins.resolved)} new row${logins.resolved === 1 ? '' : 's'} given the lake's id, ${logins.rekeyedHours} published hour${logins.rekeyedHours === 1 ? '' : 's'} re-keyed`,
      );
    if (s.gold.rebuilt) row('gold', `${s.gold.mode === 'rebuild' ? 'rebuilt: ' : ''}${tables.map(([t, n]) => `${t} ${formatCount(n)}`).join(', ')}`);
    else row('gold', 'unchanged (already up to date with silver)');
  }
  if (s.upload)
    row(
      'upload',
      `${s.upload.mode}: ${formatCount(s.upload.uploaded)} objects uploaded (${formatBytes(s.upload.bytes)}), ${formatCount(s.upload.unchanged)} unchanged, ${s.upload.failed.length} failed${s.upload.deleted ? `, ${formatCount(s.upload.deleted)} obsolete deleted` : ''}`,
    );
  if (s.snowflake)
    row(
      'snowflake',
      Object.entries(s.snowflake.rows)
        .map(([t, n]) => `${t} ${formatCount(n)}`)
        .join(', ') || 'nothing new to load',
    );
  if (s.topRepositories?.length) {
    out.push('', 'most active repositories (gold.repo_metrics):');
    const width = Math.max(...s.topRepositories.map((r) => (r.repo_name ?? `#${r.repo_id}`).length));
    s.topRepositories.forEach((r, i) =>
      out.push(`  ${String(i + 1).padStart(2)}. ${(r.repo_name ?? `#${r.repo_id}`).padEnd(width)}  ${formatCount(r.total_events).padStart(8)} events`),
    );
  }
  return out.join('\n');
}
