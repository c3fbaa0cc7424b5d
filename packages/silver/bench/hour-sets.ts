/**
 * The inputs of the silver benchmarks (silver-bench.ts, native-floor.ts): the real 2015 fixture hours, those hours as
 * a day of 24 files, and generated hours of three eras — made once with tools/generate and cached in `cache`.
 */
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { archiveFileName, hourFromMs, parseHour, parseHourMs, type HourKey } from '@ghlake/core';
import { GHARCHIVE_FIXTURES } from '../../core/test/fixtures/gharchive.js';
import { generateHours } from '../../../tools/generate/hours.js';
import { generateTimelineHours } from '../../../tools/generate/timeline.js';

export interface SetSpec {
  name: string;
  rawDir: string;
  hours: HourKey[];
  timeline?: boolean;
}

export const SET_NAMES = ['real', 'real-day', 'generated', 'trimmed', 'timeline'] as const;

export interface SetSizes {
  cache: string;
  hours: number;
  seed: number;
  /** Events per generated 2024-like hour. */
  events: number;
  trimmedEvents: number;
  timelineEvents: number;
}

/** A set by its name (SET_NAMES), generated into the cache first when its hours are not there yet. */
export async function benchSet(name: string, sizes: SetSizes): Promise<SetSpec> {
  if (name === 'real') return { name: 'real 2015 hours', rawDir: GHARCHIVE_FIXTURES.dir, hours: [parseHour('2015-01-01-0'), parseHour('2015-01-01-15')] };
  if (name === 'real-day') return realDaySet(sizes.cache);
  if (name === 'generated') return generatedSet(sizes.cache, sizes.events, sizes.hours, sizes.seed, ERA_2024);
  if (name === 'trimmed') return generatedSet(sizes.cache, sizes.trimmedEvents, sizes.hours, sizes.seed, ERA_TRIMMED);
  if (name === 'timeline') return generatedSet(sizes.cache, sizes.timelineEvents, sizes.hours, sizes.seed, ERA_TIMELINE_GEN);
  throw new Error(`--sets: unknown '${name}' (known: ${SET_NAMES.join(', ')})`);
}

/** A generated era: where its hours start, the mean line size, the real lines it resamples. */
interface Era {
  label: string;
  /** Part of the cache folder's name: hours of another era are other files. */
  cacheTag: string;
  start: string;
  bytesPerEvent?: number;
  templates?: readonly string[];
  /** Timeline API hours (tools/generate/timeline.ts) instead of Events API ones. */
  timeline?: boolean;
}
const ERA_2024: Era = { label: 'generated', cacheTag: '', start: '2024-06-03-15' };
const ERA_TRIMMED: Era = {
  label: 'trimmed 2026',
  cacheTag: 'trimmed-',
  start: '2026-06-01-15',
  bytesPerEvent: 650,
  templates: [GHARCHIVE_FIXTURES.trimmedPayloads],
};

const ERA_TIMELINE_GEN: Era = { label: 'generated Timeline 2014', cacheTag: 'timeline-', start: '2014-06-01-1', timeline: true };

export async function generatedSet(cache: string, events: number, hours: number, seed: number, era: Era): Promise<SetSpec> {
  // `v2`: the generator's output version (v2: payload ids are fresh); bump it when the generator's output changes.
  const dir = path.join(cache, `v2-${era.cacheTag}events-${events}-hours-${hours}-seed-${seed}`);
  const start = parseHour(era.start);
  const names = Array.from({ length: hours }, (_, i) => hourFromMs(parseHourMs(start) + i * 3_600_000));
  const have = existsSync(dir) ? new Set(await readdir(dir)) : new Set<string>();
  if (!names.every((h) => have.has(archiveFileName(h)))) {
    console.error(`generating ${hours} × ${events} events into ${dir} (cached for later runs) ...`);
    if (era.timeline) await generateTimelineHours({ outDir: dir, start, hours, eventsPerHour: events, seed });
    else
      await generateHours({
        outDir: dir,
        start,
        hours,
        eventsPerHour: events,
        seed,
        ...(era.bytesPerEvent ? { bytesPerEvent: era.bytesPerEvent } : {}),
        ...(era.templates ? { templates: era.templates } : {}),
      });
  }
  return { name: `${era.label} ${hours}×${events.toLocaleString('en-US')}`, rawDir: dir, hours: names, ...(era.timeline ? { timeline: true } : {}) };
}

/** The real 2015 hours repeated as the 24 hour files of 2015-01-01 (copies in the cache; hours 0 and 15 are themselves). */
function realDaySet(cache: string): SetSpec {
  const dir = path.join(cache, 'real-2015-day');
  mkdirSync(dir, { recursive: true });
  const hours = Array.from({ length: 24 }, (_, h) => parseHour(`2015-01-01-${h}`));
  for (const [h, hour] of hours.entries()) {
    const target = path.join(dir, archiveFileName(hour));
    if (!existsSync(target)) copyFileSync(path.join(GHARCHIVE_FIXTURES.dir, `2015-01-01-${h % 2 === 0 ? 0 : 15}.json.gz`), target);
  }
  return { name: 'real 2015 hours as a day (2 real hours × 12)', rawDir: dir, hours };
}
