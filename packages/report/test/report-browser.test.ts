/**
 * The report in a real browser: Debian's Chromium, driven by playwright-core (never a browser that
 * Playwright downloads), opens the generated file from disk with every request but the file itself
 * blocked. Each chart must be drawn with exactly as many marks as its dataset has rows, the page
 * must make no request and log no error, its headline numbers must be what `ghlake query` prints,
 * and a full-page screenshot is written (GHLAKE_REPORT_SCREENSHOT_DIR keeps a copy, for the docs).
 *
 * Two reports: the quality lake (real hours, duplicates, quarantined lines, every calendar state)
 * and five weeks of generated silver (activity per day, weekly baselines).
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeReport, type CalendarHour, type ReportData } from '../src/index.js';
import { chromiumMissing, launchChromium, openFile, type Chromium, type OpenedPage } from './helpers/chromium.js';
import { generateSilver } from '../../../tools/generate-silver/generate.js';
import { generatedWeeksLake, qualityLake, SETTINGS, tempDir } from './helpers/lakes.js';
import { ghlakeQuery } from './helpers/query-cli.js';

const missing = chromiumMissing();
if (missing) console.warn(`report browser tests skipped: ${missing}`);

type Row = Record<string, unknown>;
const fmt = new Intl.NumberFormat('en-US');

function rowsOf(data: ReportData, name: string): Row[] {
  const d = data.datasets.find((x) => x.name === name);
  return d ? d.rows.map((r) => Object.fromEntries(d.columns.map((c, i) => [c.name, r[i]]))) : [];
}

/** What each figure must show: its mark count by Plot mark (aria-label), or that it is empty. */
function expectedFigures(data: ReportData): Record<string, { marks?: Record<string, number>; empty?: boolean }> {
  const rows = (name: string) => rowsOf(data, name);
  const out: Record<string, { marks?: Record<string, number>; empty?: boolean }> = {};
  const chart = (name: string, mark: string, n: number) => (out[name] = n ? { marks: { [mark]: n } } : { empty: true });
  chart('activity', 'rect', rows('activity').length);
  chart('bots', 'dot', rows('bots').length);
  for (const list of ['repos', 'actors', 'orgs']) chart(`top_${list}`, 'rect', rows(`top_${list}_trend`).length);
  for (const name of data.meta.repos) {
    const days = rows(`repo:${name}`);
    if (!days.length) continue;
    const nonNull = (...fields: string[]) => fields.reduce((n, f) => n + days.filter((d) => d[f] !== null).length, 0);
    out[`repo:${name}:stars`] = { marks: { rect: days.length } };
    out[`repo:${name}:forks`] = { marks: { rect: days.length } };
    out[`repo:${name}:pull_requests`] = { marks: { dot: nonNull('pull_requests_opened', 'pull_requests_merged', 'pull_requests_closed') } };
    out[`repo:${name}:issues`] = { marks: { dot: nonNull('issues_opened', 'issues_closed') } };
    out[`repo:${name}:unique_actors`] = { marks: { rect: days.length } };
    out[`repo:${name}:cumulative_stars`] = { marks: { dot: days.length } };
  }
  chart('calendar', 'cell', data.calendar.length);
  chart('quarantine', 'rect', rows('quarantine').length);
  chart('duplicates', 'rect', rows('duplicates').length);
  chart('capture', 'dot', rows('capture').filter((r) => r.capture !== null).length);
  chart('weekly', 'bar', rows('weekly').filter((r) => r.ratio !== null).length);
  return out;
}

/** Per figure: Plot marks drawn (elements under each `g[aria-label=<mark>]`, summed), and whether it shows its empty note. */
async function drawnFigures(page: OpenedPage['page']): Promise<Record<string, { marks: Record<string, number>; empty: boolean; error: string | null }>> {
  return (await page.evaluate(`(() => {
    const out = {};
    for (const fig of document.querySelectorAll('figure.chart')) {
      const marks = {};
      for (const g of fig.querySelectorAll('svg g[aria-label]')) {
        const label = g.getAttribute('aria-label');
        if (['rect', 'dot', 'cell', 'bar', 'line'].includes(label)) marks[label] = (marks[label] || 0) + g.children.length;
      }
      out[fig.dataset.chart] = { marks, empty: fig.querySelector('[data-empty]') !== null, error: fig.querySelector('.error')?.textContent ?? null };
    }
    return out;
  })()`)) as never;
}

async function readData(page: OpenedPage['page']): Promise<ReportData> {
  return JSON.parse((await page.evaluate(`document.getElementById('report-data').textContent`)) as string) as ReportData;
}

describe.skipIf(Boolean(missing))(`the report in headless Chromium${missing ? ` (skipped: ${missing})` : ''}`, () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let chromium: Chromium;

  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir('ghlake-report-browser-'));
    chromium = await launchChromium({ viewport: { width: 1280, height: 900 } });
  });
  afterAll(async () => {
    await chromium?.close();
    await cleanup();
  });

  async function reportOf(name: string, lake: string, range: { from: string; to: string; calendar: CalendarHour[] }, repos: string[]) {
    const out = path.join(dir, `${name}.html`);
    await writeReport({ lake, from: range.from as never, to: range.to as never, calendar: range.calendar, repos, gold: null, out, ...SETTINGS });
    const opened = await openFile(chromium, out);
    await opened.page.waitForSelector('main[data-ready="true"]', { timeout: 60_000 });
    const readyMs = (await opened.page.evaluate('window.__reportReadyMs')) as number;
    console.info(`${name}: ready ${readyMs.toFixed(0)} ms after navigation start (${(await fs.stat(out)).size} bytes)`);
    return { out, opened, data: await readData(opened.page) };
  }

  async function checkPage(name: string, lake: string, opened: OpenedPage, data: ReportData) {
    // no request but the file itself, no error
    expect(opened.requests).toEqual([{ url: expect.stringMatching(/^file:\/\/.*\.html$/), allowed: true }]);
    expect(opened.errors).toEqual([]);
    // every chart drawn, with one mark per row of its dataset (or its empty note when there is none)
    const drawn = await drawnFigures(opened.page);
    const expected = expectedFigures(data);
    expect(Object.keys(drawn).sort()).toEqual(Object.keys(expected).sort());
    for (const [chart, want] of Object.entries(expected)) {
      expect(drawn[chart]!.error, chart).toBeNull();
      expect(drawn[chart]!.empty, chart).toBe(Boolean(want.empty));
      for (const [mark, n] of Object.entries(want.marks ?? {})) expect(drawn[chart]!.marks[mark], `${chart} ${mark}`).toBe(n);
    }
    // the headline numbers are what ghlake query prints for the same SQL
    const sqlOf = (dataset: string) => data.datasets.find((d) => d.name === dataset)!.sql;
    const [summary] = await ghlakeQuery(lake, sqlOf('summary'));
    const quarantined = (await ghlakeQuery(lake, sqlOf('quarantine'))).reduce((n, r) => n + (r.lines as number), 0);
    const duplicates = (await ghlakeQuery(lake, sqlOf('duplicates'))).reduce((n, r) => n + (r.removed as number), 0);
    const kpi = async (key: string) => opened.page.textContent(`[data-kpi="${key}"] .value`);
    expect(await kpi('events')).toBe(fmt.format(summary!.events as number));
    expect(await kpi('actors')).toBe(fmt.format(summary!.actors as number));
    expect(await kpi('repos')).toBe(fmt.format(summary!.repos as number));
    expect(await kpi('quarantined')).toBe(fmt.format(quarantined));
    expect(await kpi('duplicates')).toBe(fmt.format(duplicates));
    // each top list shows ghlake query's rows, in its order
    for (const list of ['repos', 'actors', 'orgs']) {
      const queried = await ghlakeQuery(lake, sqlOf(`top_${list}`));
      const shown = (await opened.page.evaluate(
        `[...document.querySelectorAll('figure[data-chart="top_${list}"] tbody tr')].map((tr) => [tr.children[0].textContent, tr.children[1].textContent])`,
      )) as string[][];
      expect(shown, list).toEqual(queried.map((r) => [(r.name as string | null) ?? `#${r.id}`, fmt.format(r.events as number)]));
    }
    // the capture indicator says what it is, and what it is not
    expect(await opened.page.textContent('[data-note="capture"]')).toContain('An indicator comparable across hours, not absolute completeness.');
    // a screenshot for the docs
    const png = path.join(dir, `${name}.png`);
    await opened.page.screenshot({ path: png, fullPage: true });
    const bytes = await fs.readFile(png);
    expect(bytes.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
    expect(bytes.length).toBeGreaterThan(50_000);
    if (process.env.GHLAKE_REPORT_SCREENSHOT_DIR) await fs.copyFile(png, path.join(process.env.GHLAKE_REPORT_SCREENSHOT_DIR, `${name}.png`));
  }

  it('the quality lake (real hours): every chart drawn offline, mark for row, numbers as ghlake query prints them', async () => {
    const lake = path.join(dir, 'quality-lake');
    const range = await qualityLake(lake);
    const { opened, data } = await reportOf('report-quality', lake, range, ['cachethq/Cachet', 'nobody/nothing']);
    expect(data.meta.activityGrain).toBe('hour');
    await checkPage('report-quality', lake, opened, data);
    // the calendar draws each hour in its state's colour: 4 present-or-damaged hours of 19, one failed, one not yet run
    const fills = (await opened.page.evaluate(
      `[...document.querySelectorAll('figure[data-chart="calendar"] g[aria-label="cell"] rect')].map((r) => r.getAttribute('fill'))`,
    )) as string[];
    const count = (colour: string) => fills.filter((f) => f === colour).length;
    expect([count('#3a9c5a'), count('#e39b2d'), count('#b9bec7'), count('#d64545'), count('#eef0f3')]).toEqual([3, 1, 13, 1, 1]);
    // a repository not in the lake says so instead of drawing empty charts
    expect(await opened.page.textContent('[data-repo="nobody/nothing"] [data-empty]')).toContain('no events of a repository of that name');
    await opened.page.close();
  });

  it('a lake with silver but no gold yet: the page says so, top lists are empty notes, the rest is drawn', async () => {
    const lake = path.join(dir, 'no-gold-lake');
    const generated = await generateSilver({ lake, events: 6 * 100, eventsPerHour: 100, start: '2024-06-03-0', threads: 2, memoryLimit: '256MB' });
    const calendar = generated.hours.map((hour): CalendarHour => ({ hour, state: 'present' }));
    const { opened, data } = await reportOf('report-no-gold', lake, { from: generated.hours[0]!, to: generated.hours.at(-1)!, calendar }, []);
    expect(data.meta.goldVersion).toBeNull();
    expect(await opened.page.textContent('[data-note="no-gold"]')).toContain('The lake has no gold yet');
    await checkPage('report-no-gold', lake, opened, data);
    expect((await drawnFigures(opened.page)).top_repos).toMatchObject({ empty: true });
    await opened.page.close();
  });

  it('five weeks of generated silver: activity per day, weekly baselines, every chart drawn offline', async () => {
    const lake = path.join(dir, 'weeks-lake');
    const range = await generatedWeeksLake(lake);
    const { opened, data } = await reportOf('report-weeks', lake, range, ['owner1/repo1']);
    expect([data.meta.activityGrain, data.meta.trendGrain]).toEqual(['day', 'day']);
    expect(rowsOf(data, 'weekly').filter((r) => r.ratio !== null).length).toBeGreaterThan(200); // the second Monday against the first
    await checkPage('report-weeks', lake, opened, data);
    await opened.page.close();
  });
});
