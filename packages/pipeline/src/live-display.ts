/**
 * The live terminal display of `ghlake run`: at most five lines on stderr, redrawn in place
 * (ANSI cursor-up + clear-line) at most ten times a second. Log lines that arrive meanwhile
 * are printed above it. Lines are cut to the terminal width: a wrapped line would break the
 * cursor arithmetic.
 */
import { formatByteRate, formatBytes, formatCount, formatDuration, formatRate } from '@ghlake/core';
import type { ProgressSnapshot } from './progress.js';

const ESC = '\x1b[';
const FRAME_MS = 100;

export function renderProgress(s: ProgressSnapshot, title: string): string[] {
  const dl = s.download;
  const tf = s.transform;
  const stages = s.activeStages.length ? s.activeStages.join(' + ') : s.elapsedMs < 1000 ? 'starting' : 'finishing';
  const skipped = s.upToDate ? `, ${s.upToDate} up to date` : '';
  const settled = dl.done + dl.missing + dl.failed;
  // Hours that can still be transformed: those not missing and not failed to download.
  const transformable = Math.max(0, s.toProcess - dl.missing - dl.failed);
  const lines = [
    `${title}  [${formatDuration(s.elapsedMs)}]`,
    `  download   ${settled}/${s.toProcess} hours  ${formatBytes(dl.bytes)}  ${formatByteRate(dl.bytesPerSec)}` +
      `${dl.missing ? `  ${dl.missing} missing` : ''}${dl.failed ? `  ${dl.failed} failed` : ''}`,
    `  transform  ${tf.done}/${transformable} hours${tf.inFlight ? ` (+${tf.inFlight} running)` : ''}  ${formatCount(tf.events)} events  ${formatRate(tf.eventsPerSec, 'events')}` +
      `${tf.quarantined ? `  ${formatCount(tf.quarantined)} quarantined` : ''}${tf.failed ? `  ${tf.failed} failed` : ''}`,
    `  stage      ${stages}${skipped}  ETA ${s.etaMs === undefined ? '–' : formatDuration(s.etaMs)}`,
  ];
  return lines;
}

export interface TerminalStream {
  write(chunk: string): boolean;
  columns?: number;
}

export class LiveDisplay {
  private readonly out: TerminalStream;
  private readonly render: () => string[];
  private drawn = 0;
  private timer: NodeJS.Timeout | undefined;
  private lastFrame = '';

  constructor(out: TerminalStream, render: () => string[]) {
    this.out = out;
    this.render = render;
  }

  start(): void {
    this.out.write(`${ESC}?25l`); // hide the cursor while we redraw
    this.draw();
    this.timer = setInterval(() => this.draw(), FRAME_MS);
    this.timer.unref();
  }

  /** Print a line above the display. */
  log(line: string): void {
    this.clear();
    this.out.write(`${line}\n`);
    this.drawn = 0;
    this.lastFrame = '';
    if (this.timer) this.draw();
  }

  /** The display is wiped (the summary that follows says it all); the cursor comes back. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.clear();
    this.drawn = 0;
    this.out.write(`${ESC}?25h`);
  }

  private clear(): void {
    if (this.drawn === 0) return;
    let s = `${ESC}${this.drawn}A`;
    for (let i = 0; i < this.drawn; i++) s += `\r${ESC}2K\n`;
    s += `${ESC}${this.drawn}A`;
    this.out.write(s);
  }

  private draw(force = false): void {
    const width = Math.max(20, (this.out.columns ?? 100) - 1);
    const lines = this.render().map((l) => (l.length > width ? `${l.slice(0, width - 1)}…` : l));
    const frame = lines.join('\n');
    if (!force && frame === this.lastFrame) return;
    let s = this.drawn ? `${ESC}${this.drawn}A` : '';
    for (const line of lines) s += `\r${ESC}2K${line}\n`;
    // If the new frame is shorter, wipe the leftover lines below it.
    for (let i = lines.length; i < this.drawn; i++) s += `\r${ESC}2K\n`;
    if (this.drawn > lines.length) s += `${ESC}${this.drawn - lines.length}A`;
    this.out.write(s);
    this.drawn = lines.length;
    this.lastFrame = frame;
  }
}
