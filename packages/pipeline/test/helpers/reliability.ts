/**
 * Shared setup of the reliability suites: the sliced real hours on a local mirror, the
 * arguments of a run over them, and an uninterrupted run's lake to compare against.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { startMirror, type Mirror } from '../../../../tools/mirror/server.js';
import { runGhlake } from './ghlake-process.js';
import { lakeContent } from './lake-content.js';
import { RUN_SLICES, writeSlicedHours } from './sliced-hours.js';

export const HOURS = RUN_SLICES.map((s) => s.hour);

/** A run over the four sliced hours (0-2 and 15; 3-14 are 404s at the mirror). */
export function runArgs(mirror: Mirror, lake: string, extra: string[] = []): string[] {
  return [
    'run',
    '--from',
    '2015-01-01-0',
    '--to',
    '2015-01-01-15',
    '--base-url',
    mirror.url,
    '--lake',
    lake,
    '--threads',
    '2',
    '--retry-delay',
    '20',
    '--retry-max-delay',
    '100',
    ...extra,
  ];
}

export interface Suite {
  work: string;
  mirrorDir: string;
  mirror: Mirror;
  /** Content of a lake built by one uninterrupted run. */
  baseline: Record<string, unknown[]>;
}

export async function setUpSuite(work: string): Promise<Suite> {
  const mirrorDir = path.join(work, 'mirror');
  await writeSlicedHours(mirrorDir);
  const mirror = await startMirror({ root: mirrorDir });
  const lake = path.join(work, 'baseline-lake');
  const r = await runGhlake(runArgs(mirror, lake));
  expect(r.code, r.stderr).toBe(0);
  const baseline = await lakeContent(lake);
  // The comparison must cover every layer, or it proves nothing.
  expect(Object.keys(baseline).sort()).toEqual(
    expect.arrayContaining([
      'bronze.events',
      'silver.events',
      'silver.payload_details',
      'silver.actors',
      'silver.repositories',
      'gold.repo_metrics',
      'gold.actor_metrics',
      'gold.daily_summary',
      'gold.event_type_metrics',
    ]),
  );
  return { work, mirrorDir, mirror, baseline };
}

export async function newLake(suite: Suite, name: string): Promise<string> {
  const lake = path.join(suite.work, name);
  await fs.rm(lake, { recursive: true, force: true });
  return lake;
}
