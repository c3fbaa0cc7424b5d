/**
 * What a person sees while hours download (stderr). On a terminal: one status line redrawn
 * in place (hours done of total, bytes, rate, ETA, hours in flight), with retries, missing
 * and failed hours printed above it as they happen. Elsewhere (CI, pipes, files): one plain
 * log line per finished hour and per retry, nothing redrawn.
 */
import { formatByteRate, formatBytes, formatDuration, type LogLevel } from '@ghlake/core';
import type { HourResult, RetryEvent } from './fetch-hour.js';
import type { DownloadProgress } from './runner.js';

export interface ProgressReporter {
  progress(progress: DownloadProgress): void;
  hourDone(result: HourResult): void;
  retry(event: RetryEvent): void;
  /** Clear the status line (call before printing the summary). */
  stop(): void;
}

export interface ReporterOptions {
  stream: NodeJS.WritableStream;
  /** Redraw a status line (a terminal) or write plain lines. */
  tty: boolean;
  /** Hours in the run, for the `[3/16]` counter of plain lines. */
  total: number;
  level?: LogLevel;
  columns?: number;
}

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export function describeResult(result: HourResult): string {
  switch (result.status) {
    case 'downloaded':
      return `${result.hour} downloaded ${formatBytes(result.bytes)} in ${formatDuration(result.durationMs)}${result.attempts > 1 ? ` (${result.attempts} attempts)` : ''}${result.replaced ? ` (replaced a kept file: ${result.replaced})` : ''}`;
    case 'skipped':
      return `${result.hour} skipped: ${result.reason ?? 'already complete'} (${formatBytes(result.bytes)})`;
    case 'missing':
      return `${result.hour} missing: ${result.reason ?? 'not in the archive'}`;
    case 'failed':
      return `${result.hour} failed: ${result.error?.code ?? ''} ${result.error?.message ?? ''}`.replace(/ +/g, ' ');
  }
}

export function describeRetry(event: RetryEvent): string {
  const how = event.keptBytes > 0 ? `resuming after the ${formatBytes(event.keptBytes)} already on disk` : 'retrying';
  return `${event.hour} attempt ${event.attempt} failed (${event.error.message}); ${how} in ${formatDuration(event.delayMs)}`;
}

export function statusLine(p: DownloadProgress, columns = 120): string {
  const parts = [
    `${p.hoursDone}/${p.hoursTotal} hours`,
    formatBytes(p.receivedBytes),
    formatByteRate(p.bytesPerSecond),
    p.etaMs === undefined ? 'ETA …' : `ETA ${formatDuration(p.etaMs)}`,
  ];
  if (p.missing) parts.push(`${p.missing} missing`);
  if (p.failed) parts.push(`${p.failed} failed`);
  if (p.active.length) parts.push(`now ${p.active.join(' ')}`);
  const line = `download ${parts.join(' · ')}`;
  return line.length > columns - 1 ? `${line.slice(0, columns - 2)}…` : line;
}

export function createProgressReporter(options: ReporterOptions): ProgressReporter {
  const { stream, tty } = options;
  const level = ORDER[options.level ?? 'info'];
  let finished = 0;
  const seenErrors = new Map<string, HourResult['hour']>();
  let drawn = false;
  let last: DownloadProgress | undefined;
  const clear = () => {
    if (drawn) stream.write('\r\x1b[2K');
    drawn = false;
  };
  const draw = () => {
    if (!last) return;
    stream.write(`\r\x1b[2K${statusLine(last, options.columns)}`);
    drawn = true;
  };
  const line = (lvl: LogLevel, text: string) => {
    if (ORDER[lvl] < level) return;
    if (tty) {
      clear();
      stream.write(`${text}\n`);
      draw();
    } else {
      stream.write(`${new Date().toISOString().slice(11, 19)} ${lvl.padEnd(5)} ${text}\n`);
    }
  };
  return {
    progress(p) {
      last = p;
      if (tty && level <= ORDER.info) draw();
    },
    hourDone(result) {
      finished++;
      const counter = `[${finished}/${options.total}] `;
      if (result.status === 'failed') {
        // Print an error once; hours that fail the same way (an unreachable mirror) refer back to it.
        const key = `${result.error?.code} ${result.error?.message}`;
        const first = seenErrors.get(key);
        if (first === undefined) seenErrors.set(key, result.hour);
        line('error', `${counter}${first === undefined ? describeResult(result) : `${result.hour} failed: same error as ${first}`}`);
      } else if (result.status === 'missing') line('warn', `${counter}${describeResult(result)}`);
      // On a terminal the status line already counts downloads and skips.
      else if (!tty) line('info', `${counter}${describeResult(result)}`);
    },
    retry(event) {
      line('warn', describeRetry(event));
    },
    stop() {
      if (tty) clear();
    },
  };
}
