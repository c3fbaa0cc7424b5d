import { describe, expect, it } from 'vitest';
import { ERROR_CODES, formatDuration, parseDuration, type GhlakeError } from '../src/index.js';

describe('durations in options', () => {
  it('reads bare milliseconds and ms/s/m/h units', () => {
    const parse = parseDuration();
    expect(['250', '250ms', '1.5s', '30s', '2m', '1h', ' 10 S '].map((raw) => parse(raw, '--x'))).toEqual([
      250, 250, 1_500, 30_000, 120_000, 3_600_000, 10_000,
    ]);
  });

  it('names the option and the accepted range when a value is wrong', () => {
    const parse = parseDuration(1_000, 60_000);
    const error = (() => {
      try {
        parse('5 minutes', '--body-timeout');
      } catch (e) {
        return e as GhlakeError;
      }
    })();
    expect(error?.code).toBe(ERROR_CODES.INVALID_OPTION);
    expect(error?.message).toBe("--body-timeout has invalid value '5 minutes': expected a duration such as 500ms, 30s or 2m (from 1.00s to 1m00s)");
    expect(() => parse('999ms', 'GHLAKE_BODY_TIMEOUT')).toThrow(/^GHLAKE_BODY_TIMEOUT has invalid value '999ms'/);
    expect(() => parseDuration(0)('-1s', '--retry-delay')).toThrow('(at least 0ms)');
  });

  it('formats short human durations', () => {
    expect([0, 850, 1_000, 12_345, 59_999, 60_000, 245_000, 3_600_000, 7_380_000].map(formatDuration)).toEqual([
      '0ms',
      '850ms',
      '1.00s',
      '12.3s',
      '60.0s',
      '1m00s',
      '4m05s',
      '1h00m',
      '2h03m',
    ]);
    expect(formatDuration(Number.POSITIVE_INFINITY)).toBe('unbounded');
  });
});
