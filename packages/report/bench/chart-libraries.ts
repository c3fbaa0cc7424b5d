/**
 * Which charting library `ghlake report` inlines: bundle size and render time of the candidates
 * (Apache ECharts, Vega-Lite, Observable Plot) on 10,000 points, in headless Debian Chromium.
 *
 *   npx nx run report:bench            (env: GHLAKE_BENCH_RUNS=7, GHLAKE_CHROMIUM_PATH=/usr/bin/chromium)
 *
 * Each candidate gets a self-contained page (its browser bundle inline, like the report) with two
 * charts of 10,000 points each: a line of 10,000 (time, value) points and bars stacked by 14 event
 * types over 720 hours (10,080 bars: the report's main chart on a month). Measured in the page:
 *   - eval ms:   evaluating the library's script (parse + run), what every open of a report pays;
 *   - line ms / stacked ms: from the library call to two animation frames later (drawn and painted);
 *   - ready ms:  navigation start to both charts painted.
 * Each page opens `runs` times in a fresh tab (medians reported). Sizes are the minified files
 * inlined and their gzip -9 size (what a report grows by).
 */
import { promises as fs, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { packageFile, packageVersion } from '../src/assets.js';
import { chromiumMissing, launchChromium, openFile } from '../test/helpers/chromium.js';

const RUNS = Number(process.env.GHLAKE_BENCH_RUNS ?? 7);

interface Candidate {
  name: string;
  version: string;
  /** Files inlined, in order. */
  files: string[];
  /** Page script: `render(lineData, stacked)` drawing into #line and #stacked, resolving when done. */
  render: string;
}

const pkgVersion = packageVersion;

const ECHARTS = (renderer: 'canvas' | 'svg'): Candidate => ({
  name: `Apache ECharts (${renderer})`,
  version: pkgVersion('echarts'),
  files: [packageFile('echarts', 'dist/echarts.min.js')],
  render: `async function render(line, stacked) {
    const a = echarts.init(document.getElementById('line'), null, { renderer: '${renderer}' });
    a.setOption({ animation: false, xAxis: { type: 'time' }, yAxis: { type: 'value', scale: true },
      series: [{ type: 'line', showSymbol: false, data: line.map((p) => [p.t, p.v]) }] });
    const b = echarts.init(document.getElementById('stacked'), null, { renderer: '${renderer}' });
    b.setOption({ animation: false, xAxis: { type: 'category', data: stacked.hours }, yAxis: { type: 'value' },
      series: stacked.types.map((type, i) => ({ type: 'bar', name: type, stack: 'all', large: false, data: stacked.values[i] })) });
  }`,
});

const VEGA_LITE = (renderer: 'canvas' | 'svg'): Candidate => ({
  name: `Vega-Lite (${renderer})`,
  version: `${pkgVersion('vega-lite')} + vega ${pkgVersion('vega')}`,
  files: [packageFile('vega', 'build/vega.min.js'), packageFile('vega-lite', 'build/vega-lite.min.js')],
  render: `async function render(line, stacked) {
    const view = (el, spec) => new vega.View(vega.parse(vegaLite.compile(spec).spec), { renderer: '${renderer}', container: el }).runAsync();
    await view('#line', { width: 560, height: 260, data: { values: line }, mark: 'line',
      encoding: { x: { field: 't', type: 'temporal' }, y: { field: 'v', type: 'quantitative', scale: { zero: false } } } });
    const rows = [];
    stacked.types.forEach((type, i) => stacked.values[i].forEach((n, h) => rows.push({ hour: h, type, n })));
    await view('#stacked', { width: 560, height: 260, data: { values: rows }, mark: 'bar',
      encoding: { x: { field: 'hour', type: 'ordinal', axis: null }, y: { field: 'n', type: 'quantitative', stack: true }, color: { field: 'type' } } });
  }`,
});

const PLOT: Candidate = {
  name: 'Observable Plot (svg)',
  version: `${pkgVersion('@observablehq/plot')} + d3 ${pkgVersion('d3')}`,
  files: [packageFile('d3', 'dist/d3.min.js'), packageFile('@observablehq/plot', 'dist/plot.umd.min.js')],
  render: `async function render(line, stacked) {
    document.getElementById('line').append(Plot.plot({ width: 600, height: 300, marks: [Plot.lineY(line, { x: (d) => new Date(d.t), y: 'v' })] }));
    const rows = [];
    stacked.types.forEach((type, i) => stacked.values[i].forEach((n, h) => rows.push({ hour: h, type, n })));
    document.getElementById('stacked').append(Plot.plot({ width: 600, height: 300, x: { axis: null },
      marks: [Plot.barY(rows, Plot.stackY({ x: 'hour', y: 'n', fill: 'type' }))] }));
  }`,
};

/** Deterministic data: a random walk of 10,000 points and 14 × 720 stacked counts. */
function data() {
  let seed = 42;
  const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  let v = 100;
  const line = Array.from({ length: 10_000 }, (_, i) => ({ t: Date.UTC(2024, 5, 1) + i * 60_000, v: (v += rand() - 0.5) }));
  const types = Array.from({ length: 14 }, (_, i) => `Type${i}`);
  const hours = Array.from({ length: 720 }, (_, h) => `h${h}`);
  const values = types.map((_, i) => hours.map(() => Math.round(rand() * 1000 * (14 - i))));
  return { line, stacked: { types, hours, values } };
}

function page(candidate: Candidate, json: string): string {
  const libs = candidate.files.map((f) => `<script>${readFileSync(f, 'utf8').replaceAll('</script', '<\\/script')}</script>`).join('\n');
  return `<!doctype html><html><head><meta charset="utf-8"><style>#line,#stacked{width:600px;height:300px}</style></head><body>
<div id="line"></div><div id="stacked"></div>
<script>window.__evalStart = performance.now();</script>
${libs}
<script>window.__evalMs = performance.now() - window.__evalStart;</script>
<script>
const DATA = ${json};
${candidate.render}
const frames = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
(async () => {
  const t0 = performance.now();
  await render(DATA.line, { types: DATA.stacked.types, hours: DATA.stacked.hours, values: DATA.stacked.values });
  await frames();
  const t1 = performance.now();
  window.__result = { evalMs: window.__evalMs, totalRenderMs: t1 - t0, readyMs: t1 };
})();
</script></body></html>`;
}

/** Split timing: render each chart alone, so line and stacked times are separate. */
function pageOne(candidate: Candidate, json: string, which: 'line' | 'stacked'): string {
  return page(candidate, json).replace(
    'await render(DATA.line, { types: DATA.stacked.types, hours: DATA.stacked.hours, values: DATA.stacked.values });',
    which === 'line'
      ? 'await render(DATA.line, { types: [], hours: [], values: [] });'
      : 'await render([], { types: DATA.stacked.types, hours: DATA.stacked.hours, values: DATA.stacked.values });',
  );
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

async function main() {
  const missing = chromiumMissing();
  if (missing) throw new Error(missing);
  const dir = await fs.mkdtemp(path.join(tmpdir(), 'ghlake-chart-bench-'));
  const json = JSON.stringify(data());
  const candidates = [ECHARTS('canvas'), ECHARTS('svg'), VEGA_LITE('canvas'), VEGA_LITE('svg'), PLOT];
  const browser = await launchChromium();
  const rows: string[] = [];
  try {
    for (const c of candidates) {
      const bytes = c.files.reduce((n, f) => n + readFileSync(f).length, 0);
      const gz = c.files.reduce((n, f) => n + gzipSync(readFileSync(f), { level: 9 }).length, 0);
      const slug = c.name.toLowerCase().replace(/[^a-z]+/g, '-');
      const files = { both: path.join(dir, `${slug}both.html`), line: path.join(dir, `${slug}line.html`), stacked: path.join(dir, `${slug}stacked.html`) };
      await fs.writeFile(files.both, page(c, json));
      await fs.writeFile(files.line, pageOne(c, json, 'line'));
      await fs.writeFile(files.stacked, pageOne(c, json, 'stacked'));
      const samples: Record<'eval' | 'line' | 'stacked' | 'ready', number[]> = { eval: [], line: [], stacked: [], ready: [] };
      let marks = '';
      for (let run = 0; run < RUNS; run++) {
        for (const which of ['line', 'stacked', 'both'] as const) {
          const opened = await openFile(browser, files[which]);
          await opened.page.waitForFunction('window.__result !== undefined', null, { timeout: 60_000 });
          const r = (await opened.page.evaluate('window.__result')) as { evalMs: number; totalRenderMs: number; readyMs: number };
          if (opened.errors.length) throw new Error(`${c.name}: ${opened.errors.join('; ')}`);
          if (opened.requests.some((q) => !q.allowed)) throw new Error(`${c.name} made a request: ${opened.requests.map((q) => q.url).join(', ')}`);
          if (which === 'line') samples.line.push(r.totalRenderMs);
          if (which === 'stacked') samples.stacked.push(r.totalRenderMs);
          if (which === 'both') {
            samples.eval.push(r.evalMs);
            samples.ready.push(r.readyMs);
            if (run === 0)
              marks = (await opened.page.evaluate(`(() => {
                const svg = document.querySelectorAll('#stacked svg path, #stacked svg rect').length;
                const canvas = document.querySelectorAll('canvas').length;
                return svg ? svg + ' SVG elements in the stacked chart' : canvas + ' canvases';
              })()`)) as string;
          }
          await opened.page.close();
        }
      }
      const row = [
        c.name,
        c.version,
        `${(bytes / 1024).toFixed(0)} KiB`,
        `${(gz / 1024).toFixed(0)} KiB`,
        median(samples.eval).toFixed(0),
        median(samples.line).toFixed(0),
        median(samples.stacked).toFixed(0),
        median(samples.ready).toFixed(0),
        marks,
      ];
      rows.push(`| ${row.join(' | ')} |`);
      console.error(`${c.name}: done`);
    }
  } finally {
    await browser.close();
    await fs.rm(dir, { recursive: true, force: true });
  }
  console.log(`chart libraries in headless Chromium ${CHROMIUM_VERSION()} — medians of ${RUNS} opens each`);
  console.log('| library | version | bundle (min) | gzip -9 | eval ms | line 10,000 pts ms | stacked 10,080 bars ms | ready ms | marks |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) console.log(r);
}

function CHROMIUM_VERSION(): string {
  try {
    return execFileSync(process.env.GHLAKE_CHROMIUM_PATH ?? '/usr/bin/chromium', ['--version'], { stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
  } catch {
    return '(version unknown)';
  }
}

await main();
