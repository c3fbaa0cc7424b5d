/**
 * `ghlake run --upload [--snowflake]`: after gold, the lake is published to S3 (a real
 * S3-compatible server, s3rver, on 127.0.0.1) and the manifest marks the hours published; a rerun
 * re-uploads nothing; with --snowflake the published lake is loaded through the real snowflake-sdk
 * driver into the Snowflake stub on 127.0.0.1 (tools/snowflake-stub) and the hours become loaded.
 */
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GOLD_TABLES, manifestPath } from '@ghlake/core';
import { createS3Client, goldSnapshot, scanLake, silverKeyedTables } from '@ghlake/storage';
import { startSnowflakeStub, type SnowflakeStub } from '../../../tools/snowflake-stub/index.js';
import { fakeWarehouse } from '../../storage/test/fixtures/snowflake/fake-warehouse.js';
import { startMirror, type Mirror } from '../../../tools/mirror/server.js';
import { startS3, type TestS3 } from '../../storage/test/fixtures/s3/s3-server.js';
import { runGhlake } from './helpers/ghlake-process.js';
import { writeSlicedHours } from './helpers/sliced-hours.js';
import { readManifest } from '@ghlake/core';

let work: string;
let mirror: Mirror;
let s3: TestS3;
let lake: string;
let env: Record<string, string>;
const PASSWORD = 'sf-pw-Never-Print-7c1e';

beforeAll(async () => {
  work = await fs.mkdtemp(path.join(tmpdir(), 'ghlake-run-upload-'));
  await writeSlicedHours(path.join(work, 'mirror'));
  mirror = await startMirror({ root: path.join(work, 'mirror') });
  s3 = await startS3('ghlake-run-test');
});
afterAll(async () => {
  await mirror?.close();
  await s3?.close();
  await fs.rm(work, { recursive: true, force: true });
});

describe('ghlake run --upload', () => {
  it('publishes raw, bronze, silver and gold to S3 and marks the hours published; a rerun uploads nothing new', async () => {
    lake = path.join(work, 'lake');
    env = {
      AWS_ACCESS_KEY_ID: s3.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: s3.credentials.secretAccessKey,
      AWS_CONFIG_FILE: path.join(work, 'none'),
      AWS_SHARED_CREDENTIALS_FILE: path.join(work, 'none'),
      AWS_EC2_METADATA_DISABLED: 'true',
    };
    const args = [
      'run',
      '--from',
      '2015-01-01-0',
      '--to',
      '2015-01-01-1',
      '--base-url',
      mirror.url,
      '--lake',
      lake,
      '--upload',
      '--bucket',
      s3.bucket,
      '--endpoint',
      s3.endpoint,
      '--prefix',
      'lakes/test',
      '--json',
    ];
    const r = await runGhlake(args, { env });
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary.upload.failed).toEqual([]);
    expect(summary.upload.uploaded).toBeGreaterThan(10);

    const client = createS3Client({ endpoint: s3.endpoint, credentials: s3.credentials });
    const listed = await client.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: 'lakes/test/' }));
    client.destroy();
    const keys = (listed.Contents ?? []).map((o) => o.Key!);
    expect(keys).toEqual(
      expect.arrayContaining([
        'lakes/test/raw/date=2015-01-01/2015-01-01-0.json.gz',
        'lakes/test/bronze/events/date=2015-01-01/hour=1/part-0.parquet',
        'lakes/test/silver/events/date=2015-01-01/hour=0/part-0.parquet',
        'lakes/test/silver/actors/part-0000000001-full.parquet',
      ]),
    );
    expect(keys.some((k) => /^lakes\/test\/gold\/.*repo_metrics\/part-\d{10}-full\.parquet$/.test(k))).toBe(true);
    expect(keys.filter((k) => k.includes('_state') || k.includes('warehouse.duckdb') || k.includes('.tmp-'))).toEqual([]);

    const manifest = await readManifest(lake);
    expect(manifest.hours['2015-01-01-0']!.state).toBe('published');
    expect(manifest.hours['2015-01-01-1']!.state).toBe('published');

    expect(summary.upload.mode).toBe('full'); // the first upload to this bucket and prefix

    // Nothing new: the rerun is incremental — no hour partition is looked at, only the keyed tables'
    // live files and gold's, each known from the upload record (no request, nothing uploaded).
    const again = await runGhlake(args, { env });
    expect(again.code, again.stderr).toBe(0);
    const second = JSON.parse(again.stdout);
    const keyedFiles = [...(await silverKeyedTables(lake)).tables, ...((await goldSnapshot(lake))?.tables ?? [])].flatMap((t) => t.live);
    expect(second.upload).toMatchObject({ mode: 'incremental', uploaded: 0, failed: [], unchanged: keyedFiles.length });
    expect(keyedFiles.length).toBe(3 + GOLD_TABLES.length); // silver actors, repositories, organizations and every gold table: one full file each
  });

  it('--snowflake then loads the published lake into Snowflake (COPY per partition through the real driver) and marks the hours loaded', async () => {
    // The stub answers like Snowflake; its COPY results count the rows of the files "in S3" (= the uploaded lake).
    const fake = fakeWarehouse({ stageUrl: `s3://${s3.bucket}/lakes/test/` });
    const stub: SnowflakeStub = await startSnowflakeStub({
      account: 'acme-test',
      user: 'loader',
      password: PASSWORD,
      handler: async (statement) => {
        if (/^\s*COPY INTO/i.test(statement.sqlText)) for (const f of await scanLake(lake)) fake.staged.set(f.stagePath, f.rows);
        return fake.handler(statement);
      },
    });
    try {
      const args = [
        'run',
        '--from',
        '2015-01-01-0',
        '--to',
        '2015-01-01-1',
        '--base-url',
        mirror.url,
        '--lake',
        lake,
        '--upload',
        '--bucket',
        s3.bucket,
        '--endpoint',
        s3.endpoint,
        '--prefix',
        'lakes/test',
        '--snowflake',
        '--json',
      ];
      const sfEnv = { ...env, SNOWFLAKE_ACCOUNT: 'acme-test', SNOWFLAKE_USER: 'loader', SNOWFLAKE_PASSWORD: PASSWORD, SNOWFLAKE_HOST: stub.url };
      const r = await runGhlake(args, { env: sfEnv });
      expect(r.code, r.stderr).toBe(0);
      const summary = JSON.parse(r.stdout);
      expect(summary.snowflake.rows['silver.events']).toBe(780);
      expect(fake.rows('"GHLAKE"."SILVER"."EVENTS"')).toBe(780);
      expect(stub.statements.some((st) => /^COPY INTO "GHLAKE"\."SILVER"\."EVENTS"/.test(st.sqlText))).toBe(true);
      expect(`${r.stdout}${r.stderr}`).not.toContain(PASSWORD);
      const manifest = await readManifest(lake);
      expect(manifest.hours['2015-01-01-0']!.state).toBe('loaded');
      expect(manifest.hours['2015-01-01-1']!.state).toBe('loaded');
    } finally {
      await stub.close();
    }
  });

  it('--snowflake without --upload is a usage error', async () => {
    const r = await runGhlake(['run', '--from', '2015-01-01-0', '--lake', path.join(work, 'x'), '--snowflake']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error GHLAKE_USAGE: --snowflake loads the S3 copy of the lake, but --upload is not given/);
  });

  it('--upload without a bucket is a usage error before anything is downloaded', async () => {
    const lake = path.join(work, 'no-bucket');
    const r = await runGhlake(['run', '--from', '2015-01-01-0', '--base-url', mirror.url, '--lake', lake, '--upload'], { env: { GHLAKE_S3_BUCKET: '' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error GHLAKE_USAGE: no bucket given: upload needs --bucket\n  hint: pass --bucket <name> or set GHLAKE_S3_BUCKET/);
    await expect(fs.stat(lake)).rejects.toThrow(/ENOENT/);
  });
});
