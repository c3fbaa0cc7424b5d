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
 *            (--keep DIR: the last run works on a copy there, kept to compare outputs);
 *   compare A B
 *            every Parquet file, state table and warehouse view of lakes A and B equal (EXCEPT ALL
 *            both ways, processed_at/ingested_at left out): the check that a change kept the outputs;
 *   trace-summary FILE
 *            a statement trace (bench/trace-statements.mjs) summed by statement kind.
 *
 * Run with the compiled packages: node --single-threaded-gc --import tsx bench/post-transform.bench.ts ...
 */
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { DuckDBInstance } from '@duckdb/node-api';
import { exists, hourFromMs, hourRange, parseHourMs, resolveOptions, ManifestStore, recordFinalOutputs, stateDbPath, warehousePath } from '@ghlake/core';
import { refreshWarehouse } from '@ghlake/gold';
import { createRealStages, publishStaged, runConfigFromOptions, RUN_OPTIONS, runPipeline, type PipelineStages } from '@ghlake/pipeline';
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
      {
        lake,
        hours: config.hours,
        force: false,
        transformConcurrency: Number(values.threads),
        upload: false,
        snowflake: false,
        topRepositories: 0,
        command: 'bench',
      },
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

/** The post-transform part as `ghlake run` does it: its gold stage (silver commits + gold), the manifest's final outputs, the warehouse. */
async function one(): Promise<void> {
  const lake = path.resolve(values.lake!);
  const config = configFor(lake, '2026-01-01-0', '2026-01-01-0');
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const gold = await publishStaged(config, {});
  const tGold = performance.now();
  const store = await ManifestStore.open(lake);
  const written = gold.silverWritten;
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
      silverMs: gold.steps?.consolidate ?? 0,
      goldMs: tGold - t0 - (gold.steps?.consolidate ?? 0),
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

/** Every Parquet file, state table and warehouse view of two lakes equal as multisets of rows (EXCEPT ALL both ways). */
async function compare(a: string, b: string): Promise<void> {
  // Columns that hold the time a row was written: they differ from run to run.
  const written = new Set(['processed_at', 'ingested_at']);
  const walk = async (root: string, rel = ''): Promise<string[]> => {
    const out: string[] = [];
    for (const e of await fs.readdir(path.join(root, rel), { withFileTypes: true })) {
      if (e.isDirectory()) out.push(...(await walk(root, path.join(rel, e.name))));
      else if (e.name.endsWith('.parquet')) out.push(path.join(rel, e.name));
    }
    return out.sort();
  };
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  const rows = async (sql: string) => (await c.runAndReadAll(sql)).getRowObjectsJS();
  let differences = 0;
  const same = async (label: string, ra: string, rb: string) => {
    const cols = (await rows(`DESCRIBE SELECT * FROM ${ra}`)).map((r) => String(r.column_name)).filter((n) => !written.has(n));
    const list = cols.map((n) => `"${n}"`).join(', ');
    const [r] = await rows(`SELECT (SELECT count(*) FROM (SELECT ${list} FROM ${ra} EXCEPT ALL SELECT ${list} FROM ${rb})) AS only_a,
                                  (SELECT count(*) FROM (SELECT ${list} FROM ${rb} EXCEPT ALL SELECT ${list} FROM ${ra})) AS only_b, (SELECT count(*) FROM ${ra}) AS n`);
    if (Number(r!.only_a) || Number(r!.only_b)) {
      differences++;
      process.stdout.write(`DIFFERENT ${label}: ${Number(r!.only_a)} rows only in A, ${Number(r!.only_b)} only in B\n`);
    }
    return Number(r!.n);
  };
  const [fa, fb] = [await walk(path.resolve(a)), await walk(path.resolve(b))];
  for (const [file, side] of [...fa.filter((f) => !fb.includes(f)).map((f) => [f, 'A']), ...fb.filter((f) => !fa.includes(f)).map((f) => [f, 'B'])]) {
    differences++;
    process.stdout.write(`only in ${side}: ${file}\n`);
  }
  let n = 0;
  const common = fa.filter((f) => fb.includes(f));
  for (const f of common) n += await same(f, `read_parquet('${path.resolve(a, f)}')`, `read_parquet('${path.resolve(b, f)}')`);
  // The state database and the warehouse: compared table by table when both lakes have one.
  let tables: string[] = [];
  let views: Record<string, unknown>[] = [];
  const both = async (file: (lake: string) => string, what: string, alias: string): Promise<boolean> => {
    const [ha, hb] = [await exists(file(path.resolve(a))), await exists(file(path.resolve(b)))];
    if (ha !== hb) {
      differences++;
      process.stdout.write(`only in ${ha ? 'A' : 'B'}: the ${what}\n`);
    }
    if (!(ha && hb)) return false;
    await c.run(`ATTACH '${file(path.resolve(a))}' AS ${alias}a (READ_ONLY)`);
    await c.run(`ATTACH '${file(path.resolve(b))}' AS ${alias}b (READ_ONLY)`);
    return true;
  };
  if (await both(stateDbPath, 'state database', 's')) {
    tables = (await rows(`SELECT table_name FROM duckdb_tables() WHERE database_name = 'sa'`)).map((r) => String(r.table_name));
    for (const t of tables) await same(`state table ${t}`, `sa.main."${t}"`, `sb.main."${t}"`);
  }
  if (await both(warehousePath, 'warehouse', 'w')) {
    views = await rows(`SELECT schema_name, view_name FROM duckdb_views() WHERE database_name = 'wa' AND NOT internal`);
    for (const v of views)
      await same(`view ${v.schema_name}.${v.view_name}`, `wa."${v.schema_name}"."${v.view_name}"`, `wb."${v.schema_name}"."${v.view_name}"`);
  }
  c.closeSync();
  db.closeSync();
  process.stdout.write(
    `${common.length} Parquet files (${n} rows), ${tables.length} state tables, ${views.length} warehouse views: ${differences ? `${differences} DIFFERENT` : 'identical'}\n`,
  );
  if (differences) process.exitCode = 1;
}

/** A trace-statements.mjs log summed by statement kind (verb + table), largest CPU first. */
async function traceSummary(file: string): Promise<void> {
  const lines = (await fs.readFile(file, 'utf8'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { ms: number; cpu: number; sql: string });
  const kind = (sql: string) => {
    const s = sql.replace(/\s+/g, ' ').trim();
    const m =
      /^(CREATE OR REPLACE TEMP (?:TABLE|VIEW) \w+|INSERT INTO \w+|DELETE FROM \w+|DROP TABLE IF EXISTS|CREATE TABLE IF NOT EXISTS|UPDATE \w+|COPY|COMMIT|CLOSE|OPEN|SELECT)/i.exec(
        s,
      );
    return m ? m[1]! : s.slice(0, 40);
  };
  const sums = new Map<string, { n: number; ms: number; cpu: number }>();
  for (const l of lines) {
    const k = kind(l.sql);
    const e = sums.get(k) ?? { n: 0, ms: 0, cpu: 0 };
    sums.set(k, { n: e.n + 1, ms: e.ms + l.ms, cpu: e.cpu + l.cpu });
  }
  const total = lines.reduce((t, l) => ({ ms: t.ms + l.ms, cpu: t.cpu + l.cpu }), { ms: 0, cpu: 0 });
  process.stdout.write(`${lines.length} statements, ${total.ms.toFixed(0)} ms wall, ${total.cpu.toFixed(0)} ms CPU\n`);
  for (const [k, v] of [...sums].sort((x, y) => y[1].cpu - x[1].cpu).slice(0, 30)) {
    process.stdout.write(`${String(v.n).padStart(4)} ${v.ms.toFixed(0).padStart(6)} ms ${v.cpu.toFixed(0).padStart(6)} CPU-ms  ${k}\n`);
  }
}

const mode = positionals[0];
if (mode === 'prepare') await prepare();
else if (mode === 'measure') await measure();
else if (mode === 'one') await one();
else if (mode === 'compare') await compare(positionals[1]!, positionals[2]!);
else if (mode === 'trace-summary') await traceSummary(positionals[1]!);
else throw new Error('usage: post-transform.bench.ts prepare|measure|one|compare A B|trace-summary FILE [options]');
