/**
 * `ghlake bronze` and its summaries: real (small) hours in, one line per hour and the totals
 * out; exit 0 when all hours are written, 1 when one failed, usage errors as GhlakeErrors.
 */
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { ERROR_CODES, exitCodeFor, type CommandIO } from '@ghlake/core';
import { bronzeCommand } from '../src/index.js';
import { GHARCHIVE_FIXTURES } from './real-lines.js';

function io(argv: string[], env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  stdout.on('data', (d) => out.push(String(d)));
  stderr.on('data', (d) => err.push(String(d)));
  const value: CommandIO = { argv, env, stdout, stderr, signal: new AbortController().signal, cwd: process.cwd() };
  return { io: value, out: () => out.join(''), err: () => err.join('') };
}

describe('ghlake bronze', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'ghlake-bronze-cli-'));
  const rawDir = path.join(dir, 'raw');
  await mkdir(rawDir, { recursive: true });
  // the four real 2021 heads, named as the hours they are
  await Promise.all(GHARCHIVE_FIXTURES.head2021.map((f, i) => copyFile(f, path.join(rawDir, `2021-07-21-${6 + i}.json.gz`))));
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('writes every hour, prints one line per hour and the totals, exit 0', async () => {
    const run = io(['--from', '2021-07-21-6', '--to', '2021-07-21-9', '--raw-dir', rawDir, '--lake', path.join(dir, 'lake'), '--threads', '2']);
    expect(await bronzeCommand.run(run.io)).toBe(0);
    const lines = run.out().trim().split('\n');
    expect(
      lines
        .slice(0, -1)
        .map((l) => l.replace(/ (\d+ms|\d+\.\d+s|\d+m\d\ds)$/, ''))
        .sort(),
    ).toEqual([6, 7, 8, 9].map((h) => `2021-07-21-${h} ok lines=200 events=200 quarantined=0 blank=0 duplicates=0`));
    expect(lines.at(-1)).toBe('4 hours: 4 ok, 0 damaged, 0 failed; 800 lines, 800 events, 0 quarantined');
  });

  it('exit 1 when an hour fails, with the reason and the fix on stderr; --json for scripts', async () => {
    const run = io(['--from', '2021-07-21-9', '--to', '2021-07-21-10', '--raw-dir', rawDir, '--lake', path.join(dir, 'lake'), '--json']);
    expect(await bronzeCommand.run(run.io)).toBe(1);
    const summary = JSON.parse(run.out());
    expect(summary.totals).toMatchObject({ hours: 2, ok: 1, failed: 1, events: 200 });
    expect(summary.hours[1]).toMatchObject({ hour: '2021-07-21-10', status: 'failed', error: { code: ERROR_CODES.HOUR_MISSING } });
    const text = io(['--from', '2021-07-21-10', '--raw-dir', rawDir, '--lake', path.join(dir, 'lake')]);
    expect(await bronzeCommand.run(text.io)).toBe(1);
    expect(text.err()).toContain('2021-07-21-10 FAILED GHLAKE_HOUR_MISSING');
    expect(text.err()).toContain('hint: download it first: ghlake download --from 2021-07-21-10 --to 2021-07-21-10');
  });

  it('refuses bad usage with an error naming the option (exit 2)', async () => {
    for (const [argv, code] of [
      [[], ERROR_CODES.USAGE],
      [['--from', '2021-07-21-6', '--bronze-row-group-rows', '10'], ERROR_CODES.INVALID_OPTION],
      [['--from', '2021-07-21-6', '--thread', '2'], ERROR_CODES.UNKNOWN_OPTION],
      [['--from', '2021-07-21-25'], ERROR_CODES.INVALID_HOUR],
    ] as const) {
      const error = await bronzeCommand.run(io([...argv]).io).catch((e: unknown) => e);
      expect({ argv, code: (error as { code?: string }).code, exit: exitCodeFor(error) }).toEqual({ argv, code, exit: 2 });
    }
    const env = await bronzeCommand.run(io(['--from', '2021-07-21-6'], { GHLAKE_BRONZE_ROW_GROUP_ROWS: 'many' }).io).catch((e: unknown) => e);
    expect((env as Error).message).toContain('GHLAKE_BRONZE_ROW_GROUP_ROWS');
  });
});
