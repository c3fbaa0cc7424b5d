import { describe, expect, it } from 'vitest';
import type { HourKey } from '@ghlake/core';
import { LiveDisplay, renderProgress } from '../src/live-display.js';
import { RunProgress } from '../src/progress.js';

const h = (n: number) => `2015-01-01-${n}` as HourKey;

/** A terminal that records what was written. */
function terminal(columns = 80) {
  const chunks: string[] = [];
  return { columns, chunks, write: (c: string) => (chunks.push(c), true) };
}

/** Replay ANSI output onto a screen of lines: enough of a terminal to see what a user sees. */
function screen(output: string): string[] {
  const lines: string[] = [''];
  let row = 0;
  for (let i = 0; i < output.length;) {
    // eslint-disable-next-line no-control-regex -- matching the terminal's escape sequences is the point
    const esc = /^\x1b\[(\??\d*)([A-Za-z])/.exec(output.slice(i));
    if (esc) {
      if (esc[2] === 'A') row = Math.max(0, row - Number(esc[1] || 1));
      if (esc[2] === 'K') lines[row] = '';
      i += esc[0].length;
      continue;
    }
    const ch = output[i++]!;
    if (ch === '\n') {
      row++;
      if (lines[row] === undefined) lines[row] = '';
    } else if (ch === '\r') {
      /* column 0: lines are only ever rewritten whole after a clear */
    } else lines[row] = (lines[row] ?? '') + ch;
  }
  // Cleared lines below the cursor are blank and get overwritten by what comes next.
  while (lines.length && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

describe('progress', () => {
  it('counts hours per stage, bytes, events and rates from run events', () => {
    const p = new RunProgress(0);
    p.apply({ type: 'plan', total: 4, toProcess: 3, upToDate: 1, redo: [] }, 0);
    p.apply({ type: 'stage-start', stage: 'download' }, 0);
    p.apply({ type: 'download-bytes', bytes: 2_000_000 }, 500);
    p.apply({ type: 'hour-download', hour: h(0), status: 'downloaded', bytes: 2_000_000 }, 500);
    p.apply({ type: 'hour-download', hour: h(1), status: 'missing', bytes: 0 }, 600);
    p.apply({ type: 'hour-transform-start', hour: h(0) }, 600);
    p.apply({ type: 'download-bytes', bytes: 2_000_000 }, 1000);
    p.apply({ type: 'hour-transform', hour: h(0), status: 'transformed', events: 10_000, quarantined: 3, ms: 400 }, 1000);
    const s = p.snapshot(1000);
    expect(s.download).toEqual({ done: 1, missing: 1, failed: 0, bytes: 4_000_000, bytesPerSec: 4_000_000 });
    expect(s.transform).toMatchObject({ done: 1, inFlight: 0, events: 10_000, eventsPerSec: 10_000, quarantined: 3 });
    expect(s.activeStages).toEqual(['download']);
    // 2 of 3 hours settled, 1 left at 400 ms per transformed hour since the first began.
    expect(s.etaMs).toBe(400);
  });

  it('renders at most five lines that name stage, hours, bytes, events/s and ETA', () => {
    const p = new RunProgress(0);
    p.apply({ type: 'plan', total: 24, toProcess: 24, upToDate: 0, redo: [] }, 0);
    p.apply({ type: 'stage-start', stage: 'download' }, 0);
    p.apply({ type: 'stage-start', stage: 'transform' }, 0);
    p.apply({ type: 'download-bytes', bytes: 37_000_000 }, 2000);
    const lines = renderProgress(p.snapshot(2000), 'ghlake run 2015-01-01-0..2015-01-01-23');
    expect(lines.length).toBeLessThanOrEqual(5);
    expect(lines.join('\n')).toMatch(/download\s+0\/24 hours\s+37\.0 MB\s+18\.5 MB\/s/);
    expect(lines.join('\n')).toMatch(/stage\s+download \+ transform/);
    expect(lines.join('\n')).toContain('ETA');
  });
});

describe('live display', () => {
  it('redraws in place: the screen holds log lines above one frame, never stacked frames', () => {
    const t = terminal();
    let n = 0;
    const display = new LiveDisplay(t, () => [`frame ${n}`, `line two ${n}`]);
    display.start();
    n = 1;
    display.log('warn something happened');
    n = 2;
    expect(screen(t.chunks.join(''))).toEqual(['warn something happened', 'frame 1', 'line two 1']);
    display.log('info second');
    expect(screen(t.chunks.join(''))).toEqual(['warn something happened', 'info second', 'frame 2', 'line two 2']);
    display.stop();
    const out = t.chunks.join('');
    expect(out).toContain('\x1b[?25l');
    expect(out.endsWith('\x1b[?25h')).toBe(true);
    // The live block is wiped at the end: the summary printed next replaces it.
    expect(screen(out)).toEqual(['warn something happened', 'info second']);
  });

  it('cuts lines to the terminal width so they never wrap', () => {
    const t = terminal(30);
    const display = new LiveDisplay(t, () => ['x'.repeat(100)]);
    display.start();
    const lines = screen(t.chunks.join(''));
    expect(lines).toHaveLength(1);
    expect(lines[0]!.length).toBeLessThan(30);
    display.stop();
  });
});
