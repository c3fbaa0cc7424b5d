/**
 * Small real hours for the run tests, cut at test time from the shared real fixtures (no new
 * fixture files): consecutive line slices of a real 2015 hour, saved gzip'ed under other
 * hours' names. Overlapping slices put the same events in two hour files — a real archive
 * defect — so cross-hour dedup is exercised by every run.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { gzipSync, gunzipSync } from 'node:zlib';
import { GHARCHIVE_FIXTURES } from '../../../core/test/fixtures/gharchive.js';

export interface SliceSpec {
  hour: string;
  source: keyof typeof SOURCES;
  from: number;
  to: number;
}

const SOURCES = {
  '2015-01-01-0': GHARCHIVE_FIXTURES.hour2015_01_01_0,
  '2015-01-01-15': GHARCHIVE_FIXTURES.hour2015_01_01_15,
} as const;

const cache = new Map<string, string[]>();
async function sourceLines(source: keyof typeof SOURCES): Promise<string[]> {
  let lines = cache.get(source);
  if (!lines) {
    lines = gunzipSync(await fs.readFile(SOURCES[source]))
      .toString('utf8')
      .split('\n')
      .filter((l) => l.length > 0);
    cache.set(source, lines);
  }
  return lines;
}

/** The suite's hours: 0-2 cut from the real hour 0 (20 lines shared by 0 and 1), 15 from the real hour 15. */
export const RUN_SLICES: readonly SliceSpec[] = [
  { hour: '2015-01-01-0', source: '2015-01-01-0', from: 0, to: 400 },
  { hour: '2015-01-01-1', source: '2015-01-01-0', from: 380, to: 780 },
  { hour: '2015-01-01-2', source: '2015-01-01-0', from: 780, to: 1180 },
  { hour: '2015-01-01-15', source: '2015-01-01-15', from: 0, to: 400 },
];

/** Write the slices as `<dir>/<hour>.json.gz`; returns each hour's lines. */
export async function writeSlicedHours(dir: string, slices: readonly SliceSpec[] = RUN_SLICES): Promise<Map<string, string[]>> {
  await fs.mkdir(dir, { recursive: true });
  const out = new Map<string, string[]>();
  for (const s of slices) {
    const lines = (await sourceLines(s.source)).slice(s.from, s.to);
    await fs.writeFile(path.join(dir, `${s.hour}.json.gz`), gzipSync(`${lines.join('\n')}\n`));
    out.set(s.hour, lines);
  }
  return out;
}
