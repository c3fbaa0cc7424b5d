/**
 * Downloads cut short by a stopped run — Ctrl-C, SIGKILL, a crash, a reboot — resume in the next
 * run instead of starting over. A body that can be resumed (the server announced its length and a
 * validator: a strong ETag or Last-Modified) is written under a stable name beside the hour, with
 * its identity written first:
 *
 *   raw/date=…/.partial-2015-01-01-15.json.gz         the bytes received so far, in order
 *   raw/date=…/.partial-2015-01-01-15.json.gz.json    which file they are: URL, size, validator
 *
 * The next run reads the bytes back through the same checks (sha256; the gzip inflate when it is
 * checked), then asks for the rest with `Range` + `If-Range`: a file changed on the server since
 * answers 200 and comes whole (http-attempt.ts), so two versions are never spliced. Bytes a crash
 * of the machine (not of the process) left garbled fail the gzip CRC, at once or at the
 * transform's read, and the hour is fetched again.
 *
 * The names start with a dot and not with `.tmp-`: no reader lists them as data, and the sweeps
 * of temporary files (`removeTempFiles`) leave them. Only one writer holds the lake (lake-lock),
 * so one stable name per hour is safe.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { PARTIAL_MARK, partialIdentityPath, partialPath, rawRoot, readTextIfExists, writeFileAtomic, type HourKey } from '@ghlake/core';
import { PartialBody } from './partial-body.js';

const IDENTITY_VERSION = 1;

export interface PartialIdentity {
  version: number;
  hour: HourKey;
  url: string;
  /** The whole file's size (Content-Length of the first response). */
  size: number;
  etag?: string;
  lastModified?: string;
  startedAt: string;
}

/** Start a body that a later run can resume: its identity is on disk before its first byte. */
export async function startKeptPartial(lake: string, identity: PartialIdentity, checkGzip: boolean): Promise<PartialBody> {
  await writeFileAtomic(partialIdentityPath(lake, identity.hour), `${JSON.stringify(identity, null, 2)}\n`);
  return bodyFor(lake, identity.hour, identity, checkGzip);
}

/** The body under the hour's stable partial name, identified as `identity` says. */
function bodyFor(lake: string, hour: HourKey, identity: PartialIdentity, checkGzip: boolean): PartialBody {
  const part = new PartialBody(partialPath(lake, hour), checkGzip, partialIdentityPath(lake, hour));
  part.identify(identity.size, identity.etag, identity.lastModified);
  return part;
}

/** Remove what an earlier run kept of this hour (the hour is complete, or its partial unusable). */
export async function removeKeptPartial(lake: string, hour: HourKey): Promise<void> {
  await fs.rm(partialPath(lake, hour), { force: true });
  await fs.rm(partialIdentityPath(lake, hour), { force: true });
}

/**
 * The hours that have a kept partial download in the lake: one listing of `raw/` and its date
 * folders, so `ghlake status` over the whole archive's range asks the disk once per day folder
 * that exists, not twice per hour.
 */
export async function hoursWithKeptPartials(lake: string): Promise<Set<string>> {
  const out = new Set<string>();
  const root = rawRoot(lake);
  const days = await fs.readdir(root).catch(() => [] as string[]);
  for (const day of days) {
    if (!day.startsWith('date=')) continue;
    for (const name of await fs.readdir(path.join(root, day)).catch(() => [] as string[])) {
      const m = name.startsWith(PARTIAL_MARK) ? /^(.+)\.json\.gz$/.exec(name.slice(PARTIAL_MARK.length)) : null;
      if (m) out.add(m[1]!);
    }
  }
  return out;
}

/** How far a kept partial download of the hour got (for `ghlake status`); undefined when there is none to resume. */
export async function keptPartialProgress(lake: string, hour: HourKey): Promise<{ bytes: number; size: number } | undefined> {
  const { identity, bytes } = await readKeptPartial(lake, hour).catch(() => ({ identity: undefined, bytes: undefined }));
  if (identity === undefined || typeof identity === 'string' || bytes === undefined) return undefined;
  return bytes > 0 && bytes < identity.size ? { bytes, size: identity.size } : undefined;
}

export type ReopenedPartial = { kind: 'none' } | { kind: 'reopened'; part: PartialBody } | { kind: 'discarded'; reason: string };

/**
 * What is on disk for the hour: its identity (a string: why it is unusable; undefined: none) and
 * the bytes kept (undefined: no data file).
 */
async function readKeptPartial(lake: string, hour: HourKey): Promise<{ identity: PartialIdentity | string | undefined; bytes: number | undefined }> {
  const bytes = await fs.stat(partialPath(lake, hour)).then(
    (st) => st.size,
    () => undefined,
  );
  return { identity: await readIdentity(partialIdentityPath(lake, hour)), bytes };
}

async function readIdentity(file: string): Promise<PartialIdentity | string | undefined> {
  const text = await readTextIfExists(file);
  if (text === undefined) return undefined;
  try {
    const id = JSON.parse(text) as Partial<PartialIdentity>;
    if (id.version !== IDENTITY_VERSION || typeof id.url !== 'string' || !Number.isSafeInteger(id.size) || (id.size as number) <= 0)
      return 'its identity is not one this version writes';
    return id as PartialIdentity;
  } catch {
    return 'its identity is not valid JSON';
  }
}

/**
 * What an earlier run left of this hour, ready to be continued: `reopened` (its bytes re-hashed
 * and, with `checkGzip`, re-inflated), `none`, or `discarded` with the reason (the files are gone).
 */
export async function reopenKeptPartial(lake: string, hour: HourKey, url: string, checkGzip: boolean, signal: AbortSignal): Promise<ReopenedPartial> {
  const { identity, bytes: size } = await readKeptPartial(lake, hour);
  if (identity === undefined && size === undefined) return { kind: 'none' };
  const discard = async (reason: string): Promise<ReopenedPartial> => {
    await removeKeptPartial(lake, hour);
    return { kind: 'discarded', reason: `kept partial download: ${reason}` };
  };
  if (identity === undefined) return discard('no identity beside the bytes');
  if (typeof identity === 'string') return discard(identity);
  if (size === undefined || size === 0) return discard('no bytes were kept');
  if (identity.url !== url) return discard(`it came from ${identity.url}, this run fetches ${url}`);
  if (size >= identity.size) return discard(`${size} bytes kept of a ${identity.size}-byte file`);
  const part = bodyFor(lake, hour, identity, checkGzip);
  if (part.validator === undefined) return discard('its only ETag is weak, and it has no Last-Modified');
  try {
    await part.readBack(signal);
  } catch (error) {
    if (signal.aborted) {
      part.verifier?.destroy(); // stopped while reading back: the files stay for the next run
      throw error;
    }
    await part.discard();
    return { kind: 'discarded', reason: `kept partial download: the bytes kept do not inflate (${error instanceof Error ? error.message : String(error)})` };
  }
  return { kind: 'reopened', part };
}
