/**
 * `ghlake snowflake setup | load | status` — the thin CLI over the runners: reads argv and env,
 * opens the session, prints plans and results (stdout) and progress (stderr logger). With
 * --dry-run it prints every statement it would send and connects to nothing. It never prints a
 * password or passphrase: they only reach the driver.
 */
import path from 'node:path';
import {
  createLogger,
  describeOptions,
  ERROR_CODES,
  formatCount,
  GhlakeError,
  parseCommandLine,
  resolveHours,
  resolveOptions,
  type Command,
  type CommandIO,
  type ExitCode,
  type Logger,
  type OptionsSpec,
} from '@ghlake/core';
import { scanLake } from './lake-inventory.js';
import { SNOWFLAKE_TABLES } from './objects.js';
import { loadPlanStatements, planLoad, type LoadPlan } from './load-plan.js';
import { readLoadsStatement } from './loads.js';
import {
  SNOWFLAKE_LOAD_OPTIONS,
  SNOWFLAKE_SETUP_OPTIONS,
  SNOWFLAKE_STATUS_OPTIONS,
  connectionFrom,
  describeConnection,
  locationFrom,
  objectsFrom,
  type SnowflakeObjects,
} from './options.js';
import { loadLakeIntoSnowflake, nothingToLoad, readLoadedFiles } from './runner.js';
import { runSetup } from './run-setup.js';
import { resolveKeyPath } from './private-key.js';
import { withSnowflakeSession, type SessionOptions } from './session.js';
import { integrationGuide, planSetup } from './setup-plan.js';
import { formatScript } from './statement.js';
import { compareLakeWithLoads, formatSnowflakeStatus } from './status.js';
import { stageUrl } from './sql-text.js';

const SUBCOMMANDS = {
  setup: { spec: SNOWFLAKE_SETUP_OPTIONS, summary: 'create the database, schemas, file format, stage, tables and GHLAKE_LOADS (idempotent)' },
  load: { spec: SNOWFLAKE_LOAD_OPTIONS, summary: "COPY the lake's new and changed partitions into Snowflake (reloading an hour replaces it)" },
  status: { spec: SNOWFLAKE_STATUS_OPTIONS, summary: 'what is loaded (GHLAKE_LOADS) next to what the lake has' },
} as const satisfies Record<string, { spec: OptionsSpec; summary: string }>;

type Subcommand = keyof typeof SUBCOMMANDS;

function help(): string {
  const sections = Object.entries(SUBCOMMANDS).map(([name, s]) => `ghlake snowflake ${name}: ${s.summary}\n\n${describeOptions(s.spec)}`);
  return [
    'ghlake snowflake <setup | load | status> [options]',
    '',
    'Loads the lake that `ghlake upload` published to S3 into Snowflake through an external stage.',
    'Connection: SNOWFLAKE_ACCOUNT, SNOWFLAKE_USER, and SNOWFLAKE_PASSWORD or SNOWFLAKE_PRIVATE_KEY_PATH',
    '(+ SNOWFLAKE_PRIVATE_KEY_PASSPHRASE) for key-pair authentication. See docs/snowflake.md.',
    '',
    ...sections.flatMap((s) => [s, '']),
  ].join('\n');
}

/** The connection settings with a key path resolved against the command's working directory (and `~`). */
function connectionIn(io: CommandIO, options: Parameters<typeof connectionFrom>[0]) {
  const connection = connectionFrom(options);
  if (connection.auth.kind === 'key-pair') connection.auth = { ...connection.auth, privateKeyPath: resolveKeyPath(connection.auth.privateKeyPath, io.cwd) };
  return connection;
}

function write(stream: NodeJS.WritableStream, text: string): void {
  stream.write(text.endsWith('\n') ? text : `${text}\n`);
}

function loggerFor(io: CommandIO, level: 'debug' | 'info' | 'warn' | 'error'): Logger {
  return createLogger({ level, format: io.stderr.isTTY ? 'pretty' : 'json', write: (line) => io.stderr.write(`${line}\n`) });
}

/** Session options for a log level: with --log-level debug the driver's own debug log comes along (secrets scrubbed). */
function sessionOptions(logger: Logger, level: 'debug' | 'info' | 'warn' | 'error'): SessionOptions {
  return { logger, driverLogLevel: level === 'debug' ? 'DEBUG' : 'WARN' };
}

function planNotes(plan: LoadPlan, dryRun: boolean): string[] {
  const notes = plan.tables
    .filter((t) => t.lakePartitions > 0)
    .map(
      (t) =>
        `${t.table}: ${t.lakePartitions} partition(s) in the lake, ${t.newPartitions} new, ${t.changedPartitions} changed, ${t.upToDatePartitions} up to date`,
    );
  if (dryRun) {
    notes.unshift(
      'dry run: nothing was sent to Snowflake and GHLAKE_LOADS was not read, so every lake partition is planned as new.',
      "After each COPY, ghlake checks its result rows (every file LOADED, rows_loaded = the file's row count, the `rows` in",
      'the GHLAKE_LOADS record) before it commits or swaps; on any failure it runs ROLLBACK (hours) or DROP TABLE ...__NEW (whole tables).',
      '',
    );
  }
  return notes;
}

async function setup(io: CommandIO, options: ReturnType<typeof resolveOptions<typeof SNOWFLAKE_SETUP_OPTIONS>>): Promise<ExitCode> {
  const objects = objectsFrom(options);
  const location = locationFrom(options);
  if (options.dryRun) {
    const plan = planSetup(objects, location);
    const notes = [`dry run: nothing was sent to Snowflake. Stage URL: ${stageUrl(location.bucket, location.prefix)}`];
    write(io.stdout, formatScript('ghlake snowflake setup', plan.statements, notes));
    write(
      io.stdout,
      `\n${integrationGuide(objects, location)
        .split('\n')
        .map((l) => (l === '' ? '--' : `-- ${l}`))
        .join('\n')}`,
    );
    return 0;
  }
  const connection = connectionIn(io, options);
  const logger = loggerFor(io, options.logLevel);
  logger.info('snowflake setup', describeConnection(connection));
  const result = await withSnowflakeSession(
    connection,
    (session) => runSetup(session, objects, location, { signal: io.signal }),
    sessionOptions(logger, options.logLevel),
  );
  if (options.json) {
    write(
      io.stdout,
      JSON.stringify({ command: 'snowflake setup', ok: true, database: objects.database, stage: stageUrl(location.bucket, location.prefix), ...result }),
    );
    return 0;
  }
  write(
    io.stdout,
    [
      `setup done: ${result.statementsRun} statements, database ${objects.database}, schemas ${objects.bronzeSchema}, ${objects.silverSchema}, ${objects.goldSchema}, ${objects.metaSchema}`,
      `stage ${objects.metaSchema}.${objects.stage} -> ${stageUrl(location.bucket, location.prefix)}; ${SNOWFLAKE_TABLES.length} tables and GHLAKE_LOADS ready`,
      '',
      integrationGuide(objects, location, result.integration),
    ].join('\n'),
  );
  return 0;
}

async function load(io: CommandIO, options: ReturnType<typeof resolveOptions<typeof SNOWFLAKE_LOAD_OPTIONS>>): Promise<ExitCode> {
  const objects = objectsFrom(options);
  const hours = resolveHours(options);
  const planOptions = { ...(hours.length > 0 ? { hours } : {}), reload: options.reload, batchFiles: options.batchFiles };
  const lake = path.resolve(io.cwd, options.lake);
  if (options.dryRun) {
    const files = await scanLake(lake);
    if (files.length === 0) throw nothingToLoad(lake);
    const plan = planLoad(objects, files, [], planOptions);
    write(io.stdout, formatScript('ghlake snowflake load', loadPlanStatements(plan), planNotes(plan, true)));
    return 0;
  }
  const connection = connectionIn(io, options);
  const logger = loggerFor(io, options.logLevel);
  logger.info('snowflake load', { ...describeConnection(connection), lake });
  const result = await loadLakeIntoSnowflake(
    { lake, connection, objects, ...planOptions },
    {
      signal: io.signal,
      onUnit: (p) => logger.info('loaded', { unit: `${p.unit}/${p.units}`, table: p.table, hours: p.hours.length, files: p.files, rows: p.rowsLoaded }),
      session: sessionOptions(logger, options.logLevel),
    },
  );
  const plan = result.plan;
  if (options.json) {
    write(
      io.stdout,
      JSON.stringify({
        command: 'snowflake load',
        ok: true,
        units: result.units,
        statementsRun: result.statementsRun,
        rowsLoaded: result.rowsLoaded,
        tables: result.tables,
        plan: plan.tables,
      }),
    );
    return 0;
  }
  if (plan.units.length === 0) {
    write(io.stdout, 'nothing to load: every lake partition is loaded and unchanged');
    return 0;
  }
  const rows = [
    ['table', 'files', 'hours', 'rows loaded'],
    ...result.tables.map((t) => [t.table, String(t.files), t.hours > 0 ? String(t.hours) : '-', formatCount(t.rowsLoaded)]),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const table = rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  '));
  write(io.stdout, [`loaded ${formatCount(result.rowsLoaded)} rows in ${result.units} unit(s)`, ...table].join('\n'));
  return 0;
}

async function status(io: CommandIO, options: ReturnType<typeof resolveOptions<typeof SNOWFLAKE_STATUS_OPTIONS>>): Promise<ExitCode> {
  const objects: SnowflakeObjects = objectsFrom(options);
  if (options.dryRun) {
    write(io.stdout, formatScript('ghlake snowflake status', [readLoadsStatement(objects)], ['dry run: nothing was sent to Snowflake.']));
    return 0;
  }
  const files = await scanLake(path.resolve(io.cwd, options.lake));
  const connection = connectionIn(io, options);
  const logger = loggerFor(io, options.logLevel);
  const loaded = await withSnowflakeSession(connection, (session) => readLoadedFiles(session, objects), sessionOptions(logger, options.logLevel));
  const rows = compareLakeWithLoads(objects, files, loaded);
  write(io.stdout, options.json ? JSON.stringify({ command: 'snowflake status', ok: true, tables: rows }) : formatSnowflakeStatus(rows));
  return 0;
}

export const snowflakeCommand: Command = {
  name: 'snowflake',
  summary: 'set up and load Snowflake (setup | load | status)',
  help,
  async run(io: CommandIO): Promise<ExitCode> {
    const [sub, ...argv] = io.argv;
    if (sub === undefined || !(sub in SUBCOMMANDS)) {
      throw new GhlakeError(ERROR_CODES.USAGE, sub === undefined ? 'ghlake snowflake needs a subcommand' : `unknown subcommand 'snowflake ${sub}'`, {
        hint: 'use ghlake snowflake setup, load or status (see ghlake snowflake --help)',
      });
    }
    const name = sub as Subcommand;
    const spec = SUBCOMMANDS[name].spec;
    const { flags } = parseCommandLine(argv, spec);
    if (name === 'setup') return setup(io, resolveOptions(SNOWFLAKE_SETUP_OPTIONS, { flags, env: io.env }));
    if (name === 'load') return load(io, resolveOptions(SNOWFLAKE_LOAD_OPTIONS, { flags, env: io.env }));
    return status(io, resolveOptions(SNOWFLAKE_STATUS_OPTIONS, { flags, env: io.env }));
  },
};
