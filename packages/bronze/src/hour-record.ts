/**
 * A transformed hour's outcome in the manifest's terms (core's hour-records.ts records it): the
 * same for `ghlake bronze`, `ghlake silver` and the fused transform of `ghlake run`.
 */
import { publishedPathOfStaged, type HourAccounting, type TransformLayer, type TransformRecord } from '@ghlake/core';
import type { HourOutcome } from './runner.js';

/** What the silver part of a transform counted (absent for bronze alone). */
export interface SilverCounts {
  events: number;
  duplicates: number;
}

export function hourAccountingOf(outcome: Pick<HourOutcome<unknown>, 'accounting'>, silver: SilverCounts | null | undefined): HourAccounting {
  const acc = outcome.accounting;
  return {
    lines: acc?.lines ?? 0,
    events: acc?.events ?? 0,
    silverEvents: silver?.events ?? 0,
    quarantined: acc?.quarantinedLines ?? 0,
    quarantinedByReason: acc?.quarantinedByReason ?? {},
    blankLines: acc?.blankLines ?? 0,
    duplicates: silver?.duplicates ?? 0,
  };
}

/** The record of an hour that was written (ok or damaged). Silver is staged; its files are recorded where its commit publishes them. */
export function transformRecordOf(
  lake: string,
  outcome: HourOutcome<unknown>,
  layers: readonly TransformLayer[],
  silver: SilverCounts | null | undefined,
): TransformRecord {
  return {
    layers,
    files: outcome.files.map((f) => publishedPathOfStaged(lake, f.path)),
    accounting: hourAccountingOf(outcome, silver),
    ...(outcome.damage ? { damaged: `${outcome.damage.code}: ${outcome.damage.message}` } : {}),
  };
}
