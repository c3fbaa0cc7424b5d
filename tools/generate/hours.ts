/**
 * Large, realistic GH Archive hours for benchmarks, made by resampling real events.
 *
 * - Payloads are real: every event is a real archive line (2015 hours, 2021 and 2025 heads by
 *   default) whose members are reused byte for byte, except the identity members and the
 *   payload's first push/object id, which gets a fresh number so payloads are distinct as they
 *   are for real (verbatim copies would flatter dictionaries and compression).
 * - Sizes are modern: templates are drawn with weight ∝ era share × bytes^γ, γ solved so the mean
 *   line is `bytesPerEvent` (default 4,300 B, a 2024 hour: ~1 GB raw for 250k events).
 * - Identities are fresh and skewed: event ids are unique (per hour and across hours); actors and
 *   repositories are drawn Zipf-like from populations shared by all generated hours, so a few very
 *   active repositories and bots (github-actions[bot], dependabot[bot], ...) dominate as they do
 *   for real. An identity is a real actor/repo object with a remapped id and login/name, always the
 *   same everywhere it appears; organizations belong to repositories.
 * - Timestamps are re-dated inside the target hour, roughly increasing with small inversions (real
 *   files are not sorted either).
 * - Output streams through gzip; memory stays bounded. Deterministic for a given seed and options.
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { createGzip } from 'node:zlib';
import { ARCHIVE_START, ERROR_CODES, GhlakeError, archiveFileName, commitFile, hourFromMs, parseHourMs, tempPathFor, type HourKey } from '@ghlake/core';
import { GHARCHIVE_FIXTURES } from '../../packages/core/test/fixtures/gharchive.js';
import { seededRandom, weightedSampler, zipfSampler } from './random.js';
import { loadTemplates, type EventTemplate } from './templates.js';

export interface GenerateHoursOptions {
  /** Folder for the `YYYY-MM-DD-H.json.gz` files (created if missing). */
  outDir: string;
  /** First hour, e.g. `2024-06-03-15` (any format core's parseHour accepts). */
  start: string;
  /** Consecutive hours to make. Default 1. */
  hours?: number;
  /** Events per hour (at most 1,000,000). Default 250,000. */
  eventsPerHour?: number;
  /** Seed: the same seed and options give the same bytes. Default 1. */
  seed?: number;
  /** Target mean line size in bytes (2015: ~2,300; 2021: ~3,700; 2024: ~4,300). Default 4,300. */
  bytesPerEvent?: number;
  /** Template files (`.json.gz` or `.jsonl` of Events API lines). Default: the real fixtures in packages/core. */
  templates?: readonly string[];
  /** gzip level 1-9. Default 6. */
  gzipLevel?: number;
}

export interface GeneratedHour {
  hour: HourKey;
  file: string;
  events: number;
  rawBytes: number;
  gzipBytes: number;
}

export const DEFAULT_TEMPLATES: readonly string[] = [
  GHARCHIVE_FIXTURES.hour2015_01_01_0,
  GHARCHIVE_FIXTURES.hour2015_01_01_15,
  ...GHARCHIVE_FIXTURES.head2021,
  GHARCHIVE_FIXTURES.head2025_01_01_15,
];

/** The most active real bots of recent years, with their real ids: the top Zipf ranks. */
const TOP_BOTS = [
  { id: 41898282, login: 'github-actions[bot]' },
  { id: 49699333, login: 'dependabot[bot]' },
  { id: 29139614, login: 'renovate[bot]' },
  { id: 39814207, login: 'pull[bot]' },
];

const HOUR_MS = 3_600_000;
const MAX_EVENTS = 1_000_000;
const CHUNK_CHARS = 4 << 20;

function invalid(option: string, raw: unknown, expected: string): GhlakeError {
  return new GhlakeError(ERROR_CODES.INVALID_OPTION, `${option} has invalid value '${String(raw)}': expected ${expected}`, {
    hint: `give ${option} ${expected}`,
    details: { option, value: raw },
  });
}

function checkInt(option: string, v: number, min: number, max: number): number {
  if (!Number.isInteger(v) || v < min || v > max) throw invalid(option, v, `an integer from ${min} to ${max}`);
  return v;
}

/**
 * Weights that make the expected line size `target`: base weight per template (each era gets an
 * equal share) times bytes^γ, with γ found by bisection (the mean grows with γ).
 */
export function sizeTiltedWeights(templates: readonly EventTemplate[], target: number): { weights: Float64Array; mean: number; gamma: number } {
  const perEra = new Map<string, number>();
  for (const t of templates) perEra.set(t.era, (perEra.get(t.era) ?? 0) + 1);
  const base = templates.map((t) => 1 / perEra.get(t.era)!);
  const logBytes = templates.map((t) => Math.log(t.bytes));
  const weightsFor = (gamma: number) => {
    const w = new Float64Array(templates.length);
    const maxLog = Math.max(...logBytes) * gamma;
    for (let i = 0; i < w.length; i++) w[i] = base[i]! * Math.exp(logBytes[i]! * gamma - maxLog); // scaled: no overflow
    return w;
  };
  const meanFor = (w: Float64Array) => {
    let s = 0;
    let sw = 0;
    for (let i = 0; i < w.length; i++) {
      s += w[i]! * templates[i]!.bytes;
      sw += w[i]!;
    }
    return s / sw;
  };
  let lo = -3;
  let hi = 3;
  for (let k = 0; k < 60; k++) {
    const mid = (lo + hi) / 2;
    if (meanFor(weightsFor(mid)) < target) lo = mid;
    else hi = mid;
  }
  const gamma = (lo + hi) / 2;
  const weights = weightsFor(gamma);
  return { weights, mean: meanFor(weights), gamma };
}

/** A generated actor, repository or organization: a real object's shape with a remapped identity. */
interface Identity {
  id: number;
  text: string;
}

function suffix(k: number, poolSize: number): string {
  return k < poolSize ? '' : `-${Math.floor(k / poolSize)}`;
}

function actorIdentities(templates: readonly EventTemplate[], n: number): Identity[] {
  const seen = new Set<number>();
  const real: Array<{ id: number; login: string }> = [];
  for (const t of templates) {
    if (t.actor && !seen.has(t.actor.id) && !TOP_BOTS.some((b) => b.login === t.actor!.login)) {
      seen.add(t.actor.id);
      real.push({ id: t.actor.id, login: t.actor.login });
    }
  }
  const out: Identity[] = [];
  for (let k = 0; k < n; k++) {
    let id: number;
    let login: string;
    if (k < TOP_BOTS.length) ({ id, login } = TOP_BOTS[k]!);
    else {
      const j = k - TOP_BOTS.length;
      const r = real[j % real.length]!;
      id = 200_000_000 + j; // above real 2024 user ids: never collides with a real actor
      login = r.login + suffix(j, real.length);
    }
    const display = login.endsWith('[bot]') ? login.slice(0, -5) : login;
    out.push({
      id,
      text: `{"id":${id},"login":${JSON.stringify(login)},"display_login":${JSON.stringify(display)},"gravatar_id":"","url":"https://api.github.com/users/${encodeURI(login)}","avatar_url":"https://avatars.githubusercontent.com/u/${id}?"}`,
    });
  }
  return out;
}

function repoIdentities(templates: readonly EventTemplate[], n: number): Identity[] {
  const seen = new Set<number>();
  const real: string[] = [];
  for (const t of templates) {
    if (t.repo && !seen.has(t.repo.id)) {
      seen.add(t.repo.id);
      real.push(t.repo.name);
    }
  }
  return Array.from({ length: n }, (_, k) => {
    const id = 900_000_000 + k;
    const name = real[k % real.length]! + suffix(k, real.length);
    return { id, text: `{"id":${id},"name":${JSON.stringify(name)},"url":"https://api.github.com/repos/${name}"}` };
  });
}

function orgIdentities(templates: readonly EventTemplate[], n: number): Identity[] {
  const seen = new Set<number>();
  const real: string[] = [];
  for (const t of templates) {
    if (t.org && !seen.has(t.org.id)) {
      seen.add(t.org.id);
      real.push(t.org.login);
    }
  }
  if (real.length === 0) real.push('ghlake-org');
  return Array.from({ length: n }, (_, k) => {
    const id = 300_000_000 + k;
    const login = real[k % real.length]! + suffix(k, real.length);
    return {
      id,
      text: `{"id":${id},"login":${JSON.stringify(login)},"gravatar_id":"","url":"https://api.github.com/orgs/${login}","avatar_url":"https://avatars.githubusercontent.com/u/${id}?"}`,
    };
  });
}

function two(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

export interface GenerationPlan {
  templates: EventTemplate[];
  meanBytesPerEvent: number;
  gamma: number;
}

/** Make the hours. Returns one entry per file written (in hour order). */
export async function generateHours(options: GenerateHoursOptions): Promise<{ hours: GeneratedHour[]; plan: GenerationPlan }> {
  const hours = checkInt('--hours', options.hours ?? 1, 1, 24 * 366);
  const events = checkInt('--events', options.eventsPerHour ?? 250_000, 1, MAX_EVENTS);
  const seed = checkInt('--seed', options.seed ?? 1, 0, 2 ** 31 - 1);
  const gzipLevel = checkInt('--gzip-level', options.gzipLevel ?? 6, 1, 9);
  const target = checkInt('--bytes-per-event', options.bytesPerEvent ?? 4300, 300, 100_000);
  const startMs = parseHourMs(options.start);
  const templateFiles = options.templates ?? DEFAULT_TEMPLATES;
  const templates = loadTemplates(templateFiles);
  if (templates.length === 0) throw invalid('--templates', templateFiles.join(','), 'files holding Events API lines (2015 or later)');

  const { weights, mean, gamma } = sizeTiltedWeights(templates, target);
  const drawTemplate = weightedSampler(weights);
  // Populations shared by all hours of the run: the same actors and repositories recur hour after hour.
  const actors = actorIdentities(templates, Math.max(TOP_BOTS.length + 1, Math.round(events / 3)));
  const repos = repoIdentities(templates, Math.max(1, Math.round(events / 2.5)));
  const orgs = orgIdentities(templates, Math.max(1, Math.round(repos.length / 10)));
  // Exponents picked so the top bot has ~8% of an hour's events and the top repository ~4%.
  const drawActor = zipfSampler(actors.length, 1.0);
  const drawRepo = zipfSampler(repos.length, 0.9);
  // A repository belongs to an organization with probability 0.3 (fixed per repository).
  const orgRandom = seededRandom(seed ^ 0x5bd1e995);
  const repoOrg = Int32Array.from(repos, () => (orgRandom() < 0.3 ? Math.floor(orgRandom() * orgs.length) : -1));

  await mkdir(options.outDir, { recursive: true });
  const written: GeneratedHour[] = [];
  for (let h = 0; h < hours; h++) {
    const hourMs = startMs + h * HOUR_MS;
    const hour = hourFromMs(hourMs);
    // Seeded per hour: hour h is the same whether made alone or among others.
    const random = seededRandom((seed * 0x9e3779b1 + Math.round((hourMs - ARCHIVE_START) / HOUR_MS)) | 0);
    const idBase = 40_000_000_000 + Math.round((hourMs - ARCHIVE_START) / HOUR_MS) * MAX_EVENTS;
    const prefix = `${new Date(hourMs).toISOString().slice(0, 13)}:`;
    const target = path.join(options.outDir, archiveFileName(hour));
    const tmp = tempPathFor(target);
    const file = createWriteStream(tmp);
    const gzip = createGzip({ level: gzipLevel });
    gzip.pipe(file);
    let rawBytes = 0;
    let chunk = '';
    const flush = async () => {
      rawBytes += Buffer.byteLength(chunk);
      const ok = gzip.write(chunk);
      chunk = '';
      if (!ok) await once(gzip, 'drain');
    };
    for (let i = 0; i < events; i++) {
      const t = templates[drawTemplate(random)]!;
      const actor = actors[drawActor(random)]!;
      const repoIndex = drawRepo(random);
      const repo = repos[repoIndex]!;
      const org = repoOrg[repoIndex]! >= 0 ? orgs[repoOrg[repoIndex]!] : undefined;
      // Roughly increasing through the hour, jittered by up to ±3 s (small inversions, as in real files).
      const second = Math.min(3599, Math.max(0, Math.floor((i / events) * 3600 + (random() - 0.5) * 6)));
      const createdAt = `"${prefix}${two(Math.floor(second / 60))}:${two(second % 60)}Z"`;
      let line = '{';
      let first = true;
      for (const [key, value] of t.members) {
        if (key === 'org') continue;
        const text =
          key === 'id'
            ? `"${idBase + i}"`
            : key === 'actor'
              ? actor.text
              : key === 'repo'
                ? repo.text
                : key === 'created_at'
                  ? createdAt
                  : key === 'payload' && t.payloadId
                    ? `${t.payloadId.before}"${t.payloadId.key}":${idBase + i}${t.payloadId.after}`
                    : value;
        line += `${first ? '' : ','}"${key}":${text}`;
        first = false;
      }
      if (org) line += `,"org":${org.text}`;
      chunk += `${line}}\n`;
      if (chunk.length >= CHUNK_CHARS) await flush();
    }
    await flush();
    gzip.end();
    await once(file, 'close');
    await commitFile(tmp, target);
    written.push({ hour, file: target, events, rawBytes, gzipBytes: (await stat(target)).size });
  }
  return { hours: written, plan: { templates, meanBytesPerEvent: mean, gamma } };
}
