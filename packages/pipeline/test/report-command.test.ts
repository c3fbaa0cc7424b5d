/**
 * `ghlake report` and the report at the end of `ghlake run`, through the real CLI as a child
 * process, on real hour slices served by the local mirror: the calendar comes from the run's
 * manifest checked against the files (present, missing at the source, failed, not yet run), and
 * what the page holds is what the lake holds.
 */
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HourKey } from '@ghlake/core';
import type { ReportData } from '@ghlake/report';
import { startMirror, type Mirror } from '../../../tools/mirror/server.js';
import { calendarHour } from '../src/report-command.js';
import { runGhlake } from './helpers/ghlake-process.js';
import { writeSlicedHours } from './helpers/sliced-hours.js';

let work: string;
let mirror: Mirror;
let lake: string;

async function pageData(file: string): Promise<ReportData> {
  const html = await fs.readFile(file, 'utf8');
  return JSON.parse(/<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(html)![1]!) as ReportData;
}
const states = (data: ReportData) => data.calendar.map((c) => `${c.hour.slice(11)}:${c.state}`).join(' ');
const rows = (data: ReportData, name: string) => {
  const d = data.datasets.find((x) => x.name === name)!;
  return d.rows.map((r) => Object.fromEntries(d.columns.map((c, i) => [c.name, r[i]])));
};

beforeAll(async () => {
  work = await fs.mkdtemp(path.join(tmpdir(), 'ghlake-report-cmd-'));
  const mirrorDir = path.join(work, 'mirror');
  await writeSlicedHours(mirrorDir); // 0-2 from the real hour 0 (20 lines shared by 0 and 1), 15; 3-14 are 404s
  mirror = await startMirror({ root: mirrorDir });
  // hour 2 fails at the server: a 500 every time
  mirror.setFaults({ '2015-01-01-2': { status: { code: 500 } } });
  lake = path.join(work, 'lake');
});
afterAll(async () => {
  await mirror?.close();
  await fs.rm(work, { recursive: true, force: true });
});

describe('the calendar state of an hour', () => {
  const h = '2015-01-01-7' as HourKey;
  it('follows the observed state; an hour with no record but a silver partition is present', () => {
    expect(calendarHour({ hour: h, state: 'transformed' }, true)).toEqual({ hour: h, state: 'present' });
    expect(calendarHour({ hour: h, state: 'loaded', damaged: 'GHLAKE_GZIP_TRUNCATED: unexpected end' }, true)).toEqual({
      hour: h,
      state: 'damaged',
      note: 'GHLAKE_GZIP_TRUNCATED: unexpected end',
    });
    expect(calendarHour({ hour: h, state: 'missing' }, false)).toMatchObject({ state: 'missing' });
    expect(calendarHour({ hour: h, state: 'failed', error: { stage: 'download', code: 'GHLAKE_HTTP_STATUS', message: 'HTTP 500' } }, false)).toEqual({
      hour: h,
      state: 'failed',
      note: 'download GHLAKE_HTTP_STATUS: HTTP 500',
    });
    expect(calendarHour({ hour: h, state: 'incomplete' }, false)).toMatchObject({ state: 'not_run' });
    expect(calendarHour({ hour: h, state: 'downloaded' }, false)).toEqual({ hour: h, state: 'not_run', note: 'downloaded, not transformed yet' });
    expect(calendarHour({ hour: h, state: 'pending' }, false)).toEqual({ hour: h, state: 'not_run' });
    expect(calendarHour({ hour: h, state: 'pending' }, true)).toMatchObject({ state: 'present' });
  });
});

describe('ghlake run, then ghlake report', () => {
  it('ghlake run ends with the path of the report of its hours, whose calendar is the manifest checked against the files', async () => {
    const r = await runGhlake([
      'run',
      '--from',
      '2015-01-01-0',
      '--to',
      '2015-01-01-4',
      '--base-url',
      mirror.url,
      '--lake',
      lake,
      '--retries',
      '0',
      '--threads',
      '2',
    ]);
    expect(r.code, r.stderr).toBe(1); // hour 2 failed
    const file = path.join(lake, 'report.html');
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe(`report: ${file}`);
    const data = await pageData(file);
    expect(states(data)).toBe('0:present 1:present 2:failed 3:missing 4:missing');
    expect(data.calendar[2]!.note).toMatch(/^download GHLAKE_HTTP_STATUS: /);
    // hours 0 and 1 share 20 lines: the copies in hour 1 were removed, and the page says so
    expect(rows(data, 'duplicates')).toEqual([{ source_hour: '2015-01-01 01:00:00', removed: 20 }]);
    expect(rows(data, 'summary')[0]!.events).toBe(780);
  });

  it('--no-report leaves the report alone', async () => {
    const file = path.join(lake, 'report.html');
    const before = (await fs.stat(file)).mtimeMs;
    const r = await runGhlake(['run', '--from', '2015-01-01-0', '--to', '2015-01-01-1', '--base-url', mirror.url, '--lake', lake, '--no-report']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toContain('report:');
    expect((await fs.stat(file)).mtimeMs).toBe(before);
  });

  it('ghlake report covers what it is asked (hours never run are "not yet run") and prints where it wrote', async () => {
    const out = path.join(work, 'reports', 'r.html');
    const r = await runGhlake(['report', '--lake', lake, '--from', '2015-01-01-0', '--to', '2015-01-01-6', '--repo', 'nobody/nothing', '--out', out, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ path: out, datasets: { 'repo:nobody/nothing': 0 } });
    expect(r.stderr).toContain('warning: no events of a repository named nobody/nothing in 2015-01-01 .. 2015-01-01');
    expect(states(await pageData(out))).toBe('0:present 1:present 2:failed 3:missing 4:missing 5:not_run 6:not_run');
    // with no range: every hour the lake knows
    const all = await runGhlake(['report', '--lake', lake]);
    expect(all.stdout.trim()).toBe(path.join(lake, 'report.html'));
    expect(states(await pageData(path.join(lake, 'report.html')))).toBe('0:present 1:present 2:failed 3:missing 4:missing');
  });

  it('refuses a bad --repo and a lake that does not exist, naming the option (exit 2)', async () => {
    const bad = await runGhlake(['report', '--lake', lake, '--repo', 'not a repo']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--repo has invalid value 'not a repo'");
    const none = await runGhlake(['report', '--lake', path.join(work, 'no-such-lake')]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('--lake');
  });
});
