/**
 * Every complete line gunzip produces before gzip damage is kept — checked against `gzip -dc`
 * run on the very same bytes (the counts are computed here, never written down): a real hour
 * with trailing garbage, with one byte flipped mid-stream (two ways), and cut at 50%. Nothing
 * decoded after the damage is a line; the damage is ONE `gzip_damage` row with its byte offset.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool, parseHour, partitionFile, type HourKey } from '@ghlake/core';
import { bronzeHours, type HourOutcome } from '../src/index.js';
import { GHARCHIVE_FIXTURES } from './real-lines.js';

/** What `gzip -dc` writes for these bytes (it exits non-zero on damage: its output is what counts). */
function gzipDc(file: string): Promise<Buffer> {
  return new Promise((resolve) => {
    execFile('gzip', ['-dc', file], { encoding: 'buffer', maxBuffer: 1 << 30 }, (_error, stdout) => resolve(stdout));
  });
}

/** The complete (newline-terminated) lines of a decompressed stream. */
function completeLines(bytes: Buffer): Buffer[] {
  const end = bytes.lastIndexOf(10) + 1;
  return end === 0
    ? []
    : bytes
        .subarray(0, end - 1)
        .toString('latin1')
        .split('\n')
        .map((l) => Buffer.from(l, 'latin1'));
}

// event_hash: the SHA-256 of the event object's exact bytes (docs/transform.md).
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const hour = (h: number) => parseHour(`2015-01-03-${h}`);
const CASES = {
  trailingGarbage: hour(1),
  flippedByte: hour(2),
  flippedBit: hour(3),
  cutInHalf: hour(4),
};

describe('gzip damage, against gzip -dc on the same bytes', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'ghlake-gzip-damage-'));
  const rawDir = path.join(dir, 'raw');
  const lake = path.join(dir, 'lake');
  const pool = createPool({ threads: 2, maxOldGenerationSizeMb: 512 });
  const db = await (await DuckDBInstance.create(':memory:')).connect();
  const clean = await readFile(GHARCHIVE_FIXTURES.hour2015_01_01_0);
  const raw = (h: HourKey) => path.join(rawDir, `${h}.json.gz`);
  let cleanLines: Buffer[];
  let outcomes: Map<HourKey, HourOutcome>;

  beforeAll(async () => {
    await mkdir(rawDir, { recursive: true });
    const flip = (mask: number) => {
      const b = Buffer.from(clean);
      b[Math.floor(b.length / 2)]! ^= mask;
      return b;
    };
    await writeFile(raw(CASES.trailingGarbage), Buffer.concat([clean, Buffer.from('GARBAGE-GARBAGE')]));
    await writeFile(raw(CASES.flippedByte), flip(0xff));
    await writeFile(raw(CASES.flippedBit), flip(0x01));
    await writeFile(raw(CASES.cutInHalf), clean.subarray(0, Math.floor(clean.length / 2)));
    await copyFile(GHARCHIVE_FIXTURES.hour2015_01_01_0, path.join(dir, 'clean.json.gz'));
    cleanLines = completeLines(await gzipDc(path.join(dir, 'clean.json.gz')));
    outcomes = new Map((await bronzeHours(pool, { lake, rawDir }, Object.values(CASES))).map((o) => [o.hour, o]));
  });
  afterAll(async () => {
    await pool.destroy();
    await rm(dir, { recursive: true, force: true });
  });

  const rows = async (sql: string) => (await db.runAndReadAll(sql)).getRowObjectsJS();
  const quarantine = (h: HourKey) =>
    rows(
      `select source_line::int line, reason, raw_length::int len, detail from read_parquet('${partitionFile(lake, 'bronze', 'quarantine', h)}') order by source_line`,
    );
  const eventHashes = async (h: HourKey) =>
    (await rows(`select event_hash from read_parquet('${partitionFile(lake, 'bronze', 'events', h)}') order by source_line`)).map((r) => r.event_hash);

  it('trailing garbage: all the lines gzip -dc reads are events; the garbage is one gzip_damage row at the end of the member', async () => {
    const expected = completeLines(await gzipDc(raw(CASES.trailingGarbage)));
    expect(expected.length).toBe(cleanLines.length);
    const o = outcomes.get(CASES.trailingGarbage)!;
    expect(o.status).toBe('damaged');
    expect(o.damage).toMatchObject({ code: 'trailing_garbage', offset: clean.length });
    expect(o.accounting).toMatchObject({
      lines: expected.length,
      events: expected.length,
      quarantinedLines: 0,
      quarantineRows: 1,
      quarantinedByReason: { gzip_damage: 1 },
    });
    expect(await eventHashes(CASES.trailingGarbage)).toEqual(expected.map(sha256));
    const [q] = await quarantine(CASES.trailingGarbage);
    expect(q).toMatchObject({ line: expected.length + 1, reason: 'gzip_damage', len: 0 });
    expect(q!.detail).toContain(`found at byte ${clean.length} of ${clean.length + 15}`);
  });

  it('cut at 50%: every line gzip -dc completes is an event; its partial last line is the gzip_damage row', async () => {
    const out = await gzipDc(raw(CASES.cutInHalf));
    const expected = completeLines(out);
    const o = outcomes.get(CASES.cutInHalf)!;
    expect(o.damage).toMatchObject({ code: 'truncated', offset: Math.floor(clean.length / 2) });
    expect(o.accounting).toMatchObject({ lines: expected.length, events: expected.length, quarantineRows: 1, quarantinedByReason: { gzip_damage: 1 } });
    expect(await eventHashes(CASES.cutInHalf)).toEqual(expected.map(sha256));
    const q = await quarantine(CASES.cutInHalf);
    expect(q.map((r) => [r.line, r.reason])).toEqual([[expected.length + 1, 'gzip_damage']]);
    // The partial line: what gzip -dc wrote after its last newline (zlib may decode a byte or two more of a cut stream).
    expect(q[0]!.len).toBeGreaterThanOrEqual(out.length - (out.lastIndexOf(10) + 1));
    expect(q[0]!.len).toBeLessThan(out.length - (out.lastIndexOf(10) + 1) + 8);
  });

  it.each([
    ['a flipped byte', CASES.flippedByte],
    ['a flipped bit', CASES.flippedBit],
  ])('%s mid-stream: the lines gzip -dc decodes before the damage are events; nothing decoded after it is a line', async (_name, h) => {
    const decoded = completeLines(await gzipDc(raw(h)));
    // gzip -dc decodes on past the flip (garbage, until the CRC check at the end): the lines
    // before the damage are those it decoded identical to the clean file, in order.
    let before = 0;
    while (before < decoded.length && decoded[before]!.equals(cleanLines[before]!)) before++;
    expect(before).toBeGreaterThan(3000);
    expect(decoded.length).toBeGreaterThan(before); // it did decode garbage after them
    const o = outcomes.get(h)!;
    expect(o.damage).toMatchObject({ code: 'corrupt' });
    expect(o.damage!.message).toContain('incorrect data check');
    expect(o.accounting).toMatchObject({ lines: before, events: before, quarantinedLines: 0, quarantineRows: 1, quarantinedByReason: { gzip_damage: 1 } });
    expect(await eventHashes(h)).toEqual(cleanLines.slice(0, before).map(sha256));
    const q = await quarantine(h);
    expect(q.map((r) => [r.line, r.reason])).toEqual([[before + 1, 'gzip_damage']]);
  });
});
