/**
 * Does an hourly upload cost the new hour or the lake? `node --openssl-legacy-provider --import tsx packages/storage/bench/upload-incremental.bench.ts`
 * (also run by `npx nx run storage:bench`; see the note on --openssl-legacy-provider below). Everything local: s3rver on 127.0.0.1 in this process,
 * each upload in its own child process (bench/upload-child.ts, peak RSS its own).
 *
 * For each lake size (hours): a lake shaped like `ghlake run` leaves it — per hour the raw file and
 * the seven hour partitions (bronze events and quarantine, silver events, payload_details and three
 * observation tables: 8 objects), the three silver entity tables and the five gold tables as keyed
 * files behind a gold version link, and the silver state an incremental upload reads
 * (`source_hours` with the commit that wrote each hour, the silver head; core's silver-state.ts).
 * Files of the same table are hard links of one small Parquet file: the upload's work is per object,
 * so object counts, not bytes, are what grows with the lake. Then:
 *
 *   1. the first upload (full: nothing recorded yet) — not the point, reported for scale;
 *   2. REPEAT times: one new hour is committed (its 8 files, a delta for each entity and per-entity
 *      gold table, the two small gold tables rewritten, a new gold version) and uploaded — the
 *      hourly `ghlake run --upload`; median;
 *   3. REPEAT times: `ghlake upload --full` with nothing new — what every upload cost before this
 *      change (walk the lake, list the bucket, check every object against the record); median.
 *
 * Env: GHLAKE_BENCH_LAKE_HOURS=50,500,2000  GHLAKE_BENCH_REPEAT=3  GHLAKE_BENCH_DIR=<dir>
 *
 * Run it with `node --openssl-legacy-provider` (the nx target does): s3rver signs its listing
 * continuation tokens with DES, which Node 20's OpenSSL 3 only offers through the legacy provider,
 * and a full upload of these lakes lists more than one page of 1,000 keys.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { gzipSync, gunzipSync } from 'node:zlib';
import {
  ALL_TABLES,
  ENTITY_RULES,
  GOLD_TABLES,
  goldLinkPath,
  goldVersionsDir,
  hourFromMs,
  partitionFile,
  rawMetaPath,
  rawPath,
  tableDir,
  writeTableFile,
  type TableDecl,
} from '@ghlake/core';
import { SILVER_HEAD, SOURCE_HOURS, STATE_META, keyedFileName, openStateDb, runSql, writeMeta } from '@ghlake/core/duckdb';
import { GHARCHIVE_FIXTURES } from '../../core/test/fixtures/gharchive.js';
import { startS3 } from '../test/fixtures/s3/s3-server.js';
import { sampleBatch } from '../test/fixtures/s3/lake.js';

const require = createRequire(import.meta.url);
const TSX_CLI = require.resolve('tsx/cli');
const sizes = (process.env.GHLAKE_BENCH_LAKE_HOURS ?? '50,500,2000').split(',').map(Number);
const repeat = Number(process.env.GHLAKE_BENCH_REPEAT ?? 3);
const root = process.env.GHLAKE_BENCH_DIR ?? path.join(tmpdir(), 'ghlake-upload-incremental-bench');
const START = Date.UTC(2024, 0, 1);
const HOUR_TABLES = ALL_TABLES.filter((t) => t.partitioning === 'hour' && (t.layer === 'bronze' || t.layer === 'silver'));
const ENTITIES = ENTITY_RULES.map((r) => r.entity);
const KEYED_GOLD = GOLD_TABLES.filter((t) => t.name.endsWith('_metrics') && t.name !== 'event_type_metrics');
const WHOLE_GOLD = GOLD_TABLES.filter((t) => !KEYED_GOLD.includes(t));

interface ChildResult {
  wallMs: number;
  maxRssMb: number;
  uploaded: number;
  skipped: number;
  failed: number;
  mode: string;
  deleted: number;
}

async function measure(config: Record<string, unknown>): Promise<ChildResult> {
  const { stdout } = await promisify(execFile)(process.execPath, [TSX_CLI, path.join(import.meta.dirname, 'upload-child.ts'), JSON.stringify(config)], {
    maxBuffer: 16 * 1024 * 1024,
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as ChildResult;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** One small file per hourly table (and a raw hour: the first 200 lines of a real one), linked into every hour. */
async function templates(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const t of HOUR_TABLES) {
    const file = path.join(dir, `${t.layer}-${t.name}.parquet`);
    await writeTableFile(t, file, sampleBatch(t, 200, 1));
    out.set(`${t.layer}/${t.name}`, file);
  }
  const lines = gunzipSync(await fs.readFile(GHARCHIVE_FIXTURES.hour2015_01_01_15))
    .toString('utf8')
    .split('\n')
    .slice(0, 200)
    .join('\n');
  const raw = path.join(dir, 'raw.json.gz');
  await fs.writeFile(raw, gzipSync(`${lines}\n`));
  out.set('raw', raw);
  return out;
}

async function linkHour(lake: string, h: number, tpl: Map<string, string>): Promise<void> {
  const hour = hourFromMs(START + h * 3_600_000);
  const raw = rawPath(lake, hour);
  await fs.mkdir(path.dirname(raw), { recursive: true });
  await fs.link(tpl.get('raw')!, raw);
  const bytes = await fs.readFile(raw);
  await fs.writeFile(rawMetaPath(lake, hour), JSON.stringify({ hour, size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') }));
  for (const t of HOUR_TABLES) {
    const file = partitionFile(lake, t.layer as 'bronze' | 'silver', t.name, hour);
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.link(tpl.get(`${t.layer}/${t.name}`)!, file);
  }
}

/** A gold version: the previous one's files hard-linked, plus `files` written for this commit. */
async function goldVersion(lake: string, seq: number, previous: number | undefined, write: (dir: string) => Promise<void>): Promise<void> {
  const dir = path.join(goldVersionsDir(lake), String(seq).padStart(10, '0'));
  if (previous !== undefined) {
    const prev = path.join(goldVersionsDir(lake), String(previous).padStart(10, '0'));
    for (const t of KEYED_GOLD) {
      await fs.mkdir(path.join(dir, t.name), { recursive: true });
      for (const name of await fs.readdir(path.join(prev, t.name))) await fs.link(path.join(prev, t.name, name), path.join(dir, t.name, name));
    }
  }
  await write(dir);
  const link = goldLinkPath(lake);
  await fs.rm(`${link}.tmp`, { force: true });
  await fs.symlink(path.relative(lake, dir), `${link}.tmp`, 'dir');
  await fs.rename(`${link}.tmp`, link);
  if (previous !== undefined && previous > 1)
    await fs.rm(path.join(goldVersionsDir(lake), String(previous - 1).padStart(10, '0')), { recursive: true, force: true });
}

/** Silver commit `seq` publishing hour `h`: its files, an entity delta each, gold's new version, the state. */
async function commitHour(lake: string, h: number, seq: number, tpl: Map<string, string>): Promise<void> {
  await linkHour(lake, h, tpl);
  for (const t of ENTITIES) await writeTableFile(t, path.join(tableDir(lake, 'silver', t.name), keyedFileName(seq, false)), sampleBatch(t, 40, seq));
  await goldVersion(lake, seq, seq - 1, async (dir) => {
    for (const t of KEYED_GOLD) await writeTableFile(t, path.join(dir, t.name, keyedFileName(seq, false)), sampleBatch(t, 40, seq));
    for (const t of WHOLE_GOLD) await writeTableFile(t, path.join(dir, t.name, keyedFileName(seq, true)), sampleBatch(t, 24, seq));
  });
  await recordState(lake, [h], seq);
}

async function recordState(lake: string, hours: number[], seq: number): Promise<void> {
  const db = await openStateDb(lake, { memoryLimit: 256_000_000, threads: 1 }, [STATE_META, SOURCE_HOURS]);
  try {
    const values = hours.map((h) => `(${(START + h * 3_600_000) / 3_600_000}, NULL, NULL, 200, ${seq})`);
    for (let i = 0; i < values.length; i += 1000)
      await runSql(db.connection, `INSERT INTO ${SOURCE_HOURS.name} VALUES ${values.slice(i, i + 1000).join(', ')}`);
    await writeMeta(db, SILVER_HEAD, seq);
  } finally {
    db.close();
  }
}

async function buildLake(lake: string, hours: number, tpl: Map<string, string>): Promise<void> {
  for (let h = 0; h < hours; h++) await linkHour(lake, h, tpl);
  for (const t of ENTITIES) await writeTableFile(t, path.join(tableDir(lake, 'silver', t.name), keyedFileName(1, true)), sampleBatch(t, 5000, 1));
  await goldVersion(lake, 1, undefined, async (dir) => {
    for (const t of GOLD_TABLES) await writeTableFile(t, path.join(dir, t.name, keyedFileName(1, true)), sampleBatch(t as TableDecl, 5000, 1));
  });
  await recordState(
    lake,
    Array.from({ length: hours }, (_, h) => h),
    1,
  );
}

await fs.rm(root, { recursive: true, force: true });
await fs.mkdir(root, { recursive: true });
const tpl = await templates(path.join(root, 'templates'));
const s3 = await startS3('ghlake-bench-incremental');
const rows: string[] = [];
console.log(
  `${cpus().length} cores, load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')} at the start; repeat ${repeat}`,
);
try {
  for (const hours of sizes) {
    const lake = path.join(root, `lake-${hours}`);
    await buildLake(lake, hours, tpl);
    const base = { lake, bucket: s3.bucket, prefix: `h${hours}`, endpoint: s3.endpoint, credentials: s3.credentials, concurrency: 4 };
    const first = await measure(base);
    const objects = first.uploaded + first.skipped;
    console.log(`${hours} hours: first upload ${first.mode}, ${first.uploaded} objects in ${(first.wallMs / 1000).toFixed(1)} s`);
    const incremental: ChildResult[] = [];
    for (let r = 0; r < repeat; r++) {
      await commitHour(lake, hours + r, 2 + r, tpl);
      incremental.push(await measure(base));
      console.log(`  + 1 hour: ${JSON.stringify(incremental.at(-1))}`);
    }
    const full: ChildResult[] = [];
    for (let r = 0; r < repeat; r++) {
      full.push(await measure({ ...base, full: true }));
      console.log(`  --full, nothing new: ${JSON.stringify(full.at(-1))}`);
    }
    const inc = median(incremental.map((x) => x.wallMs));
    const walk = median(full.map((x) => x.wallMs));
    rows.push(
      `| ${hours} | ${objects.toLocaleString('en-US')} | ${(inc / 1000).toFixed(2)} s (${incremental[0]!.uploaded} up, ${incremental[0]!.skipped} known) | ${median(incremental.map((x) => x.maxRssMb))} MB | ${(walk / 1000).toFixed(2)} s | ${median(full.map((x) => x.maxRssMb))} MB | ${(walk / inc).toFixed(1)}× |`,
    );
    console.log(rows.at(-1));
    await fs.rm(lake, { recursive: true, force: true });
  }
} finally {
  await s3.close();
  await fs.rm(root, { recursive: true, force: true });
}
console.log(
  [
    `load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')} at the end`,
    '',
    '| lake hours | objects after the first upload | one new hour, incremental (median) | peak RSS | `--full`, nothing new (median) | peak RSS | full ÷ incremental |',
    '|---|---|---|---|---|---|---|',
    ...rows,
  ].join('\n'),
);
