/**
 * Every known defect of the real archive (docs/transform.md, "Defects of the real archive"), built from REAL lines of
 * 2015-01-01-15 mutated the way the defect does, through the pure hour transform.
 */
import { describe, expect, it } from 'vitest';
import { transformHourBytes } from '../src/index.js';
import { hour15Lines, joinLines, sha256 } from './real-lines.js';

const lines = hour15Lines();
const [l0, l1, l2, l3] = [lines[0]!, lines[1]!, lines[2]!, lines[3]!];
const idOf = (line: Buffer) => Number(JSON.parse(line.toString()).id);
const run = (bytes: Buffer, options: { damaged?: boolean } = {}) => transformHourBytes(bytes, options);

describe('two JSON objects on one line (}{, GH Archive #17/#18/#53)', () => {
  it('splits them into two events, fragments 1 and 2, each hashed on its own bytes', () => {
    const out = run(joinLines([l0, Buffer.concat([l1, l2]), l3]));
    expect(out.events.map((e) => [e.sourceLine, e.fragment, Number(e.eventId), e.hash])).toEqual([
      [1, 0, idOf(l0), sha256(l0)],
      [2, 1, idOf(l1), sha256(l1)],
      [2, 2, idOf(l2), sha256(l2)],
      [3, 0, idOf(l3), sha256(l3)],
    ]);
    expect(out.quarantined).toEqual([]);
    expect(out.accounting).toMatchObject({ lines: 3, eventLines: 3, events: 4, quarantinedLines: 0, multiObjectLines: 1 });
  });

  it('quarantines only the fragment that is not a valid event', () => {
    const noType = Buffer.from(l2.toString().replace('"type":"PushEvent",', ''));
    const out = run(joinLines([Buffer.concat([l1, noType])]));
    expect(out.events.map((e) => [e.fragment, e.hash])).toEqual([[1, sha256(l1)]]);
    expect(out.quarantined.map((q) => [q.sourceLine, q.fragment, q.reason, q.raw.equals(noType)])).toEqual([[1, 2, 'missing_type', true]]);
    expect(out.accounting).toMatchObject({ lines: 1, eventLines: 1, quarantinedLines: 0, quarantineRows: 1 });
  });
});

describe('NUL bytes (2018-06-08-2 #190, 2023-05-14-19)', () => {
  it('removes NULs inside a line and keeps the event, hashed as if the NULs were never there', () => {
    const text = l1.toString();
    const at = text.indexOf('"message":') + 12;
    const withNul = Buffer.concat([Buffer.from(text.slice(0, at)), Buffer.alloc(5), Buffer.from(text.slice(at))]);
    const out = run(joinLines([l0, withNul]));
    expect(out.events.map((e) => [e.sourceLine, e.hash])).toEqual([
      [1, sha256(l0)],
      [2, sha256(l1)],
    ]);
    expect(out.events[1]!.payload!.toString()).toBe(JSON.stringify(JSON.parse(text).payload));
    expect(out.accounting).toMatchObject({ lines: 2, events: 2, nulLinesRepaired: 1, nulBytesRemoved: 5, quarantineRows: 0 });
  });

  it('quarantines a block of NULs standing for a line, and a line still invalid without its NULs', () => {
    const block = Buffer.alloc(4096);
    const broken = Buffer.concat([l2.subarray(0, 300), Buffer.alloc(64)]); // NULs over the line's end
    const out = run(joinLines([l0, block, broken, l3]));
    expect(out.events.map((e) => e.sourceLine)).toEqual([1, 4]);
    expect(out.quarantined.map((q) => [q.sourceLine, q.reason, q.raw.length])).toEqual([
      [2, 'nul_bytes', 4096],
      [3, 'nul_bytes', 364],
    ]);
    expect(out.quarantined[1]!.raw.equals(broken)).toBe(true);
    expect(out.accounting).toMatchObject({ lines: 4, eventLines: 2, quarantinedLines: 2, nulBytesRemoved: 4096 + 64 });
  });
});

describe('damaged lines', () => {
  it('quarantines invalid JSON as invalid_json with the parser message, keeping the exact bytes', () => {
    const bad = Buffer.from(l1.toString().replace('"type":"PushEvent"', '"type" "PushEvent"'));
    const out = run(joinLines([l0, bad, l2]));
    expect(out.events.map((e) => e.sourceLine)).toEqual([1, 3]);
    expect(out.quarantined).toHaveLength(1);
    expect(out.quarantined[0]).toMatchObject({ sourceLine: 2, fragment: 0, reason: 'invalid_json' });
    expect(out.quarantined[0]!.detail).toMatch(/JSON/);
    expect(out.quarantined[0]!.raw.equals(bad)).toBe(true);
  });

  it('quarantines a truncated last line (2020-10-30-17 #241) as truncated_line', () => {
    const bytes = Buffer.concat([joinLines([l0, l1]), l2.subarray(0, 400)]);
    const out = run(bytes);
    expect(out.events.map((e) => e.hash)).toEqual([sha256(l0), sha256(l1)]);
    expect(out.quarantined.map((q) => [q.sourceLine, q.reason, q.raw.equals(l2.subarray(0, 400))])).toEqual([[3, 'truncated_line', true]]);
    expect(out.accounting).toMatchObject({ lines: 3, eventLines: 2, quarantinedLines: 1 });
  });

  it('keeps a complete last line without a newline', () => {
    const out = run(Buffer.concat([joinLines([l0]), l1]));
    expect(out.events.map((e) => e.hash)).toEqual([sha256(l0), sha256(l1)]);
    expect(out.accounting.lines).toBe(2);
  });

  it('recovers the complete event spliced after a cut one (2017-11-08-1 #169) and quarantines the cut part', () => {
    const text = l1.toString();
    const cut = Buffer.from(text.slice(0, text.indexOf('"message":') + 20)); // cut mid-string
    const out = run(joinLines([l0, Buffer.concat([cut, l2]), l3]));
    expect(out.events.map((e) => [e.sourceLine, e.fragment, e.hash])).toEqual([
      [1, 0, sha256(l0)],
      [2, 2, sha256(l2)],
      [3, 0, sha256(l3)],
    ]);
    expect(out.quarantined.map((q) => [q.sourceLine, q.fragment, q.reason, q.raw.equals(cut)])).toEqual([[2, 1, 'spliced_event', true]]);
    expect(out.accounting).toMatchObject({ lines: 3, eventLines: 3, events: 3, quarantinedLines: 0, quarantineRows: 1, multiObjectLines: 1 });
  });

  it('quarantines bytes that are not UTF-8 as invalid_utf8 (the payload could not be kept exactly)', () => {
    const text = l1.toString();
    const at = text.indexOf('"message":') + 12;
    const bad = Buffer.concat([Buffer.from(text.slice(0, at)), Buffer.from([0xff, 0xfe]), Buffer.from(text.slice(at))]);
    const out = run(joinLines([bad]));
    expect(out.quarantined.map((q) => [q.reason, q.raw.equals(bad)])).toEqual([['invalid_utf8', true]]);
  });

  it('quarantines a JSON value that is not an object', () => {
    const out = run(joinLines([Buffer.from('[1,2]'), Buffer.from('"x"')]));
    expect(out.quarantined.map((q) => q.reason)).toEqual(['not_an_object', 'not_an_object']);
  });
});

describe('required fields', () => {
  const without = (line: Buffer, re: RegExp) => Buffer.from(line.toString().replace(re, ''));
  it('quarantines a line without id, type or a parseable created_at, each with its reason', () => {
    const noId = without(l0, /"id":"\d+",/);
    const noType = without(l0, /"type":"CreateEvent",/);
    const noCreated = without(l0, /,"created_at":"[^"]+"/);
    const badCreated = Buffer.from(l0.toString().replace(/"created_at":"[^"]+"/, '"created_at":"yesterday"'));
    const badId = Buffer.from(l0.toString().replace(/"id":"\d+"/, '"id":"12ab"'));
    const out = run(joinLines([noId, noType, noCreated, badCreated, badId]));
    expect(out.events).toEqual([]);
    expect(out.quarantined.map((q) => [q.sourceLine, q.reason])).toEqual([
      [1, 'missing_id'],
      [2, 'missing_type'],
      [3, 'missing_created_at'],
      [4, 'invalid_created_at'],
      [5, 'invalid_id'],
    ]);
    expect(out.accounting.quarantinedByReason).toEqual({ missing_id: 1, missing_type: 1, missing_created_at: 1, invalid_created_at: 1, invalid_id: 1 });
  });

  it('keeps an event without actor, repo or org (their columns are NULL)', () => {
    const bare = without(without(l3, /"actor":\{[^}]*\},/), /"repo":\{[^}]*\},/);
    const noOrg = without(bare, /,"org":\{[^}]*\}/);
    const out = run(joinLines([noOrg]));
    expect(out.quarantined).toEqual([]);
    expect(out.events[0]).toMatchObject({ actor: null, repo: null, org: null, eventType: 'WatchEvent', hash: sha256(noOrg) });
  });
});

describe('blank lines, empty input, one event', () => {
  it('counts blank lines and reconciles lines = event lines + quarantined lines + blank lines', () => {
    const out = run(Buffer.concat([joinLines([l0, Buffer.from(''), Buffer.from('  \r'), l1]), Buffer.from('\n')]));
    expect(out.accounting).toMatchObject({ lines: 5, blankLines: 3, eventLines: 2, quarantinedLines: 0, events: 2 });
  });

  it('an empty input is an hour of no lines', () => {
    expect(run(Buffer.alloc(0)).accounting).toMatchObject({ lines: 0, events: 0, quarantineRows: 0, blankLines: 0 });
  });

  it('hashes the object from its { to its }: not a trailing \\r', () => {
    const out = run(joinLines([Buffer.concat([l0, Buffer.from('\r')])]));
    expect(out.events.map((e) => e.hash)).toEqual([sha256(l0)]);
  });
});

describe('exact bytes of the JSON members', () => {
  it("keeps payload, actor, repo and org as the line's own UTF-8 bytes, also on lines holding non-ASCII text", () => {
    const lines = hour15Lines();
    const nonAscii = lines.filter((l) => l.toString().length !== l.length).slice(0, 50);
    expect(nonAscii.length).toBe(50);
    const out = transformHourBytes(joinLines(nonAscii));
    out.events.forEach((e, i) => {
      const line = nonAscii[i]!;
      const o = JSON.parse(line.toString());
      for (const [bytes, value] of [
        [e.payload!, o.payload],
        [e.actor!, o.actor],
        [e.repo!, o.repo],
      ] as const) {
        expect(line.includes(bytes)).toBe(true);
        expect(JSON.parse(bytes.toString())).toEqual(value);
      }
    });
  });
});

describe('duplicate events (early 2015 #102, 2017-04-09-5 #191)', () => {
  it('keeps every copy in bronze and counts the repeats by (event_id, event_type, created_at)', () => {
    const out = transformHourBytes(joinLines([l0, l1, l0, l2, l1, l1]));
    expect(out.events.map((e) => e.sourceLine)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(out.accounting).toMatchObject({ events: 6, duplicates: 3 });
  });
});
