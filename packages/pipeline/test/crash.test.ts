/**
 * SIGKILL at any moment, then a rerun: the run completes and bronze, silver and gold are
 * identical to an uninterrupted run's (write-time columns aside) — no duplicate rows, no lost
 * hours, no half-written partition taken as complete, no temp file left, the dead run's lock
 * taken over. The real CLI is killed with kill -9 when its log shows the stage.
 */
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manifestPath } from '@ghlake/core';
import { runGhlake, spawnGhlake, type LogLine } from './helpers/ghlake-process.js';
import { lakeContent, tempFilesUnder } from './helpers/lake-content.js';
import { HOURS, newLake, runArgs, setUpSuite, type Suite } from './helpers/reliability.js';
import { readManifest } from '@ghlake/core';

let suite: Suite;
beforeAll(async () => {
  suite = await setUpSuite(await fs.mkdtemp(path.join(tmpdir(), 'ghlake-crash-')));
});
afterAll(async () => {
  await suite?.mirror.close();
  await fs.rm(suite?.work ?? '/nonexistent', { recursive: true, force: true });
});

/**
 * Start a run, SIGKILL it `delayMs` after the log line `match` (or, with `crashAt`, at that crash
 * point of the code: core's crash-point.ts), rerun, and compare with the baseline.
 */
async function killAndRerun(name: string, match: ((l: LogLine) => boolean) | { crashAt: string }, what: string, delayMs = 0, extra: string[] = []) {
  const lake = await newLake(suite, name);
  const run = spawnGhlake(runArgs(suite.mirror, lake, extra), 'crashAt' in match ? { env: { GHLAKE_CRASH_AT: match.crashAt } } : {});
  if (!('crashAt' in match)) {
    await run.waitForLog(match, what);
    if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
    run.child.kill('SIGKILL');
  }
  expect((await run.exited).signal).toBe('SIGKILL');
  // hour → bytes of a download the kill cut short (kept as raw/…/.partial-<hour>.json.gz for the rerun)
  const keptAtKill: Record<string, number> = {};
  for (const f of await tempFilesUnder(lake)) {
    const m = /\/\.partial-(.+)\.json\.gz$/.exec(f);
    if (m) keptAtKill[m[1]!] = (await fs.stat(f)).size;
  }

  suite.mirror.setFaults({});
  const rerun = await runGhlake(runArgs(suite.mirror, lake));
  expect(rerun.code, rerun.stderr).toBe(0);
  // The killed run's lock was stale and taken over, with a warning naming it.
  expect(rerun.logs.find((l) => l.msg.startsWith('took over a stale lake lock'))?.holder).toContain(`pid ${run.child.pid} `);
  expect(await lakeContent(lake)).toEqual(suite.baseline);
  expect(await tempFilesUnder(lake)).toEqual([]);
  const manifest = await readManifest(lake);
  for (const h of HOURS) expect(manifest.hours[h]!.state).toBe('transformed');
  return { killed: run, rerun, keptAtKill };
}

describe('SIGKILL, then a rerun, gives the uninterrupted result', () => {
  it('killed during download (one hour on disk, the next half-transferred)', async () => {
    // A slow mirror and one connection: hours arrive one by one, ~1.4 s each.
    suite.mirror.setFaults({ '*': { bytesPerSecond: 100_000 } });
    const { killed, rerun, keptAtKill } = await killAndRerun('kill-download', (l) => l.msg === 'hour downloaded', 'the first hour downloaded', 300, [
      '--concurrency',
      '1',
    ]);
    expect(killed.logs.filter((l) => l.msg === 'hour downloaded')).toHaveLength(1);
    // The half-transferred hour is not fetched again from byte 0: the rerun asks for the rest only.
    expect(Object.keys(keptAtKill)).toHaveLength(1);
    const [[hour, kept]] = Object.entries(keptAtKill) as [[string, number]];
    expect(kept).toBeGreaterThan(0);
    expect(rerun.logs.find((l) => l.msg === 'hour downloaded' && l.hour === hour)?.resumedBytes).toBe(kept);
    const last = suite.mirror.requestsFor(hour).at(-1)!;
    expect([last.status, last.range]).toEqual([206, `bytes=${kept}-`]);
  });

  it('killed during transform (an hour transformed, others in the pool)', async () => {
    const { killed } = await killAndRerun('kill-transform', (l) => l.msg === 'hour transformed', 'the first hour transformed');
    expect(killed.logs.some((l) => l.msg === 'stage started' && l.stage === 'gold')).toBe(false);
  });

  // Killed at the log line of a step, not after a fixed delay: these steps take a few hundred ms on
  // a quiet machine, so "250 ms after it started" sometimes landed after the run had finished.
  it('killed as silver consolidation starts (hours transformed and staged, none published)', async () => {
    const { killed } = await killAndRerun('kill-consolidate', (l) => l.msg === 'gold step' && l.step === 'consolidate', 'consolidation starting');
    expect(killed.logs.some((l) => l.msg === 'stage finished' && l.stage === 'gold')).toBe(false);
  });

  it('killed while gold applies the changes', async () => {
    const { killed } = await killAndRerun('kill-gold', (l) => l.msg === 'gold step' && l.step === 'apply', 'gold applying the changes');
    expect(killed.logs.some((l) => l.msg === 'stage finished' && l.stage === 'gold')).toBe(false);
  });

  // Exactly at the commit points of the incremental state: before a transaction commits (rolled
  // back), after it commits but before its files are in place (the journal or the link finishes it).
  for (const point of ['silver:before-commit', 'silver:committed', 'silver:journal-half-applied', 'gold:before-commit', 'gold:committed']) {
    it(`killed at ${point}`, async () => {
      await killAndRerun(`kill-${point.replace(':', '-')}`, { crashAt: point }, point);
    });
  }

  it('killed while the warehouse is rebuilt', async () => {
    await killAndRerun('kill-warehouse', (l) => l.msg === 'stage started' && l.stage === 'warehouse', 'the warehouse starting');
  });
});
