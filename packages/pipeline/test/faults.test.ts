/**
 * What real runs meet: a flaky server (5xx bursts, connections reset mid-body), a hour that is
 * truncated on the server and one that is corrupt among good ones, two runs started on one lake,
 * and Ctrl-C. Each through the real CLI against the local mirror; each lake compared, once
 * completed, with an uninterrupted run's.
 */
import { promises as fs } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lockPath, manifestPath, rawMetaPath, type HourKey } from '@ghlake/core';
import { runGhlake, spawnGhlake } from './helpers/ghlake-process.js';
import { lakeContent, tempFilesUnder } from './helpers/lake-content.js';
import { HOURS, newLake, runArgs, setUpSuite, type Suite } from './helpers/reliability.js';
import { missingOutputs } from '@ghlake/core';
import { readManifest } from '@ghlake/core';

let suite: Suite;
beforeAll(async () => {
  suite = await setUpSuite(await fs.mkdtemp(path.join(tmpdir(), 'ghlake-faults-')));
});
afterAll(async () => {
  await suite?.mirror.close();
  await fs.rm(suite?.work ?? '/nonexistent', { recursive: true, force: true });
});

const gets = (hour: string) => suite.mirror.requestsFor(hour).length;

describe('a flaky mirror and damaged hours', () => {
  it('retries 5xx bursts and resets, fails the truncated hour, publishes the lines of the hour corrupt at the source before its damage as damaged (exit 1), completes the rest; a rerun finishes only those', async () => {
    const lake = await newLake(suite, 'faults');
    const good = path.join(suite.work, 'good-15.json.gz');
    const served = path.join(suite.mirrorDir, '2015-01-01-15.json.gz');
    await fs.copyFile(served, good);
    // Hour 15 is corrupt on the server itself: valid gzip header, garbage after 2 kB.
    const bytes = await fs.readFile(good);
    const corrupt = Buffer.concat([bytes.subarray(0, 2000), gzipSync('x').subarray(0, 10), Buffer.alloc(5000, 0x5a)]);
    await fs.writeFile(served, corrupt);
    const before = { h0: gets('2015-01-01-0'), h1: gets('2015-01-01-1'), h2: gets('2015-01-01-2') };
    // `times` counts a file's requests over the mirror's life (the baseline run made some).
    suite.mirror.setFaults({
      '2015-01-01-0': { status: { code: 503, times: before.h0 + 2 } },
      '2015-01-01-1': { reset: { afterBytes: 20_000, times: before.h1 + 1 } },
      '2015-01-01-2': { truncate: { afterBytes: 50_000 } },
    });
    const r = await runGhlake(runArgs(suite.mirror, lake, ['--retries', '2']));
    try {
      expect(r.code, r.stderr).toBe(1);
      expect(gets('2015-01-01-0') - before.h0).toBe(3); // 503, 503, 200
      expect(gets('2015-01-01-1') - before.h1).toBe(2); // reset, 200
      expect(gets('2015-01-01-2') - before.h2).toBe(3); // truncated three times: given up
      // Every failed attempt is in the log, with its reason (a resumed one says so).
      const retries = (hour: string) =>
        r.logs
          .filter((l) => (l.msg === 'download failed: retrying' || l.msg === 'download cut short: resuming') && l.hour === hour)
          .map((l) => [l.attempt, l.code]);
      expect(retries('2015-01-01-0')).toEqual([
        [1, 'GHLAKE_HTTP_STATUS'],
        [2, 'GHLAKE_HTTP_STATUS'],
      ]);
      expect(retries('2015-01-01-1').map(([attempt]) => attempt)).toEqual([1]);
      expect(retries('2015-01-01-2')).toEqual([
        [1, 'GHLAKE_CONTENT_LENGTH_MISMATCH'],
        [2, 'GHLAKE_CONTENT_LENGTH_MISMATCH'],
      ]);
      expect(r.stdout).toContain('ghlake run finished with failures');
      expect(r.stdout).toMatch(/hours\s+3 transformed, 0 already up to date, 12 missing, 1 damaged, 1 failed/);
      expect(r.stdout).toMatch(/failed\s+2015-01-01-2 download GHLAKE_\w+: /);
      // Corrupt at the source (every fetch): garbage spliced in after 2 kB, where the gzip stream
      // ends. What it held before the damage is published, nothing decoded from the garbage is a
      // line (one gzip_damage row), and the hour is marked damaged.
      expect(r.stdout).toMatch(/damaged\s+2015-01-01-15: truncated: the gzip stream ends inside member 1/);
      expect(r.stdout).toMatch(/lines quarantined \(gzip_damage 1\)/);
      const manifest = await readManifest(lake);
      const kept = manifest.hours['2015-01-01-15']!.transform!.accounting.events;
      // The good hours went all the way: gold was built from them (and the damaged hour's kept lines).
      expect(r.stdout).toContain(`silver      ${780 + kept} events in the lake`);
      expect(manifest.hours['2015-01-01-15']).toMatchObject({ state: 'transformed', transform: { damaged: expect.stringMatching(/^truncated: /) } });
      expect(manifest.hours['2015-01-01-2']).toMatchObject({ state: 'failed', error: { stage: 'download' } });
      expect(manifest.hours['2015-01-01-0']!.state).toBe('transformed');
    } finally {
      await fs.copyFile(good, served);
      suite.mirror.setFaults({});
    }
    const h0 = gets('2015-01-01-0');
    const rerun = await runGhlake(runArgs(suite.mirror, lake, ['--json']));
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(JSON.parse(rerun.stdout).hours.done.sort()).toEqual(['2015-01-01-15', '2015-01-01-2']);
    expect(gets('2015-01-01-0')).toBe(h0);
    expect(await lakeContent(lake)).toEqual(suite.baseline);
  });
});

describe('an hour damaged in transfer', () => {
  it('is never published half-read: the run stores files unchecked, its transform finds the damage, publishes nothing and fetches the hour again with a gzip check; the lake is as if nothing happened', async () => {
    const lake = await newLake(suite, 'damaged-in-transfer');
    const before = gets('2015-01-01-1');
    // Bytes flipped in flight, Content-Length intact: only inflating the file can notice.
    suite.mirror.setFaults({ '2015-01-01-1': { corrupt: { offset: 30_000, length: 64, times: before + 1 } } });
    let r;
    try {
      r = await runGhlake(runArgs(suite.mirror, lake));
    } finally {
      suite.mirror.setFaults({});
    }
    expect(r.code, r.stderr).toBe(0);
    expect(gets('2015-01-01-1') - before).toBe(2); // damaged, then good
    expect(r.logs.filter((l) => l.msg === 'hour damaged on arrival: nothing kept, fetching it again with a full gzip check').map((l) => l.hour)).toEqual([
      '2015-01-01-1',
    ]);
    expect(r.stdout).toMatch(/hours\s+4 transformed, 0 already up to date, 12 missing, 0 damaged, 0 failed/);
    expect(await lakeContent(lake)).toEqual(suite.baseline);
    // Every kept file ends up recorded as checked: by the refetch, or by its transform's complete read.
    for (const hour of HOURS) {
      const meta = JSON.parse(await fs.readFile(rawMetaPath(lake, hour as HourKey), 'utf8'));
      expect(meta, hour).toMatchObject({ gzipChecked: true, uncompressedBytes: expect.any(Number) });
      expect(meta.uncompressedBytes, hour).toBeGreaterThan(100_000);
      expect(meta.gzipDamage, hour).toBeUndefined(); // the damaged copy's verdict left with it
    }
  });
});

describe('one lake, one run', () => {
  it('a second run on a locked lake exits 1 naming the holder; the first completes', async () => {
    const lake = await newLake(suite, 'concurrent');
    suite.mirror.setFaults({ '*': { bytesPerSecond: 100_000 } });
    try {
      const first = spawnGhlake(runArgs(suite.mirror, lake, ['--concurrency', '1']));
      await first.waitForLog((l) => l.msg === 'stage started' && l.stage === 'download', 'the download starting');
      // Hold the first run (alive, lock held) while the second starts, however slow the machine.
      first.child.kill('SIGSTOP');
      let second;
      try {
        second = await runGhlake(runArgs(suite.mirror, lake));
      } finally {
        first.child.kill('SIGCONT');
      }
      expect(second.code).toBe(1);
      expect(second.stderr).toMatch(
        new RegExp(
          `^error GHLAKE_LAKE_LOCKED: the lake is locked by another ghlake run \\(pid ${first.child.pid} on ${hostname()}, started [0-9T:.-]+Z: ghlake run --from 2015-01-01-0 --to 2015-01-01-15 --base-url`,
        ),
      );
      expect(second.stderr).toContain(`hint: wait for it to finish, or stop it (kill ${first.child.pid})`);
      expect((await first.exited).code).toBe(0);
      // Stages overlap: with hours arriving one by one, hours were transformed while others still downloaded.
      const transformedAt = first.logs.findIndex((l) => l.msg === 'hour transformed');
      const downloadDoneAt = first.logs.findIndex((l) => l.msg === 'stage finished' && l.stage === 'download');
      expect(transformedAt).toBeGreaterThan(-1);
      expect(transformedAt).toBeLessThan(downloadDoneAt);
    } finally {
      suite.mirror.setFaults({});
    }
    expect(await lakeContent(lake)).toEqual(suite.baseline);
  });
});

describe('Ctrl-C', () => {
  it('stops cleanly: exit 130, in-flight hours finished, manifest consistent, lock released, no temp files; the download cut short is kept, shown by status and resumed by the rerun, which completes the lake', async () => {
    const lake = await newLake(suite, 'sigint');
    suite.mirror.setFaults({ '*': { bytesPerSecond: 100_000 } });
    // Hours download one at a time, in order: the second one is in flight when the first is done.
    const partial = path.join(lake, 'raw/date=2015-01-01/.partial-2015-01-01-1.json.gz');
    let run;
    try {
      run = spawnGhlake(runArgs(suite.mirror, lake, ['--concurrency', '1']));
      await run.waitForLog((l) => l.msg === 'hour downloaded', 'the first hour downloaded');
      for (let waited = 0; ((await fs.stat(partial).catch(() => undefined))?.size ?? 0) < 10_000; waited += 20) {
        if (waited > 30_000) throw new Error('timed out waiting for the second hour to be in flight');
        await new Promise((r) => setTimeout(r, 20));
      }
      run.child.kill('SIGINT');
      expect((await run.exited).code).toBe(130);
    } finally {
      suite.mirror.setFaults({});
    }
    expect(run.stdout()).toContain('ghlake run interrupted');
    await expect(fs.stat(lockPath(lake))).rejects.toThrow(/ENOENT/);
    // No temp file; only the bytes of the download cut short, with their identity, for the rerun.
    expect((await tempFilesUnder(lake)).sort()).toEqual([partial, `${partial}.json`]);
    const kept = (await fs.stat(partial)).size;
    const status = await runGhlake(['status', '--lake', lake, '--from', '2015-01-01-0', '--to', '2015-01-01-2']);
    expect(status.stdout).toMatch(/2015-01-01-1\s+pending\s+partly downloaded: \S+ \S+ of \S+ \S+ kept; the next run resumes/);
    const json = JSON.parse((await runGhlake(['status', '--lake', lake, '--from', '2015-01-01-0', '--to', '2015-01-01-2', '--json'])).stdout);
    expect(json.hours.find((h: { hour: string }) => h.hour === '2015-01-01-1').partial).toEqual({
      bytes: kept,
      size: (await fs.stat(path.join(suite.mirrorDir, '2015-01-01-1.json.gz'))).size,
    });
    // Every hour the manifest calls transformed has all its files; the others are not marked done.
    const manifest = await readManifest(lake);
    const transformed = HOURS.filter((h) => manifest.hours[h]?.state === 'transformed');
    expect(transformed.length).toBeLessThan(HOURS.length);
    for (const h of transformed) expect(await missingOutputs(lake, manifest.hours[h as HourKey]!)).toEqual([]);

    const rerun = await runGhlake(runArgs(suite.mirror, lake));
    expect(rerun.code, rerun.stderr).toBe(0);
    const last = suite.mirror.requestsFor('2015-01-01-1').at(-1)!;
    expect([last.status, last.range]).toEqual([206, `bytes=${kept}-`]);
    expect(await lakeContent(lake)).toEqual(suite.baseline);
    expect(await tempFilesUnder(lake)).toEqual([]);
  });
});
