/**
 * `ghlake run` and hours damaged AT THE SOURCE (the mirror serves the damaged bytes every time):
 * the same rule as `ghlake bronze` — every line gzip -dc completes before the damage is
 * published, nothing after it, the hour is marked damaged (exit 1), the damaged file is kept as
 * `<hour>.json.gz.corrupt`; once the source has a clean copy, the next run fetches it again and
 * replaces the hour's rows.
 */
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { partitionFile, rawPath, type HourKey } from '@ghlake/core';
import { corruptPath } from '@ghlake/download';
import { startMirror, type Mirror } from '../../../tools/mirror/server.js';
import { runGhlake } from './helpers/ghlake-process.js';
import { writeSlicedHours } from './helpers/sliced-hours.js';

const GARBAGE = '2015-01-01-1' as HourKey;
const FLIPPED = '2015-01-01-2' as HourKey;

function gzipDcLines(file: string): Promise<string[]> {
  return new Promise((resolve) =>
    execFile('gzip', ['-dc', file], { encoding: 'buffer', maxBuffer: 1 << 28 }, (_e, out) => {
      const text = out.toString('latin1');
      resolve(
        text
          .slice(0, text.lastIndexOf('\n') + 1)
          .split('\n')
          .slice(0, -1),
      );
    }),
  );
}

let work: string;
let mirrorDir: string;
let mirror: Mirror;
const clean: Record<string, Buffer> = {};
beforeAll(async () => {
  work = await fs.mkdtemp(path.join(tmpdir(), 'ghlake-damage-run-'));
  mirrorDir = path.join(work, 'mirror');
  await writeSlicedHours(mirrorDir);
  for (const h of [GARBAGE, FLIPPED]) clean[h] = await fs.readFile(path.join(mirrorDir, `${h}.json.gz`));
  await fs.writeFile(path.join(mirrorDir, `${GARBAGE}.json.gz`), Buffer.concat([clean[GARBAGE]!, Buffer.from('GARBAGE-GARBAGE')]));
  const flipped = Buffer.from(clean[FLIPPED]!);
  flipped[Math.floor(flipped.length / 2)]! ^= 0xff;
  await fs.writeFile(path.join(mirrorDir, `${FLIPPED}.json.gz`), flipped);
  mirror = await startMirror({ root: mirrorDir });
});
afterAll(async () => {
  await mirror?.close();
  await fs.rm(work, { recursive: true, force: true });
});

describe('ghlake run with hours damaged at the source', () => {
  it('publishes the lines before the damage, marks the hours damaged (exit 1), keeps the damaged files; the next run replaces them from a clean source', async () => {
    const lake = path.join(work, 'lake');
    const args = [
      'run',
      '--from',
      '2015-01-01-0',
      '--to',
      '2015-01-01-2',
      '--base-url',
      mirror.url,
      '--lake',
      lake,
      '--threads',
      '2',
      '--retries',
      '1',
      '--retry-delay',
      '10',
      '--json',
    ];
    // gzip -dc on the damaged bytes: every line, after trailing garbage; for the flipped byte (it
    // decodes garbage on to the end), the lines before the first one that differs from the clean file's.
    const expected: Record<string, string[]> = { [GARBAGE]: await gzipDcLines(path.join(mirrorDir, `${GARBAGE}.json.gz`)) };
    const decoded = await gzipDcLines(path.join(mirrorDir, `${FLIPPED}.json.gz`));
    await fs.writeFile(path.join(work, 'flipped-clean.gz'), clean[FLIPPED]!);
    const cleanFlipped = await gzipDcLines(path.join(work, 'flipped-clean.gz'));
    let before = 0;
    while (before < decoded.length && decoded[before] === cleanFlipped[before]) before++;
    expected[FLIPPED] = cleanFlipped.slice(0, before);
    expect(expected[GARBAGE]).toHaveLength(400);
    expect(before).toBeGreaterThan(50);

    const first = await runGhlake(args);
    expect(first.code, first.stderr).toBe(1);
    const summary = JSON.parse(first.stdout);
    expect(summary.hours.failed).toEqual([]);
    expect(summary.hours.damaged.map((d: { hour: string }) => d.hour).sort()).toEqual([GARBAGE, FLIPPED]);
    const db = await (await DuckDBInstance.create(':memory:')).connect();
    const count = async (h: HourKey, table: 'events' | 'quarantine', where = '') =>
      Number((await db.runAndReadAll(`select count(*) n from read_parquet('${partitionFile(lake, 'bronze', table, h)}') ${where}`)).getRowObjectsJS()[0]!.n);
    for (const h of [GARBAGE, FLIPPED]) {
      expect(await count(h, 'events'), h).toBe(expected[h]!.length);
      expect(await count(h, 'quarantine'), h).toBe(1);
      expect(await count(h, 'quarantine', "where reason = 'gzip_damage'"), h).toBe(1);
      await expect(fs.stat(corruptPath(lake, h))).resolves.toBeTruthy(); // kept as documented
    }
    const status = await runGhlake(['status', '--lake', lake]);
    expect(status.stdout).toMatch(new RegExp(`${GARBAGE}\\s+transformed\\s+400\\s+0\\s+damaged: trailing_garbage`));

    // The source is mended: the next run fetches both hours again and replaces their rows.
    for (const h of [GARBAGE, FLIPPED]) await fs.writeFile(path.join(mirrorDir, `${h}.json.gz`), clean[h]!);
    const second = await runGhlake(args);
    expect(second.code, second.stderr).toBe(0);
    expect(JSON.parse(second.stdout).hours.done.sort()).toEqual([GARBAGE, FLIPPED]);
    for (const h of [GARBAGE, FLIPPED]) {
      expect(await count(h, 'events')).toBe(400);
      expect(await count(h, 'quarantine')).toBe(0);
      await expect(fs.stat(rawPath(lake, h))).resolves.toBeTruthy();
      await expect(fs.stat(corruptPath(lake, h))).rejects.toThrow();
    }
  });
});
