/**
 * Lakes the report tests draw: real hours through the real transform and gold, and a generated
 * five weeks of silver (long enough for day-grain activity and weekly baselines).
 */
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { hourRange, parseHour, type HourKey } from '@ghlake/core';
import { buildGold } from '@ghlake/gold';
import { publishSilver, transformRealHours } from '../../../gold/test/helpers.js';
import { GHARCHIVE_FIXTURES } from '../../../core/test/fixtures/gharchive.js';
import { generateSilver } from '../../../../tools/generate-silver/generate.js';
import type { CalendarHour } from '../../src/index.js';

export const SETTINGS = { memoryLimit: 512_000_000, threads: 2 };

export async function tempDir(prefix: string): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await fs.mkdtemp(path.join(tmpdir(), prefix));
  return { dir, cleanup: () => fs.rm(dir, { recursive: true, force: true }) };
}

/** Real hours, made bronze and silver by the real fused transform, then gold. */
export async function transformRealHoursAndGold(lake: string, rawDir: string, hours: readonly string[]): Promise<void> {
  await transformRealHours(lake, rawDir, hours);
  await publishSilver(lake);
  await buildGold({ lake, ...SETTINGS, refreshWarehouse: false });
}

const lines = async (file: string) =>
  gunzipSync(await fs.readFile(file))
    .toString('utf8')
    .split('\n')
    .filter(Boolean);

/**
 * The defects of hour 17: real lines of 2015-01-01-0 (copies, so cross-hour duplicates) and five
 * of them broken the way the archive breaks them.
 */
export const DEFECTS_2015_01_01_17 = { invalid_json: 1, missing_id: 1, nul_bytes: 1, not_an_object: 1, truncated_line: 1 };

/**
 * The quality lake, 2015-01-01 hours 0..18:
 *   0, 15     the real hours;
 *   16        hour 15's file again (11,351 cross-hour duplicates);
 *   17        the first 300 lines of hour 0 (copies) and 5 defective lines, one per reason above;
 *   others    not in the lake. The calendar given to the report says 1–14 missing, 5 failed, 17
 *             damaged and 18 not yet run: the report draws what it is given (the pipeline's tests
 *             check how `ghlake report` derives it from a real manifest).
 */
export async function qualityLake(lake: string): Promise<{ from: HourKey; to: HourKey; calendar: CalendarHour[] }> {
  const rawDir = path.join(lake, 'fixture-raw');
  await fs.mkdir(rawDir, { recursive: true });
  await fs.copyFile(GHARCHIVE_FIXTURES.hour2015_01_01_0, path.join(rawDir, '2015-01-01-0.json.gz'));
  await fs.copyFile(GHARCHIVE_FIXTURES.hour2015_01_01_15, path.join(rawDir, '2015-01-01-15.json.gz'));
  await fs.copyFile(GHARCHIVE_FIXTURES.hour2015_01_01_15, path.join(rawDir, '2015-01-01-16.json.gz'));
  const hour0 = await lines(GHARCHIVE_FIXTURES.hour2015_01_01_0);
  const real = hour0.slice(0, 300);
  const broken = [
    real[0]!.slice(0, 40) + real[1]!.slice(100), // invalid_json: a line spliced out of two
    real[2]!.replace(/"id":"\d+",/, ''), // missing_id
    `${real[3]!.slice(0, 200)}${'\u0000'.repeat(32)}`, // nul_bytes: NULs over the line's end
    '[1,2,3]', // not_an_object
  ];
  const text = `${[...real, ...broken].join('\n')}\n${real[4]!.slice(0, 150)}`; // truncated_line: the file ends mid-event
  await fs.writeFile(path.join(rawDir, '2015-01-01-17.json.gz'), gzipSync(text));
  await transformRealHoursAndGold(lake, rawDir, ['2015-01-01-0', '2015-01-01-15', '2015-01-01-16', '2015-01-01-17']);
  await fs.rm(rawDir, { recursive: true });
  const from = parseHour('2015-01-01-0');
  const to = parseHour('2015-01-01-18');
  const calendar = hourRange(from, to).map((hour): CalendarHour => {
    const h = Number(hour.slice(11));
    if (h === 0 || h === 15 || h === 16) return { hour, state: 'present' };
    if (h === 17) return { hour, state: 'damaged', note: 'GHLAKE_GZIP_TRUNCATED: the file ends mid-event' };
    if (h === 5) return { hour, state: 'failed', note: 'download GHLAKE_HTTP_STATUS: 500 Internal Server Error' };
    if (h === 18) return { hour, state: 'not_run' };
    return { hour, state: 'missing', note: 'not on the server (404)' };
  });
  return { from, to, calendar };
}

/**
 * Generated silver (tools/generate-silver) on two Mondays a week apart, 2024-06-03 and -10 (24
 * hours of 200 events each), then gold; the report's range runs five weeks, 2024-06-03-0 ..
 * 2024-07-07-23, so activity is drawn per day and the second Monday has the first as baseline.
 */
export async function generatedWeeksLake(lake: string): Promise<{ from: HourKey; to: HourKey; calendar: CalendarHour[] }> {
  const hours: HourKey[] = [];
  for (const start of ['2024-06-03-0', '2024-06-10-0']) {
    // a different seed per day: other actors, repositories and types (keys differ anyway by created_at)
    const result = await generateSilver({ lake, events: 24 * 200, eventsPerHour: 200, start, seed: hours.length + 1, threads: 2, memoryLimit: '512MB' });
    hours.push(...result.hours);
  }
  // Generated straight into the published partitions, as a lake without incremental state: made one.
  await publishSilver(lake);
  await buildGold({ lake, ...SETTINGS, refreshWarehouse: false });
  const from = parseHour('2024-06-03-0');
  const to = parseHour('2024-07-07-23');
  const present = new Set(hours);
  return { from, to, calendar: hourRange(from, to).map((hour) => ({ hour, state: present.has(hour) ? 'present' : 'not_run' })) };
}
