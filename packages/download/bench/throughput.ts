/**
 * Download throughput against the local mirror with a per-connection bandwidth limit (what
 * a CDN typically gives one TCP stream), at concurrency 1, 2, 4 and 8: how well parallel
 * keep-alive connections fill the pipe, with the full verification (sha256 + gzip check of
 * every byte) included. Median of 3 runs each, a fresh lake per run.
 *
 *   npx nx run download:bench                      (or: npx tsx packages/download/bench/throughput.ts)
 *   GHLAKE_BENCH_RATE=8000000 GHLAKE_BENCH_RUNS=5 npx nx run download:bench
 *
 * The mirror runs in its own process (tools/mirror/cli.ts) so serving does not share the
 * downloader's event loop.
 *
 * Input: 8 hours made from the two real 2015 fixtures (2.6 and 3.7 MB gzip), the odd ones
 * recompressed at gzip level 6 so the set is not 4 copies of 2 files. Prints a Markdown table.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, promises as fs, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { HourKey } from '@ghlake/core';
import { GHARCHIVE_FIXTURES } from '../../core/test/fixtures/gharchive.js';
import { downloadConfig, downloadHours } from '../src/index.js';

const RATE = Number(process.env.GHLAKE_BENCH_RATE ?? 4_000_000);
const RUNS = Number(process.env.GHLAKE_BENCH_RUNS ?? 3);
const LEVELS = [1, 2, 4, 8];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const MIRROR_CLI = path.resolve(import.meta.dirname, '../../../tools/mirror/cli.ts');

/** Start the mirror CLI in a child process; resolves with its URL. */
async function mirrorProcess(root: string, rate?: number): Promise<{ url: string; child: ChildProcess }> {
  const args = ['--import', 'tsx', MIRROR_CLI, '--root', root, '--port', '0', '--quiet', ...(rate ? ['--bytes-per-second', String(rate)] : [])];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  for await (const chunk of child.stdout!) {
    out += chunk;
    const m = /at (http:\/\/\S+)/.exec(out);
    if (m) return { url: m[1]!, child };
  }
  throw new Error(`the mirror did not start: ${out}`);
}

async function stop(child: ChildProcess): Promise<void> {
  child.kill('SIGTERM');
  if (child.exitCode === null) await once(child, 'close');
}

async function main() {
  const root = mkdtempSync(path.join(tmpdir(), 'ghlake-bench-mirror-'));
  const sources = [readFileSync(GHARCHIVE_FIXTURES.hour2015_01_01_0), readFileSync(GHARCHIVE_FIXTURES.hour2015_01_01_15)];
  const hours: HourKey[] = [];
  let totalBytes = 0;
  for (let i = 0; i < 8; i++) {
    const hour = `2015-01-01-${i}` as HourKey;
    const source = sources[i % 2]!;
    const bytes = i % 4 < 2 ? source : gzipSync(gunzipSync(source), { level: 6 });
    await fs.writeFile(path.join(root, `${hour}.json.gz`), bytes);
    hours.push(hour);
    totalBytes += bytes.length;
  }
  let mirror = await mirrorProcess(root, RATE);
  const rows: { label: string; concurrency: number; ms: number }[] = [];
  const measure = async (label: string, concurrency: number) => {
    const times: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      const lake = mkdtempSync(path.join(tmpdir(), 'ghlake-bench-lake-'));
      const started = performance.now();
      const summary = await downloadHours(downloadConfig({ lake, baseUrl: mirror.url, concurrency }), hours);
      times.push(performance.now() - started);
      if (summary.downloaded !== hours.length || summary.downloadedBytes !== totalBytes) throw new Error(`run failed: ${JSON.stringify(summary.failed)}`);
      rmSync(lake, { recursive: true, force: true });
    }
    rows.push({ label, concurrency, ms: median(times) });
    process.stderr.write(`${label}: ${times.map((t) => `${(t / 1000).toFixed(2)}s`).join(' ')}\n`);
  };
  for (const c of LEVELS) await measure(`${(RATE / 1e6).toFixed(0)} MB/s per connection`, c);
  await stop(mirror.child);
  mirror = await mirrorProcess(root);
  await measure('no limit (loopback)', 1);
  await measure('no limit (loopback)', 4);
  await stop(mirror.child);
  rmSync(root, { recursive: true, force: true });

  const base = rows[0]!.ms;
  const lines = [
    `8 hours, ${(totalBytes / 1e6).toFixed(2)} MB gzip in total; median of ${RUNS} runs; Node ${process.version}, ${availableParallelism()} cores (${cpus()[0]?.model ?? 'unknown CPU'})`,
    '',
    '| mirror bandwidth | concurrency | wall time | MB/s | hours/s | vs concurrency 1 |',
    '|---|---:|---:|---:|---:|---:|',
    ...rows.map((r) => {
      const mbps = totalBytes / 1e6 / (r.ms / 1000);
      const ratio = r.label === rows[0]!.label ? `${(base / r.ms).toFixed(2)}×` : '—';
      return `| ${r.label} | ${r.concurrency} | ${(r.ms / 1000).toFixed(2)} s | ${mbps.toFixed(1)} | ${(hours.length / (r.ms / 1000)).toFixed(2)} | ${ratio} |`;
    }),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

await main();
