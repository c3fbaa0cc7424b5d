/**
 * The shape of a CLI subcommand. Each stage package exports its own thin `Command`
 * (argv/env parsing, logging, printing) over its pure runner; packages/pipeline assembles
 * them into the `ghlake` program. Only commands touch argv, env and the terminal.
 */
import { ERROR_CODES, GhlakeError } from './errors.js';

export interface CommandIO {
  argv: readonly string[];
  env: Record<string, string | undefined>;
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
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

/** A subcommand that a later issue delivers: answers clearly, exit 2. */
export function notImplementedCommand(name: string, summary: string): Command {
  return {
    name,
    summary: `${summary} (not implemented yet)`,
    help: () => `ghlake ${name}: ${summary}\n\nnot implemented yet`,
    async run() {
      throw new GhlakeError(ERROR_CODES.NOT_IMPLEMENTED, `'ghlake ${name}' is not implemented yet`, {
        hint: 'see the project issues for its status',
      });
    },
  };
}
