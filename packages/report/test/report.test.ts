/**
 * `writeReport` on a lake made from real hours by the real transform and gold (helpers/lakes.ts:
 * hours 0 and 15 of 2015-01-01, hour 15 filed again as 16, and an hour 17 of copied and broken
 * lines). What the page holds is checked three ways: every dataset equals what `ghlake query`
 * prints for the same SQL; the figures that can be counted by hand are; and the file stands alone.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeReport, type ReportData, type ReportResult } from '../src/index.js';
import { REPORT_CSP, scriptJson } from '../src/render-html.js';
import { DEFECTS_2015_01_01_17, qualityLake, SETTINGS, tempDir } from './helpers/lakes.js';
import { ghlakeQuery } from './helpers/query-cli.js';

let dir: string;
let cleanup: () => Promise<void>;
let lake: string;
let result: ReportResult;
let html: string;

/** The data the page carries, read back out of the HTML file. */
export function embeddedData(page: string): ReportData {
  const match = /<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(page);
  if (!match) throw new Error('no report data in the page');
  return JSON.parse(match[1]!) as ReportData;
}

const objects = (d: ReportData['datasets'][number]) => d.rows.map((r) => Object.fromEntries(d.columns.map((c, i) => [c.name, r[i]])));
const dataset = (name: string) => result.data.datasets.find((d) => d.name === name)!;

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('ghlake-report-'));
  lake = path.join(dir, 'lake');
  const { from, to, calendar } = await qualityLake(lake);
  result = await writeReport({
    lake,
    from,
    to,
    repos: ['cachethq/Cachet', 'zendframework/zf2', 'nobody/nothing'],
    calendar,
    gold: { builtAt: '2026-12-07T00:00:00.000Z', hours: 4, current: true },
    out: path.join(dir, 'out', 'report.html'),
    ...SETTINGS,
  });
  html = await fs.readFile(result.path, 'utf8');
});
afterAll(async () => cleanup());

describe('ghlake report data', () => {
  it('every dataset in the page is exactly what ghlake query prints for its SQL', async () => {
    const page = embeddedData(html);
    expect(page.datasets.map((d) => d.name)).toEqual([
      'summary',
      'activity',
      'bots',
      'top_repos',
      'top_repos_trend',
      'top_actors',
      'top_actors_trend',
      'top_orgs',
      'top_orgs_trend',
      'repo:cachethq/Cachet',
      'repo:zendframework/zf2',
      'repo:nobody/nothing',
      'quarantine',
      'duplicates',
      'capture',
      'weekly',
    ]);
    for (const d of page.datasets) expect(await ghlakeQuery(lake, d.sql), d.name).toEqual(objects(d));
  });

  it('counts what can be counted by hand: 19,053 distinct events, hour 16 all copies, hour 17 five broken lines', () => {
    expect(objects(dataset('summary'))).toEqual([expect.objectContaining({ events: 7_702 + 11_351 })]);
    expect(objects(dataset('duplicates'))).toEqual([
      { source_hour: '2015-01-01 16:00:00', removed: 11_351 },
      { source_hour: '2015-01-01 17:00:00', removed: 300 },
    ]);
    expect(objects(dataset('quarantine'))).toEqual(
      Object.entries(DEFECTS_2015_01_01_17)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([reason, lines]) => ({ source_hour: '2015-01-01 17:00:00', reason, lines })),
    );
    // events per type per event hour: hour 15's are SOURCES.md's hand count
    const h15 = objects(dataset('activity')).filter((r) => r.bucket === '2015-01-01 15:00:00');
    expect(Object.fromEntries(h15.map((r) => [r.event_type, r.events]))).toMatchObject({
      PushEvent: 5_815,
      WatchEvent: 1_230,
      PullRequestEvent: 474,
      PublicEvent: 2,
    });
    expect(h15.length + objects(dataset('activity')).filter((r) => r.bucket === '2015-01-01 00:00:00').length).toBe(objects(dataset('activity')).length);
  });

  it('top lists and repositories come from the day-grain gold tables over the whole day', () => {
    expect(objects(dataset('top_repos')).slice(0, 3)).toEqual([
      { id: 21481110, name: 'KenanSulayman/heartbeat', events: 159, pushes: 159, stars: 0, pull_requests_opened: 0, comments: 0 },
      { id: 702550, name: 'zendframework/zf2', events: 64, pushes: 7, stars: 0, pull_requests_opened: 0, comments: 54 },
      { id: 6058234, name: 'sakai-mirror/melete', events: 60, pushes: 60, stars: 0, pull_requests_opened: 0, comments: 0 },
    ]);
    // the trend of each top repository adds up to its total (hourly points, as the range is one day)
    const trend = objects(dataset('top_repos_trend'));
    for (const top of objects(dataset('top_repos')))
      expect(trend.filter((t) => t.id === top.id).reduce((n, t) => n + (t.events as number), 0)).toBe(top.events);
    expect(objects(dataset('repo:cachethq/Cachet'))).toEqual([
      expect.objectContaining({ name: 'cachethq/Cachet', day: '2015-01-01', total_events: 41, stars: 21, forks: 2, unique_actors: 26, cumulative_stars: 21 }),
    ]);
    expect(dataset('repo:nobody/nothing').rows).toEqual([]);
  });

  it('the calendar is the one given, hour by hour', () => {
    expect(result.data.calendar.map((c) => c.state).join(' ')).toBe(
      'present missing missing missing missing failed missing missing missing missing missing missing missing missing missing present present damaged not_run',
    );
  });
});

describe('the HTML file', () => {
  it('stands alone: scripts, styles and data inline, nothing to fetch, a policy that forbids fetching', () => {
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="${REPORT_CSP}">`);
    expect(REPORT_CSP).toMatch(/^default-src 'none';/);
    expect(html).not.toMatch(/<script[^>]+src=|<link[\s>]|<img[^>]+src=|<iframe|<object|<embed/i);
    const css = /<style>([\s\S]*?)<\/style>/.exec(html)![1]!;
    expect(css).not.toMatch(/@import|url\(/i);
    expect(html.match(/<script data-source="[^"]+">/g)).toEqual([
      '<script data-source="d3">',
      '<script data-source="@observablehq/plot">',
      '<script data-source="ghlake report page">',
    ]);
    expect(result.bytes).toBe(Buffer.byteLength(html));
  });

  it('keeps data that looks like markup inert inside its script element', () => {
    const hostile = { name: '</script><script>alert(1)</script><!--', line: '\u2028' };
    const text = scriptJson(hostile);
    expect(text).not.toMatch(/<|>|\u2028/);
    expect(JSON.parse(text)).toEqual(hostile);
  });
});
