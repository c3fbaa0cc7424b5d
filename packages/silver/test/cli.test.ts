/** `ghlake silver`: bronze partitions in, silver partitions and one line per hour out. */
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import type { CommandIO } from '@ghlake/core';
import { bronzeCommand } from '@ghlake/bronze';
import { silverCommand } from '../src/index.js';
import { GHARCHIVE_FIXTURES } from '../../bronze/test/real-lines.js';

function io(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  stdout.on('data', (d) => out.push(String(d)));
  stderr.on('data', (d) => err.push(String(d)));
  const value: CommandIO = { argv, env: {}, stdout, stderr, signal: new AbortController().signal, cwd: process.cwd() };
  return { io: value, out: () => out.join(''), err: () => err.join('') };
}

describe('ghlake silver', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'ghlake-silver-cli-'));
  const rawDir = path.join(dir, 'raw');
  const lake = path.join(dir, 'lake');
  await mkdir(rawDir, { recursive: true });
  await copyFile(GHARCHIVE_FIXTURES.head2025_01_01_15, path.join(rawDir, '2025-01-01-15.json.gz'));
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("builds silver from the lake's bronze and reports each hour; exit 1 for an hour without bronze", async () => {
    expect(await bronzeCommand.run(io(['--from', '2025-01-01-15', '--raw-dir', rawDir, '--lake', lake]).io)).toBe(0);
    const run = io(['--from', '2025-01-01-15', '--lake', lake]);
    expect(await silverCommand.run(run.io)).toBe(0);
    expect(run.out()).toMatch(
      /^2025-01-01-15 ok lines=2048 events=2048 quarantined=0 blank=0 duplicates=0 silver=2048 actors=\d+ repos=\d+ orgs=\d+ (\d+ms|\d+\.\d+s|\d+m\d\ds)\n1 hour: 1 ok, 0 damaged, 0 failed; 2048 lines, 2048 events, 0 quarantined\nsilver published 1 hour in 1 commit \(head 1\): 2,048 distinct events, 0 copies kept by an earlier hour set aside\n$/,
    );
    const missing = io(['--from', '2025-01-01-16', '--lake', lake]);
    expect(await silverCommand.run(missing.io)).toBe(1);
    expect(missing.err()).toContain('2025-01-01-16 FAILED GHLAKE_HOUR_MISSING');
    expect(missing.err()).toContain('hint: build it first: ghlake bronze --from 2025-01-01-16');
  });
});
