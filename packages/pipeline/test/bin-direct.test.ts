/**
 * `bin/ghlake.mjs` run directly — as `npx ghlake` does, through its first line — re-executes Node
 * on itself with --single-threaded-gc (see the comment in the file). Regression tests for what
 * that could break: arguments and exit codes must pass through unchanged, and the worker pool
 * must start under a process-wide flag that Node refuses in a worker's execArgv
 * (ERR_WORKER_INVALID_EXEC_ARGV before pool.ts filtered it).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { GHARCHIVE_FIXTURES } from '../../core/test/fixtures/gharchive.js';
import { GHLAKE_BIN } from './helpers/ghlake-process.js';

const run = promisify(execFile);

async function direct(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(GHLAKE_BIN, args, { env: { ...process.env, NO_COLOR: '1' } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe('bin/ghlake.mjs executed directly', () => {
  it('passes arguments and the exit code through the re-exec', async () => {
    const help = await direct(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('usage: ghlake <command>');
    const unknown = await direct(['nosuchcommand', '--x']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown command 'nosuchcommand'");
  });

  it('worker pool starts under --single-threaded-gc (bronze of a real hour)', async () => {
    const lake = await mkdtemp(path.join(tmpdir(), 'ghlake-bin-direct-'));
    dirs.push(lake);
    const r = await direct(['bronze', '--from', '2015-01-01-15', '--raw-dir', GHARCHIVE_FIXTURES.dir, '--lake', lake, '--threads', '1']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('2015-01-01-15 ok lines=11351 events=11351 quarantined=0');
    expect(await readdir(path.join(lake, 'bronze', 'events', 'date=2015-01-01', 'hour=15'))).toContain('part-0.parquet');
  });
});
