/**
 * `ghlake verify [--from H --to H | --date D] [--repair]`: re-read every file the manifest
 * records (lake-verify.ts) and report the bad ones by hour; `--repair` re-derives those hours from
 * their raw files with the run's own machinery (a forced run over just those hours: the raw file
 * re-verified, fetched again if it is bad too, bronze and silver rewritten, silver committed, gold
 * and the warehouse brought up to date), then verifies them again.
 */
import path from 'node:path';
import {
  COMMON_OPTIONS,
  RANGE_OPTIONS,
  defineOptions,
  describeOptions,
  formatCount,
  lockCommandLine,
  parseBoolean,
  parseCommandLine,
  resolveHours,
  resolveOptions,
  type Command,
  type CommandIO,
  type ExitCode,
} from '@ghlake/core';
import { assertLakeExists } from '@ghlake/gold';
import { listSome } from './format.js';
import { verifyLake, type VerifyResult } from './lake-verify.js';
import { createRealStages } from './real-stages.js';
import { RUN_OPTIONS, runConfigFromOptions } from './run-options.js';
import { runPipeline } from './runner.js';
import type { RunSummary } from './run-summary.js';

export const VERIFY_OPTIONS = defineOptions({
  lake: COMMON_OPTIONS.lake,
  ...RANGE_OPTIONS,
  repair: {
    flag: 'repair',
    env: 'GHLAKE_REPAIR',
    description: 'transform the bad hours again from their raw files (fetched again from --base-url if they are bad too), then verify them again',
    default: false,
    boolean: true,
    parse: parseBoolean,
  },
  baseUrl: RUN_OPTIONS.baseUrl,
  threads: RUN_OPTIONS.threads,
  memoryLimit: RUN_OPTIONS.memoryLimit,
  workerHeapMb: RUN_OPTIONS.workerHeapMb,
  json: COMMON_OPTIONS.json,
});

const hours = (k: number) => `${k} hour${k === 1 ? '' : 's'}`;

function formatVerify(r: VerifyResult): string[] {
  const out = [
    `verified ${hours(r.hours)}, ${formatCount(r.files)} files re-read: ${r.bad.length ? `${r.bad.length} of ${r.hours} hours bad` : 'all as recorded'}`,
  ];
  for (const b of r.bad) for (const p of b.problems) out.push(`  ${b.hour}  ${p}`);
  return out;
}

async function repair(io: CommandIO, options: ReturnType<typeof resolveOptions<typeof VERIFY_OPTIONS>>, bad: VerifyResult['bad']): Promise<RunSummary> {
  const run = resolveOptions(RUN_OPTIONS, { flags: {}, env: {} });
  const config = runConfigFromOptions(
    {
      ...run,
      lake: options.lake,
      baseUrl: options.baseUrl,
      threads: options.threads,
      memoryLimit: options.memoryLimit,
      workerHeapMb: options.workerHeapMb,
      force: true,
    },
    io.cwd,
  );
  config.hours = bad.map((b) => b.hour);
  const stages = createRealStages(config);
  try {
    return await runPipeline(
      {
        lake: config.lake,
        hours: config.hours,
        force: true,
        transformConcurrency: config.threads,
        upload: false,
        snowflake: false,
        topRepositories: 0,
        command: lockCommandLine('verify', io.argv),
      },
      stages,
      { signal: io.signal },
    );
  } finally {
    await stages.close();
  }
}

export const verifyCommand: Command = {
  name: 'verify',
  summary: 're-read every file the lake records (Parquet footer, every row); --repair re-derives the bad hours from raw',
  help: () =>
    [
      'ghlake verify [--from H --to H | --date D] [--lake DIR] [--repair] [--json]',
      '',
      'Re-reads every file the manifest records for the hours (default: every hour the lake knows):',
      'its size and Parquet footer against those recorded when it was written, every row decoded',
      "(DuckDB) against the footer's row count, and bronze's rows against the hour's line accounting.",
      'A run checks only size and footer, cheaply, before it trusts an hour; damage inside the data',
      'is what only verify finds. Reads only, unless --repair: the bad hours are transformed again',
      'from their raw files (a forced ghlake run over just those hours, taking the lake lock), and',
      'verified again.',
      '',
      'options:',
      describeOptions(VERIFY_OPTIONS),
    ].join('\n'),
  async run(io: CommandIO): Promise<ExitCode> {
    const line = parseCommandLine(io.argv, VERIFY_OPTIONS);
    const options = resolveOptions(VERIFY_OPTIONS, { flags: line.flags, env: io.env });
    const lake = path.resolve(io.cwd, options.lake);
    await assertLakeExists(lake, options.lake);
    const range = resolveHours(options);
    const settings = { lake, threads: options.threads, memoryLimit: options.memoryLimit, ...(range.length ? { hours: range } : {}) };
    const first = await verifyLake(settings);
    if (!options.repair || first.bad.length === 0) {
      io.stdout.write(options.json ? `${JSON.stringify(first, null, 2)}\n` : `${formatVerify(first).join('\n')}\n`);
      return first.bad.length ? 1 : 0;
    }
    const summary = await repair(io, { ...options, lake }, first.bad);
    if (summary.interrupted) return 130;
    const after = await verifyLake({ ...settings, hours: first.bad.map((b) => b.hour) });
    const repaired = first.bad.filter((b) => !after.bad.some((a) => a.hour === b.hour)).map((b) => b.hour);
    if (options.json)
      io.stdout.write(
        `${JSON.stringify({ ...first, repaired, stillBad: after.bad, run: { exitCode: summary.exitCode, errors: summary.errors, failed: summary.hours.failed } }, null, 2)}\n`,
      );
    else {
      const out = formatVerify(first);
      if (repaired.length) out.push(`repaired ${hours(repaired.length)} from raw: ${listSome(repaired)}`);
      for (const f of summary.hours.failed) out.push(`could not repair ${f.hour}: ${f.stage} ${f.code}: ${f.message}`);
      for (const e of summary.errors) out.push(`${e.stage} ${e.code}: ${e.message}`);
      for (const b of after.bad) for (const p of b.problems) out.push(`  still bad: ${b.hour}  ${p}`);
      io.stdout.write(`${out.join('\n')}\n`);
    }
    return after.bad.length || summary.exitCode !== 0 ? 1 : 0;
  },
};
