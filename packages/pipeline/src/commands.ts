/**
 * The subcommands of `ghlake`, one per stage. Each stage package owns its command; this list
 * only names them and loads a command's package when that command runs: loading every stage
 * up front (DuckDB, the AWS SDK, snowflake-sdk) made `ghlake --help` and `ghlake download`
 * take seconds. `test/commands.test.ts` keeps the summaries here equal to the commands' own.
 */
import type { Command } from '@ghlake/core/command-line';

export interface CommandEntry {
  name: string;
  summary: string;
  /** Two command lines a user can copy: the end of the command's help, with its exit codes. */
  examples: readonly [string, string];
  /** What exit 1 means for this command (0, 2 and 130 mean the same everywhere). */
  failure: string;
  load(): Promise<Command>;
}

export const COMMANDS: readonly CommandEntry[] = [
  {
    name: 'download',
    summary: 'download GH Archive hours into the lake',
    examples: ['ghlake download --date 2015-01-01', 'ghlake download --from 2015-01-01-0 --to 2015-01-01-15 --base-url http://127.0.0.1:8080'],
    failure: 'some hour failed to download, or every hour that should exist answered 404 (wrong --base-url)',
    load: async () => (await import('@ghlake/download')).downloadCommand,
  },
  {
    name: 'bronze',
    summary: 'turn raw hours into bronze Parquet (events + quarantine, every line accounted for)',
    examples: ['ghlake bronze --from 2015-01-01-0 --to 2015-01-01-23 --lake ./lake', 'ghlake bronze --date 2015-01-01 --raw-dir ./downloads --threads 2'],
    failure: 'some hour failed (a damaged gzip is not a failure: its good lines are kept and the damage reported)',
    load: async () => (await import('@ghlake/bronze')).bronzeCommand,
  },
  {
    name: 'silver',
    summary: 'build silver tables from bronze (distinct events, payload details, entity observations)',
    examples: ['ghlake silver --date 2015-01-01 --lake ./lake', 'ghlake silver --from 2015-01-01-0 --to 2015-01-01-15 --threads 2'],
    failure: 'some hour failed',
    load: async () => (await import('@ghlake/silver')).silverCommand,
  },
  {
    name: 'gold',
    summary: 'consolidate silver entities and compute gold metrics (DuckDB, or --engine snowflake)',
    examples: ['ghlake gold --lake ./lake', 'ghlake gold --engine snowflake'],
    failure: 'gold or the warehouse failed',
    load: async () => (await import('./gold-engines.js')).goldCommand,
  },
  {
    name: 'run',
    summary: 'the whole pipeline: download, bronze+silver, gold, warehouse — incremental and crash-safe',
    examples: ['ghlake run --date 2024-06-03', 'ghlake run --from 2015-01-01-0 --to 2015-01-01-15 --base-url http://127.0.0.1:8080 --lake ./demo-lake'],
    failure: 'an hour, gold, the warehouse or the upload failed, an hour is damaged, or the source answered 404 for every hour',
    load: async () => (await import('./run-command.js')).runCommand,
  },
  {
    name: 'status',
    summary: 'per-hour state of the lake: done, missing, failed, quarantined lines, gaps',
    examples: ['ghlake status --date 2015-01-01', 'ghlake status --from 2015-01-01-0 --to 2015-01-31-23 --json'],
    failure: 'the lake could not be read',
    load: async () => (await import('./status-command.js')).statusCommand,
  },
  {
    name: 'verify',
    summary: 're-read every file the lake records (Parquet footer, every row); --repair re-derives the bad hours from raw',
    examples: ['ghlake verify --lake ./lake', 'ghlake verify --date 2015-01-01 --repair'],
    failure: 'a recorded file is gone, changed or unreadable (listed by hour), or a repair failed',
    load: async () => (await import('./verify-command.js')).verifyCommand,
  },
  {
    name: 'report',
    summary: 'one self-contained HTML report: activity over time, top lists, per-repository charts, data quality',
    examples: ['ghlake report --lake ./demo-lake', 'ghlake report --from 2024-06-01-0 --to 2024-06-30-23 --repo cachethq/Cachet --out june.html'],
    failure: 'the lake could not be read or the report not written',
    load: async () => (await import('./report-command.js')).reportCommand,
  },
  {
    name: 'query',
    summary: 'run SQL against the local warehouse (schemas bronze, silver, gold)',
    examples: [
      'ghlake query "select repo_name, total_events from gold.repo_metrics order by 2 desc limit 5"',
      'ghlake query -f top.sql --format csv > top.csv',
    ],
    failure: "the SQL failed (DuckDB's message); a statement that could change something is refused with 2",
    load: async () => (await import('@ghlake/gold')).queryCommand,
  },
  {
    name: 'upload',
    summary: 'publish the lake to S3',
    examples: ['ghlake upload --bucket my-bucket --prefix ghlake', 'ghlake upload --bucket lake --endpoint http://127.0.0.1:9000'],
    failure: 'an object failed (listed with its key)',
    load: async () => (await import('@ghlake/storage')).uploadCommand,
  },
  {
    name: 'snowflake',
    summary: 'set up and load Snowflake (setup | load | status)',
    examples: ['ghlake snowflake setup --dry-run', 'ghlake snowflake load --bucket my-bucket'],
    failure: "a statement failed (named with Snowflake's message)",
    load: async () => (await import('@ghlake/storage')).snowflakeCommand,
  },
];
