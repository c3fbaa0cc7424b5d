import { describe, expect, it } from 'vitest';
import { parseTimestampMs, truncateToHour } from '../src/index.js';

describe('created_at parsing', () => {
  it('parses the archive form and other ISO-8601 forms to UTC epoch ms, and rejects the rest', () => {
    expect(parseTimestampMs('2015-01-01T15:00:03Z')).toBe(Date.UTC(2015, 0, 1, 15, 0, 3));
    expect(parseTimestampMs('2016-02-29T23:59:59Z')).toBe(Date.UTC(2016, 1, 29, 23, 59, 59));
    expect(parseTimestampMs('2014-06-01T01:05:30-07:00')).toBe(Date.UTC(2014, 5, 1, 8, 5, 30));
    expect(parseTimestampMs('2025-01-01T15:00:00.123Z')).toBe(Date.UTC(2025, 0, 1, 15, 0, 0, 123));
    for (const bad of [
      '2015-02-29T00:00:00Z',
      '2015-13-01T00:00:00Z',
      '2015-01-01T24:00:00Z',
      '2015-01-01 15:00:00',
      'yesterday',
      '1420124403',
      '2015-01-0xT15:00:00Z',
    ]) {
      expect({ bad, ms: parseTimestampMs(bad) }).toEqual({ bad, ms: NaN });
    }
    expect(truncateToHour(Date.UTC(2015, 0, 1, 15, 59, 59))).toBe(Date.UTC(2015, 0, 1, 15));
  });
});
