/**
 * Upload throughput and the cost of the skip-unchanged check: `npx nx run storage:bench`
 * (NX_DAEMON=false). Everything runs on this machine: s3rver on 127.0.0.1 (it stores objects on
 * the local disk and MD5s them), the uploader in a child process.
 *
 * The lake: HOURS real 2015 raw hours (copies of the two whole fixture hours, 2.6 and 3.7 MB,
 * each with the download's {size, sha256} record), one 148 MB raw hour (40 gzip members of
 * 2015-01-01-15, the size of a 2024 hour: multipart), per hour 3 small silver/bronze Parquet
 * files, and gold. Measured:
 *   1. a cold upload at several --concurrency values (fresh prefix each),
 *   2. a rerun with nothing to do (hash cache and upload record warm: listing only),
 *   3. a rerun with the hash cache removed (every Parquet file is hashed again; raw hours reuse
 *      the download's records),
 *   4. a rerun with the upload record removed too (one HeadObject per object).
 *
 * Options (env): GHLAKE_BENCH_HOURS=24  GHLAKE_BENCH_CONCURRENCY=1,4,8  GHLAKE_BENCH_DIR=<dir>
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  bronzeEvents,
  hourFromMs,
  hourToMs,
  parseHour,
  partitionFile,
  rawMetaPath,
  rawPath,
  silverEvents,
  stateDbPath,
  silverPayloadDetails,
  writeTableFile,
} from '@ghlake/core';
import { GHARCHIVE_FIXTURES } from '../../core/test/fixtures/gharchive.js';
import { startS3 } from '../test/fixtures/s3/s3-server.js';
import { sampleBatch, writeGold } from '../test/fixtures/s3/lake.js';

const require = createRequire(import.meta.url);
const TSX_CLI = require.resolve('tsx/cli');
const hours = Number(process.env.GHLAKE_BENCH_HOURS ?? 24);
const concurrencies = (process.env.GHLAKE_BENCH_CONCURRENCY ?? '1,4,8').split(',').map(Number);
const root = process.env.GHLAKE_BENCH_DIR ?? path.join(tmpdir(), 'ghlake-upload-bench');

async function writeRaw(lake: string, hour: ReturnType<typeof parseHour>, bytes: Buffer): Promise<void> {
  const file = rawPath(lake, hour);
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, bytes);
  await fs.writeFile(rawMetaPath(lake, hour), JSON.stringify({ hour, size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') }));
}

async function buildBenchLake(lake: string): Promise<{ files: number; bytes: number }> {
  const sources = [await fs.readFile(GHARCHIVE_FIXTURES.hour2015_01_01_0), await fs.readFile(GHARCHIVE_FIXTURES.hour2015_01_01_15)];
  const first = hourToMs(parseHour('2015-01-01-0'));
  for (let i = 0; i < hours; i++) {
    const hour = hourFromMs(first + i * 3_600_000);
    await writeRaw(lake, hour, sources[i % 2]!);
    await writeTableFile(bronzeEvents, partitionFile(lake, 'bronze', 'events', hour), sampleBatch(bronzeEvents, 2000, i));
    await writeTableFile(silverEvents, partitionFile(lake, 'silver', 'events', hour), sampleBatch(silverEvents, 2000, i));
    await writeTableFile(silverPayloadDetails, partitionFile(lake, 'silver', 'payload_details', hour), sampleBatch(silverPayloadDetails, 2000, i));
  }
  await writeRaw(lake, parseHour('2024-06-03-15'), Buffer.concat(Array.from({ length: 40 }, () => sources[1]!)));
  await writeGold(lake, 1);
  let files = 0;
  let bytes = 0;
  const walk = async (dir: string) => {
    for (const e of await fs.readdir(dir, { withFileTypes: true })) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) await walk(full);
      else if (e.name.endsWith('.parquet') || e.name.endsWith('.json.gz')) {
        files++;
        bytes += (await fs.stat(full)).size;
      }
    }
  };
  await walk(lake);
  return { files, bytes };
}

interface ChildResult {
  wallMs: number;
  maxRssMb: number;
  uploaded: number;
  uploadedBytes: number;
  skipped: number;
  multipart: number;
  failed: number;
  gold: string;
}

async function measure(config: Record<string, unknown>): Promise<ChildResult> {
  const { stdout } = await promisify(execFile)(process.execPath, [TSX_CLI, path.join(import.meta.dirname, 'upload-child.ts'), JSON.stringify(config)], {
    maxBuffer: 16 * 1024 * 1024,
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as ChildResult;
}

const mb = (bytes: number) => bytes / 1e6;

await fs.rm(root, { recursive: true, force: true });
const lake = path.join(root, 'lake');
const built = await buildBenchLake(lake);
const s3 = await startS3('ghlake-bench');
const rows: string[] = [];
try {
  const base = { lake, bucket: s3.bucket, endpoint: s3.endpoint, credentials: s3.credentials };
  console.log(
    `lake: ${built.files} data files, ${mb(built.bytes).toFixed(1)} MB (${hours} raw hours + one 148 MB hour, Parquet, gold); ${cpus().length} cores, load ${loadavg()[0]!.toFixed(2)}`,
  );
  for (const concurrency of concurrencies) {
    const r = await measure({ ...base, prefix: `c${concurrency}`, concurrency });
    rows.push(
      `| cold upload, --concurrency ${concurrency} | ${r.uploaded} up, ${r.multipart} multipart | ${(r.wallMs / 1000).toFixed(1)} s | ${(mb(r.uploadedBytes) / (r.wallMs / 1000)).toFixed(0)} MB/s | ${r.maxRssMb} MB |`,
    );
    console.log(rows.at(-1));
  }
  const c = concurrencies.at(-1)!;
  const warm = await measure({ ...base, prefix: `c${c}`, concurrency: c });
  rows.push(
    `| rerun, nothing changed (hash cache warm) | ${warm.uploaded} up, ${warm.skipped} skipped | ${(warm.wallMs / 1000).toFixed(2)} s | — | ${warm.maxRssMb} MB |`,
  );
  console.log(rows.at(-1));
  // The upload record lives in the lake's state database: without it, every Parquet file is hashed
  // again and every object whose size matches costs one HeadObject (raw hours reuse the download's records).
  await fs.rm(stateDbPath(lake), { force: true });
  await fs.rm(`${stateDbPath(lake)}.wal`, { force: true });
  const heads = await measure({ ...base, prefix: `c${c}`, concurrency: c });
  rows.push(
    `| rerun, upload record removed (files rehashed, one HeadObject per object) | ${heads.uploaded} up, ${heads.skipped} skipped | ${(heads.wallMs / 1000).toFixed(2)} s | — | ${heads.maxRssMb} MB |`,
  );
  console.log(rows.at(-1));
} finally {
  await s3.close();
  await fs.rm(root, { recursive: true, force: true });
}
console.log(['', '| run | objects | wall | throughput | peak RSS (uploader) |', '|---|---|---|---|---|', ...rows].join('\n'));
