/**
 * The body `ghlake bronze` and `ghlake silver` share once their options are read: take the lake
 * lock, run the hours on a pool sized to them, print a line per hour as it finishes and the
 * totals (or the JSON summary), and turn the outcomes into the exit code.
 */
import { createPool, ensureLakeFormat, withCommandLakeLock, type CommandIO, type ExitCode, type HourKey, type SharedPool } from '@ghlake/core';
import type { HourOutcome, RunHoursOptions } from './runner.js';
import { exitCodeOf, formatHourLine, formatTotals, totalsOf } from './summary.js';

export interface HourCommandSpec<M> {
  /** The subcommand's name (recorded in the lake lock). */
  name: string;
  lake: string;
  hours: readonly HourKey[];
  threads: number;
  workerHeapMb: number;
  json: boolean;
  /** Run the hours on the pool (the stage's runner). */
  run: (pool: SharedPool, options: RunHoursOptions<M>) => Promise<HourOutcome<M>[]>;
  /** Stage-specific figures appended to each hour's line. */
  extra?: (metrics: M) => string;
  /**
   * Work after the hours, under the same lock (silver publishes what it staged): its summary
   * lines are printed after the hours' totals; a failure makes the exit code 1.
   */
  after?: (outcomes: HourOutcome<M>[]) => Promise<string[]>;
}

export function runHourCommand<M>(io: CommandIO, spec: HourCommandSpec<M>): Promise<ExitCode> {
  // One writer per lake: held until the pool is gone (`ghlake run` holds it itself).
  return withCommandLakeLock(io, spec.name, spec.lake, async (): Promise<ExitCode> => {
    await ensureLakeFormat(spec.lake);
    const pool = createPool({ threads: Math.min(spec.threads, spec.hours.length), maxOldGenerationSizeMb: spec.workerHeapMb });
    try {
      const outcomes = await spec.run(pool, {
        signal: io.signal,
        onHourDone: (o) => {
          if (!spec.json) (o.status === 'failed' ? io.stderr : io.stdout).write(`${formatHourLine(o, spec.extra)}\n`);
        },
      });
      if (io.signal.aborted) return 130;
      const totals = totalsOf(outcomes);
      const after = spec.after ? await spec.after(outcomes) : [];
      if (io.signal.aborted) return 130;
      io.stdout.write(spec.json ? `${JSON.stringify({ totals, hours: outcomes, after }, null, 2)}\n` : `${[formatTotals(totals), ...after].join('\n')}\n`);
      return exitCodeOf(outcomes);
    } finally {
      await pool.destroy();
    }
  });
}
