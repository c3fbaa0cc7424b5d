/**
 * The subcommands of `ghlake`, one per stage. Each stage package owns its command; until a
 * stage lands its command answers "not implemented yet" with exit code 2.
 */
import { notImplementedCommand, type Command } from '@ghlake/core';
import { downloadCommand } from '@ghlake/download';
import { goldCommand, queryCommand } from '@ghlake/gold';
import { bronzeCommand } from '@ghlake/bronze';
import { silverCommand } from '@ghlake/silver';
import { runCommand } from './run-command.js';
import { snowflakeCommand, uploadCommand } from '@ghlake/storage';
import { statusCommand } from './status-command.js';

export const COMMANDS: readonly Command[] = [
  downloadCommand,
  bronzeCommand,
  silverCommand,
  goldCommand,
  runCommand,
  statusCommand,
  queryCommand,
  uploadCommand,
  snowflakeCommand,
];
