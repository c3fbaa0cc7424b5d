/**
 * `ghlake download` as a user runs it: the real CLI in a child process (bin/ghlake.mjs)
 * against the local mirror on 127.0.0.1. Exit codes, stdout/stderr, files in the lake, and
 * the mirror's request log.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { rawPath, readManifest, type HourKey } from '@ghlake/core';
import { fileSha256, download, listFiles, mirrorRoot, REAL, smallHour, startMirror, tempDir, type Mirror } from './helpers.js';

const BIN = path.resolve(import.meta.dirname, '../../pipeline/bin/ghlake.mjs');
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

function ghlake(args: string[], cwd = tempDir('cwd'), env: Record<string, string> = {}): Run {
  const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { ...ENV, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d));
  child.stderr!.on('data', (d: Buffer) => (stderr += d));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { child, done };
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
    const root = await mirrorRoot({
      '2015-01-01-0': REAL['2015-01-01-0'].file,
      '2015-01-01-15': REAL['2015-01-01-15'].file,
      '2015-01-01-3': small3,
      '2015-01-01-7': small7,
    });
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

    expect(await fileSha256(rawPath(lake, '2015-01-01-0' as HourKey))).toBe(REAL['2015-01-01-0'].sha256);
    expect(await fileSha256(rawPath(lake, '2015-01-01-15' as HourKey))).toBe(REAL['2015-01-01-15'].sha256);
    expect(await fs.readFile(rawPath(lake, '2015-01-01-3' as HourKey))).toEqual(small3);
    expect(await fs.readFile(rawPath(lake, '2015-01-01-7' as HourKey))).toEqual(small7);
    // Every hour settled is in the lake's manifest too, as `ghlake run` records it (status and the next run see it).
    expect(await listFiles(lake)).toEqual(
      [
        ...['0', '15', '3', '7'].flatMap((h) => [`raw/date=2015-01-01/2015-01-01-${h}.json.gz`, `raw/date=2015-01-01/2015-01-01-${h}.json.gz.meta.json`]),
        '_state/manifest/hours-2015-01.json',
        '_state/manifest/lake.json',
      ].sort(),
    );
    const manifest = await readManifest(lake);
    expect(manifest.hours['2015-01-01-15']).toMatchObject({ state: 'downloaded', download: { bytes: 3_700_037, sha256: REAL['2015-01-01-15'].sha256 } });
    expect(manifest.hours['2015-01-01-9']).toMatchObject({
      state: 'missing',
      error: { stage: 'download', message: `2015-01-01-9: HTTP 404 at ${mirror.url}` },
    });

    // The rerun in-process (a process start costs seconds on a loaded machine; the binary was proven above).
    const again = await download(['--from', '2015-01-01-0', '--to', '2015-01-01-15', '--base-url', mirror.url, '--lake', lake, '--json']);
    expect(again.code).toBe(0);
    const json = JSON.parse(again.stdout) as { skipped: number; downloaded: number; missing: { hour: string }[]; skippedBytes: number; failed: unknown[] };
    expect(json).toMatchObject({ downloaded: 0, skipped: 4, failed: [], skippedBytes: 2_615_399 + 3_700_037 + small3.length + small7.length });
    expect(json.missing).toHaveLength(12);
    expect(mirror.requestsFor('2015-01-01-0')).toHaveLength(1);
    expect(mirror.requestsFor('2015-01-01-15')).toHaveLength(1);
  });

  it('bad input through the real binary: one clear error, exit 2, nothing created', async () => {
    const cwd = tempDir('cwd');
    const run = await ghlake(['download', '--from', '2015-01-01-0', '--concurency', '3'], cwd).done;
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      "error GHLAKE_UNKNOWN_OPTION: unknown option '--concurency'\n  hint: did you mean --concurrency or --connect-timeout? see --help\n",
    );
    expect(await fs.readdir(cwd)).toEqual([]);
  });
});

describe('ghlake download: interrupted runs', () => {
  it('SIGKILL mid-download, then a rerun: finished hours are not fetched again, unfinished ones resume where they stopped, no temporary file survives', async () => {
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
    // A meta file still under its temporary name (written, not yet renamed) is not a finished hour.
    const metaFiles = async () => (await listFiles(lake)).filter((f) => f.endsWith('.meta.json') && !path.basename(f).startsWith('.'));
    const tmpFiles = async () => (await listFiles(lake)).filter((f) => f.includes('/.tmp-') || f.includes('/.partial-'));
    // A body in flight is kept under its stable partial name (kept-partial.ts), its identity beside it.
    const partials = async () => (await listFiles(lake)).filter((f) => /\/\.partial-[^/]+\.json\.gz$/.test(f));
    // A small hour's partial can complete (and be renamed away) between the listing and the stat.
    const partialBytes = async () => Promise.all((await partials()).map(async (f) => (await fs.stat(path.join(lake, f)).catch(() => ({ size: 0 }))).size));
    await until(async () => (await metaFiles()).length >= 1 && (await partialBytes()).some((n) => n > 100_000), 'one hour done and one mid-transfer');
    killed.child.kill('SIGKILL');
    const dead = await killed.done;
    expect(dead.signal).toBe('SIGKILL');

    const recordedBeforeKill = (await metaFiles()).map((f) => path.basename(f, '.json.gz.meta.json')).sort();
    const leftovers = await tmpFiles();
    const tempLeftovers = leftovers.filter((f) => f.includes('/.tmp-'));
    // hour → bytes the killed run had on disk
    const kept = Object.fromEntries(
      await Promise.all(
        (await partials()).map(
          async (f) => [path.basename(f).slice('.partial-'.length, -'.json.gz'.length), (await fs.stat(path.join(lake, f))).size] as const,
        ),
      ),
    );
    expect(recordedBeforeKill.length).toBeGreaterThanOrEqual(1);
    expect(Math.max(...Object.values(kept))).toBeGreaterThan(100_000);
    // A killed transfer never looks complete: a final name is a whole, checked file. Its record is
    // written just after the rename, so the kill can land between the two (at most one hour per
    // connection): the rerun adopts such a file after re-checking it, without a request.
    const finishedBeforeKill = (await listFiles(lake))
      .filter((x) => x.endsWith('.json.gz') && !path.basename(x).startsWith('.'))
      .map((f) => path.basename(f, '.json.gz'))
      .sort();
    const unrecorded = finishedBeforeKill.filter((h) => !recordedBeforeKill.includes(h));
    expect(recordedBeforeKill.every((h) => finishedBeforeKill.includes(h))).toBe(true);
    expect(unrecorded.length).toBeLessThanOrEqual(2);

    const HOURS = ['2015-01-01-0', '2015-01-01-1', '2015-01-01-2', '2015-01-01-15'];
    const requestsBefore = Object.fromEntries(HOURS.map((h) => [h, mirror!.requestsFor(h).length]));
    mirror.setFaults({});
    const rerun = await download([...args.slice(1), '--json']); // in-process, as above
    expect(rerun.code).toBe(0);
    const json = JSON.parse(rerun.stdout) as {
      downloaded: number;
      skipped: number;
      tempFilesRemoved: number;
      missing: unknown[];
      results: Array<{ hour: string; resumedBytes?: number; reason?: string }>;
    };
    expect(json.skipped).toBe(finishedBeforeKill.length);
    expect(json.downloaded).toBe(4 - finishedBeforeKill.length);
    expect(json.tempFilesRemoved).toBe(tempLeftovers.length);
    expect(json.missing).toHaveLength(12);
    for (const hour of HOURS) {
      // Finished hours: no new request. The others: exactly one more — for the rest only, where bytes were kept.
      const after = mirror.requestsFor(hour).slice(requestsBefore[hour]!);
      expect(after.length, hour).toBe(finishedBeforeKill.includes(hour) ? 0 : 1);
      if (unrecorded.includes(hour)) expect(json.results.find((r) => r.hour === hour)!.reason, hour).toBe('kept file without a record: verified and recorded');
      if (kept[hour]) {
        expect([after[0]!.status, after[0]!.range], hour).toEqual([206, `bytes=${kept[hour]}-`]);
        expect(json.results.find((r) => r.hour === hour)!.resumedBytes, hour).toBe(kept[hour]);
      }
      expect(await fileSha256(rawPath(lake, hour as HourKey))).toBe(await fileSha256(path.join(root, `${hour}.json.gz`)));
    }
    expect(await tmpFiles()).toEqual([]);
  });

  it("killed between a file's rename and its record: the rerun re-checks and adopts the file, with no request", async () => {
    mirror = await startMirror({ root: await mirrorRoot({ '2015-01-01-0': REAL['2015-01-01-0'].file }) });
    const lake = tempDir('lake');
    const args = ['download', '--from', '2015-01-01-0', '--base-url', mirror.url, '--lake', lake];
    const killed = await ghlake(args, tempDir('cwd'), { GHLAKE_CRASH_AT: 'download:renamed-before-record' }).done;
    expect(killed.signal).toBe('SIGKILL');
    const raw = rawPath(lake, '2015-01-01-0' as HourKey);
    expect(await fileSha256(raw)).toBe(REAL['2015-01-01-0'].sha256);
    expect((await listFiles(lake)).filter((f) => f.endsWith('.meta.json'))).toEqual([]);

    const rerun = await download([...args.slice(1), '--json']);
    expect(rerun.code).toBe(0);
    const json = JSON.parse(rerun.stdout) as { downloaded: number; skipped: number; results: Array<{ hour: string; reason?: string }> };
    expect([json.downloaded, json.skipped]).toEqual([0, 1]);
    expect(json.results[0]!.reason).toBe('kept file without a record: verified and recorded');
    expect(mirror.requestsFor('2015-01-01-0')).toHaveLength(1);
    expect(await fileSha256(raw)).toBe(REAL['2015-01-01-0'].sha256);
    expect((await listFiles(lake)).filter((f) => f.endsWith('.meta.json'))).toHaveLength(1);
  });

  it('Ctrl-C (SIGINT): stops cleanly, exits 130, keeps only the resumable partial; the same command then finishes with the rest', async () => {
    mirror = await startMirror({ root: await mirrorRoot({ '2015-01-01-15': REAL['2015-01-01-15'].file }), faults: { '*': { bytesPerSecond: 500_000 } } });
    const lake = tempDir('lake');
    const args = ['download', '--from', '2015-01-01-15', '--base-url', mirror.url, '--lake', lake];
    const run = ghlake(args);
    const partial = path.join(lake, 'raw/date=2015-01-01/.partial-2015-01-01-15.json.gz');
    await until(async () => (await fs.stat(partial).catch(() => undefined))?.size! > 100_000, 'bytes on disk');
    run.child.kill('SIGINT');
    const result = await run.done;
    expect(result.code).toBe(130);
    expect(result.stdout).toContain('download interrupted: 1 hour (2015-01-01-15)');
    expect(result.stdout).toContain(
      '  not done       1  interrupted; run the same command again to finish (completed hours are kept, unfinished ones resume where they stopped)',
    );
    // Nothing that looks complete: the bytes so far and their identity, under names no reader takes as data.
    expect(await listFiles(lake)).toEqual(['raw/date=2015-01-01/.partial-2015-01-01-15.json.gz', 'raw/date=2015-01-01/.partial-2015-01-01-15.json.gz.json']);
    const keptBytes = (await fs.stat(partial)).size;

    mirror.setFaults({});
    const again = await ghlake(args).done;
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`1 resumed (`);
    expect(mirror.requestsFor('2015-01-01-15').map((r) => [r.status, r.range ?? null])).toEqual([
      [200, null],
      [206, `bytes=${keptBytes}-`],
    ]);
    expect(await fileSha256(rawPath(lake, '2015-01-01-15' as HourKey))).toBe(REAL['2015-01-01-15'].sha256);
    expect(await listFiles(lake)).toEqual([
      '_state/manifest/hours-2015-01.json',
      '_state/manifest/lake.json',
      'raw/date=2015-01-01/2015-01-01-15.json.gz',
      'raw/date=2015-01-01/2015-01-01-15.json.gz.meta.json',
    ]);
  });
});
