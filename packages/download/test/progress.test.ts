import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { HourKey } from '@ghlake/core';
import { createProgressReporter, statusLine, type DownloadProgress, type HourResult } from '../src/index.js';

const progress: DownloadProgress = {
  hoursTotal: 24,
  hoursDone: 5,
  downloaded: 3,
  skipped: 1,
  missing: 1,
  failed: 0,
  receivedBytes: 12_345_678,
  elapsedMs: 3_000,
  bytesPerSecond: 4_115_226,
  etaMs: 42_000,
  active: ['2015-01-01-5', '2015-01-01-6'] as HourKey[],
};

function capture() {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (d: Buffer) => (text += d));
  return { stream, text: () => text };
}

const missing: HourResult = { hour: '2015-01-01-4' as HourKey, status: 'missing', bytes: 0, attempts: 1, durationMs: 12, url: 'u', reason: 'HTTP 404' };
const downloaded: HourResult = { hour: '2015-01-01-3' as HourKey, status: 'downloaded', bytes: 2_615_399, attempts: 2, durationMs: 812, url: 'u' };

describe('progress display', () => {
  it('a status line with hours done of total, bytes, rate, ETA and what is in flight, cut to the terminal width', () => {
    expect(statusLine(progress)).toBe('download 5/24 hours · 12.3 MB · 4.12 MB/s · ETA 42.0s · 1 missing · now 2015-01-01-5 2015-01-01-6');
    expect(statusLine({ ...progress, etaMs: undefined, missing: 0, active: [] }, 40)).toBe('download 5/24 hours · 12.3 MB · 4.12 M…');
  });

  it('on a terminal: redraws the status line in place, prints notable hours above it, clears it at the end', () => {
    const out = capture();
    const reporter = createProgressReporter({ stream: out.stream, tty: true, total: 24 });
    reporter.progress(progress);
    reporter.hourDone(downloaded); // counted by the status line, not printed
    reporter.hourDone(missing);
    reporter.stop();
    const line = statusLine(progress);
    expect(out.text()).toBe(`\r\x1b[2K${line}` + `\r\x1b[2K[2/24] 2015-01-01-4 missing: HTTP 404\n\r\x1b[2K${line}` + '\r\x1b[2K');
  });

  it('elsewhere: one plain line per hour and per retry, respecting --log-level', () => {
    const out = capture();
    const reporter = createProgressReporter({ stream: out.stream, tty: false, total: 24 });
    reporter.progress(progress);
    reporter.hourDone(downloaded);
    reporter.retry({
      hour: '2015-01-01-9' as HourKey,
      attempt: 1,
      delayMs: 1_500,
      error: { name: 'GhlakeError', code: 'GHLAKE_HTTP_STATUS', message: 'HTTP 503 from u', retryable: true, details: {} },
      keptBytes: 0,
    });
    reporter.retry({
      hour: '2015-01-01-7' as HourKey,
      attempt: 2,
      delayMs: 500,
      error: { name: 'GhlakeError', code: 'GHLAKE_CONNECTION', message: 'connection lost', retryable: true, details: {} },
      keptBytes: 1_310_720,
    });
    const lines = out
      .text()
      .split('\n')
      .map((l) => l.slice(9));
    expect(lines).toEqual([
      'info  [1/24] 2015-01-01-3 downloaded 2.62 MB in 812ms (2 attempts)',
      'warn  2015-01-01-9 attempt 1 failed (HTTP 503 from u); retrying in 1.50s',
      'warn  2015-01-01-7 attempt 2 failed (connection lost); resuming after the 1.31 MB already on disk in 500ms',
      '',
    ]);
    const quiet = capture();
    const warnOnly = createProgressReporter({ stream: quiet.stream, tty: false, total: 24, level: 'warn' });
    warnOnly.hourDone(downloaded);
    warnOnly.hourDone(missing);
    expect(quiet.text().slice(9)).toBe('warn  [2/24] 2015-01-01-4 missing: HTTP 404\n');
  });
});
