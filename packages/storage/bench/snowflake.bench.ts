/**
 * What ghlake's own side of a Snowflake load costs, measured without Snowflake: scanning the lake
 * (row counts from Parquet footers), planning a year of hours, printing the dry-run script, and
 * running a load through the real snowflake-sdk against the local REST stub (driver + protocol
 * overhead per statement on loopback). Snowflake's own COPY time is not measured: there is no
 * account here.
 *
 *   npx tsx packages/storage/bench/snowflake.bench.ts [hours=720] [rowsPerHour=200]
 */
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { findTable, goldLinkPath, goldVersionsDir, hourFromMs, partitionFile, tableDir, writeTableFile, type HourKey, type TableDecl } from '@ghlake/core';
import { formatScript, loadLakeIntoSnowflake, loadPlanStatements, objectsFrom, planLoad, scanLake, type LakeTableFile } from '../src/snowflake/index.js';
import { startSnowflakeStub } from '../../../tools/snowflake-stub/index.js';
import { fakeWarehouse } from '../test/fixtures/snowflake/fake-warehouse.js';

const hours = Number(process.argv[2] ?? 720);
const rowsPerHour = Number(process.argv[3] ?? 200);

function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number; cpuMs: number }> {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  return fn().then((value) => {
    const c = process.cpuUsage(c0);
    return { value, ms: performance.now() - t0, cpuMs: (c.user + c.system) / 1000 };
  });
}

function rows(table: TableDecl, n: number, hourMs: number): { rowCount: number; columns: Record<string, unknown[]> } {
  const columns: Record<string, unknown[]> = {};
  for (const c of table.columns) {
    columns[c.name] = Array.from({ length: n }, (_, i) => {
      switch (c.type) {
        case 'BIGINT':
          return hourMs / 1000 + i;
        case 'TIMESTAMP':
          return hourMs + i * 1000;
        case 'BOOLEAN':
          return i % 2 === 0;
        case 'DOUBLE':
          return i / n;
        case 'DATE':
          return new Date(hourMs).toISOString().slice(0, 10);
        default:
          return `${c.name}-${i}`;
      }
    });
  }
  return { rowCount: n, columns };
}

const events = findTable('silver', 'events');
const payload = findTable('silver', 'payload_details');
const actors = findTable('silver', 'actors');
const daily = findTable('gold', 'daily_summary');

const work = await fs.mkdtemp(path.join(tmpdir(), 'ghlake-sf-bench-'));
const lake = path.join(work, 'lake');
const start = Date.UTC(2024, 0, 1);
try {
  const write = await timed(async () => {
    for (let h = 0; h < hours; h++) {
      const ms = start + h * 3_600_000;
      const hour = hourFromMs(ms);
      await writeTableFile(events, partitionFile(lake, 'silver', 'events', hour), rows(events, rowsPerHour, ms));
      await writeTableFile(payload, partitionFile(lake, 'silver', 'payload_details', hour), rows(payload, rowsPerHour, ms));
    }
    // Keyed tables as the lake keeps them: one full file each, gold behind its version link.
    await writeTableFile(actors, path.join(tableDir(lake, 'silver', 'actors'), 'part-0000000001-full.parquet'), rows(actors, 1000, start));
    await writeTableFile(daily, path.join(goldVersionsDir(lake), '0000000001', 'daily_summary', 'part-0000000001-full.parquet'), rows(daily, hours, start));
    await fs.symlink(path.join('gold-versions', '0000000001'), goldLinkPath(lake), 'dir');
  });
  const scan = await timed(() => scanLake(lake));
  const files = scan.value;
  const objects = objectsFrom({});
  const dry = await timed(async () => formatScript('ghlake snowflake load', loadPlanStatements(planLoad(objects, files, []))));

  // A year of hours, in memory: planning cost only.
  const year: LakeTableFile[] = [];
  for (let h = 0; h < 8760; h++) {
    const hour = hourFromMs(start + h * 3_600_000) as HourKey;
    for (const t of [events, payload]) {
      const p = `silver/${t.name}/date=${hour.slice(0, 10)}/hour=${Number(hour.slice(11))}/part-0.parquet`;
      year.push({ table: t, path: p, stagePath: p, hour, bytes: 50_000, mtimeMs: start, rows: 100_000 });
    }
  }
  const planYear = await timed(async () => planLoad(objects, year, []));
  const yearLoaded = year.map((f) => ({
    table: `silver.${f.table.name}`,
    hour: f.hour,
    path: f.stagePath,
    bytes: f.bytes,
    mtimeMs: f.mtimeMs,
    rows: f.rows,
    loadedAt: '',
  }));
  const planYearNothing = await timed(async () => planLoad(objects, year, yearLoaded));

  const fake = fakeWarehouse({ stageUrl: 's3://bench/ghlake/' });
  for (const f of files) fake.staged.set(f.stagePath, f.rows);
  const stub = await startSnowflakeStub({ account: 'bench', user: 'bench', password: 'bench', handler: fake.handler });
  const connection = { account: 'bench', user: 'bench', auth: { kind: 'password' as const, password: 'bench' }, database: 'GHLAKE', accessUrl: stub.url };
  const batched = await timed(() => loadLakeIntoSnowflake({ lake, connection }));
  const sentBatched = stub.statements.length;
  const perHour = await timed(() => loadLakeIntoSnowflake({ lake, connection, reload: true, batchFiles: 1 }));
  const sentPerHour = stub.statements.length - sentBatched;
  await stub.close();

  const fmt = (x: number) => x.toFixed(0);
  const report = {
    machine: `${process.version}, load average ${(await import('node:os'))
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
    lake: `${hours} hours x 2 hourly tables x ${rowsPerHour} rows + actors + gold.daily_summary = ${files.length} files`,
    writeLakeMs: fmt(write.ms),
    dryRunScriptCpuMs: fmt(dry.cpuMs),
    scanLake: `${fmt(scan.ms)} ms wall, ${fmt(scan.cpuMs)} ms CPU for ${files.length} files (${fmt((files.length / scan.ms) * 1000)} files/s)`,
    dryRunScript: `${fmt(dry.ms)} ms, ${(dry.value.length / 1e6).toFixed(2)} MB of SQL`,
    planYear: `${fmt(planYear.ms)} ms wall, ${fmt(planYear.cpuMs)} ms CPU for 17,520 hourly files (all new) -> ${planYear.value.units.length} units, ${loadPlanStatements(planYear.value).length} statements`,
    planYearNothingNew: `${fmt(planYearNothing.ms)} ms wall, ${fmt(planYearNothing.cpuMs)} ms CPU (all loaded) -> ${planYearNothing.value.units.length} units`,
    loadBatched: `${fmt(batched.ms)} ms wall, ${fmt(batched.cpuMs)} ms CPU, ${sentBatched} statements, ${batched.value.rowsLoaded} rows reported`,
    loadPerHour: `${fmt(perHour.ms)} ms wall, ${fmt(perHour.cpuMs)} ms CPU, ${sentPerHour} statements (${(perHour.ms / sentPerHour).toFixed(2)} ms per statement incl. login)`,
  };
  console.log(JSON.stringify(report, null, 2));
} finally {
  await fs.rm(work, { recursive: true, force: true });
}
