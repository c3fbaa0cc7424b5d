/**
 * The capture indicator on real hours: the SQL (run through the warehouse, as the report runs it)
 * against the definition computed again here in plain TypeScript from the raw JSON lines.
 *
 * Hours: 2015-01-01-0 and -15 (whole), the first 2,048 lines of 2025-01-01-15, the first 200
 * lines of 2021-07-21-6..9, and the post-October-2025 sample filed as 2026-06-01-15: six lines of
 * that hour, whose ids lie on two sequences 2.5e9 apart, and one September 2025 PushEvent on the
 * old sequence — three id families in one file.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runQuery } from '@ghlake/gold';
import { GHARCHIVE_FIXTURES } from '../../core/test/fixtures/gharchive.js';
import { captureIndicatorSql, ID_FAMILY_GAP, MIN_FAMILY_IDS, TRIM_SHARE } from '../src/capture-indicator.js';
import { SETTINGS, tempDir, transformRealHoursAndGold } from './helpers/lakes.js';

const FILES: Record<string, string> = {
  '2015-01-01-0': GHARCHIVE_FIXTURES.hour2015_01_01_0,
  '2015-01-01-15': GHARCHIVE_FIXTURES.hour2015_01_01_15,
  '2021-07-21-6': GHARCHIVE_FIXTURES.head2021[0]!,
  '2021-07-21-7': GHARCHIVE_FIXTURES.head2021[1]!,
  '2021-07-21-8': GHARCHIVE_FIXTURES.head2021[2]!,
  '2021-07-21-9': GHARCHIVE_FIXTURES.head2021[3]!,
  '2025-01-01-15': GHARCHIVE_FIXTURES.head2025_01_01_15,
  '2026-06-01-15': GHARCHIVE_FIXTURES.trimmedPayloads,
};

interface Family {
  source_hour: string;
  family: string;
  family_rank: number;
  types: string;
  ids: number;
  held: number;
  consumed: number;
  capture: number | null;
  first_id: number;
  last_id: number;
}

/** The indicator's definition (docs/report.md), computed from the raw lines of one hour file. */
function expectedFamilies(hour: string, text: string): Family[] {
  const events = new Map<string, { id: number; type: string }>();
  for (const line of text.split('\n').filter(Boolean)) {
    const e = JSON.parse(line) as { id: string; type: string };
    events.set(`${e.id} ${e.type}`, { id: Number(e.id), type: e.type });
  }
  const sorted = [...events.values()].sort((a, b) => a.id - b.id || (a.type < b.type ? -1 : 1));
  const families: { id: number; type: string }[][] = [];
  for (const [i, e] of sorted.entries()) {
    if (i === 0 || e.id - sorted[i - 1]!.id > ID_FAMILY_GAP) families.push([]);
    families.at(-1)!.push(e);
  }
  const [date, h] = [hour.slice(0, 10), hour.slice(11)];
  return families.map((f, i) => {
    const n = f.length;
    // the ⌈0.05·n⌉-th to the ⌈0.95·n⌉-th smallest id
    const kept = f.slice(Math.ceil(TRIM_SHARE * n) - 1, Math.ceil((1 - TRIM_SHARE) * n));
    const consumed = kept.at(-1)!.id - kept[0]!.id + 1;
    const counts = new Map<string, number>();
    for (const e of f) counts.set(e.type, (counts.get(e.type) ?? 0) + 1);
    const byCount = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    return {
      source_hour: `${date} ${h!.padStart(2, '0')}:00:00`,
      family: byCount[0]![0],
      family_rank: i + 1,
      types: byCount.map(([t]) => t).join(', '),
      ids: n,
      held: kept.length,
      consumed,
      capture: n >= MIN_FAMILY_IDS ? kept.length / consumed : null,
      first_id: f[0]!.id,
      last_id: f.at(-1)!.id,
    };
  });
}

let dir: string;
let cleanup: () => Promise<void>;
let rows: Family[];
const rawText: Record<string, string> = {};

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('ghlake-capture-'));
  const rawDir = path.join(dir, 'raw');
  await fs.mkdir(rawDir);
  for (const [hour, file] of Object.entries(FILES)) {
    const bytes = await fs.readFile(file);
    rawText[hour] = (file.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8');
    await fs.writeFile(path.join(rawDir, `${hour}.json.gz`), gzipSync(rawText[hour]!));
  }
  const lake = path.join(dir, 'lake');
  await transformRealHoursAndGold(lake, rawDir, Object.keys(FILES));
  const hours = Object.keys(FILES).sort();
  const sql = captureIndicatorSql(hours.map((h) => ({ from: h, to: h }) as never));
  const result = await runQuery({ lake, ...SETTINGS }, sql);
  rows = result.rows.map((r) => Object.fromEntries(result.columns.map((c, i) => [c.name, r[i]])) as unknown as Family);
});
afterAll(async () => cleanup());

describe('capture indicator on real hours', () => {
  it('equals the definition computed from the raw lines, hour by hour and family by family', () => {
    const expected = Object.keys(FILES)
      .sort()
      .flatMap((hour) => expectedFamilies(hour, rawText[hour]!));
    expect(rows.map(({ capture, ...rest }) => rest)).toEqual(expected.map(({ capture, ...rest }) => rest));
    rows.forEach((r, i) => (expected[i]!.capture === null ? expect(r.capture).toBeNull() : expect(r.capture).toBeCloseTo(expected[i]!.capture!, 12)));
  });

  it('2015-01-01: one family of all 14 types; 27.8% of the ids consumed in hour 0 are held, 40.8% in hour 15', () => {
    const h0 = rows.find((r) => r.source_hour === '2015-01-01 00:00:00')!;
    const h15 = rows.find((r) => r.source_hour === '2015-01-01 15:00:00')!;
    expect([h0.family, h0.types.split(', ').length, h0.ids, h0.held, h0.consumed]).toEqual(['PushEvent', 14, 7_702, 7_702 - 2 * 385, 24_914]);
    expect(h0.capture).toBeCloseTo(0.2782, 4);
    expect([h15.ids, h15.held, h15.consumed]).toEqual([11_351, 11_351 - 2 * 567, 25_072]);
    expect(h15.capture).toBeCloseTo(0.4075, 4);
    expect(rows.filter((r) => r.source_hour.startsWith('2015-01-01')).map((r) => r.family_rank)).toEqual([1, 1]);
  });

  it('the 2,048 first lines of 2025-01-01-15 (before the October 2025 change) are one family; the 200-line 2021 slices too', () => {
    const h2025 = rows.filter((r) => r.source_hour === '2025-01-01 15:00:00');
    expect(h2025.map((r) => [r.family, r.ids])).toEqual([['PushEvent', 2_048]]);
    expect(h2025[0]!.capture).toBeCloseTo(0.2563, 4); // 1,844 held of 7,196 consumed (untrimmed: 2,048 of 7,927)
    expect(rows.filter((r) => r.source_hour.startsWith('2021-07-21')).map((r) => [r.ids, r.family_rank])).toEqual([
      [200, 1],
      [200, 1],
      [200, 1],
      [200, 1],
    ]);
  });

  it('after October 2025 the ids of one hour file fall into separate families, each named by its commonest type; too few ids give no value', () => {
    expect(rows.filter((r) => r.source_hour === '2026-06-01 15:00:00').map((r) => [r.family_rank, r.family, r.types, r.ids, r.capture])).toEqual([
      [1, 'ForkEvent', 'ForkEvent, WatchEvent', 2, null], // 10.1e9: WatchEvent and ForkEvent
      [2, 'PushEvent', 'PushEvent, CreateEvent, DeleteEvent', 4, null], // 12.7e9
      [3, 'PushEvent', 'PushEvent', 1, null], // the September 2025 push, on the old sequence (5.5e10)
    ]);
  });
});
