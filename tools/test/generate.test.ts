import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { DuckDBInstance } from '@duckdb/node-api';
import { ERROR_CODES, GhlakeError } from '@ghlake/core';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_TEMPLATES, generateHours } from '../generate/hours.js';
import { loadTemplates, PAYLOAD_ID, topLevelMembers } from '../generate/templates.js';

const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');
const lines = (file: string) =>
  gunzipSync(readFileSync(file))
    .toString('utf8')
    .split('\n')
    .filter((l) => l !== '');

describe('benchmark hour generator', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'ghlake-generate-'));
  afterAll(() => rm(dir, { recursive: true, force: true }));
  const events = 2000;
  const first = await generateHours({ outDir: path.join(dir, 'a'), start: '2024-06-03-15', hours: 2, eventsPerHour: events, seed: 7 });

  it('writes one GH Archive-named gzip file per hour with the asked number of events', () => {
    expect(first.hours.map((h) => path.basename(h.file))).toEqual(['2024-06-03-15.json.gz', '2024-06-03-16.json.gz']);
    for (const h of first.hours) {
      const ls = lines(h.file);
      expect(ls).toHaveLength(events);
      expect(h.events).toBe(events);
      expect(h.rawBytes).toBe(gunzipSync(readFileSync(h.file)).length);
    }
  });

  it('is deterministic for a seed and differs for another seed', async () => {
    const again = await generateHours({ outDir: path.join(dir, 'b'), start: '2024-06-03-15', hours: 2, eventsPerHour: events, seed: 7 });
    expect(again.hours.map((h) => sha(h.file))).toEqual(first.hours.map((h) => sha(h.file)));
    const other = await generateHours({ outDir: path.join(dir, 'c'), start: '2024-06-03-15', hours: 1, eventsPerHour: events, seed: 8 });
    expect(sha(other.hours[0]!.file)).not.toBe(sha(first.hours[0]!.file));
  });

  it('gives every event a fresh unique id, a timestamp inside its hour and consistent identities', () => {
    const ids = new Set<string>();
    const loginOf = new Map<number, string>();
    for (const [h, hourStart] of [
      [first.hours[0]!, Date.UTC(2024, 5, 3, 15)],
      [first.hours[1]!, Date.UTC(2024, 5, 3, 16)],
    ] as const) {
      for (const line of lines(h.file)) {
        const ev = JSON.parse(line) as {
          id: string;
          type: string;
          created_at: string;
          actor: { id: number; login: string };
          repo: { id: number; name: string };
          payload: unknown;
        };
        ids.add(ev.id);
        const t = Date.parse(ev.created_at);
        expect(t).toBeGreaterThanOrEqual(hourStart);
        expect(t).toBeLessThan(hourStart + 3_600_000);
        expect(typeof ev.type).toBe('string');
        expect(ev.payload).toBeTypeOf('object');
        const known = loginOf.get(ev.actor.id);
        if (known !== undefined) expect(ev.actor.login).toBe(known);
        loginOf.set(ev.actor.id, ev.actor.login);
      }
    }
    expect(ids.size).toBe(2 * events);
  });

  it('reuses real payloads byte for byte but for a fresh first push/object id, so payloads are distinct', () => {
    const normal = (payload: string) => payload.replace(PAYLOAD_ID, '"$1":0');
    const realPayloads = new Set(loadTemplates(DEFAULT_TEMPLATES).map((t) => normal(t.members.find(([k]) => k === 'payload')![1])));
    const ls = lines(first.hours[0]!.file);
    const payloads = ls.map((line) => topLevelMembers(line).find(([k]) => k === 'payload')![1]);
    for (const p of payloads) expect(realPayloads.has(normal(p))).toBe(true);
    const withId = payloads.filter((p) => PAYLOAD_ID.test(p));
    expect(new Set(withId).size).toBe(withId.length);
    expect(withId.length).toBeGreaterThan(events * 0.8);
  });

  it('hits the target size of a modern hour', () => {
    const mean = first.hours[0]!.rawBytes / events;
    expect(mean).toBeGreaterThan(4300 * 0.9);
    expect(mean).toBeLessThan(4300 * 1.1);
    expect(first.plan.meanBytesPerEvent).toBeCloseTo(4300, 0);
  });

  it('is skewed: bots and a few repositories dominate, as in real hours', () => {
    const actors = new Map<string, number>();
    const repos = new Map<number, number>();
    for (const line of lines(first.hours[0]!.file)) {
      const ev = JSON.parse(line) as { actor: { login: string }; repo: { id: number } };
      actors.set(ev.actor.login, (actors.get(ev.actor.login) ?? 0) + 1);
      repos.set(ev.repo.id, (repos.get(ev.repo.id) ?? 0) + 1);
    }
    const top = [...actors.entries()].sort((a, b) => b[1] - a[1]);
    expect(top[0]![0]).toBe('github-actions[bot]');
    expect(top[0]![1]).toBeGreaterThan(events * 0.05);
    expect(Math.max(...repos.values())).toBeGreaterThan(events * 0.02);
    expect(repos.size).toBeGreaterThan(events * 0.2); // and a long tail
  });

  it('is valid gzip NDJSON that DuckDB reads with the right count and types', async () => {
    const db = await (await DuckDBInstance.create(':memory:')).connect();
    const files = first.hours.map((h) => `'${h.file}'`).join(', ');
    const reader = await db.runAndReadAll(
      `SELECT count(*)::INTEGER n, count(DISTINCT id)::INTEGER ids, count(payload)::INTEGER payloads, min(created_at)::VARCHAR first_at, max(created_at)::VARCHAR last_at
       FROM read_json([${files}], format='newline_delimited', columns={id: 'BIGINT', type: 'VARCHAR', actor: 'STRUCT(id BIGINT, login VARCHAR)', repo: 'STRUCT(id BIGINT, name VARCHAR)', payload: 'JSON', public: 'BOOLEAN', created_at: 'TIMESTAMP'})`,
    );
    const [row] = reader.getRowObjects();
    expect(row).toMatchObject({ n: 2 * events, ids: 2 * events, payloads: 2 * events });
    expect(String(row!.first_at) >= '2024-06-03 15:00:00' && String(row!.last_at) <= '2024-06-03 16:59:59').toBe(true);
  });

  it('rejects bad options with one error naming the option', async () => {
    const bad = generateHours({ outDir: path.join(dir, 'd'), start: '2024-06-03-15', eventsPerHour: 0 });
    await expect(bad).rejects.toBeInstanceOf(GhlakeError);
    await expect(bad).rejects.toMatchObject({ code: ERROR_CODES.INVALID_OPTION, message: expect.stringContaining('--events') });
    await expect(generateHours({ outDir: path.join(dir, 'd'), start: '2024-13-03-15' })).rejects.toMatchObject({ code: ERROR_CODES.INVALID_HOUR });
  });
});
