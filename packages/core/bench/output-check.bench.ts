/**
 * The cost of trusting an hour: the check a run (and `status`) makes of each transformed hour's
 * files before skipping it — size + Parquet footer hash (hour-outputs.ts) — against the baseline in
 * the same run, the check it replaced (does each file, or its staged copy, exist: two stats).
 *
 *   node --import tsx packages/core/bench/output-check.bench.ts [--hours 200] [--rounds 5]
 *
 * Hours of real-shaped files: 7 Parquet files (DuckDB-written, footers of a few KB like the lake's)
 * and one small JSON per hour, in the lake layout. Warm page cache (a run re-checks what it wrote).
 */
import { promises as fs, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import {
  hourFromMs,
  hourToMs,
  outputProblemsOfHours,
  partitionFile,
  stagedPathOfPublished,
  toLakeRelative,
  type HourKey,
  type HourRecord,
} from '../src/index.js';
import { fingerprintFile } from '../src/hour-outputs.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
};
const HOURS = arg('hours', 200);
const ROUNDS = arg('rounds', 5);
const TABLES: [string, 'bronze' | 'silver', number][] = [
  ['events', 'bronze', 20_000],
  ['quarantine', 'bronze', 10],
  ['events', 'silver', 20_000],
  ['payload_details', 'silver', 20_000],
  ['actor_observations', 'silver', 5_000],
  ['repository_observations', 'silver', 5_000],
  ['organization_observations', 'silver', 1_000],
];

const lake = await fs.mkdtemp(path.join(tmpdir(), 'ghlake-bench-check-'));
try {
  const db = await DuckDBInstance.create(':memory:', { threads: '1' });
  const c = await db.connect();
  const samples = new Map<string, string>();
  for (const [table, layer, rows] of TABLES) {
    const file = path.join(lake, `sample-${layer}-${table}.parquet`);
    await c.run(
      `COPY (SELECT range AS id, 'name ' || range AS name, range % 7 AS kind, now() AS at, md5(range::VARCHAR) AS payload FROM range(${rows})) TO '${file}' (FORMAT parquet)`,
    );
    samples.set(`${layer}/${table}`, file);
  }
  c.closeSync();
  db.closeSync();

  const records: [HourKey, HourRecord][] = [];
  const start = hourToMs('2024-01-01-0' as HourKey);
  for (let i = 0; i < HOURS; i++) {
    const hour = hourFromMs(start + i * 3_600_000);
    const files: string[] = [];
    for (const [table, layer] of TABLES) {
      const file = partitionFile(lake, layer, table, hour);
      await fs.mkdir(path.dirname(file), { recursive: true });
      await fs.link(samples.get(`${layer}/${table}`)!, file);
      files.push(file);
    }
    const json = path.join(path.dirname(files[0]!), '_accounting.json');
    await fs.writeFile(json, JSON.stringify({ hour, lines: 20_010, events: 20_000 }));
    files.push(json);
    const outputs: Record<string, { bytes: number; footer: string }> = {};
    for (const f of files) {
      const print = await fingerprintFile(f);
      if (print.ok) outputs[toLakeRelative(lake, f)] = print.fingerprint;
    }
    const rel = files.map((f) => toLakeRelative(lake, f)).sort();
    records.push([
      hour,
      {
        state: 'transformed',
        transform: {
          at: 'x',
          files: rel,
          outputs,
          accounting: { lines: 0, events: 0, silverEvents: 0, quarantined: 0, quarantinedByReason: {}, blankLines: 0, duplicates: 0 },
        },
      },
    ]);
  }

  // The baseline: main's check before fingerprints (the file or its staged copy exists).
  const baseline = async () => {
    for (const [, r] of records)
      await Promise.all(
        r.transform!.files.map(async (rel) => {
          const file = path.join(lake, ...rel.split('/'));
          const staged = stagedPathOfPublished(lake, file);
          const ok = await fs.stat(file).then(
            (s) => s.isFile(),
            () => false,
          );
          if (!ok && staged) statSync(staged, { throwIfNoEntry: false });
        }),
      );
  };
  const check = async () => {
    const problems = await outputProblemsOfHours(lake, records);
    if ([...problems.values()].some((p) => p.length)) throw new Error('the bench lake has problems');
  };
  const time = async (work: () => Promise<void>) => {
    const t = performance.now();
    await work();
    return performance.now() - t;
  };
  await baseline();
  await check();
  const base: number[] = [];
  const ours: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    base.push(await time(baseline));
    ours.push(await time(check));
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const files = HOURS * (TABLES.length + 1);
  console.log(`${HOURS} hours, ${files} files, median of ${ROUNDS} rounds (warm cache)`);
  console.log(`  baseline (exists: stat)          ${median(base).toFixed(1)} ms  ${((median(base) / HOURS) * 1000).toFixed(0)} µs/hour`);
  console.log(`  size + footer hash (this check)  ${median(ours).toFixed(1)} ms  ${((median(ours) / HOURS) * 1000).toFixed(0)} µs/hour`);
  console.log(`  ratio check / baseline           ${(median(ours) / median(base)).toFixed(2)}×`);
} finally {
  await fs.rm(lake, { recursive: true, force: true });
}
