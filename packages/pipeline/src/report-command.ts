/**
 * `ghlake report`: the thin CLI over @ghlake/report's `writeReport`, and `refreshReport`, which
 * the end of `ghlake run` calls too. This is where the report meets the manifest: each hour of the
 * range gets its calendar state from the lake's status (manifest checked against the files), and
 * a lake without a manifest record for an hour (silver generated or copied in) counts the hour
 * present when its silver partition is there.
 */
import path from 'node:path';
import {
  compareHours,
  describeOptions,
  hourDate,
  hourRange,
  parseCommandLine,
  reportPath,
  resolveHours,
  resolveOptions,
  silverEvents,
  type Command,
  type CommandIO,
  type ExitCode,
  type HourKey,
  readManifest,
} from '@ghlake/core';
import { listPartitionFiles } from '@ghlake/core/duckdb';
import { assertLakeExists } from '@ghlake/gold';
import { REPORT_OPTIONS, writeReport, type CalendarHour, type ReportResult } from '@ghlake/report';
import { lakeStatus, type HourStatus } from './lake-status.js';

/** An hour's calendar state from its observed status (and whether its silver partition exists). */
export function calendarHour(status: HourStatus, hasSilver: boolean): CalendarHour {
  const { hour } = status;
  switch (status.state) {
    case 'transformed':
    case 'published':
    case 'loaded':
      return status.damaged ? { hour, state: 'damaged', note: status.damaged } : { hour, state: 'present' };
    case 'missing':
      return { hour, state: 'missing', note: status.error?.message ?? 'not on the server (404)' };
    case 'failed':
      return { hour, state: 'failed', note: status.error ? `${status.error.stage} ${status.error.code}: ${status.error.message}` : 'failed' };
    case 'incomplete':
      return { hour, state: 'not_run', note: 'marked done but its files are gone: the next run redoes it' };
    default:
      return hasSilver
        ? { hour, state: 'present', note: 'silver partition present (not recorded in the manifest)' }
        : { hour, state: 'not_run', ...(status.state === 'downloaded' ? { note: 'downloaded, not transformed yet' } : {}) };
  }
}

export interface RefreshReportOptions {
  lake: string;
  /** The hours to cover; default: every hour the manifest or the silver partitions know. */
  hours?: readonly HourKey[];
  repos?: readonly string[];
  out?: string;
  top?: number;
  memoryLimit: number;
  threads: number;
  signal?: AbortSignal;
}

/** Write the report of a lake (or of a range of it); undefined when the lake has no hour at all. */
export async function refreshReport(options: RefreshReportOptions): Promise<ReportResult | undefined> {
  // With the run's hours given, only their days' partitions are listed: an hourly run's cost follows its hours, not the lake.
  const given = options.hours?.length ? [...options.hours].sort(compareHours) : undefined;
  const days = given ? { from: hourDate(given[0]!), to: hourDate(given[given.length - 1]!) } : undefined;
  const silverHours = new Set((await listPartitionFiles(options.lake, silverEvents, days)).map((p) => p.hour));
  const asked = given ?? [...new Set([...(Object.keys((await readManifest(options.lake)).hours) as HourKey[]), ...silverHours])].sort(compareHours);
  if (!asked.length) return undefined;
  const range = hourRange(asked[0]!, asked[asked.length - 1]!);
  const status = await lakeStatus(options.lake, range);
  const calendar = status.hours.map((h) => calendarHour(h, silverHours.has(h.hour)));
  return writeReport({
    lake: options.lake,
    from: range[0]!,
    to: range[range.length - 1]!,
    repos: options.repos ?? [],
    top: options.top,
    calendar,
    gold: status.gold,
    out: options.out ?? reportPath(options.lake),
    memoryLimit: options.memoryLimit,
    threads: options.threads,
    signal: options.signal,
  });
}

export const reportCommand: Command = {
  name: 'report',
  summary: 'one self-contained HTML report: activity over time, top lists, per-repository charts, data quality',
  help: () =>
    [
      'usage: ghlake report [--lake L] [--from H --to H | --date D] [--repo owner/name]... [--out FILE]',
      '',
      'Writes one HTML file (scripts, styles and data inline: it opens from disk with no network)',
      'and prints its path. Every figure is one SQL statement over the warehouse, shown under its',
      'chart, that ghlake query runs the same way. The range defaults to every hour the lake knows.',
      '',
      '  activity     events per hour stacked by type, share of bot actors',
      '  most active  top repositories, actors and organizations, each with its trend',
      '  --repo       stars, forks, pull requests, issues, contributors per day, cumulative stars',
      '  quality      calendar of hours (present, missing at the source, damaged, failed, not yet',
      '               run), quarantined lines by reason, cross-hour duplicates removed, and a',
      '               capture indicator per hour (see docs/report.md)',
      '',
      'examples:',
      '  ghlake report --lake ./demo-lake --repo cachethq/Cachet',
      '  ghlake report --date 2024-06-03 --out june-3.html',
      '',
      'options:',
      describeOptions(REPORT_OPTIONS),
    ].join('\n'),
  async run(io: CommandIO): Promise<ExitCode> {
    const line = parseCommandLine(io.argv, REPORT_OPTIONS);
    const options = resolveOptions(REPORT_OPTIONS, { flags: line.flags, env: io.env });
    const hours = resolveHours(options);
    const lake = path.resolve(io.cwd, options.lake);
    await assertLakeExists(lake, options.lake);
    const result = await refreshReport({
      lake,
      hours,
      repos: options.repo,
      out: options.out === undefined ? undefined : path.resolve(io.cwd, options.out),
      top: options.top,
      memoryLimit: options.memoryLimit,
      threads: options.threads,
      signal: io.signal,
    });
    if (!result) {
      io.stderr.write(`the lake ${lake} has no hours yet: nothing to report (run ghlake run first)\n`);
      return 1;
    }
    const missingRepos = options.repo.filter((name) => !result.datasets[`repo:${name}`]);
    for (const name of missingRepos)
      io.stderr.write(`warning: no events of a repository named ${name} in ${result.data.meta.firstDay} .. ${result.data.meta.lastDay}\n`);
    if (options.json) io.stdout.write(`${JSON.stringify({ path: result.path, bytes: result.bytes, ms: result.ms, datasets: result.datasets })}\n`);
    else io.stdout.write(`${result.path}\n`);
    return 0;
  },
};
