/**
 * What `ghlake run` spends AFTER the fused transform, alone: silver consolidation, gold from the
 * change log, the manifest's final outputs, the warehouse — on copies of one lake whose hours are
 * staged, each run in a fresh child process (modules loaded before the clock starts).
 *
 *   prepare  --data DIR --start H --hours N [--published K] --out LAKE
 *            a lake whose first K hours went through the whole run and whose next N-K are only
 *            transformed (staged), served from DIR by the local mirror;
 *   measure  --lake LAKE [--runs 3] [--keep DIR]
 *            median CPU-s and wall of the post-transform part over --runs fresh copies of LAKE
 *            (--keep DIR: the last run works on a copy there, kept to compare outputs).
 *
 * Run with the compiled packages: node --single-threaded-gc --import tsx bench/post-transform.bench.ts ...
 */
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { hourFromMs, hourRange, parseHourMs, resolveOptions, ManifestStore, recordFinalOutputs } from '@ghlake/core';
import { consolidateSilver, silverHoursWritten } from '@ghlake/silver';
import { GOLD_STATE_TABLES, buildGold, refreshWarehouse } from '@ghlake/gold';
import { SILVER_STATE_TABLES, openStateDb } from '@ghlake/core/duckdb';
import { createRealStages, runConfigFromOptions, RUN_OPTIONS, runPipeline, type PipelineStages } from '@ghlake/pipeline';
import { startMirror } from '../../../tools/mirror/server.js';

const run = promisify(execFile);
const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    data: { type: 'string' },
    start: { type: 'string' },
    hours: { type: 'string', default: '2' },
    published: { type: 'string', default: '0' },
    out: { type: 'string' },
    lake: { type: 'string' },
    runs: { type: 'string', default: '3' },
    keep: { type: 'string' },
    threads: { type: 'string', default: '2' },
  },
});

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

function configFor(lake: string, from: string, to: string, baseUrl = 'http://127.0.0.1:9') {
  const options = resolveOptions(RUN_OPTIONS, { flags: { lake, from, to, 'base-url': baseUrl, threads: values.threads! }, env: {} });
  return runConfigFromOptions(options, process.cwd());
}

async function runHours(lake: string, hours: string[], baseUrl: string, goldToo: boolean): Promise<void> {
  const config = configFor(lake, hours[0]!, hours.at(-1)!, baseUrl);
  const real = createRealStages(config);
  const stages: PipelineStages = goldToo
    ? real
    : { ...real, gold: async () => ({ mode: 'unchanged', steps: {}, silverCommits: 0, tables: {}, silverEvents: 0, silverWritten: [] }) as never };
  try {
    const summary = await runPipeline(
      { lake, hours: config.hours, force: false, transformConcurrency: Number(values.threads), upload: false, snowflake: false, topRepositories: 0, command: 'bench' },
      stages,
    );
    if (summary.exitCode !== 0) throw new Error(`run failed: ${JSON.stringify(summary.errors)} ${JSON.stringify(summary.hours.failed)}`);
  } finally {
    await real.close();
  }
}

async function prepare(): Promise<void> {
  const first = parseHourMs(values.start!);
  const hours = hourRange(hourFromMs(first), hourFromMs(first + (Number(values.hours) - 1) * 3_600_000));
  const published = Number(values.published);
  const lake = path.resolve(values.out!);
  await fs.rm(lake, { recursive: true, force: true });
  const mirror = await startMirror({ root: values.data! });
  try {
    if (published > 0) await runHours(lake, hours.slice(0, published), mirror.url, true);
    await runHours(lake, hours.slice(published), mirror.url, false);
  } finally {
    await mirror.close();
  }
  process.stdout.write(`prepared ${lake}: ${published} hour(s) published, ${hours.length - published} staged\n`);
}

/** The post-transform part exactly as real-stages.ts + runner.ts run it (keep the two in step). */
async function one(): Promise<void> {
  const lake = path.resolve(values.lake!);
  const config = configFor(lake, '2026-01-01-0', '2026-01-01-0');
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const settings = { memoryLimit: config.memoryLimit, threads: config.threads };
  const stateDb = await openStateDb(lake, settings, [...SILVER_STATE_TABLES, ...GOLD_STATE_TABLES]);
  const silver = await consolidateSilver({ lake, ...settings }, stateDb);
  const tSilver = performance.now();
  const gold = await buildGold({ lake, ...settings, refreshWarehouse: false, stateDb });
  stateDb.close();
  const tGold = performance.now();
  const store = await ManifestStore.open(lake);
  const written = silverHoursWritten(silver);
  await recordFinalOutputs(store, written === 'all' ? await store.loadAll() : written, { refresh: true });
  await store.flush();
  const tManifest = performance.now();
  await refreshWarehouse(lake);
  const t1 = performance.now();
  const cpu = process.cpuUsage(cpu0);
  process.stdout.write(
    JSON.stringify({
      cpuMs: (cpu.user + cpu.system) / 1000,
      wallMs: t1 - t0,
      silverMs: tSilver - t0,
      goldMs: tGold - tSilver,
      manifestMs: tManifest - tGold,
      warehouseMs: t1 - tManifest,
      mode: gold.mode,
    }) + '\n',
  );
}

async function measure(): Promise<void> {
  const src = path.resolve(values.lake!);
  const results: Record<string, number>[] = [];
  for (let i = 0; i < Number(values.runs); i++) {
    const last = i === Number(values.runs) - 1;
    const copy = values.keep && last ? path.resolve(values.keep) : await fs.mkdtemp(path.join(tmpdir(), 'ghlake-post-'));
    if (values.keep && last) {
      await fs.rm(copy, { recursive: true, force: true });
      await fs.mkdir(copy, { recursive: true });
    }
    await run('cp', ['-a', `${src}/.`, copy]);
    try {
      const { stdout } = await run(process.execPath, [...process.execArgv, process.argv[1]!, 'one', '--lake', copy, '--threads', values.threads!], {
        env: process.env,
        maxBuffer: 1 << 24,
      });
      const r = JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, number>;
      results.push(r);
      process.stderr.write(`run ${i + 1}: ${(r.cpuMs! / 1000).toFixed(2)} CPU-s, ${(r.wallMs! / 1000).toFixed(2)} s wall ${JSON.stringify(r)}\n`);
    } finally {
      if (!(values.keep && last)) await fs.rm(copy, { recursive: true, force: true });
    }
  }
  const keys = ['cpuMs', 'wallMs', 'silverMs', 'goldMs', 'manifestMs', 'warehouseMs'];
  process.stdout.write(`medians of ${results.length}: ${keys.map((k) => `${k} ${median(results.map((r) => r[k]!)).toFixed(0)}`).join(', ')}\n`);
}

const mode = positionals[0];
if (mode === 'prepare') await prepare();
else if (mode === 'measure') await measure();
else if (mode === 'one') await one();
else throw new Error('usage: post-transform.bench.ts prepare|measure|one [options]');
