/**
 * One writer per lake, for every command that writes it. `ghlake run` always held
 * `<lake>/_state/lock`; the standalone writers (`download`, `bronze`, `silver`, `gold`,
 * `upload`) did not, so `ghlake gold` started beside a running pipeline raced it on the same
 * lake. Each is run here through the real program (packages/pipeline/bin/ghlake.mjs) against
 * a lake whose lock this test process holds (a live pid, as a running `ghlake run` would).
 */
import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireLakeLock, describeHolder, isProcessAlive, lockPath, partitionFile, rawPath, stateDir, type HourKey, type LakeLock } from '@ghlake/core';
import { bronzeCommand } from '@ghlake/bronze';
import { GHARCHIVE_FIXTURES } from '../../core/test/fixtures/gharchive.js';
import { writeSmallLake } from '../../gold/test/fixtures/small-lake.js';
import { runGhlake } from './helpers/ghlake-process.js';

const HOUR: HourKey = '2021-07-21-6' as HourKey;
const QUIET = { GHLAKE_LOG_LEVEL: 'warn', GHLAKE_THREADS: '1', GHLAKE_DUCKDB_MEMORY: '512MB' };

let work: string;
/** Raw hours only: what download, bronze and silver write into. */
let rawLake: string;
/** Silver hours only: what gold and upload read (and write beside). */
let silverLake: string;

beforeAll(async () => {
  work = await fs.mkdtemp(path.join(tmpdir(), 'ghlake-standalone-lock-'));
  rawLake = path.join(work, 'raw-lake');
  await fs.mkdir(path.dirname(rawPath(rawLake, HOUR)), { recursive: true });
  await fs.copyFile(GHARCHIVE_FIXTURES.head2021[0]!, rawPath(rawLake, HOUR));
  silverLake = path.join(work, 'silver-lake');
  await fs.mkdir(silverLake);
  await writeSmallLake(silverLake);
});
afterAll(async () => {
  await fs.rm(work ?? '/nonexistent', { recursive: true, force: true });
});

/** Every file and folder of the lake outside `_state` (where the lock lives), with its size. */
async function lakeListing(lake: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string) => {
    for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      const rel = path.relative(lake, full);
      if (rel === '_state') continue;
      if (entry.isDirectory()) {
        out.push(`${rel}/`);
        await walk(full);
      } else out.push(`${rel} ${(await fs.lstat(full)).size}`);
    }
  };
  await walk(lake);
  return out.sort();
}

/** The pid of a process that has certainly exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' });
  const pid = Number(child.stdout.trim());
  expect(isProcessAlive(pid)).toBe(false);
  return pid;
}

async function writeStaleLock(lake: string, command: string): Promise<number> {
  const pid = deadPid();
  await fs.mkdir(stateDir(lake), { recursive: true });
  await fs.writeFile(lockPath(lake), JSON.stringify({ pid, host: hostname(), startedAt: '2020-01-01T00:00:00.000Z', command }));
  return pid;
}

const lockExists = (lake: string) =>
  fs.stat(lockPath(lake)).then(
    () => true,
    () => false,
  );

const RUNNING_PIPELINE = 'ghlake run --from 2015-01-01-0 --to 2015-01-01-2 (held by the test)';

const WRITERS: { name: string; lake: () => string; args: () => string[] }[] = [
  { name: 'download', lake: () => rawLake, args: () => ['download', '--from', '2015-01-01-0', '--lake', rawLake, '--base-url', 'http://127.0.0.1:9'] },
  { name: 'bronze', lake: () => rawLake, args: () => ['bronze', '--from', HOUR, '--lake', rawLake] },
  { name: 'silver', lake: () => rawLake, args: () => ['silver', '--from', HOUR, '--lake', rawLake] },
  { name: 'gold', lake: () => silverLake, args: () => ['gold', '--lake', silverLake] },
  { name: 'upload', lake: () => silverLake, args: () => ['upload', '--lake', silverLake, '--bucket', 'ghlake-test', '--endpoint', 'http://127.0.0.1:9'] },
];

describe('one writer per lake: standalone commands beside a running pipeline', () => {
  it.each(WRITERS)('standalone $name does not race a running pipeline: exit 1 naming the holder, nothing written', async ({ lake: lakeOf, args }) => {
    const lake = lakeOf();
    const before = await lakeListing(lake);
    const held: LakeLock = await acquireLakeLock(lake, RUNNING_PIPELINE);
    try {
      const r = await runGhlake(args(), { env: { ...QUIET, AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y', AWS_REGION: 'us-east-1' } });
      expect(r.code, r.stderr).toBe(1);
      // The same words as a second `ghlake run`: the holder's pid, host, start and command.
      expect(r.stderr).toBe(
        `error GHLAKE_LAKE_LOCKED: the lake is locked by another ghlake run (${describeHolder(held.holder)})\n` +
          `  hint: wait for it to finish, or stop it (kill ${process.pid}); a lock left by a dead process is taken over automatically\n`,
      );
      expect(r.stderr).toContain(`pid ${process.pid} on ${hostname()}, started ${held.holder.startedAt}: ${RUNNING_PIPELINE}`);
      expect(r.stdout).toBe('');
      // Nothing was written into the lake (raw, bronze, silver, gold, warehouse, _tmp) ...
      expect(await lakeListing(lake)).toEqual(before);
      // ... and the holder's lock is untouched.
      expect(JSON.parse(await fs.readFile(lockPath(lake), 'utf8'))).toEqual(held.holder);
    } finally {
      await held.release();
    }
  });
});

describe('a stale lock (its process was killed) is taken over by a standalone command', () => {
  it("ghlake bronze takes over a dead pid's lock, warns naming it, writes the hour and releases the lock", async () => {
    const pid = await writeStaleLock(rawLake, 'ghlake run killed-by-the-test');
    const r = await runGhlake(['bronze', '--from', HOUR, '--lake', rawLake], { env: QUIET });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(
      `warning: took over a stale lake lock: its process is gone (pid ${pid} on ${hostname()}, started 2020-01-01T00:00:00.000Z: ghlake run killed-by-the-test)`,
    );
    expect(r.stdout).toContain('1 hour: 1 ok, 0 damaged, 0 failed');
    await expect(fs.stat(partitionFile(rawLake, 'bronze', 'events', HOUR))).resolves.toBeDefined();
    expect(await lockExists(rawLake)).toBe(false);
    // Released: the next writer gets the lake at once.
    const silver = await runGhlake(['silver', '--from', HOUR, '--lake', rawLake], { env: QUIET });
    expect(silver.code, silver.stderr).toBe(0);
    expect(silver.stderr).not.toContain('took over');
    expect(await lockExists(rawLake)).toBe(false);
  });

  it("ghlake gold takes over a dead pid's lock, builds gold and the warehouse, and releases the lock", async () => {
    const pid = await writeStaleLock(silverLake, 'ghlake gold (killed)');
    const r = await runGhlake(['gold', '--lake', silverLake], { env: QUIET });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`took over a stale lake lock: its process is gone (pid ${pid} on ${hostname()}`);
    expect(r.stdout).toMatch(/^silver published 3 hours in 1 commit .*\ngold \S+ \d+ changes applied/);
    await expect(fs.stat(path.join(silverLake, 'gold', 'daily_summary'))).resolves.toBeDefined();
    await expect(fs.stat(path.join(silverLake, 'warehouse.duckdb'))).resolves.toBeDefined();
    expect(await lockExists(silverLake)).toBe(false);
  });
});

describe('read-only commands never take the lock', () => {
  it('status, query (warehouse current) and --help run beside a held lock and leave it alone', async () => {
    const held = await acquireLakeLock(silverLake, RUNNING_PIPELINE);
    try {
      const status = await runGhlake(['status', '--lake', silverLake, '--from', '2015-01-01-0', '--to', '2015-01-01-2'], { env: QUIET });
      expect(status.code, status.stderr).toBe(0);
      expect(status.stdout).toContain(`held by ${describeHolder(held.holder)}`);
      const query = await runGhlake(['query', 'select count(*) as n from gold.daily_summary', '--lake', silverLake, '--format', 'csv'], { env: QUIET });
      expect(query.code, query.stderr).toBe(0);
      expect(query.stdout).toMatch(/^n\n\d+\n$/);
      const help = await runGhlake(['gold', '--help'], { env: QUIET });
      expect(help.code).toBe(0);
      expect(help.stdout).toContain('One writer per lake');
      expect(JSON.parse(await fs.readFile(lockPath(silverLake), 'utf8'))).toEqual(held.holder);
    } finally {
      await held.release();
    }
  });
});

describe('the lock goes however a standalone command ends', () => {
  it('interrupted (Ctrl-C: exit 130) and failed (exit 1) bronze runs release it', async () => {
    const lake = path.join(work, 'interrupted-lake');
    await fs.mkdir(path.dirname(rawPath(lake, HOUR)), { recursive: true });
    await fs.copyFile(GHARCHIVE_FIXTURES.head2021[0]!, rawPath(lake, HOUR));
    const sink = new PassThrough().resume();
    const controller = new AbortController();
    controller.abort();
    const io = { env: { GHLAKE_THREADS: '1' }, stdout: sink, stderr: sink, cwd: process.cwd() };
    expect(await bronzeCommand.run({ ...io, argv: ['--from', HOUR, '--lake', lake], signal: controller.signal })).toBe(130);
    expect(await lockExists(lake)).toBe(false);
    // An hour with no raw file fails (exit 1): the lock is released all the same.
    expect(await bronzeCommand.run({ ...io, argv: ['--from', '2021-07-21-7', '--lake', lake], signal: new AbortController().signal })).toBe(1);
    expect(await lockExists(lake)).toBe(false);
  });
});
