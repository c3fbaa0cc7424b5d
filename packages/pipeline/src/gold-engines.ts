/**
 * `ghlake gold` as the program runs it: gold's own command (packages/gold/src/gold-command.ts)
 * given what only the pipeline may import — silver consolidation before gold, and the Snowflake
 * session of @ghlake/storage for `--engine snowflake`, which runs the very same model SQL files
 * inside Snowflake over the loaded silver tables (the scale-out path).
 */
import {
  ManifestStore,
  createLogger,
  formatCount,
  formatDuration,
  parseCommandLine,
  recordFinalOutputs,
  resolveOptions,
  type CommandIO,
  type ExitCode,
} from '@ghlake/core';
import { GOLD_MODELS, createGoldCommand, renderModel } from '@ghlake/gold';
import { consolidateSilver, silverHoursWritten, silverSummary } from '@ghlake/silver';

async function goldInSnowflake(io: CommandIO, argv: readonly string[]): Promise<ExitCode> {
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

export const goldCommand = createGoldCommand({
  // Silver first: the hours the transform staged become silver commits; gold computes from silver.
  prepare: async ({ lake, memoryLimit, threads, signal, log }) => {
    const silver = await consolidateSilver({ lake, memoryLimit, threads, signal });
    // The hours a commit published or rewrote: their silver files are final now (noted as `ghlake run` notes them).
    const written = silverHoursWritten(silver);
    const store = await ManifestStore.open(lake);
    await recordFinalOutputs(store, written === 'all' ? await store.loadAll() : written, { refresh: true });
    await store.flush();
    if (silver.incomplete.length) log.warn('staged hours left out: a table of theirs is missing', { hours: silver.incomplete });
    return silverSummary(silver);
  },
  snowflake: goldInSnowflake,
});
