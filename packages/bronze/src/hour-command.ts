/**
 * The body `ghlake bronze` and `ghlake silver` share once their options are read: take the lake
 * lock, run the hours on a pool sized to them, record each hour in the lake's manifest as it
 * finishes (as `ghlake run` does: status and the next run see it), print a line per hour and the
 * totals (or the JSON summary), and turn the outcomes into the exit code.
 */
import {
  ManifestStore,
  createPool,
  ensureLakeFormat,
  recordFailure,
  recordTransform,
  withCommandLakeLock,
  type CommandIO,
  type ExitCode,
  type HourKey,
  type SharedPool,
  type TransformLayer,
  nativeNotice,
} from '@ghlake/core';
import { transformRecordOf, type SilverCounts } from './hour-record.js';
import type { HourOutcome, RunHoursOptions } from './runner.js';
import { exitCodeOf, formatHourLine, formatTotals, totalsOf } from './summary.js';

export interface HourCommandSpec<M> {
  /** The subcommand's name (recorded in the lake lock). */
  name: string;
  /** The layer its hours write (what the manifest records of them). */
  layer: TransformLayer;
  lake: string;
  hours: readonly HourKey[];
  threads: number;
  workerHeapMb: number;
  json: boolean;
  /** Run the hours on the pool (the stage's runner). */
  run: (pool: SharedPool, options: RunHoursOptions<M>) => Promise<HourOutcome<M>[]>;
  /** Stage-specific figures appended to each hour's line. */
  extra?: (metrics: M) => string;
  /** What the silver part counted of an hour (silver's distinct events and duplicates), for the manifest. */
  silverCounts?: (metrics: M) => SilverCounts;
  /**
   * Work after the hours, under the same lock (silver publishes what it staged): its summary
   * lines are printed after the hours' totals; a failure makes the exit code 1. `store`: the
   * manifest, open on the command's hours.
   */
  after?: (outcomes: HourOutcome<M>[], store: ManifestStore) => Promise<string[]>;
}

export function runHourCommand<M>(io: CommandIO, spec: HourCommandSpec<M>): Promise<ExitCode> {
  // One writer per lake: held until the pool is gone (`ghlake run` holds it itself).
  return withCommandLakeLock(io, spec.name, spec.lake, async (): Promise<ExitCode> => {
    await ensureLakeFormat(spec.lake);
    const notice = nativeNotice();
    if (notice !== undefined) io.stderr.write(`note: ${notice}\n`);
    const store = await ManifestStore.open(spec.lake, { hours: spec.hours });
    const pool = createPool({ threads: Math.min(spec.threads, spec.hours.length), maxOldGenerationSizeMb: spec.workerHeapMb });
    const recorded: Promise<unknown>[] = [];
    try {
      const outcomes = await spec.run(pool, {
        signal: io.signal,
        onHourDone: (o) => {
          if (!spec.json) (o.status === 'failed' ? io.stderr : io.stdout).write(`${formatHourLine(o, spec.extra)}\n`);
          if (o.status === 'failed' && o.error) recordFailure(store, o.hour, spec.layer, o.error);
          else if (o.status === 'ok' || o.status === 'damaged') {
            const silver = o.extension !== null && spec.silverCounts ? spec.silverCounts(o.extension) : null;
            const layers: TransformLayer[] = [spec.layer];
            recorded.push(recordTransform(store, o.hour, transformRecordOf(spec.lake, o, layers, silver), new Date().toISOString()));
          }
        },
      });
      await Promise.all(recorded);
      if (io.signal.aborted) return 130;
      const totals = totalsOf(outcomes);
      const after = spec.after ? await spec.after(outcomes, store) : [];
      if (io.signal.aborted) return 130;
      io.stdout.write(spec.json ? `${JSON.stringify({ totals, hours: outcomes, after }, null, 2)}\n` : `${[formatTotals(totals), ...after].join('\n')}\n`);
      return exitCodeOf(outcomes);
    } finally {
      await Promise.allSettled(recorded);
      await pool.destroy();
      await store.flush();
    }
  });
}
