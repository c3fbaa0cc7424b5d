/**
 * Incremental upload on a lake built by the real engines: hours staged as the transform stages
 * them, published by silver commits (@ghlake/silver), gold kept from their changes (@ghlake/gold),
 * then uploaded to a real S3-compatible server (s3rver behind the recording proxy). What it proves:
 * an hourly upload touches only what the new commit wrote (no lake walk, no listing), a partition a
 * later commit rewrote is uploaded again, keyed files go in seq order one at a time, files that left
 * their table are deleted one upload later, and the bucket read with the documented rule (pointer
 * for gold, folder listing for any keyed table) equals the lake, row for row.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ENTITY_RULES, GOLD_TABLES, stateDbPath, type TableDecl } from '@ghlake/core';
import { keyedRelation, listKeyedFiles, liveKeyedFiles } from '@ghlake/core/duckdb';
import { createS3Client, uploadLake, type GoldPointer, type UploadConfigInput, type UploadEvent } from '../src/index.js';
import { startS3, type TestS3 } from './fixtures/s3/s3-server.js';
import { startFaultProxy, writes, type FaultProxy, type SeenRequest } from './fixtures/s3/fault-proxy.js';
import { dataFilesOf } from './fixtures/s3/lake.js';
import { spawnGhlake } from '../../pipeline/test/helpers/ghlake-process.js';
import { commitHours } from './fixtures/keyed-lake.js';

let s3: TestS3;
let proxy: FaultProxy;
let direct: S3Client;
let work: string;
let lake: string;
let prefix: string;
let n = 0;

beforeAll(async () => {
  s3 = await startS3('ghlake-incremental');
  proxy = await startFaultProxy(s3.port, s3.bucket);
  direct = createS3Client({ endpoint: s3.endpoint, credentials: s3.credentials });
});
afterAll(async () => {
  direct.destroy();
  await proxy.close();
  await s3.close();
});
beforeEach(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'ghlake-incremental-'));
  lake = path.join(work, 'lake');
  prefix = `inc${++n}`;
  proxy.requests.length = 0;
  proxy.rule = undefined;
});
afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

const commit = (hours: number[]) => commitHours(lake, hours);

function config(extra: Partial<UploadConfigInput> = {}): UploadConfigInput {
  return { lake, bucket: s3.bucket, prefix, endpoint: proxy.endpoint, credentials: s3.credentials, concurrency: 3, retryBaseDelayMs: 10, ...extra };
}

async function listKeys(below = `${prefix}/`): Promise<string[]> {
  const out: string[] = [];
  let token: string | undefined;
  do {
    const page = await direct.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: below, ContinuationToken: token }));
    out.push(...(page.Contents ?? []).map((o) => o.Key!));
    token = page.NextContinuationToken;
  } while (token);
  return out.sort();
}

async function getBytes(key: string): Promise<Buffer> {
  const got = await direct.send(new GetObjectCommand({ Bucket: s3.bucket, Key: key }));
  return Buffer.from(await got.Body!.transformToByteArray());
}

const pointer = async () => JSON.parse((await getBytes(`${prefix}/gold/_current.json`)).toString('utf8')) as GoldPointer;

async function rowsOf(table: TableDecl, files: string[]): Promise<unknown[]> {
  const relation = keyedRelation(
    table,
    liveKeyedFiles((await Promise.all(files.map(async (f) => (await listKeyedFiles(path.dirname(f))).filter((k) => k.path === f)))).flat()).live,
  );
  if (relation === undefined) return [];
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    const reader = await connection.runAndReadAll(`SELECT * FROM ${relation} ORDER BY ALL`);
    return reader.getRowObjectsJson();
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** Download keys into `dir` (same file names). */
async function download(keys: string[], dir: string): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const out: string[] = [];
  for (const key of keys) {
    const file = path.join(dir, path.basename(key));
    await writeFile(file, await getBytes(key));
    out.push(file);
  }
  return out;
}

/**
 * The bucket read as docs/upload.md tells readers to: every hour partition byte-identical to the
 * lake's; each keyed table by listing its folder (newest full file and the deltas after it, newest
 * seq wins per key) and, for gold, by the pointer's list too — each equal to the lake's table.
 */
async function expectBucketReadsAsLake(): Promise<void> {
  const lakeFiles = (await dataFilesOf(lake)).filter((rel) => rel.includes('/date='));
  const keys = await listKeys();
  for (const rel of lakeFiles) {
    expect(keys, rel).toContain(`${prefix}/${rel}`);
    expect((await getBytes(`${prefix}/${rel}`)).equals(await readFile(path.join(lake, rel))), rel).toBe(true);
  }
  const p = await pointer();
  const tables: [TableDecl, string][] = [
    ...ENTITY_RULES.map((r) => [r.entity, `silver/${r.entity.name}`] as [TableDecl, string]),
    ...GOLD_TABLES.map((t) => [t, `gold/${t.name}`] as [TableDecl, string]),
  ];
  for (const [table, dir] of tables) {
    const local = liveKeyedFiles(await listKeyedFiles(path.join(lake, dir))).live.map((f) => f.path);
    const expected = await rowsOf(table, local);
    const listed = keys.filter((k) => k.startsWith(`${prefix}/${dir}/`));
    const fromListing = await rowsOf(table, await download(listed, path.join(work, 'read', 'listing', dir)));
    expect(fromListing, `${dir} read by listing`).toEqual(expected);
    if (dir.startsWith('gold/')) {
      const fromPointer = await rowsOf(table, await download(p.tables[table.name] ?? [], path.join(work, 'read', 'pointer', dir)));
      expect(fromPointer, `${dir} read by the pointer`).toEqual(expected);
    }
  }
}

const requestLine = (r: SeenRequest) => `${r.method} ${r.key}${r.query.has('list-type') ? '?list' : r.query.has('uploads') ? '?uploads' : ''}`;

describe('incremental upload', () => {
  it('after the first (full) upload, each hourly upload looks only at what the new silver commit wrote, and the bucket reads as the lake', async () => {
    await commit([0, 1, 2]);
    const first = await uploadLake(config());
    expect(first).toMatchObject({ mode: 'full', failed: [], interrupted: false, gold: { status: 'published' } });
    expect(first.fullReason).toBe('no complete upload to this bucket and prefix is recorded');
    await expectBucketReadsAsLake();

    // Hour 3, the next hour of the archive.
    await commit([3]);
    proxy.requests.length = 0;
    const events: UploadEvent[] = [];
    const second = await uploadLake(config(), { onProgress: (e) => events.push(e) });
    expect(second).toMatchObject({ mode: 'incremental', hours: 1, failed: [], gold: { status: 'published' } });
    // No listing of the bucket, no walk: the hour's five silver partitions, the entity tables' new
    // files, gold's new files and the pointer.
    expect(proxy.requests.some((r) => r.query.has('list-type'))).toBe(false);
    const puts = writes(proxy.requests).filter((w) => w.startsWith('PUT '));
    const hour3 = puts.filter((w) => w.includes('date=2024-03-10/hour=3/'));
    expect(hour3).toHaveLength(5);
    expect(puts.filter((w) => /\/date=/.test(w) && !w.includes('hour=3/'))).toEqual([]);
    expect(puts.at(-1)).toBe(`PUT ${prefix}/gold/_current.json`);
    // Every live keyed file that was already in the bucket is skipped without a request.
    const uploadedKeys = events.filter((e) => e.type === 'object' && e.status === 'uploaded').map((e) => (e as { key: string }).key);
    const heads = proxy.requests.filter((r) => r.method === 'HEAD').map((r) => r.key);
    expect(heads.sort()).toEqual(uploadedKeys.filter((k) => !k.endsWith('_current.json')).sort()); // one HeadObject per object new to the record
    // Reads: the stale-multipart check and the pointer (compared before it is switched).
    expect(proxy.requests.filter((r) => r.method === 'GET').map(requestLine)).toEqual(['GET ?uploads', `GET ${prefix}/gold/_current.json`]);
    await expectBucketReadsAsLake();
  });

  it('a partition a later commit rewrote (an earlier hour consolidated after it took back copies) is uploaded again', async () => {
    await commit([0, 1, 2, 4]);
    await uploadLake(config());
    const before = await getBytes(`${prefix}/silver/events/date=2024-03-10/hour=4/part-0.parquet`);
    // Hour 3 arrives late: its last two events are also in hour 4's file, and the earlier hour keeps them.
    await commit([3]);
    proxy.requests.length = 0;
    const summary = await uploadLake(config());
    expect(summary).toMatchObject({ mode: 'incremental', hours: 2, failed: [] });
    const puts = writes(proxy.requests).filter((w) => w.includes('/date='));
    expect(puts.filter((w) => w.includes('hour=3/'))).toHaveLength(5);
    expect(puts.filter((w) => w.includes('hour=4/')).sort()).toEqual([
      `PUT ${prefix}/silver/events/date=2024-03-10/hour=4/part-0.parquet`,
      `PUT ${prefix}/silver/payload_details/date=2024-03-10/hour=4/part-0.parquet`,
    ]);
    const after = await getBytes(`${prefix}/silver/events/date=2024-03-10/hour=4/part-0.parquet`);
    expect(after.equals(before)).toBe(false);
    await expectBucketReadsAsLake();
  });

  it("a keyed table's new files go up in seq order, each after the one before it is complete; files that left a table go one upload later", async () => {
    await commit([0]);
    await uploadLake(config());
    for (const h of [1, 2, 3]) await commit([h]);
    const live = liveKeyedFiles(await listKeyedFiles(path.join(lake, 'silver', 'actors'))).live;
    expect(live.map((f) => f.name)).toEqual(['part-0000000001-full.parquet', 'part-0000000002.parquet', 'part-0000000003.parquet', 'part-0000000004.parquet']);
    proxy.requests.length = 0;
    const second = await uploadLake(config({ concurrency: 4 }));
    expect(second).toMatchObject({ mode: 'incremental', hours: 3, failed: [], deleted: 0 });
    for (const dir of ['silver/actors', 'silver/repositories', 'gold/actor_metrics', 'gold/repo_metrics']) {
      const puts = proxy.requests.filter((r) => r.method === 'PUT' && r.key.startsWith(`${prefix}/${dir}/`));
      expect(
        puts.map((r) => r.key.slice(r.key.lastIndexOf('/') + 1)),
        dir,
      ).toEqual([...puts.map((r) => r.key.slice(r.key.lastIndexOf('/') + 1))].sort());
      expect(puts.length, dir).toBeGreaterThan(1);
      for (let i = 1; i < puts.length; i++)
        expect(puts[i]!.arrived, `${dir}: ${puts[i]!.key} started before ${puts[i - 1]!.key} was in`).toBeGreaterThan(puts[i - 1]!.done!);
    }
    await expectBucketReadsAsLake();

    // The small gold tables are written whole each version: the first upload's files left them now
    // (the pointer no longer lists them) but stay for one more upload.
    const v1Daily = `${prefix}/gold/daily_summary/part-0000000001-full.parquet`;
    expect(await listKeys(v1Daily)).toEqual([v1Daily]);
    expect((await pointer()).tables.daily_summary).toEqual([`${prefix}/gold/daily_summary/part-0000000004-full.parquet`]);
    await commit([4]);
    proxy.requests.length = 0;
    const third = await uploadLake(config());
    const deleted = writes(proxy.requests).filter((w) => w.startsWith('DELETE '));
    expect(deleted).toContain(`DELETE ${v1Daily}`);
    expect(deleted).not.toContain(`DELETE ${prefix}/gold/daily_summary/part-0000000004-full.parquet`); // the previous pointer's: kept until the next upload
    expect(third.deleted).toBe(deleted.length);
    const listed = new Set((await pointer()).files.map((f) => f.key));
    expect(deleted.filter((d) => listed.has(d.slice('DELETE '.length)))).toEqual([]);
    await expectBucketReadsAsLake();
  });

  it('trusts its record between full uploads: an object deleted behind its back comes back with --full', async () => {
    await commit([0, 1]);
    await uploadLake(config());
    const key = `${prefix}/silver/events/date=2024-03-10/hour=1/part-0.parquet`;
    await direct.send(new (await import('@aws-sdk/client-s3')).DeleteObjectCommand({ Bucket: s3.bucket, Key: key }));
    const incremental = await uploadLake(config());
    expect(incremental).toMatchObject({ mode: 'incremental', hours: 0, uploaded: 0 });
    expect(await listKeys(key)).toEqual([]);
    const full = await uploadLake(config({ full: true }));
    expect(full).toMatchObject({ mode: 'full', fullReason: 'asked for (--full)', uploaded: 1, failed: [] });
    expect(await listKeys(key)).toEqual([key]);
    await expectBucketReadsAsLake();
  });

  it('a lake whose state was lost (seqs restart at 1) is uploaded in full, and files that would shadow its tables go first', async () => {
    for (const h of [0, 1, 2, 3]) await commit([h]);
    await uploadLake(config());
    // The state database is lost: silver is rebuilt from the published lake (commit 1), gold too.
    await rm(stateDbPath(lake));
    await rm(`${stateDbPath(lake)}.wal`, { force: true });
    await commit([]);
    expect(liveKeyedFiles(await listKeyedFiles(path.join(lake, 'silver', 'actors'))).live.map((f) => f.name)).toEqual(['part-0000000001-full.parquet']);
    proxy.requests.length = 0;
    const summary = await uploadLake(config());
    expect(summary).toMatchObject({ mode: 'full', failed: [], gold: { status: 'published', version: '0000000001' } });
    expect(summary.warnings.some((w) => /silver\/actors: the bucket held \d+ file\(s\) newer than the lake's table/.test(w))).toBe(true);
    // Shadowing files are deleted before the table's own files go up.
    const seq = writes(proxy.requests.filter((r) => r.key.startsWith(`${prefix}/silver/actors/`)));
    const firstPut = seq.findIndex((w) => w.startsWith('PUT '));
    expect(seq.slice(0, firstPut).every((w) => w.startsWith('DELETE '))).toBe(true);
    expect(firstPut).toBeGreaterThan(0);
    await expectBucketReadsAsLake();
  });

  it('a rerun after an interrupted upload finishes it; an object uploaded but not recorded is found by one HeadObject, not sent again', async () => {
    await commit([0]);
    await uploadLake(config());
    await commit([1, 2]);
    const controller = new AbortController();
    const first: UploadEvent[] = [];
    const interrupted = await uploadLake(config({ concurrency: 1 }), {
      signal: controller.signal,
      onProgress: (e) => {
        first.push(e);
        if (first.filter((x) => x.type === 'object' && x.status === 'uploaded').length === 4) controller.abort();
      },
    });
    expect(interrupted).toMatchObject({ mode: 'incremental', interrupted: true, gold: { status: 'held' } });
    const sent = first.filter((e) => e.type === 'object' && e.status === 'uploaded').map((e) => (e as { key: string }).key);
    expect(sent).toHaveLength(4);
    // What a crash between an upload and its record leaves: the object in the bucket, no row for it.
    const forgotten = sent[0]!;
    const instance = await DuckDBInstance.create(stateDbPath(lake));
    const connection = await instance.connect();
    await connection.run(`DELETE FROM upload_objects WHERE key = '${forgotten}'; DELETE FROM upload_keyed WHERE key = '${forgotten}'`);
    connection.closeSync();
    instance.closeSync();

    proxy.requests.length = 0;
    const rerun = await uploadLake(config());
    expect(rerun).toMatchObject({ mode: 'incremental', interrupted: false, failed: [], gold: { status: 'published' } });
    const puts = writes(proxy.requests)
      .filter((w) => w.startsWith('PUT '))
      .map((w) => w.slice(4));
    expect(puts.filter((k) => sent.includes(k))).toEqual([]);
    expect(proxy.requests.filter((r) => r.method === 'HEAD').map((r) => r.key)).toContain(forgotten);
    await expectBucketReadsAsLake();
  });

  it('SIGKILL in the middle of an incremental upload: the rerun sends only what is missing', async () => {
    await commit([0]);
    await uploadLake(config());
    await commit([1, 2]);
    // Every PUT waits a little, so the kill lands between objects.
    proxy.rule = (req) => (req.method === 'PUT' ? { delayMs: 150 } : undefined);
    const child = spawnGhlake(['upload', '--lake', lake, '--bucket', s3.bucket, '--prefix', prefix, '--endpoint', proxy.endpoint, '--concurrency', '1'], {
      env: { AWS_ACCESS_KEY_ID: s3.credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.credentials.secretAccessKey },
    });
    let uploaded = 0;
    await child.waitForLog((l) => l.msg === 'uploaded' && ++uploaded === 3, 'the third uploaded object');
    child.child.kill('SIGKILL');
    expect((await child.exited).signal).toBe('SIGKILL');
    proxy.rule = undefined;
    const sent = child.logs.filter((l) => l.msg === 'uploaded').map((l) => String(l.key));
    expect(sent.length).toBeGreaterThanOrEqual(3);
    expect(child.logs.find((l) => l.msg === 'upload start')).toMatchObject({ mode: 'incremental' });

    proxy.requests.length = 0;
    const rerun = await uploadLake(config());
    expect(rerun).toMatchObject({ mode: 'incremental', failed: [], interrupted: false, gold: { status: 'published' } });
    const puts = writes(proxy.requests)
      .filter((w) => w.startsWith('PUT '))
      .map((w) => w.slice(4));
    expect(puts.filter((k) => sent.includes(k))).toEqual([]);
    await expectBucketReadsAsLake();
  });
});
