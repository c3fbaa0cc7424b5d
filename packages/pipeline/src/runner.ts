/**
 * `ghlake run` as a library function: GH Archive hours in, a lake out, a summary back.
 *
 *   lock → clean temp files → plan from manifest + files → download ⇉ transform (overlapped:
 *   an hour is handed to the pool the moment its file is verified) → gold + warehouse (only if
 *   the set of transformed hours changed) → upload → Snowflake.
 *
 * Pure in the house sense: no env, no argv, no printing — progress goes out as events.
 * Crash safety comes from the stages writing temp+rename and from this order of facts: an
 * hour is marked transformed only after all its files are in place, gold records the
 * fingerprint of the hours it was built from only after it is swapped in, and everything an
 * interrupted run left half-done is either a temp file (removed at start) or unmarked (redone).
 */
import {
  ERROR_CODES,
  ManifestStore,
  acquireLakeLock,
  compareHours,
  describeHolder,
  ensureLakeFormat,
  exists,
  isTransformed,
  outputProblemsOfHours,
  recordDownload,
  recordFailure,
  recordFinalOutputs,
  recordTransform,
  toPlainError,
  warehousePath,
  type HourKey,
  type PlainError,
} from '@ghlake/core';
import { clearInFlight, readInFlight, sweepTempFiles, writeInFlight } from './temp-sweep.js';
import type { RunEvent, RunEventListener, StageName } from './run-events.js';
import { emptyRunSummary, type FailedHour, type RunSummary, type StageTiming } from './run-summary.js';
import type { DownloadRetry, DownloadedHour, PipelineStages, TransformedHour } from './stages.js';

export interface RunConfig {
  lake: string;
  /** Hours to process, in any order (duplicates ignored). */
  hours: readonly HourKey[];
  /** Redo every hour of the range: re-verify the downloads, re-transform, rebuild gold. */
  force: boolean;
  /** Hours transformed at once (default: the pool's thread count). */
  transformConcurrency: number;
  /** Publish to S3 after gold (the stages must provide `upload`). */
  upload: boolean;
  /** Load into Snowflake after publishing (the stages must provide `snowflake`). */
  snowflake: boolean;
  /** How many top repositories to report (0: none). */
  topRepositories: number;
  /** Written into the lock so a second run can name the holder. */
  command: string;
}

export interface RunHooks {
  signal?: AbortSignal;
  onEvent?: RunEventListener;
  now?: () => number;
}

type Plan = { hour: HourKey; why: string }[];

async function planHours(store: ManifestStore, lake: string, hours: readonly HourKey[], force: boolean): Promise<{ todo: Plan; upToDate: HourKey[] }> {
  const todo: Plan = [];
  const upToDate: HourKey[] = [];
  // Hours marked done are checked against their files (a few small reads per file), many at a time.
  const trusted = (hour: HourKey) => !force && isTransformed(store.record(hour)) && !store.record(hour).transform?.damaged;
  const problemsOf = await outputProblemsOfHours(
    lake,
    hours.filter(trusted).map((h) => [h, store.record(h)] as const),
  );
  for (const hour of hours) {
    const record = store.record(hour);
    if (force) todo.push({ hour, why: 'forced' });
    else if (!isTransformed(record)) todo.push({ hour, why: record.state === 'pending' ? 'new' : record.state });
    // Its good lines are published; the source may have a clean copy by now.
    else if (record.transform?.damaged) todo.push({ hour, why: `damaged (${record.transform.damaged}): fetching it again` });
    else {
      const problems = problemsOf.get(hour) ?? [];
      const gone = problems.filter((p) => p.endsWith(': gone'));
      if (problems.length === 0) upToDate.push(hour);
      else if (gone.length === problems.length)
        todo.push({ hour, why: `transformed, but ${gone.length} file(s) are gone (${gone[0]!.replace(/: gone$/, '')})` });
      else
        todo.push({
          hour,
          why: `an output is not what was recorded: ${problems.find((p) => !gone.includes(p))}${problems.length > 1 ? ` (and ${problems.length - 1} more)` : ''}`,
        });
    }
  }
  // Files final since they were recorded (a commit whose run stopped before noting them, an earlier ghlake): noted now.
  await recordFinalOutputs(store, upToDate, { refresh: false });
  return { todo, upToDate };
}

/** Run the pipeline over `config.hours`. Throws only for problems before any work (lock, lake). */
export async function runPipeline(config: RunConfig, stages: PipelineStages, hooks: RunHooks = {}): Promise<RunSummary> {
  const now = hooks.now ?? Date.now;
  const signal = hooks.signal ?? new AbortController().signal;
  const emit = (event: RunEvent) => hooks.onEvent?.(event);
  const startedAt = now();
  const lake = config.lake;
  const hours = [...new Set(config.hours)].sort(compareHours);

  const lock = await acquireLakeLock(lake, config.command);
  try {
    // Only now that no other run can be writing: what a killed run left behind goes.
    await ensureLakeFormat(lake);
    // What a killed run left: in the folders of the hours it had in flight (and the fixed places).
    const inFlight = await readInFlight(lake);
    const removedTempFiles = await sweepTempFiles(lake, inFlight);
    const store = await ManifestStore.open(lake, { hours });
    emit({
      type: 'start',
      hours,
      lake,
      threads: config.transformConcurrency,
      removedTempFiles,
      ...(lock.tookOver ? { tookOverLock: describeHolder(lock.tookOver) } : {}),
    });

    const summary = emptyRunSummary(lake, hours);
    const timeStage = async <T>(stage: StageName, work: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: PlainError }> => {
      emit({ type: 'stage-start', stage });
      const t0 = now();
      try {
        const value = await work();
        const timing: StageTiming = { ms: now() - t0, ok: true };
        summary.stages[stage] = timing;
        emit({ type: 'stage-end', stage, ms: timing.ms, ok: true });
        return { ok: true, value };
      } catch (error) {
        const plain = toPlainError(error);
        if (signal.aborted) {
          // Stopped by the user, not broken: the summary says interrupted.
          summary.stages[stage] = { ms: now() - t0, ok: false, detail: 'interrupted' };
          emit({ type: 'stage-end', stage, ms: now() - t0, ok: false, detail: 'interrupted' });
          return { ok: false, error: plain };
        }
        summary.stages[stage] = { ms: now() - t0, ok: false, detail: plain.message };
        summary.errors.push({ stage, code: plain.code, message: plain.message, ...(plain.hint ? { hint: plain.hint } : {}) });
        emit({ type: 'stage-end', stage, ms: now() - t0, ok: false, detail: plain.message });
        return { ok: false, error: plain };
      }
    };
    const skipStage = (stage: StageName, detail: string) => {
      summary.stages[stage] = { ms: 0, ok: true, skipped: true, detail };
      emit({ type: 'stage-end', stage, ms: 0, ok: true, skipped: true, detail });
    };

    // ---- plan ------------------------------------------------------------------------
    const { todo, upToDate } = await planHours(store, lake, hours, config.force);
    summary.hours.upToDate = upToDate;
    // Where this run may leave temporary files if it is killed (with the previous run's, not swept yet).
    if (todo.length || inFlight.length) await writeInFlight(lake, [...new Set([...inFlight, ...todo.map((t) => t.hour)])]);
    emit({ type: 'plan', total: hours.length, toProcess: todo.length, upToDate: upToDate.length, redo: todo.filter((t) => t.why !== 'new') });

    // ---- download ⇉ transform --------------------------------------------------------
    const failHour = (hour: HourKey, stage: StageName, error: PlainError) => {
      summary.hours.failed.push(failedOf(hour, stage, error));
      recordFailure(store, hour, stage, error);
    };
    const recordTransformed = async (t: TransformedHour) => {
      // Nothing was published; the hour stays `downloaded` until its second fetch settles it.
      if (t.status === 'refetch') return;
      if (t.status === 'failed') {
        failHour(t.hour, 'transform', t.error ?? toPlainError(new Error('transform failed without a reason')));
        return;
      }
      summary.hours.done.push(t.hour);
      if (t.status === 'damaged') summary.hours.damaged.push({ hour: t.hour, reason: t.damaged ?? 'damaged source file' });
      summary.events += t.accounting.events;
      summary.silverEvents += t.accounting.silverEvents;
      summary.quarantined += t.accounting.quarantined;
      for (const [reason, n] of Object.entries(t.accounting.quarantinedByReason))
        summary.quarantinedByReason[reason] = (summary.quarantinedByReason[reason] ?? 0) + n;
      await recordTransform(
        store,
        t.hour,
        { layers: ['bronze', 'silver'], files: t.files, accounting: t.accounting, ...(t.damaged ? { damaged: t.damaged } : {}) },
        new Date(now()).toISOString(),
      );
    };

    /** `uncheckedSource`: stored without a gzip check (the transform's read is that check). */
    const queue: { hour: HourKey; uncheckedSource: boolean }[] = [];
    const running = new Set<Promise<void>>();
    /** Hours fetched again after their transform found them damaged (they hold no pool slot meanwhile). */
    const refetching = new Set<Promise<void>>();
    let transformStageOpen = false;
    let transformStageStart = 0;
    const pump = () => {
      while (!signal.aborted && running.size < config.transformConcurrency && queue.length) {
        const { hour, uncheckedSource } = queue.shift()!;
        if (!transformStageOpen) {
          transformStageOpen = true;
          transformStageStart = now();
          emit({ type: 'stage-start', stage: 'transform' });
        }
        emit({ type: 'hour-transform-start', hour });
        const t0 = now();
        const task = stages
          .transform(hour, { uncheckedSource })
          .catch((error: unknown): TransformedHour => ({ hour, status: 'failed', files: [], accounting: emptyAccounting(), error: toPlainError(error) }))
          .then(async (t) => {
            await recordTransformed(t);
            const published = t.status !== 'refetch';
            emit({
              type: 'hour-transform',
              hour,
              status: t.status,
              events: published ? t.accounting.events : 0,
              quarantined: published ? t.accounting.quarantined : 0,
              ms: now() - t0,
              ...(t.damaged ? { damaged: t.damaged } : {}),
              ...(t.error ? { error: t.error } : {}),
            });
            // What the read found is the file's gzip check: recorded beside it (checked, or damaged so
            // that the refetch replaces it without inflating it again).
            const found =
              t.status === 'refetch' || t.status === 'damaged'
                ? { damage: t.damaged ?? 'damaged gzip' }
                : uncheckedSource && t.status === 'transformed' && t.uncompressedBytes !== undefined
                  ? { uncompressedBytes: t.uncompressedBytes }
                  : undefined;
            if (found)
              await stages
                .recordGzipCheck(hour, found)
                .catch((error: unknown) => emit({ type: 'warning', message: `${hour}: could not record its gzip check: ${toPlainError(error).message}` }));
            if (t.status === 'refetch') {
              // Kept aside (docs/download.md), for inspection and for its good lines if the source is damaged too.
              await stages.keepDamagedCopy(hour).catch(() => undefined);
              const again = refetch(hour).finally(() => refetching.delete(again));
              refetching.add(again);
            }
          })
          .finally(() => {
            running.delete(task);
            pump();
          });
        running.add(task);
      }
    };

    const onBytes = (bytes: number) => {
      summary.bytesDownloaded += bytes;
      emit({ type: 'download-bytes', bytes });
    };
    const onRetry = (r: DownloadRetry) => emit({ type: 'download-retry', ...r });
    const onHourDownloaded = (d: DownloadedHour) => {
      emit({
        type: 'hour-download',
        hour: d.hour,
        status: d.status,
        bytes: d.bytes,
        ...(d.resumedBytes ? { resumedBytes: d.resumedBytes } : {}),
        ...(d.partialDiscarded ? { partialDiscarded: d.partialDiscarded } : {}),
        ...(d.error ? { error: d.error } : {}),
      });
      if (d.status === 'missing') summary.hours.missing.push(d.hour);
      if (d.status === 'failed')
        summary.hours.failed.push(failedOf(d.hour, 'download', d.error ?? toPlainError(new Error('download failed without a reason'))));
      recordDownload(store, d.hour, d, new Date(now()).toISOString(), { redo: true, missingError: () => missingError(d.hour) });
      if (d.status === 'missing' || d.status === 'failed') return;
      queue.push({ hour: d.hour, uncheckedSource: d.gzipChecked === false });
      pump();
    };
    /**
     * Files are stored without a gzip check (the transform inflates them anyway, and that read
     * is the check). One that turns out damaged published nothing: fetch it again, this time
     * checking its gzip as it arrives, with the download's retries — a damaged transfer is
     * replaced, a file damaged at the source fails as GHLAKE_GZIP_CORRUPT.
     */
    const refetch = async (hour: HourKey) => {
      let damagedAtSource = false;
      try {
        await stages.download([hour], {
          signal,
          reverify: false,
          checkGzip: true,
          rangeHasData: true,
          onBytes,
          onRetry,
          onHourDone: (d) => {
            if (d.status === 'failed' && d.error?.code === ERROR_CODES.GZIP_CORRUPT) damagedAtSource = true;
            else onHourDownloaded(d);
          },
        });
      } catch (error) {
        if (!signal.aborted) failHour(hour, 'download', toPlainError(error));
      }
      if (!damagedAtSource || signal.aborted) return;
      // Damaged at the source too: its good lines (the kept copy's) are published and the hour is
      // marked damaged; the next run fetches it again and replaces them if the source is mended.
      const t0 = now();
      const t = await stages
        .transform(hour, { uncheckedSource: false, keptCopy: true })
        .catch((error: unknown): TransformedHour => ({ hour, status: 'failed', files: [], accounting: emptyAccounting(), error: toPlainError(error) }));
      await recordTransformed(t);
      emit({
        type: 'hour-transform',
        hour,
        status: t.status,
        events: t.accounting.events,
        quarantined: t.accounting.quarantined,
        ms: now() - t0,
        ...(t.damaged ? { damaged: t.damaged } : {}),
        ...(t.error ? { error: t.error } : {}),
      });
    };

    const phaseStart = now();
    if (todo.length) {
      const dl = await timeStage('download', () =>
        stages.download(
          todo.map((t) => t.hour),
          { signal, reverify: config.force, checkGzip: false, rangeHasData: upToDate.length > 0, onBytes, onRetry, onHourDone: onHourDownloaded },
        ),
      );
      if (signal.aborted && (running.size || queue.length)) emit({ type: 'stopping', inFlight: running.size });
      // In-flight hours finish (their files are complete and recorded); queued ones wait for the next run.
      while (running.size || refetching.size) await Promise.race([...running, ...refetching]);
      if (!dl.ok && !signal.aborted) {
        // The stage itself broke (not one hour): every hour it did not settle failed with it.
        const settled = new Set([...summary.hours.missing, ...summary.hours.failed.map((f) => f.hour), ...summary.hours.done]);
        for (const t of todo) if (!settled.has(t.hour)) failHour(t.hour, 'download', dl.error);
      }
      if (transformStageOpen) {
        const ms = now() - transformStageStart;
        const ok = !summary.hours.failed.some((f) => f.stage === 'transform');
        summary.stages.transform = { ms, ok };
        emit({ type: 'stage-end', stage: 'transform', ms, ok });
      }
    } else {
      skipStage('download', 'every hour is up to date');
      skipStage('transform', 'every hour is up to date');
    }
    const phaseMs = Math.max(1, now() - phaseStart);
    summary.throughput = {
      eventsPerSec: todo.length ? (summary.events * 1000) / phaseMs : 0,
      downloadMBps: todo.length ? summary.bytesDownloaded / 1e3 / phaseMs : 0,
    };

    const settled = new Set<HourKey>([...summary.hours.done, ...summary.hours.missing, ...summary.hours.failed.map((f) => f.hour)]);
    summary.hours.notStarted = todo.map((t) => t.hour).filter((h) => !settled.has(h));

    // ---- silver consolidation + gold + warehouse ---------------------------------------
    // Always asked: each is cheap when nothing is new (the state knows), and this is also where a
    // commit that a killed run left half-published is finished.
    if (!signal.aborted) {
      await store.flush();
      const gold = await timeStage('gold', () => stages.gold({ signal, onStep: (step) => emit({ type: 'gold-step', step }) }));
      if (gold.ok) {
        const { silverWritten, ...outcome } = gold.value;
        summary.gold = { ...outcome, rebuilt: outcome.mode !== 'unchanged' };
        // Silver's commits published (or rewrote) these hours' files: they are final now, fingerprinted as they are.
        await recordFinalOutputs(store, silverWritten === 'all' ? await store.loadAll() : silverWritten, { refresh: true }).catch((error: unknown) =>
          emit({ type: 'warning', message: `could not note the published silver files' sizes and footers: ${toPlainError(error).message}` }),
        );
      }
      if (gold.ok && gold.value.silverEvents + gold.value.silverCommits > 0) {
        const current = gold.value.mode === 'unchanged' && gold.value.silverCommits === 0 && (await stages.warehouseIsCurrent());
        if (current) skipStage('warehouse', 'the warehouse is current');
        else await timeStage('warehouse', () => stages.warehouse());
      } else if (gold.ok) skipStage('warehouse', 'no silver in the lake yet');
    }

    // ---- publish ---------------------------------------------------------------------
    const goldOk = summary.stages.gold?.ok !== false && summary.stages.warehouse?.ok !== false;
    if (config.upload && !signal.aborted) {
      if (!stages.upload) throw new Error('upload requested but the stages provide no upload');
      if (!goldOk) skipStage('upload', 'not published: gold or the warehouse failed');
      else {
        const up = await timeStage('upload', () => stages.upload!({ signal }));
        if (up.ok) {
          summary.upload = up.value;
          if (up.value.complete && !signal.aborted) {
            await store.markPublished(new Date(now()).toISOString());
          } else if (up.value.failed.length) {
            summary.errors.push({
              stage: 'upload',
              code: ERROR_CODES.S3,
              message: `${up.value.failed.length} object(s) failed to upload, first: ${up.value.failed[0]!.key}: ${up.value.failed[0]!.message}`,
            });
          }
        }
      }
    }
    if (config.snowflake && !signal.aborted) {
      if (!stages.snowflake) throw new Error('snowflake requested but the stages provide no snowflake loader');
      const published = !config.upload || (summary.stages.upload?.ok && summary.upload?.complete);
      if (!published) skipStage('snowflake', 'not loaded: the upload did not complete');
      else {
        const sf = await timeStage('snowflake', () => stages.snowflake!({ signal }));
        if (sf.ok) {
          summary.snowflake = sf.value;
          await store.markLoaded(new Date(now()).toISOString());
        }
      }
    }

    // ---- the answer ------------------------------------------------------------------
    if (config.topRepositories > 0 && !signal.aborted && (await exists(warehousePath(lake)))) {
      try {
        summary.topRepositories = await stages.topRepositories(config.topRepositories);
      } catch (error) {
        emit({ type: 'warning', message: `could not read the top repositories: ${toPlainError(error).message}` });
      }
    }

    await store.flush();
    if (signal.aborted) {
      // Anything a stopped stage left half-written is a temp file: remove it now, not next run.
      await sweepTempFiles(lake, [...inFlight, ...todo.map((t) => t.hour)]);
      summary.interrupted = true;
    }
    await clearInFlight(lake);
    summary.elapsedMs = now() - startedAt;
    summary.exitCode = summary.interrupted ? 130 : summary.hours.failed.length || summary.hours.damaged.length || summary.errors.length ? 1 : 0;
    return summary;
  } finally {
    await lock.release();
  }
}

function failedOf(hour: HourKey, stage: StageName, error: PlainError): FailedHour {
  return { hour, stage, code: error.code, message: error.message, ...(error.hint ? { hint: error.hint } : {}) };
}

function emptyAccounting(): TransformedHour['accounting'] {
  return { lines: 0, events: 0, silverEvents: 0, quarantined: 0, quarantinedByReason: {}, blankLines: 0, duplicates: 0 };
}

function missingError(hour: HourKey): PlainError {
  return { name: 'GhlakeError', code: ERROR_CODES.HOUR_MISSING, message: `${hour} is not on the server (404)`, retryable: false, details: { hour } };
}
