/**
 * `ghlake download`: the thin command over `downloadHours`. It alone reads argv and env,
 * draws progress and prints the summary. Exit 0 when every hour is downloaded, skipped or
 * missing from the archive; 1 when any failed; 2 for usage errors (an unwritable lake
 * included: nothing was attempted); 130 when interrupted.
 */
import {
  ERROR_CODES,
  GhlakeError,
  ManifestStore,
  describeOptions,
  formatErrorForUser,
  parseCommandLine,
  recordDownload,
  requireHours,
  resolveOptions,
  withCommandLakeLock,
  type Command,
  type ExitCode,
} from '@ghlake/core';
import { wrongSourceError } from './source-check.js';
import { configFromOptions, DOWNLOAD_OPTIONS } from './options.js';
import { createProgressReporter } from './progress.js';
import { hourResultError, downloadRecordOf } from './hour-record.js';
import { downloadHours, ensureLakeWritable } from './runner.js';
import { formatSummary, summaryJson } from './summary.js';

const HELP = `ghlake download: download GH Archive hours into the lake

usage: ghlake download --from YYYY-MM-DD-H [--to YYYY-MM-DD-H] [options]
       ghlake download --date YYYY-MM-DD [options]

Each hour is streamed to <lake>/raw/date=YYYY-MM-DD/YYYY-MM-DD-H.json.gz, checked (status,
Content-Length, a full gzip check of every member) and only then renamed into place, with
its size and sha256 recorded beside it and in the lake's manifest (as ghlake run records it). Reruns skip hours already complete and continue
(HTTP Range) a download that Ctrl-C or a kill cut short. Hours the archive does not have
(HTTP 404) are reported as missing, not as failures. One writer per lake: it holds
<lake>/_state/lock while it runs (exit 1 if another ghlake holds it).

options (durations are milliseconds, or take a unit: 500ms, 30s, 2m):
${describeOptions(DOWNLOAD_OPTIONS)}

exit codes: 0 all hours downloaded, skipped or missing; 1 some hour failed; 2 usage error; 130 interrupted

examples:
  ghlake download --date 2015-01-01
  ghlake download --from 2015-01-01-0 --to 2015-01-01-15 --concurrency 8
  ghlake download --from 2015-01-01-0 --base-url http://127.0.0.1:8080   # a local mirror (docs/download.md)`;

export const downloadCommand: Command = {
  name: 'download',
  summary: 'download GH Archive hours into the lake',
  help: () => HELP,
  async run(io) {
    const { flags } = parseCommandLine(io.argv, DOWNLOAD_OPTIONS);
    const options = resolveOptions(DOWNLOAD_OPTIONS, { flags, env: io.env });
    const hours = requireHours(options, 'no hours to download');
    const config = configFromOptions(options, io.cwd);
    try {
      // The lake must be writable before the lock is taken there: a usage problem, said in the
      // download's own words (the lake, the raw folder, the cause).
      await ensureLakeWritable(config.lake);
      // One writer per lake: held for the whole download (`ghlake run` holds it itself).
      return await withCommandLakeLock(io, 'download', config.lake, async (): Promise<ExitCode> => {
        const tty = io.stderr.isTTY === true;
        const reporter = createProgressReporter({
          stream: io.stderr,
          tty,
          total: hours.length,
          level: options.logLevel,
          ...(io.stderr.columns ? { columns: io.stderr.columns } : {}),
        });
        // Every hour settled is recorded as `ghlake run` records it: status and the next run see it. Written
        // lazily (every 5 s at most, and at the end): the raw files and their .meta.json are the truth meanwhile.
        const store = await ManifestStore.open(config.lake, { hours, lazy: true, minIntervalMs: 5000 });
        let summary;
        try {
          summary = await downloadHours(config, hours, {
            signal: io.signal,
            onProgress: (p) => reporter.progress(p),
            onHourDone: (r) => {
              reporter.hourDone(r);
              recordDownload(store, r.hour, downloadRecordOf(r, config.baseUrl), new Date().toISOString(), {
                redo: false,
                missingError: () => hourResultError({ ...r, status: 'missing' }, config.baseUrl)!,
              });
            },
            onRetry: (e) => reporter.retry(e),
          });
        } finally {
          reporter.stop();
          await store.flush();
        }
        io.stdout.write(`${options.json ? summaryJson(summary) : formatSummary(summary)}\n`);
        if (summary.interrupted) return 130;
        const wrongSource = wrongSourceError(summary.baseUrl, summary.results);
        if (wrongSource) {
          io.stderr.write(`${formatErrorForUser(wrongSource)}\n`);
          return 1;
        }
        return summary.failed.length ? 1 : 0;
      });
    } catch (error) {
      if (error instanceof GhlakeError && error.code === ERROR_CODES.LAKE_NOT_WRITABLE) {
        // Nothing was attempted: a usage problem, reported like one.
        io.stderr.write(`${formatErrorForUser(error)}\n`);
        return 2;
      }
      throw error;
    }
  },
};
