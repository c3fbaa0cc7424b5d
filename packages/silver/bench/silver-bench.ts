/**
 * The silver benchmark: the FUSED bronze+silver hour path against DuckDB doing the silver work in
 * SQL and against the floor (gunzip + JSON.parse of every line), all on 2 threads, on
 *   (a) the real 2015 hours (fixtures: 2015-01-01-0 and -15, 19,053 events, 44 MB raw), and
 *   (b) generated 2024-like hours (tools/generate: default 2 × 250,000 events, ~1 GB raw each), and
 *   (c) generated 2026-like hours with the payloads GitHub trimmed in October 2025 (default
 *       2 × 150,000 events of ~650 B, templates: the real 2026 lines in the fixtures): what a run on
 *       today's archive meets, where the cost is per event more than per byte.
 *   (a') `real-day`: those two real hours repeated as the 24 files of a day (copies: even hours
 *       hold hour 0's events, odd hours hour 15's): what a backfill of 2011–2016 hours costs once
 *       each worker's code is warm. Two small hours on a fresh pool measure mostly the JIT's warm-up
 *       (docs/bench-silver.md, "Small hours").
 *   (d) generated pre-2015 Timeline API hours (tools/generate/timeline.ts: the real 2013/2014
 *       Timeline lines resampled, default 2 × 100,000 events): synthetic ids, login resolution.
 *       DuckDB's baseline reads Events API columns only, so this set runs without it; compare its
 *       CPU µs/event with the other sets' fused rows of the same run.
 *
 *   npx nx run silver:bench                                   (default: 2 × 250k events, 3 runs)
 *   npx tsx packages/silver/bench/silver-bench.ts --events 50000   (quick mode)
 *   options: --events N --hours N --runs N --threads N --sets real,real-day,generated,trimmed,timeline --trimmed-events N --timeline-events N --cache DIR --kinds fused,duckdb,reader,gunzip[,duckdb-bronze,floor,required]
 *
 * The packages measured are the compiled ones (dist/, what `ghlake` runs; `nx run silver:bench` builds
 * them first): run from sources (`--conditions=@ghlake/source`), tsx's output costs more CPU per event.
 *
 * Every (set, kind) runs in its own child process so peak RSS (VmHWM, whole process incl. worker
 * threads, reset before each run through /proc/self/clear_refs) is that kind's alone. Reported:
 * median wall time of the runs, median CPU time (user+sys, all threads), events/s and raw MB/s
 * from the median wall time, the largest peak RSS, and for the fused path its own phase split
 * (read = waiting for gunzip/disk, parse = split+parse+hash+rows, write = Parquet encoding).
 */
import { execFileSync, fork } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { transformSync } from 'esbuild';
import { archiveFileName, createPool, nativeInUse, runPoolTask, type HourKey } from '@ghlake/core';
import { transformHours } from '@ghlake/silver';
import { duckdbSilver } from './duckdb-baseline.js';
import { benchSet, type SetSpec } from './hour-sets.js';
import type { FloorResult, FloorTask } from './floor-worker.js';

type Kind = 'fused' | 'duckdb' | 'duckdb-bronze' | 'floor' | 'required' | 'reader' | 'gunzip';
const KINDS: Record<Kind, string> = {
  fused: 'ghlake fused bronze+silver (transformHours, all tables of the hour)',
  duckdb: 'DuckDB SQL: read_json → silver.events + payload_details Parquet',
  'duckdb-bronze': 'DuckDB SQL as above + a bronze-like events file with the payload text',
  floor: 'floor: gunzip + JSON.parse of every line',
  required:
    'required work of the JSON.parse design: the floor + SHA-256 of every line (event_hash) + Snappy of every decompressed byte (the bronze payload column), no rows built',
  reader:
    'floor of the byte-reader design: gunzip + the line reader over every line (validation, slots, identity, SHA-256) + Snappy of every decompressed byte, no rows built',
  gunzip: 'gunzip only: inflating the hour files, the floor no design escapes (its CPU over the fused CPU is the share of gunzip)',
};

interface ChildReport {
  kind: Kind;
  set: string;
  events: number;
  runsMs: number[];
  cpuMs: number[];
  peakRssMb: number[];
  /** fused only: per run, summed over hours, ms. */
  phases: Array<{ readMs: number; parseMs: number; writeMs: number }>;
}

function status(field: 'VmHWM' | 'VmRSS'): number {
  const m = new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) / 1024 : 0;
}

function resetPeak(): void {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
  } catch {
    /* older kernel: VmHWM then covers the child's whole life */
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/**
 * The floor kinds' worker as JavaScript (esbuild strips its types), so their workers run without a TypeScript loader, as
 * ghlake's compiled workers do: tsx's hooks in a worker cost 30-40% more CPU. Written under node_modules/.cache so its
 * `@ghlake/*` imports resolve to the compiled packages.
 */
function compiledFloorWorker(): URL {
  const source = new URL('./floor-worker.ts', import.meta.url);
  const dir = path.join(import.meta.dirname, '..', '..', '..', 'node_modules', '.cache', 'ghlake-silver-bench');
  mkdirSync(dir, { recursive: true });
  const out = path.join(dir, `floor-worker-${process.pid}.mjs`);
  writeFileSync(out, transformSync(readFileSync(source, 'utf8'), { loader: 'ts', format: 'esm', target: 'node20' }).code);
  return pathToFileURL(out);
}

async function child(kind: Kind, set: SetSpec, runs: number, threads: number): Promise<ChildReport> {
  const files = set.hours.map((h) => path.join(set.rawDir, archiveFileName(h)));
  const report: ChildReport = { kind, set: set.name, events: 0, runsMs: [], cpuMs: [], peakRssMb: [], phases: [] };
  const pool =
    kind === 'fused' || kind === 'floor' || kind === 'required' || kind === 'reader' || kind === 'gunzip'
      ? // the floor kinds run this bench's floor-worker.ts compiled, the fused path ghlake's compiled workers, as `ghlake` does
        createPool({ threads, maxOldGenerationSizeMb: 1024 })
      : undefined;
  const floorWorker = kind === 'floor' || kind === 'required' || kind === 'reader' || kind === 'gunzip' ? compiledFloorWorker() : undefined;
  try {
    for (let r = 0; r < runs; r++) {
      const out = await mkdtemp(path.join(tmpdir(), `ghlake-silver-bench-${kind}-`));
      resetPeak();
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      let events = 0;
      if (kind === 'fused') {
        const outcomes = await transformHours(pool!, { lake: out, rawDir: set.rawDir }, set.hours);
        const phases = { readMs: 0, parseMs: 0, writeMs: 0 };
        for (const o of outcomes) {
          if (o.status !== 'ok') throw new Error(`fused ${o.hour}: ${o.status} ${o.error?.message ?? ''}`);
          events += o.accounting!.events;
          phases.readMs += o.timings!.readMs;
          phases.parseMs += o.timings!.parseMs;
          phases.writeMs += o.timings!.writeMs;
        }
        report.phases.push(phases);
      } else if (kind === 'floor' || kind === 'required' || kind === 'reader' || kind === 'gunzip') {
        const task = (file: string): FloorTask => ({ file, required: kind === 'required', gunzipOnly: kind === 'gunzip', reader: kind === 'reader' });
        const results = await Promise.all(files.map((file) => runPoolTask<FloorTask, FloorResult>(pool!, floorWorker!, task(file))));
        events = kind === 'gunzip' ? 0 : results.reduce((s, x) => s + x.lines, 0);
      } else {
        events = (await duckdbSilver(files, out, { threads, withBronze: kind === 'duckdb-bronze' })).events;
      }
      report.runsMs.push(performance.now() - t0);
      const c = process.cpuUsage(c0);
      report.cpuMs.push((c.user + c.system) / 1000);
      report.peakRssMb.push(status('VmHWM'));
      report.events = events;
      await rm(out, { recursive: true, force: true });
    }
  } finally {
    await pool?.destroy();
    if (floorWorker) rmSync(floorWorker, { force: true });
  }
  return report;
}

function runChild(args: string[]): Promise<ChildReport> {
  return new Promise((resolve, reject) => {
    const proc = fork(new URL(import.meta.url).pathname, ['--child', ...args], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let result: ChildReport | undefined;
    proc.on('message', (m) => (result = m as ChildReport));
    proc.on('exit', (code) => (result && code === 0 ? resolve(result) : reject(new Error(`bench child ${args.join(' ')} exited with ${code}`))));
  });
}

function rawBytesOf(set: SetSpec): number {
  return set.hours.reduce((s, h) => s + gunzipSync(readFileSync(path.join(set.rawDir, archiveFileName(h)))).length, 0);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      child: { type: 'boolean', default: false },
      kind: { type: 'string' },
      'set-name': { type: 'string' },
      'raw-dir': { type: 'string' },
      'hour-list': { type: 'string' },
      events: { type: 'string', default: '250000' },
      hours: { type: 'string', default: '2' },
      runs: { type: 'string', default: '3' },
      threads: { type: 'string', default: '2' },
      seed: { type: 'string', default: '1' },
      sets: { type: 'string', default: 'real,generated,trimmed,timeline' },
      'trimmed-events': { type: 'string', default: '150000' },
      'timeline-events': { type: 'string', default: '100000' },
      kinds: { type: 'string', default: 'fused,duckdb,reader,gunzip' },
      cache: { type: 'string', default: path.join(tmpdir(), 'ghlake-bench-hours') },
    },
  });
  const runs = Number(values.runs);
  const threads = Number(values.threads);
  if (values.child) {
    const set: SetSpec = { name: values['set-name']!, rawDir: values['raw-dir']!, hours: values['hour-list']!.split(',') as HourKey[] };
    process.send!(await child(values.kind as Kind, set, runs, threads));
    return;
  }
  const kinds = values.kinds!.split(',') as Kind[];
  for (const k of kinds) if (!KINDS[k]) throw new Error(`--kinds: unknown '${k}' (known: ${Object.keys(KINDS).join(', ')})`);
  const sets: SetSpec[] = [];
  for (const s of values.sets!.split(',')) {
    sets.push(
      await benchSet(s, {
        cache: values.cache!,
        hours: Number(values.hours),
        seed: Number(values.seed),
        events: Number(values.events),
        trimmedEvents: Number(values['trimmed-events']),
        timelineEvents: Number(values['timeline-events']),
      }),
    );
  }

  console.log(`# Silver benchmark — ${new Date().toISOString()}`);
  console.log(
    `machine: ${cpus().length}× ${cpus()[0]?.model ?? '?'}, ${Math.round(totalmem() / 2 ** 30)} GB, Node ${process.version}; ${threads} threads; ${runs} runs per cell (median)`,
  );
  console.log(`reader: ${nativeInUse()}`);
  try {
    console.log(`commit: ${execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim()}`);
  } catch {
    /* not a checkout */
  }
  console.log(
    `load average at start: ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}\n`,
  );
  console.log(
    '| input | raw MB | events | kind | wall s | CPU s | CPU µs/event | events/s | raw MB/s | peak RSS MB | vs DuckDB | vs DuckDB (CPU) | vs reader floor | vs floor | vs required | gunzip share of CPU | load at start |',
  );
  console.log('|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  const phaseLines: string[] = [];
  for (const set of sets) {
    const rawMb = rawBytesOf(set) / 1e6;
    const reports = new Map<Kind, ChildReport>();
    const loads = new Map<Kind, string>();
    for (const kind of kinds) {
      // DuckDB's baseline declares Events API columns (actor and repo objects): not the Timeline layout.
      if (set.timeline && kind.startsWith('duckdb')) continue;
      loads.set(kind, loadavg()[0]!.toFixed(1));
      reports.set(
        kind,
        await runChild([
          '--kind',
          kind,
          '--set-name',
          set.name,
          '--raw-dir',
          set.rawDir,
          '--hour-list',
          set.hours.join(','),
          '--runs',
          String(runs),
          '--threads',
          String(threads),
        ]),
      );
    }
    const rate = (k: Kind) => (reports.has(k) ? rawMb / (median(reports.get(k)!.runsMs) / 1000) : undefined);
    const cpuOf = (k: Kind) => (reports.has(k) ? median(reports.get(k)!.cpuMs) : undefined);
    for (const [kind, r] of reports) {
      const s = median(r.runsMs) / 1000;
      const mbs = rawMb / s;
      // The fused path against every baseline; the floors against DuckDB (the most any implementation doing that much could reach).
      const compared = (k: Kind) => kind === 'fused' || ((kind === 'floor' || kind === 'required' || kind === 'reader') && k === 'duckdb');
      const vs = (k: Kind) => (compared(k) && rate(k) ? `${(mbs / rate(k)!).toFixed(2)}×` : '');
      const cpu = median(r.cpuMs);
      const vsCpu = kind !== 'duckdb' && kind !== 'gunzip' && cpuOf('duckdb') ? `${(cpuOf('duckdb')! / cpu).toFixed(2)}×` : '';
      const gunzipShare = kind === 'fused' && cpuOf('gunzip') ? `${((100 * cpuOf('gunzip')!) / cpu).toFixed(0)}%` : '';
      const perEvent = r.events > 0 ? ((cpu * 1000) / r.events).toFixed(1) : '';
      console.log(
        `| ${set.name} | ${rawMb.toFixed(0)} | ${r.events.toLocaleString('en-US')} | ${kind} | ${s.toFixed(2)} | ${(cpu / 1000).toFixed(2)} | ${perEvent} | ${Math.round(r.events / s).toLocaleString('en-US')} | ${mbs.toFixed(1)} | ${Math.round(Math.max(...r.peakRssMb))} | ${vs('duckdb')} | ${vsCpu} | ${vs('reader')} | ${vs('floor')} | ${vs('required')} | ${gunzipShare} | ${loads.get(kind)} |`,
      );
      if (kind === 'fused') {
        const p = (f: 'readMs' | 'parseMs' | 'writeMs') => (median(r.phases.map((x) => x[f])) / 1000).toFixed(1);
        phaseLines.push(
          `- ${set.name}: fused phases (summed over hours, worker time, median): read/gunzip wait ${p('readMs')} s, split+parse+hash+rows ${p('parseMs')} s, Parquet write ${p('writeMs')} s`,
        );
      }
    }
  }
  console.log(
    `\nload average at end: ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  for (const l of phaseLines) console.log(l);
  for (const k of kinds) console.log(`- ${k}: ${KINDS[k]}`);
}

await main();
