/**
 * What a lake holds for a range of hours: each hour's state (checked against its files),
 * line accounting, failures, the gaps in the range, whether gold is current, and who holds
 * the lock. Data only — `ghlake status` formats it.
 */
import {
  compareHours,
  currentLockHolder,
  hourRange,
  hourRecord,
  isTransformed,
  outputProblemsOfHours,
  readHeads,
  readManifest,
  type HourKey,
  type HourState,
  type LockHolder,
  type TransformLayer,
} from '@ghlake/core';
import { stagedHours } from '@ghlake/silver';
import { hoursWithKeptPartials, keptPartialProgress } from '@ghlake/download';

/** A manifest state, or `incomplete`: marked transformed but an output is gone or not what was recorded (the next run redoes it). */
export type ObservedState = HourState | 'incomplete';

export interface HourStatus {
  hour: HourKey;
  state: ObservedState;
  events?: number;
  silverEvents?: number;
  quarantined?: number;
  damaged?: string;
  error?: { stage: string; code: string; message: string };
  missingFiles?: string[];
  /** Not transformed, but these layers were written by a step command (`['bronze']` after `ghlake bronze`). */
  layers?: TransformLayer[];
  /** Why an `incomplete` hour is: one line per output that is gone or not what was recorded. */
  problems?: string[];
  /** Not downloaded yet, but a stopped run kept part of it: the next run resumes from `bytes`. */
  partial?: { bytes: number; size: number };
}

export interface Gap {
  from: HourKey;
  to: HourKey;
  hours: number;
  /** States found in the gap (pending, missing, failed, ...). */
  states: ObservedState[];
}

export interface LakeStatus {
  lake: string;
  range: { from: HourKey; to: HourKey; hours: number } | null;
  hours: HourStatus[];
  counts: Partial<Record<ObservedState, number>>;
  events: number;
  silverEvents: number;
  quarantined: number;
  quarantinedByReason: Record<string, number>;
  missing: HourKey[];
  failed: HourStatus[];
  gaps: Gap[];
  /**
   * The published gold: its version, when, over how many consolidated source hours, and whether it
   * reflects every hour the lake holds (no hour staged but unpublished, gold at silver's last commit).
   */
  gold: { version: string; builtAt: string; hours: number; current: boolean; staged: number } | null;
  lock: (LockHolder & { stale: boolean }) | null;
}

/** Hours with nothing usable: they make a gap. */
const GAP_STATES: ObservedState[] = ['pending', 'missing', 'failed', 'downloaded', 'incomplete'];

export async function lakeStatus(lake: string, range?: readonly HourKey[]): Promise<LakeStatus> {
  // A range reads only its months of the manifest.
  const manifest = await readManifest(lake, range && range.length ? { hours: range } : {});
  let hours: HourKey[];
  if (range && range.length) hours = [...range].sort(compareHours);
  else {
    const known = (Object.keys(manifest.hours) as HourKey[]).sort(compareHours);
    hours = known.length ? hourRange(known[0]!, known[known.length - 1]!) : [];
  }

  const status: LakeStatus = {
    lake,
    range: hours.length ? { from: hours[0]!, to: hours[hours.length - 1]!, hours: hours.length } : null,
    hours: [],
    counts: {},
    events: 0,
    silverEvents: 0,
    quarantined: 0,
    quarantinedByReason: {},
    missing: [],
    failed: [],
    gaps: [],
    gold: null,
    lock: (await currentLockHolder(lake)) ?? null,
  };

  const withPartials = await hoursWithKeptPartials(lake);
  // Hours marked done are checked against their files as a run checks them, many at a time.
  const problemsOf = await outputProblemsOfHours(
    lake,
    hours.map((h) => [h, hourRecord(manifest, h)] as const).filter(([, r]) => r.transform && isTransformed(r)),
  );
  for (const hour of hours) {
    const record = hourRecord(manifest, hour);
    const item: HourStatus = { hour, state: record.state };
    if (record.transform && isTransformed(record)) {
      const acc = record.transform.accounting;
      item.events = acc.events;
      item.silverEvents = acc.silverEvents;
      item.quarantined = acc.quarantined;
      if (record.transform.damaged) item.damaged = record.transform.damaged;
      const problems = problemsOf.get(hour) ?? [];
      if (problems.length) {
        item.state = 'incomplete';
        item.problems = problems;
        const gone = problems.filter((p) => p.endsWith(': gone')).map((p) => p.replace(/: gone$/, ''));
        if (gone.length) item.missingFiles = gone;
      } else {
        status.events += acc.events;
        status.silverEvents += acc.silverEvents;
        status.quarantined += acc.quarantined;
        for (const [reason, n] of Object.entries(acc.quarantinedByReason)) status.quarantinedByReason[reason] = (status.quarantinedByReason[reason] ?? 0) + n;
      }
    } else if (record.transform?.layers) {
      // A step command wrote part of the hour (`ghlake bronze` without `ghlake silver` yet).
      item.layers = record.transform.layers;
      item.events = record.transform.accounting.events;
      item.quarantined = record.transform.accounting.quarantined;
    }
    if (record.error) item.error = { stage: record.error.stage, code: record.error.code, message: record.error.message };
    if ((item.state === 'pending' || item.state === 'failed') && withPartials.has(hour)) {
      const partial = await keptPartialProgress(lake, hour);
      if (partial) item.partial = partial;
    }
    status.counts[item.state] = (status.counts[item.state] ?? 0) + 1;
    if (item.state === 'missing') status.missing.push(hour);
    if (item.state === 'failed' || (item.error && item.state !== 'missing')) status.failed.push(item);
    status.hours.push(item);
  }

  let open: Gap | undefined;
  for (const item of status.hours) {
    if (GAP_STATES.includes(item.state)) {
      if (!open) {
        open = { from: item.hour, to: item.hour, hours: 0, states: [] };
        status.gaps.push(open);
      }
      open.to = item.hour;
      open.hours++;
      if (!open.states.includes(item.state)) open.states.push(item.state);
    } else open = undefined;
  }

  const heads = await readHeads(lake);
  if (heads.gold) {
    const staged = (await stagedHours(lake)).ready.length;
    status.gold = {
      version: heads.gold.version,
      builtAt: heads.gold.at,
      hours: heads.silver?.hours ?? 0,
      current: staged === 0 && heads.gold.head === (heads.silver?.head ?? 0),
      staged,
    };
  }
  return status;
}
