/**
 * Real files of every era through the pure transform: 2015 whole hours, the 2021 and 2025
 * heads, the trimmed post-October-2025 samples, and the pre-2015 Timeline samples.
 */
import { describe, expect, it } from 'vitest';
import { transformHourBytes } from '../src/index.js';
import { fileBytes, GHARCHIVE_FIXTURES, sha256, realLines } from './real-lines.js';
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
  it('quarantines the 2013 and 2014 Timeline samples as timeline_format, every line counted', () => {
    const slice2014 = transformHourBytes(fileBytes(GHARCHIVE_FIXTURES.timeline.slice2014));
    expect(slice2014.accounting).toMatchObject({ lines: 500, events: 0, quarantinedLines: 500, quarantinedByReason: { timeline_format: 500 } });
    const gh2013 = transformHourBytes(fileBytes(GHARCHIVE_FIXTURES.timeline.gh2013));
    expect(gh2013.accounting).toMatchObject({ lines: 19, events: 0, quarantinedByReason: { timeline_format: 19 } });
    const slice2013 = transformHourBytes(fileBytes(GHARCHIVE_FIXTURES.timeline.slice2013gz));
    expect(slice2013.accounting).toMatchObject({ lines: 2, events: 0, quarantinedByReason: { timeline_format: 2 } });
    expect(slice2014.quarantined[0]!.raw.equals(realLines(GHARCHIVE_FIXTURES.timeline.slice2014)[0]!)).toBe(true);
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
