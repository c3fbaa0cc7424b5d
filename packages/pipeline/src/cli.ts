/**
 * `ghlake <command> [options]` — dispatches to the stage commands. Owns process concerns:
 * exit codes, Ctrl-C (abort signal, exit 130), and turning errors into one clear line.
 */
import { promises as fs, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  exitCodeFor,
  formatErrorForUser,
  invalidOption,
  secretFlagWarning,
  secretFlagsGiven,
  type Command,
  type CommandIO,
  type ExitCode,
} from '@ghlake/core/command-line';
import { COMMANDS, type CommandEntry } from './commands.js';

/** The version of the ghlake package (packages/pipeline/package.json). */
export function ghlakeVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/**
 * A command's help as `ghlake <command> --help` and `ghlake help <command>` print it: the
 * command's own text, then two examples and the exit codes (from the COMMANDS list, so every
 * command ends the same way; an examples or exit-codes section of the command's own is replaced).
 */
export function commandHelp(entry: CommandEntry, command: Command): string {
  const lines = command.help().trimEnd().split('\n');
  const ownFooter = lines.findIndex((l, i) => i > 0 && (l === 'examples:' || l.startsWith('exit codes:')));
  const body = (ownFooter === -1 ? lines : lines.slice(0, ownFooter)).join('\n').trimEnd();
  return [
    body,
    '',
    'examples:',
    ...entry.examples.map((e) => `  ${e}`),
    '',
    `exit codes: 0 done; 1 ${entry.failure}; 2 usage error (one line naming the problem); 130 interrupted`,
  ].join('\n');
}

/**
 * `--lake` (or GHLAKE_LAKE) naming a file: the same usage error (exit 2) from every command,
 * before the command does anything.
 */
async function checkLakeIsNotAFile(argv: readonly string[], env: Record<string, string | undefined>, cwd: string): Promise<void> {
  let given: { source: string; value: string } | undefined;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--lake' && argv[i + 1] !== undefined) given = { source: '--lake', value: argv[i + 1]! };
    else if (argv[i]!.startsWith('--lake=')) given = { source: '--lake', value: argv[i]!.slice('--lake='.length) };
  }
  if (!given && env.GHLAKE_LAKE) given = { source: 'GHLAKE_LAKE', value: env.GHLAKE_LAKE };
  if (!given) return;
  const stat = await fs.stat(path.resolve(cwd, given.value)).catch(() => undefined);
  if (stat && !stat.isDirectory()) throw invalidOption(given.source, given.value, 'a lake folder, not a file');
}

/** A reader that went away (`ghlake status | head -2`) ends the output quietly, with exit 0. */
function endQuietlyOnClosedPipe(stream: NodeJS.WritableStream): void {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED') process.exit(0);
    throw error;
  });
}

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
    "ghlake <command> --help (or ghlake help <command>) shows a command's options; ghlake --version its version.",
  ].join('\n');
}

export async function main(argv: readonly string[], io: Partial<CommandIO> = {}): Promise<ExitCode> {
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  if (stdout === process.stdout) endQuietlyOnClosedPipe(stdout);
  const [name, ...rest] = argv;
  if (name === '--version' || name === '-V' || name === 'version') {
    stdout.write(`ghlake ${ghlakeVersion()}\n`);
    return 0;
  }
  const helpFor = name === 'help' && rest.length > 0 ? rest[0] : undefined;
  if (name === undefined || name === '--help' || name === '-h' || (name === 'help' && helpFor === undefined)) {
    stdout.write(`${usage()}\n`);
    return name === undefined ? 2 : 0;
  }
  const entry = COMMANDS.find((c) => c.name === (helpFor ?? name));
  if (!entry) {
    stderr.write(`error GHLAKE_USAGE: unknown command '${helpFor ?? name}'\n  hint: run ghlake --help to list the commands\n`);
    return 2;
  }
  const command = await entry.load();
  if (helpFor !== undefined || rest.includes('--help') || rest.includes('-h')) {
    stdout.write(`${commandHelp(entry, command)}\n`);
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
    await checkLakeIsNotAFile(rest, io.env ?? process.env, io.cwd ?? process.cwd());
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
