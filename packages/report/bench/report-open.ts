/**
 * How long `ghlake report` takes to write, and the page to open, on the README's demo lake and on
 * a generated month — through the real CLI (a child process, as users run it) and Debian's
 * headless Chromium.
 *
 *   npx nx run report:bench-open      (env: GHLAKE_BENCH_RUNS=5, GHLAKE_BENCH_DIR=/tmp/ghlake-report-bench,
 *                                      GHLAKE_BENCH_EVENTS_PER_HOUR=20000, GHLAKE_BENCH_DAYS=30)
 *
 * Demo lake: the fixture hours 2015-01-01-0..15 served by tools/mirror and made by `ghlake run`
 * (hours 1-14 missing), reported with --repo cachethq/Cachet. Month: tools/generate-silver writes
 * GHLAKE_BENCH_DAYS days of silver from 2024-06-01-0 (cached in the bench dir), `ghlake gold`
 * builds gold, `ghlake report` the page (with the busiest repository as --repo).
 *
 * Measured: the report command's own time (its --json `ms`: SQL over the warehouse + rendering +
 * writing) and wall time including Node's start; then each page opened `runs` times in a fresh tab
 * with the network blocked: "ready" is navigation start to every chart drawn and painted (the page
 * sets data-ready after two animation frames), "load" the load event. Medians.
 */
import { spawn } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { generateSilver } from '../../../tools/generate-silver/generate.js';
import { startMirror } from '../../../tools/mirror/server.js';
import { GHARCHIVE_FIXTURES } from '../../core/test/fixtures/gharchive.js';
import { chromiumMissing, launchChromium, openFile } from '../test/helpers/chromium.js';

const RUNS = Number(process.env.GHLAKE_BENCH_RUNS ?? 5);
const DIR = process.env.GHLAKE_BENCH_DIR ?? '/tmp/ghlake-report-bench';
const EVENTS_PER_HOUR = Number(process.env.GHLAKE_BENCH_EVENTS_PER_HOUR ?? 20_000);
const DAYS = Number(process.env.GHLAKE_BENCH_DAYS ?? 30);
const GHLAKE = path.resolve(import.meta.dirname, '../../pipeline/bin/ghlake.mjs');

function ghlake(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [GHLAKE, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, GHLAKE_LOG_LEVEL: 'warn' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('exit', (code) => resolve({ code, stdout, stderr, ms: performance.now() - started }));
  });
}

async function must(args: string[]) {
  const r = await ghlake(args);
  if (r.code !== 0) throw new Error(`ghlake ${args.join(' ')} exited ${r.code}\n${r.stderr}`);
  return r;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

async function demoLake(): Promise<string> {
  const lake = path.join(DIR, 'demo-lake');
  await fs.rm(lake, { recursive: true, force: true });
  const mirror = await startMirror({ root: GHARCHIVE_FIXTURES.dir });
  try {
    await must(['run', '--from', '2015-01-01-0', '--to', '2015-01-01-15', '--base-url', mirror.url, '--lake', lake, '--no-report']);
  } finally {
    await mirror.close();
  }
  return lake;
}

async function monthLake(): Promise<string> {
  const lake = path.join(DIR, `month-${DAYS}d-${EVENTS_PER_HOUR}`);
  if (!existsSync(path.join(lake, 'gold'))) {
    await fs.rm(lake, { recursive: true, force: true });
    const t0 = performance.now();
    const g = await generateSilver({
      lake,
      events: DAYS * 24 * EVENTS_PER_HOUR,
      eventsPerHour: EVENTS_PER_HOUR,
      start: '2024-06-01-0',
      threads: 2,
      memoryLimit: '2GB',
    });
    console.error(`generated ${g.events.toLocaleString('en-US')} events in ${g.hours.length} hours: ${((performance.now() - t0) / 1000).toFixed(0)} s`);
    const gold = await must(['gold', '--lake', lake, '--threads', '2']);
    console.error(`ghlake gold: ${(gold.ms / 1000).toFixed(0)} s`);
  }
  return lake;
}

async function measure(name: string, lake: string, extra: string[]) {
  const out = path.join(DIR, `${name.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '')}.html`);
  const commandMs: number[] = [];
  const wallMs: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const r = await must(['report', '--lake', lake, '--out', out, '--json', '--threads', '2', ...extra]);
    commandMs.push((JSON.parse(r.stdout) as { ms: number }).ms);
    wallMs.push(r.ms);
  }
  const { size } = await fs.stat(out);
  const browser = await launchChromium();
  const ready: number[] = [];
  const load: number[] = [];
  try {
    for (let i = 0; i < RUNS; i++) {
      const opened = await openFile(browser, out);
      await opened.page.waitForSelector('main[data-ready="true"]', { timeout: 60_000 });
      if (opened.errors.length || opened.requests.length !== 1)
        throw new Error(`${name}: ${JSON.stringify({ errors: opened.errors, requests: opened.requests })}`);
      ready.push((await opened.page.evaluate('window.__reportReadyMs')) as number);
      load.push((await opened.page.evaluate(`performance.getEntriesByType('navigation')[0].loadEventEnd`)) as number);
      await opened.page.close();
    }
  } finally {
    await browser.close();
  }
  return { name, size, commandMs: median(commandMs), wallMs: median(wallMs), readyMs: median(ready), loadMs: median(load) };
}

async function main() {
  const missing = chromiumMissing();
  if (missing) throw new Error(missing);
  await fs.mkdir(DIR, { recursive: true });
  const rows = [];
  rows.push(await measure('demo lake (2015-01-01-0..15, 19,053 events)', await demoLake(), ['--repo', 'cachethq/Cachet']));
  const month = await monthLake();
  const top = await must(['query', '--lake', month, '--format', 'csv', 'select repo_name from gold.repo_metrics order by total_events desc, repo_id limit 1']);
  const repo = top.stdout.trim().split('\n')[1]!;
  rows.push(await measure(`generated month (${DAYS} days × ${EVENTS_PER_HOUR.toLocaleString('en-US')} events/hour)`, month, ['--repo', repo]));
  console.log(`ghlake report, medians of ${RUNS}`);
  console.log('| lake | report file | ghlake report (in-process) ms | ghlake report (wall, with Node start) ms | page ready ms | load event ms |');
  console.log('|---|---|---|---|---|---|');
  for (const r of rows)
    console.log(
      `| ${r.name} | ${(r.size / 1024).toFixed(0)} KiB | ${r.commandMs.toFixed(0)} | ${r.wallMs.toFixed(0)} | ${r.readyMs.toFixed(0)} | ${r.loadMs.toFixed(0)} |`,
    );
}

await main();
