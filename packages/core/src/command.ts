/**
 * The shape of a CLI subcommand. Each stage package exports its own thin `Command`
 * (argv/env parsing, logging, printing) over its pure runner; packages/pipeline assembles
 * them into the `ghlake` program. Only commands touch argv, env and the terminal.
 */
import { redactArgv } from './config.js';
import { describeHolder, withLakeLock } from './lake-lock.js';

export interface CommandIO {
  argv: readonly string[];
  env: Record<string, string | undefined>;
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  /** Standard input (`ghlake query -` reads its SQL from it); absent: nothing to read. */
  stdin?: NodeJS.ReadableStream;
  /** Aborted on Ctrl-C / SIGTERM: stop cleanly and return 130. */
  signal: AbortSignal;
  cwd: string;
}

/** 0 done, 1 something failed, 2 usage error, 130 interrupted. */
export type ExitCode = 0 | 1 | 2 | 130;

export interface Command {
  name: string;
  /** One line for `ghlake --help`. */
  summary: string;
  /** Full help text for `ghlake <name> --help`. */
  help(): string;
  run(io: CommandIO): Promise<ExitCode>;
}

/**
 * A command line as ghlake writes it down or shows it (the lake lock, so a second command can
 * name the holder; `status`; lock messages): every secret option's value replaced by `***`.
 */
export function lockCommandLine(name: string, argv: readonly string[]): string {
  return ['ghlake', name, ...redactArgv(argv)].join(' ');
}

/**
 * For a command that writes the lake: run `work` holding `<lake>/_state/lock` (one writer per
 * lake, see lake-lock.ts), released however `work` ends — done, failed or interrupted (Ctrl-C
 * aborts `io.signal`; the command returns or throws, and the lock goes). A lake held by another
 * live process throws GHLAKE_LAKE_LOCKED naming the holder (exit 1), before anything is written;
 * a stale lock (its process is gone) is taken over with a warning on stderr.
 *
 * Only the thin command layer calls this: the runners that `ghlake run` reuses take no lock,
 * since run already holds it.
 */
export function withCommandLakeLock<T>(io: Pick<CommandIO, 'argv' | 'stderr'>, name: string, lake: string, work: () => Promise<T>): Promise<T> {
  return withLakeLock(lake, lockCommandLine(name, io.argv), () => work(), {
    onTakeOver: (previous) => io.stderr.write(`warning: took over a stale lake lock: its process is gone (${describeHolder(previous)})\n`),
  });
}
