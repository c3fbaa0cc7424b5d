/**
 * Fault injection for the crash tests: a process started with `GHLAKE_CRASH_AT=<name>` kills
 * itself with SIGKILL when it reaches the crash point of that name — the moment a test wants to
 * prove survivable (between a state commit and the file moves it journaled, between gold's commit
 * and its publication, ...), reached exactly rather than by timing. Unset, a crash point is a
 * single comparison.
 */
export function crashPoint(name: string): void {
  if (process.env.GHLAKE_CRASH_AT === name) process.kill(process.pid, 'SIGKILL');
}
