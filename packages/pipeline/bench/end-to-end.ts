/**
 * End-to-end benchmark of `ghlake run` (npx nx run pipeline:bench [-- --hours 4 --events 50000 --runs 3]).
 *
 * On the same generated hours (tools/generate: realistic 2024-like events, ~4.3 KB each),
 * served by the local mirror on 127.0.0.1 (a process of its own: its CPU is gharchive.org's, not the run's), it measures (median of --runs, fresh lake each time):
 *
 *   e2e      the whole run in-process: download ⇉ fused bronze+silver ⇉ gold ⇉ warehouse (runPipeline
 *            with the real stages and a fresh pool of --threads workers);
 *   silver   the fused transform alone (@ghlake/silver transformHours, same pool size) on the same
 *            files already on disk — what e2e would cost if stages did not overlap is download + this + gold;
 *   duckdb   DuckDB 2 threads doing the silver work in SQL on the same .json.gz files: read_json with
 *            explicit columns (payload typed JSON), silver events (deduplicated, is_bot, hour_bucket)
 *            and payload_details extracted with json_extract, COPY to Parquet.
 *
 * Throughput is events/s over wall time. Peak RSS samples the process (workers are threads of it).
 */
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { availableParallelism, cpus, tmpdir, totalmem } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DuckDBInstance } from '@duckdb/node-api';
import { createPool, hourFromMs, nativeInUse, hourRange, parseHourMs, resolveOptions, type HourKey } from '@ghlake/core';
import { transformHours } from '@ghlake/silver';
import { downloadConfig, downloadHours } from '@ghlake/download';
import { generateHours } from '../../../tools/generate/hours.js';
import { createRealStages, runConfigFromOptions, RUN_OPTIONS, runPipeline } from '@ghlake/pipeline';

const { values } = parseArgs({
  options: {
    hours: { type: 'string', default: '4' },
    events: { type: 'string', default: '50000' },
    runs: { type: 'string', default: '3' },
    threads: { type: 'string', default: '2' },
    start: { type: 'string', default: '2024-06-03-10' },
    data: { type: 'string' },
    concurrency: { type: 'string', default: '4' },
  },
});
const HOURS = Number(values.hours);
const EVENTS = Number(values.events);
const RUNS = Number(values.runs);
const THREADS = Number(values.threads);
const CONCURRENCY = Number(values.concurrency);
const root = path.resolve(import.meta.dirname, '..', '..', '..');
const dataDir = values.data ?? path.join(root, 'bench-data', 'pipeline', `${values.start}-${HOURS}x${EVENTS}`);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

/**
 * Peak RSS and CPU time of this process (main thread + worker threads + DuckDB's threads: all
 * threads of one process) while `fn` runs. CPU seconds matter on a shared machine: wall time
 * there depends on the neighbours, CPU time much less.
 */
async function measured<T>(fn: () => Promise<T>): Promise<{ value: T; peakRss: number; cpuMs: number }> {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  const cpu0 = process.cpuUsage();
  try {
    const value = await fn();
    const cpu = process.cpuUsage(cpu0);
    return { value, peakRss: Math.max(peak, process.memoryUsage().rss), cpuMs: (cpu.user + cpu.system) / 1000 };
  } finally {
    clearInterval(timer);
  }
}

async function ensureData(hours: HourKey[]): Promise<{ files: string[]; gzBytes: number }> {
  const files = hours.map((h) => path.join(dataDir, `${h}.json.gz`));
  const present = await Promise.all(
    files.map((f) =>
      fs.stat(f).then(
        () => true,
        () => false,
      ),
    ),
  );
  if (present.includes(false)) {
    process.stderr.write(`generating ${HOURS} hours × ${EVENTS} events into ${dataDir} ...\n`);
    await generateHours({ outDir: dataDir, start: values.start!, hours: HOURS, eventsPerHour: EVENTS, seed: 1 });
  }
  let gzBytes = 0;
  for (const f of files) gzBytes += (await fs.stat(f)).size;
  return { files, gzBytes };
}

const DUCKDB_SILVER = (files: string[], out: string) => `
SET threads = 2;
SET preserve_insertion_order = false;
CREATE TEMP TABLE raw AS SELECT * FROM read_json([${files.map((f) => `'${f}'`).join(', ')}],
  format = 'newline_delimited', filename = true,
  columns = {id: 'VARCHAR', type: 'VARCHAR', actor: 'STRUCT(id BIGINT, login VARCHAR)', repo: 'STRUCT(id BIGINT, name VARCHAR)',
             org: 'STRUCT(id BIGINT, login VARCHAR)', payload: 'JSON', public: 'BOOLEAN', created_at: 'TIMESTAMP'});
COPY (
  SELECT DISTINCT ON (event_id, event_type, created_at) * FROM (
    SELECT CAST(id AS BIGINT) AS event_id, md5(CAST(payload AS VARCHAR)) AS event_hash, type AS event_type, created_at,
           actor.id AS actor_id, repo.id AS repo_id, org.id AS org_id,
           regexp_matches(lower(actor.login), '(\\[bot\\]$)|((^|[-_.])(bot|robot)$)|(^(bot|robot)[-_.])') AS is_bot,
           public, date_trunc('hour', created_at) AS hour_bucket, CAST(now() AS TIMESTAMP) AS processed_at
    FROM raw)
) TO '${out}/events.parquet' (FORMAT parquet);
COPY (
  SELECT DISTINCT ON (event_id, event_type) * FROM (
    SELECT CAST(id AS BIGINT) AS event_id, type AS event_type,
           json_extract_string(payload, '$.action') AS payload_action,
           CAST(json_extract(payload, '$.issue.id') AS BIGINT) AS payload_issue_id,
           CAST(json_extract(payload, '$.pull_request.id') AS BIGINT) AS payload_pull_request_id,
           CAST(json_extract(payload, '$.comment.id') AS BIGINT) AS payload_comment_id,
           CAST(json_extract(payload, '$.size') AS BIGINT) AS payload_push_size,
           json_extract_string(payload, '$.ref') AS payload_ref,
           json_extract_string(payload, '$.ref_type') AS payload_ref_type,
           json_extract_string(payload, '$.head') AS payload_head,
           json_extract_string(payload, '$.before') AS payload_before,
           strlen(CAST(payload AS VARCHAR)) AS payload_size,
           CAST(json_extract(payload, '$.distinct_size') AS BIGINT) AS payload_distinct_size
    FROM raw)
) TO '${out}/payload_details.parquet' (FORMAT parquet);
`;

async function runDuckdb(files: string[]): Promise<number> {
  const out = await fs.mkdtemp(path.join(tmpdir(), 'ghlake-bench-duckdb-'));
  const db = await DuckDBInstance.create(':memory:');
  const connection = await db.connect();
  const t0 = performance.now();
  try {
    for (const statement of DUCKDB_SILVER(files, out)
      .split(';')
      .map((s) => s.trim())
      .filter(Boolean))
      await connection.run(statement);
    const reader = await connection.runAndReadAll(`SELECT count(*) AS n FROM read_parquet('${out}/events.parquet')`);
    const elapsed = performance.now() - t0;
    if (Number(reader.getRowObjectsJS()[0]!.n) < HOURS * EVENTS * 0.99) throw new Error('duckdb wrote too few events');
    return elapsed;
  } finally {
    connection.closeSync();
    db.closeSync();
    await fs.rm(out, { recursive: true, force: true });
  }
}

async function runSilverAlone(hours: HourKey[]): Promise<{ ms: number; events: number }> {
  const lake = await fs.mkdtemp(path.join(tmpdir(), 'ghlake-bench-silver-'));
  const pool = createPool({ threads: THREADS });
  const t0 = performance.now();
  try {
    const outcomes = await transformHours(pool, { lake, rawDir: dataDir }, hours);
    const ms = performance.now() - t0;
    const failed = outcomes.filter((o) => o.status === 'failed');
    if (failed.length) throw new Error(`silver failed: ${failed[0]!.error?.message}`);
    return { ms, events: outcomes.reduce((a, o) => a + (o.accounting?.events ?? 0), 0) };
  } finally {
    await pool.destroy();
    await fs.rm(lake, { recursive: true, force: true });
  }
}

/**
 * The download stage alone as the run does it (same mirror, same concurrency, files stored with a
 * magic-byte check only: the run's transform inflates and so checks them): what the transform
 * shares the CPU with.
 */
async function runDownloadAlone(hours: HourKey[], baseUrl: string): Promise<number> {
  const lake = await fs.mkdtemp(path.join(tmpdir(), 'ghlake-bench-download-'));
  const t0 = performance.now();
  try {
    const summary = await downloadHours(downloadConfig({ lake, baseUrl, concurrency: CONCURRENCY, checkGzip: false }), hours);
    if (summary.downloaded !== hours.length) throw new Error(`download failed: ${JSON.stringify(summary.failed)}`);
    return performance.now() - t0;
  } finally {
    await fs.rm(lake, { recursive: true, force: true });
  }
}

async function runEndToEnd(hours: HourKey[], baseUrl: string) {
  const lake = await fs.mkdtemp(path.join(tmpdir(), 'ghlake-bench-e2e-'));
  const options = resolveOptions(RUN_OPTIONS, {
    flags: { lake, from: hours[0], to: hours[hours.length - 1], 'base-url': baseUrl, threads: String(THREADS), concurrency: String(CONCURRENCY) },
    env: {},
  });
  const config = runConfigFromOptions(options, process.cwd());
  const t0 = performance.now();
  const stages = createRealStages(config);
  try {
    const summary = await runPipeline(
      { lake, hours: config.hours, force: false, transformConcurrency: THREADS, upload: false, snowflake: false, topRepositories: 10, command: 'bench' },
      stages,
    );
    await stages.close();
    const ms = performance.now() - t0;
    if (summary.exitCode !== 0) throw new Error(`e2e run failed: ${JSON.stringify(summary.hours.failed)} ${JSON.stringify(summary.errors)}`);
    return { ms, summary };
  } finally {
    await fs.rm(lake, { recursive: true, force: true });
  }
}

/**
 * The local mirror in a process of its own: it stands for gharchive.org, whose CPU is not the user's, so serving the
 * files must not count in the run's CPU (this process's). Before 8 Dec 2026 it ran in this process (~0.2 CPU-s of a run).
 */
async function startMirrorProcess(root: string): Promise<{ url: string; close: () => Promise<void> }> {
  const cli = path.join(import.meta.dirname, '..', '..', '..', 'tools', 'mirror', 'cli.ts');
  const child = spawn(process.execPath, ['--import', 'tsx', cli, '--root', root, '--port', '0', '--quiet'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.once('exit', (code) => reject(new Error(`the mirror exited (${code}) before serving`)));
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = / at (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
  });
  child.removeAllListeners('exit');
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

async function main() {
  const first = parseHourMs(values.start!);
  const hours = hourRange(hourFromMs(first), hourFromMs(first + (HOURS - 1) * 3_600_000));
  const data = await ensureData(hours);
  const mirror = await startMirrorProcess(dataDir);
  const results = {
    e2e: [] as number[],
    gold: [] as number[],
    silver: [] as number[],
    duckdb: [] as number[],
    e2eCpu: [] as number[],
    silverCpu: [] as number[],
    duckdbCpu: [] as number[],
    download: [] as number[],
    downloadCpu: [] as number[],
    e2eRss: [] as number[],
    silverRss: [] as number[],
  };
  let events = 0;
  try {
    for (let run = 1; run <= RUNS; run++) {
      const e2e = await measured(() => runEndToEnd(hours, mirror.url));
      events = e2e.value.summary.events;
      results.e2e.push(e2e.value.ms);
      results.e2eCpu.push(e2e.cpuMs);
      results.e2eRss.push(e2e.peakRss);
      const st = e2e.value.summary.stages;
      results.gold.push((st.gold?.ms ?? 0) + (st.warehouse?.ms ?? 0));
      const silver = await measured(() => runSilverAlone(hours));
      results.silver.push(silver.value.ms);
      results.silverCpu.push(silver.cpuMs);
      results.silverRss.push(silver.peakRss);
      const dl = await measured(() => runDownloadAlone(hours, mirror.url));
      results.download.push(dl.value);
      results.downloadCpu.push(dl.cpuMs);
      const duck = await measured(() => runDuckdb(data.files));
      results.duckdb.push(duck.value);
      results.duckdbCpu.push(duck.cpuMs);
      process.stderr.write(
        `run ${run}: e2e ${(e2e.value.ms / 1000).toFixed(2)} s (download ${((st.download?.ms ?? 0) / 1000).toFixed(2)} s, transform ${((st.transform?.ms ?? 0) / 1000).toFixed(2)} s, gold+warehouse ${(results.gold.at(-1)! / 1000).toFixed(2)} s), silver alone ${(silver.value.ms / 1000).toFixed(2)} s, duckdb ${(results.duckdb.at(-1)! / 1000).toFixed(2)} s\n`,
      );
    }
  } finally {
    await mirror.close();
  }
  const rate = (ms: number) => (events * 1000) / ms;
  const e2e = median(results.e2e);
  const silver = median(results.silver);
  const duckdb = median(results.duckdb);
  const mb = (b: number) => `${(b / 1e6).toFixed(0)} MB`;
  const cpu = { e2e: median(results.e2eCpu), silver: median(results.silverCpu), duckdb: median(results.duckdbCpu) };
  const rows = [
    ['measure', 'median wall', 'events/s', 'vs duckdb', 'CPU s', 'events/CPU-s', 'vs duckdb'],
    [
      'ghlake run end to end (download ⇉ transform ⇉ gold ⇉ warehouse)',
      `${(e2e / 1000).toFixed(2)} s`,
      rate(e2e).toFixed(0),
      (rate(e2e) / rate(duckdb)).toFixed(2),
      (cpu.e2e / 1000).toFixed(1),
      rate(cpu.e2e).toFixed(0),
      (rate(cpu.e2e) / rate(cpu.duckdb)).toFixed(2),
    ],
    ['  of which gold + warehouse', `${(median(results.gold) / 1000).toFixed(2)} s`, '', '', '', '', ''],
    [
      'fused bronze+silver alone (files local)',
      `${(silver / 1000).toFixed(2)} s`,
      rate(silver).toFixed(0),
      (rate(silver) / rate(duckdb)).toFixed(2),
      (cpu.silver / 1000).toFixed(1),
      rate(cpu.silver).toFixed(0),
      (rate(cpu.silver) / rate(cpu.duckdb)).toFixed(2),
    ],
    [
      'download alone, as the run does (mirror in another process, no inflate)',
      `${(median(results.download) / 1000).toFixed(2)} s`,
      '',
      '',
      (median(results.downloadCpu) / 1000).toFixed(1),
      '',
      '',
    ],
    [
      'DuckDB silver SQL, 2 threads',
      `${(duckdb / 1000).toFixed(2)} s`,
      rate(duckdb).toFixed(0),
      '1.00',
      (cpu.duckdb / 1000).toFixed(1),
      rate(cpu.duckdb).toFixed(0),
      '1.00',
    ],
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const lines = rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  '));
  console.log(
    `\nghlake pipeline benchmark: ${HOURS} hours × ${EVENTS} events (${events} events, ${mb(data.gzBytes)} gzip), ${THREADS} threads, download concurrency ${CONCURRENCY}, median of ${RUNS}`,
  );
  console.log(`machine: ${cpus()[0]?.model ?? '?'} × ${availableParallelism()}, ${(totalmem() / 1e9).toFixed(0)} GB, node ${process.version}`);
  console.log(`reader: ${nativeInUse()}`);
  console.log(lines.join('\n'));
  console.log(`end to end / silver alone: ${(rate(e2e) / rate(silver)).toFixed(2)} (1.00 = download and gold fully hidden behind the transform)`);
  console.log(`peak RSS: e2e ${mb(Math.max(...results.e2eRss))}, silver alone ${mb(Math.max(...results.silverRss))}`);
  console.log(`raw runs (ms): ${JSON.stringify(results)}`);
}

await main();
