/**
 * `uploadLake`: publish the lake's data files to S3. Pure in the project's sense: it takes a
 * typed config, reports through `onProgress` and returns a summary; it never reads argv or
 * env and never logs (the AWS SDK's credential chain reads the process environment itself).
 *
 * Two modes, one outcome (the bucket mirrors the lake; see docs/upload.md):
 *
 *   incremental (the default once a complete upload to this destination is recorded): the files
 *     that can have changed since then — the raw file and hour partitions of the source hours a
 *     silver commit wrote after the recorded one (silver-feed.ts), the live files of the keyed
 *     tables, the published gold version — checked against the upload record (upload-state.ts):
 *     a file whose size and mtime are recorded is not read and costs no request. Nothing walks the
 *     lake or lists the bucket: cost follows the new hours.
 *   full (`full: true`, the first upload, a lost or outdated record, a lake without silver state):
 *     the whole lake walked, the bucket listed once, every file proven present by size + sha256
 *     (the record, else one HeadObject), the record rebuilt from the listing.
 *
 * Order of work: abort multipart uploads a dead run left behind; upload hour partitions (any
 * order, `concurrency` at a time) and keyed tables (each table's files one after the other in seq
 * order, so a delta is never in the bucket without the files it builds on); switch the gold
 * pointer only when every gold file is there; delete the keyed files that stopped being part of
 * their table at an EARLIER run (and, after a switch, the legacy `gold/_v/` versions); record the
 * mark. An abort stops new work, lets lib-storage abort in-flight multipart uploads and returns a
 * summary marked `interrupted`; the next run redoes only what is missing.
 */
import { setMaxListeners } from 'node:events';
import { promises as fs } from 'node:fs';
import { DeleteObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { ERROR_CODES, GhlakeError } from '@ghlake/core';
import { createS3Client } from './client.js';
import { resolveUploadConfig, type UploadConfig, type UploadConfigInput } from './config.js';
import { localSha256 } from './checksum.js';
import { SILVER_KEYED_DIRS, changedLakeFiles, listLakeFiles, type KeyedLakeTable, type LakeFile, type LakeListing } from './lake-files.js';
import { LEGACY_GOLD_VERSIONS_DIR, goldPointerKey, keyPrefix, objectKey, s3Url } from './keys.js';
import { listRemote, remoteHead, type RemoteObject } from './remote.js';
import { abortStaleMultipartUploads } from './multipart-cleanup.js';
import { putFile } from './put-object.js';
import { normalizeEtag, UploadState, type RecordedKeyed, type RecordedObject, type UploadMark } from './upload-state.js';
import { AttemptsExhausted, withRetries, type ObjectRetryPolicy } from './retry.js';
import { isRetryableS3Error, s3Error } from './s3-errors.js';
import { buildGoldPointer, goldVersionOf, readGoldPointer, samePointer, writeGoldPointer, type GoldFile } from './gold-publish.js';
import { hoursWrittenSince, silverHead } from './silver-feed.js';

export type ObjectStatus = 'uploaded' | 'skipped' | 'failed' | 'interrupted';
export type UploadMode = 'full' | 'incremental';

export interface UploadFailure {
  key: string;
  /** The lake file ('' for the gold pointer). */
  path: string;
  code: string;
  message: string;
  hint?: string | undefined;
  attempts: number;
}

export interface GoldPublishResult {
  /**
   * published: the pointer now names this run's version; unchanged: it already did;
   * none: the lake has no gold; held: not switched (a gold object failed or the run was interrupted).
   */
  status: 'published' | 'unchanged' | 'none' | 'held';
  version?: string | undefined;
  previousVersion?: string | undefined;
  pointerKey: string;
  /** Gold objects deleted by this run (files earlier pointers listed, legacy versions). */
  removedObjects: number;
}

export interface UploadSummary {
  bucket: string;
  prefix: string;
  lake: string;
  mode: UploadMode;
  /** Why the upload was full (undefined when incremental). */
  fullReason?: string | undefined;
  /** The silver commit the bucket now reflects (undefined: the lake has no silver state). */
  silverHead?: number | undefined;
  /** Incremental: source hours whose files were looked at. */
  hours: number;
  /** Lake data files considered, and their bytes. */
  files: number;
  bytes: number;
  /** Files in the layers that are not data (temp files, .meta.json, obsolete keyed files, ...). */
  ignored: number;
  uploaded: number;
  uploadedBytes: number;
  skippedUnchanged: number;
  skippedBytes: number;
  /** Objects uploaded in parts. */
  multipart: number;
  /** Objects that needed more than one whole-object attempt (and finished). */
  retried: number;
  failed: UploadFailure[];
  /** Files never started because the run was interrupted (or an earlier file of their keyed table failed). */
  notStarted: number;
  /** Objects deleted: keyed files no longer part of their table (a run after they left it), legacy gold versions. */
  deleted: number;
  gold: GoldPublishResult;
  staleMultipartUploads: { supported: boolean; aborted: number };
  warnings: string[];
  interrupted: boolean;
  durationMs: number;
}

export type UploadEvent =
  | { type: 'listed'; mode: UploadMode; fullReason?: string | undefined; hours: number; files: number; bytes: number; remoteObjects: number | undefined }
  | {
      type: 'object';
      key: string;
      path: string;
      status: ObjectStatus;
      bytes: number;
      multipart: boolean;
      attempts: number;
      error?: GhlakeError;
    }
  | { type: 'gold-pointer'; key: string; version: string; previousVersion?: string | undefined }
  | { type: 'deleted'; keys: string[] };

export interface UploadRunOptions {
  signal?: AbortSignal;
  onProgress?: (event: UploadEvent) => void;
  /** An S3 client to use instead of one built from the config (the caller destroys it). */
  client?: S3Client;
}

/** 0 done, 1 an object or the gold switch failed, 130 interrupted. */
export function uploadExitCode(summary: UploadSummary): 0 | 1 | 130 {
  if (summary.interrupted) return 130;
  return summary.failed.length > 0 ? 1 : 0;
}

function localFileError(error: unknown, file: { path: string }): GhlakeError {
  const errno = (error as NodeJS.ErrnoException).code;
  return new GhlakeError(ERROR_CODES.INTERNAL, `reading ${file.path} failed: ${(error as Error).message}`, {
    hint:
      errno === 'ENOENT' ? 'the file disappeared while uploading (a stage rewrote it?): rerun the upload' : 'check the file and its permissions, then rerun',
    cause: error,
    details: { path: file.path, ...(errno === undefined ? {} : { errno }) },
  });
}

/** The lake must be an existing folder (`ghlake upload` checks it before taking the lake's lock). */
export async function assertLakeDir(lake: string): Promise<void> {
  const st = await fs.stat(lake).catch(() => undefined);
  if (st === undefined || !st.isDirectory()) {
    throw new GhlakeError(ERROR_CODES.INVALID_OPTION, `--lake ${lake} is not a folder`, {
      hint: 'pass --lake (or GHLAKE_LAKE) pointing at a lake made by ghlake download/run',
      details: { option: '--lake', value: lake },
    });
  }
}

/** Why this upload must be full, or undefined when the record allows an incremental one. */
function fullReasonFor(config: UploadConfig, previous: UploadMark | undefined, head: number | undefined): string | undefined {
  if (config.full) return 'asked for (--full)';
  if (previous?.at === undefined) return 'no complete upload to this bucket and prefix is recorded';
  if (head === undefined) return 'the lake has no silver state (nothing consolidated yet): every file is checked';
  if (previous.silverHead === undefined) return 'the last upload predates the lake’s silver state';
  if (head < previous.silverHead) return `the silver state (commit ${head}) is older than the last upload (commit ${previous.silverHead}): rebuilt or restored`;
  return undefined;
}

/** A keyed file name's seq (`part-0000000012[-full].parquet`), or undefined for another name. */
function seqOfName(key: string): number | undefined {
  const m = /\/part-(\d{10})(?:-full)?\.parquet$/.exec(key);
  return m ? Number(m[1]) : undefined;
}

type Unit = { kind: 'file'; file: LakeFile } | { kind: 'keyed'; table: KeyedLakeTable; gold: boolean };

interface SendResult {
  status: 'uploaded' | 'skipped';
  size: number;
  mtimeMs: number;
  sha256: string;
  etag: string | undefined;
  multipart: boolean;
  attempts: number;
}

export async function uploadLake(input: UploadConfigInput, options: UploadRunOptions = {}): Promise<UploadSummary> {
  const config: UploadConfig = resolveUploadConfig(input);
  const started = Date.now();
  const warnings: string[] = [];
  const emit = (event: UploadEvent) => {
    try {
      options.onProgress?.(event);
    } catch (error) {
      warnings.push(`progress callback failed: ${(error as Error).message}`);
    }
  };

  await assertLakeDir(config.lake);
  const { bucket, prefix } = config;
  const listPrefix = keyPrefix(prefix);
  const summary: UploadSummary = {
    bucket,
    prefix,
    lake: config.lake,
    mode: 'full',
    hours: 0,
    files: 0,
    bytes: 0,
    ignored: 0,
    uploaded: 0,
    uploadedBytes: 0,
    skippedUnchanged: 0,
    skippedBytes: 0,
    multipart: 0,
    retried: 0,
    failed: [],
    notStarted: 0,
    deleted: 0,
    gold: { status: 'none', pointerKey: goldPointerKey(prefix), removedObjects: 0 },
    staleMultipartUploads: { supported: true, aborted: 0 },
    warnings,
    interrupted: false,
    durationMs: 0,
  };

  // One internal signal that every in-flight object listens to (many listeners: lift the warning cap).
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  const signal = controller.signal;
  const onOuterAbort = () => controller.abort();
  if (options.signal?.aborted) controller.abort();
  options.signal?.addEventListener('abort', onOuterAbort, { once: true });
  const state = await UploadState.open(config.lake, { endpoint: config.endpoint, bucket, prefix });
  const client = options.client ?? createS3Client(config);
  try {
    const { run, previous } = await state.beginRun();
    const head = await silverHead(state.db);
    const fullReason = fullReasonFor(config, previous, head);
    const mode: UploadMode = fullReason === undefined ? 'incremental' : 'full';
    summary.mode = mode;
    summary.fullReason = fullReason;
    summary.silverHead = head;

    let listing: LakeListing;
    let remote: Map<string, RemoteObject> | undefined;
    let recordedObjects: Map<string, RecordedObject>;
    let recordedKeyed: Map<string, RecordedKeyed>;
    const legacyGold: string[] = [];
    if (mode === 'incremental') {
      const hours = await hoursWrittenSince(state.db, previous!.silverHead!);
      summary.hours = hours.length;
      listing = await changedLakeFiles(config.lake, hours);
      recordedObjects = await state.objects(listing.files.map((f) => objectKey(prefix, f.rel)));
      recordedKeyed = await state.keyed();
    } else {
      listing = await listLakeFiles(config.lake);
      try {
        remote = await listRemote(client, bucket, listPrefix, signal);
      } catch (error) {
        throw s3Error(error, 'listing', s3Url(bucket, listPrefix));
      }
      // The record is rebuilt from the listing: rows of objects that are gone are dropped, keyed
      // files the record does not know (another machine's, or a lost record) are taken in.
      recordedObjects = await state.allObjects();
      recordedKeyed = await state.keyed();
      for (const key of [...recordedObjects.keys()]) {
        if (!remote.has(key)) {
          state.forget(key);
          recordedObjects.delete(key);
        }
      }
      for (const key of [...recordedKeyed.keys()]) {
        if (!remote.has(key)) {
          state.forget(key);
          recordedKeyed.delete(key);
        }
      }
      const keyedDirs = [...SILVER_KEYED_DIRS.map((d) => objectKey(prefix, d))];
      const goldDir = `${objectKey(prefix, 'gold')}/`;
      const legacyDir = `${objectKey(prefix, LEGACY_GOLD_VERSIONS_DIR)}/`;
      for (const object of remote.values()) {
        if (object.key.startsWith(legacyDir)) {
          legacyGold.push(object.key);
          continue;
        }
        const dir = object.key.slice(0, object.key.lastIndexOf('/'));
        const keyed =
          keyedDirs.includes(dir) || (object.key.startsWith(goldDir) && !dir.slice(goldDir.length).includes('/') && object.key.endsWith('.parquet'));
        if (!keyed || recordedKeyed.has(object.key)) continue;
        const row: RecordedKeyed = {
          key: object.key,
          dir,
          seq: seqOfName(object.key),
          size: object.size,
          sha256: '',
          etag: normalizeEtag(object.etag),
          obsoleteRun: undefined,
        };
        recordedKeyed.set(object.key, row);
        state.putKeyed(row);
      }
    }
    summary.ignored = listing.ignored;
    const goldTables = listing.gold?.tables ?? [];
    const allFiles = [...listing.files, ...listing.keyed.flatMap((t) => t.live), ...goldTables.flatMap((t) => t.live)];
    summary.files = allFiles.length;
    summary.bytes = allFiles.reduce((n, f) => n + f.size, 0);
    emit({ type: 'listed', mode, fullReason, hours: summary.hours, files: summary.files, bytes: summary.bytes, remoteObjects: remote?.size });

    if (!signal.aborted) {
      const stale = await abortStaleMultipartUploads(client, bucket, listPrefix, new Date(started), signal);
      summary.staleMultipartUploads = { supported: stale.supported, aborted: stale.aborted.length };
      warnings.push(...stale.warnings);
    }

    const policy: ObjectRetryPolicy = { retries: config.retries, baseDelayMs: config.retryBaseDelayMs, isRetryable: isRetryableS3Error, signal };
    const fail = (key: string, path: string, error: GhlakeError, attempts: number) => {
      summary.failed.push({ key, path, code: error.code, message: error.message, hint: error.hint, attempts });
    };

    /** Put `file` at `key` unless the bucket holds it already; counts and reports it. Undefined when it failed. */
    const send = async (file: LakeFile, key: string, recorded: RecordedObject | undefined): Promise<SendResult | undefined> => {
      let attempts = 0;
      let handle: import('node:fs/promises').FileHandle | undefined;
      try {
        handle = await fs.open(file.path, 'r');
        const st = await handle.stat();
        const stat = { size: st.size, mtimeMs: st.mtimeMs };
        const { sha256 } = await localSha256(handle, file, stat, recorded);
        const h = handle;
        const { value, attempts: used } = await withRetries(async (attempt) => {
          attempts = attempt;
          const skipped = (etag: string | undefined) => ({ status: 'skipped' as const, etag, multipart: false });
          if (remote !== undefined) {
            const existing = remote.get(key);
            if (existing !== undefined && existing.size === stat.size) {
              const etag = normalizeEtag(existing.etag);
              if (recorded?.sha256 === sha256 && recorded.size === stat.size && recorded.etag !== undefined && recorded.etag === etag) return skipped(etag);
              const there = await remoteHead(client, bucket, key, signal);
              if (there?.sha256 === sha256 && there.size === stat.size) return skipped(normalizeEtag(there.etag));
            }
          } else if (recorded?.sha256 === sha256 && recorded.size === stat.size) {
            return skipped(recorded.etag);
          } else if (recorded === undefined || recorded.sha256 === '') {
            // Not recorded: uploaded by a run that died before writing its record? One HeadObject says.
            const there = await remoteHead(client, bucket, key, signal);
            if (there?.sha256 === sha256 && there.size === stat.size) return skipped(normalizeEtag(there.etag));
          }
          const put = await putFile({
            client,
            bucket,
            key,
            handle: h,
            size: stat.size,
            sha256,
            partSize: config.partSize,
            queueSize: config.queueSize,
            signal,
          });
          return { status: 'uploaded' as const, etag: normalizeEtag(put.etag), multipart: put.multipart };
        }, policy);
        if (value.status === 'skipped') {
          summary.skippedUnchanged++;
          summary.skippedBytes += stat.size;
        } else {
          summary.uploaded++;
          summary.uploadedBytes += stat.size;
          if (value.multipart) summary.multipart++;
        }
        if (used > 1) summary.retried++;
        emit({ type: 'object', key, path: file.path, status: value.status, bytes: stat.size, multipart: value.multipart, attempts: used });
        return { status: value.status, size: stat.size, mtimeMs: stat.mtimeMs, sha256, etag: value.etag, multipart: value.multipart, attempts: used };
      } catch (thrown) {
        const error = thrown instanceof AttemptsExhausted ? thrown.error : thrown;
        if (thrown instanceof AttemptsExhausted) attempts = thrown.attempts;
        if (signal.aborted) {
          emit({ type: 'object', key, path: file.path, status: 'interrupted', bytes: 0, multipart: false, attempts });
          return undefined;
        }
        const isLocal = typeof (error as NodeJS.ErrnoException)?.code === 'string' && (error as NodeJS.ErrnoException).syscall !== undefined && attempts === 0;
        const ghlakeError = isLocal ? localFileError(error, file) : s3Error(error, 'uploading', s3Url(bucket, key));
        fail(key, file.path, ghlakeError, Math.max(1, attempts));
        emit({ type: 'object', key, path: file.path, status: 'failed', bytes: 0, multipart: false, attempts: Math.max(1, attempts), error: ghlakeError });
        return undefined;
      } finally {
        await handle?.close().catch(() => undefined);
      }
    };

    const deleteKeys = async (keys: readonly string[], what: string): Promise<string[]> => {
      const deleted: string[] = [];
      let next = 0;
      const worker = async () => {
        while (next < keys.length && !signal.aborted) {
          const key = keys[next++]!;
          try {
            await withRetries(() => client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key })), policy);
            deleted.push(key);
            state.forget(key);
          } catch (thrown) {
            const error = thrown instanceof AttemptsExhausted ? thrown.error : thrown;
            warnings.push(`could not delete ${what} ${s3Url(bucket, key)} (${s3Error(error, 'deleting', key).message}); the next upload retries`);
          }
        }
      };
      await Promise.all(Array.from({ length: Math.min(config.concurrency, keys.length) }, worker));
      await state.flushIfDue();
      summary.deleted += deleted.length;
      if (deleted.length > 0) emit({ type: 'deleted', keys: deleted.sort() });
      return deleted;
    };

    // ---- the units: hour partitions, then the silver keyed tables, then gold's --------------
    const goldHashes = new Map<string, { size: number; sha256: string }>();
    const tableOk = new Map<string, boolean>();
    const runKeyed = async (table: KeyedLakeTable, gold: boolean): Promise<boolean> => {
      const dirKey = objectKey(prefix, table.dir);
      const rows = [...recordedKeyed.values()].filter((r) => r.dir === dirKey);
      const liveKeys = new Set(table.live.map((f) => objectKey(prefix, f.rel)));
      // A file in the bucket with a seq at or above the table's first live one that is not live would
      // shadow the table for readers who list the folder (a lake whose seqs restarted): it goes first.
      const first = table.live[0]?.seq;
      const shadowing = rows.filter((r) => !liveKeys.has(r.key) && r.seq !== undefined && first !== undefined && r.seq >= first).map((r) => r.key);
      if (shadowing.length > 0) {
        warnings.push(
          `${table.dir}: the bucket held ${shadowing.length} file(s) newer than the lake's table (its seqs restarted); deleted before uploading the table`,
        );
        const gone = new Set(await deleteKeys(shadowing, 'a superseded file'));
        for (const k of gone) recordedKeyed.delete(k);
        if (gone.size < shadowing.length) return false;
      }
      for (const [i, file] of table.live.entries()) {
        if (signal.aborted) {
          summary.notStarted += table.live.length - i;
          return false;
        }
        const key = objectKey(prefix, file.rel);
        const sent = await send(file, key, recordedKeyed.get(key));
        if (sent === undefined) {
          // Later deltas would be visible without this file: they wait for the next run.
          summary.notStarted += table.live.length - i - 1;
          return false;
        }
        const row: RecordedKeyed = {
          key,
          dir: dirKey,
          seq: file.seq,
          size: sent.size,
          sha256: sent.sha256,
          etag: sent.etag,
          mtimeMs: sent.mtimeMs,
          obsoleteRun: undefined,
        };
        recordedKeyed.set(key, row);
        state.putKeyed(row);
        if (gold) goldHashes.set(file.rel.slice('gold/'.length), { size: sent.size, sha256: sent.sha256 });
        await state.flushIfDue();
      }
      // Silver: files no longer part of the table are deleted by a later run (gold: after its pointer switch).
      if (!gold) for (const r of rows) if (!liveKeys.has(r.key) && r.obsoleteRun === undefined) markObsolete(r);
      return true;
    };
    const markObsolete = (r: RecordedKeyed) => {
      const row = { ...r, obsoleteRun: run };
      recordedKeyed.set(r.key, row);
      state.putKeyed(row);
    };

    const units: Unit[] = [
      ...listing.files.map((file) => ({ kind: 'file' as const, file })),
      ...listing.keyed.map((table) => ({ kind: 'keyed' as const, table, gold: false })),
      ...goldTables.map((table) => ({ kind: 'keyed' as const, table, gold: true })),
    ];
    const unitSize = (u: Unit) => (u.kind === 'file' ? 1 : u.table.live.length);
    let next = 0;
    const worker = async () => {
      while (!signal.aborted && next < units.length) {
        const unit = units[next++]!;
        if (unit.kind === 'file') {
          const key = objectKey(prefix, unit.file.rel);
          const sent = await send(unit.file, key, recordedObjects.get(key));
          if (sent) state.putObject({ key, size: sent.size, sha256: sent.sha256, etag: sent.etag, mtimeMs: sent.mtimeMs });
        } else {
          tableOk.set(unit.table.dir, await runKeyed(unit.table, unit.gold));
        }
        await state.flushIfDue();
      }
    };
    await Promise.all(Array.from({ length: Math.min(config.concurrency, units.length) }, worker));
    summary.notStarted += units.slice(next).reduce((n, u) => n + unitSize(u), 0);

    // ---- gold: switch the pointer, then mark what it no longer lists ---------------------------
    const snapshot = listing.gold;
    let goldVersion: string | undefined = previous?.goldVersion;
    if (snapshot !== undefined) {
      for (const f of snapshot.unkeyed) {
        fail(
          objectKey(prefix, f.rel),
          f.path,
          new GhlakeError(ERROR_CODES.INVALID_OPTION, `${f.rel} is not a keyed gold file (part-<seq>[-full].parquet): gold written by an earlier ghlake`, {
            hint: 'run ghlake gold (or ghlake run) to rebuild gold, then upload again; the rest of the lake was uploaded',
          }),
          0,
        );
      }
      const goldComplete = snapshot.unkeyed.length === 0 && goldTables.every((t) => tableOk.get(t.dir) === true);
      if (signal.aborted || !goldComplete) {
        summary.gold.status = 'held';
        summary.gold.version = snapshot.version;
      } else {
        const files: GoldFile[] = [...goldHashes.entries()].map(([relInGold, h]) => ({ relInGold, ...h }));
        const version = snapshot.version ?? goldVersionOf(files);
        const pointer = buildGoldPointer(prefix, version, files, new Date());
        summary.gold.version = version;
        try {
          if (mode === 'incremental' && previous?.goldVersion === version) {
            summary.gold.status = 'unchanged';
            summary.gold.previousVersion = version;
          } else {
            const { value: current } = await withRetries(() => readGoldPointer(client, bucket, prefix), policy);
            summary.gold.previousVersion = current?.version;
            if (current !== undefined && current.format === pointer.format && samePointer(current, pointer)) {
              summary.gold.status = 'unchanged';
            } else {
              await withRetries(() => writeGoldPointer(client, bucket, prefix, pointer), policy);
              summary.gold.status = 'published';
              emit({ type: 'gold-pointer', key: goldPointerKey(prefix), version, previousVersion: current?.version });
            }
          }
          goldVersion = version;
          const listed = new Set(pointer.files.map((f) => f.key));
          const goldDir = `${objectKey(prefix, 'gold')}/`;
          for (const r of [...recordedKeyed.values()]) if (r.key.startsWith(goldDir) && !listed.has(r.key) && r.obsoleteRun === undefined) markObsolete(r);
        } catch (thrown) {
          const error = thrown instanceof AttemptsExhausted ? thrown.error : thrown;
          summary.gold.status = 'held';
          if (!signal.aborted)
            fail(
              goldPointerKey(prefix),
              '',
              s3Error(error, 'switching gold pointer', s3Url(bucket, goldPointerKey(prefix))),
              thrown instanceof AttemptsExhausted ? thrown.attempts : 1,
            );
        }
      }
    }

    // ---- deletions: files that left their table at an earlier run; legacy gold versions -------
    if (!signal.aborted) {
      const live = new Set(allFiles.map((f) => objectKey(prefix, f.rel)));
      const due = [...recordedKeyed.values()].filter((r) => r.obsoleteRun !== undefined && r.obsoleteRun < run && !live.has(r.key)).map((r) => r.key);
      const goldDir = `${objectKey(prefix, 'gold')}/`;
      const switched = summary.gold.status === 'published' || summary.gold.status === 'unchanged';
      const removed = await deleteKeys([...due, ...(switched ? legacyGold : [])].sort(), 'an obsolete object');
      summary.gold.removedObjects = removed.filter((k) => k.startsWith(goldDir)).length;
    }

    summary.interrupted = signal.aborted;
    const complete = !signal.aborted && summary.failed.length === 0 && summary.gold.status !== 'held' && summary.notStarted === 0;
    try {
      if (complete) await state.complete({ silverHead: head, goldVersion: snapshot ? goldVersion : undefined, mode });
      else await state.flush();
    } catch (error) {
      warnings.push(`could not save the upload record (${(error as Error).message}); the next run checks the objects again`);
    }
  } finally {
    options.signal?.removeEventListener('abort', onOuterAbort);
    state.close();
    if (options.client === undefined) client.destroy();
    summary.durationMs = Date.now() - started;
  }
  return summary;
}
