/**
 * `ghlake` as a child process — the way users run it — for tests that kill it, interrupt it
 * or run two at once. Stderr is not a terminal, so the run logs JSON lines; tests wait for
 * a line (a stage starting, an hour done) and act on it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export const GHLAKE_BIN = path.resolve(import.meta.dirname, '..', '..', 'bin', 'ghlake.mjs');

export interface LogLine {
  level: string;
  msg: string;
  [key: string]: unknown;
}

export interface GhlakeProcess {
  child: ChildProcess;
  /** Parsed JSON log lines so far. */
  logs: LogLine[];
  stdout(): string;
  stderr(): string;
  /** Resolves with the first log line matching, or rejects if the process exits first. */
  waitForLog(match: (line: LogLine) => boolean, what: string): Promise<LogLine>;
  /** Resolves with the exit code (or the signal name). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function spawnGhlake(args: string[], options: { env?: Record<string, string>; cwd?: string } = {}): GhlakeProcess {
  const child = spawn(process.execPath, [GHLAKE_BIN, ...args], {
    cwd: options.cwd ?? process.cwd(),
    env: { ...process.env, GHLAKE_LOG_LEVEL: 'debug', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  let partial = '';
  const logs: LogLine[] = [];
  const waiters: { match: (l: LogLine) => boolean; resolve: (l: LogLine) => void }[] = [];
  child.stdout!.setEncoding('utf8').on('data', (c: string) => (out += c));
  child.stderr!.setEncoding('utf8').on('data', (c: string) => {
    err += c;
    partial += c;
    let nl: number;
    while ((nl = partial.indexOf('\n')) >= 0) {
      const text = partial.slice(0, nl);
      partial = partial.slice(nl + 1);
      let line: LogLine;
      try {
        line = JSON.parse(text) as LogLine;
      } catch {
        continue;
      }
      logs.push(line);
      for (const w of [...waiters]) {
        if (w.match(line)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(line);
        }
      }
    }
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    logs,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitForLog(match, what) {
      const seen = logs.find(match);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        waiters.push({ match, resolve });
        void exited.then(({ code, signal }) => reject(new Error(`ghlake exited (${code ?? signal}) before logging ${what}\n${err}`)));
      });
    },
  };
}

/** Run to the end; returns exit code, stdout and stderr. */
export async function runGhlake(
  args: string[],
  options: { env?: Record<string, string>; cwd?: string } = {},
): Promise<{ code: number | null; stdout: string; stderr: string; logs: LogLine[] }> {
  const p = spawnGhlake(args, options);
  const { code } = await p.exited;
  return { code, stdout: p.stdout(), stderr: p.stderr(), logs: p.logs };
}
