import { describe, expect, it } from 'vitest';
import { formatByteRate, formatBytes, formatCount, formatRate, plural } from '../src/index.js';

describe('figures for people', () => {
  it('sizes in decimal units with three significant digits', () => {
    expect([0, 999, 1_000, 2_621_440, 12_345_678, 148_000_000, 1_200_000_000, 3e15].map(formatBytes)).toEqual([
      '0 B',
      '999 B',
      '1.00 kB',
      '2.62 MB',
      '12.3 MB',
      '148 MB',
      '1.20 GB',
      '3000 TB',
    ]);
    expect(formatByteRate(4_123_456)).toBe('4.12 MB/s');
  });

  it('counts grouped, rates scaled, nouns pluralised', () => {
    expect(formatCount(1234567.4)).toBe('1,234,567');
    expect([0, 12.34, 850, 12_345, 1_200_000].map((r) => formatRate(r, 'events'))).toEqual([
      '– events/s',
      '12.3 events/s',
      '850 events/s',
      '12.3k events/s',
      '1.20M events/s',
    ]);
    expect([plural(1, 'hour'), plural(3, 'hour')]).toEqual(['1 hour', '3 hours']);
  });
});
