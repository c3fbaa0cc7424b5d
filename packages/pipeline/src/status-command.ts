/**
 * `ghlake status [--from H --to H | --date D] [--lake DIR] [--json]`: per-hour state of the
 * lake, missing hours, quarantined lines and gaps. Reads only; never takes the lock.
 */
import path from 'node:path';
import {
  COMMON_OPTIONS,
  RANGE_OPTIONS,
  defineOptions,
  describeHolder,
  describeOptions,
  parseCommandLine,
  resolveHours,
  resolveOptions,
  type Command,
  type CommandIO,
  formatBytes,
  formatCount,
  type ExitCode,
} from '@ghlake/core';
import { listSome } from './format.js';
import { lakeStatus, type HourStatus, type LakeStatus } from './lake-status.js';

export const STATUS_OPTIONS = defineOptions({
  lake: COMMON_OPTIONS.lake,
  ...RANGE_OPTIONS,
  json: COMMON_OPTIONS.json,
});

const hours = (n: number) => `${n} hour${n === 1 ? '' : 's'}`;

/** Why the missing hours are missing, and where: `HTTP 404 at http://127.0.0.1:8080` (the source the run asked, named). */
function missingText(s: LakeStatus): string {
  const why = new Map<string, number>();
  for (const h of s.hours) {
    if (h.state !== 'missing') continue;
    const message = h.error?.message ?? '';
    const reason = message.startsWith(`${h.hour}: `) ? message.slice(h.hour.length + 2) : 'not on the server';
    why.set(reason, (why.get(reason) ?? 0) + 1);
  }
  const reasons = [...why].map(([reason, n]) => (why.size > 1 ? `${reason}: ${n}` : reason)).join('; ');
  return `${s.missing.length} (${reasons}): ${listSome(s.missing)}`;
}

/** Above this many hours the table shows one line per day. */
const PER_HOUR_LIMIT = 72;

function gapText(s: LakeStatus): string {
  if (!s.gaps.length) return 'none';
  return listSome(
    s.gaps.map((g) => `${g.from}${g.hours > 1 ? `..${g.to} (${hours(g.hours)}: ` : ' ('}${g.states.join(', ')})`),
    10,
  );
}

function byReason(reasons: Record<string, number>): string {
  const entries = Object.entries(reasons).sort((a, b) => b[1] - a[1]);
  return entries.length ? ` (${entries.map(([r, n]) => `${r} ${formatCount(n)}`).join(', ')})` : '';
}

function note(h: HourStatus): string {
  if (h.state === 'incomplete') {
    const gone = h.missingFiles ?? [];
    const why = gone.length === (h.problems ?? []).length ? `files gone: ${listSome(gone, 2)}` : `outputs not as recorded: ${listSome(h.problems ?? [], 2)}`;
    return `${why}; the next run redoes it`;
  }
  if (h.damaged) return `damaged: ${h.damaged}`;
  if (h.layers)
    return `${h.layers.join(' and ')} written; ${h.layers.includes('silver') ? 'bronze' : 'silver'} not yet (ghlake ${h.layers.includes('silver') ? 'bronze' : 'silver'}, or ghlake run)`;
  const partly = h.partial ? `partly downloaded: ${formatBytes(h.partial.bytes)} of ${formatBytes(h.partial.size)} kept; the next run resumes` : '';
  if (h.error && h.state !== 'missing') return `${h.error.stage} ${h.error.code}: ${h.error.message}${partly ? ` (${partly})` : ''}`;
  return partly;
}

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) =>
    r
      .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd(),
  );
}

export function formatStatus(s: LakeStatus): string {
  const out: string[] = [];
  out.push(`lake        ${s.lake}`);
  if (s.lock) out.push(`lock        ${s.lock.stale ? 'stale (its process is gone; the next run takes it over): ' : 'held by '}${describeHolder(s.lock)}`);
  if (!s.range) {
    out.push('hours     none yet — run `ghlake run` to fill the lake');
    return out.join('\n');
  }
  out.push(`range       ${s.range.from} .. ${s.range.to} (${hours(s.range.hours)})`);
  out.push(
    `hours       ${Object.entries(s.counts)
      .map(([state, n]) => `${n} ${state}`)
      .join(', ')}`,
  );
  out.push(`events      ${formatCount(s.events)} in bronze, ${formatCount(s.silverEvents)} distinct in silver`);
  out.push(`quarantined ${formatCount(s.quarantined)} lines${byReason(s.quarantinedByReason)}`);
  out.push(`missing     ${s.missing.length ? missingText(s) : 'none'}`);
  out.push(`gaps        ${gapText(s)}`);
  out.push(
    `gold        ${s.gold ? `built ${s.gold.builtAt} from ${hours(s.gold.hours)} — ${s.gold.current ? 'current' : `stale${s.gold.staged ? ` (${hours(s.gold.staged)} transformed, not yet published)` : ''}: \`ghlake run\` brings it up to date`}` : 'not built'}`,
  );
  out.push('');
  if (s.hours.length <= PER_HOUR_LIMIT) {
    const rows = [['hour', 'state', 'events', 'quarantined', 'note']];
    for (const h of s.hours)
      rows.push([h.hour, h.state, h.events === undefined ? '' : formatCount(h.events), h.quarantined === undefined ? '' : formatCount(h.quarantined), note(h)]);
    out.push(...table(rows));
  } else {
    const days = new Map<string, HourStatus[]>();
    for (const h of s.hours) {
      const day = h.hour.slice(0, 10);
      days.set(day, [...(days.get(day) ?? []), h]);
    }
    const rows = [['day', 'hours', 'events', 'quarantined', 'not complete']];
    for (const [day, hs] of days) {
      const counts = new Map<string, number>();
      for (const h of hs) counts.set(h.state, (counts.get(h.state) ?? 0) + 1);
      const incomplete = hs.filter((h) => !['transformed', 'published', 'loaded'].includes(h.state));
      rows.push([
        day,
        [...counts].map(([k, n]) => `${n} ${k}`).join(', '),
        formatCount(hs.reduce((a, h) => a + (h.events ?? 0), 0)),
        formatCount(hs.reduce((a, h) => a + (h.quarantined ?? 0), 0)),
        listSome(
          incomplete.map((h) => `${h.hour.slice(11)}h ${h.state}`),
          6,
        ),
      ]);
    }
    out.push(...table(rows));
  }
  if (s.failed.length) {
    out.push('', 'failures:');
    for (const f of s.failed) out.push(`  ${f.hour}  ${f.error ? `${f.error.stage} ${f.error.code}: ${f.error.message}` : f.state}`);
  }
  return out.join('\n');
}

export const statusCommand: Command = {
  name: 'status',
  summary: 'per-hour state of the lake: done, missing, failed, quarantined lines, gaps',
  help: () =>
    [
      'ghlake status [--from H --to H | --date D] [--lake DIR] [--json]',
      '',
      'Shows each hour of the range (default: every hour the lake knows) with its state —',
      'pending, missing (404), failed, downloaded, transformed, published, loaded, or incomplete',
      '(marked done but an output is gone, or not the size and Parquet footer recorded when it was',
      'written; the reason is shown) — its events and quarantined lines, the gaps in the range,',
      'whether gold is current, and who holds the lake lock. Reads only.',
      '',
      'options:',
      describeOptions(STATUS_OPTIONS),
    ].join('\n'),
  async run(io: CommandIO): Promise<ExitCode> {
    const line = parseCommandLine(io.argv, STATUS_OPTIONS);
    const options = resolveOptions(STATUS_OPTIONS, { flags: line.flags, env: io.env });
    const hours = resolveHours(options);
    const lake = path.resolve(io.cwd, options.lake);
    const status = await lakeStatus(lake, hours);
    if (options.json) io.stdout.write(`${JSON.stringify(status, null, 2)}\n`);
    else io.stdout.write(`${formatStatus(status)}\n`);
    return 0;
  },
};
