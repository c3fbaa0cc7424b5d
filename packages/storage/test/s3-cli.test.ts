/**
 * `ghlake upload` through the real CLI (node packages/pipeline/bin/ghlake.mjs) against s3rver
 * on 127.0.0.1: the acceptance (every lake file byte-identical in the bucket; a second
 * run uploads nothing and says so), secrets never printed, failures named by key, usage errors.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Client, uploadCommand, uploadLake, type GoldPointer, type UploadSummary } from '../src/index.js';
import { startS3, TEST_ACCESS_KEY_ID, TEST_SECRET_ACCESS_KEY, type TestS3 } from './fixtures/s3/s3-server.js';
import { internalError, startFaultProxy, type FaultProxy } from './fixtures/s3/fault-proxy.js';
import { buildLake, type TestLake } from './fixtures/s3/lake.js';

const BIN = path.resolve(import.meta.dirname, '..', '..', 'pipeline', 'bin', 'ghlake.mjs');
const SESSION_TOKEN = 'ghlake-fake-session-token-9d8c7b6a5f4e3d2c1b0a';

let s3: TestS3;
let proxy: FaultProxy;
let direct: S3Client;
let work: string;
let testLake: TestLake;

beforeAll(async () => {
  s3 = await startS3();
  proxy = await startFaultProxy(s3.port, s3.bucket);
  direct = createS3Client({ endpoint: s3.endpoint, credentials: s3.credentials });
  work = await mkdtemp(path.join(tmpdir(), 'ghlake-upload-cli-'));
  testLake = await buildLake(path.join(work, 'lake'));
});
afterAll(async () => {
  direct.destroy();
  await proxy.close();
  await s3.close();
  await rm(work, { recursive: true, force: true });
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Spawn the real CLI with a clean environment: only what the test gives, no ~/.aws of the machine. */
function ghlake(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: {
        PATH: process.env.PATH ?? '',
        HOME: work,
        AWS_CONFIG_FILE: path.join(work, 'no-aws-config'),
        AWS_SHARED_CREDENTIALS_FILE: path.join(work, 'no-aws-credentials'),
        AWS_EC2_METADATA_DISABLED: 'true',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const credentials = { AWS_ACCESS_KEY_ID: TEST_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY: TEST_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN: SESSION_TOKEN };

function expectNoSecrets(run: Run): void {
  for (const secret of [TEST_SECRET_ACCESS_KEY, SESSION_TOKEN, TEST_ACCESS_KEY_ID]) {
    expect(run.stdout).not.toContain(secret);
    expect(run.stderr).not.toContain(secret);
  }
}

async function getBytes(key: string): Promise<Buffer> {
  const got = await direct.send(new GetObjectCommand({ Bucket: s3.bucket, Key: key }));
  return Buffer.from(await got.Body!.transformToByteArray());
}

describe('ghlake upload (CLI)', () => {
  it('publishes every lake file byte-identical; a second run uploads nothing and says so', async () => {
    const first = await ghlake(
      ['upload', '--lake', testLake.lake, '--bucket', s3.bucket, '--prefix', 'accept', '--endpoint', s3.endpoint, '--log-level', 'debug'],
      credentials,
    );
    expect(first.stderr).not.toContain('error');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`upload s3://${s3.bucket}/accept/ from ${testLake.lake}`);
    expect(first.stdout).toMatch(/uploaded {3}10 \(/);
    expectNoSecrets(first);

    const listed = await direct.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: 'accept/' }));
    const keys = (listed.Contents ?? []).map((o) => o.Key!).sort();
    const current = JSON.parse((await getBytes('accept/gold/_current.json')).toString('utf8')) as GoldPointer;
    expect(current.version).toBe('0000000001');
    const expected = testLake.dataFiles.map((rel) => `accept/${rel}`);
    expect(keys).toEqual([...expected, 'accept/gold/_current.json'].sort());
    for (const rel of testLake.dataFiles) {
      const key = `accept/${rel}`;
      expect((await getBytes(key)).equals(await readFile(path.join(testLake.lake, rel))), key).toBe(true);
    }

    // Bucket and prefix from the environment this time.
    const second = await ghlake(['upload', '--lake', testLake.lake], {
      ...credentials,
      GHLAKE_S3_BUCKET: s3.bucket,
      GHLAKE_S3_PREFIX: 'accept',
      GHLAKE_S3_ENDPOINT: s3.endpoint,
    });
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('nothing to upload: all 10 objects are unchanged');
    expect(second.stdout).toMatch(/uploaded {3}0 \(/);
    // This lake has no silver state (no commit to follow): every upload checks every file, and says why.
    expect(second.stdout).toContain('  mode       full: the lake has no silver state (nothing consolidated yet): every file is checked');
    const full = await ghlake(
      ['upload', '--lake', testLake.lake, '--bucket', s3.bucket, '--prefix', 'accept', '--endpoint', s3.endpoint, '--full'],
      credentials,
    );
    expect(full.code).toBe(0);
    expect(full.stdout).toContain('  mode       full: asked for (--full)');

    const json = await ghlake(
      ['upload', '--lake', testLake.lake, '--bucket', s3.bucket, '--prefix', 'accept', '--endpoint', s3.endpoint, '--json'],
      credentials,
    );
    expect(json.code).toBe(0);
    const summary = JSON.parse(json.stdout) as UploadSummary;
    expect(summary).toMatchObject({ files: 10, uploaded: 0, skippedUnchanged: 10, failed: [], interrupted: false });
    expect(summary.gold).toMatchObject({ status: 'unchanged', version: current.version });
  });

  it('never prints credentials, not even in error output with GHLAKE_DEBUG stacks', async () => {
    // s3rver checks that the access key exists (it does not verify SigV4 signatures), so an
    // unknown key is the credential error it can produce.
    const unknownKey = 'AKIAGHLAKEUNKNOWNKEY9';
    const run = await ghlake(
      ['upload', '--lake', testLake.lake, '--bucket', s3.bucket, '--prefix', 'secrets', '--endpoint', s3.endpoint, '--log-level', 'debug'],
      {
        ...credentials,
        AWS_ACCESS_KEY_ID: unknownKey,
        GHLAKE_DEBUG: '1',
      },
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('error GHLAKE_S3: listing s3://ghlake-test/secrets/ failed: InvalidAccessKeyId');
    expect(run.stderr).toContain('hint: the access key is not known to this endpoint');
    expect(run.stderr).toContain('at '); // the debug stack was printed, and still holds nothing secret
    expectNoSecrets(run);
    expect(run.stdout + run.stderr).not.toContain(unknownKey);
  });

  it('Ctrl-C stops the upload with exit 130 and no gold switch; the next run finishes it', async () => {
    // Slow every PUT down so the interrupt lands mid-run, and send SIGINT after the first upload.
    proxy.rule = (req) => (req.method === 'PUT' ? { delayMs: 300 } : undefined);
    const args = ['upload', '--lake', testLake.lake, '--bucket', s3.bucket, '--prefix', 'sigint', '--endpoint', proxy.endpoint, '--concurrency', '1'];
    const run = await new Promise<Run>((resolve, reject) => {
      const child = spawn(process.execPath, [BIN, ...args], {
        env: { PATH: process.env.PATH ?? '', HOME: work, NODE_OPTIONS: process.env.NODE_OPTIONS ?? '', ...credentials }, // NODE_OPTIONS: run the sources (vitest.config.ts)
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => {
        stderr += d;
        if (stderr.includes('"msg":"uploaded"') && !child.killed) child.kill('SIGINT');
      });
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
    proxy.rule = undefined;
    expect(run.code).toBe(130);
    expect(run.stdout).toContain('interrupted: rerun ghlake upload to finish');
    expect(run.stdout).toContain('NOT published: the run was interrupted');
    const listed = await direct.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: 'sigint/' }));
    const keys = (listed.Contents ?? []).map((o) => o.Key!);
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.length).toBeLessThan(10);
    expect(keys).not.toContain('sigint/gold/_current.json');

    const summary = await uploadLake({ lake: testLake.lake, bucket: s3.bucket, prefix: 'sigint', endpoint: s3.endpoint, credentials: s3.credentials });
    expect(summary.failed).toEqual([]);
    expect(summary.skippedUnchanged).toBe(keys.length);
    expect(summary.uploaded).toBe(10 - keys.length);
    expect(summary.gold.status).toBe('published');
  });

  it('AWS without a region is one clear error before any request', async () => {
    const run = await ghlake(['upload', '--lake', testLake.lake, '--bucket', 'my-bucket'], { ...credentials, AWS_EC2_METADATA_DISABLED: 'true' });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('error GHLAKE_S3: listing s3://my-bucket/ghlake/ failed: Region is missing');
    expect(run.stderr).toContain('hint: pass --region (or set AWS_REGION), or give --endpoint for an S3-compatible store');
    expectNoSecrets(run);
  });

  it('a key that keeps failing exits 1 and names the key', async () => {
    proxy.rule = (req) => (req.method === 'PUT' && req.key === 'failing/silver/events/date=2015-01-01/hour=15/part-0.parquet' ? internalError : undefined);
    const run = await ghlake(
      ['upload', '--lake', testLake.lake, '--bucket', s3.bucket, '--prefix', 'failing', '--endpoint', proxy.endpoint, '--retries', '0'],
      credentials,
    );
    proxy.rule = undefined;
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`FAILED s3://${s3.bucket}/failing/silver/events/date=2015-01-01/hour=15/part-0.parquet: GHLAKE_S3: uploading`);
    expect(run.stdout).toContain('1 object(s) failed: rerun ghlake upload to retry them');
    expect(run.stdout).toMatch(/uploaded {3}9 \(/);
    expect(run.stderr).toContain('failing/silver/events/date=2015-01-01/hour=15/part-0.parquet');
    expectNoSecrets(run);
  });
});

/** The command in-process, for usage errors and help (no process to spawn). */
async function runCommand(argv: string[], env: Record<string, string> = {}) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d) => (out += d));
  stderr.on('data', (d) => (err += d));
  const result = await uploadCommand.run({ argv, env, stdout, stderr, signal: new AbortController().signal, cwd: work }).catch((e: unknown) => e);
  return { result, out, err };
}

describe('ghlake upload options', () => {
  it('help lists every option with its environment variable', () => {
    const help = uploadCommand.help();
    for (const text of [
      '--bucket',
      'GHLAKE_S3_BUCKET',
      '--prefix',
      '--endpoint',
      '--force-path-style',
      '--region',
      '--concurrency',
      '--part-size',
      '--json',
      'gold/_current.json',
    ]) {
      expect(help).toContain(text);
    }
  });

  it('no bucket is a usage error that says how to give one', async () => {
    const { result } = await runCommand(['--lake', testLake.lake]);
    expect(result).toMatchObject({ code: 'GHLAKE_USAGE', hint: 'pass --bucket <name> or set GHLAKE_S3_BUCKET' });
  });

  it.each([
    [['--bucket', 's3://my-bucket/lake'], '--bucket', 'write --bucket my-bucket and put the path after it in --prefix'],
    [['--bucket', 'My_Bucket'], '--bucket', 'give --bucket an S3 bucket name'],
    [['--bucket', 'b-1', '--part-size', '1MB'], '--part-size', 'give --part-size a part size from 5MiB to 5GiB'],
    [['--bucket', 'b-1', '--prefix', 'a//b'], '--prefix', 'give --prefix a key prefix'],
    [['--bucket', 'b-1', '--concurrency', '0'], '--concurrency', 'give --concurrency an integer from 1 to 64'],
    [['--bucket', 'b-1', '--endpoint', 'ftp://x'], '--endpoint', 'give --endpoint an http(s) URL'],
  ])('%j is rejected naming %s', async (argv, option, hint) => {
    const { result } = await runCommand(['--lake', testLake.lake, ...argv]);
    expect(result).toMatchObject({ code: 'GHLAKE_INVALID_OPTION' });
    expect((result as Error).message).toContain(option);
    expect((result as { hint: string }).hint).toContain(hint);
  });

  it('GHLAKE_S3_PART_SIZE from the environment is validated too, naming the variable', async () => {
    const { result } = await runCommand(['--lake', testLake.lake, '--bucket', 'b-1'], { GHLAKE_S3_PART_SIZE: '4MB' });
    expect((result as Error).message).toContain('GHLAKE_S3_PART_SIZE');
  });
});
