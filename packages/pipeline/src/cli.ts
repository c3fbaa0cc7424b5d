/**
 * `ghlake <command> [options]` — dispatches to the stage commands. Owns process concerns:
 * exit codes, Ctrl-C (abort signal, exit 130), and turning errors into one clear line.
 */
import { exitCodeFor, formatErrorForUser, secretFlagWarning, secretFlagsGiven, type CommandIO, type ExitCode } from '@ghlake/core';
import { COMMANDS } from './commands.js';

function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length)) + 2;
  return [
    'ghlake — GH Archive to a bronze/silver/gold lakehouse, S3 and Snowflake',
    '',
    'usage: ghlake <command> [options]',
    '',
    'commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    '',
    "ghlake <command> --help shows a command's options.",
  ].join('\n');
}

export async function main(argv: readonly string[], io: Partial<CommandIO> = {}): Promise<ExitCode> {
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    stdout.write(`${usage()}\n`);
    return name === undefined ? 2 : 0;
  }
  const entry = COMMANDS.find((c) => c.name === name);
  if (!entry) {
    stderr.write(`error GHLAKE_USAGE: unknown command '${name}'\n  hint: run ghlake --help to list the commands\n`);
    return 2;
  }
  const command = await entry.load();
  if (rest.includes('--help') || rest.includes('-h')) {
    stdout.write(`${command.help()}\n`);
    return 0;
  }
  // Loading the command loaded its option declarations, so every secret option is known by now.
  for (const spec of secretFlagsGiven(rest)) stderr.write(`${secretFlagWarning(spec)}\n`);
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  const ownSignal = io.signal === undefined;
  if (ownSignal) {
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  }
  try {
    return await command.run({
      argv: rest,
      env: io.env ?? process.env,
      stdout,
      stderr,
      stdin: io.stdin ?? process.stdin,
      signal: io.signal ?? controller.signal,
      cwd: io.cwd ?? process.cwd(),
    });
  } catch (error) {
    if ((io.signal ?? controller.signal).aborted) return 130;
    stderr.write(`${formatErrorForUser(error)}\n`);
    if ((io.env ?? process.env).GHLAKE_DEBUG) stderr.write(`${(error as Error)?.stack ?? ''}\n`);
    return exitCodeFor(error);
  } finally {
    if (ownSignal) {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  }
}
