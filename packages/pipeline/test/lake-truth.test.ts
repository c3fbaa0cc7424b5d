/**
 * `status` and `run` believe the lake, not just the manifest (issue 13, item 5): the step
 * commands record their hours as `run` does; a damaged output makes its hour pending again,
 * with the reason in `status`; `verify` re-reads every recorded file and `--repair` re-derives
 * what is bad from raw; a copied, moved or read-only lake can be queried. The real CLI as a
 * child process against the local mirror, on small real hours (helpers/sliced-hours.ts).
 */
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { partitionFile, readManifest, type HourKey } from '@ghlake/core';
import { startMirror, type Mirror } from '../../../tools/mirror/server.js';
import { runGhlake } from './helpers/ghlake-process.js';
import { lakeContent } from './helpers/lake-content.js';
import { writeSlicedHours } from './helpers/sliced-hours.js';

let work: string;
let mirror: Mirror;
let lake: string;
const range = ['--from', '2015-01-01-0', '--to', '2015-01-01-2'];
const H = (h: number) => `2015-01-01-${h}` as HourKey;
const GETS = () => mirror.requests.filter((r) => r.method === 'GET').length;

beforeAll(async () => {
  work = await fs.mkdtemp(path.join(tmpdir(), 'ghlake-truth-'));
  await writeSlicedHours(path.join(work, 'mirror'));
  mirror = await startMirror({ root: path.join(work, 'mirror') });
  lake = path.join(work, 'lake');
});
afterAll(async () => {
  await mirror?.close();
  // The read-only copy must be writable again to be removed.
  await fs.chmod(work, 0o755).catch(() => undefined);
  execFileSync('chmod', ['-R', 'u+w', work]);
  await fs.rm(work, { recursive: true, force: true });
});

async function status(): Promise<{ hours: { hour: string; state: string; events?: number; layers?: string[]; problems?: string[] }[] }> {
  const r = await runGhlake(['status', ...range, '--lake', lake, '--json']);
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout);
}

describe('every command that writes an hour records it', () => {
  it('download, bronze, silver and gold build the lake; status shows the hours and run transforms nothing again', async () => {
    for (const args of [['download', ...range, '--base-url', mirror.url], ['bronze', ...range], ['silver', ...range], ['gold']]) {
      const r = await runGhlake([...args, '--lake', lake]);
      expect(r.code, `${args[0]}: ${r.stderr}`).toBe(0);
      if (args[0] === 'download') {
        const s = await status();
        expect(s.hours.map((h) => h.state)).toEqual(['downloaded', 'downloaded', 'downloaded']);
      }
      if (args[0] === 'bronze') {
        // Bronze alone is not a transformed hour (the next run would make its silver), but it is recorded.
        const s = await status();
        expect(s.hours.map((h) => [h.state, h.layers, h.events])).toEqual([0, 1, 2].map(() => ['downloaded', ['bronze'], 400]));
        const text = await runGhlake(['status', ...range, '--lake', lake]);
        expect(text.stdout).toMatch(/2015-01-01-0\s+downloaded\s+400\s+0\s+bronze written; silver not yet \(ghlake silver, or ghlake run\)/);
      }
    }
    const s = await status();
    expect(s.hours.map((h) => [h.hour, h.state, h.events])).toEqual([
      [H(0), 'transformed', 400],
      [H(1), 'transformed', 400],
      [H(2), 'transformed', 400],
    ]);
    const manifest = await readManifest(lake);
    for (const h of [0, 1, 2]) {
      expect(manifest.hours[H(h)]).toMatchObject({
        download: { sha256: expect.stringMatching(/^[0-9a-f]{64}$/) },
        transform: { accounting: { lines: 400, events: 400, quarantined: 0 } },
      });
      // Every file is recorded with its size and footer hash once it is final (silver after its commit).
      const rel = path.relative(lake, partitionFile(lake, 'silver', 'events', H(h)));
      expect(manifest.hours[H(h)]!.transform!.outputs?.[rel]).toEqual({
        bytes: (await fs.stat(path.join(lake, rel))).size,
        footer: expect.stringMatching(/^\d+:[0-9a-f]{64}$/),
      });
    }

    const before = await lakeContent(lake);
    const gets = GETS();
    const r = await runGhlake(['run', ...range, '--base-url', mirror.url, '--lake', lake, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary.hours).toMatchObject({ done: [], upToDate: [H(0), H(1), H(2)], failed: [] });
    expect(summary.gold).toMatchObject({ mode: 'unchanged', silverCommits: 0 });
    expect(GETS()).toBe(gets);
    expect(await lakeContent(lake)).toEqual(before);
  });
});

describe('an output that is not what was recorded makes its hour pending again', () => {
  it('a 0-byte silver partition and a same-size change to another: status says why, run redoes both hours, query works', async () => {
    const before = await lakeContent(lake);
    const emptied = partitionFile(lake, 'silver', 'events', H(1));
    const emptiedSize = (await fs.stat(emptied)).size;
    await fs.truncate(emptied, 0);
    // Same size, one byte of the footer changed (a file replaced by another of equal length).
    const changed = partitionFile(lake, 'bronze', 'events', H(2));
    const bytes = await fs.readFile(changed);
    bytes[bytes.length - 20] = bytes[bytes.length - 20]! ^ 0xff;
    await fs.writeFile(changed, bytes);

    const s = await status();
    expect(s.hours.map((h) => h.state)).toEqual(['transformed', 'incomplete', 'incomplete']);
    expect(s.hours[1]!.problems).toEqual([`${path.relative(lake, emptied)}: 0 bytes, ${emptiedSize.toLocaleString('en-US')} recorded`]);
    expect(s.hours[2]!.problems).toEqual([`${path.relative(lake, changed)}: its Parquet footer is not the recorded one`]);
    const text = await runGhlake(['status', ...range, '--lake', lake]);
    expect(text.stdout).toMatch(
      new RegExp(`${H(1)}\\s+incomplete .*silver/events/date=2015-01-01/hour=1/part-0.parquet: 0 bytes, .* recorded; the next run redoes it`),
    );

    const gets = GETS();
    const r = await runGhlake(['run', ...range, '--base-url', mirror.url, '--lake', lake, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect({ ...summary.hours, done: [...summary.hours.done].sort() }).toMatchObject({ done: [H(1), H(2)], upToDate: [H(0)], failed: [] });
    expect(r.stderr).toMatch(
      /"msg":"redoing hour","hour":"2015-01-01-1","why":"an output is not what was recorded: silver\/events\/date=2015-01-01\/hour=1\/part-0.parquet: 0 bytes/,
    );
    // Re-derived from the raw files in the lake: nothing fetched.
    expect(GETS()).toBe(gets);
    expect(await lakeContent(lake)).toEqual(before);
    expect((await status()).hours.map((h) => h.state)).toEqual(['transformed', 'transformed', 'transformed']);
    const q = await runGhlake(['query', '--lake', lake, '--format', 'csv', 'select count(*) as n from silver.events']);
    expect(q.stdout).toBe('n\n1180\n');
  });
});

describe('ghlake verify', () => {
  it('re-reads every recorded file: a damaged one is reported (exit 1); --repair re-derives it from raw (exit 0)', async () => {
    const before = await lakeContent(lake);
    const ok = await runGhlake(['verify', '--lake', lake, '--json']);
    expect(ok.code, ok.stderr).toBe(0);
    const clean = JSON.parse(ok.stdout);
    expect(clean).toMatchObject({ hours: 3, bad: [] });
    expect(clean.files).toBeGreaterThanOrEqual(3 * 7);

    // A data page damaged with the size and footer unchanged: only a re-read finds it.
    const damaged = partitionFile(lake, 'bronze', 'events', H(0));
    const bytes = await fs.readFile(damaged);
    for (let i = 4; i < 64; i++) bytes[i] = 0xff;
    await fs.writeFile(damaged, bytes);
    const plan = await runGhlake(['run', ...range, '--base-url', mirror.url, '--lake', lake, '--json']);
    expect(JSON.parse(plan.stdout).hours.upToDate).toEqual([H(0), H(1), H(2)]);

    const found = await runGhlake(['verify', '--lake', lake]);
    expect(found.code).toBe(1);
    expect(found.stdout).toMatch(new RegExp(`${H(0)}\\s+bronze/events/date=2015-01-01/hour=0/part-0.parquet: cannot be read`));
    expect(found.stdout).toMatch(/1 of 3 hours bad/);

    const repaired = await runGhlake(['verify', '--repair', '--lake', lake]);
    expect(repaired.code, repaired.stderr).toBe(0);
    expect(repaired.stdout).toMatch(/repaired 1 hour from raw: 2015-01-01-0/);
    expect(await lakeContent(lake)).toEqual(before);
    const again = await runGhlake(['verify', '--lake', lake, '--json']);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout).bad).toEqual([]);
  });
});

describe('the warehouse works from any copy of the lake', () => {
  it('a copy made read-only, and the original moved elsewhere, are queried as they are', async () => {
    const copy = path.join(work, 'copy');
    execFileSync('cp', ['-a', lake, copy]);
    const moved = path.join(work, 'moved');
    await fs.rename(lake, moved);
    try {
      execFileSync('chmod', ['-R', 'a-w', copy]);
      const listing = () =>
        execFileSync('sh', ['-c', `cd '${copy}' && find . -printf '%p %s %T@ %m\\n' | sort && find . -type f -exec sha256sum {} + | sort`]).toString();
      const untouched = listing();
      const sql = 'select (select count(*) from silver.events) as events, (select sum(event_count) from gold.event_type_metrics) as gold';
      for (const at of [copy, moved]) {
        const r = await runGhlake(['query', '--lake', at, '--format', 'csv', sql]);
        expect(r.stderr).toBe('');
        expect(r.code).toBe(0);
        expect(r.stdout).toBe('events,gold\n1180,1180\n');
      }
      // Nothing was written into the read-only copy (checked byte for byte: the tests may run as root, whom a-w does not stop).
      expect(listing()).toBe(untouched);
    } finally {
      await fs.rename(moved, lake);
    }
  });
});
