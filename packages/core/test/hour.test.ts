import { describe, expect, it } from 'vitest';
import { archiveFileName, dayHours, hourRange, parseHour, resolveHours, GhlakeError, ERROR_CODES, type HourKey } from '../src/index.js';

describe('hours', () => {
  it('parses the forms users write', () => {
    expect(parseHour('2015-01-01-15')).toBe('2015-01-01-15');
    expect(parseHour('2015-01-01-09')).toBe('2015-01-01-9');
    expect(parseHour('2015-01-01T15')).toBe('2015-01-01-15');
    expect(parseHour('2015-01-01T15:42:07Z')).toBe('2015-01-01-15');
    expect(parseHour('2012-03-10T22:15:00-07:00')).toBe('2012-03-11-5');
  });

  it('names files with the unpadded hour', () => {
    expect(archiveFileName(parseHour('2015-01-01-09'))).toBe('2015-01-01-9.json.gz');
  });

  it('rejects malformed hours with a code and a hint', () => {
    for (const bad of ['2015-13-01-5', '2015-02-30-1', '2015-01-01-24', 'yesterday']) {
      try {
        parseHour(bad);
        expect.unreachable();
      } catch (e) {
        expect(e).toBeInstanceOf(GhlakeError);
        expect((e as GhlakeError).code).toBe(ERROR_CODES.INVALID_HOUR);
        expect((e as GhlakeError).message).toContain(bad);
        expect((e as GhlakeError).hint).toBeTruthy();
      }
    }
  });

  it('builds inclusive ranges across days and refuses reversed ones', () => {
    const r = hourRange('2015-01-01-22' as HourKey, '2015-01-02-1' as HourKey);
    expect(r).toEqual(['2015-01-01-22', '2015-01-01-23', '2015-01-02-0', '2015-01-02-1']);
    expect(() => hourRange('2015-01-02-1' as HourKey, '2015-01-01-22' as HourKey)).toThrow(/before/);
    expect(dayHours('2015-01-01')).toHaveLength(24);
    expect(resolveHours({ from: '2015-01-01-0', to: '2015-01-01-15' })).toHaveLength(16);
    expect(resolveHours({ from: '2015-01-01-3' })).toEqual(['2015-01-01-3']);
  });
});
