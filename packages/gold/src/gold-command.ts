/**
 * `ghlake gold [--engine duckdb|snowflake]`: the thin CLI over `buildGold`. Reads argv/env, logs
 * the steps, prints a short summary (rows per table, time) or, with --json, the whole result.
 * `--engine snowflake` runs the same model SQL inside Snowflake over the loaded silver tables;
 * its session lives in @ghlake/storage, which gold may not import, so the program passes that
 * engine in (packages/pipeline/src/gold-engines.ts), as it passes silver consolidation.
 */
import path from 'node:path';
import {
  ERROR_CODES,
  GhlakeError,
  createLogger,
  defineOptions,
  parseChoice,
  formatBytes,
  formatCount,
  formatDuration,
  describeOptions,
  parseCommandLine,
  resolveOptions,
  ensureLakeFormat,
  withCommandLakeLock,
  type Command,
  type CommandIO,
  type ExitCode,
  type Logger,
} from '@ghlake/core';
import { buildGold, type GoldResult, type GoldStep } from './runner.js';
import { assertLakeExists } from './lake-exists.js';
import { GOLD_OPTIONS } from './options.js';

const STEP_TEXT: Record<GoldStep, string> = {
  apply: "applying the silver changes to gold's state",
  publish: 'writing and publishing the new gold version',
  warehouse: 'rebuilding the warehouse views',
};

/** The human summary printed after a build. */
export function formatGoldSummary(result: GoldResult): string {
  const t = result.timings;
  if (result.mode === 'unchanged') return `gold ${result.version ?? '(none)'} is current (silver commit ${result.silverHead}): nothing to do`;
  const rows: Array<[string, string, string]> = result.gold.map((g) => [
    `gold.${g.table}`,
    formatCount(g.rows),
    g.full ? `written whole, ${formatBytes(g.bytes)}` : g.written ? `${formatCount(g.written)} changed, ${formatBytes(g.bytes)}` : 'unchanged',
  ]);
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const w1 = Math.max(...rows.map((r) => r[1].length));
  const how =
    result.mode === 'rebuild'
      ? `rebuilt from silver (${result.rebuildReason})`
      : `${formatCount(result.applied?.changes ?? 0)} change${result.applied?.changes === 1 ? '' : 's'} applied up to silver commit ${result.silverHead}`;
  return [
    `gold ${result.version} ${how} in ${formatDuration(t.total)} (apply ${formatDuration(t.apply)}, publish ${formatDuration(t.publish)}, warehouse ${formatDuration(t.warehouse)})`,
    ...rows.map(([name, n, note]) => `  ${name.padEnd(w0)}  ${n.padStart(w1)} rows${note ? `  ${note}` : ''}`),
    result.warehouse ? `warehouse ${result.warehouse.path}: ${result.warehouse.views.length} views (try: ghlake query "select * from gold.daily_summary")` : '',
  ]
    .filter(Boolean)
    .join('\n');
}

/**
 * What runs before gold under the same lock: the pipeline passes silver consolidation (the hours
 * transformed but not yet published become silver commits) — gold only computes gold from silver.
 */
export type GoldPrepare = (context: { lake: string; memoryLimit: number; threads: number; signal: AbortSignal; log: Logger }) => Promise<string[]>;

/** Gold computed elsewhere than the lake's DuckDB: gets the command line without `--engine`. */
export type GoldEngineRun = (io: CommandIO, argv: readonly string[]) => Promise<ExitCode>;

export type GoldEngine = 'duckdb' | 'snowflake';

const ENGINE_OPTIONS = defineOptions({
  engine: {
    flag: 'engine',
    env: 'GHLAKE_GOLD_ENGINE',
    description: 'where the gold models run: duckdb (over the lake) or snowflake (over the loaded silver tables)',
    default: 'duckdb' as GoldEngine,
    parse: parseChoice(['duckdb', 'snowflake'] as const),
  },
});

/** Take `--engine X` / `--engine=X` out of argv; the rest goes to the engine's own options. */
function splitEngine(argv: readonly string[]): { engineArgv: string[]; rest: string[] } {
  const engineArgv: string[] = [];
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--engine') {
      engineArgv.push(arg, ...(argv[i + 1] === undefined ? [] : [argv[i + 1]!]));
      i++;
    } else if (arg.startsWith('--engine=')) engineArgv.push(arg);
    else rest.push(arg);
  }
  return { engineArgv, rest };
}

export interface GoldCommandHooks {
  /** What runs before gold under the same lock (the program passes silver consolidation). */
  prepare?: GoldPrepare;
  /** `--engine snowflake` (the program passes it; without it the engine is refused). */
  snowflake?: GoldEngineRun;
}

export function createGoldCommand(hooks: GoldCommandHooks = {}): Command {
  const { prepare } = hooks;
  return {
    name: 'gold',
    summary: 'consolidate silver entities and compute gold metrics (DuckDB, or --engine snowflake)',
    help: () =>
      [
        'usage: ghlake gold [options]',
        '',
        'Publishes the hours transformed but not yet in silver (silver commits), then applies what those',
        'commits changed to gold: cost follows the new hours, not the lake. Gold keeps exact state (pair',
        'tables for distinct counts) in <lake>/_state/state.duckdb. --rebuild recounts everything from',
        'silver with the SQL models (the reference; also done by itself when the state cannot be trusted).',
        'Each version is published atomically: <lake>/gold is a link to the newest complete version.',
        'Then the warehouse <lake>/warehouse.duckdb (views for ghlake query) is rebuilt.',
        'DuckDB does all of it with the memory limit below and spills to <lake>/_tmp/duckdb.',
        'One writer per lake: it holds <lake>/_state/lock while it runs (exit 1 if another ghlake holds it).',
        '',
        'options:',
        describeOptions(GOLD_OPTIONS),
        '',
        'engine:',
        describeOptions(ENGINE_OPTIONS),
        '  with --engine snowflake the connection and object options of `ghlake snowflake load` apply',
        '  (SNOWFLAKE_ACCOUNT, SNOWFLAKE_USER, ...; see ghlake snowflake --help); the silver tables must be loaded.',
        '  It recomputes every model in Snowflake (the reference). Gold kept incrementally in Snowflake is',
        '  `ghlake run --upload --snowflake`: DuckDB computes the changed rows, the load MERGEs them (docs/snowflake.md).',
      ].join('\n'),
    async run(io: CommandIO): Promise<ExitCode> {
      const { engineArgv, rest } = splitEngine(io.argv);
      const { engine } = resolveOptions(ENGINE_OPTIONS, { flags: parseCommandLine(engineArgv, ENGINE_OPTIONS).flags, env: io.env });
      if (engine === 'snowflake') {
        if (!hooks.snowflake)
          throw new GhlakeError(ERROR_CODES.USAGE, '--engine snowflake is not available here', { hint: 'run it through the ghlake program' });
        return hooks.snowflake(io, rest);
      }
      const line = parseCommandLine(rest, GOLD_OPTIONS);
      const options = resolveOptions(GOLD_OPTIONS, { flags: line.flags, env: io.env });
      const log = createLogger({
        level: options.logLevel,
        format: io.stderr.isTTY ? 'pretty' : 'json',
        write: (text) => io.stderr.write(`${text}\n`),
      });
      const lake = path.resolve(io.cwd, options.lake);
      await assertLakeExists(lake, options.lake);
      // One writer per lake: consolidation, the gold swap and the warehouse all happen under the
      // lock (`ghlake run` calls buildGold itself, already holding it).
      let prepared: string[] = [];
      const result = await withCommandLakeLock(io, 'gold', lake, async () => {
        await ensureLakeFormat(lake);
        log.info('gold started', { lake, memory_limit: options.memoryLimit, threads: options.threads, rebuild: options.rebuild });
        prepared = (await prepare?.({ lake, memoryLimit: options.memoryLimit, threads: options.threads, signal: io.signal, log })) ?? [];
        return buildGold({
          lake,
          memoryLimit: options.memoryLimit,
          threads: options.threads,
          rebuild: options.rebuild,
          signal: io.signal,
          onStep: (step) => log.info(STEP_TEXT[step]),
        });
      });
      if (result.silverHead === 0) log.warn('the lake has no silver events yet: gold is empty', { hint: 'run ghlake silver (or ghlake run) first' });
      log.info('gold done', { version: result.version, ms: result.timings.total });
      io.stdout.write(
        options.json ? `${JSON.stringify({ ...result, silver: prepared }, null, 2)}\n` : `${[...prepared, formatGoldSummary(result)].join('\n')}\n`,
      );
      return 0;
    },
  };
}
