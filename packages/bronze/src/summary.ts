/**
 * Per-hour summary lines and the JSON summary of `ghlake bronze` / `ghlake silver`, shared by
 * both commands. Text for people, JSON (`--json`) for scripts.
 */
import { formatDuration } from '@ghlake/core';
import type { HourOutcome } from './runner.js';

function reasons(byReason: Record<string, number>): string {
  const parts = Object.entries(byReason)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([r, n]) => `${r}=${n}`);
  return parts.length ? ` (${parts.join(' ')})` : '';
}

function seconds(ms: number | undefined): string {
  return ms === undefined ? '' : ` ${formatDuration(ms)}`;
}

/** One line per hour: `2015-01-01-15 ok lines=11351 events=11351 quarantined=0 silver=11351 dup=0 2.1s`. */
export function formatHourLine<M>(o: HourOutcome<M>, extra?: (m: M) => string): string {
  if (o.status === 'failed') {
    const e = o.error;
    return `${o.hour} FAILED ${e?.code ?? ''}: ${e?.message ?? 'unknown error'}${e?.hint ? `\n  hint: ${e.hint}` : ''}`;
  }
  const a = o.accounting!;
  const damage = o.damage ? ` DAMAGED ${o.damage.code}: ${o.damage.message}` : '';
  const more = o.extension !== null && extra ? ` ${extra(o.extension)}` : '';
  return `${o.hour} ${o.status} lines=${a.lines} events=${a.events} quarantined=${a.quarantineRows}${reasons(a.quarantinedByReason)} blank=${a.blankLines} duplicates=${a.duplicates}${more}${seconds(o.timings?.totalMs)}${damage}`;
}

export interface RunTotals {
  hours: number;
  ok: number;
  damaged: number;
  failed: number;
  lines: number;
  events: number;
  quarantined: number;
  quarantinedByReason: Record<string, number>;
}

export function totalsOf<M>(outcomes: readonly HourOutcome<M>[]): RunTotals {
  const t: RunTotals = { hours: outcomes.length, ok: 0, damaged: 0, failed: 0, lines: 0, events: 0, quarantined: 0, quarantinedByReason: {} };
  for (const o of outcomes) {
    // discarded: nothing was published for the hour (only with discardDamaged, which `ghlake run` sets).
    t[o.status === 'discarded' ? 'failed' : o.status]++;
    if (!o.accounting) continue;
    t.lines += o.accounting.lines;
    t.events += o.accounting.events;
    t.quarantined += o.accounting.quarantineRows;
    for (const [r, n] of Object.entries(o.accounting.quarantinedByReason)) t.quarantinedByReason[r] = (t.quarantinedByReason[r] ?? 0) + n;
  }
  return t;
}

export function formatTotals(t: RunTotals): string {
  return `${t.hours} hour${t.hours === 1 ? '' : 's'}: ${t.ok} ok, ${t.damaged} damaged, ${t.failed} failed; ${t.lines} lines, ${t.events} events, ${t.quarantined} quarantined${reasons(t.quarantinedByReason)}`;
}

/** Exit code of a transform run: 1 when any hour failed (damaged hours kept what they could: 0). */
export function exitCodeOf<M>(outcomes: readonly HourOutcome<M>[]): 0 | 1 {
  return outcomes.some((o) => o.status === 'failed' || o.status === 'discarded') ? 1 : 0;
}
