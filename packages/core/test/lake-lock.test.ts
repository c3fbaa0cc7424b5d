import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import {
  ERROR_CODES,
  GhlakeError,
  acquireLakeLock,
  currentLockHolder,
  isProcessAlive,
  lockCommandLine,
  lockPath,
  withCommandLakeLock,
  withLakeLock,
} from '../src/index.js';

let lake: string;
beforeEach(async () => {
  lake = await fs.mkdtemp(path.join(tmpdir(), 'ghlake-lock-'));
});
afterEach(async () => {
  await fs.rm(lake, { recursive: true, force: true });
});

/** The pid of a process that has certainly exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' });
  const pid = Number(child.stdout.trim());
  expect(isProcessAlive(pid)).toBe(false);
  return pid;
}

describe('lake lock', () => {
  it('is created complete with pid, host, start time and command, and removed on release', async () => {
    const lock = await acquireLakeLock(lake, 'ghlake run --from 2015-01-01-0');
    const content = JSON.parse(await fs.readFile(lockPath(lake), 'utf8'));
    expect(content).toEqual({ pid: process.pid, host: hostname(), startedAt: expect.any(String), command: 'ghlake run --from 2015-01-01-0' });
    expect(lock.tookOver).toBeUndefined();
    // No temp file of the lock is left beside it.
    expect(await fs.readdir(path.dirname(lockPath(lake)))).toEqual(['lock']);
    await lock.release();
    await expect(fs.stat(lockPath(lake))).rejects.toThrow(/ENOENT/);
  });

  it('refuses a second holder with LAKE_LOCKED naming the holder', async () => {
    const lock = await acquireLakeLock(lake, 'ghlake run first');
    const error = await acquireLakeLock(lake, 'ghlake run second').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GhlakeError);
    expect((error as GhlakeError).code).toBe(ERROR_CODES.LAKE_LOCKED);
    expect((error as GhlakeError).message).toContain(`pid ${process.pid} on ${hostname()}`);
    expect((error as GhlakeError).message).toContain('ghlake run first');
    // The holder's lock is untouched.
    expect(JSON.parse(await fs.readFile(lockPath(lake), 'utf8')).command).toBe('ghlake run first');
    await lock.release();
  });

  it('takes over a lock whose process is dead on this host, and says whose it was', async () => {
    const pid = deadPid();
    await fs.mkdir(path.dirname(lockPath(lake)), { recursive: true });
    await fs.writeFile(lockPath(lake), JSON.stringify({ pid, host: hostname(), startedAt: '2020-01-01T00:00:00.000Z', command: 'ghlake run killed' }));
    expect(await currentLockHolder(lake)).toMatchObject({ pid, stale: true });
    const lock = await acquireLakeLock(lake, 'ghlake run next');
    expect(lock.tookOver).toMatchObject({ pid, command: 'ghlake run killed' });
    expect(JSON.parse(await fs.readFile(lockPath(lake), 'utf8')).pid).toBe(process.pid);
    await lock.release();
  });

  it('never takes a lock held from another host', async () => {
    await fs.mkdir(path.dirname(lockPath(lake)), { recursive: true });
    await fs.writeFile(lockPath(lake), JSON.stringify({ pid: deadPid(), host: 'other-host.example', startedAt: 'x', command: 'ghlake run elsewhere' }));
    const error = (await acquireLakeLock(lake, 'ghlake run').catch((e: unknown) => e)) as GhlakeError;
    expect(error.code).toBe(ERROR_CODES.LAKE_LOCKED);
    expect(error.message).toContain('other-host.example');
    expect(error.hint).toContain(`delete ${lockPath(lake)}`);
  });

  it('release leaves alone a lock that is no longer its own', async () => {
    const lock = await acquireLakeLock(lake, 'ghlake run');
    await fs.writeFile(lockPath(lake), JSON.stringify({ pid: 1, host: hostname(), startedAt: 'y', command: 'someone else' }));
    await lock.release();
    expect(JSON.parse(await fs.readFile(lockPath(lake), 'utf8')).command).toBe('someone else');
  });

  it('an unwritable lake is LAKE_NOT_WRITABLE', async () => {
    const file = path.join(lake, 'a-file');
    await fs.writeFile(file, '');
    const error = (await acquireLakeLock(path.join(file, 'lake'), 'ghlake run').catch((e: unknown) => e)) as GhlakeError;
    expect(error.code).toBe(ERROR_CODES.LAKE_NOT_WRITABLE);
  });
});

describe('withLakeLock / withCommandLakeLock (every writing command)', () => {
  it('holds the lock while the work runs and releases it when the work throws', async () => {
    const error = await withLakeLock(lake, 'ghlake gold', async (lock) => {
      expect(JSON.parse(await fs.readFile(lockPath(lake), 'utf8'))).toEqual(lock.holder);
      throw new Error('boom');
    }).catch((e: unknown) => e);
    expect((error as Error).message).toBe('boom');
    await expect(fs.stat(lockPath(lake))).rejects.toThrow(/ENOENT/);
  });

  it('a held lake never runs the work: LAKE_LOCKED naming the holder', async () => {
    const held = await acquireLakeLock(lake, 'ghlake run --date 2015-01-01');
    let ran = false;
    const error = (await withCommandLakeLock({ argv: ['--lake', lake], stderr: new PassThrough() }, 'gold', lake, async () => {
      ran = true;
    }).catch((e: unknown) => e)) as GhlakeError;
    expect(ran).toBe(false);
    expect(error.code).toBe(ERROR_CODES.LAKE_LOCKED);
    expect(error.message).toContain(`pid ${process.pid} on ${hostname()}, started ${held.holder.startedAt}: ghlake run --date 2015-01-01`);
    await held.release();
  });

  it("records the command line, and warns on stderr when it took over a dead process's lock", async () => {
    const pid = deadPid();
    await fs.mkdir(path.dirname(lockPath(lake)), { recursive: true });
    await fs.writeFile(
      lockPath(lake),
      JSON.stringify({ pid, host: hostname(), startedAt: '2020-01-01T00:00:00.000Z', command: 'ghlake bronze --date 2015-01-01' }),
    );
    const stderr = new PassThrough();
    let written = '';
    stderr.on('data', (c) => (written += String(c)));
    const command = await withCommandLakeLock(
      { argv: ['--lake', lake, '--threads', '2'], stderr },
      'silver',
      lake,
      async () => JSON.parse(await fs.readFile(lockPath(lake), 'utf8')).command,
    );
    expect(command).toBe(lockCommandLine('silver', ['--lake', lake, '--threads', '2']));
    expect(command).toBe(`ghlake silver --lake ${lake} --threads 2`);
    expect(written).toBe(
      `warning: took over a stale lake lock: its process is gone (pid ${pid} on ${hostname()}, started 2020-01-01T00:00:00.000Z: ghlake bronze --date 2015-01-01)\n`,
    );
    await expect(fs.stat(lockPath(lake))).rejects.toThrow(/ENOENT/);
  });
});
