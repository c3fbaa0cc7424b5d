/**
 * What the `ghlake` command line needs before a command runs: errors and exit codes, option
 * parsing and secret flags, the Command shape. An entry of its own (`@ghlake/core/command-line`)
 * so that `ghlake --help` does not load the pool, the Parquet writers or DuckDB with the index
 * (docs/build.md: start-up time).
 */
export * from './errors.js';
export * from './config.js';
export type { Command, CommandIO, ExitCode } from './command.js';
