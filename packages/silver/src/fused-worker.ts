/**
 * The FUSED hour path (what `ghlake run` uses): each archive line is parsed ONCE and the same
 * parsed event feeds bronze and silver; every partition of the hour (bronze events, quarantine,
 * accounting, the five silver tables) is staged and then made visible together.
 */
import { ERROR_CODES, GhlakeError, workerEntry, type HourKey } from '@ghlake/core';
import { transformRawHour, type EventReaderOptions, type HourExtension, type RawHourResult, type RawHourTask, type StagedFiles } from '@ghlake/bronze';
import { SilverHourWriter, type SilverHourMetrics } from './write-silver.js';

export interface FusedHourTask extends RawHourTask {
  silverRowGroupRows: number;
}
export type FusedHourResult = RawHourResult<SilverHourMetrics>;

export function silverExtension(lake: string, hour: HourKey, rowGroupRows: number): HourExtension<SilverHourMetrics> {
  let writer: SilverHourWriter | undefined;
  return {
    async open(staged: StagedFiles, writtenAtMs: number) {
      writer = await SilverHourWriter.open(staged, lake, hour, writtenAtMs, rowGroupRows);
    },
    event(ev) {
      writer!.add(ev, ev.duplicate);
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

/** `readerOptions`: for tests only (the differential test reads with the previous hash). */
export function transformFusedHour(task: FusedHourTask, readerOptions: EventReaderOptions = {}): Promise<FusedHourResult> {
  return transformRawHour(task, silverExtension(task.lake, task.hour as HourKey, task.silverRowGroupRows), readerOptions);
}

export default workerEntry<FusedHourTask, FusedHourResult>((task) => transformFusedHour(task));
