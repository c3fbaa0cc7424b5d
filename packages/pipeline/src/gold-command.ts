/**
 * `ghlake gold [--engine duckdb|snowflake]`. The default engine is gold's own command (DuckDB
 * over the lake). `--engine snowflake` runs the very same model SQL files inside Snowflake over
 * the loaded silver tables — the scale-out path. It lives here because only the pipeline may
 * import both @ghlake/gold (the models) and @ghlake/storage (the Snowflake session).
 */
import { createLogger, defineOptions, describeOptions, formatCount, formatDuration, parseChoice, parseCommandLine, resolveOptions, type Command, type CommandIO, type ExitCode } from '@ghlake/core';
import { GOLD_MODELS, createGoldCommand, renderModel } from '@ghlake/gold';
import { consolidateSilver, silverSummary } from '@ghlake/silver';

/** Gold over DuckDB, after silver has published what the transform staged. */
const goldCommand = createGoldCommand(async ({ lake, memoryLimit, threads, signal, log }) => {
  const silver = await consolidateSilver({ lake, memoryLimit, threads, signal });
  if (silver.incomplete.length) log.warn('staged hours left out: a table of theirs is missing', { hours: silver.incomplete });
  return silverSummary(silver);
});

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

async function runInSnowflake(io: CommandIO, argv: readonly string[]): Promise<ExitCode> {
  const storage = await import('@ghlake/storage');
  const line = parseCommandLine(argv, storage.SNOWFLAKE_LOAD_OPTIONS);
  const options = resolveOptions(storage.SNOWFLAKE_LOAD_OPTIONS, { flags: line.flags, env: io.env });
  const log = createLogger({
    level: options.logLevel,
    format: io.stderr.isTTY ? 'pretty' : 'json',
    write: (text) => io.stderr.write(`${text}\n`),
  });
  const objects = storage.objectsFrom(options);
  const refs = storage.snowflakeTableRefs(objects);
  const models = GOLD_MODELS.map(({ table }) => ({
    table: table.name,
    sql: renderModel(table.name, { dialect: 'snowflake', source: (layer, name) => refs[`${layer}.${name}`]! }),
  }));
  log.info('gold in snowflake started', { tables: models.map((m) => m.table) });
  const started = Date.now();
  const results = await storage.runGoldInSnowflake(storage.connectionFrom(options), models, { objects, logger: log });
  const width = Math.max(...results.map((r) => r.table.length));
  io.stdout.write(
    [
      `gold built inside Snowflake in ${formatDuration(Date.now() - started)} (each table swapped in atomically)`,
      ...results.map((r) => `  ${r.table.padEnd(width)}  ${formatCount(r.rowsInserted)} rows`),
      'a full recomputation; the next `ghlake snowflake load` replaces these tables with the lake’s gold (use one engine for gold)',
    ].join('\n') + '\n',
  );
  return 0;
}

export const goldEngineCommand: Command = {
  name: 'gold',
  summary: 'consolidate silver entities and compute gold metrics (DuckDB, or --engine snowflake)',
  help: () =>
    [
      goldCommand.help(),
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
    if (engine === 'snowflake') return runInSnowflake(io, rest);
    return goldCommand.run({ ...io, argv: rest });
  },
};
