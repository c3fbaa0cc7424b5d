/**
 * The observations' native twin (core's native/observations.c) against the JavaScript one: the same events, read once
 * by the line reader, go to both; every column of the three tables must hold the same rows. Real hours of every era,
 * generated 2024-like and trimmed 2026 hours, and lines made to reach each rule's edges (escapes, long values, ties,
 * payload times of every shape, odd ids, a Timeline event in the middle of an Events API hour).
 */
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nativeAddon, nativeStatus, valueAt, type ColumnarBatch } from '@ghlake/core';
import { EVENT_FIELDS, HourTransform, JsonReader, SLOT_COUNT } from '@ghlake/bronze';
import { HourObservations } from '../src/index.js';
import { GHARCHIVE_FIXTURES } from '../../core/test/fixtures/gharchive.js';
import { generateHours } from '../../../tools/generate/hours.js';

const TRIMMED_TEMPLATES = [GHARCHIVE_FIXTURES.trimmedPayloads, GHARCHIVE_FIXTURES.pushBeforeAfter];

/** Every event of the hour's bytes to a native and a JavaScript HourObservations. */
function observeBoth(bytes: Buffer): { native: HourObservations; js: HourObservations; events: number } {
  const native = new HourObservations();
  const js = new HourObservations({ native: false });
  let events = 0;
  const t = new HourTransform({
    event: (e) => {
      events++;
      native.add(e);
      js.add(e);
    },
    quarantine: () => undefined,
  });
  t.push(bytes);
  t.end(false);
  return { native, js, events };
}

const rows = (batch: ColumnarBatch) =>
  Object.fromEntries(
    Object.entries(batch.columns).map(([name, column]) => [
      name,
      Array.from({ length: batch.rowCount }, (_, i) => {
        const v = valueAt(column, i);
        return v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v;
      }),
    ]),
  );

function expectSameTables(native: HourObservations, js: HourObservations): void {
  const a = native.batches();
  const b = js.batches();
  for (const table of ['actors', 'repositories', 'organizations'] as const) {
    expect(Object.keys(a[table].columns), table).toEqual(Object.keys(b[table].columns));
    expect(rows(a[table]), table).toEqual(rows(b[table]));
  }
  expect(native.counts).toEqual(js.counts);
}

const readHour = async (file: string) => {
  const raw = await fs.readFile(file);
  return file.endsWith('.gz') ? gunzipSync(raw) : raw;
};

describe('observations: the native twin writes the JavaScript twin’s rows', () => {
  it('is built and in use here (CI builds it: GHLAKE_NATIVE_REQUIRED=1)', () => {
    expect(nativeStatus().loaded).toBe(true);
    const { native, js } = observeBoth(Buffer.from(`${oneEvent({})}\n`));
    expect([native.twin, js.twin]).toEqual(['native', 'javascript']);
  });

  it('refuses a handle that is not its own (a reader’s, a plain object) instead of reading foreign memory', () => {
    const binding = nativeAddon<{ observationsObserve(handle: object, t: number, fork: boolean): void; observationsCounts(handle: object): number[] }>()!;
    const reader = new JsonReader(EVENT_FIELDS, SLOT_COUNT).nativeHandle!;
    expect(() => binding.observationsObserve(reader, 0, false)).toThrow(/not an observations handle/);
    expect(() => binding.observationsCounts({})).toThrow(/not an observations handle/);
  });

  it.each<[string, string, 'native' | 'javascript']>([
    ['2015-01-01-15 (whole)', GHARCHIVE_FIXTURES.hour2015_01_01_15, 'native'],
    ['2015-01-01-0 (whole)', GHARCHIVE_FIXTURES.hour2015_01_01_0, 'native'],
    ['2025-01-01-15 (head)', GHARCHIVE_FIXTURES.head2025_01_01_15, 'native'],
    ...GHARCHIVE_FIXTURES.head2021.map((f): [string, string, 'native'] => [path.basename(f), f, 'native']),
    ['trimmed 2025-10 payloads', GHARCHIVE_FIXTURES.trimmedPayloads, 'native'],
    ['PushEvent before and after 2025-10', GHARCHIVE_FIXTURES.pushBeforeAfter, 'native'],
    ['2011 early Events API', GHARCHIVE_FIXTURES.timeline.gh2011, 'native'],
    ['2011 early Events API (b)', GHARCHIVE_FIXTURES.timeline.gh2011b, 'native'],
    ['2011 early Events API (c)', GHARCHIVE_FIXTURES.timeline.gh2011c, 'native'],
    ['2013 Timeline', GHARCHIVE_FIXTURES.timeline.gh2013, 'javascript'],
    ['2014 Timeline slice', GHARCHIVE_FIXTURES.timeline.slice2014, 'javascript'],
    ['2013 Timeline slice (gz)', GHARCHIVE_FIXTURES.timeline.slice2013gz, 'javascript'],
  ])('%s', async (_name, file, twin) => {
    const { native, js, events } = observeBoth(await readHour(file));
    expect(events).toBeGreaterThan(0);
    expect(native.twin).toBe(twin);
    expectSameTables(native, js);
  });

  describe('generated hours', () => {
    let dir: string;
    beforeAll(async () => {
      dir = await fs.mkdtemp(path.join(tmpdir(), 'ghlake-obs-native-'));
    });
    afterAll(async () => {
      await fs.rm(dir, { recursive: true, force: true });
    });
    it.each([
      ['2024-like', { start: '2024-06-03-10', bytesPerEvent: 4300 }],
      ['trimmed 2026', { start: '2026-06-01-15', bytesPerEvent: 700, templates: TRIMMED_TEMPLATES }],
    ] as const)('%s', async (name, options) => {
      const out = path.join(dir, name);
      const { hours } = await generateHours({ outDir: out, hours: 1, eventsPerHour: 6000, seed: 7, ...options });
      const { native, js, events } = observeBoth(await readHour(hours[0]!.file));
      expect(events).toBe(6000);
      expect(native.twin).toBe('native');
      expectSameTables(native, js);
    });
  });

  it('keeps every rule at its edges: escapes, long values, ties, payload times, odd ids', () => {
    // Each case has entities of its own, so no later line hides what it checks.
    const repoObject = (id: number, created: string, extra = '') =>
      `{"id":${id},"name":"r","full_name":"o/r${id}","owner":{"id":9,"login":"o\\u0077ner"},"fork":${id % 2 === 0},"language":"C","created_at":${created},"updated_at":${created},"stargazers_count":3,"forks_count":1,"open_issues_count":2,"watchers_count":3,"size":10${extra}}`;
    const times = [
      '1400000000',
      '1400000000.4995',
      '1400000000.0005',
      '-1.5',
      '1e400',
      '"2014-01-01T10:00:00+02:00"',
      '"2024-02-30T00:00:00Z"',
      '"2024-02-29T23:59:59Z"',
      '"2023-12-31T23:59:59Z"',
      '"0000-01-01T00:00:00Z"',
      '"2024-06-03T24:00:00Z"',
      '"2024-06-03T10:00:60Z"',
      '"2024-13-03T10:00:00Z"',
      '"garbage"',
      '"2014-01-01"',
      '"201\\u0034-01-01T10:00:00Z"',
      'null',
      'true',
    ];
    const lines = [
      // a tie: the later line wins, texts and numbers alike (actor 100, repo 100)
      oneEvent({ actorId: '100', repoId: '100', login: 'a\\u0062c', time: '2024-01-01T10:00:00Z', payload: `{"repository":${repoObject(100, '1')}}` }),
      oneEvent({ actorId: '100', repoId: '100', login: 'tie', time: '2024-01-01T10:00:00Z', payload: `{"repository":${repoObject(100, '2')}}` }),
      // escaped, long and non-ASCII texts (actors 101-103)
      oneEvent({ actorId: '101', login: 'a\\u0062c\\n' }),
      oneEvent({ actorId: '102', login: 'x'.repeat(300), repoId: '102', repoName: `owner/${'r'.repeat(200)}` }),
      oneEvent({ actorId: '103', login: 'zoé' }),
      // payload repository objects with times of every shape, one repository each (ids 1000+)
      ...times.map((created, k) =>
        oneEvent({
          type: 'PullRequestEvent',
          actorId: String(2000 + k),
          repoId: String(1000 + k),
          payload: `{"pull_request":{"base":{"repo":${repoObject(1000 + k, created)}},"user":{"id":${2000 + k},"type":"User","site_admin":${k % 2 === 0}}}}`,
        }),
      ),
      // a forkee is a repository of its own; outside a ForkEvent it is not observed
      oneEvent({ type: 'ForkEvent', payload: `{"forkee":${repoObject(4242, '"2024-01-01T00:00:00Z"', ',"url":"https://api.github.com/repos/o/r"')}}` }),
      oneEvent({ type: 'PushEvent', payload: `{"forkee":${repoObject(4343, '1')}}` }),
      // ids: exponent, negative, fraction (not an id), beyond 2^53, a string, zero and minus zero
      ...['1e3', '-5', '12.5', '123456789012345678', '"7"', '0', '-0'].map((actorId) => oneEvent({ actorId, repoId: '5' })),
      // NULL never replaces a value; an earlier event widens the span but keeps the later values (actor 104)
      oneEvent({ actorId: '104', login: 'later', time: '2024-01-01T10:00:00Z' }),
      oneEvent({ actorId: '104', login: null, time: '2024-01-01T11:00:00Z' }),
      oneEvent({ actorId: '104', login: 'early', time: '2024-01-01T08:00:00Z' }),
      // organizations
      oneEvent({ org: '{"id":77,"login":"the-org","url":"u","avatar_url":"a"}' }),
      oneEvent({ org: '{"id":78,"login":null}' }),
    ];
    const { native, js, events } = observeBoth(Buffer.from(`${lines.join('\n')}\n`));
    expect(events).toBe(lines.length);
    expect(native.twin).toBe('native');
    expectSameTables(native, js);
  });

  it('hands the hour to the JavaScript twin at a Timeline event, keeping what the native one saw', async () => {
    const timeline = (await fs.readFile(GHARCHIVE_FIXTURES.timeline.gh2013, 'utf8')).split('\n').filter((l) => l.trim() !== '');
    const lines = [
      oneEvent({ login: 'first', time: '2013-01-01T10:00:00Z' }),
      oneEvent({ login: 'second', time: '2013-01-01T10:05:00Z', org: '{"id":77,"login":"the-org"}' }),
      timeline[0]!,
      oneEvent({ login: 'third', time: '2013-01-01T10:01:00Z' }),
      ...timeline.slice(1, 5),
    ];
    const { native, js } = observeBoth(Buffer.from(`${lines.join('\n')}\n`));
    expect(native.twin).toBe('javascript');
    expectSameTables(native, js);
  });
});

/** An Events API line for actor 7 / repo 42 unless told otherwise (values are JSON texts unless named as strings). */
function oneEvent(o: {
  type?: string;
  actorId?: string;
  login?: string | null;
  repoId?: string;
  repoName?: string;
  org?: string | null;
  payload?: string;
  time?: string;
}): string {
  const login = o.login === undefined ? '"octo"' : o.login === null ? 'null' : `"${o.login}"`;
  const members = [
    `"id":"${(oneEvent.n = (oneEvent.n ?? 0) + 1)}"`,
    `"type":"${o.type ?? 'WatchEvent'}"`,
    `"actor":{"id":${o.actorId ?? '7'},"login":${login},"display_login":${login},"gravatar_id":"","url":"https://api.github.com/users/u","avatar_url":"https://avatars.githubusercontent.com/u/7?"}`,
    `"repo":{"id":${o.repoId ?? '42'},"name":"${o.repoName ?? 'o/r'}","url":"https://api.github.com/repos/o/r"}`,
    `"payload":${o.payload ?? '{}'}`,
    `"public":true`,
    `"created_at":"${o.time ?? '2024-01-01T10:30:00Z'}"`,
  ];
  if (o.org !== undefined && o.org !== null) members.push(`"org":${o.org}`);
  return `{${members.join(',')}}`;
}
oneEvent.n = 0 as number | undefined;
