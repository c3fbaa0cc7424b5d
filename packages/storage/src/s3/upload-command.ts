/**
 * `ghlake upload`: the thin command over `uploadLake`. Only this file reads argv and env,
 * logs and prints. Nothing secret is ever printed: credentials stay inside the AWS SDK's
 * provider chain, and errors carry S3's error name and message only.
 */
import {
  createLogger,
  formatBytes,
  describeOptions,
  parseCommandLine,
  resolveOptions,
  withCommandLakeLock,
  type Command,
  type CommandIO,
  type ExitCode,
} from '@ghlake/core';
import { uploadConfigFromOptions } from './config.js';
import { UPLOAD_OPTIONS } from './options.js';
import { assertLakeDir, uploadExitCode, uploadLake } from './runner.js';
import { formatUploadSummary, uploadSummaryJson } from './summary.js';
import { s3Url } from './keys.js';

function help(): string {
  return [
    'ghlake upload: publish the lake (raw hours, bronze, silver and gold Parquet) to S3',
    '',
    'usage: ghlake upload --bucket <name> [--prefix ghlake] [--lake ./lake] [options]',
    '',
    'Keys mirror the lake below the prefix (<prefix>/silver/events/date=2015-01-01/hour=15/part-0.parquet,',
    '<prefix>/silver/actors/part-<seq>[-full].parquet, <prefix>/gold/<table>/part-<seq>[-full].parquet).',
    'Gold is switched in by writing <prefix>/gold/_current.json (the version and its files) last.',
    'Incremental by default: only the hours silver committed since the last complete upload, the',
    'keyed tables and gold are looked at, against the upload record in <lake>/_state/state.duckdb;',
    'keyed files that left their table are deleted one upload later. --full walks the whole lake,',
    'lists the bucket and checks every object (the first upload, or a lost record, is full anyway).',
    'A rerun uploads only what is missing and finishes what an interrupted run left.',
    'One writer per lake: it holds <lake>/_state/lock while it runs (exit 1 if another ghlake holds it).',
    'Credentials: the AWS default chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE,',
    'SSO, container or instance role). Region: --region, else AWS_REGION or the profile.',
    '',
    'options:',
    describeOptions(UPLOAD_OPTIONS),
    '',
    'exit codes: 0 done, 1 an object failed (listed with its key), 2 usage error, 130 interrupted',
  ].join('\n');
}

async function run(io: CommandIO): Promise<ExitCode> {
  const { flags } = parseCommandLine(io.argv, UPLOAD_OPTIONS);
  const options = resolveOptions(UPLOAD_OPTIONS, { flags, env: io.env });
  const config = uploadConfigFromOptions({ ...options, region: options.region ?? io.env.AWS_REGION ?? io.env.AWS_DEFAULT_REGION });
  const log = createLogger({
    level: options.logLevel,
    format: io.stderr.isTTY ? 'pretty' : 'json',
    write: (line) => io.stderr.write(`${line}\n`),
  });
  // The upload writes its record into <lake>/_state/state.duckdb and must not read a lake that
  // a stage is rewriting: one writer per lake (`ghlake run --upload` holds the lock itself).
  await assertLakeDir(config.lake);
  const summary = await withCommandLakeLock(io, 'upload', config.lake, () =>
    uploadLake(config, {
      signal: io.signal,
      onProgress: (event) => {
        switch (event.type) {
          case 'listed':
            log.info('upload start', {
              mode: event.mode,
              ...(event.fullReason ? { why: event.fullReason } : { hours: event.hours }),
              files: event.files,
              bytes: formatBytes(event.bytes),
              ...(event.remoteObjects === undefined ? {} : { remoteObjects: event.remoteObjects }),
              to: s3Url(config.bucket, config.prefix),
            });
            break;
          case 'object':
            if (event.status === 'uploaded')
              log.info('uploaded', {
                key: event.key,
                bytes: event.bytes,
                ...(event.multipart ? { multipart: true } : {}),
                ...(event.attempts > 1 ? { attempts: event.attempts } : {}),
              });
            else if (event.status === 'skipped') log.debug('unchanged', { key: event.key });
            else if (event.status === 'failed')
              log.error('failed', { key: event.key, code: event.error?.code, error: event.error?.message, hint: event.error?.hint, attempts: event.attempts });
            break;
          case 'gold-pointer':
            log.info('gold switched', { pointer: event.key, version: event.version, previous: event.previousVersion });
            break;
          case 'deleted':
            log.info('obsolete objects deleted', { objects: event.keys.length });
            break;
        }
      },
    }),
  );
  for (const w of summary.warnings) log.warn(w);
  if (options.json) io.stdout.write(`${uploadSummaryJson(summary)}\n`);
  else io.stdout.write(`${formatUploadSummary(summary)}\n`);
  return uploadExitCode(summary);
}

export const uploadCommand: Command = {
  name: 'upload',
  summary: 'publish the lake to S3',
  help,
  run,
};
