/**
 * The run's stages backed by the stage packages: @ghlake/download's `downloadHours`, the
 * fused bronze+silver transform of @ghlake/silver on ONE shared pool, @ghlake/gold's
 * consolidation + gold + warehouse. Translation only: no orchestration decisions here.
 */
import { createPool, rawPath, runPoolTask, warehousePath, workerModule, type HourKey, type SharedPool } from '@ghlake/core';
import { corruptPath, downloadHours, hourResultError, markGzipChecked, markGzipDamaged, wrongSourceError } from '@ghlake/download';
import { loadLakeIntoSnowflake, uploadLake } from '@ghlake/storage';
import { SILVER_STATE_TABLES, duckdbTempDir, openDuckDB, openStateDb, sqlError } from '@ghlake/core/duckdb';
import { GOLD_STATE_TABLES, buildGold, refreshWarehouse, warehouseIsCurrent } from '@ghlake/gold';
import { consolidateSilver, silverHoursWritten } from '@ghlake/silver';
import { promises as fs } from 'node:fs';
import type { RunStageConfig } from './run-options.js';
import type { GoldOutcome, PipelineStages, TopRepository } from './stages.js';
import { transformOneHour } from './transform-stage.js';

const WARM_WORKER = workerModule('./warm-worker', import.meta.url);

export interface RealStagesOptions {
  /** Use this pool instead of creating one (benchmarks share theirs). */
  pool?: SharedPool;
}

export function createRealStages(config: RunStageConfig, options: RealStagesOptions = {}): PipelineStages & { pool: SharedPool } {
  // No more workers than hours: each worker loads the transform's code (~0.3 CPU-s), wasted on a worker with no hour.
  const workers = Math.max(1, Math.min(config.threads, config.hours.length));
  const pool = options.pool ?? createPool({ threads: workers, maxOldGenerationSizeMb: config.workerHeapMb });
  // Every worker loads the transform's code now, while the first hours download.
  const warmUp = Promise.all(Array.from({ length: workers }, () => runPoolTask(pool, WARM_WORKER, {}).catch(() => false)));
  return {
    pool,
    async download(hours, hooks) {
      let reported = 0;
      const summary = await downloadHours({ ...config.download, verify: config.download.verify || hooks.reverify, checkGzip: hooks.checkGzip }, hours, {
        signal: hooks.signal,
        progressIntervalMs: 100,
        onProgress: (p) => {
          if (p.receivedBytes > reported) {
            hooks.onBytes(p.receivedBytes - reported);
            reported = p.receivedBytes;
          }
        },
        onRetry: (e) =>
          hooks.onRetry?.({ hour: e.hour, attempt: e.attempt, delayMs: e.delayMs, code: e.error.code, message: e.error.message, keptBytes: e.keptBytes }),
        onHourDone: (r) =>
          hooks.onHourDone({
            hour: r.hour,
            status: r.status,
            bytes: r.bytes,
            ...(r.sha256 ? { sha256: r.sha256 } : {}),
            ...(r.gzipChecked !== undefined ? { gzipChecked: r.gzipChecked } : {}),
            ...(r.resumedBytes ? { resumedBytes: r.resumedBytes } : {}),
            ...(r.partialDiscarded ? { partialDiscarded: r.partialDiscarded } : {}),
            ...(r.error || r.status === 'missing' ? { error: hourResultError(r, config.download.baseUrl)! } : {}),
          }),
      });
      if (summary.receivedBytes > reported) hooks.onBytes(summary.receivedBytes - reported);
      const wrongSource = summary.interrupted ? undefined : wrongSourceError(summary.baseUrl, summary.results, { heldElsewhere: hooks.rangeHasData });
      if (wrongSource) throw wrongSource;
    },
    transform: (hour: HourKey, options) => transformOneHour(pool, config, hour, options),
    async keepDamagedCopy(hour) {
      await fs.rename(rawPath(config.lake, hour), corruptPath(config.lake, hour)).catch(() => undefined);
    },
    async recordGzipCheck(hour, found) {
      if ('damage' in found) await markGzipDamaged(config.lake, hour, found.damage);
      else await markGzipChecked(config.lake, hour, found.uncompressedBytes);
    },
    gold: (hooks) => publishStaged(config, hooks),
    async warehouse() {
      await refreshWarehouse(config.lake);
    },
    warehouseIsCurrent: () => warehouseIsCurrent(config.lake),
    async topRepositories(limit: number): Promise<TopRepository[]> {
      const db = await openDuckDB(
        { memoryLimit: 256_000_000, threads: 1, tempDirectory: duckdbTempDir(config.lake) },
        { path: warehousePath(config.lake), readOnly: true },
      );
      try {
        const reader = await db.connection
          .runAndReadAll(`SELECT repo_id, repo_name, total_events FROM gold.repo_metrics ORDER BY total_events DESC, repo_id LIMIT ${Math.floor(limit)}`)
          .catch((error: unknown) => {
            throw sqlError(error, 'reading the most active repositories');
          });
        const rows = reader.getRowObjectsJS() as Record<string, unknown>[];
        return rows.map((r) => ({ repo_id: Number(r.repo_id), repo_name: (r.repo_name as string | null) ?? null, total_events: Number(r.total_events) }));
      } finally {
        db.close();
      }
    },
    ...(config.upload
      ? {
          async upload({ signal }: { signal: AbortSignal }) {
            const s = await uploadLake(config.upload!, { signal });
            return {
              complete: !s.interrupted && s.notStarted === 0 && s.failed.length === 0,
              mode: s.mode,
              uploaded: s.uploaded,
              unchanged: s.skippedUnchanged,
              failed: s.failed.map((f) => ({ key: f.key, message: `${f.code}: ${f.message}` })),
              bytes: s.uploadedBytes,
              deleted: s.deleted,
            };
          },
        }
      : {}),
    ...(config.snowflake
      ? {
          async snowflake({ signal }: { signal: AbortSignal }) {
            // Everything new since the last load (GHLAKE_LOADS), not only this run's hours.
            const result = await loadLakeIntoSnowflake(
              { lake: config.lake, connection: config.snowflake!.connection, objects: config.snowflake!.objects },
              { signal },
            );
            return { rows: Object.fromEntries(result.tables.map((t) => [t.table, t.rowsLoaded])) };
          },
        }
      : {}),
    async close() {
      await warmUp;
      if (!options.pool) await pool.destroy();
    },
  };
}

/**
 * The run's gold stage: the hours the run staged become silver commits (a commit a killed run left
 * half-published is finished first), then gold applies what they changed — one state database for
 * both layers, opened once and checkpointed once. Exported for the post-transform benchmark.
 */
export async function publishStaged(
  config: RunStageConfig,
  { signal, onStep }: { signal?: AbortSignal; onStep?: (step: string) => void },
): Promise<GoldOutcome> {
  onStep?.('consolidate');
  const t0 = performance.now();
  const settings = { memoryLimit: config.memoryLimit, threads: config.threads };
  const stateDb = await openStateDb(config.lake, settings, [...SILVER_STATE_TABLES, ...GOLD_STATE_TABLES]);
  let silver: Awaited<ReturnType<typeof consolidateSilver>>;
  let result: Awaited<ReturnType<typeof buildGold>>;
  let silverMs: number;
  try {
    silver = await consolidateSilver({ lake: config.lake, ...settings, ...(signal ? { signal } : {}) }, stateDb);
    silverMs = performance.now() - t0;
    result = await buildGold({ lake: config.lake, ...settings, refreshWarehouse: false, signal, stateDb, ...(onStep ? { onStep } : {}) });
  } finally {
    stateDb.close();
  }
  return {
    mode: result.mode,
    steps: { consolidate: Math.round(silverMs), apply: result.timings.apply, publish: result.timings.publish },
    silverCommits: silver.commits.length,
    tables: Object.fromEntries(result.gold.map((g) => [g.table, g.rows])),
    silverEvents: result.events,
    crossHourDuplicatesRemoved: silver.commits.reduce((n, c) => n + c.events.setAside, 0),
    timelineLogins: {
      resolved: silver.commits.reduce((n, c) => n + c.logins.resolved, 0),
      rekeyedHours: new Set(silver.commits.flatMap((c) => c.logins.rekeyedHours)).size,
    },
    silverWritten: silverHoursWritten(silver),
  };
}
