/**
 * The FUSED hour path (what `ghlake run` uses): each archive line is parsed ONCE and the same
 * parsed event feeds bronze and silver; every partition of the hour (bronze events, quarantine,
 * accounting, the five silver tables) is staged and then made visible together.
 */
import { ERROR_CODES, GhlakeError, workerEntry, type HourKey } from '@ghlake/core';
import { transformRawHour, type HourExtension, type ParsedEvent, type RawHourResult, type RawHourTask, type StagedFiles } from '@ghlake/bronze';
import { asObject, type SilverEventInput } from './event-input.js';
import { SilverHourWriter, type SilverHourMetrics } from './write-silver.js';

export interface FusedHourTask extends RawHourTask {
  silverRowGroupRows: number;
}
export type FusedHourResult = RawHourResult<SilverHourMetrics>;

/** A parsed archive event as silver input (no second parse: the object bronze built). */
export function silverInputFromParsed(ev: ParsedEvent): SilverEventInput {
  const o = ev.obj;
  return {
    eventId: ev.eventId,
    eventType: ev.eventType,
    createdAtMs: ev.createdAtMs,
    hash: ev.hash,
    actor: asObject(o.actor),
    repo: asObject(o.repo),
    org: asObject(o.org),
    payload: o.payload,
    payloadBytes: ev.payloadBytes,
    public: typeof o.public === 'boolean' ? o.public : null,
    duplicate: ev.duplicate,
  };
}

export function silverExtension(lake: string, hour: HourKey, rowGroupRows: number): HourExtension<SilverHourMetrics> {
  let writer: SilverHourWriter | undefined;
  return {
    async open(staged: StagedFiles, writtenAtMs: number) {
      writer = await SilverHourWriter.open(staged, lake, hour, writtenAtMs, rowGroupRows);
    },
    event(ev) {
      writer!.add(silverInputFromParsed(ev));
    },
    drain: () => writer!.drain(),
    async close(accounting) {
      const metrics = await writer!.close();
      // Every bronze event is either a silver row or a counted duplicate.
      if (metrics.events + metrics.duplicates !== accounting.events || metrics.duplicates !== accounting.duplicates) {
        throw new GhlakeError(
          ERROR_CODES.RECONCILIATION,
          `hour ${hour}: silver events ${metrics.events} + duplicates ${metrics.duplicates} != bronze events ${accounting.events} (bronze counted ${accounting.duplicates} duplicates)`,
          {
            hint: 'this is a bug in ghlake, nothing was published for the hour; please report it with the hour',
            details: { hour, silver: metrics, bronzeEvents: accounting.events },
          },
        );
      }
      return metrics;
    },
  };
}

export function transformFusedHour(task: FusedHourTask): Promise<FusedHourResult> {
  return transformRawHour(task, silverExtension(task.lake, task.hour as HourKey, task.silverRowGroupRows));
}

export default workerEntry<FusedHourTask, FusedHourResult>(transformFusedHour);
