/**
 * The floor of a NATIVE row path (issue 17): would a design that does the fused transform's work in native code
 * reach DuckDB's CPU on the silver job? Measured in three parts on the same hour files, each the median of --runs:
 *
 *  1. gunzip + reader + rows (native-floor/row-path.rs, Rust std + zlib + libcrypto, one thread): inflate; per line
 *     the UTF-8 check, the complete validating pass recording the field tree's slots, SHA-256 of the event, the
 *     dedup key; bronze, silver and payload_details columns filled; the hour's actor/repository/organization
 *     observations folded (latest non-NULL per attribute, payload user and repository objects included).
 *  2. Parquet encoding of those rows: natively (row-path.rs's page encoder, parquet_pages.rs: every table's pages as
 *     ghlake writes them, Snappy included — checked against the `snappy` binding first), and ghlake's own writer (core
 *     parquet/flat-sink), its inclusive CPU in a sampling profile of the fused transform run in this thread, warm — what
 *     a native row path handing it column buffers would pay. For reference, DuckDB's native Parquet
 *     writer on exactly the rows the fused path wrote (its seven tables read back into DuckDB tables, one thread).
 *  3. DuckDB's silver SQL on the same files (duckdb-baseline.ts, the silver:bench baseline), 2 threads; and the fused
 *     path as it is today (warm pool), for the same-run ratio.
 *
 * Native floor = 1 + the native encoder (and, beside it, 1 + ghlake's writer); printed against 3 as "DuckDB CPU / floor
 * CPU" (≥ 1.0× means the design would meet the silver:bench target on that input, before the hand-off of columns to
 * JavaScript, the file writes and per-hour fixed costs).
 *
 *   npm run bench:native-floor -w @ghlake/silver -- [--sets real,trimmed,generated] [--runs 3]
 *
 * Needs `rustc` (PATH or ~/.cargo/bin) and zlib/libcrypto development libraries; the bench says so if they are missing.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { uncompressSync } from 'snappy';
import { mkdtemp, rm } from 'node:fs/promises';
import { homedir, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DuckDBInstance } from '@duckdb/node-api';
import { archiveFileName, createPool, isDataFileName } from '@ghlake/core';
import { DEFAULT_BRONZE_ROW_GROUP_ROWS } from '@ghlake/bronze';
import { DEFAULT_SILVER_ROW_GROUP_ROWS, transformFusedHour, transformHours } from '@ghlake/silver';
import { Session } from 'node:inspector/promises';
import { GHARCHIVE_FIXTURES } from '../../core/test/fixtures/gharchive.js';
import { duckdbSilver } from './duckdb-baseline.js';
import { benchSet, type SetSpec } from './hour-sets.js';

/** The row groups ghlake writes by default (what transformHours and `ghlake run` use): the encoders measured here too. */
const ROW_GROUPS = { bronzeRowGroupRows: DEFAULT_BRONZE_ROW_GROUP_ROWS, silverRowGroupRows: DEFAULT_SILVER_ROW_GROUP_ROWS };

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const cpuMs = (c: NodeJS.CpuUsage) => (c.user + c.system) / 1000;

function rustc(): string {
  for (const c of ['rustc', path.join(homedir(), '.cargo/bin/rustc')]) {
    try {
      execFileSync(c, ['--version'], { stdio: 'ignore' });
      return c;
    } catch {
      /* next */
    }
  }
  throw new Error('native-floor: rustc not found (PATH or ~/.cargo/bin); install a Rust toolchain to run this bench');
}

function buildRowPath(outDir: string): string {
  const src = new URL('./native-floor/row-path.rs', import.meta.url).pathname;
  // row-path.rs includes its page encoder and bronze's Rust scan module: any of them changing means a rebuild.
  const sources = [
    src,
    new URL('./native-floor/parquet_pages.rs', import.meta.url).pathname,
    new URL('../../bronze/bench/scan-prototypes/json_scan.rs', import.meta.url).pathname,
  ];
  const bin = path.join(outDir, 'row-path');
  if (!existsSync(bin) || sources.some((s) => statSync(bin).mtimeMs < statSync(s).mtimeMs)) {
    mkdirSync(outDir, { recursive: true });
    execFileSync(rustc(), ['--edition', '2021', '-C', 'opt-level=3', '-C', 'target-cpu=native', src, '-o', bin], { stdio: 'inherit' });
  }
  return bin;
}

/** One hour file as the row path reports it: its header's columns (MB, events, gunzip_cpu_s, read_sha_cpu_s, all_cpu_s, encode_cpu_s, page_MB, snappy_MB, ...). */
type RowPathFile = Record<string, number>;

function runRowPath(bin: string, files: string[], runs: number): RowPathFile[] {
  const out = execFileSync(bin, files, {
    encoding: 'utf8',
    env: {
      ...process.env,
      RUNS: String(runs),
      BRONZE_ROW_GROUP_ROWS: String(ROW_GROUPS.bronzeRowGroupRows),
      SILVER_ROW_GROUP_ROWS: String(ROW_GROUPS.silverRowGroupRows),
    },
  });
  const [header, ...rows] = out.trim().split('\n');
  const names = header!.split('\t');
  return rows.map((l) => Object.fromEntries(l.split('\t').map((v, i) => [names[i]!, Number(v)])));
}

/** CPU ms DuckDB's Parquet writer spends on the fused path's own output rows (one thread; tables loaded first). */
async function encodeCpuMs(files: string[], runs: number): Promise<{ ms: number; rows: number; tables: number }> {
  const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
  const db = await instance.connect();
  const work = await mkdtemp(path.join(tmpdir(), 'ghlake-native-floor-encode-'));
  try {
    let rows = 0;
    for (const [i, f] of files.entries()) {
      await db.run(`CREATE TABLE t${i} AS SELECT * FROM read_parquet('${f}')`);
      rows += Number((await db.runAndReadAll(`SELECT count(*)::BIGINT FROM t${i}`)).getRows()[0]![0]);
    }
    const perRun: number[] = [];
    for (let r = 0; r < runs; r++) {
      let ms = 0;
      for (const i of files.keys()) {
        const c0 = process.cpuUsage();
        await db.run(`COPY t${i} TO '${path.join(work, `t${i}-${r}.parquet`)}' (FORMAT parquet, COMPRESSION snappy)`);
        ms += cpuMs(process.cpuUsage(c0));
      }
      perRun.push(ms);
    }
    return { ms: median(perRun), rows, tables: files.length };
  } finally {
    db.closeSync();
    instance.closeSync();
    await rm(work, { recursive: true, force: true });
  }
}

/**
 * CPU ms per run that ghlake's Parquet writer (core parquet/flat-sink: encoding, dictionaries, Snappy, statistics, page
 * and footer writes) takes inside the fused transform of `rawPath`, run in THIS thread, warm: the inclusive time of
 * the writer's frames in a sampling CPU profile of `runs` runs, divided by the runs.
 */
async function writerCpuMs(rawPath: string, runs: number): Promise<number> {
  const hour = path.basename(rawPath, '.json.gz');
  const once = async () => {
    const lake = await mkdtemp(path.join(tmpdir(), 'ghlake-native-floor-writer-'));
    try {
      await transformFusedHour({ hour, rawPath, lake, ...ROW_GROUPS });
    } finally {
      await rm(lake, { recursive: true, force: true });
    }
  };
  await once(); // compile the code first
  await once();
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('Profiler.start');
  for (let r = 0; r < runs; r++) await once();
  const { profile } = await session.post('Profiler.stop');
  session.disconnect();
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const inWriter = new Map<number, boolean>();
  const writer = (id: number): boolean => {
    let v = inWriter.get(id);
    if (v === undefined) {
      const n = nodes.get(id)!;
      const up = parent.get(id);
      v = n.callFrame.url.includes('parquet/flat-sink') || (up !== undefined && writer(up));
      inWriter.set(id, v);
    }
    return v;
  };
  let us = 0;
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  for (let i = 1; i < samples.length; i++) if (writer(samples[i]!)) us += deltas[i]!;
  return us / 1000 / runs;
}

/** The native encoder's Snappy is the real format: a decompressed hour through it, back through the `snappy` binding. */
async function checkSnappy(bin: string): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'ghlake-native-floor-snappy-'));
  try {
    const raw = gunzipSync(readFileSync(path.join(GHARCHIVE_FIXTURES.dir, '2015-01-01-15.json.gz')));
    writeFileSync(path.join(dir, 'in'), raw);
    execFileSync(bin, ['--snappy', path.join(dir, 'in'), path.join(dir, 'out')]);
    const framed = readFileSync(path.join(dir, 'out'));
    const back: Buffer[] = [];
    for (let p = 0; p < framed.length;) {
      const n = framed.readUInt32LE(p);
      back.push(uncompressSync(framed.subarray(p + 4, p + 4 + n)) as Buffer);
      p += 4 + n;
    }
    if (!Buffer.concat(back).equals(raw)) throw new Error("native-floor: the Rust encoder's Snappy output does not decompress to its input");
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      sets: { type: 'string', default: 'real,trimmed,generated' },
      runs: { type: 'string', default: '3' },
      cache: { type: 'string', default: path.join(tmpdir(), 'ghlake-bench-hours') },
    },
  });
  const runs = Number(values.runs);
  // silver:bench's own inputs (hour-sets.ts), generated into the cache when missing, at silver:bench's default sizes.
  const sizes = { cache: values.cache!, hours: 2, seed: 1, events: 250_000, trimmedEvents: 150_000, timelineEvents: 100_000 };
  const sets: SetSpec[] = [];
  for (const s of values.sets!.split(',')) {
    if (s !== 'real' && s !== 'trimmed' && s !== 'generated') throw new Error(`--sets: unknown '${s}' (known: real, trimmed, generated)`);
    sets.push(await benchSet(s, sizes));
  }
  const bin = buildRowPath(path.join(tmpdir(), 'ghlake-native-floor'));
  await checkSnappy(bin);
  console.log(`# Native row path floor — ${new Date().toISOString()}; load ${loadavg()[0]!.toFixed(1)}; ${runs} runs per part (median)`);
  console.log(
    "| input | events | native gunzip CPU s | native reader + SHA-256 | native rows + observations | native page encoder (pages MB → Snappy MB) | ghlake's writer (in-thread profile, warm) | DuckDB's writer, same rows | native rows + ghlake's writer | **native floor** (all native) | µs/event | ghlake fused today, warm | DuckDB silver | today vs DuckDB | native rows + ghlake's writer vs DuckDB | **native floor vs DuckDB** |",
  );
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const set of sets) {
    const files = set.hours.map((h) => path.join(set.rawDir, archiveFileName(h)));
    const native = runRowPath(bin, files, runs);
    const sum = (k: string) => native.reduce((s, f) => s + f[k]!, 0);
    const events = sum('events');
    const gunzip = sum('gunzip_cpu_s');
    const readSha = sum('read_sha_cpu_s');
    const all = sum('all_cpu_s');
    const nativeEncode = sum('encode_cpu_s');
    const pages = `${sum('page_MB').toFixed(0)} → ${sum('snappy_MB').toFixed(0)}`;

    // The fused path as it is, warm (one run first to compile its code): its CPU, and its output for DuckDB's writer.
    const pool = createPool({ threads: 2, maxOldGenerationSizeMb: 1024 });
    const fusedCpu: number[] = [];
    let encode: { ms: number; rows: number; tables: number } | undefined;
    try {
      for (let r = 0; r <= runs; r++) {
        const lake = await mkdtemp(path.join(tmpdir(), 'ghlake-native-floor-lake-'));
        const c0 = process.cpuUsage();
        const outcomes = await transformHours(pool, { lake, rawDir: set.rawDir }, set.hours);
        const c = cpuMs(process.cpuUsage(c0));
        for (const o of outcomes) if (o.status !== 'ok') throw new Error(`fused ${o.hour}: ${o.status}`);
        if (r > 0) fusedCpu.push(c);
        if (r === runs) {
          // The hour's table files (not its accounting record beside them): core's rule for a table's data file.
          const written = outcomes.flatMap((o) => o.files.map((f) => f.path)).filter((f) => isDataFileName('silver', path.basename(f)));
          encode = await encodeCpuMs(written.sort(), runs);
        }
        await rm(lake, { recursive: true, force: true });
      }
    } finally {
      await pool.destroy();
    }

    const duck: number[] = [];
    for (let r = 0; r < runs; r++) {
      const out = await mkdtemp(path.join(tmpdir(), 'ghlake-native-floor-duckdb-'));
      const c0 = process.cpuUsage();
      await duckdbSilver(files, out, { threads: 2 });
      duck.push(cpuMs(process.cpuUsage(c0)));
      await rm(out, { recursive: true, force: true });
    }
    let writerMs = 0;
    for (const f of files) writerMs += await writerCpuMs(f, runs);
    const writerS = writerMs / 1000;
    const hybrid = gunzip + all + writerS;
    const floor = gunzip + all + nativeEncode;
    const duckS = median(duck) / 1000;
    const fusedS = median(fusedCpu) / 1000;
    const f2 = (x: number) => x.toFixed(2);
    console.log(
      `| ${set.name} | ${events.toLocaleString('en-US')} | ${f2(gunzip)} | ${f2(readSha)} | ${f2(all - readSha)} | ${f2(nativeEncode)} (${pages}) | ${f2(writerS)} | ${f2(encode!.ms / 1000)} | ${f2(hybrid)} | ${f2(floor)} | ${((floor * 1e6) / events).toFixed(1)} | ${f2(fusedS)} | ${f2(duckS)} | ${f2(duckS / fusedS)}× | ${f2(duckS / hybrid)}× | **${f2(duckS / floor)}×** |`,
    );
  }
}

await main();
