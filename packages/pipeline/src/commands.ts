/**
 * The subcommands of `ghlake`, one per stage. Each stage package owns its command; until a
 * stage lands its command answers "not implemented yet" with exit code 2.
 */
import { notImplementedCommand, type Command } from '@ghlake/core';
import { goldCommand, queryCommand } from '@ghlake/gold';
import { runCommand } from './run-command.js';
import { uploadCommand } from '@ghlake/storage';
import { statusCommand } from './status-command.js';

export const COMMANDS: readonly Command[] = [
  notImplementedCommand('download', 'download GH Archive hours into the lake'),
  notImplementedCommand('bronze', 'turn raw hours into bronze Parquet'),
  notImplementedCommand('silver', 'build silver tables from bronze'),
  goldCommand,
  runCommand,
  statusCommand,
  queryCommand,
  uploadCommand,
  notImplementedCommand('snowflake', 'set up and load Snowflake (setup | load | status)'),
];
