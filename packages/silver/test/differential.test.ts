/**
 * DIFFERENTIAL TEST (issue 17): the byte reader against the JSON.parse path it replaces (kept as
 * the reference in ./legacy/ until this test passed; then both go). Same bytes in → the same rows
 * handed to every writer: bronze.events, bronze.quarantine (reason AND detail), the accounting,
 * silver.events, silver.payload_details and the three observation tables. The new path reads with
 * MD5 here so that event_hash is compared too (it writes SHA-256: tested in bronze's tests).
 *
 * Inputs: every real fixture hour, every defect of the archive (real lines mutated the way each
 * defect does), thousands of randomly damaged real lines (seeded), and generated hours of each era.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { valueAt, type ColumnarBatch } from '@ghlake/core';
import { BronzeEventBatch, BronzeQuarantineBatch, HourTransform } from '@ghlake/bronze';
import { HourObservations, SilverEventRows } from '../src/index.js';
import { GHARCHIVE_FIXTURES, hour15Lines, joinLines, realLines } from '../../bronze/test/real-lines.js';
import { generateHours } from '../../../tools/generate/hours.js';
import { HourTransform as LegacyHourTransform } from './legacy/hour-transform.js';
import { BronzeEventBatch as LegacyBronzeEventBatch, BronzeQuarantineBatch as LegacyBronzeQuarantineBatch } from './legacy/bronze-rows.js';
import { SilverEventRows as LegacySilverEventRows } from './legacy/silver-rows.js';
import { HourObservations as LegacyHourObservations } from './legacy/observations.js';
import { silverInputFromParsed as legacySilverInput } from './legacy/event-input.js';

interface HourRows {
  accounting: unknown;
  bronze: ColumnarBatch;
  quarantine: ColumnarBatch;
  events: ColumnarBatch;
  details: ColumnarBatch;
  actors: ColumnarBatch;
  repositories: ColumnarBatch;
  organizations: ColumnarBatch;
}

function feed(t: { push(b: Buffer): void; end(damaged?: boolean): unknown }, bytes: Buffer, chunk: number, damaged: boolean): unknown {
  for (let i = 0; i < bytes.length; i += chunk) t.push(bytes.subarray(i, i + chunk));
  return t.end(damaged);
}

function legacyRows(bytes: Buffer, chunk: number, damaged = false): HourRows {
  const bronze = new LegacyBronzeEventBatch('f.json.gz', 0);
  const quarantine = new LegacyBronzeQuarantineBatch('f.json.gz', 0);
  const silver = new LegacySilverEventRows(0);
  const obs = new LegacyHourObservations();
  const t = new LegacyHourTransform({
    event(ev) {
      bronze.add(ev);
      const input = legacySilverInput(ev);
      if (silver.add(input)) obs.add(input);
    },
    quarantine: (q) => quarantine.add(q),
  });
  const accounting = feed(t, bytes, chunk, damaged);
  const { events, details } = silver.take();
  const o = obs.batches();
  return { accounting, bronze: bronze.take(), quarantine: quarantine.take(), events, details, ...o };
}

function newRows(bytes: Buffer, chunk: number, damaged = false): HourRows {
  const bronze = new BronzeEventBatch('f.json.gz', 0);
  const quarantine = new BronzeQuarantineBatch('f.json.gz', 0);
  const silver = new SilverEventRows(0);
  const obs = new HourObservations();
  const t = new HourTransform(
    {
      event(ev) {
        bronze.add(ev);
        if (silver.add(ev, ev.duplicate)) obs.add(ev);
      },
      quarantine: (q) => quarantine.add(q),
    },
    { hashAlgorithm: 'md5' },
  );
  const accounting = feed(t, bytes, chunk, damaged);
  const { events, details } = silver.take();
  const o = obs.batches();
  return { accounting, bronze: bronze.take(), quarantine: quarantine.take(), events, details, ...o };
}

/** Text as its UTF-8 bytes (the writer takes a string or its bytes alike), bigints apart. */
const norm = (v: unknown): unknown =>
  v instanceof Uint8Array
    ? `bytes:${Buffer.from(v).toString('hex')}`
    : typeof v === 'string'
      ? `bytes:${Buffer.from(v).toString('hex')}`
      : typeof v === 'bigint'
        ? `big:${v}`
        : v;

/** The first difference between two batches (column, row, values), or undefined. */
function firstDifference(a: ColumnarBatch, b: ColumnarBatch): unknown {
  if (a.rowCount !== b.rowCount) return { rowCount: [a.rowCount, b.rowCount] };
  const names = new Set([...Object.keys(a.columns), ...Object.keys(b.columns)]);
  for (const name of names) {
    const x = a.columns[name];
    const y = b.columns[name];
    if (!x || !y) return { column: name, missing: !x ? 'legacy' : 'new' };
    for (let i = 0; i < a.rowCount; i++) {
      const u = norm(valueAt(x, i));
      const v = norm(valueAt(y, i));
      if (!Object.is(u, v) && !(typeof u === 'number' && u === v)) return { column: name, row: i, legacy: u, new: v };
    }
  }
  return undefined;
}

/** Every table's rows equal; returns the number of events compared. */
function expectSameRows(label: string, bytes: Buffer, options: { chunk?: number; damaged?: boolean } = {}): number {
  const chunk = options.chunk ?? 1 << 20;
  const old = legacyRows(bytes, chunk, options.damaged);
  const now = newRows(bytes, chunk, options.damaged);
  expect({ label, accounting: now.accounting }).toEqual({ label, accounting: old.accounting });
  for (const table of ['bronze', 'quarantine', 'events', 'details', 'actors', 'repositories', 'organizations'] as const) {
    expect({ label, table, difference: firstDifference(old[table], now[table]) }).toEqual({ label, table, difference: undefined });
  }
  return old.bronze.rowCount;
}

const fileBytes = (file: string) => (file.endsWith('.gz') ? gunzipSync(readFileSync(file)) : readFileSync(file));

describe('differential: the byte reader gives the rows of the JSON.parse path', () => {
  it('on every real fixture hour and sample, whatever the chunking', () => {
    const files = [
      GHARCHIVE_FIXTURES.hour2015_01_01_0,
      GHARCHIVE_FIXTURES.hour2015_01_01_15,
      GHARCHIVE_FIXTURES.head2025_01_01_15,
      ...GHARCHIVE_FIXTURES.head2021,
      GHARCHIVE_FIXTURES.trimmedPayloads,
      GHARCHIVE_FIXTURES.pushBeforeAfter,
      ...Object.values(GHARCHIVE_FIXTURES.timeline),
    ];
    let events = 0;
    for (const file of files) events += expectSameRows(path.basename(file), fileBytes(file));
    // small odd chunks: lines cut anywhere, joined from the carry
    expectSameRows('2015-01-01-0 in 4,093-byte chunks', fileBytes(GHARCHIVE_FIXTURES.hour2015_01_01_0), { chunk: 4093 });
    expect(events).toBe(7702 + 11_351 + 2048 + 800 + 7 + 2 + 17 + 16 + 1);
  });

  it('on every defect of the archive', () => {
    const lines = hour15Lines();
    const [l0, l1, l2, l3] = [lines[0]!, lines[1]!, lines[2]!, lines[3]!];
    const text = l1.toString();
    const at = text.indexOf('"message":') + 12;
    const b = (s: string) => Buffer.from(s);
    const replace = (line: Buffer, from: string | RegExp, to: string) => b(line.toString().replace(from, to));
    const cases: Record<string, Buffer> = {
      'two objects on a line': joinLines([l0, Buffer.concat([l1, l2]), l3]),
      'three objects, the middle one bad': joinLines([Buffer.concat([l1, replace(l2, '"type":"PushEvent",', ''), b('{"x":1} '), l3])]),
      'a fragment that is invalid JSON': joinLines([Buffer.concat([l1, b('{"a":tru}'), l2])]),
      'NULs inside a line': joinLines([l0, Buffer.concat([b(text.slice(0, at)), Buffer.alloc(5), b(text.slice(at))])]),
      'a block of NULs and a line still invalid without them': joinLines([l0, Buffer.alloc(4096), Buffer.concat([l2.subarray(0, 300), Buffer.alloc(64)]), l3]),
      'a cut event spliced into the next': joinLines([l0, Buffer.concat([b(text.slice(0, text.indexOf('"message":') + 20)), l2]), l3]),
      'a cut event spliced before two': joinLines([Buffer.concat([b(text.slice(0, 500)), l2, l3])]),
      'invalid JSON': joinLines([l0, replace(l1, '"type":"PushEvent"', '"type" "PushEvent"'), l2]),
      'not UTF-8': joinLines([Buffer.concat([b(text.slice(0, at)), Buffer.from([0xff, 0xfe]), b(text.slice(at))])]),
      'not objects': joinLines([b('[1,2]'), b('"x"'), b('null'), b('12'), b('true'), b(' {} ')]),
      'missing and invalid fields': joinLines([
        replace(l0, /"id":"\d+",/, ''),
        replace(l0, /"type":"CreateEvent",/, ''),
        replace(l0, /,"created_at":"[^"]+"/, ''),
        replace(l0, /"created_at":"[^"]+"/, '"created_at":"yesterday"'),
        replace(l0, /"created_at":"[^"]+"/, '"created_at":"2015-02-30T10:00:00Z"'),
        replace(l0, /"created_at":"[^"]+"/, '"created_at":"2015-01-01T15:00:03.250+01:00"'),
        replace(l0, /"created_at":"[^"]+"/, '"created_at":1420124403'),
        replace(l0, /"created_at":"[^"]+"/, '"created_at":null'),
        replace(l0, /"id":"\d+"/, '"id":"12ab"'),
        replace(l0, /"id":"\d+"/, '"id":null'),
        replace(l0, /"id":"\d+"/, '"id":2489651045'),
        replace(l0, /"id":"\d+"/, '"id":2489651045.0'),
        replace(l0, /"id":"\d+"/, '"id":-3'),
        replace(l0, /"id":"\d+"/, '"id":"98765432109876543210"'),
        replace(l0, /"id":"\d+"/, '"id":"9223372036854775807"'),
        replace(l0, /"id":"\d+"/, '"id":"9223372036854775808"'),
        replace(l0, /"id":"\d+"/, '"id":"\\u0032489651045"'),
        replace(l0, /"id":"\d+"/, '"id":""'),
        replace(l0, /"type":"CreateEvent"/, '"type":""'),
        replace(l0, /"type":"CreateEvent"/, '"type":"\\u0043reateEvent"'),
        replace(l0, /"type":"CreateEvent"/, '"type":7'),
      ]),
      'timeline lines and early events': joinLines([
        ...realLines(GHARCHIVE_FIXTURES.timeline.slice2014).slice(0, 20),
        replace(l0, /"id":"\d+",/, '"actor_attributes":{},'),
        replace(l0, /"id":"\d+",/, '"repository":null,'),
      ]),
      'members absent, of other types, repeated, escaped': joinLines([
        replace(replace(replace(l3, /"actor":\{[^}]*\},/, ''), /"repo":\{[^}]*\},/, ''), /,"org":\{[^}]*\}/, ''),
        replace(l3, /"actor":\{/, '"actor":null,"x":{'),
        replace(l3, /"actor":\{[^}]*\}/, '"actor":"someone"'),
        replace(l3, /"repo":\{/, '"repo":{"id":1.5,"name":7,"x":'),
        replace(l3, /"payload":\{/, '"payload":{"issue":{"id":1,"user":{"id":9,"type":"User"}},"issue":"gone",'),
        replace(l3, /"public":true/, '"public":"yes"'),
        replace(l3, /\}$/, ',"mirror":{"at": "x"} , "n":1.50, "__proto__":{"a":1}}'),
        replace(l3, /"public":true/, '"public" : true , "created_at"  :"2015-01-01T15:00:00Z" ,"id":"4"'),
        b(` \t${l3.toString()}\r `),
        replace(l1, /"size":\d+/, '"size":1e2'),
        replace(l1, /"size":\d+/, '"size":-0'),
        replace(l1, /"size":\d+/, '"size":1e400'),
        replace(l1, /"distinct_size":\d+/, '"distinct_size":"3"'),
      ]),
      'blank lines': Buffer.concat([joinLines([l0, b(''), b('  \r'), b('\t'), l1]), b('\n')]),
      duplicates: joinLines([l0, l1, replace(l0, '"pusher_type":"user"', '"pusher_type": "user"'), l2, l1, l1]),
      'a truncated last line': Buffer.concat([joinLines([l0, l1]), l2.subarray(0, 400)]),
      'a complete last line without newline': Buffer.concat([joinLines([l0]), l1]),
      'an empty input': Buffer.alloc(0),
      'one event': l0,
    };
    for (const [label, bytes] of Object.entries(cases)) {
      expectSameRows(label, bytes);
      expectSameRows(`${label} (2-byte chunks)`, bytes, { chunk: 2 });
    }
    // The one difference found: a line naming `payload` twice. The legacy path's backward scan sliced
    // from the first payload's value to the end of the second (not JSON); the reader keeps the last
    // value, as JSON.parse does and as docs/transform.md says. No real hour holds such a line.
    const twice = replace(l3, /"payload":/, '"payload":{"action":"x"},"payload":');
    const legacy = valueAt(legacyRows(joinLines([twice]), 1 << 20).bronze.columns.payload!, 0) as Uint8Array;
    const now = valueAt(newRows(joinLines([twice]), 1 << 20).bronze.columns.payload!, 0) as Uint8Array;
    expect(Buffer.from(legacy).toString()).toBe('{"action":"x"},"payload":{"action":"started"}');
    expect(Buffer.from(now).toString()).toBe('{"action":"started"}');
    const escaped = replace(l3, /"payload":/, '"pay\\u006coad":[1],"payload":');
    expect(Buffer.from(valueAt(legacyRows(joinLines([escaped]), 1 << 20).bronze.columns.payload!, 0) as Uint8Array).toString()).toBe(
      '[1],"payload":{"action":"started"}',
    );
    expect(Buffer.from(valueAt(newRows(joinLines([escaped]), 1 << 20).bronze.columns.payload!, 0) as Uint8Array).toString()).toBe('{"action":"started"}');
    // a last line cut by gzip damage, whether or not it reads
    expectSameRows('damaged, last line complete', Buffer.concat([joinLines([l0]), l1]), { damaged: true });
    expectSameRows('damaged, last line cut', Buffer.concat([joinLines([l0]), l1.subarray(0, 100)]), { damaged: true });
  });

  it('on 20,000 real lines damaged at random (seeded): validity, reasons and details all agree', () => {
    const pool = [...hour15Lines().slice(0, 300), ...realLines(GHARCHIVE_FIXTURES.trimmedPayloads), ...realLines(GHARCHIVE_FIXTURES.head2021[0]!).slice(0, 50)];
    let seed = 17;
    const random = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
    // Bytes that matter to JSON: structure, escapes, digits, control characters, UTF-8 lead/continuation bytes.
    const interesting = [...'{}[]":,\\/ntfrbu0123456789-+.eE \t\r'].map((c) => c.charCodeAt(0)).concat([0x00, 0x01, 0x1f, 0x7f, 0xc3, 0xa9, 0xe2, 0x80, 0xff]);
    const mutated: Buffer[] = [];
    for (let k = 0; k < 20_000; k++) {
      const line = Buffer.from(pick(pool));
      const edits = 1 + Math.floor(random() * 3);
      let out = line;
      for (let e = 0; e < edits; e++) {
        // bias edits towards the structure of the line
        const i = Math.floor(random() * out.length);
        const op = random();
        if (op < 0.4) out[i] = pick(interesting);
        else if (op < 0.7) out = Buffer.concat([out.subarray(0, i), out.subarray(i + 1)]);
        else out = Buffer.concat([out.subarray(0, i), Buffer.from([pick(interesting)]), out.subarray(i)]);
      }
      mutated.push(Buffer.from(out.toString('latin1').replaceAll('\n', ' '), 'latin1'));
    }
    // 200 lines per hour: a reader bug shows with the lines around it
    for (let k = 0; k < mutated.length; k += 200) expectSameRows(`mutations ${k}..${k + 199}`, joinLines(mutated.slice(k, k + 200)));
  });

  describe('on generated hours of each era', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'ghlake-differential-'));
    afterAll(() => rm(dir, { recursive: true, force: true }));
    const eras: Array<[string, Parameters<typeof generateHours>[0]]> = [
      [
        '2015-like',
        { outDir: path.join(dir, '2015'), start: '2015-06-01-10', eventsPerHour: 4000, bytesPerEvent: 2300, templates: [GHARCHIVE_FIXTURES.hour2015_01_01_15] },
      ],
      [
        '2021-like',
        { outDir: path.join(dir, '2021'), start: '2021-07-21-10', eventsPerHour: 3000, bytesPerEvent: 3700, templates: GHARCHIVE_FIXTURES.head2021 },
      ],
      ['2024-like', { outDir: path.join(dir, '2024'), start: '2024-06-03-15', eventsPerHour: 3000 }],
      [
        'trimmed 2026',
        { outDir: path.join(dir, '2026'), start: '2026-06-01-15', eventsPerHour: 5000, bytesPerEvent: 650, templates: [GHARCHIVE_FIXTURES.trimmedPayloads] },
      ],
    ];
    for (const [label, options] of eras) {
      it(label, async () => {
        const { hours } = await generateHours(options);
        expect(expectSameRows(label, gunzipSync(readFileSync(hours[0]!.file)), { chunk: 65_537 })).toBe(options.eventsPerHour);
      });
    }
  });
});
