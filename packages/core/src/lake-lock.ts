/**
 * One writer per lake: `<lake>/_state/lock` holds the holder's pid, host, start time and
 * command. The lock is created exclusively and complete: its content is written to a temp
 * file first and then hard-linked to the lock name (link(2) fails if the name exists), so a
 * reader never sees an empty or half-written lock, even after a SIGKILL mid-creation.
 *
 * A lock whose pid is dead on this host is stale (the holder was killed): it is taken over,
 * and the caller warns. A lock held from another host can't be checked and is never taken.
 *
 * Every command that writes the lake holds it for its whole duration: `ghlake run` (inside
 * runPipeline) and the standalone writers `download`, `bronze`, `silver`, `gold` and `upload`
 * (in their thin command layer, through `withCommandLakeLock` in command.ts — never in the
 * runners that `run` reuses while it already holds the lock). Read-only commands never take it.
 */
import { promises as fs } from 'node:fs';
import { hostname } from 'node:os';
import { ERROR_CODES, GhlakeError } from './errors.js';
import { STATE_DIR_MODE, STATE_FILE_MODE, tempPathFor } from './fs-atomic.js';
import { lockPath, stateDir } from './layout.js';

export interface LockHolder {
  pid: number;
  host: string;
  startedAt: string;
  command: string;
}

export interface LakeLock {
  readonly path: string;
  readonly holder: LockHolder;
  /** The stale lock this one replaced, if any (the caller warns about it). */
  readonly tookOver: LockHolder | undefined;
  release(): Promise<void>;
}

/** Is `pid` a live process on this host? (EPERM: alive, owned by someone else.) */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readHolder(file: string): Promise<LockHolder | undefined> {
  try {
    const parsed = JSON.parse(await fs.readFile(file, 'utf8')) as Partial<LockHolder>;
    if (typeof parsed.pid !== 'number' || typeof parsed.host !== 'string') return undefined;
    return { pid: parsed.pid, host: parsed.host, startedAt: String(parsed.startedAt ?? '?'), command: String(parsed.command ?? '?') };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    // Unreadable or not ours: treat as held by an unknown process rather than guess.
    return { pid: -1, host: '?', startedAt: '?', command: '?' };
  }
}

export function describeHolder(h: LockHolder): string {
  return `pid ${h.pid} on ${h.host}, started ${h.startedAt}: ${h.command}`;
}

function lockedError(file: string, holder: LockHolder): GhlakeError {
  const sameHost = holder.host === hostname();
  return new GhlakeError(ERROR_CODES.LAKE_LOCKED, `the lake is locked by another ghlake run (${describeHolder(holder)})`, {
    hint: sameHost
      ? `wait for it to finish, or stop it (kill ${holder.pid}); a lock left by a dead process is taken over automatically`
      : `that run is on another host; wait for it, or if you are sure it is gone, delete ${file}`,
    details: { lock: file, holder },
  });
}

/** Take the lake's lock or throw LAKE_LOCKED naming the holder. */
export async function acquireLakeLock(lake: string, command: string): Promise<LakeLock> {
  const file = lockPath(lake);
  try {
    await fs.mkdir(stateDir(lake), { recursive: true, mode: STATE_DIR_MODE });
  } catch (error) {
    throw new GhlakeError(ERROR_CODES.LAKE_NOT_WRITABLE, `cannot create ${stateDir(lake)}: ${(error as Error).message}`, {
      hint: 'choose a writable folder with --lake (or GHLAKE_LAKE)',
      cause: error,
    });
  }
  const holder: LockHolder = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString(), command };
  const tmp = tempPathFor(file);
  await fs.writeFile(tmp, `${JSON.stringify(holder)}\n`, { mode: STATE_FILE_MODE });
  let tookOver: LockHolder | undefined;
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        await fs.link(tmp, file);
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const current = await readHolder(file);
      if (current === undefined) continue; // released between our link and read: try again
      const stale = current.host === hostname() && current.pid !== process.pid && !isProcessAlive(current.pid);
      if (!stale || attempt >= 3) throw lockedError(file, current);
      // Take over by renaming the stale lock away (atomic), then re-check what we moved:
      // if another run took it over in between, put theirs back and report it.
      const aside = tempPathFor(file);
      try {
        await fs.rename(file, aside);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw error;
      }
      const moved = await readHolder(aside);
      if (moved && moved.pid === current.pid && moved.startedAt === current.startedAt) {
        await fs.rm(aside, { force: true });
        tookOver = current;
      } else {
        await fs.link(aside, file).catch(() => undefined);
        await fs.rm(aside, { force: true });
      }
    }
  } finally {
    await fs.rm(tmp, { force: true });
  }
  let released = false;
  return {
    path: file,
    holder,
    tookOver,
    async release() {
      if (released) return;
      released = true;
      // Only remove a lock that is still ours.
      const current = await readHolder(file);
      if (current && current.pid === holder.pid && current.startedAt === holder.startedAt && current.host === holder.host) {
        await fs.rm(file, { force: true });
      }
    },
  };
}

/** Who holds the lake's lock now, if anyone (for `ghlake status`). */
export async function currentLockHolder(lake: string): Promise<(LockHolder & { stale: boolean }) | undefined> {
  const holder = await readHolder(lockPath(lake));
  if (!holder) return undefined;
  return { ...holder, stale: holder.host === hostname() && !isProcessAlive(holder.pid) };
}

export interface WithLakeLockOptions {
  /** Called when a stale lock (its process is gone) was taken over, with its old holder. */
  onTakeOver?: (previous: LockHolder) => void;
}

/** Run `work` holding the lake's lock; the lock is released however `work` ends. */
export async function withLakeLock<T>(lake: string, command: string, work: (lock: LakeLock) => Promise<T>, options: WithLakeLockOptions = {}): Promise<T> {
  const lock = await acquireLakeLock(lake, command);
  try {
    if (lock.tookOver) options.onTakeOver?.(lock.tookOver);
    return await work(lock);
  } finally {
    await lock.release();
  }
}
