/**
 * Generated pre-2015 Timeline API hours (issue 14) for the silver benchmark: real Timeline lines
 * (the 2014-06-01-1 slice, the 2013 samples) resampled, each a template whose members are kept
 * as the exact bytes of the line; only the identity changes — `created_at` (a `-07:00` time in the
 * hour), the `actor` login (from a Zipf population of the templates' logins, numbered), the
 * `repository` id and the payload's first id — so every generated event is distinct (its synthetic
 * id too) while its shape, payload and size are real.
 */
import { createWriteStream, readFileSync } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { once } from 'node:events';
import path from 'node:path';
import { createGzip } from 'node:zlib';
import { archiveFileName, commitFile, hourFromMs, parseHourMs, tempPathFor, type HourKey } from '@ghlake/core';
import { GHARCHIVE_FIXTURES } from '../../packages/core/test/fixtures/gharchive.js';
import { seededRandom, zipfSampler } from './random.js';
import { PAYLOAD_ID, topLevelMembers } from './templates.js';
import type { GeneratedHour } from './hours.js';

export const TIMELINE_TEMPLATES: readonly string[] = [GHARCHIVE_FIXTURES.timeline.slice2014, GHARCHIVE_FIXTURES.timeline.gh2013];

const HOUR_MS = 3_600_000;

interface TimelineTemplate {
  members: Array<[string, string]>;
  login: string | null;
}

function loadTimelineTemplates(files: readonly string[]): TimelineTemplate[] {
  const out: TimelineTemplate[] = [];
  for (const file of files) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (line.trim() === '') continue;
      const ev = JSON.parse(line) as { id?: unknown; actor?: unknown };
      if (ev.id !== undefined || (typeof ev.actor !== 'string' && ev.actor !== null)) continue; // Timeline lines only
      out.push({ members: topLevelMembers(line), login: typeof ev.actor === 'string' ? ev.actor : null });
    }
  }
  return out;
}

const two = (n: number) => String(n).padStart(2, '0');

/** Make `hours` Timeline hours of `eventsPerHour` events from `start` (a file hour; times written as US Pacific summer time, -07:00). */
export async function generateTimelineHours(options: {
  outDir: string;
  start: string;
  hours?: number;
  eventsPerHour: number;
  seed?: number;
  templates?: readonly string[];
}): Promise<{ hours: GeneratedHour[] }> {
  const templates = loadTimelineTemplates(options.templates ?? TIMELINE_TEMPLATES);
  if (templates.length === 0) throw new Error('generateTimelineHours: the template files hold no Timeline lines');
  const seed = options.seed ?? 1;
  const events = options.eventsPerHour;
  const logins = [...new Set(templates.map((t) => t.login).filter((l): l is string => l !== null))];
  const population = Math.max(logins.length, Math.round(events / 3));
  const drawActor = zipfSampler(population, 1.0);
  const drawRepo = zipfSampler(Math.max(1, Math.round(events / 2.5)), 0.9);
  await mkdir(options.outDir, { recursive: true });
  const written: GeneratedHour[] = [];
  const startMs = parseHourMs(options.start);
  for (let h = 0; h < (options.hours ?? 1); h++) {
    const hourMs = startMs + h * HOUR_MS;
    const hour: HourKey = hourFromMs(hourMs);
    const random = seededRandom((seed * 0x9e3779b1 + h) | 0);
    // The file's hour is Pacific local time: its events' local clock reads that hour.
    const local = new Date(hourMs).toISOString().slice(0, 13);
    const target = path.join(options.outDir, archiveFileName(hour));
    const tmp = tempPathFor(target);
    const file = createWriteStream(tmp);
    const gzip = createGzip({ level: 6 });
    gzip.pipe(file);
    let rawBytes = 0;
    let chunk = '';
    const idBase = 900_000_000 + h * 1_000_000;
    for (let i = 0; i < events; i++) {
      const t = templates[Math.floor(random() * templates.length)]!;
      const a = drawActor(random);
      const login = a < logins.length ? logins[a]! : `${logins[a % logins.length]!}-${a}`;
      const second = Math.min(3599, Math.max(0, Math.floor((i / events) * 3600 + (random() - 0.5) * 6)));
      const parts: string[] = [];
      for (const [key, value] of t.members) {
        let text = value;
        if (key === 'created_at') text = `"${local}:${two(Math.floor(second / 60))}:${two(second % 60)}-07:00"`;
        else if (key === 'actor' && t.login !== null) text = JSON.stringify(login);
        else if (key === 'repository') text = value.replace(/"id":\d+/, `"id":${10_000_000 + drawRepo(random)}`);
        else if (key === 'payload') text = value.replace(PAYLOAD_ID, (_m, k: string) => `"${k}":${idBase + i}`);
        parts.push(`"${key}":${text}`);
      }
      chunk += `{${parts.join(',')}}\n`;
      if (chunk.length >= 1 << 20) {
        rawBytes += Buffer.byteLength(chunk);
        if (!gzip.write(chunk)) await once(gzip, 'drain');
        chunk = '';
      }
    }
    rawBytes += Buffer.byteLength(chunk);
    gzip.write(chunk);
    gzip.end();
    await once(file, 'close');
    await commitFile(tmp, target);
    written.push({ hour, file: target, events, rawBytes, gzipBytes: (await stat(target)).size });
  }
  return { hours: written };
}
