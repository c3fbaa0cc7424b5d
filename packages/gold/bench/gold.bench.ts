/**
 * Consolidation + gold at scale: `npx nx run gold:bench` (NX_DAEMON=false).
 *
 * For each size (default 1M, 5M, 20M events at 200k events per source hour, 0.5% of each
 * hour filed again in the next), silver is generated once by tools/generate-silver (DuckDB,
 * cached under the bench dir), hard-link-copied into a fresh lake (consolidation rewrites the
 * partitions that hold duplicates by rename, so the cached source stays pristine), and
 * `buildGold` runs in a child process with the configured DuckDB memory limit; the child
 * reports wall time per step and its peak RSS. A second build on the same lake measures the
 * steady state (nothing new to deduplicate).
 *
 * Options (env): GHLAKE_BENCH_SIZES=1000000,5000000,20000000  GHLAKE_BENCH_DIR=<dir>
 *                GHLAKE_DUCKDB_MEMORY=2GB  GHLAKE_THREADS=2
 */
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { parseBytes } from '@ghlake/core';
import { generateSilver } from '../../../tools/generate-silver/generate.js';
import { DEFAULT_DUCKDB_MEMORY } from '../src/options.js';

const require = createRequire(import.meta.url);
const TSX_CLI = require.resolve('tsx/cli');
const sizes = (process.env.GHLAKE_BENCH_SIZES ?? '1000000,5000000,20000000').split(',').map(Number);
const root = process.env.GHLAKE_BENCH_DIR ?? path.join(tmpdir(), 'ghlake-gold-bench');
const memory = process.env.GHLAKE_DUCKDB_MEMORY ? parseBytes(process.env.GHLAKE_DUCKDB_MEMORY, 'GHLAKE_DUCKDB_MEMORY') : DEFAULT_DUCKDB_MEMORY;
const threads = Number(process.env.GHLAKE_THREADS ?? 2);
const EVENTS_PER_HOUR = 200_000;

interface ChildResult {
  timings: Record<string, number>;
  maxRssMb: number;
  cpuS: number;
  mode: string;
  events: number;
  setAside: number;
  gold: Record<string, number>;
  entities: Record<string, number>;
}

async function linkTree(from: string, to: string): Promise<void> {
  await fs.mkdir(to, { recursive: true });
  for (const entry of await fs.readdir(from, { withFileTypes: true })) {
    const a = path.join(from, entry.name);
    const b = path.join(to, entry.name);
    if (entry.isDirectory()) await linkTree(a, b);
    else await fs.link(a, b);
  }
}

async function source(events: number): Promise<{ dir: string; generatedMs?: number }> {
  const dir = path.join(root, `source-${events}`);
  const marker = path.join(dir, '.complete');
  if (await fs.stat(marker).catch(() => undefined)) return { dir };
  await fs.rm(dir, { recursive: true, force: true });
  const result = await generateSilver({ lake: dir, events, eventsPerHour: EVENTS_PER_HOUR, threads });
  await fs.writeFile(marker, JSON.stringify(result));
  return { dir, generatedMs: result.ms };
}

async function measure(lake: string, mode: 'rebuild' | 'incremental'): Promise<ChildResult> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [TSX_CLI, path.join(import.meta.dirname, 'gold-child.ts'), lake, String(memory), String(threads), mode],
    {
      maxBuffer: 1 << 20,
    },
  );
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as ChildResult;
}

const s = (ms: number) => (ms / 1000).toFixed(1);

async function main(): Promise<void> {
  await fs.mkdir(root, { recursive: true });
  process.stdout.write(
    `gold bench: DuckDB memory limit ${(memory / 1e9).toFixed(1)} GB, ${threads} threads, ${cpus().length} cores, load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}\n\n`,
  );
  const rows: string[] = [];
  const header =
    '| events | hours | silver rebuild s | gold recount s | publish+warehouse s | total s (wall) | CPU s | wall s per 1M events | peak RSS MB | incremental rerun s | rerun CPU s | rerun peak RSS MB |';
  rows.push(header, '|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const events of sizes) {
    const src = await source(events);
    if (src.generatedMs !== undefined) process.stdout.write(`generated ${events.toLocaleString('en-US')} events in ${s(src.generatedMs)} s\n`);
    const lake = path.join(root, `run-${events}`);
    await fs.rm(lake, { recursive: true, force: true });
    await linkTree(src.dir, lake);
    const first = await measure(lake, 'rebuild');
    const rerun = await measure(lake, 'incremental');
    await fs.rm(lake, { recursive: true, force: true });
    const t = first.timings;
    const line = `| ${events.toLocaleString('en-US')} | ${Math.ceil(events / EVENTS_PER_HOUR)} | ${s(t.silver!)} | ${s(t.apply! + t.publish!)} | ${s(t.warehouse!)} | ${s(t.total!)} | ${first.cpuS.toFixed(1)} | ${(t.total! / 1000 / (events / 1e6)).toFixed(2)} | ${first.maxRssMb} | ${s(rerun.timings.total!)} | ${rerun.cpuS.toFixed(1)} | ${rerun.maxRssMb} |`;
    rows.push(line);
    process.stdout.write(
      `${line}\n  ${JSON.stringify({ events: first.events, setAside: first.setAside, gold: first.gold, entities: first.entities, rerun: rerun.mode, load: loadavg()[0]!.toFixed(1) })}\n`,
    );
  }
  process.stdout.write(`\n${rows.join('\n')}\n`);
}

await main();
