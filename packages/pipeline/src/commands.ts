/**
 * The subcommands of `ghlake`, one per stage. Each stage package owns its command; this list
 * only names them and loads a command's package when that command runs: loading every stage
 * up front (DuckDB, the AWS SDK, snowflake-sdk) made `ghlake --help` and `ghlake download`
 * take seconds. `test/commands.test.ts` keeps the summaries here equal to the commands' own.
 */
import type { Command } from '@ghlake/core';

export interface CommandEntry {
  name: string;
  summary: string;
  load(): Promise<Command>;
}

export const COMMANDS: readonly CommandEntry[] = [
  { name: 'download', summary: 'download GH Archive hours into the lake', load: async () => (await import('@ghlake/download')).downloadCommand },
  {
    name: 'bronze',
    summary: 'turn raw hours into bronze Parquet (events + quarantine, every line accounted for)',
    load: async () => (await import('@ghlake/bronze')).bronzeCommand,
  },
  {
    name: 'silver',
    summary: 'build silver tables from bronze (distinct events, payload details, entity observations)',
    load: async () => (await import('@ghlake/silver')).silverCommand,
  },
  {
    name: 'gold',
    summary: 'consolidate silver entities and compute gold metrics (DuckDB, or --engine snowflake)',
    load: async () => (await import('./gold-command.js')).goldEngineCommand,
  },
  {
    name: 'run',
    summary: 'the whole pipeline: download, bronze+silver, gold, warehouse — incremental and crash-safe',
    load: async () => (await import('./run-command.js')).runCommand,
  },
  {
    name: 'status',
    summary: 'per-hour state of the lake: done, missing, failed, quarantined lines, gaps',
    load: async () => (await import('./status-command.js')).statusCommand,
  },
  {
    name: 'report',
    summary: 'one self-contained HTML report: activity over time, top lists, per-repository charts, data quality',
    load: async () => (await import('./report-command.js')).reportCommand,
  },
  {
    name: 'query',
    summary: 'run SQL against the local warehouse (schemas bronze, silver, gold)',
    load: async () => (await import('@ghlake/gold')).queryCommand,
  },
  { name: 'upload', summary: 'publish the lake to S3', load: async () => (await import('@ghlake/storage')).uploadCommand },
  { name: 'snowflake', summary: 'set up and load Snowflake (setup | load | status)', load: async () => (await import('@ghlake/storage')).snowflakeCommand },
];
