/**
 * How an hour is recorded whichever command wrote it, and the check a run makes before it trusts
 * it: real Parquet files (written by DuckDB), a real manifest on disk.
 */
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ManifestStore,
  fingerprintFile,
  outputProblems,
  partitionFile,
  readManifest,
  recordFinalOutputs,
  recordTransform,
  stagedPartitionFile,
  type HourAccounting,
  type HourKey,
} from '@ghlake/core';

let lake: string;
const hour = '2015-01-01-0' as HourKey;
const acc = (silverEvents: number): HourAccounting => ({
  lines: 5,
  events: 5,
  silverEvents,
  quarantined: 0,
  quarantinedByReason: {},
  blankLines: 0,
  duplicates: 0,
});

async function writeParquet(file: string, rows: number): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const db = await DuckDBInstance.create(':memory:', { threads: '1' });
  const c = await db.connect();
  await c.run(`COPY (SELECT range AS id, 'event ' || range AS name FROM range(${rows})) TO '${file}' (FORMAT parquet)`);
  c.closeSync();
  db.closeSync();
}

beforeEach(async () => {
  lake = await fs.mkdtemp(path.join(tmpdir(), 'ghlake-records-'));
});
afterEach(async () => {
  await fs.rm(lake, { recursive: true, force: true });
});

describe('recording an hour', () => {
  it('bronze alone leaves it downloaded; silver makes it transformed; silver is fingerprinted once its commit published it', async () => {
    const bronze = partitionFile(lake, 'bronze', 'events', hour);
    await writeParquet(bronze, 5);
    const store = await ManifestStore.open(lake, { hours: [hour] });
    await recordTransform(store, hour, { layers: ['bronze'], files: [bronze], accounting: acc(0) }, 'a');
    const bronzeRel = 'bronze/events/date=2015-01-01/hour=0/part-0.parquet';
    expect(store.record(hour)).toMatchObject({
      state: 'downloaded',
      transform: { layers: ['bronze'], files: [bronzeRel], outputs: { [bronzeRel]: { bytes: (await fs.stat(bronze)).size } } },
    });

    // Silver staged: recorded where its commit will publish it, not fingerprinted yet.
    const staged = stagedPartitionFile(lake, 'events', hour);
    await writeParquet(staged, 4);
    const silver = partitionFile(lake, 'silver', 'events', hour);
    await recordTransform(store, hour, { layers: ['silver'], files: [silver], accounting: acc(4) }, 'b');
    const silverRel = 'silver/events/date=2015-01-01/hour=0/part-0.parquet';
    let record = store.record(hour);
    expect(record.state).toBe('transformed');
    expect(record.transform).toMatchObject({ files: [bronzeRel, silverRel], accounting: { events: 5, silverEvents: 4 } });
    expect(record.transform!.layers).toBeUndefined();
    expect(Object.keys(record.transform!.outputs!)).toEqual([bronzeRel]);
    expect(await outputProblems(lake, record)).toEqual([]);

    // The commit publishes it: now it is final and fingerprinted.
    await fs.mkdir(path.dirname(silver), { recursive: true });
    await fs.rename(staged, silver);
    await recordFinalOutputs(store, [hour], { refresh: true });
    record = store.record(hour);
    const print = await fingerprintFile(silver);
    expect(print.ok && record.transform!.outputs![silverRel]).toEqual(print.ok ? print.fingerprint : undefined);
    await store.flush();
    expect((await readManifest(lake)).hours[hour]).toEqual(record);
  });

  it('an output not what was recorded is named with what is wrong: gone, size, footer, not Parquet', async () => {
    const files = ['events', 'quarantine'].map((t) => partitionFile(lake, 'bronze', t, hour));
    for (const f of files) await writeParquet(f, 100);
    const store = await ManifestStore.open(lake, { hours: [hour] });
    await recordTransform(store, hour, { layers: ['bronze', 'silver'], files, accounting: acc(5) }, 'a');
    const rels = files.map((f) => path.relative(lake, f));
    const size = (await fs.stat(files[0]!)).size;
    expect(await outputProblems(lake, store.record(hour))).toEqual([]);

    await fs.truncate(files[0]!, 0);
    expect(await outputProblems(lake, store.record(hour))).toEqual([`${rels[0]}: 0 bytes, ${size.toLocaleString('en-US')} recorded`]);
    // Another file of the same length: same size, another footer (its rows differ).
    await writeParquet(files[0]!, 100);
    const other = await fs.readFile(files[0]!);
    other[other.length - 30] = other[other.length - 30]! ^ 0x01;
    await fs.writeFile(files[0]!, other);
    expect(await outputProblems(lake, store.record(hour))).toEqual([`${rels[0]}: its Parquet footer is not the recorded one`]);
    await fs.rm(files[1]!);
    await writeParquet(files[0]!, 100);
    expect(await outputProblems(lake, store.record(hour))).toEqual([`${rels[1]}: gone`]);

    // Not fingerprinted yet (an earlier ghlake's record): it must still be a Parquet file.
    const { outputs: _o, ...bare } = store.record(hour).transform!;
    await fs.writeFile(files[1]!, 'not parquet at all');
    expect(await outputProblems(lake, { state: 'transformed', transform: bare })).toEqual([`${rels[1]}: has no Parquet footer`]);
  });
});
