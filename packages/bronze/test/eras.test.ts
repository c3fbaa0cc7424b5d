/**
 * Real files of every era through the pure transform: 2015 whole hours, the 2021 and 2025
 * heads, the trimmed post-October-2025 samples, and the pre-2015 Timeline samples.
 */
import { describe, expect, it } from 'vitest';
import { transformHourBytes } from '../src/index.js';
import { fileBytes, GHARCHIVE_FIXTURES, joinLines, sha256, realLines } from './real-lines.js';
import { HOUR_2015_01_01_15_TYPES } from '../../core/test/fixtures/gharchive.js';

const countBy = <T>(items: T[], key: (t: T) => string) => items.reduce<Record<string, number>>((acc, t) => ((acc[key(t)] = (acc[key(t)] ?? 0) + 1), acc), {});

describe('2015+ Events API hours', () => {
  it('2015-01-01-15: 11,351 events with the measured per-type counts, nothing quarantined', () => {
    const out = transformHourBytes(fileBytes(GHARCHIVE_FIXTURES.hour2015_01_01_15));
    expect(out.accounting).toMatchObject({ lines: 11_351, eventLines: 11_351, events: 11_351, quarantineRows: 0, blankLines: 0 });
    expect(countBy(out.events, (e) => e.eventType)).toEqual(HOUR_2015_01_01_15_TYPES);
  });

  it('gives the same events whatever the chunking of the decompressed bytes', () => {
    const bytes = fileBytes(GHARCHIVE_FIXTURES.hour2015_01_01_0);
    const whole = transformHourBytes(bytes);
    const tiny = transformHourBytes(bytes, { chunkSize: 4093 });
    expect(whole.accounting).toMatchObject({ lines: 7_702, events: 7_702, quarantineRows: 0 });
    expect(tiny.accounting).toEqual(whole.accounting);
    expect(tiny.events.map((e) => e.hash)).toEqual(whole.events.map((e) => e.hash));
    // every event hash is the SHA-256 of its line's exact bytes
    expect(whole.events.map((e) => e.hash)).toEqual(realLines(GHARCHIVE_FIXTURES.hour2015_01_01_0).map(sha256));
  });

  it('the 2025 head and the 2021 heads parse with 0 quarantined', () => {
    for (const file of [GHARCHIVE_FIXTURES.head2025_01_01_15, ...GHARCHIVE_FIXTURES.head2021]) {
      const out = transformHourBytes(fileBytes(file));
      const expected = file === GHARCHIVE_FIXTURES.head2025_01_01_15 ? 2048 : 200;
      expect({ file, ...out.accounting }).toMatchObject({ file, lines: expected, events: expected, quarantineRows: 0 });
    }
  });

  it('the trimmed post-October-2025 payloads parse as events', () => {
    const out = transformHourBytes(fileBytes(GHARCHIVE_FIXTURES.trimmedPayloads));
    expect(out.accounting).toMatchObject({ lines: 7, events: 7, quarantineRows: 0 });
    const out2 = transformHourBytes(fileBytes(GHARCHIVE_FIXTURES.pushBeforeAfter));
    expect(out2.accounting).toMatchObject({ lines: 2, events: 2, quarantineRows: 0 });
  });

  it('keeps unknown top-level keys in `other` exactly as they stood', () => {
    const line = realLines(GHARCHIVE_FIXTURES.hour2015_01_01_15)[0]!.toString();
    const extended = line.replace(/}$/, ',"mirror":{"at": "x"} , "n":1.50}');
    const out = transformHourBytes(Buffer.from(`${extended}\n`));
    expect(out.events[0]!.otherText).toBe('{"mirror":{"at": "x"},"n":1.50}');
    expect(out.events[0]!.hash).toBe(sha256(extended));
  });
});

describe('pre-2015 Timeline API lines', () => {
  it('reads every line of the 2013 and 2014 Timeline samples as an event, era timeline, with a negative synthetic id', () => {
    const slice2014 = transformHourBytes(fileBytes(GHARCHIVE_FIXTURES.timeline.slice2014));
    expect(slice2014.accounting).toMatchObject({ lines: 500, events: 500, eventLines: 500, quarantineRows: 0, duplicates: 0 });
    const gh2013 = transformHourBytes(fileBytes(GHARCHIVE_FIXTURES.timeline.gh2013));
    // lines 6 and 18 repeat lines 2 and 1 byte for byte: the same synthetic id, so duplicates
    expect(gh2013.accounting).toMatchObject({ lines: 19, events: 19, quarantineRows: 0, duplicates: 2 });
    expect(gh2013.events.filter((e) => e.duplicate).map((e) => e.sourceLine)).toEqual([6, 18]);
    expect(gh2013.events[5]!.eventId).toBe(gh2013.events[1]!.eventId);
    expect(gh2013.events[17]!.eventId).toBe(gh2013.events[0]!.eventId);
    const slice2013 = transformHourBytes(fileBytes(GHARCHIVE_FIXTURES.timeline.slice2013gz));
    expect(slice2013.accounting).toMatchObject({ lines: 2, events: 2, quarantineRows: 0 });
    const all = [...slice2014.events, ...gh2013.events, ...slice2013.events];
    expect(new Set(all.map((e) => e.era))).toEqual(new Set(['timeline']));
    expect(all.every((e) => typeof e.eventId === 'bigint' && e.eventId < 0n && e.eventId >= -(2n ** 63n))).toBe(true);
    // distinct events, distinct ids: 500 + 17 + 2
    expect(new Set(all.map((e) => e.eventId)).size).toBe(519);
    expect(countBy(gh2013.events, (e) => e.eventType)).toEqual({
      FollowEvent: 2,
      IssuesEvent: 2,
      PublicEvent: 1,
      PushEvent: 1,
      CreateEvent: 1,
      GollumEvent: 2,
      PullRequestEvent: 2,
      CommitCommentEvent: 1,
      MemberEvent: 1,
      IssueCommentEvent: 1,
      DownloadEvent: 1,
      GistEvent: 1,
      DeleteEvent: 1,
      ForkEvent: 1,
      WatchEvent: 1,
    });
  });

  it('normalizes -08:00 and -07:00 created_at offsets to UTC', () => {
    const slice2013 = transformHourBytes(fileBytes(GHARCHIVE_FIXTURES.timeline.slice2013gz));
    // "2013-01-16T00:00:59-08:00"
    expect(slice2013.events.map((e) => new Date(e.createdAtMs).toISOString())).toEqual(['2013-01-16T08:00:59.000Z', '2013-01-16T08:00:59.000Z']);
    const slice2014 = transformHourBytes(fileBytes(GHARCHIVE_FIXTURES.timeline.slice2014));
    // "2014-06-01T01:05:30-07:00" (file 2014-06-01-1: US Pacific hour 1 is 08:00 UTC)
    expect(new Date(slice2014.events[0]!.createdAtMs).toISOString()).toBe('2014-06-01T08:05:30.000Z');
    const hours = new Set(slice2014.events.map((e) => new Date(e.createdAtMs).toISOString().slice(0, 13)));
    expect(hours).toEqual(new Set(['2014-06-01T08']));
  });

  it('keeps the payload and the Timeline members byte-exact (payload, actor, other) and hashes the object as it stood', () => {
    const line = realLines(GHARCHIVE_FIXTURES.timeline.slice2013gz)[0]!;
    const [e] = transformHourBytes(Buffer.concat([line, Buffer.from('\n')])).events;
    const text = line.toString();
    const member = (key: string) => {
      const v = JSON.stringify((JSON.parse(text) as Record<string, unknown>)[key]);
      expect(text.includes(`"${key}":${v}`)).toBe(true); // the sample is compact: its member texts are JSON.stringify's
      return v;
    };
    expect(e!.payload!.toString()).toBe(member('payload'));
    expect(e!.actor!.toString()).toBe('"kennethlarsen"');
    expect(e!.repo).toBeNull();
    expect(e!.otherText).toBe(`{"repository":${member('repository')},"url":${member('url')},"actor_attributes":${member('actor_attributes')}}`);
    expect(e!.hash).toBe(sha256(line));
    expect(e!.public).toBe(true);
  });

  it('dedups a Timeline event across a `}{` line and a duplicate line: same synthetic id, the first copy kept', () => {
    const [a, b, c] = realLines(GHARCHIVE_FIXTURES.timeline.slice2014);
    // line 1: a; line 2: b}{c (2012-era files hold such lines); line 3: c again; line 4: a again
    const out = transformHourBytes(joinLines([a!, Buffer.concat([b!, c!]), c!, a!]));
    expect(out.accounting).toMatchObject({ lines: 4, events: 5, multiObjectLines: 1, duplicates: 2, quarantineRows: 0 });
    expect(out.events.map((e) => [e.sourceLine, e.fragment, e.duplicate])).toEqual([
      [1, 0, false],
      [2, 1, false],
      [2, 2, false],
      [3, 0, true],
      [4, 0, true],
    ]);
    expect(out.events[3]!.eventId).toBe(out.events[2]!.eventId);
    expect(out.events[4]!.eventId).toBe(out.events[0]!.eventId);
    const alone = transformHourBytes(joinLines([c!])).events[0]!;
    expect(out.events[2]!.eventId).toBe(alone.eventId);
  });

  it('dedups 2011 Events API events across a `}{` line and a duplicate line, by their real ids', () => {
    const [a, b, c] = realLines(GHARCHIVE_FIXTURES.timeline.gh2011);
    const out = transformHourBytes(joinLines([Buffer.concat([a!, b!]), c!, b!, Buffer.concat([c!, a!])]));
    expect(out.accounting).toMatchObject({ lines: 4, events: 6, multiObjectLines: 2, duplicates: 3, quarantineRows: 0 });
    expect(out.events.map((e) => [e.sourceLine, e.fragment, e.era, e.duplicate])).toEqual([
      [1, 1, 'events_api', false],
      [1, 2, 'events_api', false],
      [2, 0, 'events_api', false],
      [3, 0, 'events_api', true],
      [4, 1, 'events_api', true],
      [4, 2, 'events_api', true],
    ]);
    expect(out.events.map((e) => e.eventId)).toEqual([1128246591, 1263523355, 1128317184, 1263523355, 1128317184, 1128246591]);
  });

  it('the synthetic id ignores the repository and actor_attributes snapshots but not the event: type, time, actor, repository id, url, payload', () => {
    const line = realLines(GHARCHIVE_FIXTURES.timeline.slice2013gz)[0]!.toString();
    const idOf = (l: string) => transformHourBytes(Buffer.from(`${l}\n`)).events[0]!.eventId;
    const base = idOf(line);
    expect(idOf(line.replace('"watchers":1,', '"watchers":2,'))).toBe(base);
    expect(idOf(line.replace('"location":"Aarhus, Denmark",', ''))).toBe(base);
    expect(idOf(line.replace('"size":1,"ref"', '"size":2,"ref"'))).not.toBe(base);
    expect(idOf(line.replace('00:00:59-08:00","repository"', '00:00:58-08:00","repository"'))).not.toBe(base);
    expect(idOf(line.replace('"actor":"kennethlarsen"', '"actor":"someoneelse"'))).not.toBe(base);
    expect(idOf(line.replace('"id":7445635', '"id":7445636'))).not.toBe(base);
    // the same instant written with another offset is the same event
    expect(idOf(line.replace('00:00:59-08:00","repository"', '08:00:59Z","repository"'))).toBe(base);
  });

  it('quarantines a line in neither layout with a reason: no id, Timeline members, an actor object', () => {
    const line = realLines(GHARCHIVE_FIXTURES.timeline.slice2013gz)[0]!.toString().replace('"actor":"kennethlarsen"', '"actor":{"login":"kennethlarsen"}');
    const out = transformHourBytes(Buffer.from(`${line}\n`));
    expect(out.accounting).toMatchObject({ lines: 1, events: 0, quarantinedByReason: { timeline_format: 1 } });
    expect(out.quarantined[0]!.detail).toBe(
      'no id, Timeline members (actor_attributes/repository) but an actor {"login":"kennethlarsen"} that is not a login string: neither the Events API nor the Timeline layout',
    );
    const bare = transformHourBytes(Buffer.from('{"type":"PushEvent","created_at":"2013-01-16T00:00:59-08:00","payload":{}}\n'));
    expect(bare.accounting.quarantinedByReason).toEqual({ missing_id: 1 });
    const badTime = transformHourBytes(
      Buffer.from(line.replace('"actor":{"login":"kennethlarsen"}', '"actor":"k"').replace('2013-01-16T00:00:59-08:00', 'yesterday') + '\n'),
    );
    expect(badTime.accounting.quarantinedByReason).toEqual({ invalid_created_at: 1 });
  });

  it('reads the 2011 lines that already had the Events API shape (id, actor object) as events', () => {
    for (const [file, n] of [
      [GHARCHIVE_FIXTURES.timeline.gh2011, 17],
      [GHARCHIVE_FIXTURES.timeline.gh2011b, 16],
      [GHARCHIVE_FIXTURES.timeline.gh2011c, 1],
    ] as const) {
      const out = transformHourBytes(fileBytes(file));
      expect({ file, ...out.accounting }).toMatchObject({ file, lines: n, events: n, quarantineRows: 0 });
    }
  });
});
