/**
 * `ghlake download` as a user runs it: the real CLI in a child process (bin/ghlake.mjs)
 * against the local mirror on 127.0.0.1. Exit codes, stdout/stderr, files in the lake, and
 * the mirror's request log.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { rawMetaPath, rawPath, type HourKey } from '@ghlake/core';
import { listFiles, mirrorRoot, REAL, smallHour, startMirror, tempDir, type Mirror } from './helpers.js';

const BIN = path.resolve(import.meta.dirname, '../../pipeline/bin/ghlake.mjs');
const FAST = ['--retry-delay', '5ms', '--retry-max-delay', '50ms'];
const ENV = { ...process.env, GHLAKE_BASE_URL: '', GHLAKE_LAKE: '', GHLAKE_JSON: '', GHLAKE_FROM: '', GHLAKE_TO: '', GHLAKE_DATE: '' };

let mirror: Mirror | undefined;
afterEach(async () => {
  await mirror?.close();
  mirror = undefined;
});

interface Run {
  child: ChildProcess;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

function ghlake(args: string[], cwd = tempDir('cwd')): Run {
  const child = spawn(process.execPath, [BIN, ...args], { cwd, env: ENV, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d));
  child.stderr!.on('data', (d: Buffer) => (stderr += d));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { child, done };
}

async function sha256(file: string): Promise<string> {
  return createHash('sha256').update(await fs.readFile(file)).digest('hex');
}

async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('ghlake download (acceptance)', () => {
  it('downloads the hours the mirror has byte-identical, reports the others missing, exits 0; a rerun skips them all', async () => {
    const small3 = smallHour(25, 100);
    const small7 = smallHour(60, 500);
    const root = await mirrorRoot({ '2015-01-01-0': REAL['2015-01-01-0'].file, '2015-01-01-15': REAL['2015-01-01-15'].file, '2015-01-01-3': small3, '2015-01-01-7': small7 });
    mirror = await startMirror({ root });
    const lake = tempDir('lake');
    const first = await ghlake(['download', '--from', '2015-01-01-0', '--to', '2015-01-01-15', '--base-url', mirror.url, '--lake', lake]).done;
    expect(first.code).toBe(0);
    const summary = first.stdout.split('\n');
    expect(summary[0]).toMatch(new RegExp(`^download finished: 16 hours \\(2015-01-01-0 … 2015-01-01-15\\) from ${mirror.url} into ${lake} in `));
    expect(summary[1]).toMatch(/^ {2}downloaded {5}4 {2}6\.\d\d MB at /);
    expect(summary.slice(2)).toEqual([
      '  skipped        0',
      '  missing       12  not in the archive',
      '               HTTP 404: 2015-01-01-1, 2015-01-01-2, 2015-01-01-4 … 2015-01-01-6, 2015-01-01-8 … 2015-01-01-14',
      '  failed         0',
      '',
    ]);
    // Not a terminal: one plain progress line per hour on stderr.
    expect(first.stderr.trim().split('\n')).toHaveLength(16);
    expect(first.stderr).toMatch(/ info {2}\[\d+\/16\] 2015-01-01-15 downloaded 3\.70 MB in /);
    expect(first.stderr).toMatch(/ warn {2}\[\d+\/16\] 2015-01-01-9 missing: HTTP 404\n/);

    expect(await sha256(rawPath(lake, '2015-01-01-0' as HourKey))).toBe(REAL['2015-01-01-0'].sha256);
    expect(await sha256(rawPath(lake, '2015-01-01-15' as HourKey))).toBe(REAL['2015-01-01-15'].sha256);
    expect(await fs.readFile(rawPath(lake, '2015-01-01-3' as HourKey))).toEqual(small3);
    expect(await fs.readFile(rawPath(lake, '2015-01-01-7' as HourKey))).toEqual(small7);
    expect(await listFiles(lake)).toEqual(
      ['0', '15', '3', '7'].flatMap((h) => [`raw/date=2015-01-01/2015-01-01-${h}.json.gz`, `raw/date=2015-01-01/2015-01-01-${h}.json.gz.meta.json`]).sort(),
    );

    const again = await ghlake(['download', '--from', '2015-01-01-0', '--to', '2015-01-01-15', '--base-url', mirror.url, '--lake', lake, '--json']).done;
    expect(again.code).toBe(0);
    const json = JSON.parse(again.stdout) as { skipped: number; downloaded: number; missing: { hour: string }[]; skippedBytes: number; failed: unknown[] };
    expect(json).toMatchObject({ downloaded: 0, skipped: 4, failed: [], skippedBytes: 2_615_399 + 3_700_037 + small3.length + small7.length });
    expect(json.missing).toHaveLength(12);
    expect(mirror.requestsFor('2015-01-01-0')).toHaveLength(1);
    expect(mirror.requestsFor('2015-01-01-15')).toHaveLength(1);
  });

  it('exits 1 when an hour failed, listing it with its reason and hint; the other hours still download', async () => {
    const root = await mirrorRoot({ '2015-01-01-0': REAL['2015-01-01-0'].file, '2015-01-01-1': smallHour(10) });
    mirror = await startMirror({ root, faults: { '2015-01-01-1': { status: { code: 502 } } } });
    const lake = tempDir('lake');
    const run = await ghlake(['download', '--from', '2015-01-01-0', '--to', '2015-01-01-1', '--base-url', mirror.url, '--lake', lake, '--retries', '2', ...FAST]).done;
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('  downloaded     1  2.62 MB at ');
    expect(run.stdout).toContain(`               2015-01-01-1: GHLAKE_HTTP_STATUS HTTP 502 from ${mirror.url}/2015-01-01-1.json.gz (gave up after 3 attempts)\n                 hint: the server is overloaded or failing; it is retried with backoff\n`);
    expect(run.stderr).toMatch(/warn {2}2015-01-01-1 attempt 1 failed \(HTTP 502 from .+\); retrying in \d+ms\n/);
    expect(existsSync(rawMetaPath(lake, '2015-01-01-0' as HourKey))).toBe(true);
  });
});

describe('ghlake download: bad input gets one clear error, exit 2, and touches nothing', () => {
  const cases: [string, string[], RegExp, string][] = [
    ['an unknown flag', ['--from', '2015-01-01-0', '--concurency', '3'], /^error GHLAKE_UNKNOWN_OPTION: unknown option '--concurency'$/, 'hint: did you mean --concurrency'],
    ['a malformed hour', ['--from', '2015-13-01-5'], /^error GHLAKE_INVALID_HOUR: invalid hour '2015-13-01-5': month 13 is not 1-12$/, 'hint: write hours as YYYY-MM-DD-H'],
    ['--to before --from', ['--from', '2015-01-01-5', '--to', '2015-01-01-2'], /^error GHLAKE_INVALID_RANGE: --to 2015-01-01-2 is before --from 2015-01-01-5$/, 'hint: swap the two hours'],
    ['no hours at all', [], /^error GHLAKE_USAGE: no hours to download$/, 'hint: give --from YYYY-MM-DD-H'],
    ['a bad duration', ['--from', '2015-01-01-0', '--body-timeout', '5 minutes'], /^error GHLAKE_INVALID_OPTION: --body-timeout has invalid value '5 minutes': expected a duration/, 'hint: give --body-timeout a duration'],
    ['an hour before the archive', ['--date', '2010-01-01'], /^error GHLAKE_INVALID_RANGE: 2010-01-01-0 is before GH Archive's first hour 2011-02-12-0$/, 'hint: start the range at 2011-02-12-0'],
  ];
  it(`each of: ${cases.map((c) => c[0]).join('; ')}`, async () => {
    // One child per case, all at once (each is a whole ghlake process).
    const runs = await Promise.all(
      cases.map(async ([name, args]) => {
        const cwd = tempDir('cwd');
        const run = await ghlake(['download', ...args, '--base-url', 'http://127.0.0.1:9'], cwd).done;
        return { name, cwd, ...run };
      }),
    );
    for (const [i, [name, , firstLine, hint]] of cases.entries()) {
      const run = runs[i]!;
      expect({ name, code: run.code, stdout: run.stdout }).toEqual({ name, code: 2, stdout: '' });
      const lines = run.stderr.trimEnd().split('\n');
      expect(lines[0], name).toMatch(firstLine);
      expect(lines[1]!.trim().startsWith(hint), `${name}: ${lines[1]}`).toBe(true);
      expect(lines, name).toHaveLength(2);
      expect(await fs.readdir(run.cwd), name).toEqual([]); // no ./lake created
    }
  });

  it('an unwritable lake (a path through a regular file)', async () => {
    const dir = tempDir('unwritable');
    const file = path.join(dir, 'not-a-folder');
    await fs.writeFile(file, 'x');
    const run = await ghlake(['download', '--from', '2015-01-01-0', '--lake', path.join(file, 'lake'), '--base-url', 'http://127.0.0.1:9']).done;
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      `error GHLAKE_LAKE_NOT_WRITABLE: cannot write to the lake ${path.join(file, 'lake')}: ENOTDIR: not a directory, mkdir '${path.join(file, 'lake', 'raw')}'\n` +
        '  hint: give --lake (or GHLAKE_LAKE) a folder you can write to; it is created if absent\n',
    );
    expect(await fs.readFile(file, 'utf8')).toBe('x');
  });

  it('a base URL that refuses connections: exit 1 at once, one reason for every hour, no retries', async () => {
    const lake = tempDir('lake');
    const run = await ghlake(['download', '--date', '2015-01-01', '--base-url', 'http://127.0.0.1:9', '--lake', lake, '--json']).done;
    expect(run.code).toBe(1);
    const json = JSON.parse(run.stdout) as { failed: { hour: string; code: string; message: string }[]; retries: number; attempts: number };
    expect(json.failed).toHaveLength(24);
    expect(new Set(json.failed.map((f) => `${f.code} ${f.message}`))).toEqual(new Set(['GHLAKE_CONNECTION nothing answers at http://127.0.0.1:9: connection refused (ECONNREFUSED)']));
    expect(json.retries).toBe(0);
    expect(json.attempts).toBeLessThanOrEqual(4);
    // stderr: the error once, then a back-reference per hour.
    expect(run.stderr.match(/nothing answers/g)).toHaveLength(1);
    expect(run.stderr.match(/failed: same error as 2015-01-01-\d+/g)).toHaveLength(23);
  });
});

describe('ghlake download: interrupted runs', () => {
  it('SIGKILL mid-download, then a rerun: finished hours are not fetched again, no temporary file survives', async () => {
    const root = await mirrorRoot({
      '2015-01-01-0': REAL['2015-01-01-0'].file,
      '2015-01-01-1': smallHour(20, 0),
      '2015-01-01-2': smallHour(20, 20),
      '2015-01-01-15': REAL['2015-01-01-15'].file,
    });
    // 1 MB/s per connection: the small hours finish at once, the real ones take seconds.
    mirror = await startMirror({ root, faults: { '*': { bytesPerSecond: 1_000_000 } } });
    const lake = tempDir('lake');
    const args = ['download', '--from', '2015-01-01-0', '--to', '2015-01-01-15', '--base-url', mirror.url, '--lake', lake, '--concurrency', '2'];
    const killed = ghlake(args);
    const metaFiles = async () => (await listFiles(lake)).filter((f) => f.endsWith('.meta.json'));
    const tmpFiles = async () => (await listFiles(lake)).filter((f) => f.includes('/.tmp-'));
    await until(async () => (await metaFiles()).length >= 1 && (await tmpFiles()).length >= 1 && mirror!.requests.some((r) => r.bytesSent > 200_000 && !r.completed), 'one hour done and one mid-transfer');
    killed.child.kill('SIGKILL');
    const dead = await killed.done;
    expect(dead.signal).toBe('SIGKILL');

    const finishedBeforeKill = (await metaFiles()).map((f) => path.basename(f, '.json.gz.meta.json')).sort();
    const leftovers = await tmpFiles();
    expect(finishedBeforeKill.length).toBeGreaterThanOrEqual(1);
    expect(leftovers.length).toBeGreaterThanOrEqual(1);
    // A killed transfer never looks complete: no final name without its record.
    const finalNames = (await listFiles(lake)).filter((x) => x.endsWith('.json.gz') && !x.includes('/.tmp-'));
    expect(finalNames.map((f) => path.basename(f, '.json.gz')).sort()).toEqual(finishedBeforeKill);

    const HOURS = ['2015-01-01-0', '2015-01-01-1', '2015-01-01-2', '2015-01-01-15'];
    const requestsBefore = Object.fromEntries(HOURS.map((h) => [h, mirror!.requestsFor(h).length]));
    mirror.setFaults({});
    const rerun = await ghlake([...args, '--json']).done;
    expect(rerun.code).toBe(0);
    const json = JSON.parse(rerun.stdout) as { downloaded: number; skipped: number; tempFilesRemoved: number; missing: unknown[] };
    expect(json.skipped).toBe(finishedBeforeKill.length);
    expect(json.downloaded).toBe(4 - finishedBeforeKill.length);
    expect(json.tempFilesRemoved).toBe(leftovers.length);
    expect(json.missing).toHaveLength(12);
    for (const hour of HOURS) {
      // Finished hours: no new request. The others: exactly one more (the complete transfer).
      expect(mirror.requestsFor(hour).length - requestsBefore[hour]!, hour).toBe(finishedBeforeKill.includes(hour) ? 0 : 1);
      expect(await sha256(rawPath(lake, hour as HourKey))).toBe(await sha256(path.join(root, `${hour}.json.gz`)));
    }
    expect(await tmpFiles()).toEqual([]);
  });

  it('Ctrl-C (SIGINT): stops cleanly, leaves no partial file, exits 130', async () => {
    mirror = await startMirror({ root: await mirrorRoot({ '2015-01-01-15': REAL['2015-01-01-15'].file }), faults: { '*': { bytesPerSecond: 500_000 } } });
    const lake = tempDir('lake');
    const run = ghlake(['download', '--from', '2015-01-01-15', '--base-url', mirror.url, '--lake', lake]);
    await until(() => mirror!.requests.some((r) => r.bytesSent > 100_000), 'bytes flowing');
    run.child.kill('SIGINT');
    const result = await run.done;
    expect(result.code).toBe(130);
    expect(result.stdout).toContain('download interrupted: 1 hour (2015-01-01-15)');
    expect(result.stdout).toContain('  not done       1  interrupted; run the same command again to finish (completed hours are kept)');
    expect(await listFiles(lake)).toEqual([]);
  });
});
