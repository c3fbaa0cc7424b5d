/**
 * uploadLake against a real S3-compatible server (s3rver on 127.0.0.1), reached through a
 * recording fault-injection proxy. Every test uses its own key prefix in one bucket.
 */
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { GhlakeError, partitionFile, rawPath, stateDbPath } from '@ghlake/core';
import { createS3Client, formatUploadSummary, uploadExitCode, uploadLake, type UploadConfigInput, type UploadEvent, type GoldPointer } from '../src/index.js';
import { startS3, type TestS3 } from './fixtures/s3/s3-server.js';
import { internalError, slowDown, startFaultProxy, writes, type FaultProxy } from './fixtures/s3/fault-proxy.js';
import { ACTORS_REL, buildLake, dataFilesOf, HOUR, writeGold, type TestLake } from './fixtures/s3/lake.js';
import { GHARCHIVE_FIXTURES } from '../../core/test/fixtures/gharchive.js';

let s3: TestS3;
let proxy: FaultProxy;
let direct: S3Client;
let work: string;
let testLake: TestLake;
let prefixCounter = 0;
let prefix: string;

beforeAll(async () => {
  s3 = await startS3();
  proxy = await startFaultProxy(s3.port, s3.bucket);
  direct = createS3Client({ endpoint: s3.endpoint, credentials: s3.credentials });
});
afterAll(async () => {
  direct.destroy();
  await proxy.close();
  await s3.close();
});
beforeEach(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'ghlake-upload-'));
  testLake = await buildLake(path.join(work, 'lake'));
  prefix = `t${++prefixCounter}/ghlake`;
  proxy.requests.length = 0;
  proxy.rule = undefined;
});
afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

function config(extra: Partial<UploadConfigInput> = {}): UploadConfigInput {
  return {
    lake: testLake.lake,
    bucket: s3.bucket,
    prefix,
    endpoint: proxy.endpoint,
    credentials: s3.credentials,
    concurrency: 3,
    retryBaseDelayMs: 10,
    ...extra,
  };
}

async function listKeys(below = `${prefix}/`): Promise<string[]> {
  const out = await direct.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: below }));
  return (out.Contents ?? []).map((o) => o.Key!).sort();
}

async function getBytes(key: string): Promise<Buffer> {
  const got = await direct.send(new GetObjectCommand({ Bucket: s3.bucket, Key: key }));
  return Buffer.from(await got.Body!.transformToByteArray());
}

async function pointer(): Promise<GoldPointer> {
  return JSON.parse((await getBytes(`${prefix}/gold/_current.json`)).toString('utf8')) as GoldPointer;
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** Where a lake file must be in the bucket: the lake mirrored below the prefix (gold as `<lake>/gold` shows it). */
function expectedKey(rel: string): string {
  return `${prefix}/${rel}`;
}

async function expectBucketMirrorsLake(): Promise<GoldPointer> {
  const p = await pointer();
  testLake.dataFiles = await dataFilesOf(testLake.lake);
  const expected = testLake.dataFiles.map((rel) => expectedKey(rel));
  expect(await listKeys()).toEqual([...expected, `${prefix}/gold/_current.json`].sort());
  for (const rel of testLake.dataFiles) {
    const local = await readFile(path.join(testLake.lake, rel));
    const remote = await getBytes(expectedKey(rel));
    expect(remote.length, rel).toBe(local.length);
    expect(remote.equals(local), rel).toBe(true);
  }
  return p;
}

function collect(events: UploadEvent[], status: string): string[] {
  return events
    .filter((e) => e.type === 'object' && e.status === status)
    .map((e) => (e as { key: string }).key)
    .sort();
}

describe('uploadLake', () => {
  it('publishes every lake data file byte-identical under the prefix, and nothing else', async () => {
    expect(testLake.dataFiles).toHaveLength(10);
    const summary = await uploadLake(config());
    // Ignored: the temp file, the raw hour's .meta.json, and the obsolete keyed file (silver/actors seq 0).
    expect(summary).toMatchObject({ mode: 'full', files: 10, uploaded: 10, skippedUnchanged: 0, failed: [], notStarted: 0, interrupted: false, ignored: 3 });
    expect(summary.fullReason).toBe('no complete upload to this bucket and prefix is recorded');
    expect(summary.gold.status).toBe('published');
    const p = await expectBucketMirrorsLake();
    expect(p.version).toBe('0000000001'); // the local gold version `<lake>/gold` points at
    expect(summary.gold.version).toBe(p.version);
    expect(p.format).toBe('ghlake-gold-pointer/2');
    expect(p.tables).toEqual(
      Object.fromEntries(
        ['actor_metrics', 'daily_summary', 'event_type_metrics', 'org_metrics', 'repo_metrics'].map((t) => [
          t,
          [`${prefix}/gold/${t}/part-0000000001-full.parquet`],
        ]),
      ),
    );
    // The pointer lists exactly the gold objects, with the local files' sizes and sha256.
    for (const f of p.files) {
      const local = await readFile(path.join(testLake.lake, f.key.slice(prefix.length + 1)));
      expect({ size: f.size, sha256: f.sha256 }).toEqual({ size: local.length, sha256: sha256(local) });
    }
    // Our sha256 travels as object metadata (the raw hour's comes from the download's record).
    const rawKey = `${prefix}/raw/date=2015-01-01/2015-01-01-15.json.gz`;
    const head = await direct.send(new HeadObjectCommand({ Bucket: s3.bucket, Key: rawKey }));
    expect(head.Metadata?.sha256).toBe(sha256(await readFile(GHARCHIVE_FIXTURES.hour2015_01_01_15)));
    expect(head.ContentType).toBe('application/gzip');
    expect(head.ContentEncoding).toBeUndefined();
  });

  it('a second run uploads nothing and says so', async () => {
    await uploadLake(config());
    proxy.requests.length = 0;
    const again = await uploadLake(config());
    expect(again).toMatchObject({ uploaded: 0, skippedUnchanged: 10, failed: [], multipart: 0 });
    expect(again.gold).toMatchObject({ status: 'unchanged', removedObjects: 0 });
    expect(writes(proxy.requests)).toEqual([]);
    // This lake has no silver state, so every upload is full: one listing. The upload record (in
    // _state/state.duckdb) matches the listing's ETags: no HeadObject at all.
    expect(again.fullReason).toBe('the lake has no silver state (nothing consolidated yet): every file is checked');
    expect(proxy.requests.map((r) => `${r.method} ${r.key}${r.query.has('uploads') ? '?uploads' : r.query.has('list-type') ? '?list' : ''}`)).toEqual([
      'GET ?list',
      'GET ?uploads',
      `GET ${prefix}/gold/_current.json`,
    ]);
    expect(formatUploadSummary(again)).toContain('nothing to upload: all 10 objects are unchanged');
    expect(uploadExitCode(again)).toBe(0);
  });

  it('without the upload record, unchanged objects are proven by the sha256 in their metadata (HeadObject)', async () => {
    await uploadLake(config());
    await rm(stateDbPath(testLake.lake));
    await rm(`${stateDbPath(testLake.lake)}.wal`, { force: true });
    proxy.requests.length = 0;
    const again = await uploadLake(config());
    expect(again).toMatchObject({ uploaded: 0, skippedUnchanged: 10 });
    expect(proxy.requests.filter((r) => r.method === 'HEAD')).toHaveLength(10);
    expect(writes(proxy.requests)).toEqual([]);
  });

  it('an object rewritten behind our back (same size, other bytes) is detected and uploaded again', async () => {
    await uploadLake(config());
    const key = `${prefix}/silver/events/date=2015-01-01/hour=15/part-0.parquet`;
    const original = await getBytes(key);
    const tampered = Buffer.from(original);
    tampered[100] = tampered[100]! ^ 0xff;
    await direct.send(new PutObjectCommand({ Bucket: s3.bucket, Key: key, Body: tampered }));
    proxy.requests.length = 0;
    const again = await uploadLake(config());
    expect(again).toMatchObject({ uploaded: 1, skippedUnchanged: 9 });
    expect(proxy.requests.filter((r) => r.method === 'HEAD').map((r) => r.key)).toEqual([key]); // the ETag differed from our record
    expect((await getBytes(key)).equals(original)).toBe(true);
  });

  it('uploads a changed file of the same size again: sha256 decides, not size', async () => {
    await uploadLake(config());
    const file = partitionFile(testLake.lake, 'silver', 'events', HOUR);
    const rel = 'silver/events/date=2015-01-01/hour=15/part-0.parquet';
    const before = await readFile(file);
    const at = before.indexOf('event_hash');
    expect(at).toBeGreaterThan(0);
    const after = Buffer.from(before);
    after.write('EVENT', at, 'latin1'); // same size, other bytes
    await writeFile(file, after);
    expect(after.length).toBe(before.length);
    expect(after.equals(before)).toBe(false);
    const events: UploadEvent[] = [];
    const again = await uploadLake(config(), { onProgress: (e) => events.push(e) });
    expect(collect(events, 'uploaded')).toEqual([`${prefix}/${rel}`]);
    expect(again).toMatchObject({ uploaded: 1, skippedUnchanged: 9 });
    expect((await getBytes(`${prefix}/${rel}`)).equals(after)).toBe(true);
  });

  it('uploads a file larger than the part size in parts (multipart), byte-identical', async () => {
    // A 14.8 MB raw hour: four gzip members of the real hour (a valid multi-member gzip).
    const real = await readFile(GHARCHIVE_FIXTURES.hour2015_01_01_15);
    const bigHour = rawPath(testLake.lake, '2015-01-01-16' as typeof HOUR);
    await writeFile(bigHour, Buffer.concat([real, real, real, real]));
    expect(real.length * 4).toBeGreaterThanOrEqual(12 * 1024 * 1024);
    const key = `${prefix}/raw/date=2015-01-01/2015-01-01-16.json.gz`;
    const summary = await uploadLake(config({ partSize: 5 * 1024 * 1024 }));
    expect(summary).toMatchObject({ uploaded: 11, multipart: 1, failed: [] });
    const forKey = writes(proxy.requests).filter((w) => w.includes(`${key}?`));
    expect(forKey[0]).toBe(`POST ${key}?uploads`);
    expect(forKey.slice(1, -1).sort()).toEqual([`PUT ${key}?part=1`, `PUT ${key}?part=2`, `PUT ${key}?part=3`]);
    expect(forKey.at(-1)).toBe(`POST ${key}?complete`);
    expect((await getBytes(key)).equals(Buffer.concat([real, real, real, real]))).toBe(true);
    // The sha256 set at CreateMultipartUpload makes the next run skip it (an ETag of parts is no MD5).
    const again = await uploadLake(config({ partSize: 5 * 1024 * 1024 }));
    expect(again).toMatchObject({ uploaded: 0, skippedUnchanged: 11 });
  });

  it('resumes after an interruption: the rerun uploads only what the first run did not finish', async () => {
    const controller = new AbortController();
    const first: UploadEvent[] = [];
    const interrupted = await uploadLake(config({ concurrency: 1 }), {
      signal: controller.signal,
      onProgress: (e) => {
        first.push(e);
        if (collect(first, 'uploaded').length === 3) controller.abort();
      },
    });
    expect(interrupted).toMatchObject({ interrupted: true, uploaded: 3, notStarted: 7, failed: [] });
    expect(interrupted.gold.status).toBe('held');
    expect(uploadExitCode(interrupted)).toBe(130);
    expect(await listKeys(`${prefix}/gold/_current.json`)).toEqual([]); // readers see no half-published gold

    const second: UploadEvent[] = [];
    const rerun = await uploadLake(config(), { onProgress: (e) => second.push(e) });
    expect(rerun).toMatchObject({ uploaded: 7, skippedUnchanged: 3, failed: [], interrupted: false });
    expect(collect(second, 'skipped')).toEqual(collect(first, 'uploaded'));
    expect(collect(second, 'uploaded').filter((k) => collect(first, 'uploaded').includes(k))).toEqual([]);
    expect(rerun.gold.status).toBe('published');
    await expectBucketMirrorsLake();
  });

  it('an interrupted multipart upload is not completed, and the rerun uploads the file again from the start', async () => {
    const real = await readFile(GHARCHIVE_FIXTURES.hour2015_01_01_15);
    const big = Buffer.concat([real, real, real, real]);
    await writeFile(rawPath(testLake.lake, '2015-01-01-16' as typeof HOUR), big);
    const key = `${prefix}/raw/date=2015-01-01/2015-01-01-16.json.gz`;
    const controller = new AbortController();
    proxy.rule = (req) => {
      if (req.key === key && req.query.get('partNumber') === '2') {
        controller.abort(); // Ctrl-C while the parts are on their way
        return { delayMs: 200 };
      }
      return undefined;
    };
    const first = await uploadLake(config({ concurrency: 1, partSize: 5 * 1024 * 1024, queueSize: 1 }), { signal: controller.signal });
    expect(first.interrupted).toBe(true);
    expect(first.uploaded).toBeLessThan(11);
    // lib-storage finishes the part in flight, then aborts the multipart upload (AbortMultipartUpload:
    // DELETE ?uploadId, which s3rver does not implement and answers 405).
    await expect.poll(() => proxy.requests.some((r) => r.key === key && r.method === 'DELETE' && r.query.has('uploadId')), { timeout: 10_000 }).toBe(true);
    const firstUploadIds = new Set(proxy.requests.filter((r) => r.key === key && r.query.has('uploadId')).map((r) => r.query.get('uploadId')));
    expect(firstUploadIds.size).toBe(1);
    expect(proxy.requests.some((r) => r.key === key && r.method === 'POST' && r.query.has('uploadId'))).toBe(false); // never completed
    expect(await listKeys(key)).toEqual([]);

    proxy.rule = undefined;
    proxy.requests.length = 0;
    const rerun = await uploadLake(config({ partSize: 5 * 1024 * 1024 }));
    expect(rerun).toMatchObject({ failed: [], interrupted: false, multipart: 1 });
    // s3rver implements neither ListMultipartUploads nor AbortMultipartUpload: the cleanup says so and the run goes on.
    expect(rerun.staleMultipartUploads).toEqual({ supported: false, aborted: 0 });
    const secondIds = new Set(proxy.requests.filter((r) => r.key === key && r.query.has('uploadId')).map((r) => r.query.get('uploadId')));
    expect(secondIds.size).toBe(1);
    expect([...secondIds][0]).not.toBe([...firstUploadIds][0]);
    expect((await getBytes(key)).equals(big)).toBe(true);
  });

  it('aborts the multipart uploads a killed run left behind (and not one a concurrent run just started)', async () => {
    // What a SIGKILLed run leaves: a real multipart upload on s3rver with one part and no completion.
    const key = `${prefix}/raw/date=2015-01-01/2015-01-01-15.json.gz`;
    const stale = await direct.send(new CreateMultipartUploadCommand({ Bucket: s3.bucket, Key: key }));
    await direct.send(new UploadPartCommand({ Bucket: s3.bucket, Key: key, UploadId: stale.UploadId!, PartNumber: 1, Body: Buffer.alloc(5 * 1024 * 1024, 1) }));
    // s3rver implements neither ListMultipartUploads nor AbortMultipartUpload, so the proxy answers
    // those two calls the way S3 documents them: two pages, the stale upload and one initiated a
    // minute in the future (another run's, started after ours), then 204 for the abort.
    const upload = (k: string, id: string, initiated: string) =>
      `<Upload><Key>${k}</Key><UploadId>${id}</UploadId><Initiated>${initiated}</Initiated><StorageClass>STANDARD</StorageClass></Upload>`;
    const page = (truncated: boolean, uploads: string, next = '') =>
      `<?xml version="1.0" encoding="UTF-8"?>\n<ListMultipartUploadsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Bucket>${s3.bucket}</Bucket>` +
      `<Prefix>${prefix}/</Prefix><MaxUploads>1000</MaxUploads><IsTruncated>${truncated}</IsTruncated>${next}${uploads}</ListMultipartUploadsResult>`;
    const future = new Date(Date.now() + 60_000).toISOString();
    proxy.rule = (req) => {
      if (req.method === 'GET' && req.key === '' && req.query.has('uploads')) {
        return req.query.has('key-marker')
          ? { reply: 200, body: page(false, upload(`${prefix}/${ACTORS_REL}`, 'concurrent-run-upload', future)) }
          : {
              reply: 200,
              body: page(
                true,
                upload(key, stale.UploadId!, '2026-01-01T00:00:00.000Z'),
                `<NextKeyMarker>${key}</NextKeyMarker><NextUploadIdMarker>${stale.UploadId}</NextUploadIdMarker>`,
              ),
            };
      }
      if (req.method === 'DELETE' && req.query.has('uploadId')) return { reply: 204, body: '' };
      return undefined;
    };
    const summary = await uploadLake(config());
    expect(summary.staleMultipartUploads).toEqual({ supported: true, aborted: 1 });
    const listings = proxy.requests.filter((r) => r.method === 'GET' && r.query.has('uploads'));
    expect(listings.map((r) => [r.query.get('prefix'), r.query.get('key-marker')])).toEqual([
      [`${prefix}/`, null],
      [`${prefix}/`, key],
    ]);
    const aborts = proxy.requests.filter((r) => r.method === 'DELETE' && r.query.has('uploadId'));
    expect(aborts.map((r) => [r.key, r.query.get('uploadId')])).toEqual([[key, stale.UploadId]]);
    // The aborts happen before any upload, and the file is then uploaded whole.
    expect(proxy.requests.indexOf(aborts[0]!)).toBeLessThan(proxy.requests.findIndex((r) => r.method === 'PUT'));
    expect(summary).toMatchObject({ uploaded: 10, failed: [] });
    await expectBucketMirrorsLake();
  });

  it('retries throttling (503 SlowDown) and then succeeds', async () => {
    const key = `${prefix}/${ACTORS_REL}`;
    // 4 refusals: more than the SDK's 3 attempts, so the whole-object retry has to step in.
    proxy.rule = (req, nth) => (req.key === key && req.method === 'PUT' && nth <= 4 ? slowDown : undefined);
    const summary = await uploadLake(config());
    expect(summary).toMatchObject({ uploaded: 10, failed: [], retried: 1 });
    const puts = proxy.requests.filter((r) => r.key === key && r.method === 'PUT');
    expect(puts.map((r) => r.injected ?? 200)).toEqual([503, 503, 503, 503, 200]);
    await expectBucketMirrorsLake();
  });

  it('a key that keeps failing (500) is reported with its key, the rest is uploaded and gold is held', async () => {
    await uploadLake(config());
    const v1 = (await pointer()).version;
    await writeGold(testLake.lake, 2);
    const summary0 = await uploadLake(config({ retries: 0 }), { signal: AbortSignal.timeout(60_000) });
    expect(summary0.gold.status).toBe('published'); // v2 in place

    await writeGold(testLake.lake, 3);
    let badKey = '';
    expect(v1).toBe('0000000001');
    proxy.rule = (req) => {
      if (req.method === 'PUT' && req.key.endsWith('/daily_summary/part-0000000003-full.parquet')) {
        badKey = req.key;
        return internalError;
      }
      return undefined;
    };
    const summary = await uploadLake(config({ retries: 1 }));
    expect(summary.failed).toHaveLength(1);
    expect(summary.failed[0]).toMatchObject({ key: badKey, code: 'GHLAKE_S3', attempts: 2 });
    expect(summary.failed[0]!.message).toContain(badKey);
    expect(summary.failed[0]!.message).toContain('InternalError');
    expect(summary.uploaded).toBe(4); // the other four gold tables of the new version
    expect(summary.gold.status).toBe('held');
    expect(uploadExitCode(summary)).toBe(1);
    expect((await pointer()).version).toBe(summary0.gold.version); // readers still get the complete previous version
    expect(proxy.requests.filter((r) => r.key === badKey && r.method === 'PUT').length).toBe(6); // 2 attempts x 3 SDK tries
  });

  it('publishes new gold before switching the pointer, and deletes the files it no longer lists one upload later', async () => {
    await uploadLake(config());
    const v1 = (await pointer()).version;
    const v1Keys = (await pointer()).files.map((f) => f.key);
    await writeGold(testLake.lake, 2);
    proxy.requests.length = 0;
    const summary = await uploadLake(config());
    const v2 = summary.gold.version!;
    expect([v1, v2]).toEqual(['0000000001', '0000000002']);
    expect(summary.gold).toMatchObject({ status: 'published', previousVersion: v1, removedObjects: 0 });
    expect(summary).toMatchObject({ uploaded: 5, skippedUnchanged: 5, deleted: 0 });
    // Successful writes only: s3rver sometimes answers a DELETE with 500 under concurrency and the SDK retries it.
    const seq = writes(proxy.requests.filter((r) => r.status !== undefined && r.status < 300));
    const newPuts = seq.map((w, i) => [w, i] as const).filter(([w]) => /\/part-0000000002-full\.parquet$/.test(w));
    const pointerAt = seq.indexOf(`PUT ${prefix}/gold/_current.json`);
    expect(newPuts).toHaveLength(5);
    expect(Math.max(...newPuts.map(([, i]) => i))).toBeLessThan(pointerAt);
    expect(seq).toHaveLength(5 + 1);
    // A reader that read the previous pointer just before the switch can still read its files.
    for (const key of v1Keys) expect(await listKeys(key)).toEqual([key]);
    expect((await pointer()).files.map((f) => f.key).filter((k) => v1Keys.includes(k))).toEqual([]);

    proxy.requests.length = 0;
    const next = await uploadLake(config());
    expect(next).toMatchObject({ uploaded: 0, deleted: 5, gold: { status: 'unchanged', version: v2, removedObjects: 5 } });
    expect(writes(proxy.requests.filter((r) => r.status !== undefined && r.status < 300)).sort()).toEqual(v1Keys.map((k) => `DELETE ${k}`).sort());
    const p = await expectBucketMirrorsLake();
    expect(p.version).toBe(v2);
  });

  it('a missing bucket is one clear error before any upload', async () => {
    const error = await uploadLake(config({ bucket: 'no-such-bucket' })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GhlakeError);
    expect((error as GhlakeError).code).toBe('GHLAKE_S3');
    expect((error as GhlakeError).message).toContain('NoSuchBucket');
    expect((error as GhlakeError).hint).toContain('--bucket');
    expect(writes(proxy.requests)).toEqual([]);
  });

  it('an empty lake uploads nothing and says why', async () => {
    const empty = path.join(work, 'empty');
    await mkdir(empty);
    const summary = await uploadLake(config({ lake: empty }));
    expect(summary).toMatchObject({ files: 0, uploaded: 0, failed: [], gold: { status: 'none' } });
    expect(formatUploadSummary(summary)).toContain(`nothing to upload: ${empty} has no data files yet`);
    expect(writes(proxy.requests)).toEqual([]);
  });

  it('a lake folder that does not exist is an error naming --lake', async () => {
    const error = await uploadLake(config({ lake: path.join(work, 'nope') })).catch((e: unknown) => e);
    expect((error as GhlakeError).code).toBe('GHLAKE_INVALID_OPTION');
    expect((error as GhlakeError).message).toContain('--lake');
  });
});
