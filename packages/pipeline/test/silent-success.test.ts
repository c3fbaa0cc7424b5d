/**
 * Silent success is an error: a range GH Archive cannot have (after the current hour, before
 * 2011-02-12) is refused with exit 2 before anything is allocated; a run in which every hour
 * that should exist answered 404 exits 1 naming the base URL and one URL; a range where only
 * some are missing stays exit 0, and its missing hours are ONE log line per contiguous run;
 * `status` over the whole archive's range answers within a small heap.
 */
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODES, hourFromMs, parseHourMs, resolveHours } from '@ghlake/core';
import { wrongSourceError } from '@ghlake/download';
import { startMirror, type Mirror } from '../../../tools/mirror/server.js';
import { runGhlake } from './helpers/ghlake-process.js';
import { writeSlicedHours } from './helpers/sliced-hours.js';

let work: string;
let mirror: Mirror;
beforeAll(async () => {
  work = await fs.mkdtemp(path.join(tmpdir(), 'ghlake-silent-'));
  await writeSlicedHours(path.join(work, 'mirror'));
  mirror = await startMirror({ root: path.join(work, 'mirror') });
});
afterAll(async () => {
  await mirror?.close();
  await fs.rm(work, { recursive: true, force: true });
});

const common = (lake: string) => ['--lake', lake, '--threads', '1', '--retry-delay', '20', '--retry-max-delay', '100'];

describe('hours GH Archive cannot have are refused (exit 2)', () => {
  const now = Date.UTC(2026, 11, 7, 4, 30);
  it('after the current hour, before 2011-02-12-0; the current hour and the first hour are fine', () => {
    expect(resolveHours({ from: '2026-12-07-4' }, now)).toEqual(['2026-12-07-4']);
    expect(resolveHours({ from: '2011-02-12-0' }, now)).toEqual(['2011-02-12-0']);
    expect(() => resolveHours({ from: '2026-12-07-5' }, now)).toThrow('2026-12-07-5 is after the current hour 2026-12-07-4: GH Archive cannot have it yet');
    expect(() => resolveHours({ date: '2027-01-01' }, now)).toThrow('2027-01-01-23 is after the current hour');
    expect(() => resolveHours({ from: '2015-01-01-0', to: '2205-01-01-0' }, now)).toThrow('2205-01-01-0 is after the current hour');
    expect(() => resolveHours({ from: '2011-02-11-23', to: '2011-02-12-5' }, now)).toThrow("2011-02-11-23 is before GH Archive's first hour 2011-02-12-0");
  });

  it('through the real program: run --date in the future, run --to 2205, status over 2011-01-01 .. 9999', async () => {
    const lake = path.join(work, 'refused');
    const cases: [string[], RegExp][] = [
      [
        ['run', '--date', '2205-01-01', ...common(lake)],
        /^error GHLAKE_INVALID_RANGE: 2205-01-01-23 is after the current hour \S+: GH Archive cannot have it yet$/m,
      ],
      [['run', '--from', '2015-01-01-0', '--to', '2205-01-01-0', ...common(lake)], /^error GHLAKE_INVALID_RANGE: 2205-01-01-0 is after the current hour/m],
      [
        ['status', '--from', '2011-01-01-0', '--to', '9999-12-31-23', '--lake', lake],
        /^error GHLAKE_INVALID_RANGE: 2011-01-01-0 is before GH Archive's first hour 2011-02-12-0$/m,
      ],
      [['download', '--date', '2205-01-01', '--lake', lake], /^error GHLAKE_INVALID_RANGE: 2205-01-01-23 is after the current hour/m],
    ];
    for (const [args, message] of cases) {
      const r = await runGhlake(args);
      expect({ args, code: r.code, stdout: r.stdout }).toEqual({ args, code: 2, stdout: '' });
      expect(r.stderr).toMatch(message);
    }
    await expect(fs.stat(lake)).rejects.toThrow(); // nothing was created
  });
});

describe('a source where every hour that should exist answers 404 is an error', () => {
  it('a wrong base URL: exit 1 naming the base URL and one URL; the week of 404s is one log line', async () => {
    const lake = path.join(work, 'wrong-url');
    const base = `${mirror.url}/not-gharchive`;
    const r = await runGhlake(['run', '--from', '2015-01-01-0', '--to', '2015-01-07-23', '--base-url', base, ...common(lake)]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toContain(
      `failed      download ${ERROR_CODES.SOURCE_NOT_FOUND}: all 168 hours asked for answered 404 at ${base} (e.g. ${base}/2015-01-01-0.json.gz): the source looks wrong`,
    );
    const missingLines = r.logs.filter((l) => /^hours? missing$/.test(l.msg));
    expect(missingLines.map((l) => [l.from, l.to, l.hours, l.reason])).toEqual([['2015-01-01-0', '2015-01-07-23', 168, `HTTP 404 at ${base}`]]);
  });

  it('ghlake download says the same (exit 1)', async () => {
    const base = `${mirror.url}/not-gharchive`;
    const r = await runGhlake(['download', '--date', '2015-01-03', '--base-url', base, '--lake', path.join(work, 'wrong-url-download')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`error ${ERROR_CODES.SOURCE_NOT_FOUND}: all 24 hours asked for answered 404 at ${base} (e.g. ${base}/2015-01-03-0.json.gz)`);
  });

  it('a range where only some hours are missing stays exit 0, its missing hours one line per contiguous run; a rerun asking only the missing ones too', async () => {
    const lake = path.join(work, 'some-missing');
    const args = ['run', '--from', '2015-01-01-0', '--to', '2015-01-01-16', '--base-url', mirror.url, ...common(lake)];
    const r = await runGhlake(args);
    expect(r.code, r.stderr).toBe(0);
    const missingLines = r.logs.filter((l) => /^hours? missing$/.test(l.msg));
    expect(missingLines.map((l) => [l.msg, l.from, l.to, l.hours])).toEqual([
      ['hours missing', '2015-01-01-3', '2015-01-01-14', 12],
      ['hour missing', '2015-01-01-16', '2015-01-01-16', 1],
    ]);
    const again = await runGhlake(args);
    expect(again.code, again.stderr).toBe(0);
  });

  it('hours too recent to be published prove nothing; skipped hours are data', () => {
    const now = parseHourMs('2026-12-07-10');
    const asked = (hour: string, status: 'missing' | 'skipped' = 'missing') => ({
      hour: hour as never,
      status,
      url: `http://x/${hour}.json.gz`,
      reason: 'HTTP 404',
    });
    expect(wrongSourceError('http://x', [asked('2026-12-07-7'), asked('2026-12-07-8')], { now })).toBeUndefined();
    expect(wrongSourceError('http://x', [asked('2026-12-07-6'), asked('2026-12-07-8')], { now })?.message).toContain('the one hour asked for answered 404');
    expect(wrongSourceError('http://x', [asked('2026-12-07-5'), asked('2026-12-07-6', 'skipped')], { now })).toBeUndefined();
    expect(wrongSourceError('http://x', [asked('2026-12-07-5')], { now, heldElsewhere: true })).toBeUndefined();
  });
});

describe('status over the whole archive', () => {
  it('answers for every hour from 2011-02-12-0 to now within a 256 MB heap', async () => {
    const lake = path.join(work, 'some-missing');
    const to = hourFromMs(Date.now());
    const r = await runGhlake(['status', '--from', '2011-02-12-0', '--to', to, '--lake', lake, '--json'], {
      env: { NODE_OPTIONS: '--max-old-space-size=256' },
    });
    expect(r.code, r.stderr).toBe(0);
    const status = JSON.parse(r.stdout);
    const expected = (parseHourMs(to) - parseHourMs('2011-02-12-0')) / 3_600_000 + 1;
    expect(expected).toBeGreaterThan(138_000);
    expect(status.range.hours).toBe(expected);
    expect(status.counts).toMatchObject({ transformed: 4, missing: 13, pending: expected - 17 });
  });
});
