/**
 * Parquet writer benchmark: which backend should sit behind `openTableWriter`?
 *
 *   npx nx run core:bench                       (all writers, all tables, small + big)
 *   npx tsx packages/core/bench/parquet-writers.ts --copies 22 --runs 3 --writers hyparquet,parquet-wasm
 *
 * Inputs: real rows of bronze.events (with its big `payload` text), silver.events and
 * silver.payload_details from the real hour 2015-01-01-15 (11,351 events: "small"), and the
 * same hour repeated `--copies` times with fresh ids/hashes/payload bytes ("big", ~250k rows).
 *
 * Every (table, size, writer) runs in its own child process, so peak RSS is that writer's alone:
 * the child builds the data, records its RSS, then writes the file `--runs` times through
 * `openTableWriter` (the real code path: buffering, row groups, temp file, rename) and reports
 * the median time and its peak RSS (VmHWM) above the baseline. The parent then checks every
 * output with DuckDB: column types (BIGINT, VARCHAR, TIMESTAMP, BOOLEAN ...) and a content
 * fingerprint that must be identical for all writers of the same input.
 */
import { execFileSync, fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DuckDBInstance } from '@duckdb/node-api';
import { openTableWriter, type SinkFactory } from '../src/index.js';
import { flatSinkFactory } from '../src/parquet/flat-sink.js';
import { GHLAKE_HYPARQUET_TUNING, hyparquetSinkFactory } from '../src/parquet/hyparquet-sink.js';
import { buildDataset, DATASETS, inputBytes, readFixtureEvents, type DatasetName } from './bench-data.js';
import { duckdbSinkFactory } from './sinks/duckdb-sink.js';
import { parquetWasmSinkFactory } from './sinks/parquet-wasm-sink.js';
import { parquetjsSinkFactory } from './sinks/parquetjs-sink.js';

const WRITERS: Record<string, { describe: string; factory: () => SinkFactory }> = {
  hyparquet: { describe: 'hyparquet-writer 0.17, library defaults', factory: () => hyparquetSinkFactory() },
  'hyparquet-tuned': {
    describe: 'hyparquet-writer, PLAIN (no dictionary) for payload/other/event_hash, no statistics on JSON',
    factory: () => hyparquetSinkFactory({ plainHighCardinality: true, noJsonStatistics: true }),
  },
  'hyparquet-native-snappy': {
    describe: 'hyparquet-tuned + native Snappy (snappy package) instead of the JavaScript one',
    factory: () => hyparquetSinkFactory({ plainHighCardinality: true, noJsonStatistics: true, nativeSnappy: true }),
  },
  'hyparquet-ghlake': {
    describe:
      "hyparquet-writer defaults + native Snappy + no statistics on JSON columns (openTableWriter's backend until flat-sink.ts; the reference and fallback)",
    factory: () => hyparquetSinkFactory(GHLAKE_HYPARQUET_TUNING),
  },
  'hyparquet-plain-pre-encoded': {
    describe: 'hyparquet-native-snappy + PLAIN text columns UTF-8-encoded in one pass into one buffer (views)',
    factory: () => hyparquetSinkFactory({ plainHighCardinality: true, noJsonStatistics: true, nativeSnappy: true, preEncodeStrings: 'plain' }),
  },
  'hyparquet-pre-encoded-all': {
    describe: 'hyparquet-native-snappy + ALL text columns pre-encoded (dictionary columns then hash bytes, not strings)',
    factory: () => hyparquetSinkFactory({ plainHighCardinality: true, noJsonStatistics: true, nativeSnappy: true, preEncodeStrings: 'all' }),
  },
  flat: {
    describe:
      "the backend of openTableWriter: ghlake's flat-schema writer (src/parquet/flat-sink.ts), DATA_PAGE v1, PLAIN + RLE_DICTIONARY for repeating text, native Snappy",
    factory: () => flatSinkFactory(),
  },
  parquetjs: { describe: '@dsnp/parquetjs 1.8.8 (row-oriented appendRow)', factory: () => parquetjsSinkFactory },
  'parquet-wasm': {
    describe: 'parquet-wasm 0.8 (arrow-rs) via Arrow record batches, streamed (transformParquetStream)',
    factory: () => parquetWasmSinkFactory({ plainHighCardinality: true, noJsonStatistics: true }),
  },
  'parquet-wasm-defaults': {
    describe: 'parquet-wasm with arrow-rs default properties (dictionary + statistics everywhere)',
    factory: () => parquetWasmSinkFactory({ plainHighCardinality: false, noJsonStatistics: false }),
  },
  duckdb: { describe: 'DuckDB appender into an in-memory table, COPY TO parquet, threads=1', factory: () => duckdbSinkFactory({ threads: 1 }) },
};

interface ChildResult {
  writer: string;
  dataset: DatasetName;
  copies: number;
  rows: number;
  inputBytes: number;
  fileBytes: number;
  runsMs: number[];
  /** user + system CPU of the whole process (all threads) per run: less sensitive to a busy machine than wall time. */
  cpuMs: number[];
  baselineRssMb: number;
  peakRssMb: number;
}

const ROW_GROUP_ROWS = 65_536;

function procStatusKb(field: 'VmHWM' | 'VmRSS'): number {
  const m = new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) : 0;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

async function child(args: { writer: string; dataset: DatasetName; copies: number; runs: number; out: string }): Promise<ChildResult> {
  const table = DATASETS[args.dataset];
  const batch = buildDataset(args.dataset, args.copies, readFixtureEvents());
  const bytesIn = inputBytes(table, batch);
  (globalThis as { gc?: () => void }).gc?.();
  const baseline = procStatusKb('VmRSS');
  // Reset the high-water mark to the current RSS so VmHWM measures this writer alone (Linux >= 4.0).
  try {
    (await import('node:fs')).writeFileSync('/proc/self/clear_refs', '5');
  } catch {
    /* not supported: peak includes data building */
  }
  const factory = WRITERS[args.writer]!.factory();
  const runsMs: number[] = [];
  const cpuMs: number[] = [];
  let fileBytes = 0;
  for (let r = 0; r < args.runs; r++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const writer = await openTableWriter(table, args.out, { rowGroupRows: ROW_GROUP_ROWS }, factory);
    await writer.append(batch);
    const written = await writer.close();
    runsMs.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpuMs.push((c.user + c.system) / 1000);
    fileBytes = written.bytes;
  }
  return {
    writer: args.writer,
    dataset: args.dataset,
    copies: args.copies,
    rows: batch.rowCount,
    inputBytes: bytesIn,
    fileBytes,
    runsMs,
    cpuMs,
    baselineRssMb: baseline / 1024,
    peakRssMb: procStatusKb('VmHWM') / 1024,
  };
}

function runChild(args: string[]): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const proc = fork(new URL(import.meta.url).pathname, ['--child', ...args], {
      execArgv: [...process.execArgv, '--expose-gc'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let result: ChildResult | undefined;
    proc.on('message', (m) => (result = m as ChildResult));
    proc.on('exit', (code) => (result && code === 0 ? resolve(result) : reject(new Error(`child ${args.join(' ')} exited with ${code}`))));
  });
}

const EXPECTED_DUCKDB_TYPE: Record<string, string> = {
  BIGINT: 'BIGINT',
  INTEGER: 'INTEGER',
  DOUBLE: 'DOUBLE',
  BOOLEAN: 'BOOLEAN',
  VARCHAR: 'VARCHAR',
  JSON: 'VARCHAR',
  TIMESTAMP: 'TIMESTAMP',
  DATE: 'DATE',
  BLOB: 'BLOB',
};

/** Types as DuckDB reads them, and an order-independent fingerprint of every column's content. */
async function inspect(db: Awaited<ReturnType<DuckDBInstance['connect']>>, file: string, dataset: DatasetName) {
  const table = DATASETS[dataset];
  const described = (await db.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet('${file}')`)).getRowObjects();
  const types = described.map((r) => `${String(r.column_name)}:${String(r.column_type)}`);
  const expected = table.columns.map((c) => `${c.name}:${EXPECTED_DUCKDB_TYPE[c.type]}`);
  const hashes = table.columns.map((c) => `bit_xor(hash("${c.name}", ${table.columns.indexOf(c)}))::varchar`).join(" || '/' || ");
  const [fp] = (await db.runAndReadAll(`SELECT count(*)::varchar || ':' || ${hashes} AS fp FROM read_parquet('${file}')`)).getRowObjects();
  return { typesOk: JSON.stringify(types) === JSON.stringify(expected), types, fingerprint: String(fp!.fp) };
}

async function main() {
  const { values } = parseArgs({
    options: {
      child: { type: 'boolean', default: false },
      writer: { type: 'string' },
      dataset: { type: 'string' },
      out: { type: 'string' },
      copies: { type: 'string', default: '22' },
      runs: { type: 'string', default: '3' },
      writers: { type: 'string', default: Object.keys(WRITERS).join(',') },
      datasets: { type: 'string', default: Object.keys(DATASETS).join(',') },
      sizes: { type: 'string', default: 'small,big' },
    },
  });
  const runs = Number(values.runs);
  if (values.child) {
    const result = await child({ writer: values.writer!, dataset: values.dataset as DatasetName, copies: Number(values.copies), runs, out: values.out! });
    process.send!(result);
    return;
  }
  const writers = values.writers!.split(',');
  for (const w of writers) if (!WRITERS[w]) throw new Error(`--writers: unknown writer '${w}' (known: ${Object.keys(WRITERS).join(', ')})`);
  const datasets = values.datasets!.split(',') as DatasetName[];
  for (const d of datasets) if (!DATASETS[d]) throw new Error(`--datasets: unknown dataset '${d}' (known: ${Object.keys(DATASETS).join(', ')})`);
  const sizes = values.sizes!.split(',').map((s) => (s === 'small' ? 1 : s === 'big' ? Number(values.copies) : Number(s)));

  const dir = await mkdtemp(path.join(tmpdir(), 'ghlake-parquet-bench-'));
  const db = await (await DuckDBInstance.create(':memory:', { threads: '2' })).connect();
  console.log(`# Parquet writers — ${new Date().toISOString()}`);
  console.log(
    `machine: ${cpus().length}× ${cpus()[0]?.model ?? '?'}, ${Math.round(totalmem() / 2 ** 30)} GB, Node ${process.version}; runs per cell: ${runs} (median); row group ${ROW_GROUP_ROWS} rows`,
  );
  try {
    const head = git('rev-parse --short HEAD');
    console.log(`commit: ${head}`);
  } catch {
    /* not a git checkout */
  }
  console.log('');
  console.log(
    `load average at start: ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  console.log('');
  console.log(
    '| table | rows | input MB | writer | wall s | CPU s | rows/s (CPU) | input MB/s (CPU) | input MB/s (wall) | file MB | peak RSS above baseline MB | types | content |',
  );
  console.log('|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---|---|');
  const failures: string[] = [];
  try {
    for (const dataset of datasets) {
      for (const copies of sizes) {
        let reference: string | undefined;
        for (const writer of writers) {
          const out = path.join(dir, `${dataset}-${copies}-${writer}.parquet`);
          const r = await runChild(['--writer', writer, '--dataset', dataset, '--copies', String(copies), '--runs', String(runs), '--out', out]);
          const { typesOk, types, fingerprint } = await inspect(db, out, dataset);
          reference ??= fingerprint;
          const same = fingerprint === reference;
          if (!typesOk) failures.push(`${writer} ${dataset}: wrong types ${types.join(', ')}`);
          if (!same) failures.push(`${writer} ${dataset}×${copies}: content differs from ${writers[0]}`);
          const s = median(r.runsMs) / 1000;
          const cpu = median(r.cpuMs) / 1000;
          const mb = r.inputBytes / 1e6;
          console.log(
            `| ${dataset} | ${r.rows.toLocaleString('en-US')} | ${mb.toFixed(1)} | ${writer} | ${s.toFixed(2)} | ${cpu.toFixed(2)} | ${Math.round(r.rows / cpu).toLocaleString('en-US')} | ${(mb / cpu).toFixed(1)} | ${(mb / s).toFixed(1)} | ${((await stat(out)).size / 1e6).toFixed(1)} | ${Math.round(r.peakRssMb - r.baselineRssMb)} | ${typesOk ? 'ok' : 'WRONG'} | ${same ? 'same' : 'DIFFERS'} |`,
          );
          await rm(out, { force: true });
        }
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  console.log(
    `\nload average at end: ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  for (const w of writers) console.log(`- ${w}: ${WRITERS[w]!.describe}`);
  if (failures.length) {
    console.log(`\nFAILED checks:\n${failures.map((f) => `- ${f}`).join('\n')}`);
    process.exitCode = 1;
  }
}

function git(args: string): string {
  return execFileSync('git', args.split(' '), { encoding: 'utf8' }).trim();
}

await main();
