/**
 * `uploadLake`: publish the lake's data files to S3. Pure in the project's sense: it takes a
 * typed config, reports through `onProgress` and returns a summary; it never reads argv or
 * env and never logs (the AWS SDK's credential chain reads the process environment itself).
 *
 * Order of work: list the bucket once; abort multipart uploads a dead run left behind; hash
 * and stage gold (its version is a hash of all gold files); upload every file that is not
 * already there with the same size and sha256, `concurrency` at a time, retrying whole
 * objects on throttling/5xx/network errors; then switch the gold pointer and delete old gold
 * versions, only if every gold object made it. An abort stops new work, lets lib-storage
 * abort in-flight multipart uploads and returns a summary marked `interrupted`.
 */
import { setMaxListeners } from 'node:events';
import { promises as fs } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import type { S3Client } from '@aws-sdk/client-s3';
import { ERROR_CODES, GhlakeError } from '@ghlake/core';
import { createS3Client } from './client.js';
import { resolveUploadConfig, type UploadConfig, type UploadConfigInput } from './config.js';
import { HashCache, localSha256 } from './checksum.js';
import { listLakeFiles, type LakeFile } from './lake-files.js';
import { goldPointerKey, goldVersionKey, keyPrefix, objectKey, s3Url } from './keys.js';
import { listRemote, remoteSha256, type RemoteObject } from './remote.js';
import { abortStaleMultipartUploads } from './multipart-cleanup.js';
import { putFile } from './put-object.js';
import { normalizeEtag, UploadRecord } from './upload-record.js';
import { AttemptsExhausted, withRetries } from './retry.js';
import { isRetryableS3Error, s3Error } from './s3-errors.js';
import { buildGoldPointer, readGoldPointer, removeOtherGoldVersions, writeGoldPointer, type GoldFile } from './gold-publish.js';

export type ObjectStatus = 'uploaded' | 'skipped' | 'failed' | 'interrupted';

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
  /** Objects of other versions deleted after the switch. */
  removedObjects: number;
}

export interface UploadSummary {
  bucket: string;
  prefix: string;
  lake: string;
  /** Lake data files considered, and their bytes. */
  files: number;
  bytes: number;
  /** Files in the layers that are not data (temp files, .meta.json, ...). */
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
  /** Files never started because the run was interrupted. */
  notStarted: number;
  gold: GoldPublishResult;
  staleMultipartUploads: { supported: boolean; aborted: number };
  warnings: string[];
  interrupted: boolean;
  durationMs: number;
}

export type UploadEvent =
  | { type: 'listed'; files: number; bytes: number; remoteObjects: number }
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
  | { type: 'gold-removed'; keys: string[] };

export interface UploadRunOptions {
  signal?: AbortSignal;
  onProgress?: (event: UploadEvent) => void;
  /** An S3 client to use instead of one built from the config (the caller destroys it). */
  client?: S3Client;
}

interface Task {
  file: LakeFile;
  key: string;
  gold: boolean;
  /** Gold files are opened and hashed before the run (the version needs every hash). */
  handle?: FileHandle;
  stat?: { size: number; mtimeMs: number };
  sha256?: string;
}

/** 0 done, 1 an object or the gold switch failed, 130 interrupted. */
export function uploadExitCode(summary: UploadSummary): 0 | 1 | 130 {
  if (summary.interrupted) return 130;
  return summary.failed.length > 0 ? 1 : 0;
}

function localFileError(error: unknown, file: LakeFile): GhlakeError {
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
  const listing = await listLakeFiles(config.lake);
  // One internal signal that every in-flight object listens to (many listeners: lift the warning cap).
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  const signal = controller.signal;
  const onOuterAbort = () => controller.abort();
  if (options.signal?.aborted) controller.abort();
  options.signal?.addEventListener('abort', onOuterAbort, { once: true });
  const client = options.client ?? createS3Client(config);
  const { bucket, prefix } = config;
  const listPrefix = keyPrefix(prefix);

  const summary: UploadSummary = {
    bucket,
    prefix,
    lake: config.lake,
    files: listing.files.length,
    bytes: listing.files.reduce((n, f) => n + f.size, 0),
    ignored: listing.ignored,
    uploaded: 0,
    uploadedBytes: 0,
    skippedUnchanged: 0,
    skippedBytes: 0,
    multipart: 0,
    retried: 0,
    failed: [],
    notStarted: 0,
    gold: { status: 'none', pointerKey: goldPointerKey(prefix), removedObjects: 0 },
    staleMultipartUploads: { supported: true, aborted: 0 },
    warnings,
    interrupted: false,
    durationMs: 0,
  };
  const tasks: Task[] = [];
  try {
    let remote: Map<string, RemoteObject>;
    try {
      remote = await listRemote(client, bucket, listPrefix, signal);
    } catch (error) {
      throw s3Error(error, 'listing', s3Url(bucket, listPrefix));
    }
    emit({ type: 'listed', files: summary.files, bytes: summary.bytes, remoteObjects: remote.size });

    if (!signal.aborted) {
      const stale = await abortStaleMultipartUploads(client, bucket, listPrefix, new Date(started), signal);
      summary.staleMultipartUploads = { supported: stale.supported, aborted: stale.aborted.length };
      warnings.push(...stale.warnings);
    }

    const cache = await HashCache.load(config.lake);
    const record = await UploadRecord.load(config.lake, config.endpoint, bucket);
    const policy = { retries: config.retries, baseDelayMs: config.retryBaseDelayMs, isRetryable: isRetryableS3Error, signal };

    const fail = (key: string, path: string, error: GhlakeError, attempts: number) => {
      summary.failed.push({ key, path, code: error.code, message: error.message, hint: error.hint, attempts });
    };

    // ---- gold: open and hash every file first; the version names them all ----
    const goldFiles: GoldFile[] = [];
    let goldUnreadable = false;
    for (const file of listing.files.filter((f) => f.layer === 'gold')) {
      let handle: FileHandle | undefined;
      try {
        handle = await fs.open(file.path, 'r');
        const st = await handle.stat();
        const stat = { size: st.size, mtimeMs: st.mtimeMs };
        const { sha256 } = await localSha256(handle, file, stat, cache);
        goldFiles.push({ relInGold: file.rel.slice('gold/'.length), size: stat.size, sha256 });
        tasks.push({ file, key: '', gold: true, handle, stat, sha256 });
      } catch (error) {
        await handle?.close();
        goldUnreadable = true;
        fail(objectKey(prefix, file.rel), file.path, localFileError(error, file), 1);
      }
    }
    const goldPointer = goldFiles.length > 0 ? buildGoldPointer(prefix, goldFiles, new Date()) : undefined;
    for (const t of tasks) t.key = goldVersionKey(prefix, goldPointer!.version, t.file.rel.slice('gold/'.length));
    for (const file of listing.files) if (file.layer !== 'gold') tasks.push({ file, key: objectKey(prefix, file.rel), gold: false });
    // Lake order (raw, bronze, silver, gold): a rerun after an interruption resumes where it stopped.
    tasks.sort((a, b) => (a.file.rel < b.file.rel ? -1 : a.file.rel > b.file.rel ? 1 : 0));
    const layerRank = { raw: 0, bronze: 1, silver: 2, gold: 3 } as const;
    tasks.sort((a, b) => layerRank[a.file.layer] - layerRank[b.file.layer]);

    let goldFailed = goldUnreadable;
    const runTask = async (task: Task) => {
      const { file, key } = task;
      let handle = task.handle;
      let attempts = 0;
      try {
        handle ??= await fs.open(file.path, 'r');
        let stat = task.stat;
        if (stat === undefined) {
          const st = await handle.stat();
          stat = { size: st.size, mtimeMs: st.mtimeMs };
        }
        const size = stat.size;
        const sha256 = task.sha256 ?? (await localSha256(handle, file, stat, cache)).sha256;
        const h = handle;
        const { value, attempts: used } = await withRetries(async (attempt) => {
          attempts = attempt;
          const existing = remote.get(key);
          if (existing !== undefined && existing.size === size) {
            if (attempt === 1 && record.unchanged(key, existing, sha256)) return { status: 'skipped' as const, multipart: false };
            if ((await remoteSha256(client, bucket, key, signal)) === sha256) {
              const etag = normalizeEtag(existing.etag);
              if (etag !== undefined) record.set(key, { size, etag, sha256 });
              return { status: 'skipped' as const, multipart: false };
            }
          }
          const put = await putFile({ client, bucket, key, handle: h, size, sha256, partSize: config.partSize, queueSize: config.queueSize, signal });
          const etag = normalizeEtag(put.etag);
          if (etag !== undefined) record.set(key, { size, etag, sha256 });
          return { status: 'uploaded' as const, multipart: put.multipart };
        }, policy);
        if (value.status === 'skipped') {
          summary.skippedUnchanged++;
          summary.skippedBytes += size;
        } else {
          summary.uploaded++;
          summary.uploadedBytes += size;
          if (value.multipart) summary.multipart++;
        }
        if (used > 1) summary.retried++;
        emit({ type: 'object', key, path: file.path, status: value.status, bytes: size, multipart: value.multipart, attempts: used });
      } catch (thrown) {
        const error = thrown instanceof AttemptsExhausted ? thrown.error : thrown;
        if (thrown instanceof AttemptsExhausted) attempts = thrown.attempts;
        if (signal.aborted) {
          emit({ type: 'object', key, path: file.path, status: 'interrupted', bytes: 0, multipart: false, attempts });
          return;
        }
        const isLocal = typeof (error as NodeJS.ErrnoException)?.code === 'string' && (error as NodeJS.ErrnoException).syscall !== undefined && attempts === 0;
        const ghlakeError = isLocal ? localFileError(error, file) : s3Error(error, 'uploading', s3Url(bucket, key));
        if (task.gold) goldFailed = true;
        fail(key, file.path, ghlakeError, Math.max(1, attempts));
        emit({ type: 'object', key, path: file.path, status: 'failed', bytes: 0, multipart: false, attempts: Math.max(1, attempts), error: ghlakeError });
      } finally {
        task.handle = undefined;
        await handle?.close().catch(() => undefined);
      }
    };

    let next = 0;
    const worker = async () => {
      while (!signal.aborted && next < tasks.length) await runTask(tasks[next++]!);
    };
    await Promise.all(Array.from({ length: Math.min(config.concurrency, tasks.length) }, worker));
    summary.notStarted = tasks.length - next;

    // ---- gold: switch the pointer, then remove other versions ----
    if (goldPointer !== undefined) {
      summary.gold.version = goldPointer.version;
      if (signal.aborted || goldFailed) {
        summary.gold.status = 'held';
      } else {
        try {
          const { value: previous } = await withRetries(() => readGoldPointer(client, bucket, prefix), policy);
          summary.gold.previousVersion = previous?.version;
          if (previous?.version === goldPointer.version) {
            summary.gold.status = 'unchanged';
          } else {
            await withRetries(() => writeGoldPointer(client, bucket, prefix, goldPointer), policy);
            summary.gold.status = 'published';
            emit({ type: 'gold-pointer', key: goldPointerKey(prefix), version: goldPointer.version, previousVersion: previous?.version });
          }
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
        if (summary.gold.status !== 'held' && !signal.aborted) {
          const removed = await removeOtherGoldVersions(client, bucket, prefix, goldPointer.version, remote.keys(), config.concurrency, (key, error) => {
            warnings.push(`could not delete old gold object ${s3Url(bucket, key)} (${s3Error(error, 'deleting', key).message}); the next upload retries`);
          });
          summary.gold.removedObjects = removed.length;
          if (removed.length > 0) emit({ type: 'gold-removed', keys: removed });
        }
      }
    }

    summary.interrupted = signal.aborted;
    const complete = !signal.aborted && !goldUnreadable;
    await cache.save(complete).catch((error: unknown) => {
      warnings.push(`could not save the hash cache (${(error as Error).message}); the next run hashes again`);
    });
    await record.save(complete).catch((error: unknown) => {
      warnings.push(`could not save the upload record (${(error as Error).message}); the next run checks objects with HeadObject`);
    });
  } finally {
    options.signal?.removeEventListener('abort', onOuterAbort);
    for (const t of tasks) await t.handle?.close().catch(() => undefined);
    if (options.client === undefined) client.destroy();
    summary.durationMs = Date.now() - started;
  }
  return summary;
}
