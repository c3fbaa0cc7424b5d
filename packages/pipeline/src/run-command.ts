/**
 * `ghlake run`: the thin CLI over `runPipeline`. It alone reads argv/env, decides between the
 * live display (stderr is a terminal) and plain log lines, and prints the summary (or JSON).
 */
import {
  createLogger,
  describeOptions,
  lockCommandLine,
  parseCommandLine,
  resolveOptions,
  type Command,
  type CommandIO,
  type ExitCode,
  type Logger,
  nativeNotice,
} from '@ghlake/core';
import { LiveDisplay, renderProgress } from './live-display.js';
import { RunProgress } from './progress.js';
import { createRealStages } from './real-stages.js';
import { EXAMPLE_HOUR, RUN_OPTIONS, runConfigFromOptions } from './run-options.js';
import { runPipeline } from './runner.js';
import { RunLog, formatRunSummary } from './run-report.js';
import { refreshReport } from './report-command.js';
import type { RunEvent } from './run-events.js';

const HELP = `ghlake run [--from H --to H | --date D] [--lake DIR] [--base-url URL] [--threads N] [--force]
           [--upload --bucket B [--prefix P] [--endpoint URL]] [--snowflake] [--no-report] [--json]

The whole pipeline: download → bronze+silver (fused) → consolidation and gold → warehouse
→ (--upload) S3 → (--snowflake) Snowflake.
Hours start transforming as soon as their file is stored, while others still download; the
transform's read is the gzip check (a damaged file publishes nothing and is fetched again).
With no range it processes GH Archive's example hour ${EXAMPLE_HOUR} into ./lake.
At the end it writes <lake>/report.html, the report of the run's hours (see ghlake report),
and prints its path; --no-report skips it.

A rerun does only what is missing (state in <lake>/_state/manifest/, checked against the
files; a download cut short continues where it stopped); --force redoes the range. One writer per lake at a time (<lake>/_state/lock; download,
bronze, silver, gold and upload take it too).
Missing hours (404) are listed and skipped. Exit 0 when everything asked for is done (missing
hours included), 1 when something failed, 2 for usage errors, 130 when interrupted (Ctrl-C:
in-flight hours finish, the rest waits for the next run; Ctrl-C twice stops at once).

options:
${describeOptions(RUN_OPTIONS)}`;

export const runCommand: Command = {
  name: 'run',
  summary: 'the whole pipeline: download, bronze+silver, gold, warehouse — incremental and crash-safe',
  help: () => HELP,
  async run(io: CommandIO): Promise<ExitCode> {
    const line = parseCommandLine(io.argv, RUN_OPTIONS);
    const options = resolveOptions(RUN_OPTIONS, { flags: line.flags, env: io.env });
    const config = runConfigFromOptions(options, io.cwd);
    const live = Boolean(io.stderr.isTTY) && io.env.TERM !== 'dumb';

    const progress = new RunProgress(Date.now());
    const title = `ghlake run ${config.hours.length === 1 ? config.hours[0] : `${config.hours[0]} .. ${config.hours[config.hours.length - 1]}`} → ${config.lake}`;
    const display = live ? new LiveDisplay(io.stderr, () => renderProgress(progress.snapshot(Date.now()), title)) : undefined;
    const log: Logger = createLogger({
      level: options.logLevel,
      format: live ? 'pretty' : 'json',
      write: display ? (l) => display.log(l) : (l) => io.stderr.write(`${l}\n`),
    });
    const runLog = new RunLog(log, !live);
    const notice = nativeNotice();
    if (notice !== undefined) log.warn(notice);
    const onEvent = (event: RunEvent) => {
      progress.apply(event, Date.now());
      runLog.event(event);
    };

    const stages = createRealStages(config);
    display?.start();
    let summary;
    try {
      summary = await runPipeline(
        {
          lake: config.lake,
          hours: config.hours,
          force: config.force,
          transformConcurrency: config.threads,
          upload: config.upload !== undefined,
          snowflake: config.snowflake !== undefined,
          topRepositories: 10,
          command: lockCommandLine('run', io.argv),
        },
        stages,
        { signal: io.signal, onEvent },
      );
    } finally {
      runLog.flush();
      display?.stop();
      await stages.close();
    }
    // The report of the run's hours (cost follows the range, not the lake); a failure to write it fails the run.
    let report: { path?: string; error?: string } | undefined;
    if (!options.noReport && !summary.interrupted) {
      report = await refreshReport({ lake: config.lake, hours: config.hours, memoryLimit: config.memoryLimit, threads: config.threads, signal: io.signal })
        .then((r) => ({ path: r?.path }))
        .catch((error: unknown) => ({ error: error instanceof Error ? error.message : String(error) }));
    }
    const exitCode = report?.error && summary.exitCode === 0 ? 1 : summary.exitCode;
    if (options.json) io.stdout.write(`${JSON.stringify(report ? { ...summary, exitCode, report } : summary, null, 2)}\n`);
    else {
      io.stdout.write(`${formatRunSummary(summary)}\n`);
      if (report?.path) io.stdout.write(`\nreport: ${report.path}\n`);
      if (report?.error) io.stdout.write(`\nreport not written: ${report.error}\n`);
    }
    return exitCode;
  },
};
